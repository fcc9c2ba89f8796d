//! Several replicas on one database, as behind a load balancer: what a
//! request needs (sessions, rate limits) lives in the database, so any
//! replica answers the same, and an ended session ends on all of them.

use super::common::{assert_redirect, location, session_cookie, TestApp};
use reqwest::header::COOKIE;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn a_session_works_on_every_replica_and_a_log_out_on_one_ends_it_on_all() {
    let app = TestApp::start().await;
    let other = app.replica().await;
    let client = app.client();
    let token = session_cookie(
        app.signup(&client, "Anna", "anna@example.com", PASSWORD)
            .await
            .headers(),
    )
    .expect("a session");
    let org = app.create_org(&client, "Replicated AB").await;
    let overview = format!("/organizations/{org}");

    // The organization made through the first replica, shown by the second.
    let response = other.get(&client, &overview).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Replicated AB"));

    // Logged out through the second; the first refuses the same token at once.
    assert_redirect(&other.post_form(&client, "/logout", &[]).await, "/login");
    let replay = app
        .client()
        .get(app.url(&overview))
        .header(COOKIE, format!("orgpanel_session={token}"))
        .send()
        .await
        .unwrap();
    assert!(
        location(&replay).starts_with("/login"),
        "the ended session still opened the page on the other replica: {}",
        replay.status()
    );
}

#[tokio::test]
async fn failed_log_ins_are_counted_across_replicas() {
    let app = TestApp::start().await;
    let other = app.replica().await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;
    let wrong = [
        ("email", "anna@example.com"),
        ("password", "wrong password"),
    ];
    for attempt in 0..100 {
        let response = if attempt % 2 == 0 {
            app.post_form(&app.client(), "/login", &wrong).await
        } else {
            other.post_form(&app.client(), "/login", &wrong).await
        };
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    // 50 on each replica make the account's 100: both refuse the next.
    let right = [("email", "anna@example.com"), ("password", PASSWORD)];
    for response in [
        app.post_form(&app.client(), "/login", &right).await,
        other.post_form(&app.client(), "/login", &right).await,
    ] {
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}
