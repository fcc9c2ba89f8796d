//! Names, numbers and addresses as people really type them (DESIGN.md),
//! through the pages: what is refused says why and stores nothing, what is
//! accepted is stored in one form.

use super::common::{assert_redirect, TestApp};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";
const INVISIBLE: &str = "cannot contain invisible formatting characters";

#[tokio::test]
async fn invisible_and_direction_changing_names_are_refused_everywhere() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    for name in ["\u{200B}", "Acme \u{202E}BA gnitsoH", "\u{FEFF}Acme"] {
        let response = app
            .post_form(&anna, "/organizations/new", &[("name", name)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}"
        );
        assert!(response.text().await.unwrap().contains(INVISIBLE));
    }
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 0);

    // A company whose name, address and city are zero-width spaces is not complete.
    let org = app.create_org(&anna, "Example").await;
    for field in ["company_name", "address", "city"] {
        let response = app
            .post_company(&anna, &org, &[(field, "\u{200B}\u{200B}")], "0")
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        assert!(
            response.text().await.unwrap().contains(INVISIBLE),
            "{field}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM company_information").await,
        0
    );
    let (_, billing) = app
        .page(&anna, &format!("/organizations/{org}/billing"))
        .await;
    assert!(!billing.contains("Billing is ready"));

    // Sign-up refuses a hidden name too.
    let response = app
        .signup(&app.client(), "An\u{200D}na", "other@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM accounts").await, 1);

    // A variation selector after a letter hides nothing a reader can see: refused.
    let response = app
        .post_form(&anna, "/organizations/new", &[("name", "Acme\u{FE0F}")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Bytes that are not UTF-8 arrive as U+FFFD: refused, not stored as "�".
    let response = anna
        .post(app.url("/organizations/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=%FF%FE")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("could not be read"));
    // The joiners Persian and emoji need are kept.
    for name in ["شرکت می\u{200C}خواهم", "👩\u{200D}💻 Dev AB"] {
        let response = app
            .post_form(&anna, "/organizations/new", &[("name", name)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name:?}");
    }

    // Right-to-left names are welcome, and shown isolated from the text around them.
    let arabic = app.create_org(&anna, "شركة الأمل").await;
    let (_, html) = app.page(&anna, &format!("/organizations/{arabic}")).await;
    assert!(html.contains("<h1 dir=\"auto\">شركة الأمل</h1>"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_name_is_stored_normalized_and_deleted_by_typing_it_as_shown() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Acme  AB").await;
    let name: String = sqlx::query_scalar("SELECT name FROM organizations")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(name, "Acme AB");
    // One stored before names were normalized is compared normalized as well.
    sqlx::query("UPDATE organizations SET name = 'Acme \u{00A0} AB'")
        .execute(app.db())
        .await
        .unwrap();
    let response = app
        .post_form(
            &anna,
            &format!("/organizations/{org}/settings"),
            &[("intent", "delete"), ("confirm", "Acme AB")],
        )
        .await;
    assert_redirect(&response, "/?deleted=1");
    assert_eq!(
        app.count("SELECT count(*) FROM organizations WHERE deleted_at IS NULL")
            .await,
        0
    );
    app.stop().await;
}

/// What is typed, and what is stored: business id, postal code, phone, VAT number.
type Stored<'a> = (&'a str, &'a str, &'a str, Option<&'a str>);

#[tokio::test]
async fn numbers_and_addresses_in_their_national_forms() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;

    // All zeros passes the Norwegian check digit but cannot exist.
    let response = app
        .post_company(
            &anna,
            &org,
            &[
                ("country", "NO"),
                ("business_id", "000 000 000"),
                ("postal_code", "0150"),
                ("phone", "412 34 567"),
            ],
            "0",
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("This number cannot exist"));
    assert_eq!(
        app.count("SELECT count(*) FROM company_information").await,
        0
    );

    let cases: [(&[(&str, &str)], Stored); 4] = [
        (
            &[
                ("country", "US"),
                ("business_id", "12-3456789"),
                ("postal_code", "94105"),
                ("phone", "1 (415) 555-0100"),
            ],
            ("123456789", "94105", "+14155550100", None),
        ),
        (
            &[("postal_code", "S-114 37")],
            ("5560360793", "11437", "+46701234567", None),
        ),
        (
            &[
                ("country", "GB"),
                ("business_id", "01234567"),
                ("postal_code", "SW1A 1AA"),
                ("phone", "020 7946 0000"),
                ("vat_number", "GB123456789"),
            ],
            ("01234567", "SW1A1AA", "+442079460000", Some("GB123456789")),
        ),
        (
            &[
                ("country", "CH"),
                ("business_id", "CHE-123.456.789"),
                ("postal_code", "CH-8001"),
                ("phone", "044 123 45 67"),
                ("vat_number", "CHE-123.456.789 MWST"),
            ],
            (
                "CHE123456789",
                "8001",
                "+41441234567",
                Some("CHE123456789MWST"),
            ),
        ),
    ];
    for (version, (changes, (id, postal, phone, vat))) in cases.into_iter().enumerate() {
        let response = app
            .post_company(&anna, &org, changes, &version.to_string())
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{changes:?}");
        let stored: (String, String, String, Option<String>) = sqlx::query_as(
            "SELECT business_id, postal_code, phone, vat_number FROM company_information",
        )
        .fetch_one(app.db())
        .await
        .unwrap();
        assert_eq!(
            stored,
            (id.into(), postal.into(), phone.into(), vat.map(Into::into))
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn an_international_email_is_one_address_in_both_spellings() {
    let app = TestApp::start().await;
    let client = app.client();
    let response = app
        .signup(&client, "Info", "info@bücher.example", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let email: String = sqlx::query_scalar("SELECT email FROM accounts")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(email, "info@bücher.example");
    // What a browser sends for the same address: the same account.
    let response = app
        .signup(
            &app.client(),
            "Info",
            "info@xn--bcher-kva.example",
            PASSWORD,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM accounts").await, 1);
    let response = app
        .login(&app.client(), "INFO@xn--bcher-kva.example", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}
