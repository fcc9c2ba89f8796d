//! The authorization matrix: every page, form action and server function
//! of an organization, as anonymous, non-member, Member, Billing, Admin and
//! Owner, against DESIGN.md's roles table written out here by hand (not
//! read from the code it checks). Forms are sent with input the permitted
//! roles get refused for (422, 409 for what no longer exists, 404 for what never did), so a
//! permitted answer is told from a refused one without changing anything.
//! Prints the matrix: `cargo test --features ssr --test app matrix -- --nocapture`

use super::common::TestApp;
use leptos::server_fn::ServerFn as _;
use orgpanel::api_keys::FetchApiKeys;
use orgpanel::billing::{FetchBilling, FetchCardSetup};
use orgpanel::collaborators::FetchCollaborators;
use orgpanel::company::FetchCompany;
use orgpanel::invoices::FetchInvoices;
use orgpanel::organizations::{FetchActivity, FetchOrgAccess, FetchTwoFactorRequired};
use orgpanel::overview::FetchOverview;
use orgpanel::services::FetchServices;
use reqwest::{Client, StatusCode};
use std::fmt::Write as _;

enum Kind {
    Page,
    Form,
    ServerFunction,
}

struct Check {
    what: &'static str,
    kind: Kind,
    /// After `/organizations/{org}`, or a server function's path.
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    /// Who may, from DESIGN.md's table: O(wner) A(dmin) B(illing) M(ember).
    may: &'static str,
    /// What a permitted role gets.
    ok: StatusCode,
}

const ALL: &str = "OABM";

fn checks() -> Vec<Check> {
    use Kind::{Form, Page, ServerFunction};
    use StatusCode as S;
    let page = |what, path, may| Check {
        what,
        kind: Page,
        path,
        form: &[],
        may,
        ok: S::OK,
    };
    let form = |what, path, form, may, ok| Check {
        what,
        kind: Form,
        path,
        form,
        may,
        ok,
    };
    let function = |what, path, may, ok| Check {
        what,
        kind: ServerFunction,
        path,
        form: &[],
        may,
        ok,
    };
    vec![
        page("Overview", "", ALL),
        page("Services", "/services", ALL),
        page("Collaborators", "/collaborators", ALL),
        page("Settings", "/settings", ALL),
        page("Billing", "/billing", ALL),
        page("API keys", "/api-keys", "OA"),
        page("Activity", "/activity", "OA"),
        form(
            "Rename",
            "/settings",
            &[("intent", "rename"), ("name", "")],
            "O",
            S::UNPROCESSABLE_ENTITY,
        ),
        // An Owner without two-factor log-in of their own is refused.
        form(
            "Require two-factor log-in",
            "/settings",
            &[("intent", "two-factor"), ("required", "yes")],
            "O",
            S::CONFLICT,
        ),
        form(
            "Delete organization",
            "/settings",
            &[("intent", "delete"), ("confirm", "not its name")],
            "O",
            S::UNPROCESSABLE_ENTITY,
        ),
        form(
            "Save company information",
            "/settings",
            &[("intent", "company"), ("version", "0")],
            "OAB",
            S::UNPROCESSABLE_ENTITY,
        ),
        form(
            "Method of payment",
            "/billing",
            &[("intent", "method"), ("method", "gold")],
            "OB",
            S::UNPROCESSABLE_ENTITY,
        ),
        form(
            "Invoice delivery",
            "/billing",
            &[("intent", "delivery"), ("delivery", "pigeon")],
            "OB",
            S::UNPROCESSABLE_ENTITY,
        ),
        form(
            "Create service",
            "/services",
            &[("intent", "create"), ("name", "")],
            "OAM",
            S::UNPROCESSABLE_ENTITY,
        ),
        form(
            "Delete service",
            "/services",
            &[("intent", "delete"), ("service", "gone")],
            "OAM",
            S::NOT_FOUND,
        ),
        form(
            "Invite",
            "/collaborators",
            &[("intent", "invite"), ("email", "x")],
            "OA",
            S::UNPROCESSABLE_ENTITY,
        ),
        form(
            "Resend",
            "/collaborators",
            &[("intent", "resend"), ("email", "nobody@example.com")],
            "OA",
            S::CONFLICT,
        ),
        form(
            "Revoke",
            "/collaborators",
            &[("intent", "revoke"), ("email", "nobody@example.com")],
            "OA",
            S::CONFLICT,
        ),
        form(
            "Change role",
            "/collaborators",
            &[
                ("intent", "role"),
                ("email", "nobody@example.com"),
                ("role", "member"),
            ],
            "OA",
            S::CONFLICT,
        ),
        form(
            "Remove",
            "/collaborators",
            &[("intent", "remove"), ("email", "nobody@example.com")],
            "OA",
            S::CONFLICT,
        ),
        form(
            "Create API key",
            "/api-keys",
            &[
                ("intent", "create"),
                ("description", ""),
                ("role", "member"),
            ],
            "OA",
            S::UNPROCESSABLE_ENTITY,
        ),
        form(
            "Revoke API key",
            "/api-keys",
            &[("intent", "revoke"), ("key", "gone")],
            "OA",
            S::CONFLICT,
        ),
        function("fetch_overview", FetchOverview::PATH, ALL, S::OK),
        function("fetch_company", FetchCompany::PATH, ALL, S::OK),
        function("fetch_collaborators", FetchCollaborators::PATH, ALL, S::OK),
        function("fetch_billing", FetchBilling::PATH, ALL, S::OK),
        function("fetch_invoices", FetchInvoices::PATH, "OB", S::OK),
        function("fetch_services", FetchServices::PATH, ALL, S::OK),
        function("fetch_activity", FetchActivity::PATH, "OA", S::OK),
        function("fetch_api_keys", FetchApiKeys::PATH, "OA", S::OK),
        function("fetch_org_access (View)", FetchOrgAccess::PATH, ALL, S::OK),
        function(
            "fetch_two_factor_required",
            FetchTwoFactorRequired::PATH,
            ALL,
            S::OK,
        ),
        // No invoice yet: a permitted role is told it does not exist.
        Check {
            what: "Invoice PDF",
            kind: Page,
            path: "/invoices/1.pdf",
            form: &[],
            may: "OB",
            ok: S::NOT_FOUND,
        },
        // A made-up setup: a permitted role is told it does not exist.
        function("fetch_card_setup", FetchCardSetup::PATH, "OB", S::NOT_FOUND),
    ]
}

