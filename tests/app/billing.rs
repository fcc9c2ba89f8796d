//! Billing: the method of payment, invoice delivery, readiness as the
//! pages and the server see it, and who may change what.

use super::common::TestApp;
use leptos::server_fn::ServerFn;
use orgpanel::billing::FetchBilling;
use orgpanel::error::NOT_READY;
use reqwest::StatusCode;

async fn stored(app: &TestApp) -> Option<(Option<String>, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT method, invoice_delivery, invoice_email FROM billing")
        .fetch_optional(app.db())
        .await
        .unwrap()
}

async fn activity(app: &TestApp, action: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT detail FROM activity WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn invoice_by_email_makes_billing_ready_and_every_change_is_logged() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let billing = format!("/organizations/{org}/billing");

    let (status, html) = app.page(&anna, &billing).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Billing</h1>"));
    assert!(html.contains(NOT_READY));
    assert!(html.contains(&format!(
        r#"href="/organizations/{org}/settings">Fill in the company information</a>"#
    )));
    assert!(html.contains(&format!(
        r#"href="/organizations/{org}/billing">Choose a method of payment</a>"#
    )));
    assert!(html.contains(r#"<label for="method-card">Credit card</label>"#));
    assert!(html.contains(r#"<label for="method-invoice">Invoice</label>"#));
    assert!(
        !html.contains("Invoice delivery"),
        "delivery comes after choosing invoice"
    );

    app.save_company(&anna, &org).await;
    let response = app
        .billing(&anna, &org, &[("intent", "method"), ("method", "invoice")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&anna, &format!("{billing}?saved=method")).await;
    assert!(html.contains("Method of payment saved"));
    assert!(html.contains("Invoice delivery"));
    assert!(
        html.contains(r#"value="billing@example.se""#),
        "the invoice email starts from the company email"
    );
    assert!(html.contains(&format!(
        r#"href="/organizations/{org}/billing">Choose how invoices are delivered</a>"#
    )));

    // A bad address is refused beside its field and changes nothing.
    let response = app
        .billing(
            &anna,
            &org,
            &[
                ("intent", "delivery"),
                ("delivery", "email"),
                ("invoice_email", "invoices@"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Enter an email address like name@example.com."));
    assert!(
        html.contains(r#"value="invoices@""#),
        "what was typed is kept"
    );
    assert_eq!(stored(&app).await.unwrap().1, None);

    let response = app
        .billing(
            &anna,
            &org,
            &[
                ("intent", "delivery"),
                ("delivery", "email"),
                ("invoice_email", " Invoices@Example.se "),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        stored(&app).await,
        Some((
            Some("invoice".into()),
            Some("email".into()),
            Some("Invoices@example.se".into())
        ))
    );
    let (_, html) = app.page(&anna, &format!("{billing}?saved=delivery")).await;
    assert!(html.contains("Invoice delivery saved"));
    assert!(html.contains("Billing is ready"));
    assert!(!html.contains(NOT_READY));
    let (_, overview) = app.page(&anna, &format!("/organizations/{org}")).await;
    assert_eq!(
        overview.matches("Not done").count(),
        1,
        "only the service is left"
    );

    assert_eq!(
        activity(&app, "Method of payment changed").await,
        ["Invoice"]
    );
    assert_eq!(
        activity(&app, "Invoice delivery changed").await,
        ["Email, to Invoices@example.se"]
    );
    // Saving the same again is not a change.
    app.billing(&anna, &org, &[("intent", "method"), ("method", "invoice")])
        .await;
    assert_eq!(activity(&app, "Method of payment changed").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn snail_mail_goes_to_the_company_address_and_needs_it() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.billing(&anna, &org, &[("intent", "method"), ("method", "invoice")])
        .await;

    let mail = [
        ("intent", "delivery"),
        ("delivery", "mail"),
        ("invoice_email", ""),
    ];
    let response = app.billing(&anna, &org, &mail).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Invoices by snail mail go to the company address: fill in the company information in Settings first."));
    assert_eq!(stored(&app).await.unwrap().1, None, "nothing changed");

    app.save_company(&anna, &org).await;
    let (_, html) = app
        .page(&anna, &format!("/organizations/{org}/billing"))
        .await;
    assert!(
        html.contains("<bdi>Example AB</bdi><br><bdi>Storgatan 1</bdi><br><bdi>114 37 Stockholm</bdi><br><bdi>Sweden</bdi><br>"),
        "the address invoices go to"
    );
    assert_eq!(
        app.billing(&anna, &org, &mail).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(stored(&app).await.unwrap().1.as_deref(), Some("mail"));
    let (_, html) = app
        .page(&anna, &format!("/organizations/{org}/billing"))
        .await;
    assert!(html.contains("Billing is ready"));
    assert_eq!(
        activity(&app, "Invoice delivery changed").await,
        ["Snail mail, to the company address"]
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_choices_are_refused_and_change_nothing() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;

    for (form, status, message) in [
        (
            vec![("intent", "method"), ("method", "bitcoin")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a method of payment.",
        ),
        (
            vec![("intent", "method")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a method of payment.",
        ),
        (
            vec![
                ("intent", "delivery"),
                ("delivery", "email"),
                ("invoice_email", "a@example.com"),
            ],
            StatusCode::CONFLICT,
            "Choose Invoice as the method of payment before choosing how invoices are delivered.",
        ),
    ] {
        let response = app.billing(&anna, &org, &form).await;
        assert_eq!(response.status(), status, "{form:?}");
        assert!(response.text().await.unwrap().contains(message), "{form:?}");
        assert_eq!(stored(&app).await, None, "{form:?}");
    }
    app.billing(&anna, &org, &[("intent", "method"), ("method", "invoice")])
        .await;
    for (form, message) in [
        (
            vec![("intent", "delivery"), ("delivery", "pigeon")],
            "Choose how invoices are delivered.",
        ),
        (
            vec![
                ("intent", "delivery"),
                ("delivery", "email"),
                ("invoice_email", ""),
            ],
            "Enter the email address invoices are sent to.",
        ),
    ] {
        let response = app.billing(&anna, &org, &form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form:?}"
        );
        assert!(response.text().await.unwrap().contains(message), "{form:?}");
        assert_eq!(stored(&app).await.unwrap().1, None, "{form:?}");
    }
    // A malformed form is a 4xx, never a half-write.
    let response = app.billing(&anna, &org, &[("intent", "steal")]).await;
    assert!(response.status().is_client_error());
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action LIKE 'Invoice%'")
            .await,
        0
    );
    app.stop().await;
}

/// Each role against each billing function: the page, its server function,
/// the method, the delivery.
#[tokio::test]
async fn every_role_against_every_billing_function() {
    let app = TestApp::start().await;
    let owner = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    app.save_company(&owner, &org).await;
    let outsider = app.user("Mallory", "mallory@example.com").await;
    let mut members = vec![("owner", owner)];
    members.extend(app.team(&org).await);

    let method = [("intent", "method"), ("method", "invoice")];
    let delivery = [
        ("intent", "delivery"),
        ("delivery", "email"),
        ("invoice_email", "x@example.com"),
    ];
    // Owner, Admin, Billing, Member.
    let manage = [true, false, true, false];
    for ((role, client), may) in members.iter().zip(manage) {
        let (status, html) = app
            .page(client, &format!("/organizations/{org}/billing"))
            .await;
        assert_eq!(status, StatusCode::OK, "{role} sees billing");
        let forms = format!(r#"action="/organizations/{org}/billing""#);
        assert_eq!(
            html.contains(&forms),
            may,
            "{role}: the forms only for who may use them"
        );
        assert_eq!(
            html.contains("Your role does not allow changing billing."),
            !may,
            "{role}"
        );

        let response = client
            .post(app.url(FetchBilling::PATH))
            .form(&[("org", org.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{role} fetch_billing");

        for form in [&method[..], &delivery[..]] {
            let response = app.billing(client, &org, form).await;
            let expected = if may {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(response.status(), expected, "{role} {form:?}");
            if !may {
                assert!(
                    response
                        .text()
                        .await
                        .unwrap()
                        .contains("does not allow this"),
                    "{role} is told why"
                );
            }
        }
    }
    // Owner and Billing each changed the delivery once (the same method twice is no change).
    assert_eq!(activity(&app, "Method of payment changed").await.len(), 1);

    for form in [&method[..], &delivery[..]] {
        let response = app.billing(&outsider, &org, form).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(!response.text().await.unwrap().contains("Example AB"));
    }
    let (status, _) = app
        .page(&outsider, &format!("/organizations/{org}/billing"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app.billing(&app.client(), &org, &method).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "anonymous");
    app.stop().await;
}
