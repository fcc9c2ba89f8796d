//! Two-factor log-in: set up from the Account page with a QR code and a
//! key, turned on by one code from the app, ten recovery codes shown once;
//! asked for after the password on the page and in `user/login`; codes
//! work once, within one step of drift, a few tries per log-in; turning it
//! off takes the password and a code; an Owner may require it of every
//! collaborator. Codes are computed here from the shared secret, as an
//! authenticator app does (RFC 6238).

use super::api::{call, customer_number, make_key};
use super::common::{assert_redirect, location, logs, session_cookie, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "password123";

/// The app's code for `secret` (base32, as the page shows it, spaces and
/// all) at `time` (Unix seconds).
fn code(secret: &str, time: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret.replace(' ', "")).expect("base32");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("totp")
        .generate(u64::try_from(time).unwrap())
        .to_string()
}

/// The text between `start` and `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    Some(&html[from..from + html[from..].find(end)?])
}

/// Turns two-factor log-in on for the signed-in `client` through the
/// Account page; the secret (as shown) and the recovery codes.
async fn turn_on(app: &TestApp, client: &Client) -> (String, Vec<String>) {
    let (_, page) = app.page(client, "/account").await;
    assert!(page.contains("Set up two-factor log-in"), "{page}");
    let started = app
        .post_form(client, "/account", &[("intent", "two-factor-setup")])
        .await;
    assert_redirect(&started, "/account?setup=two-factor#two-factor-heading");
    let (_, page) = app.page(client, "/account").await;
    assert!(page.contains("<svg"), "a QR code rendered by the server");
    let secret = between(&page, r#"<code class="secret">"#, "</code>")
        .expect("the key to type")
        .to_owned();
    assert_eq!(secret.replace(' ', "").len(), 32, "160 bits in base32");
    let setup = between(&page, r#"name="setup" value=""#, "\"")
        .expect("the set-up's fingerprint")
        .to_owned();
    let confirm = |password: &'static str, code: String| {
        let setup = setup.clone();
        async move {
            app.post_form(
                client,
                "/account",
                &[
                    ("intent", "two-factor-confirm"),
                    ("setup", &setup),
                    ("password", password),
                    ("code", &code),
                ],
            )
            .await
        }
    };
    let now = app.clock.now();
    for (password, code, says) in [
        (
            PASSWORD,
            "000000".to_owned(),
            "not the code the app shows now",
        ),
        // A session left open somewhere cannot turn it on (and lock its owner out).
        ("", code(&secret, now), "Enter your current password"),
        (
            "not it",
            code(&secret, now),
            "That is not your current password",
        ),
    ] {
        let refused = confirm(password, code).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(refused.text().await.unwrap().contains(says), "{says}");
    }
    let on = confirm(PASSWORD, code(&secret, now)).await;
    assert_eq!(on.status(), StatusCode::OK);
    let page = on.text().await.unwrap();
    let list = between(&page, r#"<ol class="recovery-codes">"#, "</ol>").expect("the codes");
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .map(|part| part.split("</code>").next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert!(codes
        .iter()
        .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
    (secret, codes)
}

/// Logs in `email` with the password from a fresh browser: the browser,
/// now waiting for its code.
async fn password_step(app: &TestApp, email: &str) -> Client {
    let browser = app.client();
    let response = app.login(&browser, email, PASSWORD).await;
    assert_redirect(&response, "/login/code");
    assert!(
        session_cookie(response.headers()).is_none(),
        "no session before the code"
    );
    browser
}

async fn answer(app: &TestApp, browser: &Client, code: &str) -> reqwest::Response {
    app.post_form(browser, "/login/code", &[("code", code)])
        .await
}

#[tokio::test]
async fn set_up_with_a_qr_code_and_one_code_which_shows_ten_recovery_codes_once() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let laptop = app.client();
    assert_redirect(&app.login(&laptop, "anna@example.com", PASSWORD).await, "/");
    let key = super::api::temporary_key(&app, "anna@example.com").await;
    let (secret, codes) = turn_on(&app, &anna).await;
    // Sessions made with the password alone end: they would bypass the code.
    assert!(location(&app.get(&laptop, "/").await).starts_with("/login"));
    let (status, _) = call(&app, "user/details", "anna@example.com", &key, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(&anna, "/").await.status(),
        StatusCode::OK,
        "this one stays"
    );

    let (_, page) = app.page(&anna, "/account").await;
    assert!(page.contains("10 of 10 recovery codes left"), "{page}");
    assert!(!page.contains(&codes[0]), "recovery codes are shown once");
    assert!(
        !page.contains(&secret),
        "the key is shown only during set-up"
    );
    assert!(
        page.contains("Two-factor log-in turned on"),
        "a security event"
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(app.db())
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(codes
        .iter()
        .all(|code| stored.iter().all(|hash| !hash.contains(&code[..5]))));
    assert!(app
        .smtp
        .wait_for_body("anna@example.com", "Two-factor log-in was turned on", 10)
        .await
        .is_some());

    // A second "Turn on" (a double click with JavaScript off): its refusal
    // leads the page, where it is seen, and changes nothing.
    let twice = app
        .post_form(
            &anna,
            "/account",
            &[
                ("intent", "two-factor-confirm"),
                ("setup", "x"),
                ("password", PASSWORD),
                ("code", "123456"),
            ],
        )
        .await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    let page = twice.text().await.unwrap();
    let refusal = page.find("already on").expect("the refusal is shown");
    assert!(
        refusal < page.find("profile-heading").unwrap(),
        "above Profile"
    );

    // Set-up again while on: refused, nothing changes.
    let again = app
        .post_form(&anna, "/account", &[("intent", "two-factor-setup")])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        app.count("SELECT count(*) FROM recovery_codes WHERE used_at IS NULL")
            .await,
        10
    );
}

#[tokio::test]
async fn log_in_asks_for_a_code_that_works_once_within_a_step_of_drift() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let (secret, _) = turn_on(&app, &anna).await;

    // The password alone opens nothing.
    let browser = password_step(&app, "anna@example.com").await;
    assert!(location(&app.get(&browser, "/").await).starts_with("/login"));
    let (status, page) = app.page(&browser, "/login/code").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Enter the 6-digit code"));

    // The code that turned it on was used: the same step is refused.
    let replayed = answer(&app, &browser, &code(&secret, app.clock.now())).await;
    assert_eq!(replayed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(replayed
        .text()
        .await
        .unwrap()
        .contains("already used. Wait for the next one"));

    // A minute later the previous step's code (a slow phone) is still accepted.
    app.clock.advance(60);
    let late = code(&secret, app.clock.now() - 30);
    assert_eq!(
        answer(&app, &browser, &code(&secret, app.clock.now() - 90))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "three steps old"
    );
    let mut late_spaced = late.clone();
    late_spaced.insert(3, ' ');
    let done = answer(&app, &browser, &late_spaced).await;
    assert_redirect(&done, "/");
    assert!(session_cookie(done.headers()).is_some());
    assert_eq!(app.get(&browser, "/").await.status(), StatusCode::OK);

    // The same code in another log-in: refused (RFC 6238 5.2: once).
    let other = password_step(&app, "anna@example.com").await;
    assert_eq!(
        answer(&app, &other, &late).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.clock.advance(30);
    assert_redirect(
        &answer(&app, &other, &code(&secret, app.clock.now())).await,
        "/",
    );

    // Five tries per log-in: then even the right code needs the password again.
    app.clock.advance(30);
    let guesser = password_step(&app, "anna@example.com").await;
    for guess in ["111111", "222222", "333333", "444444", "555555"] {
        assert_eq!(
            answer(&app, &guesser, guess).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let refused = answer(&app, &guesser, &code(&secret, app.clock.now())).await;
    assert!(refused.text().await.unwrap().contains("Log in again"));
    assert!(location(&app.get(&guesser, "/").await).starts_with("/login"));

    // A log-in left waiting ten minutes has expired.
    let slow = password_step(&app, "anna@example.com").await;
    app.clock.advance(10 * 60);
    let expired = answer(&app, &slow, &code(&secret, app.clock.now())).await;
    assert!(expired.text().await.unwrap().contains("expired"));

    // A reset link proves the address, not the phone: the code is still asked.
    let reset_browser = app.client();
    app.post_form(
        &reset_browser,
        "/forgot-password",
        &[("email", "anna@example.com")],
    )
    .await;
    let link = app
        .emailed_link("anna@example.com", "/reset-password/")
        .await;
    let reset = app
        .post_form(&reset_browser, &link, &[("password", "a new password 9")])
        .await;
    assert_eq!(location(&reset), "/login/code?next=/%3Fpassword%3Dchanged");
    assert!(session_cookie(reset.headers()).is_none());
}

#[tokio::test]
async fn a_recovery_code_logs_in_once_and_is_a_security_event() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let (_, codes) = turn_on(&app, &anna).await;

    let browser = password_step(&app, "anna@example.com").await;
    // As people type them: upper case, without the hyphen.
    let typed = codes[3].replace('-', "").to_uppercase();
    assert_redirect(&answer(&app, &browser, &typed).await, "/");
    assert!(app
        .smtp
        .wait_for_body("anna@example.com", "recovery codes instead", 10)
        .await
        .is_some());
    let (_, page) = app.page(&browser, "/account").await;
    assert!(page.contains("9 of 10 recovery codes left"), "{page}");
    assert!(page.contains("Logged in with a recovery code"));

    let again = password_step(&app, "anna@example.com").await;
    assert_eq!(
        answer(&app, &again, &codes[3]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "used up"
    );
    assert_redirect(&answer(&app, &again, &codes[4]).await, "/");
}

#[tokio::test]
async fn user_login_takes_otp_and_says_when_it_is_needed_or_wrong() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let (secret, _) = turn_on(&app, &anna).await;
    let login = |otp: Option<String>| {
        let app = &app;
        async move {
            let mut args = json!({"username": "anna@example.com", "password": PASSWORD});
            if let Some(otp) = otp {
                args["otp"] = Value::String(otp);
            }
            let response = Client::new()
                .post(app.url("/api/user/login"))
                .json(&args)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = login(None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let text = body["response"]["status"]["text"].as_str().unwrap();
    assert!(text.contains("send otp"), "{text}");
    assert_eq!(body["response"]["debug"]["input"]["password"], "***");

    let (status, body) = login(Some("123456".into())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["response"]["status"]["text"]
        .as_str()
        .unwrap()
        .contains("wrong or was already used"));

    app.clock.advance(30);
    let otp = code(&secret, app.clock.now());
    let (status, body) = login(Some(otp.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["response"]["debug"]["input"]["otp"], "***");
    let key = body["response"]["login"]["apikey"].as_str().unwrap();
    let (status, _) = call(&app, "user/details", "anna@example.com", key, json!({})).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = login(Some(otp)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code works once");

    // Ten wrong codes an hour, counted apart from passwords: a reset (which
    // clears failed passwords) frees no more guesses.
    for guess in 0..8 {
        let (status, _) = login(Some(format!("{:06}", 100_000 + guess))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = login(Some("999999".into())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    app.post_form(
        &app.client(),
        "/forgot-password",
        &[("email", "anna@example.com")],
    )
    .await;
    let link = app
        .emailed_link("anna@example.com", "/reset-password/")
        .await;
    app.post_form(&app.client(), &link, &[("password", PASSWORD)])
        .await;
    let (status, _) = login(Some("999998".into())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn turning_it_off_takes_the_password_and_a_code() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let (secret, _) = turn_on(&app, &anna).await;
    app.clock.advance(30);
    let now_code = code(&secret, app.clock.now());
    for (password, code, says) in [
        (
            "wrong password",
            now_code.as_str(),
            "not your current password",
        ),
        (PASSWORD, "", "Enter the code"),
        (PASSWORD, "999999", "wrong or was already used"),
    ] {
        let refused = app
            .post_form(
                &anna,
                "/account",
                &[
                    ("intent", "two-factor-off"),
                    ("password", password),
                    ("code", code),
                ],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains(says), "{says}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM two_factor WHERE enabled_at IS NOT NULL")
            .await,
        1
    );
    let off = app
        .post_form(
            &anna,
            "/account",
            &[
                ("intent", "two-factor-off"),
                ("password", PASSWORD),
                ("code", &now_code),
            ],
        )
        .await;
    assert_redirect(&off, "/account?saved=two-factor-off");
    assert_eq!(app.count("SELECT count(*) FROM two_factor").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM recovery_codes").await, 0);
    assert!(app
        .smtp
        .wait_for_body("anna@example.com", "password alone logs in again", 10)
        .await
        .is_some());
    assert_redirect(
        &app.login(&app.client(), "anna@example.com", PASSWORD).await,
        "/",
    );
}

#[tokio::test]
async fn an_owner_may_require_it_of_every_collaborator_but_not_of_api_keys() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let member = app.user("Mia Member", "member@example.com").await;
    app.add_member(&org, "member@example.com", "member").await;
    let admin = app.user("Adam Admin", "admin@example.com").await;
    app.add_member(&org, "admin@example.com", "admin").await;
    let settings = format!("/organizations/{org}/settings");
    let require = [("intent", "two-factor"), ("required", "yes")];

    // Only an Owner, and only one who has it on.
    assert_eq!(
        app.post_form(&admin, &settings, &require).await.status(),
        StatusCode::FORBIDDEN
    );
    let refused = app.post_form(&owner, &settings, &require).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("your own account first"));
    turn_on(&app, &owner).await;
    let (key, _) = make_key(&app, &owner, &org, "member").await;
    assert_redirect(
        &app.post_form(&owner, &settings, &require).await,
        &format!("{settings}?security=1#two-factor"),
    );
    let (_, page) = app.page(&owner, &settings).await;
    assert!(page.contains("Stop requiring it"));
    let (_, log) = app
        .page(&owner, &format!("/organizations/{org}/activity"))
        .await;
    assert!(log.contains("Two-factor log-in required of every collaborator"));

    // A collaborator without it sees the way to set it up, on every page and form.
    for path in ["", "/services", "/settings", "/billing", "/collaborators"] {
        let (status, page) = app
            .page(&member, &format!("/organizations/{org}{path}"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Two-factor log-in required"), "{path}");
        assert!(page.contains(r#"href="/account#two-factor-heading""#));
    }
    let create = app.create_service(&member, &org, "web-1").await;
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
    // So does their user/login key; the organization's API key works on.
    let number = customer_number(&app, &org).await;
    let person_key = super::api::temporary_key(&app, "member@example.com").await;
    let (status, body) = call(&app, "service/list", &number, &person_key, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["response"]["status"]["text"]
        .as_str()
        .unwrap()
        .contains("requires two-factor log-in"));
    let (status, _) = call(&app, "service/list", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::OK);

    // user/listorganizations leaves it out and lists the rest.
    app.create_org(&member, "Mia's Own").await;
    let (status, body) = call(
        &app,
        "user/listorganizations",
        "member@example.com",
        &person_key,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed: Vec<&str> = body["response"]["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["Mia's Own"]);
    // Without it, one may still leave, from the page that says so.
    assert!(page_of_member_shows_leave(&app, &member, &org).await);
    let leaver = app.user("Lea Leaver", "leaver@example.com").await;
    app.add_member(&org, "leaver@example.com", "member").await;
    let left = app
        .post_form(
            &leaver,
            &format!("/organizations/{org}/collaborators"),
            &[("intent", "leave")],
        )
        .await;
    assert_redirect(&left, "/?left=1");

    // Once the member turns it on, the organization opens again.
    turn_on(&app, &member).await;
    let (status, _) = app.page(&member, &format!("/organizations/{org}")).await;
    assert_eq!(status, StatusCode::OK);
    // The owner stops requiring it.
    assert_redirect(
        &app.post_form(
            &owner,
            &settings,
            &[("intent", "two-factor"), ("required", "no")],
        )
        .await,
        &format!("{settings}?security=1#two-factor"),
    );
    let (status, _) = app.page(&admin, &format!("/organizations/{org}")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn no_key_code_or_challenge_reaches_the_log() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let (secret, codes) = turn_on(&app, &anna).await;
    let browser = app.client();
    let response = app.login(&browser, "anna@example.com", PASSWORD).await;
    let challenge = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("orgpanel_login="))
        .and_then(|v| v.split(';').next())
        .expect("the challenge cookie")
        .to_owned();
    assert_eq!(challenge.len(), 43);
    answer(&app, &browser, "999999").await;
    let done = answer(&app, &browser, &codes[0]).await;
    let session = session_cookie(done.headers()).expect("a session");
    let logs = logs();
    let spaceless = secret.replace(' ', "");
    for (what, value) in [
        ("the key", spaceless.as_str()),
        ("the key as shown", secret.as_str()),
        ("the challenge", challenge.as_str()),
        ("the session", session.as_str()),
    ]
    .into_iter()
    .chain(codes.iter().map(|c| ("a recovery code", c.as_str())))
    {
        assert!(
            !logs.contains(value),
            "{what} is in the log: {}",
            logs.lines()
                .find(|line| line.contains(value))
                .unwrap_or_default()
        );
    }
    let stored: Option<String> = sqlx::query_scalar("SELECT token_hash FROM login_challenges")
        .fetch_optional(app.db())
        .await
        .unwrap();
    assert!(stored.is_none(), "a finished log-in leaves no challenge");
}

#[tokio::test]
async fn a_set_up_begun_again_in_another_tab_is_told_not_as_a_wrong_code() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    app.post_form(&anna, "/account", &[("intent", "two-factor-setup")])
        .await;
    let (_, first) = app.page(&anna, "/account").await;
    let first_key = between(&first, r#"<code class="secret">"#, "</code>").unwrap();
    let first_setup = between(&first, r#"name="setup" value=""#, "\"").unwrap();
    // Another tab starts over: a new key.
    app.post_form(&anna, "/account", &[("intent", "two-factor-setup")])
        .await;
    let refused = app
        .post_form(
            &anna,
            "/account",
            &[
                ("intent", "two-factor-confirm"),
                ("setup", first_setup),
                ("password", PASSWORD),
                ("code", &code(first_key, app.clock.now())),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let page = refused.text().await.unwrap();
    assert!(page.contains("started again in another tab"), "{page}");
    assert!(!page.contains(first_key), "the page shows the new key");
    assert_eq!(
        app.count("SELECT count(*) FROM two_factor WHERE enabled_at IS NOT NULL")
            .await,
        0
    );
}

async fn page_of_member_shows_leave(app: &TestApp, member: &Client, org: &str) -> bool {
    let (_, page) = app.page(member, &format!("/organizations/{org}")).await;
    page.contains(&format!(r#"action="/organizations/{org}/collaborators""#))
        && page.contains(r#"value="leave""#)
        && page.contains("Leave Example AB")
}
