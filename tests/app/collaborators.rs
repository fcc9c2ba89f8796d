//! Invitations: sent through the outbox to a real SMTP server, accepted
//! by a new account and by an existing one, never into the wrong account;
//! resent, revoked, expired and made-up links all get the same answer.

use super::common::{smtp::Received, TestApp};
use reqwest::{Client, StatusCode};

/// The invitation link in an email, as a path of the panel.
fn link(message: &Received) -> String {
    let url = message
        .body
        .split_whitespace()
        .find(|word| word.contains("/invitations/"))
        .unwrap_or_else(|| panic!("no link in {}", message.body));
    TestApp::path_of(url)
}

/// The invitation emails received so far, oldest first (sign-ups send
/// confirmation emails beside them).
fn invitation_emails(app: &TestApp) -> Vec<Received> {
    app.smtp
        .messages()
        .into_iter()
        .filter(|m| m.body.contains("/invitations/"))
        .collect()
}

async fn invite(
    app: &TestApp,
    client: &Client,
    org: &str,
    email: &str,
    role: &str,
) -> reqwest::Response {
    app.post_form(
        client,
        &format!("/organizations/{org}/collaborators"),
        &[("intent", "invite"), ("email", email), ("role", role)],
    )
    .await
}

/// Invites `email` as `role` and returns the link that arrives.
async fn invited(app: &TestApp, client: &Client, org: &str, email: &str, role: &str) -> String {
    let invitations = || invitation_emails(app);
    let before = invitations().len();
    let response = invite(app, client, org, email, role).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "inviting {email}");
    for _ in 0..100 {
        if invitations().len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    link(invitations().last().expect("an invitation email"))
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = app.get(client, path).await;
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn an_invitation_email_names_everything_and_a_new_account_accepts_it() {
    let app = TestApp::start().await;
    let olga = app.user("Olga Owner", "olga@example.com").await;
    let org = app.create_org(&olga, "Acme Hosting AB").await;
    let path = invited(&app, &olga, &org, "New.Person@Example.com", "billing").await;

    let message = app
        .smtp
        .wait_for("new.person@example.com", 5)
        .await
        .unwrap();
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Invitation to Acme Hosting AB on Orgpanel")
    );
    for words in [
        "Olga Owner",
        "Acme Hosting AB",
        "as Billing",
        "http://127.0.0.1:3000/invitations/",
    ] {
        assert!(message.body.contains(words), "{words} in {}", message.body);
    }
    let token = path.strip_prefix("/invitations/").unwrap();
    assert_eq!(token.len(), 43, "256 bits in base64url");
    assert_eq!(
        app.count_with(
            "SELECT count(*) FROM invitations WHERE token_hash = $1",
            token
        )
        .await,
        0,
        "the token is kept only as its hash"
    );
    // The Collaborators page lists it as pending.
    let (_, html) = page(&app, &olga, &format!("/organizations/{org}/collaborators")).await;
    assert!(
        html.contains("Pending invitations") && html.contains("New.Person@example.com"),
        "{html}"
    );

    // A visitor sees the organization and the role, and signs up from there.
    let visitor = app.client();
    let (status, html) = page(&app, &visitor, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Acme Hosting AB") && html.contains("Billing") && html.contains("Sign up")
    );
    let signup = app
        .post_form(
            &visitor,
            "/signup",
            &[
                ("name", "Nina New"),
                ("email", "new.person@example.com"),
                ("password", "password123"),
                ("next", &path),
            ],
        )
        .await;
    assert_eq!(signup.status(), StatusCode::SEE_OTHER);
    assert_eq!(super::common::location(&signup), path);
    let (_, html) = page(&app, &visitor, &path).await;
    assert!(html.contains("Accept invitation"), "{html}");
    let accepted = app.post_form(&visitor, &path, &[]).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        super::common::location(&accepted),
        format!("/organizations/{org}?joined=1")
    );
    let (status, html) = page(&app, &visitor, &format!("/organizations/{org}/settings")).await;
    assert_eq!(status, StatusCode::OK, "a Billing member reaches Settings");
    assert!(html.contains("Company information"));
    // The link works once; a second click on "Accept" (a double click, a
    // second tab) finds the account already in.
    let (status, html) = page(&app, &visitor, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("This invitation is no longer valid"));
    let again = app.post_form(&visitor, &path, &[]).await;
    assert_eq!(
        super::common::location(&again),
        format!("/organizations/{org}?joined=1")
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity WHERE action = 'Invitation accepted'")
            .await,
        1
    );
    let activity = page(&app, &olga, &format!("/organizations/{org}/activity"))
        .await
        .1;
    assert!(activity.contains("Collaborator invited") && activity.contains("Invitation accepted"));
}

