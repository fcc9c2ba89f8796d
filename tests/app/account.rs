//! The Account page: sessions with their browser and address, each logged
//! out on its own or all but this one; the password changed only with the
//! current one; every change a security event, listed and emailed.

use super::common::{assert_redirect, location, TestApp};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::Value;

const PASSWORD: &str = "password123";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// A browser that says it is `user_agent`.
fn browser(user_agent: &str) -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .user_agent(user_agent)
        .build()
        .expect("client")
}

/// `user/login`'s temporary key for `email`, from a Go program.
async fn api_key(app: &TestApp, email: &str) -> String {
    let body: Value = Client::builder()
        .user_agent("Go-http-client/1.1")
        .build()
        .unwrap()
        .post(app.url("/api/user/login"))
        .form(&[("username", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["response"]["login"]["apikey"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The status of `user/details` with a temporary key.
async fn details(app: &TestApp, email: &str, key: &str) -> StatusCode {
    Client::new()
        .get(app.url("/api/user/details"))
        .basic_auth(email, Some(key))
        .send()
        .await
        .unwrap()
        .status()
}

async fn public_id_of(app: &TestApp, user_agent: &str) -> String {
    sqlx::query_scalar("SELECT public_id FROM sessions WHERE user_agent = $1")
        .bind(user_agent)
        .fetch_one(app.db())
        .await
        .unwrap()
}

/// Subjects of the emails to `to` so far (waiting for `at_least`).
async fn subjects_to(app: &TestApp, to: &str, at_least: usize) -> Vec<String> {
    for _ in 0..100 {
        let subjects: Vec<String> = app
            .smtp
            .messages()
            .iter()
            .filter(|m| m.header("To").is_some_and(|t| t.contains(to)))
            .filter_map(|m| m.header("Subject"))
            .collect();
        if subjects.len() >= at_least {
            return subjects;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("fewer than {at_least} emails to {to}");
}

#[tokio::test]
async fn sessions_are_listed_and_logged_out_one_at_a_time_or_all_but_this_one() {
    let app = TestApp::start().await;
    let laptop = browser(FIREFOX);
    app.signup(&laptop, "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    let phone = browser(IPHONE);
    assert_redirect(&app.login(&phone, "anna@example.com", PASSWORD).await, "/");
    let key = api_key(&app, "anna@example.com").await;

    let (status, page) = app.page(&laptop, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Firefox on Linux"), "{page}");
    assert!(page.contains("Safari on iPhone"));
    assert!(page.contains("API (user/login): Go-http-client/1.1"));
    assert!(page.contains("127.0.0.1"));
    assert_eq!(page.matches("This browser").count(), 1);
    assert!(page.contains(r#"aria-label="Log out Safari on iPhone, 127.0.0.1""#));
    assert!(
        !page.contains(r#"aria-label="Log out Firefox"#),
        "no Log out button for this browser"
    );
    let token_hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(app.db())
        .await
        .unwrap();
    assert!(
        token_hashes
            .iter()
            .all(|hash| !page.contains(hash.as_str())),
        "a session is named by its public id, not its token's hash"
    );

    // Someone else cannot end Anna's sessions, even knowing an id.
    let bo = app.user("Bo Ek", "bo@example.com").await;
    let phone_id = public_id_of(&app, IPHONE).await;
    let other = app
        .post_form(
            &bo,
            "/account",
            &[("intent", "end-session"), ("session", &phone_id)],
        )
        .await;
    assert_redirect(&other, "/account?ended=one");
    assert_eq!(
        app.get(&phone, "/").await.status(),
        StatusCode::OK,
        "still logged in"
    );

    let ended = app
        .post_form(
            &laptop,
            "/account",
            &[("intent", "end-session"), ("session", &phone_id)],
        )
        .await;
    assert_redirect(&ended, "/account?ended=one");
    assert!(location(&app.get(&phone, "/").await).starts_with("/login"));
    assert_eq!(app.get(&laptop, "/").await.status(), StatusCode::OK);
    assert_eq!(
        details(&app, "anna@example.com", &key).await,
        StatusCode::OK
    );
    // This browser's own session is "Log out"'s to end.
    let own = public_id_of(&app, FIREFOX).await;
    let refused = app
        .post_form(
            &laptop,
            "/account",
            &[("intent", "end-session"), ("session", &own)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("use Log out"));

    let everywhere = app
        .post_form(&laptop, "/account", &[("intent", "end-others")])
        .await;
    assert_redirect(&everywhere, "/account?ended=others");
    assert_eq!(
        details(&app, "anna@example.com", &key).await,
        StatusCode::UNAUTHORIZED,
        "the API's temporary key ended too"
    );
    let (_, page) = app.page(&laptop, "/account?ended=others").await;
    assert!(page.contains("Every other session was logged out"));
    assert!(page.contains("A session was logged out"));
    assert!(!page.contains("Safari on iPhone"));
    assert!(
        !page.contains("Log out everywhere else"),
        "nothing else to log out"
    );
    let subjects = subjects_to(&app, "anna@example.com", 2).await;
    assert!(subjects.contains(&"A session of your Orgpanel account was logged out".to_owned()));
    assert!(subjects.contains(&"Your Orgpanel account was logged out everywhere else".to_owned()));
    assert_eq!(
        app.count("SELECT count(*) FROM security_events WHERE account_id = (SELECT id FROM accounts WHERE email_key = 'bo@example.com')")
            .await,
        0,
        "Bo's attempt ended nothing and recorded nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_password_changes_only_with_the_current_one_and_other_sessions_end() {
    let app = TestApp::start().await;
    let laptop = browser(FIREFOX);
    app.signup(&laptop, "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    let phone = browser(IPHONE);
    app.login(&phone, "anna@example.com", PASSWORD).await;
    app.post_form(
        &app.client(),
        "/forgot-password",
        &[("email", "anna@example.com")],
    )
    .await;
    assert!(
        app.eventually("SELECT count(*) FROM password_resets", 1)
            .await
    );

    let change = |current: &'static str, new: &'static str| {
        let laptop = laptop.clone();
        let app = &app;
        async move {
            app.post_form(
                &laptop,
                "/account",
                &[
                    ("intent", "password"),
                    ("current_password", current),
                    ("new_password", new),
                ],
            )
            .await
        }
    };
    let wrong = change("not my password", "a new password 2").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = wrong.text().await.unwrap();
    assert!(body.contains("That is not your current password."));
    assert!(
        !body.contains("not my password"),
        "a password is never shown again"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM login_failures").await,
        1,
        "counted like a failed log-in"
    );
    let short = change(PASSWORD, "short").await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short
        .text()
        .await
        .unwrap()
        .contains("aria-invalid=\"true\""));
    assert_eq!(
        app.get(&phone, "/").await.status(),
        StatusCode::OK,
        "nothing changed yet"
    );

    assert_redirect(
        &change(PASSWORD, "a new password 2").await,
        "/account?saved=password",
    );
    assert_eq!(
        app.get(&laptop, "/").await.status(),
        StatusCode::OK,
        "this browser stays"
    );
    assert!(location(&app.get(&phone, "/").await).starts_with("/login"));
    assert_eq!(
        app.login(&app.client(), "anna@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_redirect(
        &app.login(&app.client(), "anna@example.com", "a new password 2")
            .await,
        "/",
    );
    assert_eq!(
        app.count("SELECT count(*) FROM password_resets WHERE used_at IS NULL")
            .await,
        0,
        "an open reset link no longer works"
    );
    let (_, page) = app.page(&laptop, "/account?saved=password").await;
    assert!(page.contains("Password changed. Every other session was logged out."));
    assert!(page.contains("<td data-label=\"What\">Password changed</td>"));
    let subjects = subjects_to(&app, "anna@example.com", 2).await;
    assert!(subjects.contains(&"Your Orgpanel password was changed".to_owned()));

    // The name, with the sign-up rules.
    let empty = app
        .post_form(&laptop, "/account", &[("intent", "name"), ("name", "  ")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let renamed = app
        .post_form(
            &laptop,
            "/account",
            &[("intent", "name"), ("name", "Anna Lind")],
        )
        .await;
    assert_redirect(&renamed, "/account?saved=name");
    let (_, page) = app.page(&laptop, "/account?saved=name").await;
    let sidebar_name = page.split("account-name").nth(1).unwrap_or_default();
    assert!(
        sidebar_name.contains(">Anna Lind</span>"),
        "the sidebar shows the new name"
    );
    assert!(page.contains("Name saved"));
    app.stop().await;
}

#[tokio::test]
async fn a_password_reset_is_a_security_event_of_the_account() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    app.post_form(
        &app.client(),
        "/forgot-password",
        &[("email", "anna@example.com")],
    )
    .await;
    let message = app.smtp.wait_for("anna@example.com", 10).await.unwrap();
    let link = message
        .body
        .split_whitespace()
        .find(|w| w.contains("/reset-password/"))
        .map(TestApp::path_of)
        .unwrap();
    let browser = app.client();
    let done = app
        .post_form(&browser, &link, &[("password", "a new password 2")])
        .await;
    assert_redirect(&done, "/?password=changed");
    let (_, page) = app.page(&browser, "/account").await;
    assert!(page.contains("Password reset through an emailed link"));
    let logs = super::common::logs();
    let token = link.rsplit('/').next().unwrap();
    assert!(
        logs.contains("/reset-password/…"),
        "the request is logged, its token cut"
    );
    assert!(!logs.contains(token), "the reset token is never logged");
    app.stop().await;
}
