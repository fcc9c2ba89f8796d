//! Email through the durable outbox: written in the caller's transaction,
//! sent once, kept and retried while the SMTP server is down, kept and
//! logged when none is configured.

use super::common::{logs, TestApp};
use orgpanel::clock::Timestamp;
use orgpanel::mail;
use orgpanel::server::{db::LEASE_SECS, Db};
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

/// Writes `count` messages, due at `due`, without waking the app's worker.
async fn write_quietly(app: &TestApp, count: usize, due: Timestamp) {
    let state = &app.running.state;
    let mut tx = state.db.write.begin().await.unwrap();
    for i in 0..count {
        let to = Email::parse(&format!("replica{i}@example.com")).unwrap();
        mail::enqueue(&mut tx, &to, "Hello", "Body", due)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Another replica's database pools on the same file.
async fn other_replica(app: &TestApp) -> Db {
    Db::open(&app.running.state.config.database_url)
        .await
        .expect("a second replica opens the database")
}

#[tokio::test]
async fn replicas_sending_at_once_send_each_message_once() {
    let app = TestApp::start().await;
    write_quietly(&app, 40, app.clock.now()).await;
    let mailer = mail::Mailer::new(Some(&app.smtp.url()), "Orgpanel <no-reply@localhost>").unwrap();
    let (second, third) = (other_replica(&app).await, other_replica(&app).await);
    let now = app.clock.now();
    // Two more workers besides the app's own, all on one database.
    let (a, b) = tokio::join!(
        mail::send_due(&second, &mailer, now),
        mail::send_due(&third, &mailer, now)
    );
    let sent_here = a.unwrap() + b.unwrap();
    assert!(
        app.eventually("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL", 40)
            .await,
        "all 40 sent"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut recipients: Vec<String> = app
        .smtp
        .messages()
        .iter()
        .flat_map(|message| message.to.clone())
        .collect();
    recipients.sort();
    let before = recipients.len();
    recipients.dedup();
    assert_eq!(
        before, 40,
        "each message sent once ({sent_here} by the two extra workers)"
    );
    assert_eq!(recipients.len(), 40);
}

#[tokio::test]
async fn messages_taken_by_a_replica_that_died_are_sent_after_its_lease() {
    let app = TestApp::start().await;
    // Due in a minute, so that the other replica takes them before this
    // one's worker could.
    let due = app.clock.now() + 60;
    write_quietly(&app, 3, due).await;
    // Another replica takes them at that minute and dies before sending.
    let taken = mail::take_due(&other_replica(&app).await, due)
        .await
        .unwrap();
    assert_eq!(taken.len(), 3);
    // Until the lease ends, this replica leaves them alone (the test clock
    // also moves with real time, hence 10 s to spare).
    app.clock.advance(60 + LEASE_SECS - 10);
    app.running.state.mail_due.notify_one();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(app.smtp.messages().is_empty(), "sent during the lease");
    app.clock.advance(10);
    app.running.state.mail_due.notify_one();
    assert!(
        app.eventually("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL", 3)
            .await,
        "sent once the lease ended"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.smtp.messages().len(), 3);
}

#[tokio::test]
async fn a_message_sent_again_after_a_crash_keeps_its_message_id() {
    let app = TestApp::start().await;
    write(&app, "anna@example.com", "Hello", "Body").await;
    let first = app
        .smtp
        .wait_for("anna@example.com", 10)
        .await
        .expect("sent");
    assert!(
        app.eventually("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL", 1)
            .await
    );
    // As if the replica sent it and died before recording that: the row is
    // as it was before the send, and another worker sends it again.
    sqlx::query(
        "UPDATE outbox SET sent_at = NULL, attempts = 0, body = 'Body', next_attempt_at = $1",
    )
    .bind(app.clock.now())
    .execute(app.db())
    .await
    .unwrap();
    app.running.state.mail_due.notify_one();
    assert!(
        app.eventually("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL", 1)
            .await
    );
    let received = app.smtp.messages();
    assert_eq!(received.len(), 2, "sent twice");
    let id = first.header("Message-ID").expect("a Message-ID");
    assert!(id.starts_with('<') && id.ends_with("@localhost>"), "{id}");
    assert_eq!(
        received[1].header("Message-ID").as_deref(),
        Some(id.as_str()),
        "the copy has the first one's Message-ID, so the recipient's mail system drops it"
    );
    // Another message has another.
    write(&app, "bo@example.com", "Hello", "Body").await;
    let other = app.smtp.wait_for("bo@example.com", 10).await.expect("sent");
    assert_ne!(other.header("Message-ID"), Some(id));
}
