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

#[tokio::test]
async fn a_burst_of_wrong_passwords_at_once_on_two_replicas_gets_no_more_than_the_limit() {
    let app = TestApp::start().await;
    let other = app.replica().await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;
    let wrong = [
        ("email", "anna@example.com"),
        ("password", "wrong password"),
    ];
    // 140 at once, half on each replica: each is counted before its
    // password is checked, so no more than the account's 100 are tried.
    let attempts = (0..140).map(|i| {
        let (app, other, wrong) = (&app, &other, &wrong);
        async move {
            let client = app.client();
            if i % 2 == 0 {
                app.post_form(&client, "/login", wrong).await.status()
            } else {
                other.post_form(&client, "/login", wrong).await.status()
            }
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((tried, refused), (100, 40), "{statuses:?}");
}

/// PostgreSQL only (SQLite's writers share one machine, where a stuck one
/// is the machine's problem): a replica that freezes holding the writer
/// lock, as a stopped or cut-off process does, holds up the others' writes
/// for `WRITER_IDLE_SECS`, not for ever.
#[tokio::test]
async fn a_replica_frozen_while_writing_holds_up_the_others_only_briefly() {
    use orgpanel::server::db::Dialect;
    let app = TestApp::start().await;
    if app.running.state.db.dialect != Dialect::Postgres {
        return;
    }
    let client = app.client();
    app.signup(&client, "Anna", "anna@example.com", PASSWORD)
        .await;
    let org = app.create_org(&client, "Frozen AB").await;
    let frozen = app.replica().await;
    // The frozen replica: its writer connection taken and a transaction
    // begun, then nothing more.
    let mut held = frozen.running.state.db.write.begin().await.unwrap();
    sqlx::query("SELECT 1").execute(&mut *held).await.unwrap();

    // Saved, after at most WRITER_IDLE_SECS (the pool would give up
    // after 30 s, and the save would fail).
    app.save_company(&client, &org).await;
    // The frozen replica's session was ended; its transaction cannot commit.
    assert!(held.commit().await.is_err(), "the frozen writer lived on");
    // And once it thaws, it writes again on a new connection.
    let response = frozen
        .post_form(
            &client,
            &format!("/organizations/{org}/settings"),
            &[("intent", "rename"), ("name", "Thawed AB")],
        )
        .await;
    assert!(
        response.status().is_redirection(),
        "the thawed replica could not write: {}",
        response.status()
    );
}
