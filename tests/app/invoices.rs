//! The monthly invoice run: on the 1st every organization with services
//! gets one invoice for the month before, pro rata by the hour, numbered
//! from one gap-free sequence, however often and on however many replicas
//! the run goes.

use super::common::{TestApp, TEST_START};
use orgpanel::invoices::delivery::{print_waiting, send_due};
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
    send_due(&app.running.state).await.unwrap();
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
        "Sent",
        &format!("href=\"/organizations/{org}/invoices/1.pdf\""),
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

/// The text of a PDF with no white space: the extractor runs some lines
/// together and splits others, so the text is compared without spaces
/// ([`squash`]).
fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    squash(&pdf_extract::extract_text_from_mem(pdf).expect("PDF text"))
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect()
}

#[tokio::test]
async fn the_pdf_says_who_sells_what_to_whom_for_how_much_and_how_to_pay() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    app.make_ready(&owner, &org).await;
    // A name beyond Latin-1, printed as typed.
    let renamed = app
        .post_company(
            &owner,
            &org,
            &[("company_name", "Łódź Ørsted Åberg AB")],
            "1",
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    app.create_service(&owner, &org, "web-1").await;
    app.create_service(&owner, &org, "db-1").await;
    let team = app.team(&org).await;
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();

    let owner = app.client();
    app.login(&owner, "owner@example.com", "password123").await;
    let path = format!("/organizations/{org}/invoices/1.pdf");
    let response = app.get(&owner, &path).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"invoice-1.pdf\""
    );
    let bytes = response.bytes().await.unwrap();
    let text = pdf_text(&bytes);
    for printed in [
        // The seller (the example configuration), with its numbers.
        "Orgpanel Cloud AB (example)",
        "Exempelgatan 1",
        "Organisationsnummer 556000-0000",
        "VAT number SE556000000001",
        // The invoice.
        "Invoice number 1",
        "Invoice date 2026-12-01",
        "Due date 2026-12-21",
        "Period November 2026",
        // The customer, as its details were.
        "Łódź Ørsted Åberg AB",
        "Storgatan 1",
        "114 37 Stockholm",
        "Sweden",
        "Business ID 556036-0793",
        // The lines: 60 of November's 720 hours at 9.00 EUR a month.
        "web-1 Small 60 of 720 9.00 EUR 0.75 EUR",
        "db-1 Small 60 of 720 9.00 EUR 0.75 EUR",
        "Net 1.50 EUR",
        "VAT 25 % 0.38 EUR",
        "Total 1.88 EUR",
        "Please pay 1.88 EUR by 2026-12-21 to IBAN SE00",
        "invoice number 1 as the reference",
        "Page 1 of 1",
    ] {
        assert!(text.contains(&squash(printed)), "{printed:?} in {text}");
    }

    // Those who see payments only; another organization's number is not found.
    for (role, _) in &team {
        let fresh = app.client();
        app.login(&fresh, &format!("{role}@example.com"), "password123")
            .await;
        let status = app.get(&fresh, &path).await.status();
        let expected = if *role == "billing" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{role}");
    }
    let stranger = app.user("Sam Stranger", "stranger@example.com").await;
    let other = app.create_org(&stranger, "Other AB").await;
    for path in [
        format!("/organizations/{other}/invoices/1.pdf"),
        format!("/organizations/{org}/invoices/2.pdf"),
        format!("/organizations/{org}/invoices/one.pdf"),
        format!("/organizations/{org}/invoices/01.pdf"),
        format!("/organizations/{org}/invoices/+1.pdf"),
    ] {
        let client = if path.contains(&other) {
            &stranger
        } else {
            &owner
        };
        assert_eq!(
            app.get(client, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.get(&stranger, &format!("/organizations/{org}/invoices/1.pdf"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "a stranger learns nothing of the organization"
    );
}

/// The attachment of type `application/pdf` in a received message, decoded.
fn attached_pdf(message: &super::common::smtp::Received) -> (String, Vec<u8>) {
    use base64::Engine;
    let body = &message.body;
    let start = body
        .find("Content-Type: application/pdf")
        .expect("a PDF part");
    // The part's headers start after its boundary line.
    let part = &body[body[..start].rfind("\n--").expect("a boundary")..];
    let name = part
        .split("filename=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a file name")
        .to_owned();
    let content = part
        .split_once("\r\n\r\n")
        .or_else(|| part.split_once("\n\n"))
        .expect("the part's body")
        .1;
    let encoded: String = content
        .lines()
        .take_while(|line| !line.starts_with("--"))
        .collect();
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .expect("base64");
    (name, pdf)
}

#[tokio::test]
async fn an_invoice_by_email_arrives_with_its_pdf_once() {
    let app = TestApp::start().await;
    organization_with(&app, "owner@example.com", &["web-1"]).await;
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    // The job and two replicas at once: one email.
    let replica = app.replica().await;
    let (a, b) = tokio::join!(
        send_due(&app.running.state),
        send_due(&replica.running.state)
    );
    assert!(a.unwrap() + b.unwrap() <= 1);
    let message = app
        .smtp
        .wait_for("invoices@example.se", 10)
        .await
        .expect("the invoice email");
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Invoice 1 for November 2026 from Orgpanel Cloud AB (example)")
    );
    assert!(message.body.contains("Total: 0.94 EUR"), "{}", message.body);
    let (name, pdf) = attached_pdf(&message);
    assert_eq!(name, "invoice-1.pdf");
    assert!(pdf_text(&pdf).contains(&squash("Invoice number 1 Invoice date 2026-12-01")));
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let copies = app
        .smtp
        .messages()
        .iter()
        .filter(|m| m.to.iter().any(|t| t == "invoices@example.se"))
        .count();
    assert_eq!(copies, 1, "sent once");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM invoices WHERE status = 'sent' AND delivered_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Invoice sent'")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM outbox WHERE attachment IS NOT NULL AND sent_at IS NOT NULL"
        )
        .await,
        0,
        "the PDF is not kept in the outbox once sent"
    );
}

