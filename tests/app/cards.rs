//! Credit cards through the sandbox provider: every test card, exactly
//! once under double clicks and parallel tabs, the refund job across a
//! restart, expiry and replacement, rate limits, and no card number in the
//! database, its WAL or the logs.

use super::common::{self, assert_redirect, TestApp};
use orgpanel::error::NOT_READY;
use reqwest::{Client, StatusCode};
use std::time::Duration;

const PASSWORD: &str = "password123";

/// Every card number the tests type.
const NUMBERS: [&str; 8] = [
    "4242424242424242",
    "4000002760003184",
    "4000000000000002",
    "4000000000009995",
    "4000000000000069",
    "4000000000000127",
    "5555555555554444",
    "4242424242424241",
];

fn location(response: &reqwest::Response) -> String {
    TestApp::path_of(&common::location(response))
}

/// "Continue" with Credit card: the path of the provider's card page.
async fn start(app: &TestApp, client: &Client, org: &str) -> String {
    let response = app
        .billing(client, org, &[("intent", "method"), ("method", "card")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert!(to.starts_with("/sandbox-pay/setup/cs_"), "{to}");
    to
}

pub(crate) async fn submit(
    app: &TestApp,
    client: &Client,
    card_page: &str,
    number: &str,
    expiry: &str,
    cvc: &str,
) -> reqwest::Response {
    app.post_form(
        client,
        card_page,
        &[("number", number), ("expiry", expiry), ("cvc", cvc)],
    )
    .await
}

/// Follows the provider's redirect back to the panel's result page.
pub(crate) async fn come_back(
    app: &TestApp,
    client: &Client,
    response: &reqwest::Response,
) -> (StatusCode, String) {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = location(response);
    assert!(back.contains("/billing/card?setup="), "{back}");
    app.page(client, &back).await
}

/// The whole flow with one card; returns the result page.
pub(crate) async fn add_card(
    app: &TestApp,
    client: &Client,
    org: &str,
    number: &str,
    expiry: &str,
) -> String {
    let card_page = start(app, client, org).await;
    let response = submit(app, client, &card_page, number, expiry, "123").await;
    let (status, html) = come_back(app, client, &response).await;
    assert_eq!(status, StatusCode::OK);
    html
}

async fn method(app: &TestApp) -> Option<String> {
    sqlx::query_scalar("SELECT method FROM billing")
        .fetch_optional(app.db())
        .await
        .unwrap()
        .flatten()
}

#[tokio::test]
async fn every_test_card_has_its_outcome_and_a_failure_leaves_the_method_alone() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.make_ready(&anna, &org).await;

    for (number, reason) in [
        ("4000000000000002", "The card was declined by its bank."),
        (
            "4000000000009995",
            "there is not enough money on the account",
        ),
        ("4000000000000069", "because it has expired"),
        ("4000000000000127", "the security code (CVC) was wrong"),
    ] {
        let html = add_card(&app, &anna, &org, number, "12/30").await;
        assert!(html.contains("Credit card not added"), "{number}");
        assert!(html.contains(reason), "{number}: {reason}");
        assert!(html.contains("your method of payment has not changed"));
        assert_eq!(method(&app).await.as_deref(), Some("invoice"), "{number}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM sandbox_payments").await,
        0,
        "nothing charged"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Card setup failed'")
            .await,
        4
    );

    // Identification, cancelled: a failure too.
    let card_page = start(&app, &anna, &org).await;
    let response = submit(
        &app,
        &anna,
        &card_page,
        "4000 0027 6000 3184",
        "12/30",
        "123",
    )
    .await;
    let identify = location(&response);
    assert_eq!(identify, format!("{card_page}/identify"));
    let (_, html) = app.page(&anna, &identify).await;
    assert!(
        html.contains("<h1>Identify yourself</h1>")
            && html.contains(">Approve<")
            && html.contains(">Cancel<")
    );
    let response = app
        .post_form(&anna, &identify, &[("answer", "cancel")])
        .await;
    let (_, html) = come_back(&app, &anna, &response).await;
    assert!(html.contains("The identification was cancelled"));
    assert_eq!(method(&app).await.as_deref(), Some("invoice"));
    app.stop().await;

    // Identification approved, 4242 and any other good number: each adds a card.
    for (number, last4, identify) in [
        ("4000 0027 6000 3184", "3184", true),
        ("4242 4242 4242 4242", "4242", false),
        ("5555 5555 5555 4444", "4444", false),
    ] {
        let app = TestApp::start().await;
        let anna = app.user("Anna", "anna@example.com").await;
        let org = app.create_org(&anna, "Example").await;
        app.save_company(&anna, &org).await;
        let card_page = start(&app, &anna, &org).await;
        let mut response = submit(&app, &anna, &card_page, number, "12/30", "123").await;
        if identify {
            response = app
                .post_form(&anna, &location(&response), &[("answer", "approve")])
                .await;
        }
        let (_, html) = come_back(&app, &anna, &response).await;
        assert!(html.contains("<h1>Credit card added</h1>"), "{number}");
        assert!(html.contains(
            "Your credit card has been added. Future invoices are paid automatically by card."
        ));
        assert!(html.contains(&format!("Card ending in {last4}")));
        assert!(html.contains("Expires 12/30"));
        assert_eq!(method(&app).await.as_deref(), Some("card"));
        let (_, billing) = app
            .page(&anna, &format!("/organizations/{org}/billing"))
            .await;
        assert!(billing.contains("Billing is ready"), "{number}");
        assert!(
            billing.contains("Card verification")
                && billing.contains("1.00 EUR")
                && billing.contains("Refund pending")
        );
        assert_eq!(
            app.count("SELECT count(*) FROM sandbox_payments WHERE amount_cents = 100")
                .await,
            1
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_card_details_are_refused_on_the_card_page_and_nothing_is_charged() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let card_page = start(&app, &anna, &org).await;
    let (status, html) = app.page(&anna, &card_page).await;
    assert_eq!(status, StatusCode::OK);
    for words in [
        "<h1>Card details</h1>",
        "Orgpanel",
        "1.00 EUR",
        "Test mode",
        ">Card number<",
        ">Expiry date<",
        ">Security code (CVC)<",
        ">Accept 1 EUR<",
    ] {
        assert!(html.contains(words), "{words}");
    }
    for (number, expiry, cvc, reason) in [
        (
            "4242 4242 4242 4241",
            "12/30",
            "123",
            "This card number is not valid.",
        ),
        (
            "4242 4242 4242 4242",
            "10/26",
            "123",
            "This card has expired",
        ),
        (
            "4242 4242 4242 4242",
            "12/30",
            "12",
            "Enter the 3 or 4 digit security code",
        ),
    ] {
        let response = submit(&app, &anna, &card_page, number, expiry, cvc).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains(reason), "{reason}");
        assert!(
            html.contains(r#"name="number" value="""#) && html.contains(r#"name="cvc" value="""#),
            "neither the number nor the code is sent back"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM sandbox_payments").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM sandbox_sessions WHERE status = 'open'")
            .await,
        1
    );
    assert_eq!(method(&app).await, None);
    app.stop().await;
}

#[tokio::test]
async fn double_clicks_reloads_and_parallel_tabs_charge_once_and_add_one_card() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let card_page = start(&app, &anna, &org).await;
    // "Continue" again, in another tab: the same card page, not a second one.
    assert_eq!(start(&app, &anna, &org).await, card_page);
    assert_eq!(app.count("SELECT count(*) FROM card_setups").await, 1);

    // Eight clicks on "Accept 1 EUR" at once.
    let clicks =
        (0..8).map(|_| submit(&app, &anna, &card_page, "4242424242424242", "12/30", "123"));
    let responses = futures::future::join_all(clicks).await;
    let backs: Vec<String> = responses.iter().map(location).collect();
    assert!(
        backs.iter().all(|b| b == &backs[0]),
        "every click ends at the same return page"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM sandbox_payments").await,
        1,
        "one charge"
    );

    // Eight tabs come back at once, then a reload.
    let returns = (0..8).map(|_| app.page(&anna, &backs[0]));
    for (status, html) in futures::future::join_all(returns).await {
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Credit card added"),
            "every tab shows the card"
        );
    }
    let (_, html) = app.page(&anna, &backs[0]).await;
    assert!(html.contains("Credit card added"));
    assert_eq!(app.count("SELECT count(*) FROM cards").await, 1, "one card");
    assert_eq!(
        app.count("SELECT count(*) FROM payments").await,
        1,
        "one payment"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM refund_jobs").await,
        1,
        "one refund to make"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Credit card added'")
            .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn the_verification_is_refunded_once_after_the_delay_even_across_a_restart() {
    let app = TestApp::start_with(Duration::from_secs(3600)).await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    add_card(&app, &anna, &org, "4242424242424242", "12/30").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        app.count("SELECT count(*) FROM sandbox_refunds").await,
        0,
        "not before the delay"
    );

    let app = app.restart().await;
    app.clock.advance(3601);
    let refunded = app
        .eventually("SELECT count(*) FROM payments WHERE kind = 'refund'", 1)
        .await;
    assert!(
        refunded,
        "the pending refund was taken up after the restart"
    );
    assert_eq!(app.count("SELECT count(*) FROM sandbox_refunds").await, 1);

    app.login(&anna, "anna@example.com", PASSWORD).await;
    let (_, html) = app
        .page(&anna, &format!("/organizations/{org}/billing"))
        .await;
    assert!(html.contains("<td data-label=\"Description\">Card verification</td>"));
    assert!(html.contains("<td data-label=\"Status\">Refunded</td>"));
    assert!(html.contains("<td data-label=\"Description\">Refund</td>"));
    let (_, activity) = app
        .page(&anna, &format!("/organizations/{org}/activity"))
        .await;
    assert!(
        activity.contains(r#"<td dir="auto">Orgpanel</td><td dir="auto">Card verification refunded: 1.00 EUR</td>"#),
        "{activity}"
    );
    app.stop().await;
}

#[tokio::test]
async fn eight_runs_of_the_refund_job_at_once_refund_a_due_charge_once() {
    let app = TestApp::start_with(Duration::from_secs(3600)).await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    add_card(&app, &anna, &org, "4242424242424242", "12/30").await;
    // Due now: one run takes it under a lease (the app's own worker may be
    // that one), the others find nothing to do.
    app.clock.advance(3601);
    let state = app.running.state.clone();
    let runs =
        futures::future::join_all((0..8).map(|_| orgpanel::billing::card::refund_due(&state)))
            .await;
    let refunded: usize = runs.into_iter().map(Result::unwrap).sum();
    assert!(refunded <= 1, "{refunded} runs recorded the refund");
    assert!(
        app.eventually("SELECT count(*) FROM payments WHERE kind = 'refund'", 1)
            .await
    );
    assert_eq!(app.count("SELECT count(*) FROM sandbox_refunds").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_card_stops_services_until_a_new_card_replaces_it() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;
    let billing = format!("/organizations/{org}/billing");
    // 2026-11-28 (the test clock's start): a card that expires at the end of next month.
    let html = add_card(&app, &anna, &org, "5555555555554444", "12/26").await;
    assert!(html.contains("Card ending in 4444"));
    let warning = "Your credit card expires at the end of 12/26.";
    let (_, html) = app.page(&anna, &billing).await;
    assert!(!html.contains(warning), "33 days before the end of 12/26");
    // December has 31 days: the 30-day warning starts on 2026-12-02, not the 1st.
    for (at, warned) in [(1_796_126_400, false), (1_796_169_600, true)] {
        app.clock.set(at);
        app.login(&anna, "anna@example.com", PASSWORD).await;
        let (_, html) = app.page(&anna, &billing).await;
        assert_eq!(html.contains(warning), warned, "at {at}");
        assert!(!html.contains("has expired"));
    }

    // To 2027-01-02: expired.
    app.clock.set(1_798_848_000);
    app.login(&anna, "anna@example.com", PASSWORD).await;
    let (_, html) = app.page(&anna, &billing).await;
    assert!(html.contains("Your credit card has expired"));
    assert!(html.contains(">Replace the expired credit card</a>"));
    let response = app.create_service(&anna, &org, "web-1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains(NOT_READY));

    // A declined attempt keeps the old card in force.
    let html = add_card(&app, &anna, &org, "4000000000000002", "12/30").await;
    assert!(html.contains("Credit card not added"));
    let (_, html) = app.page(&anna, &billing).await;
    assert!(html.contains("Card ending in 4444"));

    let html = add_card(&app, &anna, &org, "4242424242424242", "12/30").await;
    assert!(html.contains("It replaces the previous card."));
    let (_, html) = app.page(&anna, &billing).await;
    assert!(html.contains("Card ending in 4242") && html.contains("Expires 12/30"));
    assert!(!html.contains("Card ending in 4444") && !html.contains("has expired"));
    assert!(html.contains("Billing is ready"));
    assert_eq!(
        app.create_service(&anna, &org, "web-1").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count("SELECT count(*) FROM cards WHERE replaced_at IS NULL")
            .await,
        1
    );
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM activity WHERE action = 'Credit card replaced'")
            .fetch_one(app.db())
            .await
            .unwrap();
    assert_eq!(
        detail,
        "Visa ending in 4242, expires 12/30, replaces the card ending in 4444"
    );
    app.stop().await;
}

#[tokio::test]
async fn switching_to_invoice_keeps_the_card_and_switching_back_needs_no_new_charge() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.make_ready(&anna, &org).await;
    add_card(&app, &anna, &org, "4242424242424242", "12/30").await;
    assert_eq!(method(&app).await.as_deref(), Some("card"));
    let invoice = [("intent", "method"), ("method", "invoice")];
    assert_eq!(
        app.billing(&anna, &org, &invoice).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, html) = app
        .page(&anna, &format!("/organizations/{org}/billing"))
        .await;
    assert!(
        html.contains("Billing is ready"),
        "the invoice setup was complete"
    );
    assert!(html.contains("Card ending in 4242") && html.contains("Kept on file"));

    let response = app
        .billing(&anna, &org, &[("intent", "method"), ("method", "card")])
        .await;
    assert_eq!(
        location(&response),
        format!("/organizations/{org}/billing?saved=method")
    );
    assert_eq!(method(&app).await.as_deref(), Some("card"));
    assert_eq!(
        app.count("SELECT count(*) FROM card_setups").await,
        1,
        "no new setup"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM sandbox_payments").await,
        1,
        "no new charge"
    );
    app.stop().await;
}

#[tokio::test]
async fn card_setups_are_rate_limited_per_organization_and_per_account() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let orgs = [
        app.create_org(&anna, "One").await,
        app.create_org(&anna, "Two").await,
        app.create_org(&anna, "Three").await,
    ];
    // Card testing: one declined card after another, each a new setup.
    for org in [&orgs[0], &orgs[1]] {
        for _ in 0..5 {
            let html = add_card(&app, &anna, org, "4000000000000002", "12/30").await;
            assert!(html.contains("Credit card not added"));
        }
    }
    let card = [("intent", "method"), ("method", "card")];
    let response = app.billing(&anna, &orgs[0], &card).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Too many attempts to add a card. Try again in 60 minutes."));
    // The account's own limit: ten within the hour, across organizations.
    assert_eq!(
        app.billing(&anna, &orgs[2], &card).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(app.count("SELECT count(*) FROM card_setups").await, 10);
    app.clock.advance(3601);
    app.login(&anna, "anna@example.com", PASSWORD).await;
    assert_eq!(
        app.billing(&anna, &orgs[2], &card).await.status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

#[tokio::test]
async fn only_owner_and_billing_add_cards_and_see_payments() {
    let app = TestApp::start().await;
    let owner = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    add_card(&app, &owner, &org, "4242424242424242", "12/30").await;
    let team = app.team(&org).await;
    let card = [("intent", "method"), ("method", "card")];
    for (role, client) in &team {
        let response = app.billing(client, &org, &card).await;
        let may = *role == "billing";
        assert_eq!(
            response.status(),
            if may {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "{role}"
        );
        let (_, html) = app
            .page(client, &format!("/organizations/{org}/billing"))
            .await;
        assert_eq!(
            html.contains("Card verification"),
            may,
            "{role} and payments"
        );
        // Every role sees that a card pays; only those who handle money its digits.
        assert!(html.contains("Credit card"), "{role} sees the method");
        assert_eq!(html.contains("4242"), may, "{role} and the card's digits");
        let (_, overview) = app.page(client, &format!("/organizations/{org}")).await;
        assert_eq!(overview.contains("4242"), may, "{role}: the overview too");
    }
    let setup: String = sqlx::query_scalar("SELECT public_id FROM card_setups ORDER BY id LIMIT 1")
        .fetch_one(app.db())
        .await
        .unwrap();
    let outsider = app.user("Mallory", "mallory@example.com").await;
    let (status, html) = app
        .page(
            &outsider,
            &format!("/organizations/{org}/billing/card?setup={setup}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("4242"));
    app.stop().await;
}

/// `needle` in `haystack` with no digit on either side.
fn standalone(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let digit_before = haystack[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let digit_after = haystack[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        !digit_before && !digit_after
    })
}

/// Drives every test card through the flow, then scans the database, its
/// WAL and the debug logs for the numbers and the security codes.
#[tokio::test]
async fn no_card_number_or_security_code_reaches_the_database_its_wal_or_the_logs() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    // A security code of its own for each card, four digits that appear
    // nowhere else, so that finding one anywhere means it was kept.
    let code = |i: usize| format!("{}", 9_081 + 7 * i);
    for (i, number) in NUMBERS.iter().enumerate() {
        let org = app.create_org(&anna, &format!("Org {i}")).await;
        let card_page = start(&app, &anna, &org).await;
        let response = submit(&app, &anna, &card_page, number, "12/30", &code(i)).await;
        if response.status() == StatusCode::SEE_OTHER {
            let next = location(&response);
            let response = if next.ends_with("/identify") {
                app.post_form(&anna, &next, &[("answer", "approve")]).await
            } else {
                response
            };
            come_back(&app, &anna, &response).await;
        }
    }
    assert!(app.count("SELECT count(*) FROM cards").await >= 3);
    let files = String::from_utf8_lossy(&app.database_files().await).into_owned();
    let logs = common::logs();
    assert!(
        logs.contains("card setup recorded"),
        "the logs were captured"
    );
    for number in NUMBERS {
        let spaced: String = number
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        for form in [number.to_owned(), spaced] {
            assert!(!files.contains(&form), "{form} in the database files");
            assert!(!logs.contains(&form), "{form} in the logs");
        }
    }
    for i in 0..NUMBERS.len() {
        let code = code(i);
        // The files hold no digits of request ids or timings: any standalone
        // run is a stored code. The logs are full of numbers, so there a
        // code counts as leaked in the shapes a form or value is logged in.
        assert!(
            !standalone(&files, &code),
            "security code {code} in the database files"
        );
        for shape in [
            format!("\"{code}\""),
            format!("'{code}'"),
            format!("cvc={code}"),
            format!("cvc: {code}"),
            format!("cvc\":\"{code}"),
        ] {
            assert!(!logs.contains(&shape), "security code {shape} in the logs");
        }
    }
    // The scan itself finds what it looks for.
    assert!(standalone("cvc=9081&x", "9081") && !standalone("190812", "9081"));
    app.stop().await;
}

#[tokio::test]
async fn the_result_page_asks_the_provider_how_the_setup_ended() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let card_page = start(&app, &anna, &org).await;
    let setup: String = sqlx::query_scalar("SELECT public_id FROM card_setups")
        .fetch_one(app.db())
        .await
        .unwrap();
    let result = format!("/organizations/{org}/billing/card?setup={setup}");
    let (_, html) = app.page(&anna, &result).await;
    assert!(html.contains("Credit card not added yet") && html.contains("Return to the card page"));

    // Accepted at the provider: nothing is recorded until the panel asks.
    let response = submit(&app, &anna, &card_page, "4242424242424242", "12/30", "123").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT count(*) FROM cards").await, 0);
    let (_, html) = app.page(&anna, &result).await;
    assert!(html.contains("<h1>Credit card added</h1>"));
    assert_eq!(app.count("SELECT count(*) FROM cards").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_charge_whose_browser_never_came_back_is_recorded_and_refunded() {
    let app = TestApp::start_with(Duration::from_secs(0)).await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let card_page = start(&app, &anna, &org).await;
    // Charged at the provider; the tab is closed before the return page.
    submit(&app, &anna, &card_page, "4242424242424242", "12/30", "123").await;
    let state = app.running.state.clone();
    assert_eq!(
        orgpanel::billing::card::reconcile(&state).await.unwrap(),
        0,
        "not before 15 minutes"
    );
    app.clock.advance(15 * 60 + 1);
    let refunded = app
        .eventually("SELECT count(*) FROM payments WHERE status = 'refunded'", 1)
        .await;
    assert!(
        refunded,
        "the worker recorded the card and refunded its verification"
    );
    assert_eq!(app.count("SELECT count(*) FROM cards").await, 1);
    assert_eq!(method(&app).await.as_deref(), Some("card"));
    let who: Option<i64> =
        sqlx::query_scalar("SELECT account_id FROM activity WHERE action = 'Credit card added'")
            .fetch_one(app.db())
            .await
            .unwrap();
    assert!(who.is_some(), "by the account that entered the card");
    assert_eq!(
        orgpanel::billing::card::reconcile(&state).await.unwrap(),
        0,
        "once"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_expiry_typed_on_a_french_keyboard_is_refused_on_the_page_not_dropped() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;
    let card_page = start(&app, &anna, &org).await;
    for expiry in ["&é\"", "😀", "é/30", "12/é0"] {
        let response = submit(&app, &anna, &card_page, "4242424242424242", expiry, "123").await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{expiry:?}"
        );
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Enter the expiry date as MM/YY, like 12/30."),
            "{expiry:?}"
        );
        assert!(
            !html.contains("4242424242424242"),
            "the number is never sent back"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM sandbox_payments").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_organization_with_money_under_way_is_deleted_only_once_it_is_settled() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;
    add_card(&app, &anna, &org, "4242424242424242", "12/30").await;
    assert_eq!(
        app.create_service(&anna, &org, "web-1").await.status(),
        StatusCode::SEE_OTHER
    );
    let settings = format!("/organizations/{org}/settings");
    let delete = [("intent", "delete"), ("confirm", "Example")];

    // The verification refund is due in 60 seconds: not yet.
    let response = app.post_form(&anna, &settings, &delete).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("This organization cannot be deleted yet"),
        "{html}"
    );
    assert!(
        html.contains("its 1.00 EUR card verification is refunded at 2026-11-28 12:0"),
        "{html}"
    );
    assert!(html.contains("Try again in 2 minutes."), "{html}");
    // The refusal shows beside the delete form, where the page opens.
    assert!(html.contains(&format!(r#"action="{settings}#delete""#)));
    assert_eq!(
        app.page(&anna, &format!("/organizations/{org}")).await.0,
        StatusCode::OK
    );

    app.clock.advance(61);
    assert!(
        app.eventually("SELECT count(*) FROM payments WHERE kind = 'refund'", 1)
            .await
    );
    // A card page left open is closed at the provider by the delete.
    let card_page = start(&app, &anna, &org).await;
    assert_redirect(
        &app.post_form(&anna, &settings, &delete).await,
        "/?deleted=1",
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM sandbox_sessions WHERE status = 'failed' AND failure = 'closed'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM card_setups WHERE status = 'started'")
            .await,
        0
    );
    let late = submit(&app, &anna, &card_page, "4242424242424242", "12/30", "123").await;
    assert_eq!(
        late.status(),
        StatusCode::SEE_OTHER,
        "the closed page charges nothing"
    );
    assert_eq!(app.count("SELECT count(*) FROM sandbox_payments").await, 1);

    // Gone for everyone; its money, services and log are kept.
    assert_eq!(
        app.page(&anna, &format!("/organizations/{org}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("SELECT count(*) FROM payments").await, 2);
    assert_eq!(app.count("SELECT count(*) FROM services").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action IN ('Credit card added', 'Organization deleted')")
            .await,
        2
    );
    for table in [
        "payments",
        "refund_jobs",
        "cards",
        "card_setups",
        "services",
        "activity",
    ] {
        let deleted = sqlx::query(&format!("DELETE FROM {table}"))
            .execute(app.db())
            .await;
        assert!(deleted.is_err(), "{table} rows refuse deletion");
    }
    app.stop().await;
}

#[tokio::test]
async fn two_hundred_abandoned_setups_never_stop_a_new_charge_from_being_recorded_and_refunded() {
    use orgpanel::payments::SetupRequest;
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;
    let (org_id, account_id): (i64, i64) =
        sqlx::query_as("SELECT organization_id, account_id FROM memberships")
            .fetch_one(app.db())
            .await
            .unwrap();
    // Two hours ago: 100 card pages left open at the provider, and 100 whose
    // provider session the provider does not know (every check fails).
    let long_ago = app.clock.now() - 7200;
    let state = app.running.state.clone();
    for i in 0..200 {
        let key = format!("abandoned_{i}");
        let session = if i % 2 == 0 {
            let session = state
                .payments
                .start_setup(SetupRequest {
                    merchant: "Orgpanel".into(),
                    description: "abandoned".into(),
                    amount: orgpanel::billing::card::VERIFICATION,
                    idempotency_key: key.clone(),
                    return_url: "http://127.0.0.1:3000/".into(),
                })
                .await
                .unwrap();
            session.id
        } else {
            format!("cs_unknown_{i}")
        };
        sqlx::query(
            "INSERT INTO card_setups (public_id, organization_id, account_id, idempotency_key, provider_session,
                                      status, created_at, next_check_at)
             VALUES ($1, $2, $3, $4, $5, 'started', $6, $7)",
        )
        .bind(format!("abandoned{i}"))
        .bind(org_id)
        .bind(account_id)
        .bind(&key)
        .bind(session)
        .bind(long_ago)
        .bind(long_ago + 900)
        .execute(app.db())
        .await
        .unwrap();
    }

    // A new card is charged, and its browser never comes back.
    let card_page = start(&app, &anna, &org).await;
    let response = submit(&app, &anna, &card_page, "4242424242424242", "12/30", "123").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.clock.advance(15 * 60 + 1);
    let mut recorded = false;
    for _ in 0..100 {
        if app
            .count("SELECT count(*) FROM payments WHERE kind = 'verification'")
            .await
            == 1
        {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recorded,
        "the new charge was recorded behind 200 abandoned setups"
    );
    app.clock.advance(61);
    assert!(
        app.eventually("SELECT count(*) FROM payments WHERE kind = 'refund'", 1)
            .await
    );
    // Each failing setup was tried, logged and put off on its own.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM card_setups
              WHERE provider_session LIKE 'cs_unknown_%' AND checks >= 1
                AND last_error IS NOT NULL AND next_check_at > created_at + 900"
        )
        .await,
        100
    );
    // A day after they started, the provider has closed the open pages.
    app.clock.advance(24 * 3600);
    let state = app.running.state.clone();
    for _ in 0..10 {
        orgpanel::billing::card::reconcile(&state).await.unwrap();
        if app.count("SELECT count(*) FROM card_setups WHERE provider_session NOT LIKE 'cs_unknown_%' AND status = 'started'").await == 0 {
            break;
        }
        // Backoff keeps them waiting a few hours at most.
        app.clock.advance(6 * 3600);
    }
    assert_eq!(
        app.count("SELECT count(*) FROM card_setups WHERE failure = 'closed'")
            .await,
        100,
        "every abandoned page ended as closed"
    );
    app.stop().await;
}

#[tokio::test]
async fn sixteen_clicks_on_continue_at_once_open_one_card_page() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;
    let clicks = futures::future::join_all(
        (0..16).map(|_| app.billing(&anna, &org, &[("intent", "method"), ("method", "card")])),
    )
    .await;
    let pages: std::collections::HashSet<String> = clicks.iter().map(location).collect();
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert_eq!(app.count("SELECT count(*) FROM card_setups").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM sandbox_sessions").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_card_completed_after_invoice_was_chosen_keeps_invoice_and_says_so() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    app.save_company(&anna, &org).await;
    let card_page = start(&app, &anna, &org).await;
    // Meanwhile, in another tab: Invoice.
    let invoice = [("intent", "method"), ("method", "invoice")];
    assert_eq!(
        app.billing(&anna, &org, &invoice).await.status(),
        StatusCode::SEE_OTHER
    );
    let response = submit(&app, &anna, &card_page, "4242424242424242", "12/30", "123").await;
    let (status, html) = come_back(&app, &anna, &response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Invoice stays the method of payment"),
        "{html}"
    );
    assert_eq!(method(&app).await.as_deref(), Some("invoice"));
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM activity WHERE action = 'Credit card added'")
            .fetch_one(app.db())
            .await
            .unwrap();
    assert!(
        detail.ends_with(
            "Invoice, chosen while the card was being added, stays the method of payment"
        ),
        "{detail}"
    );
    let (_, billing) = app
        .page(&anna, &format!("/organizations/{org}/billing"))
        .await;
    assert!(billing.contains(
        "This card was added after Invoice was chosen, so Invoice stayed the method of payment."
    ));
    // Choosing the card now uses it without a new charge.
    let card = [("intent", "method"), ("method", "card")];
    app.billing(&anna, &org, &card).await;
    assert_eq!(method(&app).await.as_deref(), Some("card"));
    assert_eq!(app.count("SELECT count(*) FROM sandbox_payments").await, 1);
    app.stop().await;
}
