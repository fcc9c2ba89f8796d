//! Every bad request gets one of the panel's pages with a plain sentence:
//! malformed and oversized bodies on every form route, a handler that
//! panics; signed-in pages stay out of caches.

use super::common::{TestApp, COMPANY};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::StatusCode;

/// Asserts the panel's own error page: HTML, the status, a sentence, and
/// none of the extractor's raw words.
async fn assert_error_page(response: reqwest::Response, status: StatusCode, sentence: &str) {
    let what = format!("{} {}", response.url(), response.status());
    assert_eq!(response.status(), status, "{what}");
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{what}"
    );
    let html = response.text().await.unwrap();
    assert!(html.contains(sentence), "{what}: {html}");
    assert!(
        html.contains("<main id=\"main\" class=\"centered\">"),
        "{what}"
    );
    for raw in ["Failed to", "deserialize", "length limit", "missing field"] {
        assert!(!html.contains(raw), "{what} shows {raw:?}");
    }
}

const UNREADABLE: &str = "This request could not be read";

#[tokio::test]
async fn malformed_bodies_on_every_form_route_get_a_page_and_change_nothing() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;
    let routes = [
        "/login".to_owned(),
        "/signup".to_owned(),
        "/organizations/new".to_owned(),
        format!("/organizations/{org}/settings"),
        format!("/organizations/{org}/billing"),
        format!("/organizations/{org}/services"),
    ];
    let activity = app.count("SELECT count(*) FROM activity").await;
    for route in &routes {
        for body in [
            "intent=company&intent=company",
            "",
            "%%%&&==",
            "intent=nonsense",
        ] {
            let response = anna
                .post(app.url(route))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                let html = response.text().await.unwrap();
                if !html.contains("<main id=\"main\" class=\"centered\">") {
                    // A form the page understood and refused field by field.
                    assert!(html.contains("aria-invalid=\"true\""), "{route} {body:?}");
                    continue;
                }
                assert!(html.contains(UNREADABLE), "{route} {body:?}");
                continue;
            }
            assert_error_page(response, StatusCode::BAD_REQUEST, UNREADABLE).await;
        }
        let json = anna
            .post(app.url(route))
            .json(&serde_json::json!({"intent": "company"}))
            .send()
            .await
            .unwrap();
        assert_error_page(json, StatusCode::UNSUPPORTED_MEDIA_TYPE, UNREADABLE).await;
    }
    // 72,000 characters pasted into Address.
    let long = "x".repeat(72_000);
    let mut form = COMPANY.to_vec();
    form.retain(|(k, _)| *k != "address");
    form.extend([
        ("address", long.as_str()),
        ("intent", "company"),
        ("version", "1"),
    ]);
    let response = app
        .post_form(&anna, &format!("/organizations/{org}/settings"), &form)
        .await;
    let settings = format!("/organizations/{org}/settings");
    let way_back = format!(r#"<a href="{settings}">open the page again</a>"#);
    assert_error_page(response, StatusCode::PAYLOAD_TOO_LARGE, &way_back).await;
    assert_eq!(app.count("SELECT count(*) FROM activity").await, activity);
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_handler_that_panics_answers_the_panels_500_page_with_a_reference() {
    use axum::routing::get;
    let app = TestApp::start().await;
    let state = app.running.state.clone();
    let boom = axum::Router::new().route(
        "/boom",
        get(|| async {
            let expiry = "&é\"";
            // What the old expiry parser did: slice inside a character.
            let _ = &expiry[..2];
            "unreachable"
        }),
    );
    let router = orgpanel::server::with_error_pages(boom, &state)
        .layer(axum::middleware::from_fn(
            orgpanel::server::security::security_headers,
        ))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let response = reqwest::get(format!("http://{addr}/boom")).await.unwrap();
    let html_status = response.status();
    let html = response.text().await.unwrap();
    assert_eq!(html_status, StatusCode::INTERNAL_SERVER_ERROR);
    let reference = html
        .split("quote reference ")
        .nth(1)
        .and_then(|rest| rest.get(..8))
        .expect("a reference on the page")
        .to_owned();
    assert!(html.contains("Something went wrong"));
    assert!(
        super::common::logs().contains(&reference),
        "the panic is logged under its reference"
    );
    app.stop().await;
}

#[tokio::test]
async fn signed_in_pages_are_never_cached_public_ones_and_assets_keep_theirs() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    for page in [
        format!("/organizations/{org}"),
        format!("/organizations/{org}/billing"),
        format!("/organizations/{org}/billing/card?setup=x"),
        format!("/organizations/{org}/settings"),
        "/".to_owned(),
    ] {
        let response = app.get(&anna, &page).await;
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store", "{page}");
    }
    let login = app.get(&app.client(), "/login").await;
    assert!(login.headers().get(CACHE_CONTROL).is_none());
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_method_gets_a_page_and_log_out_without_a_session_goes_to_log_in() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let response = app
        .post_form(
            &anna,
            &format!("/organizations/{org}/activity"),
            &[("x", "1")],
        )
        .await;
    assert_error_page(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "does not take that kind of request",
    )
    .await;
    // A path that is not UTF-8 cannot name an organization.
    let response = app
        .post_form(
            &anna,
            "/organizations/%FF%FE/settings",
            &[("intent", "delete")],
        )
        .await;
    assert!(
        matches!(
            response.status(),
            StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND
        ),
        "{}",
        response.status()
    );
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("<main id=\"main\" class=\"centered\">"));
    let stranger = app.client();
    let response = app.post_form(&stranger, "/logout", &[]).await;
    super::common::assert_redirect(&response, "/login");
    app.stop().await;
}

