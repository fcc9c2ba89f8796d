//! Email through the durable outbox: written in the caller's transaction,
//! sent once, kept and retried while the SMTP server is down, kept and
//! logged when none is configured.

use super::common::{logs, TestApp};
use orgpanel::mail;
use orgpanel::validate::Email;
use std::time::Duration;

async fn write(app: &TestApp, to: &str, subject: &str, body: &str) {
    let state = &app.running.state;
    let mut tx = state.db.write.begin().await.unwrap();
    mail::enqueue(
        &mut tx,
        &Email::parse(to).unwrap(),
        subject,
        body,
        state.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    state.mail_due.notify_one();
}

#[tokio::test]
async fn a_message_is_sent_once_as_written() {
    let app = TestApp::start().await;
    write(
        &app,
        "Anna@Example.com",
        "Hello",
        "Line one: Åsa Öberg\n.dot line",
    )
    .await;
    let message = app
        .smtp
        .wait_for("anna@example.com", 10)
        .await
        .expect("arrives");
    assert_eq!(message.header("Subject").as_deref(), Some("Hello"));
    assert!(
        message.body.contains("Line one: Åsa Öberg"),
        "{}",
        message.body
    );
    assert!(
        message.body.contains("\n.dot line"),
        "dot-stuffing undone: {}",
        message.body
    );
    assert!(message
        .header("From")
        .unwrap()
        .contains("no-reply@localhost"));
    // Later rounds send nothing again.
    app.clock.advance(3600);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1")
            .await,
        1
    );
}

#[tokio::test]
async fn a_message_written_while_the_smtp_server_is_down_arrives_after_it_comes_back() {
    let mut app = TestApp::start().await;
    app.smtp.halt();
    write(&app, "bert@example.com", "Invitation", "Welcome").await;
    // The worker tries, fails and waits.
    app.eventually("SELECT count(*) FROM outbox WHERE attempts > 0", 1)
        .await;
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE attempts = 1 AND sent_at IS NULL AND last_error IS NOT NULL")
            .await,
        1,
        "one failed attempt recorded, the message kept"
    );
    app.smtp.resume().await;
    // A minute later (the first retry waits 30 seconds) it is sent.
    app.clock.advance(60);
    let message = app.smtp.wait_for("bert@example.com", 10).await;
    assert!(message.is_some(), "arrives after the server comes back");
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn without_smtp_a_message_stays_in_the_outbox_and_is_logged() {
    let app = TestApp::start_configured(|config| config.smtp_url = None).await;
    write(
        &app,
        "cora@example.com",
        "Invitation",
        "Open http://127.0.0.1:3000/invitations/tok-logged-once",
    )
    .await;
    for _ in 0..50 {
        if logs().contains("tok-logged-once") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(logs().contains("tok-logged-once"), "the link is logged");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            .await,
        1
    );
    assert!(app.smtp.messages().is_empty());
}

#[tokio::test]
async fn a_message_the_server_refuses_for_good_is_given_up_not_retried() {
    let app = TestApp::start().await;
    write(&app, "nobody.here@example.com", "Invitation", "Welcome").await;
    app.eventually("SELECT count(*) FROM outbox WHERE attempts > 0", 1)
        .await;
    app.clock.advance(7200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE attempts = 1 AND sent_at IS NULL AND last_error LIKE 'given up:%550%'")
            .await,
        1,
        "tried once, kept with why"
    );
}