#[tokio::test]
async fn an_existing_account_accepts_and_another_account_never_does() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "olga@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let bert = app.user("Bert", "bert@example.com").await;
    let mallory = app.user("Mallory", "mallory@example.com").await;
    let path = invited(&app, &olga, &org, "BERT@example.com", "admin").await;

    // Signed in as someone else: the page says whom it is for; accepting fails.
    let (status, html) = page(&app, &mallory, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("This invitation is for")
            && html.contains("mallory@example.com")
            && html.contains("Log out")
    );
    let response = app.post_form(&mallory, &path, &[]).await;
    assert_eq!(super::common::location(&response), path);
    let (status, _) = page(&app, &mallory, &format!("/organizations/{org}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "never accepted into the wrong account"
    );

    let response = app.post_form(&bert, &path, &[]).await;
    assert_eq!(
        super::common::location(&response),
        format!("/organizations/{org}?joined=1")
    );
    let (status, html) = page(&app, &bert, &format!("/organizations/{org}/collaborators")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Invite collaborator"), "an Admin invites");
}

#[tokio::test]
async fn resent_revoked_expired_and_made_up_links_get_the_same_answer() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "olga@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let first = invited(&app, &olga, &org, "cora@example.com", "member").await;
    // Inviting the same address again (any case) resends: one invitation, a new link.
    let second = invited(&app, &olga, &org, "CORA@example.com", "member").await;
    assert_ne!(first, second);
    assert_eq!(
        app.count("SELECT count(*) FROM invitations WHERE status = 'pending'")
            .await,
        1
    );
    let cora = app.user("Cora", "cora@example.com").await;
    let (_, replaced) = page(&app, &cora, &first).await;
    // Resend from the list: another new link.
    let invitations = || invitation_emails(&app);
    let before = invitations().len();
    let response = app
        .post_form(
            &olga,
            &format!("/organizations/{org}/collaborators"),
            &[("intent", "resend"), ("email", "cora@example.com")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    for _ in 0..100 {
        if invitations().len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let third = link(invitations().last().unwrap());
    assert_ne!(third, second);
    let (status, _) = page(&app, &cora, &second).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the resent link replaced the old one"
    );

    // Revoked.
    let response = app
        .post_form(
            &olga,
            &format!("/organizations/{org}/collaborators"),
            &[("intent", "revoke"), ("email", "cora@example.com")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, revoked) = page(&app, &cora, &third).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Expired: 7 days and a second.
    let fresh = invited(&app, &olga, &org, "dora@example.com", "member").await;
    app.clock.advance(7 * 86_400 + 1);
    let dora = app.user("Dora", "dora@example.com").await;
    let (status, expired) = page(&app, &dora, &fresh).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let accepted = app.post_form(&dora, &fresh, &[]).await;
    assert_eq!(super::common::location(&accepted), fresh);

    // Made up.
    let made_up = format!("/invitations/{}", "A".repeat(43));
    let (status, never) = page(&app, &dora, &made_up).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let main = |html: &str| {
        let start = html.find("<main").unwrap();
        let end = html.find("</main>").unwrap();
        html[start..end].to_owned()
    };
    for other in [&replaced, &revoked, &expired] {
        assert_eq!(
            main(other),
            main(&never),
            "the same answer whatever the reason"
        );
    }
    assert!(never.contains("This invitation is no longer valid"));
}

#[tokio::test]
async fn who_may_invite_whom() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let team = app.team(&org).await;
    let client = |role: &str| &team.iter().find(|(r, _)| *r == role).unwrap().1;

    // A member's address, in any case, is refused.
    let response = invite(&app, &olga, &org, "ADMIN@example.com", "member").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("is already a collaborator"));
    // An Admin cannot invite an Owner, but an Admin.
    let response = invite(&app, client("admin"), &org, "x@example.com", "owner").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Only an Owner can invite an Owner."));
    let response = invite(&app, client("admin"), &org, "x@example.com", "admin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Billing and Member do not invite.
    for role in ["billing", "member"] {
        let response = invite(&app, client(role), &org, "y@example.com", "member").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role}");
        let (_, html) = page(
            &app,
            client(role),
            &format!("/organizations/{org}/collaborators"),
        )
        .await;
        assert!(!html.contains("Invite collaborator"), "{role} sees no form");
        assert!(
            !html.contains("x@example.com"),
            "{role} sees no pending invitations"
        );
    }
    // Bad input changes nothing.
    let response = invite(&app, &olga, &org, "not an address", "wizard").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("not an address") && html.contains("Choose a role."),
        "{html}"
    );
    assert_eq!(app.count("SELECT count(*) FROM invitations").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE subject LIKE 'Invitation to %'")
            .await,
        1
    );
}