#[tokio::test]
async fn an_invoice_by_snail_mail_goes_on_the_print_list_once_and_the_customer_is_told() {
    let app = TestApp::start().await;
    // Three customers by snail mail; invoice 1 is the first one's.
    for owner_email in ["owner@example.com", "two@example.com", "three@example.com"] {
        let owner = app.user("Olga Owner", owner_email).await;
        let org = app.create_org(&owner, "Example AB").await;
        app.make_ready(&owner, &org).await;
        let mail = app
            .billing(
                &owner,
                &org,
                &[
                    ("intent", "delivery"),
                    ("delivery", "mail"),
                    ("invoice_email", ""),
                ],
            )
            .await;
        assert_eq!(mail.status(), StatusCode::SEE_OTHER);
        app.create_service(&owner, &org, "web-1").await;
    }
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    assert_eq!(
        send_due(&app.running.state).await.unwrap(),
        0,
        "not emailed"
    );

    // Three print runs at once, two of them on another replica: each
    // invoice is printed by one of them.
    let replica = app.replica().await;
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a, b, c) = tokio::join!(
        print_waiting(&app.running.state, dirs[0].path()),
        print_waiting(&replica.running.state, dirs[1].path()),
        print_waiting(&replica.running.state, dirs[2].path()),
    );
    let mut names: Vec<String> = [a.unwrap(), b.unwrap(), c.unwrap()]
        .concat()
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["invoice-1.pdf", "invoice-2.pdf", "invoice-3.pdf"]);
    let on_disk: usize = dirs
        .iter()
        .map(|dir| std::fs::read_dir(dir.path()).unwrap().count())
        .sum();
    assert_eq!(on_disk, 3, "no copy left behind");
    let written: Vec<std::path::PathBuf> = dirs
        .iter()
        .map(|dir| dir.path().join("invoice-1.pdf"))
        .filter(|path| path.exists())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let text = pdf_text(&std::fs::read(&written[0]).unwrap());
    assert!(
        text.contains(&squash(
            "Bill to Example AB Storgatan 1 114 37 Stockholm Sweden"
        )),
        "{text}"
    );
    assert!(
        print_waiting(&app.running.state, dir.path())
            .await
            .unwrap()
            .is_empty(),
        "posted once"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM invoices WHERE status = 'posted'")
            .await,
        3
    );
    // The company's email is told; no PDF goes with it.
    let told = app
        .smtp
        .wait_for_body("billing@example.se", "Invoice 1 for November 2026", 10)
        .await
        .expect("the on-its-way email");
    assert_eq!(
        told.header("Subject").as_deref(),
        Some("Invoice 1 is on its way by post")
    );
    assert!(told.body.contains("114 37 Stockholm"));
    assert!(!told.body.contains("application/pdf"));
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Invoice posted'")
            .await,
        3
    );
}

