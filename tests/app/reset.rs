//! "Forgot password?": the emailed link sets a new password once, within an
//! hour, and ends every other session; unknown addresses get the same
//! answer; requests are limited; the token is stored only as a hash.

use super::common::{assert_redirect, location, TestApp};
use reqwest::StatusCode;

const OLD: &str = "old password 1";
const NEW: &str = "new password 2";

/// Asks for a link for `email` from a fresh browser; returns the answer.
async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_form(&app.client(), "/forgot-password", &[("email", email)])
        .await
}

/// The path of the reset link in the newest email to `to`.
async fn link_to(app: &TestApp, to: &str) -> String {
    let message = app
        .smtp
        .wait_for_body(to, "/reset-password/", 10)
        .await
        .expect("the reset email");
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Reset your Orgpanel password")
    );
    let url = message
        .body
        .split_whitespace()
        .find(|word| word.contains("/reset-password/"))
        .expect("a link")
        .to_owned();
    TestApp::path_of(&url)
}

#[tokio::test]
async fn the_emailed_link_sets_a_new_password_once_and_ends_every_other_session() {
    let app = TestApp::start().await;
    let laptop = app.client();
    app.signup(&laptop, "Anna", "anna@example.com", OLD).await;
    let phone = app.client();
    assert_redirect(&app.login(&phone, "anna@example.com", OLD).await, "/");

    let answer = ask(&app, "Anna@Example.com").await;
    assert_redirect(&answer, "/forgot-password?sent=1");
    let (_, page) = app.page(&app.client(), "/forgot-password?sent=1").await;
    assert!(page.contains("If an account exists for that address, we have sent a link."));
    let link = link_to(&app, "anna@example.com").await;
    let token = link.rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        app.count_with(
            "SELECT count(*) FROM password_resets WHERE token_hash = $1",
            &token
        )
        .await,
        0,
        "the token is stored only as its hash"
    );

    let browser = app.client();
    let (status, page) = app.page(&browser, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Choose a new password") && page.contains("anna@example.com"));
    // The sign-up rules: a short one is refused, and the link still works.
    let short = app
        .post_form(&browser, &link, &[("password", "short")])
        .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short
        .text()
        .await
        .unwrap()
        .contains("aria-invalid=\"true\""));

    let done = app.post_form(&browser, &link, &[("password", NEW)]).await;
    assert_redirect(&done, "/?password=changed");
    let (status, home) = app.page(&browser, "/?password=changed").await;
    assert_eq!(status, StatusCode::OK, "logged in by the reset");
    assert!(home.contains("Your password has been changed"));
    for (which, client) in [("laptop", &laptop), ("phone", &phone)] {
        let response = app.get(client, "/").await;
        assert!(
            location(&response).starts_with("/login"),
            "the {which}'s session ended"
        );
    }
    assert_redirect(
        &app.login(&app.client(), "anna@example.com", NEW).await,
        "/",
    );
    let old = app.login(&app.client(), "anna@example.com", OLD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);

    // Once only.
    let (status, page) = app.page(&app.client(), &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("This link is no longer valid"));
    let again = app
        .post_form(&app.client(), &link, &[("password", "third password 3")])
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_redirect(
        &app.login(&app.client(), "anna@example.com", NEW).await,
        "/",
    );
    assert!(
        app.smtp
            .messages()
            .iter()
            .any(|m| m.header("Subject").as_deref() == Some("Your Orgpanel password was changed")),
        "the account is told"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_link_expires_after_an_hour_and_a_newer_password_ends_older_links() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna", "anna@example.com", OLD)
        .await;
    ask(&app, "anna@example.com").await;
    let first = link_to(&app, "anna@example.com").await;
    app.clock.advance(3601);
    let (status, _) = app.page(&app.client(), &first).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an hour later");

    ask(&app, "anna@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    ask(&app, "anna@example.com").await;
    assert!(
        app.eventually(
            "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND subject = 'Reset your Orgpanel password'",
            3
        )
            .await
    );
    let links: Vec<String> = app
        .smtp
        .messages()
        .iter()
        .filter_map(|m| {
            m.body
                .split_whitespace()
                .find(|w| w.contains("/reset-password/"))
                .map(TestApp::path_of)
        })
        .collect();
    let (second, third) = (&links[1], &links[2]);
    let done = app
        .post_form(&app.client(), third, &[("password", NEW)])
        .await;
    assert_redirect(&done, "/?password=changed");
    let (status, _) = app.page(&app.client(), second).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the other open link ended with the change"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_requests_are_limited() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna", "anna@example.com", OLD)
        .await;
    let known = ask(&app, "anna@example.com").await;
    let unknown = ask(&app, "nobody@example.com").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(location(&known), location(&unknown));
    assert_eq!(
        app.count("SELECT count(*) FROM password_resets").await,
        1,
        "a link only for the account that exists"
    );
    let bad = ask(&app, "not an address").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Five links an hour for one address, known or not.
    for _ in 0..4 {
        assert_eq!(
            ask(&app, "nobody@example.com").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let refused = ask(&app, "nobody@example.com").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Too many reset links were requested for this address"));
    // Twenty from one client address, whatever the email.
    for i in 0..14 {
        let answer = ask(&app, &format!("someone{i}@example.com")).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "request {i}");
    }
    let refused = ask(&app, "someone-else@example.com").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.text().await.unwrap().contains("from your network"));
    app.stop().await;
}