/// What each kind of caller should get.
fn expected(check: &Check, caller: &str) -> StatusCode {
    match (caller, &check.kind) {
        ("anonymous", Kind::Page) => StatusCode::SEE_OTHER,
        ("anonymous", _) => StatusCode::UNAUTHORIZED,
        ("non-member", _) => StatusCode::NOT_FOUND,
        (role, _) if check.may.contains(&role[..1].to_uppercase()) => check.ok,
        _ => StatusCode::FORBIDDEN,
    }
}

async fn ask(app: &TestApp, client: &Client, check: &Check, org: &str) -> StatusCode {
    let response = match check.kind {
        Kind::Page => {
            app.get(client, &format!("/organizations/{org}{}", check.path))
                .await
        }
        Kind::Form => {
            app.post_form(
                client,
                &format!("/organizations/{org}{}", check.path),
                check.form,
            )
            .await
        }
        Kind::ServerFunction => {
            let mut form = vec![("org", org)];
            if check.path == FetchOrgAccess::PATH {
                form.push(("action", "View"));
            }
            if check.path == FetchCardSetup::PATH {
                form.push(("setup", "made-up"));
            }
            if check.path == FetchCollaborators::PATH {
                form.extend([("page", "1"), ("invitations_page", "1")]);
            }
            client
                .post(app.url(check.path))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    response.status()
}

#[tokio::test]
async fn every_page_form_and_server_function_answers_each_role_as_the_roles_table_says() {
    let app = TestApp::start().await;
    let owner = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let mut callers: Vec<(&str, Client)> = vec![("anonymous", app.client())];
    callers.push((
        "non-member",
        app.user("Mallory", "mallory@example.com").await,
    ));
    callers.push(("owner", owner));
    callers.extend(app.team(&org).await);

    let mut matrix = String::new();
    let _ = write!(matrix, "{:<28}", "");
    for (caller, _) in &callers {
        let _ = write!(matrix, "{caller:>12}");
    }
    matrix.push('\n');
    let mut wrong = Vec::new();
    for check in checks() {
        let _ = write!(matrix, "{:<28}", check.what);
        for (caller, client) in &callers {
            let got = ask(&app, client, &check, &org).await;
            let want = expected(&check, caller);
            let mark = if got == want { " " } else { "!" };
            let _ = write!(matrix, "{:>11}{mark}", got.as_u16());
            if got != want {
                wrong.push(format!(
                    "{} as {caller}: {got}, expected {want}",
                    check.what
                ));
            }
        }
        matrix.push('\n');
    }
    println!("{matrix}");
    assert!(
        wrong.is_empty(),
        "unexpected answers:\n{}\n{matrix}",
        wrong.join("\n")
    );
    // Nothing the refused calls sent changed anything.
    assert_eq!(app.count("SELECT count(*) FROM invitations").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM services").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM organizations WHERE name = 'Example AB'")
            .await,
        1
    );
}
