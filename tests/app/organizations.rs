//! Organizations: creating, the sidebar, the overview, the permission gate
//! for every page, form and server function, rename, delete, activity.

use super::common;

use common::{assert_redirect, location, TestApp};
use leptos::server_fn::ServerFn;
use orgpanel::billing::FetchBilling;
use orgpanel::collaborators::FetchCollaborators;
use orgpanel::company::FetchCompany;
use orgpanel::organizations::{FetchActivity, FetchMyOrganizations, FetchOrgAccess};
use orgpanel::overview::FetchOverview;
use orgpanel::services::FetchServices;
use reqwest::{Client, StatusCode};

#[tokio::test]
async fn creating_an_organization_makes_the_creator_owner_and_opens_settings() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;

    let response = app
        .post_form(&anna, "/organizations/new", &[("name", "  Example AB  ")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let settings = location(&response);
    let id = settings
        .strip_prefix("/organizations/")
        .and_then(|r| r.strip_suffix("/settings?created=1"))
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 16, "an opaque id, not a row number: {id}");

    let html = app.get(&anna, &settings).await.text().await.unwrap();
    assert!(html.contains("<h1>Company information</h1>"));
    assert!(html.contains("Company information comes first"));
    assert!(
        html.contains(&format!(
            r#"<a href="/organizations/{id}" aria-current="page" dir="auto">Example AB</a>"#
        )),
        "{html}"
    );
    for item in [
        "Collaborators",
        "Settings",
        "Billing",
        "API keys",
        "Activity",
    ] {
        assert!(html.contains(&format!(">{item}</a>")), "menu item {item}");
    }

    let role: String = sqlx::query_scalar("SELECT role FROM memberships")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(role, "owner");
    let logged: String = sqlx::query_scalar("SELECT action FROM activity")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(logged, "Organization created");
    app.stop().await;
}

