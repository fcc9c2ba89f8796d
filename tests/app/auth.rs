//! Sign-up, log-in, log-out and sessions, through HTTP against the real app.

use super::common;

use common::{assert_redirect, location, session_cookie, TestApp};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn sign_up_creates_the_account_and_signs_in() {
    let app = TestApp::start().await;
    let client = app.client();

    let page = app.get(&client, "/signup").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<label for="field-name">Name</label>"#));
    assert!(html.contains(">Sign up</button>"));

    let response = app
        .signup(&client, "Anna Berg", "anna@example.com", PASSWORD)
        .await;
    assert_redirect(&response, "/");
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not mark the cookie Secure"
    );
    // 256 random bits, base64url.
    assert_eq!(session_cookie(response.headers()).unwrap().len(), 43);

    let home = app.get(&client, "/").await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(html.contains("Anna Berg"));
    assert!(html.contains("anna@example.com"));
    assert!(html.contains(">Log out</button>"));
    assert!(html.contains(r#"aria-label="Create organization""#));
    assert!(html.contains(r#"aria-label="Organization menu""#));

    let stored: String = sqlx::query_scalar("SELECT password_hash FROM accounts")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert!(!stored.contains(PASSWORD));
    app.stop().await;
}

#[tokio::test]
async fn sign_up_refuses_bad_input_keeps_what_was_typed_and_creates_nothing() {
    let app = TestApp::start().await;
    let client = app.client();

    let response = app.signup(&client, "Anna Berg", "anna@", "short").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(response.headers()).is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("Enter an email address like name@example.com."));
    assert!(html.contains("Password must be at least 8 characters."));
    assert!(html.contains(r#"aria-invalid="true""#));
    assert!(html.contains(r#"aria-describedby="field-email-error""#));
    assert!(html.contains(r#"value="Anna Berg""#), "the name is kept");
    assert!(html.contains(r#"value="anna@""#), "the email is kept");
    assert!(!html.contains("short"), "the password is never sent back");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);

    let response = app
        .signup(&client, "   ", "anna@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Enter your name."));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);

    // 64 characters and more are accepted.
    let long = "p".repeat(80);
    let response = app
        .signup(&client, "Anna Berg", "anna@example.com", &long)
        .await;
    assert_redirect(&response, "/");
    app.stop().await;
}

#[tokio::test]
async fn emails_are_unique_whatever_their_case() {
    let app = TestApp::start().await;
    let response = app
        .signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;
    assert_redirect(&response, "/");

    let response = app
        .signup(&app.client(), "Other", "ANNA@Example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("An account with this email already exists."));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);

    // And log-in finds the account in any case.
    let response = app.login(&app.client(), "Anna@EXAMPLE.com", PASSWORD).await;
    assert_redirect(&response, "/");
    app.stop().await;
}

#[tokio::test]
async fn a_failed_log_in_says_the_same_whether_or_not_the_email_exists() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;

    let wrong_password = app
        .login(&app.client(), "anna@example.com", "wrong password")
        .await;
    let unknown_email = app
        .login(&app.client(), "nobody@example.com", "wrong password")
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(wrong_password.headers()).is_none());
    let (a, b) = (
        wrong_password.text().await.unwrap(),
        unknown_email.text().await.unwrap(),
    );
    assert!(a.contains("Email or password is incorrect."));
    assert!(b.contains("Email or password is incorrect."));
    assert!(
        a.contains(r#"value="anna@example.com""#),
        "the email is kept"
    );
    assert!(
        !a.contains("wrong password"),
        "the password is never sent back"
    );
    app.stop().await;
}

#[tokio::test]
async fn log_in_issues_a_fresh_session_id_and_the_old_one_dies() {
    let app = TestApp::start().await;
    let client = app.client();
    let signed_up = app
        .signup(&client, "Anna", "anna@example.com", PASSWORD)
        .await;
    let first = session_cookie(signed_up.headers()).unwrap();

    let logged_in = app.login(&client, "anna@example.com", PASSWORD).await;
    assert_redirect(&logged_in, "/");
    let second = session_cookie(logged_in.headers()).unwrap();
    assert_ne!(first, second);

    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let with = |token: &str| {
        bare.get(app.url("/"))
            .header(COOKIE, format!("orgpanel_session={token}"))
            .send()
    };
    assert_redirect(&with(&first).await.unwrap(), "/login");
    assert_eq!(with(&second).await.unwrap().status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn log_out_deletes_the_session_on_the_server() {
    let app = TestApp::start().await;
    let client = app.client();
    let token = session_cookie(
        app.signup(&client, "Anna", "anna@example.com", PASSWORD)
            .await
            .headers(),
    )
    .unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);

    let response = app.post_form(&client, "/logout", &[]).await;
    assert_redirect(&response, "/login");
    assert!(response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

    // A copy of the old cookie is worth nothing now.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/"))
        .header(COOKIE, format!("orgpanel_session={token}"))
        .send()
        .await
        .unwrap();
    assert_redirect(&replay, "/login");
    app.stop().await;
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_after_a_week_in_any_case() {
    let app = TestApp::start().await;
    let client = app.client();
    app.signup(&client, "Anna", "anna@example.com", PASSWORD)
        .await;

    app.clock.advance(11 * 3600);
    assert_eq!(
        app.get(&client, "/").await.status(),
        StatusCode::OK,
        "11 h idle is fine"
    );
    app.clock.advance(13 * 3600);
    assert_redirect(&app.get(&client, "/").await, "/login");

    // Active every few hours, but only for seven days.
    app.login(&client, "anna@example.com", PASSWORD).await;
    for _ in 0..16 {
        app.clock.advance(10 * 3600);
        assert_eq!(app.get(&client, "/").await.status(), StatusCode::OK);
    }
    app.clock.advance(10 * 3600);
    assert_redirect(&app.get(&client, "/").await, "/login");
    app.stop().await;
}

#[tokio::test]
async fn a_visitor_is_sent_to_log_in_and_brought_back() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;

    let client = app.client();
    let response = app.get(&client, "/organizations/new?tab=x").await;
    assert_redirect(&response, "/login?next=/organizations/new%3Ftab%3Dx");

    let page = app
        .get(&client, &location(&response))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"name="next" value="/organizations/new?tab=x""#));

    let response = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", "anna@example.com"),
                ("password", PASSWORD),
                ("next", "/organizations/new?tab=x"),
            ],
        )
        .await;
    assert_redirect(&response, "/organizations/new?tab=x");

    // Never to another site.
    let response = app
        .post_form(
            &app.client(),
            "/login",
            &[
                ("email", "anna@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_redirect(&response, "/");
    app.stop().await;
}

#[tokio::test]
async fn failed_log_ins_are_throttled_per_account_with_a_time_to_wait() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;

    for attempt in 0..100 {
        let response = app
            .login(&app.client(), "anna@example.com", "wrong password")
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    // The 101st attempt is refused even with the right password.
    let response = app.login(&app.client(), "anna@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie(response.headers()).is_none());
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Too many failed log-in attempts. Try again in 60 minutes."),
        "{html}"
    );

    // Another account is not affected by Anna's counter.
    app.signup(&app.client(), "Bo", "bo@example.com", PASSWORD)
        .await;
    assert_redirect(
        &app.login(&app.client(), "bo@example.com", PASSWORD).await,
        "/",
    );

    // An hour later the account may try again.
    app.clock.advance(3601);
    assert_redirect(
        &app.login(&app.client(), "anna@example.com", PASSWORD).await,
        "/",
    );
    app.stop().await;
}

#[tokio::test]
async fn failed_log_ins_are_throttled_per_address_across_accounts() {
    let app = TestApp::start().await;
    // 300 failures from one address, spread over many emails (none over 100 each).
    let now = app.clock.now();
    for i in 0..300 {
        sqlx::query(
            "INSERT INTO login_failures (email_key, address, failed_at) VALUES ($1, '127.0.0.1', $2)",
        )
        .bind(format!("user{}@example.com", i % 5))
        .bind(now - 60)
        .execute(app.db())
        .await
        .unwrap();
    }
    let response = app
        .login(&app.client(), "fresh@example.com", "whatever1")
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Too many failed log-in attempts."));
    app.stop().await;
}

#[tokio::test]
async fn expired_sessions_are_purged_by_the_periodic_job() {
    let app = TestApp::start().await;
    let active = app.client();
    let idle = app.client();
    app.signup(&active, "Anna", "anna@example.com", PASSWORD)
        .await;
    app.signup(&idle, "Bo", "bo@example.com", PASSWORD).await;
    app.clock.advance(11 * 3600);
    assert_eq!(app.get(&active, "/").await.status(), StatusCode::OK);
    app.clock.advance(2 * 3600);
    // The job runs at start and every ten minutes: a restart brings the next round.
    let app = app.restart().await;
    let mut left = 0;
    for _ in 0..50 {
        left = app.count("SELECT count(*) FROM sessions").await;
        if left == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 1, "the idle session is gone, the active one stays");
    assert_eq!(app.get(&active, "/").await.status(), StatusCode::OK);
    app.stop().await;
}

/// 300 failed log-ins counted against `address`, a minute ago.
async fn failures_from(app: &TestApp, address: &str) {
    let now = app.clock.now();
    for i in 0..300 {
        sqlx::query(
            "INSERT INTO login_failures (email_key, address, failed_at) VALUES ($1, $2, $3)",
        )
        .bind(format!("user{}@example.com", i % 5))
        .bind(address)
        .bind(now - 60)
        .execute(app.db())
        .await
        .unwrap();
    }
}

async fn login_from(app: &TestApp, forwarded_for: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("email", "anna@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_counted_on_its_own() {
    let app = TestApp::start_configured(|config| {
        config.trusted_proxies = orgpanel::server::config::parse_proxies("127.0.0.1/32").unwrap();
    })
    .await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;
    // Strangers behind the same proxy failed 300 times.
    failures_from(&app, "203.0.113.7").await;
    assert_eq!(
        login_from(&app, "203.0.113.7").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_redirect(&login_from(&app, "198.51.100.1").await, "/");
    // A client cannot pick its address by writing the header itself: the
    // proxy appends the real one, and that is the one counted.
    assert_eq!(
        login_from(&app, "198.51.100.1, 203.0.113.7").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_address_is_not_believed() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;
    failures_from(&app, "127.0.0.1").await;
    assert_eq!(
        login_from(&app, "198.51.100.1").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn sign_ups_are_limited_per_client_address() {
    let app = TestApp::start_configured(|config| {
        config.trusted_proxies = orgpanel::server::config::parse_proxies("127.0.0.1").unwrap();
    })
    .await;
    let signup = |i: usize, from: &'static str| {
        let email = format!("user{i}@example.com");
        let client = app.client();
        let url = app.url("/signup");
        async move {
            client
                .post(url)
                .header("x-forwarded-for", from)
                .form(&[
                    ("name", "User"),
                    ("email", email.as_str()),
                    ("password", PASSWORD),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // 99 sign-ups from one address earlier in the hour, and one more now.
    let now = app.clock.now();
    for _ in 0..99 {
        sqlx::query("INSERT INTO signups (address, at) VALUES ('203.0.113.7', $1)")
            .bind(now - 600)
            .execute(app.db())
            .await
            .unwrap();
    }
    assert_eq!(
        signup(0, "203.0.113.7").await.status(),
        StatusCode::SEE_OTHER
    );
    let refused = signup(1, "203.0.113.7").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Too many sign-ups from your network. Try again in 50 minutes."));
    assert_eq!(app.count("SELECT count(*) FROM accounts").await, 1);
    assert_eq!(
        signup(2, "198.51.100.1").await.status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

#[tokio::test]
async fn fifty_log_ins_at_once_all_succeed_with_only_a_few_hashes_at_a_time() {
    let app = TestApp::start().await;
    app.signup(&app.client(), "Anna", "anna@example.com", PASSWORD)
        .await;
    let logins = futures::future::join_all(
        (0..50).map(|_| async { app.login(&app.client(), "anna@example.com", PASSWORD).await }),
    )
    .await;
    for response in &logins {
        assert_redirect(response, "/");
    }
    let limit = orgpanel::auth::password::parallel_limit();
    assert!((2..=4).contains(&limit));
    assert!(
        orgpanel::auth::password::peak_parallel() <= limit,
        "at most {limit} argon2 hashes (19 MiB each) ran at once"
    );
    assert!(
        orgpanel::auth::password::peak_parallel() >= 2,
        "they did run side by side"
    );
    app.stop().await;
}