async fn post(app: &TestApp, client: &Client, org: &str, form: &[(&str, &str)]) -> StatusCode {
    app.post_form(client, &format!("/organizations/{org}/collaborators"), form)
        .await
        .status()
}

async fn role_of(app: &TestApp, email: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email_key = $1",
    )
    .bind(email)
    .fetch_optional(app.db())
    .await
    .unwrap()
}

#[tokio::test]
async fn roles_change_as_the_roles_table_says_and_a_removed_member_loses_access() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let team = app.team(&org).await;
    let client = |role: &str| &team.iter().find(|(r, _)| *r == role).unwrap().1;
    let change = |email: &'static str, role: &'static str| {
        vec![("intent", "role"), ("email", email), ("role", role)]
    };

    // Billing and Member change nothing.
    for role in ["billing", "member"] {
        let status = post(
            &app,
            client(role),
            &org,
            &change("admin@example.com", "member"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
    // An Admin changes a Member, never an Owner, and makes no one an Owner.
    let status = post(
        &app,
        client("admin"),
        &org,
        &change("member@example.com", "billing"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        role_of(&app, "member@example.com").await.as_deref(),
        Some("billing")
    );
    let status = post(
        &app,
        client("admin"),
        &org,
        &change("owner@example.com", "member"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let status = post(
        &app,
        client("admin"),
        &org,
        &change("billing@example.com", "owner"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        role_of(&app, "owner@example.com").await.as_deref(),
        Some("owner")
    );
    // The Owner changes anyone.
    let status = post(&app, &olga, &org, &change("admin@example.com", "owner")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        role_of(&app, "admin@example.com").await.as_deref(),
        Some("owner")
    );

    // Removed: the next request gets 404.
    let status = post(
        &app,
        &olga,
        &org,
        &[("intent", "remove"), ("email", "billing@example.com")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = page(&app, client("billing"), &format!("/organizations/{org}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let activity = page(&app, &olga, &format!("/organizations/{org}/activity"))
        .await
        .1;
    assert!(activity.contains("Role changed") && activity.contains("Collaborator removed"));
}

#[tokio::test]
async fn the_last_owner_can_neither_leave_be_demoted_nor_be_removed() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let team = app.team(&org).await;
    let admin = &team[0].1;
    let status = post(&app, &olga, &org, &[("intent", "leave")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let status = post(
        &app,
        &olga,
        &org,
        &[
            ("intent", "role"),
            ("email", "owner@example.com"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let status = post(
        &app,
        admin,
        &org,
        &[("intent", "remove"), ("email", "owner@example.com")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        role_of(&app, "owner@example.com").await.as_deref(),
        Some("owner")
    );
    let html = app
        .post_form(
            &olga,
            &format!("/organizations/{org}/collaborators"),
            &[("intent", "leave")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("must keep an Owner"), "{html}");

    // Anyone else may leave, and then the organization is gone for them.
    let member = &team[2].1;
    let response = app
        .post_form(
            member,
            &format!("/organizations/{org}/collaborators"),
            &[("intent", "leave")],
        )
        .await;
    assert_eq!(super::common::location(&response), "/?left=1");
    let (status, _) = page(&app, member, &format!("/organizations/{org}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The loser is refused by the gate (403: no longer an Owner when its
/// request is authorized) or, when both were authorized first, by the
/// count of Owners inside the write transaction (409).
/// The loser is refused by the gate (403: no longer an Owner when its
/// request is authorized) or, when both were authorized first, by the
/// count of Owners inside the write transaction (409).
#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_exactly_one_owner() {
    let mut in_transaction = 0;
    for _ in 0..10 {
        let app = TestApp::start().await;
        let anna = app.user("Anna", "anna@example.com").await;
        let org = app.create_org(&anna, "Example AB").await;
        let bert = app.user("Bert", "bert@example.com").await;
        app.add_member(&org, "bert@example.com", "owner").await;
        let demote =
            |email: &'static str| vec![("intent", "role"), ("email", email), ("role", "member")];
        let (demote_bert, demote_anna) = (demote("bert@example.com"), demote("anna@example.com"));
        let (a, b) = tokio::join!(
            post(&app, &anna, &org, &demote_bert),
            post(&app, &bert, &org, &demote_anna),
        );
        let mut statuses = [a, b];
        statuses.sort();
        assert_eq!(
            statuses[0],
            StatusCode::SEE_OTHER,
            "one succeeds: {statuses:?}"
        );
        assert!(
            matches!(statuses[1], StatusCode::FORBIDDEN | StatusCode::CONFLICT),
            "the other is refused: {statuses:?}"
        );
        in_transaction += usize::from(statuses[1] == StatusCode::CONFLICT);
        assert_eq!(
            app.count("SELECT count(*) FROM memberships WHERE role = 'owner'")
                .await,
            1
        );
    }
    println!("refused inside the write transaction in {in_transaction} of 10 races");
}

#[tokio::test]
async fn the_organization_menu_shows_each_role_what_it_may_open() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let team = app.team(&org).await;
    let menu = |html: &str| {
        let start = html.find("id=\"org-menu\"").unwrap();
        html[start..start + html[start..].find("</div>").unwrap()].to_owned()
    };
    let expected = [
        ("owner", true),
        ("admin", true),
        ("billing", false),
        ("member", false),
    ];
    for (role, sees_all) in expected {
        let client = if role == "owner" {
            &olga
        } else {
            &team.iter().find(|(r, _)| *r == role).unwrap().1
        };
        let html = page(&app, client, &format!("/organizations/{org}")).await.1;
        let menu = menu(&html);
        for item in ["Collaborators", "Settings", "Billing"] {
            assert!(menu.contains(item), "{role} sees {item}");
        }
        for item in ["API keys", "Activity"] {
            assert_eq!(menu.contains(item), sees_all, "{role} and {item}: {menu}");
        }
    }
}

#[tokio::test]
async fn an_admin_neither_downgrades_nor_revokes_an_owners_invitation() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let team = app.team(&org).await;
    let admin = &team[0].1;
    invited(&app, &olga, &org, "next.owner@example.com", "owner").await;
    let status = invite(&app, admin, &org, "next.owner@example.com", "member")
        .await
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let status = post(
        &app,
        admin,
        &org,
        &[("intent", "revoke"), ("email", "next.owner@example.com")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT count(*) FROM invitations WHERE status = 'pending' AND role = 'owner'")
            .await,
        1
    );
}

/// A request already on its way acts with the role its sender has when it
/// is written, not the one it had when it arrived.
#[tokio::test]
async fn a_demoted_owner_in_flight_makes_no_one_an_owner() {
    for _ in 0..15 {
        let app = TestApp::start().await;
        let anna = app.user("Anna", "anna@example.com").await;
        let org = app.create_org(&anna, "Example AB").await;
        let bert = app.user("Bert", "bert@example.com").await;
        app.add_member(&org, "bert@example.com", "owner").await;
        app.user("Mia", "mia@example.com").await;
        app.add_member(&org, "mia@example.com", "member").await;
        let demote = [
            ("intent", "role"),
            ("email", "bert@example.com"),
            ("role", "admin"),
        ];
        let promote = [
            ("intent", "role"),
            ("email", "mia@example.com"),
            ("role", "owner"),
        ];
        let _ = tokio::join!(
            post(&app, &anna, &org, &demote),
            post(&app, &bert, &org, &promote)
        );
        let order: Vec<String> = sqlx::query_scalar(
            "SELECT detail FROM activity WHERE action = 'Role changed' ORDER BY id",
        )
        .fetch_all(app.db())
        .await
        .unwrap();
        let demoted = order.iter().position(|d| d.starts_with("bert@"));
        let promoted = order.iter().position(|d| d.starts_with("mia@"));
        if let (Some(demoted), Some(promoted)) = (demoted, promoted) {
            assert!(
                promoted < demoted,
                "Bert made Mia an Owner after he was demoted: {order:?}"
            );
        }
    }
}

#[tokio::test]
async fn invitation_emails_are_limited_per_organization() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    for i in 0..50 {
        let status = invite(&app, &olga, &org, &format!("p{i}@example.com"), "member")
            .await
            .status();
        assert_eq!(status, StatusCode::SEE_OTHER, "invitation {i}");
    }
    let response = invite(&app, &olga, &org, "one.more@example.com", "member").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Too many invitations sent from this organization."));
    assert_eq!(app.count("SELECT count(*) FROM invitations").await, 50);
}

#[tokio::test]
async fn a_link_stays_out_of_the_log_and_of_the_outbox_once_sent() {
    let app = TestApp::start().await;
    let olga = app.user("Olga", "owner@example.com").await;
    let org = app.create_org(&olga, "Example AB").await;
    let path = invited(&app, &olga, &org, "quiet@example.com", "member").await;
    let token = path.strip_prefix("/invitations/").unwrap().to_owned();
    // Probes a mail scanner or a stranger might send.
    let client = app.client();
    let _ = client
        .request(reqwest::Method::OPTIONS, app.url(&path))
        .send()
        .await
        .unwrap();
    let _ = client
        .post(app.url(&path))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    let _ = app.get(&client, &path).await;
    app.eventually("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL", 1)
        .await;
    assert!(
        !super::common::logs().contains(&token),
        "the token is in the log"
    );
    assert_eq!(
        app.count_with(
            "SELECT count(*) FROM outbox WHERE body LIKE '%' || $1 || '%'",
            &token
        )
        .await,
        0,
        "the sent email's text is not kept"
    );
}