#[tokio::test]
async fn the_api_lists_the_invoices_and_estimates_the_next_in_numbers() {
    use super::api::{call, customer_number, make_key};
    use serde_json::json;
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    app.make_ready(&owner, &org).await;
    app.create_service(&owner, &org, "web-1").await;
    let (key, _) = make_key(&app, &owner, &org, "billing").await;
    let number = customer_number(&app, &org).await;

    let (status, body) = call(&app, "invoice/list", &number, &key, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["response"]["invoices"], json!([]));
    let (_, body) = call(&app, "invoice/next", &number, &key, json!({})).await;
    assert_eq!(
        body["response"]["invoice"],
        json!({
            "period": "2026-11",
            "lines": [{"service": "web-1", "plan": "Small", "hours": 60, "monthhours": 720, "amount": 75}],
            "net": 75, "vatrate": 2500, "vat": 19, "total": 94, "currency": "EUR", "vatnote": null
        })
    );

    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    app.clock.set(FIRST_OF_DECEMBER + 31 * 24 * 60 * 60);
    run_due(&app.running.state).await.unwrap();
    send_due(&app.running.state).await.unwrap();
    let (_, body) = call(&app, "invoice/list", &number, &key, json!({})).await;
    let invoices = body["response"]["invoices"].as_array().expect("a list");
    assert_eq!(invoices.len(), 2, "{body}");
    // Newest first: December's whole month, then November's 60 hours.
    assert_eq!(
        invoices[1],
        json!({
            "invoicenumber": 1, "period": "2026-11", "invoicedate": "2026-12-01",
            "duedate": "2026-12-21", "total": 94, "currency": "EUR", "status": "sent", "credits": null,
            "url": format!("http://127.0.0.1:3000/organizations/{org}/invoices/1.pdf"),
        })
    );
    assert_eq!(invoices[0]["invoicenumber"], 2);
    assert_eq!(invoices[0]["total"], 1125, "9.00 EUR and 25 % VAT");

    // The PDF the url names, in the envelope.
    let (status, body) = call(
        &app,
        "invoice/pdf",
        &number,
        &key,
        json!({"invoicenumber": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"]["invoice"]["filename"], "invoice-1.pdf");
    let pdf = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(body["response"]["invoice"]["content"].as_str().unwrap())
            .unwrap()
    };
    assert!(pdf_text(&pdf).contains(&squash("Invoice number 1")));
    for bad in [json!({"invoicenumber": "x"}), json!({})] {
        let (status, _) = call(&app, "invoice/pdf", &number, &key, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _) = call(
        &app,
        "invoice/pdf",
        &number,
        &key,
        json!({"invoicenumber": 7}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// An organization of a new Owner paying by `card`, with one service.
async fn card_customer(app: &TestApp, card: &str) -> String {
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    app.save_company(&owner, &org).await;
    let added = super::cards::add_card(app, &owner, &org, card, "12/30").await;
    assert!(added.contains("Credit card added"), "{added}");
    let made = app.create_service(&owner, &org, "web-1").await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    org
}

#[tokio::test]
async fn a_card_invoice_is_charged_exactly_once_however_many_runs_at_once() {
    use orgpanel::invoices::charges::charge_due;
    let app = TestApp::start().await;
    card_customer(&app, "4242424242424242").await;
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    let replica = app.replica().await;
    let (a, b, c, d) = tokio::join!(
        charge_due(&app.running.state),
        charge_due(&replica.running.state),
        charge_due(&app.running.state),
        charge_due(&replica.running.state),
    );
    for run in [a, b, c, d] {
        run.unwrap();
    }
    let charges: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT idempotency_key, status, amount_cents FROM sandbox_charges")
            .fetch_all(app.db())
            .await
            .unwrap();
    assert_eq!(
        charges,
        [("invoice-1-attempt-1".to_owned(), "succeeded".to_owned(), 94)],
        "one charge of 0.94 EUR"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM invoices i JOIN sandbox_charges c ON c.id = i.payment_id
              WHERE i.status = 'paid' AND i.paid_at IS NOT NULL AND i.charge_attempts = 1"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Invoice charged'")
            .await,
        1
    );
    let receipt = app
        .smtp
        .wait_for_body("owner@example.com", "filename=\"invoice-1.pdf\"", 10)
        .await
        .expect("the receipt");
    assert_eq!(
        receipt.header("Subject").as_deref(),
        Some("Invoice 1 paid by card")
    );
    let (_, pdf) = attached_pdf(&receipt);
    assert!(pdf_text(&pdf).contains(&squash(
        "Payment by card: 0.94 EUR is charged to the card on file."
    )));
    // Charged: not charged again on a later run.
    app.clock.advance(10 * 24 * 60 * 60);
    charge_due(&app.running.state).await.unwrap();
    assert_eq!(app.count("SELECT count(*) FROM sandbox_charges").await, 1);
}

#[tokio::test]
async fn a_declining_card_is_tried_again_after_1_3_and_7_days_and_billing_is_told_each_time() {
    use orgpanel::invoices::charges::charge_due;
    let app = TestApp::start().await;
    // Accepted on the card page (the verification is charged), declined later.
    let org = card_customer(&app, "4000000000000341").await;
    app.team(&org).await;
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    let state = &app.running.state;
    let tries = [
        (0, "We will try the card again on 2026-12-02."),
        (24 * 60 * 60, "We will try the card again on 2026-12-04."),
        (
            3 * 24 * 60 * 60,
            "We will try the card again on 2026-12-08.",
        ),
        (7 * 24 * 60 * 60, "We will not try the card again."),
    ];
    for (attempt, (after, then)) in (1..).zip(tries) {
        // Not before its day.
        app.clock.set(FIRST_OF_DECEMBER + after - 120);
        charge_due(state).await.unwrap();
        assert_eq!(
            app.count("SELECT count(*) FROM sandbox_charges").await,
            attempt - 1,
            "attempt {attempt} waits for its day"
        );
        app.clock.set(FIRST_OF_DECEMBER + after + 60);
        charge_due(state).await.unwrap();
        assert_eq!(
            app.count("SELECT count(*) FROM sandbox_charges WHERE status = 'failed'")
                .await,
            attempt
        );
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) FROM invoices WHERE status = 'unpaid' AND charge_attempts = {attempt}"
            ))
            .await,
            1,
            "attempt {attempt}"
        );
        for contact in ["owner@example.com", "billing@example.com"] {
            let told = app
                .smtp
                .wait_for_body(contact, then, 10)
                .await
                .unwrap_or_else(|| panic!("{contact} told after attempt {attempt}"));
            assert_eq!(
                told.header("Subject").as_deref(),
                Some("Invoice 1: the card payment failed")
            );
            assert!(told.body.contains("failed: the bank declined it."));
            assert!(told.body.contains(&format!("/organizations/{org}/billing")));
        }
    }
    app.clock.set(FIRST_OF_DECEMBER + 40 * 24 * 60 * 60);
    charge_due(state).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM sandbox_charges").await,
        4,
        "no more tries"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Invoice charge failed'")
            .await,
        4
    );
    for nobody in ["admin@example.com", "member@example.com"] {
        assert!(
            app.smtp
                .messages()
                .iter()
                .all(|m| !m.to.iter().any(|t| t == nobody) || !m.body.contains("card payment")),
            "{nobody} is not told"
        );
    }
    let owner = app.client();
    app.login(&owner, "owner@example.com", "password123").await;
    let (_, page) = app
        .page(&owner, &format!("/organizations/{org}/billing"))
        .await;
    assert!(
        page.contains("<td data-label=\"Status\">Unpaid</td>"),
        "{page}"
    );
    assert!(page.contains("Number 1 is unpaid: the card payment failed (the bank declined it)."));
    assert!(page.contains(">Pay now</button>"));
    let (_, overview) = app.page(&owner, &format!("/organizations/{org}")).await;
    assert!(
        overview.contains("Invoice 1 (0.94 EUR) is unpaid"),
        "{overview}"
    );

    // Not deleted while it is unpaid: nobody could pay it afterwards.
    let refused = app
        .post_form(
            &owner,
            &format!("/organizations/{org}/settings"),
            &[("intent", "delete"), ("confirm", "Example AB")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("while invoice 1 is unpaid"));

    // "Pay now": a card entered on the provider's page is charged at once.
    let member = app.client();
    app.login(&member, "member@example.com", "password123")
        .await;
    let refused = app.billing(&member, &org, &[("intent", "pay")]).await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "Members see no invoices"
    );
    let pay = app.billing(&owner, &org, &[("intent", "pay")]).await;
    assert_eq!(pay.status(), StatusCode::SEE_OTHER);
    let card_page = TestApp::path_of(&super::common::location(&pay));
    assert!(card_page.starts_with("/sandbox-pay/setup/"), "{card_page}");
    let response =
        super::cards::submit(&app, &owner, &card_page, "4242424242424242", "12/30", "123").await;
    let (_, added) = super::cards::come_back(&app, &owner, &response).await;
    assert!(added.contains("Credit card added"), "{added}");
    charge_due(state).await.unwrap();
    assert_eq!(
        app.count(
            "SELECT count(*) FROM sandbox_charges
              WHERE idempotency_key = 'invoice-1-attempt-5' AND status = 'succeeded'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM invoices WHERE status = 'paid'")
            .await,
        1
    );
    let (_, overview) = app.page(&owner, &format!("/organizations/{org}")).await;
    assert!(!overview.contains("is unpaid"));
    charge_due(state).await.unwrap();
    assert_eq!(app.count("SELECT count(*) FROM sandbox_charges").await, 5);
}

#[tokio::test]
async fn a_credit_note_cancels_an_invoice_under_its_own_number_and_the_invoice_never_changes() {
    use orgpanel::error::AppError;
    use orgpanel::invoices::corrections::{credit_note, mark_paid};
    let app = TestApp::start().await;
    let org = organization_with(&app, "owner@example.com", &["web-1"]).await;
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    send_due(&app.running.state).await.unwrap();
    let snapshot = || async {
        sqlx::query_as::<_, (i64, String, i64, i64, i64, String, String)>(
            "SELECT number, period, issued_at, net_cents, total_cents, customer_name, seller FROM invoices",
        )
        .fetch_all(app.db())
        .await
        .unwrap()
    };
    let before = snapshot().await;
    let state = &app.running.state;

    assert!(matches!(
        credit_note(state, 1, "  ").await,
        Err(AppError::BadRequest(_))
    ));
    assert!(matches!(
        credit_note(state, 99, "Typo").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        credit_note(state, 1, "Outage\nand more").await,
        Err(AppError::BadRequest(_))
    ));
    assert_eq!(credit_note(state, 1, "Service outage").await.unwrap(), 2);
    assert!(matches!(
        credit_note(state, 1, "Again").await,
        Err(AppError::Conflict(_))
    ));
    assert!(
        matches!(mark_paid(state, 1).await, Err(AppError::Conflict(_))),
        "a credited invoice is not paid"
    );
    assert_eq!(snapshot().await, before, "the invoice never changes");
    assert_eq!(
        app.count("SELECT next FROM invoice_numbers").await,
        3,
        "refused credit notes gave their numbers back"
    );

    let message = app
        .smtp
        .wait_for_body("invoices@example.se", "credit-note-2.pdf", 10)
        .await
        .expect("the credit note's email");
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Credit note 2 for invoice 1")
    );
    let (name, pdf) = attached_pdf(&message);
    assert_eq!(name, "credit-note-2.pdf");
    let text = pdf_text(&pdf);
    for printed in [
        "Credit note number 2",
        "Credit note date 2026-12-01",
        "Credits invoice 1",
        "web-1 Small 60 of 720 9.00 EUR -0.75 EUR",
        "VAT 25 % -0.19 EUR",
        "Total -0.94 EUR",
        "This credit note cancels invoice 1 in full (-0.94 EUR). Reason: Service outage",
    ] {
        assert!(text.contains(&squash(printed)), "{printed:?} in {text}");
    }

    let owner = app.client();
    app.login(&owner, "owner@example.com", "password123").await;
    let (_, page) = app
        .page(&owner, &format!("/organizations/{org}/billing"))
        .await;
    for shown in ["-0.94 EUR", ">Credit note</td>", ">Credited</td>"] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
    let pdf = app
        .get(&owner, &format!("/organizations/{org}/invoices/2.pdf"))
        .await;
    assert_eq!(
        pdf.headers()["content-disposition"],
        "attachment; filename=\"credit-note-2.pdf\""
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Credit note issued'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_invoice_paid_by_transfer_is_marked_paid_once() {
    use orgpanel::error::AppError;
    use orgpanel::invoices::corrections::mark_paid;
    let app = TestApp::start().await;
    organization_with(&app, "owner@example.com", &["web-1"]).await;
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    let state = &app.running.state;
    mark_paid(state, 1).await.unwrap();
    assert!(matches!(
        mark_paid(state, 1).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(mark_paid(state, 2).await, Err(AppError::NotFound)));
    assert!(
        matches!(
            orgpanel::invoices::corrections::credit_note(state, 1, "Wrong plan").await,
            Err(AppError::Conflict(_))
        ),
        "a paid invoice is not credited: that would owe a refund"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM invoices WHERE status = 'paid' AND paid_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Invoice paid'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_deleted_organizations_last_invoice_is_charged_and_a_failure_told_to_the_company() {
    use orgpanel::invoices::charges::charge_due;
    // The verification is refunded at once: deleting waits for that.
    let app = TestApp::start_with(std::time::Duration::ZERO).await;
    let org = card_customer(&app, "4000000000000341").await;
    assert!(
        app.eventually("SELECT count(*) FROM refund_jobs WHERE done_at IS NULL", 0)
            .await
    );
    // Deleted after two hours begun.
    app.clock.advance(90 * 60);
    let owner = app.client();
    app.login(&owner, "owner@example.com", "password123").await;
    let deleted = app
        .post_form(
            &owner,
            &format!("/organizations/{org}/settings"),
            &[("intent", "delete"), ("confirm", "Example AB")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    app.clock.set(FIRST_OF_DECEMBER);
    run_due(&app.running.state).await.unwrap();
    charge_due(&app.running.state).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM invoices WHERE status = 'unpaid'")
            .await,
        1,
        "the hours it ran are billed"
    );
    // Nobody is a member any more: the company's address is told.
    let told = app
        .smtp
        .wait_for_body("billing@example.se", "We will try the card again", 10)
        .await
        .expect("the company is told");
    assert_eq!(
        told.header("Subject").as_deref(),
        Some("Invoice 1: the card payment failed")
    );
}
