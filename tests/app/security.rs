//! What every response carries, cross-site refusals, 404, health.

use super::common;
use orgpanel::server::db::Dialect;

use common::TestApp;
use reqwest::header::{CONTENT_ENCODING, CONTENT_SECURITY_POLICY, ORIGIN};
use reqwest::StatusCode;

#[tokio::test]
async fn pages_carry_a_csp_with_the_nonce_of_their_scripts_and_the_other_headers() {
    let app = TestApp::start().await;
    let response = app.get(&app.client(), "/login").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));
    assert!(!headers["x-request-id"].is_empty());

    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "the hydration script carries the nonce"
    );

    // A fresh nonce for every response.
    let again = app.get(&app.client(), "/login").await;
    assert!(!again.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains(&nonce));
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::start().await;
    let form = [
        ("name", "Mallory"),
        ("email", "m@example.com"),
        ("password", "password123"),
    ];

    let by_origin = app
        .client()
        .post(app.url("/signup"))
        .header(ORIGIN, "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(by_origin.status(), StatusCode::FORBIDDEN);
    let by_fetch_site = app
        .client()
        .post(app.url("/signup"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(by_fetch_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);

    let same_origin = app
        .client()
        .post(app.url("/signup"))
        .header(ORIGIN, app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_page_is_a_real_404() {
    let app = TestApp::start().await;
    let client = app.client();
    app.signup(&client, "Anna", "anna@example.com", "password123")
        .await;
    let response = app.get(&client, "/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
    app.stop().await;
}

#[tokio::test]
async fn health_checks_the_database() {
    let app = TestApp::start().await;
    let response = app.get(&app.client(), "/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), r#"{"status":"ok"}"#);

    app.running.state.db.read.close().await;
    let response = app.get(&app.client(), "/health").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    app.stop().await;
}

#[tokio::test]
async fn pages_are_compressed_with_gzip_whatever_else_the_browser_takes() {
    let app = TestApp::start().await;
    // Brotli costs more per page than the rendering (see the README's
    // Performance section): pages made per request are gzipped.
    for accepted in ["br, gzip", "gzip, deflate, br, zstd", "gzip"] {
        let response = app
            .client()
            .get(app.url("/login"))
            .header("accept-encoding", accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], "gzip", "{accepted}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_database_runs_in_wal_mode_with_foreign_keys() {
    let app = TestApp::start().await;
    if app.running.state.db.dialect == Dialect::Sqlite {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(app.db())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
    // A membership of an organization that does not exist is refused.
    let orphan = sqlx::query(
        "INSERT INTO memberships (organization_id, account_id, role, created_at) VALUES (999, 999, 'owner', 0)",
    )
    .execute(app.db())
    .await;
    assert!(orphan.is_err(), "foreign keys are not enforced");
    app.stop().await;
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish_and_then_refuses_new_ones() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut app = TestApp::start().await;
    let base = app.base.clone();
    // A request whose body is still arriving when the server is told to stop.
    let body = "name=Anna&email=anna%40example.com&password=password123";
    let (first, rest) = body.split_at(10);
    let mut stream = tokio::net::TcpStream::connect(app.running.addr)
        .await
        .unwrap();
    let head = format!(
        "POST /signup HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        app.running.addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.signal_stop();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.starts_with("HTTP/1.1 303"),
        "the request in flight is answered: {response}"
    );
    app.stop().await;
    assert!(
        reqwest::get(format!("{base}/health")).await.is_err(),
        "no new connections"
    );
}

#[tokio::test]
async fn the_test_clock_does_not_exist_unless_configured() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let before = app.clock.now();
    let response = app
        .post_form(&anna, "/test-clock/advance", &[("secs", "86400000")])
        .await;
    assert!(
        response.status().is_client_error(),
        "{}: no such route",
        response.status()
    );
    assert!(app.clock.now() - before < 60, "the clock did not move");
    app.stop().await;
}
