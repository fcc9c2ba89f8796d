//! The monthly invoice run: on the 1st every organization with services
//! gets one invoice for the month before, pro rata by the hour, numbered
//! from one gap-free sequence, however often and on however many replicas
//! the run goes.

use super::common::{TestApp, TEST_START};
use orgpanel::invoices::run::run_due;
use reqwest::StatusCode;

/// 2026-12-01 00:00:30 UTC: the tests start on 2026-11-28 12:00.
const FIRST_OF_DECEMBER: i64 = TEST_START + (2 * 24 + 12) * 60 * 60 + 30;

/// An organization of a new Owner, ready for services, with `services` made.
async fn organization_with(app: &TestApp, owner: &str, services: &[&str]) -> String {
    let client = app.user("Olga Owner", owner).await;
    let org = app.create_org(&client, "Example AB").await;
    app.make_ready(&client, &org).await;
    for name in services {
        let made = app.create_service(&client, &org, name).await;
        assert_eq!(made.status(), StatusCode::SEE_OTHER, "{name}");
    }
    org
}

/// (number, period, net, vat, total) of every invoice, by number.
async fn invoices(app: &TestApp) -> Vec<(i64, String, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT number, period, net_cents, vat_cents, total_cents FROM invoices ORDER BY number",
    )
    .fetch_all(app.db())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_run_on_the_first_bills_each_organization_once_pro_rata_by_the_hour() {
    let app = TestApp::start().await;
    organization_with(&app, "one@example.com", &["web-1", "web-2"]).await;
    organization_with(&app, "two@example.com", &["db-1"]).await;
    let idle = app.user("Ida Idle", "idle@example.com").await;
    app.create_org(&idle, "Idle AB").await;

    // November is not over: nothing to bill.
    run_due(&app.running.state).await.unwrap();
    assert!(invoices(&app).await.is_empty());

    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    run_due(&app.running.state).await.unwrap();
    // Small (9.00 EUR a month) from 28 November 12:00: 60 of November's 720
    // hours, 0.75 EUR a service; Swedish VAT 25 %: 0.1875 → 0.19 each.
    assert_eq!(
        invoices(&app).await,
        [
            (1, "2026-11".to_owned(), 150, 38, 188),
            (2, "2026-11".to_owned(), 75, 19, 94),
        ],
        "one invoice per organization with services, numbered 1, 2"
    );
    let lines: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT service_name, hours, month_hours, net_cents FROM invoice_lines ORDER BY invoice_id, position",
    )
    .fetch_all(app.db())
    .await
    .unwrap();
    assert_eq!(
        lines,
        [
            ("web-1".to_owned(), 60, 720, 75),
            ("web-2".to_owned(), 60, 720, 75),
            ("db-1".to_owned(), 60, 720, 75),
        ]
    );
    let due: Vec<i64> = sqlx::query_scalar("SELECT due_at - issued_at FROM invoices")
        .fetch_all(app.db())
        .await
        .unwrap();
    assert!(due.iter().all(|d| *d == 20 * 24 * 60 * 60), "20 days net");
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Invoice issued'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_deleted_service_is_billed_until_it_was_deleted() {
    let app = TestApp::start().await;
    let client = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&client, "Example AB").await;
    app.make_ready(&client, &org).await;
    app.create_service(&client, &org, "web-1").await;
    let service: String = sqlx::query_scalar("SELECT public_id FROM services")
        .fetch_one(app.db())
        .await
        .unwrap();
    // Deleted 11 hours and 10 minutes later: 12 hours begun.
    app.clock.advance(11 * 60 * 60 + 10 * 60);
    let deleted = app
        .post_form(
            &client,
            &format!("/organizations/{org}/services"),
            &[("intent", "delete"), ("service", &service)],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    // 900 × 12 / 720 = 15 cents; VAT 3.75 → 4.
    assert_eq!(invoices(&app).await, [(1, "2026-11".to_owned(), 15, 4, 19)]);
}

