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
    let before = app.smtp.messages().len();
    let response = invite(app, client, org, email, role).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "inviting {email}");
    for _ in 0..100 {
        if app.smtp.messages().len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    link(app.smtp.messages().last().expect("an email"))
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
        app.count(&format!(
            "SELECT count(*) FROM invitations WHERE token_hash = '{token}'"
        ))
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
    // The link works once.
    let (status, html) = page(&app, &visitor, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("This invitation is no longer valid"));
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
    let before = app.smtp.messages().len();
    let response = app
        .post_form(
            &olga,
            &format!("/organizations/{org}/collaborators"),
            &[("intent", "resend"), ("email", "cora@example.com")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.smtp.wait_for("cora@example.com", 5).await;
    for _ in 0..50 {
        if app.smtp.messages().len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let third = link(app.smtp.messages().last().unwrap());
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
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 1);
}
