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
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
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
    assert_redirect(&other, "/account?ended=none");
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
    let subjects = subjects_to(&app, "anna@example.com", 3).await;
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
    // The confirmation of sign-up, the reset link, and this.
    let subjects = subjects_to(&app, "anna@example.com", 3).await;
    assert!(
        subjects.contains(&"Your Orgpanel password was changed".to_owned()),
        "{subjects:?}"
    );

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
    let message = app
        .smtp
        .wait_for_body("anna@example.com", "/reset-password/", 10)
        .await
        .unwrap();
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

/// The path of the newest email confirmation link to `to`.
async fn confirmation_link(app: &TestApp, to: &str) -> String {
    app.emailed_link(to, "/verify-email/").await
}

const BANNER: &str = "Confirm your email address: follow the link we sent";

#[tokio::test]
async fn sign_up_sends_a_confirmation_link_and_the_banner_stays_until_it_is_followed() {
    let app = TestApp::start().await;
    let anna = app.client();
    app.signup(&anna, "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    let (_, home) = app.page(&anna, "/").await;
    assert!(home.contains(BANNER) && home.contains("anna@example.com"));
    let link = confirmation_link(&app, "anna@example.com").await;
    let subjects = subjects_to(&app, "anna@example.com", 1).await;
    assert_eq!(subjects, ["Confirm your email address for Orgpanel"]);
    let token = link.rsplit('/').next().unwrap();
    assert_eq!(
        app.count_with(
            "SELECT count(*) FROM email_verifications WHERE token_hash = $1",
            token
        )
        .await,
        0,
        "stored only as its hash"
    );

    // Opening the link (a mail scanner, another browser) confirms nothing.
    let (status, page) = app.page(&app.client(), &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Confirm your email address") && page.contains("anna@example.com"));
    assert!(app.page(&anna, "/").await.1.contains(BANNER));
    let confirmed = app.post_form(&app.client(), &link, &[]).await;
    assert_redirect(&confirmed, "/account?email=confirmed");
    let (_, home) = app.page(&anna, "/").await;
    assert!(!home.contains(BANNER), "gone once confirmed");
    let (_, account) = app.page(&anna, "/account?email=confirmed").await;
    assert!(account.contains("Email address confirmed") && account.contains("Confirmed"));
    let (status, _) = app.page(&app.client(), &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "once only");
    // Confirmed: Resend sends nothing.
    let resend = app
        .post_form(&anna, "/account", &[("intent", "resend-verification")])
        .await;
    assert_redirect(&resend, "/account?sent=verification");
    assert_eq!(
        app.count("SELECT count(*) FROM email_verifications").await,
        1
    );

    // Five links an hour: the sign-up's and four more.
    let bo = app.client();
    app.signup(&bo, "Bo Ek", "bo@example.com", PASSWORD).await;
    for _ in 0..4 {
        let resend = app
            .post_form(&bo, "/account", &[("intent", "resend-verification")])
            .await;
        assert_redirect(&resend, "/account?sent=verification");
    }
    let refused = app
        .post_form(&bo, "/account", &[("intent", "resend-verification")])
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Too many confirmation links were sent in the last hour."));
    // A day later a link no longer works.
    let old = confirmation_link(&app, "bo@example.com").await;
    app.clock.advance(24 * 60 * 60 + 1);
    assert_eq!(app.page(&app.client(), &old).await.0, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn an_email_change_takes_effect_when_the_new_address_confirms_it() {
    let app = TestApp::start().await;
    let anna = app.client();
    app.signup(&anna, "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    app.user("Bo Ek", "bo@example.com").await;
    let change = |email: &'static str, password: &'static str| {
        let anna = anna.clone();
        let app = &app;
        async move {
            app.post_form(
                &anna,
                "/account",
                &[
                    ("intent", "email"),
                    ("new_email", email),
                    ("password", password),
                ],
            )
            .await
        }
    };
    for (email, password, why) in [
        ("not an address", PASSWORD, "Enter an email address"),
        (
            "Anna@Example.com",
            PASSWORD,
            "That is already your email address.",
        ),
        (
            "anna.new@example.com",
            "wrong password",
            "That is not your current password.",
        ),
        (
            "BO@example.com",
            PASSWORD,
            "Another account has this email address.",
        ),
    ] {
        let refused = change(email, password).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email}"
        );
        let body = refused.text().await.unwrap();
        assert!(body.contains(why), "{email}: {why}");
        assert!(!body.contains("wrong password"));
    }
    assert_redirect(
        &change("Anna.New@Example.com", PASSWORD).await,
        "/account?sent=change",
    );
    let link = confirmation_link(&app, "Anna.New@example.com").await;
    let subjects = subjects_to(&app, "anna.new@example.com", 1).await;
    assert_eq!(subjects, ["Confirm your new email address for Orgpanel"]);
    // Nothing changes before the link is followed.
    assert_redirect(
        &app.login(&app.client(), "anna@example.com", PASSWORD).await,
        "/",
    );
    let (_, page) = app.page(&app.client(), &link).await;
    assert!(
        page.contains("Confirm your new email address") && page.contains("Anna.New@example.com")
    );

    let confirmed = app.post_form(&app.client(), &link, &[]).await;
    assert_redirect(&confirmed, "/account?email=confirmed");
    assert_eq!(
        app.login(&app.client(), "anna@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "the old address no longer logs in"
    );
    assert_redirect(
        &app.login(&app.client(), "anna.new@example.com", PASSWORD)
            .await,
        "/",
    );
    let (_, account) = app.page(&anna, "/account").await;
    assert!(account.contains("Anna.New@example.com"));
    assert!(account.contains("Email address changed"));
    assert!(!account.contains(BANNER), "the new address is confirmed");
    // The confirmation of sign-up, the request, and this.
    let told = subjects_to(&app, "anna@example.com", 3).await;
    assert!(told.contains(&"A change of your Orgpanel email address was asked for".to_owned()));
    assert!(
        told.contains(&"The email address of your Orgpanel account was changed".to_owned()),
        "the old address is told: {told:?}"
    );
    assert_eq!(
        app.page(&app.client(), &link).await.0,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn accepting_an_invitation_confirms_the_address_it_reached() {
    let app = TestApp::start().await;
    let olga = app.user("Olga Owner", "olga@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    app.post_form(
        &olga,
        &format!("/organizations/{org}/collaborators"),
        &[
            ("intent", "invite"),
            ("email", "cora@example.com"),
            ("role", "member"),
        ],
    )
    .await;
    let link = app.emailed_link("cora@example.com", "/invitations/").await;
    let cora = app.user("Cora", "cora@example.com").await;
    assert!(app.page(&cora, "/").await.1.contains(BANNER));
    let accepted = app.post_form(&cora, &link, &[]).await;
    assert_eq!(
        location(&accepted),
        format!("/organizations/{org}?joined=1")
    );
    assert!(!app.page(&cora, "/").await.1.contains(BANNER));
    app.stop().await;
}

#[tokio::test]
async fn a_new_password_cancels_a_change_of_email_not_yet_confirmed() {
    // Someone with Anna's password asks to move the account to their address;
    // Anna, told at once, sets a new password before the link is followed.
    let app = TestApp::start().await;
    let anna = app.client();
    app.signup(&anna, "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    let thief = app.client();
    app.login(&thief, "anna@example.com", PASSWORD).await;
    let asked = app
        .post_form(
            &thief,
            "/account",
            &[
                ("intent", "email"),
                ("new_email", "thief@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&asked, "/account?sent=change");
    let link = confirmation_link(&app, "thief@example.com").await;
    let told = subjects_to(&app, "anna@example.com", 2).await;
    assert!(told.contains(&"A change of your Orgpanel email address was asked for".to_owned()));
    let changed = app
        .post_form(
            &anna,
            "/account",
            &[
                ("intent", "password"),
                ("current_password", PASSWORD),
                ("new_password", "only anna knows"),
            ],
        )
        .await;
    assert_redirect(&changed, "/account?saved=password");
    assert_eq!(
        app.page(&app.client(), &link).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form(&app.client(), &link, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_redirect(
        &app.login(&app.client(), "anna@example.com", "only anna knows")
            .await,
        "/",
    );
    app.stop().await;
}

#[tokio::test]
async fn two_change_links_followed_at_once_make_one_change_and_no_error() {
    let app = TestApp::start().await;
    let anna = app.client();
    app.signup(&anna, "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    let mut links = Vec::new();
    for email in ["anna.one@example.com", "anna.two@example.com"] {
        let asked = app
            .post_form(
                &anna,
                "/account",
                &[
                    ("intent", "email"),
                    ("new_email", email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_redirect(&asked, "/account?sent=change");
        links.push(confirmation_link(&app, email).await);
    }
    let (first, second) = (app.client(), app.client());
    let (one, two) = futures::join!(
        app.post_form(&first, &links[0], &[]),
        app.post_form(&second, &links[1], &[])
    );
    let statuses = [one.status(), two.status()];
    assert!(
        statuses.contains(&StatusCode::SEE_OTHER),
        "one change is made: {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::NOT_FOUND),
        "the other link has ended, not failed: {statuses:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM accounts WHERE email LIKE 'anna.%'")
            .await,
        1
    );
}