#[tokio::test]
async fn two_replicas_running_at_once_make_one_invoice_each_and_no_gap() {
    let app = TestApp::start().await;
    for n in 0..6 {
        organization_with(&app, &format!("owner{n}@example.com"), &["web-1"]).await;
    }
    let replica = app.replica().await;
    app.clock.set(FIRST_OF_DECEMBER);
    let (one, two) = futures::join!(run_due(&app.running.state), run_due(&replica.running.state));
    one.unwrap();
    two.unwrap();
    let numbers: Vec<i64> = invoices(&app).await.into_iter().map(|i| i.0).collect();
    assert_eq!(
        numbers,
        [1, 2, 3, 4, 5, 6],
        "one each, numbered without a gap"
    );
    assert_eq!(
        app.count("SELECT count(DISTINCT organization_id) FROM invoices")
            .await,
        6
    );
    assert_eq!(app.count("SELECT next FROM invoice_numbers").await, 7);
}

#[tokio::test]
async fn billing_lists_the_invoices_and_estimates_the_next_for_those_who_see_payments() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    app.make_ready(&owner, &org).await;
    app.create_service(&owner, &org, "web-1").await;
    let team = app.team(&org).await;
    let billing = format!("/organizations/{org}/billing");

    let (_, page) = app.page(&owner, &billing).await;
    assert!(page.contains("No invoices yet"), "{page}");
    // November from the 28th 12:00 to its end: 60 of 720 hours.
    assert!(page.contains("Next invoice: November 2026 (estimate)"));
    assert!(page.contains("60 of 720"));
    assert!(
        page.contains("0.75 EUR") && page.contains("0.94 EUR"),
        "{page}"
    );

    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    // A new session: the old one has been idle for days.
    let owner = app.client();
    app.login(&owner, "owner@example.com", "password123").await;
    let (status, page) = app.page(&owner, &billing).await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "<td data-label=\"Number\">1</td>",
        "2026-12-01",
        "2026-12-21",
        "0.94 EUR",
        "Issued",
    ] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
    // December, the whole month ahead: 744 hours, the full 9.00 EUR.
    assert!(page.contains("Next invoice: December 2026") && page.contains("744 of 744"));
    assert!(page.contains("11.25 EUR"), "9.00 EUR and 25 % VAT");

    for (role, _) in &team {
        let fresh = app.client();
        app.login(&fresh, &format!("{role}@example.com"), "password123")
            .await;
        let (_, page) = app.page(&fresh, &billing).await;
        assert_eq!(
            page.contains("invoices-heading"),
            *role == "billing",
            "{role} sees invoices only with the Billing role"
        );
    }
}

#[tokio::test]
async fn no_month_is_skipped_when_no_run_happened_across_its_end() {
    let app = TestApp::start().await;
    organization_with(&app, "owner@example.com", &["web-1"]).await;
    // From 28 November straight to 2 February: November, December and
    // January are each billed once, in order.
    app.clock.set(FIRST_OF_DECEMBER + (31 + 32) * 24 * 60 * 60);
    run_due(&app.running.state).await.unwrap();
    run_due(&app.running.state).await.unwrap();
    let periods: Vec<String> = invoices(&app).await.into_iter().map(|i| i.1).collect();
    assert_eq!(periods, ["2026-11", "2026-12", "2027-01"]);
}

#[tokio::test]
async fn a_deleted_organization_stops_its_services_and_their_billing() {
    let app = TestApp::start().await;
    let client = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&client, "Example AB").await;
    app.make_ready(&client, &org).await;
    app.create_service(&client, &org, "web-1").await;
    // Deleted four hours later (less ten minutes): four hours begun.
    app.clock.advance(4 * 60 * 60 - 10 * 60);
    let deleted = app
        .post_form(
            &client,
            &format!("/organizations/{org}/settings"),
            &[("intent", "delete"), ("confirm", "Example AB")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT count(*) FROM services WHERE deleted_at IS NULL")
            .await,
        0,
        "its services end with it"
    );
    app.clock.set(FIRST_OF_DECEMBER + 31 * 24 * 60 * 60);
    run_due(&app.running.state).await.unwrap();
    // November: 900 × 4 / 720 = 5 cents, VAT 1.25 → 1; nothing in December.
    assert_eq!(invoices(&app).await, [(1, "2026-11".to_owned(), 5, 1, 6)]);
}
