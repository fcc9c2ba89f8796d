//! Services: refused until billing is ready (even when the page is
//! bypassed), created and deleted with checks, roles, activity.

use super::common::{assert_redirect, TestApp};
use orgpanel::error::NOT_READY;
use reqwest::StatusCode;

async fn live_services(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT name FROM services WHERE deleted_at IS NULL ORDER BY name")
        .fetch_all(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_create_is_refused_until_billing_is_ready_even_when_posted_directly() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let services = format!("/organizations/{org}/services");

    // The page says it before anyone clicks, with links to what is missing.
    let (status, html) = app.page(&anna, &services).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(NOT_READY));
    assert!(html.contains(&format!(
        r#"<a href="/organizations/{org}/settings">Fill in the company information</a>"#
    )));
    assert!(html.contains(&format!(
        r#"<a href="/organizations/{org}/billing">Choose a method of payment</a>"#
    )));
    assert!(html.contains("<fieldset disabled"), "the form is disabled");

    // Bypassing the page: each step short of ready is still refused.
    let steps: [&[(&str, &str)]; 2] = [
        &[("intent", "method"), ("method", "invoice")],
        &[
            ("intent", "delivery"),
            ("delivery", "email"),
            ("invoice_email", "invoices@example.se"),
        ],
    ];
    let response = app.create_service(&anna, &org, "web-1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(html.contains(NOT_READY));
    assert!(html.contains(r#"role="alert""#), "announced as the answer");
    app.save_company(&anna, &org).await;
    for step in steps {
        let response = app.create_service(&anna, &org, "web-1").await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "before {step:?}");
        assert!(response.text().await.unwrap().contains(NOT_READY));
        assert_eq!(
            app.billing(&anna, &org, step).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    assert!(live_services(&app).await.is_empty());

    assert_redirect(
        &app.create_service(&anna, &org, "web-1").await,
        &format!("{services}?created=web-1"),
    );
    let (_, html) = app.page(&anna, &format!("{services}?created=web-1")).await;
    assert!(html.contains("Service web-1 created"));
    assert!(html.contains("<strong>web-1</strong>"));
    assert!(html.contains("9.00 EUR"));
    assert!(html.contains("Stockholm, Sweden (sto1)"));
    assert!(!html.contains(NOT_READY));
    let (_, overview) = app.page(&anna, &format!("/organizations/{org}")).await;
    assert_eq!(overview.matches("Not done").count(), 0, "all three done");
    let (cents, currency): (i64, String) =
        sqlx::query_as("SELECT monthly_cents, currency FROM services")
            .fetch_one(app.db())
            .await
            .unwrap();
    assert_eq!((cents, currency.as_str()), (900, "EUR"));
    app.stop().await;
}

#[tokio::test]
async fn bad_names_plans_and_duplicates_are_refused_and_create_nothing() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.make_ready(&anna, &org).await;
    let path = format!("/organizations/{org}/services");
    assert_eq!(
        app.create_service(&anna, &org, "web-1").await.status(),
        StatusCode::SEE_OTHER
    );

    for (name, plan, data_center, message) in [
        (
            "Web-1",
            "small",
            "sto1",
            "Use only lower-case letters a–z, digits and hyphens.",
        ),
        ("", "small", "sto1", "Enter a name for the service."),
        ("-web", "small", "sto1", "cannot start or end with a hyphen"),
        (&"a".repeat(64), "small", "sto1", "at most 63 characters"),
        (
            "web-1",
            "small",
            "sto1",
            "There is already a service named web-1 in this organization.",
        ),
        ("web-2", "free", "sto1", "Choose a plan."),
        ("web-2", "small", "mars1", "Choose a data center."),
    ] {
        let response = app
            .post_form(
                &anna,
                &path,
                &[
                    ("intent", "create"),
                    ("name", name),
                    ("plan", plan),
                    ("data_center", data_center),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} {plan} {data_center}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{name:?}: {message}");
        assert!(
            html.contains(&format!(r#"value="{name}""#)),
            "what was typed is kept"
        );
    }
    assert_eq!(live_services(&app).await, ["web-1"]);
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Service created'")
            .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn delete_is_logged_happens_once_and_frees_the_name() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.make_ready(&anna, &org).await;
    let path = format!("/organizations/{org}/services");
    app.create_service(&anna, &org, "web-1").await;
    app.create_service(&anna, &org, "db").await;
    let id: String = sqlx::query_scalar("SELECT public_id FROM services WHERE name = 'web-1'")
        .fetch_one(app.db())
        .await
        .unwrap();
    let (_, html) = app.page(&anna, &path).await;
    assert!(html.contains(r#"aria-label="Delete web-1""#));
    assert!(html.contains("Delete web-1?"), "a confirmation");

    let delete = [("intent", "delete"), ("service", id.as_str())];
    assert_redirect(
        &app.post_form(&anna, &path, &delete).await,
        &format!("{path}?deleted=web-1"),
    );
    assert_eq!(live_services(&app).await, ["db"]);
    // A second click (or another tab) finds nothing to delete and says so.
    let again = app.post_form(&anna, &path, &delete).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("That service no longer exists"));
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM activity WHERE action = 'Service deleted'")
            .fetch_all(app.db())
            .await
            .unwrap();
    assert_eq!(details, ["web-1"]);
    // The deleted one is kept for billing; its name can be used again.
    assert_eq!(
        app.create_service(&anna, &org, "web-1").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count("SELECT count(*) FROM services WHERE name = 'web-1'")
            .await,
        2
    );

    // A live service of another organization cannot be deleted from this
    // one, though the same person may delete services in both.
    let live: String = sqlx::query_scalar("SELECT public_id FROM services WHERE name = 'db'")
        .fetch_one(app.db())
        .await
        .unwrap();
    let other = app.create_org(&anna, "Other").await;
    let response = app
        .post_form(
            &anna,
            &format!("/organizations/{other}/services"),
            &[("intent", "delete"), ("service", &live)],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "not this organization's"
    );
    let mut names = live_services(&app).await;
    names.sort();
    assert_eq!(names, ["db", "web-1"], "nothing was deleted");
    app.stop().await;
}

#[tokio::test]
async fn every_role_against_creating_and_deleting_services() {
    let app = TestApp::start().await;
    let owner = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    app.make_ready(&owner, &org).await;
    let mut members = vec![("owner", owner)];
    members.extend(app.team(&org).await);
    let path = format!("/organizations/{org}/services");
    // Owner, Admin, Billing, Member.
    for ((role, client), may) in members.iter().zip([true, true, false, true]) {
        let (status, html) = app.page(client, &path).await;
        assert_eq!(status, StatusCode::OK, "{role} sees services");
        assert_eq!(
            html.contains("<h2 id=\"create-heading\">Create service</h2>"),
            may,
            "{role}"
        );
        let name = format!("by-{role}");
        let response = app.create_service(client, &org, &name).await;
        if may {
            assert_redirect(&response, &format!("{path}?created={name}"));
        } else {
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role}");
            assert!(response
                .text()
                .await
                .unwrap()
                .contains("does not allow this"));
        }
    }
    assert_eq!(
        live_services(&app).await,
        ["by-admin", "by-member", "by-owner"]
    );
    let id: String = sqlx::query_scalar("SELECT public_id FROM services WHERE name = 'by-owner'")
        .fetch_one(app.db())
        .await
        .unwrap();
    let delete = [("intent", "delete"), ("service", id.as_str())];
    let billing = &members[2].1;
    assert_eq!(
        app.post_form(billing, &path, &delete).await.status(),
        StatusCode::FORBIDDEN
    );
    let outsider = app.user("Mallory", "mallory@example.com").await;
    assert_eq!(
        app.post_form(&outsider, &path, &delete).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.create_service(&outsider, &org, "evil").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(live_services(&app).await.len(), 3, "nothing deleted");
    let member = &members[3].1;
    assert_redirect(
        &app.post_form(member, &path, &delete).await,
        &format!("{path}?deleted=by-owner"),
    );
    app.stop().await;
}
