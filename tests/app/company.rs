//! Company information on Settings: who may save it, bad input changes
//! nothing, a stale version is refused, the overview item turns done.

use super::common::{assert_redirect, TestApp};
use reqwest::StatusCode;

async fn stored(app: &TestApp) -> Option<(String, String, String, i64)> {
    sqlx::query_as("SELECT business_id, postal_code, phone, version FROM company_information")
        .fetch_optional(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn saving_stores_normalized_values_and_shows_them_formatted() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;

    let overview = app
        .get(&anna, &format!("/organizations/{org}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(overview.matches("Not done").count(), 3);

    assert_redirect(
        &app.post_company(&anna, &org, &[], "0").await,
        &format!("/organizations/{org}/settings?saved=1"),
    );
    assert_eq!(
        stored(&app).await,
        Some((
            "5560360793".into(),
            "11437".into(),
            "+46701234567".into(),
            1
        ))
    );
    let page = app
        .get(&anna, &format!("/organizations/{org}/settings?saved=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Company information saved"));
    assert!(page.contains(r#"value="556036-0793""#), "shown formatted");
    assert!(page.contains(r#"value="114 37""#));
    assert!(page.contains(r#"name="version" value="1""#));

    let overview = app
        .get(&anna, &format!("/organizations/{org}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        overview.matches("Not done").count(),
        2,
        "company information is done"
    );

    // A change names the fields that changed in the activity log.
    assert_redirect(
        &app.post_company(&anna, &org, &[("phone", "+46 8 123 456")], "1")
            .await,
        &format!("/organizations/{org}/settings?saved=1"),
    );
    let detail: String = sqlx::query_scalar("SELECT detail FROM activity WHERE action = 'Company information updated' ORDER BY id DESC LIMIT 1")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(detail, "Phone");
    app.stop().await;
}

#[tokio::test]
async fn invalid_input_changes_nothing_and_says_why_beside_each_field() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.post_company(&anna, &org, &[], "0").await;

    let response = app
        .post_company(
            &anna,
            &org,
            &[
                ("business_id", "556036-0794"),
                ("phone", "12"),
                ("email", "billing@"),
            ],
            "1",
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("check digit is wrong"));
    assert!(html.contains("Enter a phone number like 070-123 45 67."));
    assert!(html.contains("Enter an email address like name@example.com."));
    assert!(
        html.contains(r#"value="556036-0794""#),
        "what was typed is kept"
    );
    assert!(html.contains(r#"aria-describedby="field-business_id-error""#));
    assert_eq!(stored(&app).await.unwrap().3, 1, "nothing changed");
    app.stop().await;
}

#[tokio::test]
async fn an_edit_made_meanwhile_is_reported_not_overwritten() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.post_company(&anna, &org, &[], "0").await;
    app.post_company(&anna, &org, &[("city", "Göteborg")], "1")
        .await;

    // Someone who loaded the page at version 1 saves now.
    let response = app
        .post_company(&anna, &org, &[("city", "Malmö")], "1")
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(html.contains(
        "Someone else saved the company information while you were editing, so nothing of yours was saved."
    ));
    // The way on is a fresh GET of Settings, not a reload that posts the stale form again.
    let latest = format!("/organizations/{org}/settings");
    assert!(
        html.contains(&format!(
            r#"<a href="{latest}">Load the latest version</a>"#
        )),
        "{html}"
    );
    let (_, fresh) = app.page(&anna, &latest).await;
    assert!(fresh.contains(r#"value="Göteborg""#) && fresh.contains(r#"name="version" value="2""#));
    let city: String = sqlx::query_scalar("SELECT city FROM company_information")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(city, "Göteborg");
    app.stop().await;
}

#[tokio::test]
async fn owner_admin_and_billing_may_edit_a_member_sees_values_read_only() {
    let app = TestApp::start().await;
    let owner = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&owner, "Example").await;
    let mut version = 0;
    for role in ["admin", "billing", "member"] {
        let email = format!("{role}@example.com");
        let client = app.user(role, &email).await;
        app.add_member(&org, &email, role).await;
        let city = format!("City of {role}");
        let response = app
            .post_company(&client, &org, &[("city", &city)], &version.to_string())
            .await;
        if role == "member" {
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            let html = app
                .get(&client, &format!("/organizations/{org}/settings"))
                .await
                .text()
                .await
                .unwrap();
            assert!(
                html.contains(r#"<dd dir="auto">City of billing</dd>"#),
                "read-only values"
            );
            assert!(!html.contains(r#"name="company_name""#), "no form");
        } else {
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{role}");
            version += 1;
        }
    }
    let outsider = app.user("Mallory", "mallory@example.com").await;
    assert_eq!(
        app.post_company(&outsider, &org, &[], "2").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored(&app).await.unwrap().3, 2);
    app.stop().await;
}

/// A card number has no place in company information (nor in any name):
/// cards are entered only on the payment provider's page.
#[tokio::test]
async fn a_card_number_typed_into_a_field_is_refused_and_not_stored() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example AB").await;
    for typed in [
        "Box 4242 4242 4242 4242",
        "Box 4242\u{a0}4242\u{a0}4242\u{a0}4242",
    ] {
        let response = app
            .post_company(&anna, &org, &[("address", typed)], "0")
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.expect("page");
        assert!(html.contains("Address looks like a card number."), "{html}");
    }
    assert!(!String::from_utf8_lossy(&app.database_files().await).contains("4242 4242"));
    let response = app
        .post_form(
            &anna,
            "/organizations/new",
            &[("name", "4242-4242-4242-4242")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