#[tokio::test]
async fn a_bad_name_says_why_and_creates_nothing() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    for (name, message) in [
        ("   ", "Enter the organization's name."),
        (
            &"x".repeat(101),
            "Organization name must be at most 100 characters.",
        ),
        (
            "Evil\u{0007}Corp",
            "Organization name cannot contain control characters.",
        ),
    ] {
        let response = app
            .post_form(&anna, "/organizations/new", &[("name", name)])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{message}");
        assert!(html.contains(r#"aria-invalid="true""#));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM activity").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_sidebar_lists_every_organization_and_marks_the_current_one() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let beta = app.create_org(&anna, "Beta AB").await;
    let alpha = app.create_org(&anna, "alpha Oy").await;
    let other = app.user("Bo", "bo@example.com").await;
    app.create_org(&other, "Not Anna's").await;

    let html = app
        .get(&anna, &format!("/organizations/{beta}"))
        .await
        .text()
        .await
        .unwrap();
    let (a, b) = (
        html.find(">alpha Oy</a>").unwrap(),
        html.find(">Beta AB</a>").unwrap(),
    );
    assert!(a < b, "sorted by name, ignoring case");
    assert!(html.contains(&format!(
        r#"<a href="/organizations/{beta}" aria-current="page" dir="auto">Beta AB</a>"#
    )));
    assert!(html.contains(&format!(
        r#"<a href="/organizations/{alpha}" dir="auto">alpha Oy</a>"#
    )));
    assert!(!html.contains("Not Anna"));
    app.stop().await;
}

#[tokio::test]
async fn the_overview_shows_collaborators_and_the_getting_started_checklist() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let org = app.create_org(&anna, "Example AB").await;
    app.user("Bo Ek", "bo@example.com").await;
    app.add_member(&org, "bo@example.com", "billing").await;

    let response = app.get(&anna, &format!("/organizations/{org}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<h1 dir="auto">Example AB</h1>"#));
    assert!(html.contains(
        r#"<td dir="auto" data-label="Name">Anna Berg</td><td data-label="Email" class="email">anna@example.com</td><td data-label="Role" class="nowrap">Owner</td>"#
    ));
    assert!(html.contains(
        r#"<td dir="auto" data-label="Name">Bo Ek</td><td data-label="Email" class="email">bo@example.com</td><td data-label="Role" class="nowrap">Billing</td>"#
    ));
    for (item, page) in [
        ("Company information", "settings"),
        ("Payment method", "billing"),
        ("Create a service", "services"),
    ] {
        assert!(
            html.contains(&format!(
                r#"<a href="/organizations/{org}/{page}">{item}</a>"#
            )),
            "{item}"
        );
    }
    assert_eq!(
        html.matches("Not done").count(),
        3,
        "nothing is done in a new organization"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_overview_tells_the_organizations_state_as_each_role_may_see_it() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let org = app.create_org(&anna, "Example").await;
    let team = app.team(&org).await;
    let overview = format!("/organizations/{org}");

    let (_, html) = app.page(&anna, &overview).await;
    for part in [
        "Not filled in yet",
        "No method of payment yet",
        "None yet",
        r#"<h2 id="getting-started">Getting started</h2>"#,
    ] {
        assert!(html.contains(part), "a new organization: {part}");
    }

    app.make_ready(&anna, &org).await;
    let invited = app
        .post_form(
            &anna,
            &format!("{overview}/collaborators"),
            &[
                ("intent", "invite"),
                ("email", "cora@example.com"),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.create_service(&anna, &org, "web-1").await.status(),
        StatusCode::SEE_OTHER
    );

    let (_, html) = app.page(&anna, &overview).await;
    for part in [
        "<bdi>Example AB</bdi>",
        "556036-0793",
        &format!(r#"<a href="/organizations/{org}/settings">Open Settings</a>"#),
        "Invoice by email to invoices@example.se",
        &format!(r#"<a href="/organizations/{org}/billing">Open Billing</a>"#),
        "1 running",
        &format!(r#"<a href="/organizations/{org}/services">Open Services</a>"#),
        "<summary>Getting started: all done</summary>",
        "Pending invitations",
        "cora@example.com",
    ] {
        assert!(html.contains(part), "the Owner's overview: {part}");
    }
    assert!(
        !html.contains(r#"id="getting-started""#),
        "folded away once done"
    );

    for (role, client) in &team {
        let (status, html) = app.page(client, &overview).await;
        assert_eq!(status, StatusCode::OK, "{role}");
        let sees_payments = *role == "billing";
        assert_eq!(
            html.contains("invoices@example.se"),
            sees_payments,
            "{role}: the invoice address"
        );
        assert!(html.contains("Invoice by email"), "{role}");
        assert_eq!(
            html.contains("cora@example.com"),
            *role == "admin",
            "{role}: pending invitations are for those who invite"
        );
    }
    app.stop().await;
}

const PAGES: [&str; 7] = [
    "",
    "/services",
    "/collaborators",
    "/settings",
    "/billing",
    "/api-keys",
    "/activity",
];

#[tokio::test]
async fn a_non_member_gets_404_everywhere_and_never_sees_the_name() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Secret Project AB").await;
    let mallory = app.user("Mallory", "mallory@example.com").await;

    for page in PAGES {
        let response = app
            .get(&mallory, &format!("/organizations/{org}{page}"))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "page {page:?}");
        assert!(
            !response.text().await.unwrap().contains("Secret Project"),
            "page {page:?}"
        );
    }
    // The same for an id that does not exist at all.
    let response = app.get(&mallory, "/organizations/aaaaaaaaaaaaaaaa").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let rename = app
        .post_form(
            &mallory,
            &format!("/organizations/{org}/settings"),
            &[("intent", "rename"), ("name", "Pwned")],
        )
        .await;
    assert_eq!(rename.status(), StatusCode::NOT_FOUND);
    let delete = app
        .post_form(
            &mallory,
            &format!("/organizations/{org}/settings"),
            &[("intent", "delete"), ("confirm", "Secret Project AB")],
        )
        .await;
    assert_eq!(delete.status(), StatusCode::NOT_FOUND);
    let name: String = sqlx::query_scalar("SELECT name FROM organizations")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(name, "Secret Project AB");

    // Without a session, nothing is created or changed either.
    let anonymous = app.client();
    let create = app
        .post_form(&anonymous, "/organizations/new", &[("name", "Drive-by AB")])
        .await;
    assert_eq!(create.status(), StatusCode::UNAUTHORIZED);
    let rename = app
        .post_form(
            &anonymous,
            &format!("/organizations/{org}/settings"),
            &[("intent", "rename"), ("name", "Pwned")],
        )
        .await;
    assert_eq!(rename.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);
    assert_redirect(
        &app.get(&anonymous, &format!("/organizations/{org}")).await,
        &format!("/login?next=/organizations/{org}"),
    );
    app.stop().await;
}

/// Each role against each page: (page, may Owner, Admin, Billing, Member).
#[tokio::test]
async fn every_page_asks_the_permission_function_for_every_role() {
    let app = TestApp::start().await;
    let owner = app.user("Olga Owner", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let mut clients = vec![("owner", owner)];
    clients.extend(app.team(&org).await);
    let table: [(&str, [bool; 4]); 7] = [
        ("", [true; 4]),
        ("/services", [true; 4]),
        ("/collaborators", [true; 4]),
        ("/settings", [true; 4]),
        ("/billing", [true; 4]),
        ("/api-keys", [true, true, false, false]),
        ("/activity", [true, true, false, false]),
    ];
    for (page, allowed) in table {
        for ((role, client), allowed) in clients.iter().zip(allowed) {
            let response = app
                .get(client, &format!("/organizations/{org}{page}"))
                .await;
            let expected = if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(response.status(), expected, "{role} on {page:?}");
            if !allowed {
                let html = response.text().await.unwrap();
                assert!(
                    html.contains("does not allow this"),
                    "{role} on {page:?}: a plain message"
                );
            }
        }
    }

    // Only the Owner sees rename and delete, and only the Owner's posts work.
    for (role, client) in &clients {
        let html = app
            .get(client, &format!("/organizations/{org}/settings"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            html.contains("Delete organization"),
            *role == "owner",
            "{role}"
        );
        let response = app
            .post_form(
                client,
                &format!("/organizations/{org}/settings"),
                &[
                    ("intent", "rename"),
                    ("name", &format!("Renamed by {role}")),
                ],
            )
            .await;
        if *role == "owner" {
            assert_redirect(
                &response,
                &format!("/organizations/{org}/settings?renamed=1"),
            );
        } else {
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} renames");
            assert!(
                response
                    .text()
                    .await
                    .unwrap()
                    .contains("does not allow this"),
                "{role} is told why"
            );
        }
    }
    let name: String = sqlx::query_scalar("SELECT name FROM organizations")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(name, "Renamed by owner");
    for (role, client) in clients.iter().skip(1) {
        let response = app
            .post_form(
                client,
                &format!("/organizations/{org}/settings"),
                &[("intent", "delete"), ("confirm", "Renamed by owner")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} deletes");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);
    app.stop().await;
}

async fn call(
    app: &TestApp,
    client: &Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn server_functions_answer_anonymous_non_members_and_each_role() {
    let app = TestApp::start().await;
    let owner = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    let outsider = app.user("Mallory", "mallory@example.com").await;
    let mut members = vec![("owner", owner)];
    members.extend(app.team(&org).await);
    let org = org.as_str();

    let (status, _) = call(
        &app,
        &app.client(),
        FetchMyOrganizations::PATH,
        &[("page", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous");
    let (status, body) = call(
        &app,
        &outsider,
        FetchMyOrganizations::PATH,
        &[("page", "1")],
    )
    .await;
    assert_eq!(
        (status, body.contains("Example AB")),
        (StatusCode::OK, false),
        "only one's own"
    );
    for (role, client) in &members {
        let (status, body) = call(&app, client, FetchMyOrganizations::PATH, &[("page", "1")]).await;
        assert_eq!(
            (status, body.contains("Example AB")),
            (StatusCode::OK, true),
            "{role}"
        );
    }

    for (path, form) in [
        (FetchOverview::PATH, vec![("org", org)]),
        (FetchCompany::PATH, vec![("org", org)]),
        (
            FetchCollaborators::PATH,
            vec![("org", org), ("page", "1"), ("invitations_page", "1")],
        ),
        (FetchActivity::PATH, vec![("org", org)]),
        (FetchBilling::PATH, vec![("org", org)]),
        (FetchServices::PATH, vec![("org", org)]),
        (
            FetchOrgAccess::PATH,
            vec![("org", org), ("action", "RenameOrDelete")],
        ),
    ] {
        let (status, _) = call(&app, &app.client(), path, &form).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {path}");
        let (status, body) = call(&app, &outsider, path, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "non-member {path}");
        assert!(!body.contains("Example AB"));
    }

    let expectations = [
        (FetchOverview::PATH, vec![("org", org)], [true; 4]),
        (FetchCompany::PATH, vec![("org", org)], [true; 4]),
        (
            FetchCollaborators::PATH,
            vec![("org", org), ("page", "1"), ("invitations_page", "1")],
            [true; 4],
        ),
        (FetchBilling::PATH, vec![("org", org)], [true; 4]),
        (FetchServices::PATH, vec![("org", org)], [true; 4]),
        (
            FetchActivity::PATH,
            vec![("org", org)],
            [true, true, false, false],
        ),
        (
            FetchOrgAccess::PATH,
            vec![("org", org), ("action", "RenameOrDelete")],
            [true, false, false, false],
        ),
        (
            FetchOrgAccess::PATH,
            vec![("org", org), ("action", "ManageBilling")],
            [true, false, true, false],
        ),
        (
            FetchOrgAccess::PATH,
            vec![("org", org), ("action", "ManageServices")],
            [true, true, false, true],
        ),
    ];
    for (path, form, allowed) in expectations {
        for ((role, client), allowed) in members.iter().zip(allowed) {
            let (status, body) = call(&app, client, path, &form).await;
            let expected = if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "{role} {path} {form:?}: {body}");
            if allowed {
                assert!(body.contains("Example AB"), "{role} {path}");
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn delete_needs_the_exact_name_and_removes_it_for_everyone() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let org = app.create_org(&anna, "Example AB").await;
    let settings = format!("/organizations/{org}/settings");

    let html = app.get(&anna, &settings).await.text().await.unwrap();
    assert!(html.contains(
        "removes it for every collaborator. Its payments, services and activity log are kept for bookkeeping."
    ));

    let response = app
        .post_form(
            &anna,
            &settings,
            &[("intent", "delete"), ("confirm", "example ab")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("name exactly as shown to delete it."),
        "{html}"
    );
    assert!(html.contains(r#"value="example ab""#));
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);

    let response = app
        .post_form(
            &anna,
            &settings,
            &[("intent", "delete"), ("confirm", "Example AB")],
        )
        .await;
    assert_redirect(&response, "/?deleted=1");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organizations WHERE deleted_at IS NULL")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 0);
    // The activity log is kept, and says who deleted it.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activity WHERE action = 'Organization deleted'")
            .await,
        1
    );
    assert_eq!(
        app.get(&anna, &format!("/organizations/{org}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn renaming_is_validated_logged_and_the_log_is_append_only() {
    let app = TestApp::start().await;
    let anna = app.user("Anna Berg", "anna@example.com").await;
    let org = app.create_org(&anna, "Example AB").await;
    let settings = format!("/organizations/{org}/settings");

    let response = app
        .post_form(&anna, &settings, &[("intent", "rename"), ("name", "")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Enter the organization"), "{html}");
    let name: String = sqlx::query_scalar("SELECT name FROM organizations")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(name, "Example AB");

    assert_redirect(
        &app.post_form(
            &anna,
            &settings,
            &[("intent", "rename"), ("name", "Example Group AB")],
        )
        .await,
        &format!("{settings}?renamed=1"),
    );
    let html = app
        .get(&anna, &format!("/organizations/{org}/activity"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Organization renamed: from Example AB to Example Group AB"));
    assert!(html.contains("Organization created: Example AB"));
    assert!(html.contains(r#"<td dir="auto">Anna Berg</td>"#));

    let tampered = sqlx::query("UPDATE activity SET detail = 'nothing happened'")
        .execute(app.db())
        .await;
    assert!(tampered.is_err(), "activity rows cannot be changed");
    app.stop().await;
}

/// What a server function sends to the browser names an organization by its
/// public id only: its sequential database id stays on the server.
#[tokio::test]
async fn server_functions_never_send_the_internal_organization_id() {
    let app = TestApp::start().await;
    let owner = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&owner, "Example AB").await;
    for path in [
        FetchOverview::PATH,
        FetchCompany::PATH,
        FetchCollaborators::PATH,
        FetchActivity::PATH,
        FetchBilling::PATH,
        FetchServices::PATH,
    ] {
        let (status, body) = call(
            &app,
            &owner,
            path,
            &[("org", &org), ("page", "1"), ("invitations_page", "1")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut keys = Vec::new();
        collect_keys(&json, &mut keys);
        assert!(
            !keys.iter().any(|k| k == "id"),
            "{path} sends an `id`: {body}"
        );
        assert!(body.contains(&org), "{path} names the organization: {body}");
    }
    let (_, body) = call(
        &app,
        &owner,
        FetchOrgAccess::PATH,
        &[("org", &org), ("action", "View")],
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let number = json["org"]["customer_number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        json,
        serde_json::json!({"org": {"public_id": org, "customer_number": number, "name": "Example AB"}, "role": "Owner"})
    );
}

/// Every object key in `value`, at any depth.
fn collect_keys(value: &serde_json::Value, keys: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                keys.push(key.clone());
                collect_keys(inner, keys);
            }
        }
        serde_json::Value::Array(items) => {
            for inner in items {
                collect_keys(inner, keys);
            }
        }
        _ => {}
    }
}

/// Every organization has a customer number: 7 digits, unique, drawn at
/// random, shown on Overview and Settings.
#[tokio::test]
async fn every_organization_has_a_random_seven_digit_customer_number() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let mut orgs = Vec::new();
    for i in 0..30 {
        orgs.push(app.create_org(&anna, &format!("Org {i}")).await);
    }
    let numbers: Vec<String> =
        sqlx::query_scalar("SELECT customer_number FROM organizations ORDER BY id")
            .fetch_all(app.db())
            .await
            .unwrap();
    assert_eq!(numbers.len(), 30);
    assert!(numbers
        .iter()
        .all(|n| n.len() == 7 && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0')));
    let distinct: std::collections::HashSet<_> = numbers.iter().collect();
    assert_eq!(distinct.len(), 30, "unique");
    let values: Vec<i64> = numbers.iter().map(|n| n.parse().unwrap()).collect();
    assert!(
        values.windows(2).any(|w| w[1] - w[0] != 1),
        "not sequential: {values:?}"
    );
    for path in [
        format!("/organizations/{}", orgs[0]),
        format!("/organizations/{}/settings", orgs[0]),
    ] {
        let html = app.get(&anna, &path).await.text().await.unwrap();
        assert!(
            html.contains(&numbers[0]),
            "{path} shows the customer number"
        );
        assert!(html.contains("Customer number"), "{path}");
    }
}

/// The sidebar lists by name, after a rename too (the membership's copy of
/// the name is what orders it), and for a member who joined by invitation.
#[tokio::test]
async fn the_sidebar_lists_by_name_after_a_rename_and_for_an_invited_member() {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let beta = app.create_org(&anna, "beta").await;
    let alpha = app.create_org(&anna, "Alpha").await;
    let sidebar = |html: &str| -> Vec<String> {
        let list = html.split(r#"<ul class="orgs">"#).nth(1).unwrap();
        let list = list.split("</ul>").next().unwrap();
        list.split(r#"dir="auto">"#)
            .skip(1)
            .map(|a| a.split('<').next().unwrap().to_owned())
            .collect()
    };
    let (_, html) = app.page(&anna, "/").await;
    assert_eq!(sidebar(&html), ["Alpha", "beta"]);
    let response = app
        .post_form(
            &anna,
            &format!("/organizations/{alpha}/settings"),
            &[("intent", "rename"), ("name", "Zeta")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&anna, "/").await;
    assert_eq!(sidebar(&html), ["beta", "Zeta"]);

    let bo = app.user("Bo", "bo@example.com").await;
    app.add_member(&beta, "bo@example.com", "member").await;
    let (_, html) = app.page(&bo, "/").await;
    assert_eq!(sidebar(&html), ["beta"]);
    app.stop().await;
}
