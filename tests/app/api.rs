//! The JSON API as its clients use it: API keys made on the page, HTTP
//! Basic, the envelope, customer/settings read and changed all or nothing,
//! user/login's temporary key, every role and every key state.

use crate::common::{logs, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Makes an API key on the "API keys" page as `client`; the key and the
/// page's HTML.
pub(crate) async fn make_key(
    app: &TestApp,
    client: &Client,
    org: &str,
    role: &str,
) -> (String, String) {
    // Descriptions tell keys apart: "Deploy script", "Deploy script 2", …
    let made = app.count("SELECT count(*) FROM api_keys").await;
    let description = match made {
        0 => "Deploy script".to_owned(),
        n => format!("Deploy script {}", n + 1),
    };
    let response = app
        .post_form(
            client,
            &format!("/organizations/{org}/api-keys"),
            &[
                ("intent", "create"),
                ("description", &description),
                ("role", role),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "key as {role}");
    let html = response.text().await.expect("page");
    let start = html.find("opk_").expect("the key is shown");
    let key: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    assert_eq!(key.len(), 4 + 43, "opk_ and 256 bits in base64url");
    (key, html)
}

pub(crate) async fn customer_number(app: &TestApp, org: &str) -> String {
    sqlx::query_scalar("SELECT customer_number FROM organizations WHERE public_id = $1")
        .bind(org)
        .fetch_one(app.db())
        .await
        .expect("customer number")
}

/// Logs in through `user/login` as the account with `email` (whose password
/// is `password123`); the temporary key.
pub(crate) async fn temporary_key(app: &TestApp, email: &str) -> String {
    let body: Value = Client::new()
        .post(app.url("/api/user/login"))
        .form(&[("username", email), ("password", "password123")])
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["response"]["login"]["apikey"]
        .as_str()
        .expect("key")
        .to_owned()
}

/// Calls `function` with Basic `user`:`password` and JSON `args`; the
/// status and the parsed body.
pub(crate) async fn call(
    app: &TestApp,
    function: &str,
    user: &str,
    password: &str,
    args: Value,
) -> (StatusCode, Value) {
    let response = Client::new()
        .post(app.url(&format!("/api/{function}")))
        .basic_auth(user, Some(password))
        .json(&args)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    assert!(
        content_type.starts_with("application/json"),
        "{function}: {content_type} {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_envelope(&body, status);
    (status, body)
}

/// The envelope every answer has: one key `response`, a `status` whose
/// `code` is the HTTP status (an integer), a `timestamp` in RFC 3339 with
/// an offset, `text`, and `debug.input`.
fn assert_envelope(body: &Value, http: StatusCode) {
    let object = body.as_object().expect("an object");
    assert_eq!(object.len(), 1, "{body}");
    let status = &body["response"]["status"];
    assert_eq!(
        status["code"].as_u64(),
        Some(u64::from(http.as_u16())),
        "{body}"
    );
    let timestamp = status["timestamp"].as_str().expect("timestamp");
    assert_eq!(timestamp.len(), 25, "{timestamp}");
    assert!(
        timestamp.ends_with("+00:00") && timestamp.as_bytes()[10] == b'T',
        "{timestamp}"
    );
    assert!(status["text"].is_string(), "{body}");
    assert!(body["response"]["debug"]["input"].is_object(), "{body}");
    for key in body["response"].as_object().expect("response").keys() {
        assert!(
            key.chars().all(|c| c.is_ascii_lowercase()),
            "keys are lower case without separators: {key}"
        );
    }
}

#[tokio::test]
async fn a_key_made_on_the_page_is_shown_once_kept_as_a_hash_and_revoked_at_once() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let (key, html) = make_key(&app, &owner, &org, "admin").await;
    assert!(
        html.contains(&format!("curl -u &#x27;{number}:{key}&#x27;"))
            || html.contains(&format!("curl -u '{number}:{key}'")),
        "a ready curl line"
    );
    assert!(html.contains("shown only this once"));

    let (status, body) = call(&app, "customer/settings", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["response"]["settings"]["customernumber"], number);

    // The list shows the key's description, role, maker and last use, never the key.
    let (_, list) = app
        .page(&owner, &format!("/organizations/{org}/api-keys"))
        .await;
    assert!(list.contains("Deploy script") && list.contains("Olga Owner"));
    assert!(!list.contains(&key), "the key is shown only once");
    assert!(!list.contains("Never"), "its last use is shown");
    // Only its SHA-256 is in the database, and the key is in no log.
    assert!(!String::from_utf8_lossy(&app.database_files().await).contains(&key[4..]));
    assert!(!logs().contains(&key[4..]));
    assert_eq!(
        app.count("SELECT count(*) FROM api_keys WHERE length(key_hash) = 64")
            .await,
        1
    );

    let public_id: String = sqlx::query_scalar("SELECT public_id FROM api_keys")
        .fetch_one(app.db())
        .await
        .expect("key");
    let response = app
        .post_form(
            &owner,
            &format!("/organizations/{org}/api-keys"),
            &[("intent", "revoke"), ("key", &public_id)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, body) = call(&app, "customer/settings", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // A wrong key, another organization's number, and no key at all.
    let (status, _) = call(&app, "customer/settings", &number, "opk_wrong", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = Client::new()
        .get(app.url("/api/customer/settings"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("www-authenticate"));
    let activity = app
        .page(&owner, &format!("/organizations/{org}/activity"))
        .await
        .1;
    assert!(activity.contains("API key created") && activity.contains("API key revoked"));
}

#[tokio::test]
async fn customer_settings_reads_and_changes_all_or_nothing_with_the_pages_rules() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let (key, _) = make_key(&app, &owner, &org, "owner").await;

    let (status, body) = call(&app, "customer/settings", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let settings = &body["response"]["settings"];
    assert_eq!(settings["billingready"], "no");
    assert_eq!(settings["paymentmethod"], "none");
    assert_eq!(settings["paymentcard"], Value::Null);
    assert_eq!(
        settings["missing"],
        json!(["companyinformation", "paymentmethod"])
    );

    // Everything at once, numbers as numbers: ready.
    let change = json!({
        "name": "Example AB", "nationalidnumber": "556036-0793", "address": "Storgatan 1",
        "zipcode": 11437, "city": "Stockholm", "country": "SE", "email": "billing@example.se",
        "phonenumber": "070-123 45 67", "paymentmethod": "invoice",
        "invoicedeliverymethod": "email", "invoiceemail": "invoices@example.se",
    });
    let (status, body) = call(&app, "customer/settings", &number, &key, change).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let settings = &body["response"]["settings"];
    assert_eq!(settings["billingready"], "yes", "{body}");
    assert_eq!(
        settings["zipcode"], "114 37",
        "stored normalized, shown formatted"
    );
    assert_eq!(settings["phonenumber"], "+46701234567");
    assert_eq!(settings["invoiceemail"], "invoices@example.se");
    assert_eq!(settings["missing"], json!([]));
    // The pages show the same.
    let billing = app
        .page(&owner, &format!("/organizations/{org}/billing"))
        .await
        .1;
    assert!(billing.contains("invoices@example.se"));

    // A bad value refuses the whole change, naming the field as the API does.
    let (status, body) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"name": "Renamed AB", "zipcode": "1"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["response"]["status"]["text"]
            .as_str()
            .unwrap()
            .starts_with("zipcode: "),
        "{body}"
    );
    let (_, body) = call(&app, "customer/settings", &number, &key, json!({})).await;
    assert_eq!(
        body["response"]["settings"]["name"], "Example AB",
        "nothing was saved"
    );
    // Snail mail and a bad method: the same rules as Billing.
    let (status, body) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"paymentmethod": "cash"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["response"]["status"]["text"]
        .as_str()
        .unwrap()
        .starts_with("paymentmethod: "));
    let (status, _) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"invoicedeliverymethod": "mail"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // A card goes through the provider's page: the API answers its address.
    let (status, body) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"paymentmethod": "card"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["response"]["paymentcard"]["url"]
        .as_str()
        .expect("card page");
    assert!(url.contains("/sandbox-pay/"), "{url}");
    assert_eq!(
        body["response"]["settings"]["paymentmethod"], "invoice",
        "until the card is verified"
    );
    let activity = app
        .page(&owner, &format!("/organizations/{org}/activity"))
        .await
        .1;
    assert!(
        activity.contains("API key “Deploy script”"),
        "changes are logged under the key"
    );
}

#[tokio::test]
async fn each_role_may_through_the_api_what_it_may_on_the_pages() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    app.save_company(&owner, &org).await;
    // (role, may change company information, may change billing, may create services)
    let table = [
        ("owner", StatusCode::OK, StatusCode::OK),
        ("admin", StatusCode::OK, StatusCode::FORBIDDEN),
        ("billing", StatusCode::OK, StatusCode::OK),
        ("member", StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
    ];
    for (role, company, billing) in table {
        let (key, _) = make_key(&app, &owner, &org, role).await;
        let (status, body) = call(
            &app,
            "customer/settings",
            &number,
            &key,
            json!({"city": "Uppsala"}),
        )
        .await;
        assert_eq!(status, company, "{role} company: {body}");
        let (status, body) = call(
            &app,
            "customer/settings",
            &number,
            &key,
            json!({"paymentmethod": "invoice"}),
        )
        .await;
        assert_eq!(status, billing, "{role} billing: {body}");
        let (status, _) = call(&app, "customer/listcollaborators", &number, &key, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{role} reads");
        let (status, _) = call(&app, "payment/list", &number, &key, json!({})).await;
        assert_eq!(status, billing, "{role} payments");
    }
    // An Admin makes no Owner key; Billing and Member make none.
    let mut team = app.team(&org).await.into_iter();
    let (_, admin) = team.next().expect("admin");
    let response = app
        .post_form(
            &admin,
            &format!("/organizations/{org}/api-keys"),
            &[
                ("intent", "create"),
                ("description", "x"),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (admin_key, _) = make_key(&app, &admin, &org, "admin").await;
    for (_, client) in team {
        let response = app
            .post_form(
                &client,
                &format!("/organizations/{org}/api-keys"),
                &[
                    ("intent", "create"),
                    ("description", "x"),
                    ("role", "member"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    // A key is no stronger than its maker: demoted, the maker's key stops.
    sqlx::query("UPDATE memberships SET role = 'member' WHERE account_id = (SELECT id FROM accounts WHERE email_key = 'admin@example.com')")
        .execute(app.db())
        .await
        .expect("demote");
    let (status, _) = call(&app, "customer/settings", &number, &admin_key, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Another organization's number with this key: not found for it.
    let other = app.create_org(&owner, "Other AB").await;
    let other_number = customer_number(&app, &other).await;
    let (owner_key, _) = make_key(&app, &owner, &org, "owner").await;
    let (status, _) = call(
        &app,
        "customer/settings",
        &other_number,
        &owner_key,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        &app,
        "customer/settings",
        &number,
        &owner_key,
        json!({"organizationnumber": other_number}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "two organizations named");
    // A person's temporary key reaches only the person's organizations.
    app.user("Stranger", "stranger@example.com").await;
    let temporary = temporary_key(&app, "stranger@example.com").await;
    let (status, _) = call(
        &app,
        "customer/settings",
        "stranger@example.com",
        &temporary,
        json!({"organizationnumber": number}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn user_login_gives_a_temporary_key_for_the_persons_organizations() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    // Empty Basic credentials, form arguments.
    let response = Client::new()
        .post(app.url("/api/user/login"))
        .basic_auth("", Some(""))
        .form(&[
            ("username", "owner@example.com"),
            ("password", "password123"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_envelope(&body, StatusCode::OK);
    let login = &body["response"]["login"];
    assert_eq!(login["username"], "owner@example.com");
    assert_eq!(login["customers"][0]["customernumber"], number);
    assert_eq!(login["customers"][0]["roles"], json!(["owner"]));
    assert_eq!(body["response"]["debug"]["input"]["password"], "***");
    let key = login["apikey"].as_str().expect("key").to_owned();

    let (status, body) = call(
        &app,
        "user/listorganizations",
        "owner@example.com",
        &key,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entry = &body["response"]["organizations"][0];
    assert_eq!(
        entry["id"].as_i64(),
        number.parse::<i64>().ok(),
        "an integer"
    );
    assert_eq!(entry["name"], "Example AB");
    assert_eq!(entry["isowner"], "yes");
    assert_eq!(entry["paymentcard"], Value::Null);
    // The person's key reaches the organization by its number.
    let (status, _) = call(&app, "customer/settings", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(
        &app,
        "user/createorganization",
        "owner@example.com",
        &key,
        json!({"name": "Second AB"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["response"]["organization"]["id"].is_i64());
    // A wrong password, someone else's email with the key, and after logout.
    let (status, body) = call(
        &app,
        "user/login",
        "",
        "",
        json!({"username": "owner@example.com", "password": "wrong"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["response"]["debug"]["input"]["password"], "***");
    let (status, _) = call(&app, "user/details", "someone@example.com", &key, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&app, "user/logout", "owner@example.com", &key, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, "user/details", "owner@example.com", &key, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!logs().contains(&key));
}

#[tokio::test]
async fn every_bad_request_is_answered_in_the_envelope() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let (key, _) = make_key(&app, &owner, &org, "owner").await;
    let client = Client::new();
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_envelope(&body, status);
        (status, body)
    };
    let url = |path: &str| app.url(path);
    let cases = [
        (
            client
                .post(url("/api/customer/settings"))
                .basic_auth(&number, Some(&key))
                .header("content-type", "application/json")
                .body("{"),
            StatusCode::BAD_REQUEST,
        ),
        (
            client
                .post(url("/api/customer/settings"))
                .basic_auth(&number, Some(&key))
                .header("content-type", "application/json")
                .body(r#"{"city": [1]}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            client
                .post(url("/api/customer/nosuch"))
                .basic_auth(&number, Some(&key)),
            StatusCode::NOT_FOUND,
        ),
        (
            client
                .post(url("/api/service/delete"))
                .basic_auth(&number, Some(&key)),
            StatusCode::BAD_REQUEST,
        ),
        (
            client
                .post(url("/api/customer/settings"))
                .basic_auth(&number, Some(&key))
                .body("x".repeat(70_000)),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            client
                .put(url("/api/customer/settings"))
                .basic_auth(&number, Some(&key)),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            client
                .post(url("/api/customer/settings"))
                .basic_auth(&number, Some(&key))
                .header("content-type", "application/json; charset=utf-8")
                .body(r#"{"city": "Uppsala"}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            client
                .get(url("/api//customer//settings/"))
                .basic_auth(&number, Some(&key)),
            StatusCode::OK,
        ),
        (
            client
                .get(url("/api/customer/settings/format/json?format=json"))
                .basic_auth(&number, Some(&key)),
            StatusCode::OK,
        ),
        (
            client
                .post(url("/api/paymentcard/add"))
                .basic_auth(&number, Some(&key))
                .form(&[("cardnumber", "4242424242424242")]),
            StatusCode::BAD_REQUEST,
        ),
        (client.get(url("/api")), StatusCode::NOT_FOUND),
        (
            client
                .get(url("/api/customer/settings"))
                .basic_auth(&number, Some(&key))
                .header("sec-fetch-site", "cross-site"),
            StatusCode::FORBIDDEN,
        ),
        (
            client
                .post(url("/api/customer/settings"))
                .basic_auth(&number, Some(&key))
                .header("origin", "https://evil.example"),
            StatusCode::FORBIDDEN,
        ),
        (client.get(url("/api/api/listfunctions")), StatusCode::OK),
    ];
    for (request, expected) in cases {
        let (status, body) = send(request).await;
        assert_eq!(status, expected, "{body}");
        assert!(
            !body.to_string().contains("4242424242424242"),
            "a card number is never echoed"
        );
    }
    let (_, body) = send(
        client
            .get(url("/api/customer/settings"))
            .basic_auth(&number, Some(&key)),
    )
    .await;
    assert_eq!(
        body["response"]["settings"]["city"], "",
        "Uppsala alone is not complete company information: nothing saved"
    );
}

#[tokio::test]
async fn calls_through_a_key_are_limited_per_key_with_retry_after() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let (key, _) = make_key(&app, &owner, &org, "member").await;
    let (other, _) = make_key(&app, &owner, &org, "member").await;
    let limit = orgpanel::api_keys::API_CALLS.limit;
    for _ in 0..limit {
        let (status, _) = call(&app, "service/list", &number, &key, json!({})).await;
        assert_eq!(status, StatusCode::OK);
    }
    let response = Client::new()
        .get(app.url("/api/service/list"))
        .basic_auth(&number, Some(&key))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["response"]["status"]["retryafter"].as_u64(),
        Some(retry)
    );
    assert!((1..=60).contains(&retry));
    // Another key of the same organization is not held back.
    let (status, _) = call(&app, "service/list", &number, &other, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    app.clock.advance(61);
    let (status, _) = call(&app, "service/list", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::OK, "the window moved on");
}

#[tokio::test]
async fn the_openapi_document_describes_every_routed_function_and_its_answers() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let (key, _) = make_key(&app, &owner, &org, "owner").await;
    let response = Client::new()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("openapi");
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.expect("json");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), orgpanel::api::FUNCTIONS.len());
    for function in orgpanel::api::FUNCTIONS {
        let item = &paths[&format!("/api/{}", function.path)];
        assert!(item["post"].is_object(), "{}", function.path);
        // A password never in a URL: log-in is documented as POST only.
        assert_eq!(
            item["get"].is_object(),
            function.path != "user/login",
            "{}",
            function.path
        );
    }
    // What the functions answer is what the document says, key for key.
    let schemas = &doc["components"]["schemas"];
    let keys = |value: &Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().expect("object").keys().cloned().collect();
        keys.sort();
        keys
    };
    let (_, body) = call(&app, "customer/settings", &number, &key, json!({})).await;
    assert_eq!(
        keys(&body["response"]["settings"]),
        keys(&schemas["Settings"]["properties"])
    );
    let (_, body) = call(&app, "customer/listcollaborators", &number, &key, json!({})).await;
    assert_eq!(
        keys(&body["response"]["collaborators"][0]),
        keys(&schemas["Collaborator"]["properties"])
    );
    let login = Client::new()
        .post(app.url("/api/user/login"))
        .json(&json!({"username": "owner@example.com", "password": "password123"}))
        .send()
        .await
        .expect("login");
    let body: Value = login.json().await.expect("json");
    let temporary = body["response"]["login"]["apikey"]
        .as_str()
        .expect("key")
        .to_owned();
    assert_eq!(
        keys(&body["response"]["login"]),
        keys(&schemas["Login"]["properties"])
    );
    let (_, body) = call(
        &app,
        "user/listorganizations",
        "owner@example.com",
        &temporary,
        json!({}),
    )
    .await;
    assert_eq!(
        keys(&body["response"]["organizations"][0]),
        keys(&schemas["Organization"]["properties"])
    );
    // listfunctions names the same functions.
    let (_, body) = call(&app, "api/listfunctions", "", "", json!({})).await;
    let listed: usize = body["response"]["modules"]
        .as_object()
        .expect("modules")
        .values()
        .map(|functions| functions.as_object().expect("functions").len())
        .sum();
    assert_eq!(listed, orgpanel::api::FUNCTIONS.len());
}

/// Arbitrary bodies, in every content type, at every function with a
/// working key: never a 500, never anything but the envelope.
#[tokio::test]
async fn arbitrary_bodies_at_every_function_get_an_envelope_and_never_a_500() {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let (key, _) = make_key(&app, &owner, &org, "owner").await;
    let names = prop_oneof![
        Just("name".to_owned()),
        Just("zipcode".to_owned()),
        Just("country".to_owned()),
        Just("paymentmethod".to_owned()),
        Just("invoicedeliverymethod".to_owned()),
        Just("invoiceemail".to_owned()),
        Just("email".to_owned()),
        Just("role".to_owned()),
        Just("collaboratorid".to_owned()),
        Just("serviceid".to_owned()),
        Just("plan".to_owned()),
        Just("datacenter".to_owned()),
        Just("organizationnumber".to_owned()),
        Just("phonenumber".to_owned()),
        "[a-zA-Z_]{1,12}",
    ];
    let leaf = prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        Just(Value::from("SE")),
        Just(Value::from("card")),
    ];
    // Mostly plain values (which reach the functions), some nested.
    let nested = leaf.clone().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            proptest::collection::btree_map("[a-z]{1,5}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let value = prop_oneof![12 => leaf, 1 => nested];
    let json_object = proptest::collection::btree_map(names, value, 0..6).prop_map(|m| {
        Value::Object(m.into_iter().collect())
            .to_string()
            .into_bytes()
    });
    let content_types = prop_oneof![
        Just("application/json"),
        Just("application/json; charset=utf-8"),
        Just("application/x-www-form-urlencoded"),
        Just("text/plain"),
        Just("multipart/form-data; boundary=x"),
    ];
    // Half JSON objects sent as JSON; half anything, sent as anything.
    let requests = prop_oneof![
        json_object.prop_map(|body| (body, "application/json")),
        (
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..200),
                "[ -~]{0,80}".prop_map(String::into_bytes),
            ],
            content_types,
        ),
    ];
    let mut runner = TestRunner::deterministic();
    let client = Client::new();
    let mut calls = 0;
    let mut seen = std::collections::BTreeSet::new();
    for function in orgpanel::api::FUNCTIONS {
        for _ in 0..30 {
            // Past the key's rate limit the functions would not run at all.
            if calls % 100 == 99 {
                app.clock.advance(61);
            }
            let (body, content_type) = requests.new_tree(&mut runner).expect("request").current();
            let response = client
                .post(app.url(&format!("/api/{}", function.path)))
                .basic_auth(&number, Some(&key))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("request");
            let status = response.status();
            let text = response.text().await.expect("body");
            assert_ne!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{}: {text}",
                function.path
            );
            let parsed: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}: {text}", function.path));
            assert_envelope(&parsed, status);
            seen.insert(status.as_u16());
            calls += 1;
        }
    }
    assert_eq!(calls, 30 * orgpanel::api::FUNCTIONS.len());
    // The bodies reached the functions: answered, refused as bad and as invalid.
    for status in [200, 400, 422] {
        assert!(seen.contains(&status), "{seen:?}");
    }
    assert!(!seen.contains(&429), "{seen:?}");
}

/// Every function as each role's key, a revoked key, an expired temporary
/// key and no key at all: the status DESIGN.md's roles table gives.
#[tokio::test]
async fn every_function_as_every_role_and_every_key_state() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    app.make_ready(&owner, &org).await;
    let _team = app.team(&org).await;
    let mut keys = Vec::new();
    for role in ["owner", "admin", "billing", "member"] {
        keys.push((role, make_key(&app, &owner, &org, role).await.0));
    }
    let (revoked, _) = make_key(&app, &owner, &org, "owner").await;
    sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE key_hash = $1")
        .bind(orgpanel::ids::token_hash(&revoked))
        .execute(app.db())
        .await
        .expect("revoke");
    let expired = temporary_key(&app, "owner@example.com").await;
    let dummy = "dummy@example.com";
    app.user("Dummy", dummy).await;
    let ok = StatusCode::OK;
    let no = StatusCode::FORBIDDEN;
    // function, arguments, (owner, admin, billing, member)
    let table: Vec<(&str, Value, [StatusCode; 4])> = vec![
        ("user/details", json!({}), [no; 4]),
        ("user/listorganizations", json!({}), [no; 4]),
        (
            "user/createorganization",
            json!({"name": "New AB"}),
            [no; 4],
        ),
        ("user/logout", json!({}), [no; 4]),
        ("customer/settings", json!({}), [ok; 4]),
        (
            "customer/settings",
            json!({"city": "Uppsala"}),
            [ok, ok, ok, no],
        ),
        (
            "customer/settings",
            json!({"invoiceemail": "ap@example.se"}),
            [ok, no, ok, no],
        ),
        ("customer/listcollaborators", json!({}), [ok; 4]),
        (
            "customer/addcollaborator",
            json!({"email": "new@example.com", "role": "member"}),
            [ok, ok, no, no],
        ),
        (
            "customer/editcollaborator",
            json!({"role": "billing"}),
            [ok, ok, no, no],
        ),
        ("customer/removecollaborator", json!({}), [ok, ok, no, no]),
        ("paymentcard/add", json!({}), [ok, no, ok, no]),
        ("paymentcard/list", json!({}), [ok; 4]),
        ("payment/list", json!({}), [ok, no, ok, no]),
        ("invoice/list", json!({}), [ok, no, ok, no]),
        ("invoice/next", json!({}), [ok, no, ok, no]),
        // No invoice yet: the roles that may are told it does not exist.
        (
            "invoice/pdf",
            json!({"invoicenumber": 1}),
            [StatusCode::NOT_FOUND, no, StatusCode::NOT_FOUND, no],
        ),
        ("service/list", json!({}), [ok; 4]),
        (
            "service/create",
            json!({"plan": "small", "datacenter": "sto1"}),
            [ok, ok, no, ok],
        ),
        ("service/delete", json!({}), [ok, ok, no, ok]),
        ("api/listfunctions", json!({}), [ok; 4]),
    ];
    let covered: std::collections::BTreeSet<&str> = table.iter().map(|row| row.0).collect();
    for function in orgpanel::api::FUNCTIONS {
        assert!(
            function.path == "user/login" || covered.contains(function.path),
            "{} is in the table",
            function.path
        );
    }
    let dummy_id = || async {
        // A member to change and remove, back each time.
        sqlx::query(
            "INSERT INTO memberships (organization_id, account_id, role, created_at, organization_name)
             SELECT o.id, a.id, 'member', 0, o.name FROM organizations o, accounts a
              WHERE o.public_id = $1 AND a.email_key = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(&org)
        .bind(dummy)
        .execute(app.db())
        .await
        .expect("membership");
        let (_, body) = call(
            &app,
            "customer/listcollaborators",
            &number,
            &keys[0].1,
            json!({}),
        )
        .await;
        body["response"]["collaborators"]
            .as_array()
            .expect("collaborators")
            .iter()
            .find(|c| c["email"] == dummy)
            .map(|c| c["collaboratorid"].as_str().expect("id").to_owned())
            .expect("the dummy")
    };
    let mut printed = String::new();
    for (function, args, expected) in &table {
        let mut row = format!("{function:28}");
        for ((role, key), expected) in keys.iter().zip(expected) {
            let mut args = args.clone();
            if function.contains("collaborator")
                && function != &"customer/listcollaborators"
                && function != &"customer/addcollaborator"
            {
                args["collaboratorid"] = json!(dummy_id().await);
            }
            if *function == "customer/addcollaborator" {
                args["email"] = json!(format!("new-{role}@example.com"));
            }
            if *function == "service/create" {
                args["name"] = json!(format!("web-{role}"));
            }
            if *function == "service/delete" {
                let id: Option<String> = sqlx::query_scalar(
                    "SELECT public_id FROM services WHERE deleted_at IS NULL LIMIT 1",
                )
                .fetch_optional(app.db())
                .await
                .expect("service");
                args["serviceid"] = json!(id.unwrap_or_default());
            }
            let (status, body) = call(&app, function, &number, key, args).await;
            assert_eq!(status, *expected, "{function} as {role}: {body}");
            let _ = write!(row, " {role}={}", status.as_u16());
        }
        // A revoked key and no key: 401, but for the open documentation.
        let open = *function == "api/listfunctions";
        let (status, _) = call(&app, function, &number, &revoked, args.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{function} with a revoked key"
        );
        let response = Client::new()
            .post(app.url(&format!("/api/{function}")))
            .json(args)
            .send()
            .await
            .expect("request");
        let expected = if open { ok } else { StatusCode::UNAUTHORIZED };
        assert_eq!(response.status(), expected, "{function} without a key");
        let _ = write!(row, " revoked=401 none={}", expected.as_u16());
        printed.push_str(&row);
        printed.push('\n');
    }
    // The temporary key: good for the person's functions, then expired.
    let (status, _) = call(
        &app,
        "user/details",
        "owner@example.com",
        &expired,
        json!({}),
    )
    .await;
    assert_eq!(status, ok);
    app.clock.advance(13 * 3600);
    for (function, args, _) in &table {
        let (status, _) = call(&app, function, "owner@example.com", &expired, args.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{function} with an expired temporary key"
        );
    }
    println!("{printed}");
    // Nothing secret at rest or in the logs: the keys only as hashes.
    let files = String::from_utf8_lossy(&app.database_files().await).into_owned();
    let logs = logs();
    for (_, key) in &keys {
        assert!(!files.contains(&key[4..]) && !logs.contains(&key[4..]));
    }
    assert!(!files.contains(&expired) && !logs.contains(&expired));
    assert!(!files.contains("password123") && !logs.contains("password123"));
}

/// What a first outside try found, each kept fixed.
#[tokio::test]
async fn what_integrators_get_wrong_is_refused_clearly_and_echoes_no_secret() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let (key, _) = make_key(&app, &owner, &org, "owner").await;
    // Redirects are not followed: a page that wants a log-in says so.
    let client = app.client();
    let text = |body: &Value| {
        body["response"]["status"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // JSON with curl's default form type is read as JSON; the password never echoed.
    let response = client
        .post(app.url("/api/user/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r#"{"username":"owner@example.com","password":"password123"}"#)
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["response"]["debug"]["input"]["password"], "***");
    let temporary = body["response"]["login"]["apikey"]
        .as_str()
        .expect("key")
        .to_owned();

    // A misspelled argument is refused by name, and changes nothing.
    let (status, body) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"companyname": "X AB"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        text(&body).starts_with("Unknown argument companyname: customer/settings takes name,"),
        "{body}"
    );
    // Card details, under any name, are refused and never echoed.
    for args in [
        json!({"paymentmethod": "card", "cardnumber": "4242424242424242", "cvc": "123"}),
        json!({"name": "4242.4242.4242.4242"}),
        json!({"address": "Box 4242\u{a0}4242\u{a0}4242\u{a0}4242"}),
        json!({"address": "４２４２４２４２４２４２４２４２"}),
        json!({"zipcode": 4_242_424_242_424_242.0_f64}),
    ] {
        let (status, body) = call(&app, "customer/settings", &number, &key, args).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(text(&body).starts_with("Card details never pass through the API"));
        let echoed = body["response"]["debug"]["input"].to_string();
        assert!(
            !echoed.contains("4242") && !echoed.contains("123"),
            "{echoed}"
        );
    }
    let (_, body) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"token": key.clone()}),
    )
    .await;
    assert_eq!(body["response"]["debug"]["input"]["token"], "***");

    // Every refused value at once, the API's words, no noise from a bad country.
    let (status, body) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"zipcode": "x", "paymentmethod": "Bitcoin", "country": "XX"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = text(&body);
    assert!(
        refused.contains("paymentmethod: Use invoice or card.") && refused.contains("country: "),
        "{refused}"
    );
    assert!(!refused.contains("Choose the country first"), "{refused}");
    // A service before billing is ready: the sentence and what is missing.
    let (status, body) = call(
        &app,
        "service/create",
        &number,
        &key,
        json!({"name": "web", "plan": "small", "datacenter": "sto1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        text(&body).ends_with("Missing: companyinformation, paymentmethod."),
        "{body}"
    );
    let (status, _) = call(
        &app,
        "service/delete",
        &number,
        &key,
        json!({"serviceid": "nosuchservice"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An invoice address sent with snail mail is checked, and kept.
    app.save_company(&owner, &org).await;
    let (status, _) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"paymentmethod": "invoice", "invoicedeliverymethod": "mail", "invoiceemail": "bad"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, body) = call(&app, "customer/settings", &number, &key, json!({})).await;
    assert_eq!(
        body["response"]["settings"]["paymentmethod"], "none",
        "all or nothing"
    );
    let (status, body) = call(&app, "customer/settings", &number, &key, json!({"paymentmethod": "INVOICE", "invoicedeliverymethod": "mail", "invoiceemail": "ap@example.se"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["response"]["settings"]["invoicedeliverymethod"],
        "mail"
    );
    assert_eq!(
        body["response"]["settings"]["invoiceemail"],
        "ap@example.se"
    );
    // Only the address: the delivery stays.
    let (_, body) = call(
        &app,
        "customer/settings",
        &number,
        &key,
        json!({"invoiceemail": "ap2@example.se"}),
    )
    .await;
    assert_eq!(
        body["response"]["settings"]["invoicedeliverymethod"],
        "mail"
    );

    // A temporary key is no browser session, and a browser's cookie no key.
    let response = client
        .get(app.url(&format!("/organizations/{org}/api-keys")))
        .header("cookie", format!("orgpanel_session={temporary}"))
        .send()
        .await
        .expect("page");
    assert!(response.status().is_redirection(), "to log in");
    let cookie = app
        .login(&client, "owner@example.com", "password123")
        .await
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("orgpanel_session="))
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let (status, _) = call(
        &app,
        "user/details",
        "owner@example.com",
        &cookie,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Temporary keys are rate limited too.
    for _ in 0..orgpanel::api_keys::API_CALLS.limit {
        call(
            &app,
            "user/details",
            "owner@example.com",
            &temporary,
            json!({}),
        )
        .await;
    }
    let (status, _) = call(
        &app,
        "user/details",
        "owner@example.com",
        &temporary,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Per person: logging in again gives no fresh quota.
    let (status, _) = call(
        &app,
        "user/login",
        "",
        "",
        json!({"username": "owner@example.com", "password": "password123"}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // A password is never sent in a URL.
    let response = client
        .get(app.url("/api/user/login?username=owner@example.com&password=password123"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    let response = client
        .post(app.url("/api/user/login?password=password123"))
        .form(&[("username", "owner@example.com")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Times are RFC 3339; the openapi document refuses other methods in the envelope.
    app.clock.advance(61);
    let (_, body) = call(&app, "service/list", &number, &key, json!({})).await;
    assert_eq!(body["response"]["services"], json!([]));
    let response = client
        .post(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET");
    let body: Value = response.json().await.expect("envelope");
    assert_envelope(&body, StatusCode::METHOD_NOT_ALLOWED);
    let (status, body) = call(
        &app,
        "user/login",
        "",
        "",
        json!({"username": "", "password": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&body).starts_with("username: "), "{body}");
}

#[tokio::test]
async fn a_key_goes_with_its_makers_role_and_an_owner_key_is_an_owners_to_revoke() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    let mut team = app.team(&org).await.into_iter();
    let (_, admin) = team.next().expect("admin");
    let (admin_key, _) = make_key(&app, &admin, &org, "admin").await;
    let (member_key_by_admin, _) = make_key(&app, &admin, &org, "member").await;
    let (owner_key, _) = make_key(&app, &owner, &org, "owner").await;

    // An Admin sees no Revoke for an Owner key and cannot revoke one.
    let owner_key_id: String =
        sqlx::query_scalar("SELECT public_id FROM api_keys WHERE role = 'owner'")
            .fetch_one(app.db())
            .await
            .expect("key");
    let page = app
        .page(&admin, &format!("/organizations/{org}/api-keys"))
        .await
        .1;
    assert_eq!(
        page.matches(">Revoke</button>").count(),
        2,
        "not the Owner key's"
    );
    let response = app
        .post_form(
            &admin,
            &format!("/organizations/{org}/api-keys"),
            &[("intent", "revoke"), ("key", &owner_key_id)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Descriptions tell keys apart.
    let response = app
        .post_form(
            &owner,
            &format!("/organizations/{org}/api-keys"),
            &[
                ("intent", "create"),
                ("description", "Deploy script"),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The same form sent twice (a reload) makes one key.
    let request = "form-1";
    for expected in [StatusCode::CREATED, StatusCode::CONFLICT] {
        let response = app
            .post_form(
                &owner,
                &format!("/organizations/{org}/api-keys"),
                &[
                    ("intent", "create"),
                    ("description", "Twice"),
                    ("role", "member"),
                    ("request", request),
                ],
            )
            .await;
        assert_eq!(response.status(), expected);
    }
    assert_eq!(
        app.count("SELECT count(*) FROM api_keys WHERE description = 'Twice'")
            .await,
        1
    );

    // Demoted to Member: the Admin's keys are revoked (a Member makes none).
    let admin_id = {
        let (_, body) = call(
            &app,
            "customer/listcollaborators",
            &number,
            &owner_key,
            json!({}),
        )
        .await;
        body["response"]["collaborators"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["email"] == "admin@example.com")
            .map(|c| c["collaboratorid"].as_str().expect("id").to_owned())
            .expect("admin")
    };
    let (status, _) = call(
        &app,
        "customer/editcollaborator",
        &number,
        &owner_key,
        json!({"collaboratorid": admin_id, "role": "member"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for key in [&admin_key, &member_key_by_admin] {
        let (status, _) = call(&app, "customer/settings", &number, key, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // …and stay revoked when the role comes back.
    let (status, _) = call(
        &app,
        "customer/editcollaborator",
        &number,
        &owner_key,
        json!({"collaboratorid": admin_id, "role": "admin"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, "customer/settings", &number, &admin_key, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let activity = app
        .page(&owner, &format!("/organizations/{org}/activity"))
        .await
        .1;
    assert!(
        activity.contains("Deploy script (its maker is now Member)"),
        "logged with why"
    );

    // An invitation sent through a key does not quote the key's description.
    let (status, _) = call(
        &app,
        "customer/addcollaborator",
        &number,
        &owner_key,
        json!({"email": "new@example.com", "role": "member"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let message = app
        .smtp
        .wait_for("new@example.com", 5)
        .await
        .expect("the invitation")
        .body;
    assert!(
        message.contains("You are invited to join Example AB on Orgpanel as Member."),
        "{message}"
    );
    assert!(!message.contains("Deploy script"));
}

/// A card through the API: the card page it hands out, opened in a browser
/// with no panel session, comes back to a page of its own that records it.
#[tokio::test]
async fn a_card_added_on_the_page_the_api_hands_out_is_recorded_without_a_session() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let number = customer_number(&app, &org).await;
    app.save_company(&owner, &org).await;
    let (key, _) = make_key(&app, &owner, &org, "billing").await;
    let (status, body) = call(&app, "paymentcard/add", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let card_page = TestApp::path_of(
        body["response"]["paymentcard"]["url"]
            .as_str()
            .expect("url"),
    );
    let browser = app.client();
    let response = app
        .post_form(
            &browser,
            &card_page,
            &[
                ("number", "4242424242424242"),
                ("expiry", "12/30"),
                ("cvc", "123"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = TestApp::path_of(&crate::common::location(&response));
    assert!(back.starts_with("/card-setups/"), "{back}");
    let (status, html) = app.page(&browser, &back).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Credit card added") && html.contains("4242"),
        "{html}"
    );
    let (_, body) = call(&app, "customer/settings", &number, &key, json!({})).await;
    let settings = &body["response"]["settings"];
    assert_eq!(settings["paymentmethod"], "card");
    assert_eq!(settings["paymentcard"], 1, "the organization's first card");
    assert_eq!(settings["billingready"], "yes");
    let (_, body) = call(&app, "paymentcard/list", &number, &key, json!({})).await;
    assert_eq!(body["response"]["paymentcards"][0]["lastfour"], "4242");
    let (_, body) = call(&app, "payment/list", &number, &key, json!({})).await;
    let date = body["response"]["payments"][0]["date"]
        .as_str()
        .expect("date");
    assert!(
        date.ends_with("+00:00") && date.contains('T'),
        "RFC 3339: {date}"
    );
    let activity = app
        .page(&owner, &format!("/organizations/{org}/activity"))
        .await
        .1;
    assert!(activity.contains("API key “Deploy script”") && activity.contains("Credit card added"));
    // The same through a person's temporary key: its own page, no session.
    let temporary = temporary_key(&app, "owner@example.com").await;
    let (status, body) = call(&app, "paymentcard/add", &number, &temporary, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let card_page = TestApp::path_of(
        body["response"]["paymentcard"]["url"]
            .as_str()
            .expect("url"),
    );
    let response = app
        .post_form(
            &app.client(),
            &card_page,
            &[
                ("number", "5555555555554444"),
                ("expiry", "12/31"),
                ("cvc", "123"),
            ],
        )
        .await;
    let back = TestApp::path_of(&crate::common::location(&response));
    assert!(back.starts_with("/card-setups/"), "{back}");
    // A made-up setup id shows nothing.
    let (status, _) = app.page(&browser, "/card-setups/aaaaaaaaaaaaaaaa").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