/// A refusal is shown at the form's bare address: success notes in the
/// query string that was posted to (`?saved=1`) do not stand beside it.
#[tokio::test]
async fn a_refused_form_shows_no_success_note_from_the_address_it_was_posted_to() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example AB").await;
    let response = app
        .post_form(
            &anna,
            &format!("/organizations/{org}/settings?saved=1&renamed=1&created=1"),
            &[("intent", "rename"), ("name", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Enter the organization&#x27;s name.")
            || html.contains("Enter the organization's name."),
        "{html}"
    );
    for note in [
        "Company information saved",
        "Organization renamed.",
        "Organization created.",
    ] {
        assert!(!html.contains(note), "{note} beside a refusal");
    }
}

/// A file missing under `/pkg` (a page from before a deploy asking for an
/// old bundle) is not cached, so it is found once it is there.
#[tokio::test]
async fn a_missing_bundle_file_is_not_cached() {
    let app = TestApp::start_configured(|config| config.leptos.hash_files = true).await;
    let response = app
        .get(&app.client(), "/pkg/orgpanel.0123456789abcdef.css")
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
}

/// The WASM is linked only by pages with an island that has work to do in
/// the browser, once however many they have, in the head; a page with
/// nothing interactive (the Overview, Collaborators, API keys, Activity, and
/// Services while its form is disabled) makes the browser download none.
#[tokio::test]
async fn only_pages_with_islands_link_the_wasm() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example AB").await;
    let ready = app.create_org(&anna, "Ready AB").await;
    app.make_ready(&anna, &ready).await;
    let stranger = app.client();
    // The page, whether it has islands, whether it links the WASM.
    let pages = [
        (&stranger, "/login".to_owned(), true, true),
        (&stranger, "/signup".to_owned(), true, true),
        (&anna, "/organizations/new".to_owned(), true, true),
        (&anna, format!("/organizations/{org}/settings"), true, true),
        (&anna, format!("/organizations/{org}/services"), true, false),
        (
            &anna,
            format!("/organizations/{ready}/services"),
            true,
            true,
        ),
        (&anna, format!("/organizations/{org}"), false, false),
        (
            &anna,
            format!("/organizations/{org}/collaborators"),
            false,
            false,
        ),
        (
            &anna,
            format!("/organizations/{org}/api-keys"),
            false,
            false,
        ),
        (
            &anna,
            format!("/organizations/{org}/activity"),
            false,
            false,
        ),
    ];
    for (client, page, has_islands, linked) in pages {
        let (status, html) = app.page(client, &page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let islands = html.matches("<leptos-island").count();
        assert_eq!(islands > 0, has_islands, "{page}: {islands} islands");
        let head = &html[..html.find("</head>").expect("a head")];
        assert_eq!(
            html.matches(".wasm").count(),
            usize::from(linked),
            "{page}: the WASM named once, by the script that fetches it"
        );
        assert_eq!(
            head.matches(r#"type="module""#).count(),
            usize::from(linked),
            "{page}"
        );
        assert_eq!(
            head.matches("modulepreload").count(),
            0,
            "{page}: no preload a browser without JavaScript would follow"
        );
    }
    app.stop().await;
}
