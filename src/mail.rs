//! Email, through a durable outbox (DESIGN.md, "Real parts").
//!
//! A message is written to the `outbox` table in the same transaction as
//! what causes it ([`enqueue`]), so it exists exactly when that change
//! does. A worker ([`spawn`]) sends what is due over SMTP with lettre,
//! retries a failure later (30 s, 1, 2, 4 … minutes, at most an hour apart:
//! an SMTP server down for a while loses nothing) and marks each message
//! sent once (a message the server refuses for good, such as an address it
//! does not take, is given up and kept with why), keeping the record of it but not its text (an invitation's
//! link is a secret). With no SMTP configured, messages stay in the outbox and each
//! is logged at info (links included), once a day, for a laptop without mail.

use crate::clock::{Clock, Timestamp};
use crate::error::AppResult;
use crate::server::db::{retry_delay, Db, LEASE_SECS};
use crate::validate::Email;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

/// Why a message has not left: shown in `last_error`, and cleared when an
/// SMTP server is configured.
const NO_SMTP: &str = "no SMTP server configured (ORGPANEL_SMTP_URL)";
const DAY: i64 = 86_400;

/// Writes a plain-text message to `to` inside the caller's transaction: it
/// is sent only if that transaction commits.
pub async fn enqueue(
    tx: &mut crate::server::db::Connection,
    to: &Email,
    subject: &str,
    body: &str,
    now: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(to.as_str())
    .bind(subject)
    .bind(body)
    .bind(now)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// A file sent with a message: a PDF invoice.
pub struct Attachment<'a> {
    /// The file name the recipient sees, "invoice-12.pdf".
    pub name: &'a str,
    pub pdf: &'a [u8],
}

/// As [`enqueue`], with `attachment` (a PDF) sent beside the text. The
/// file is kept in the outbox only until the message is sent.
pub async fn enqueue_with_attachment(
    tx: &mut crate::server::db::Connection,
    to: &Email,
    subject: &str,
    body: &str,
    attachment: Attachment<'_>,
    now: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at, attachment_name, attachment)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(to.as_str())
    .bind(subject)
    .bind(body)
    .bind(now)
    .bind(now)
    .bind(attachment.name)
    .bind(attachment.pdf)
    .execute(tx)
    .await?;
    Ok(())
}

/// How the outbox sends: over SMTP to `ORGPANEL_SMTP_URL` as
/// `ORGPANEL_MAIL_FROM`, or, without a URL, not at all.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    /// Never the URL: it may hold the SMTP password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("smtp", &self.transport.is_some())
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// `smtp_url` as lettre reads it (`smtp://host:port` unencrypted,
    /// `smtp://…?tls=required` with STARTTLS, `smtps://user:pass@host` over
    /// TLS); `from` a mailbox such as `Orgpanel <no-reply@example.com>`.
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Self, String> {
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("ORGPANEL_MAIL_FROM is not a mailbox ({e}): {from:?}"))?;
        let transport = match smtp_url {
            None => None,
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    // The URL may hold a password: only the reason is told.
                    .map_err(|e| format!("ORGPANEL_SMTP_URL cannot be used: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
        };
        Ok(Self { transport, from })
    }

    /// The Message-ID of the outbox row `id` written at `created_at`: the
    /// same on every attempt, so a message sent again after a crash (sent,
    /// then the replica died before recording it) is one message to the
    /// recipient's mail system, which drops the copy (RFC 5322 §3.6.4).
    fn message_id(&self, id: i64, created_at: Timestamp) -> String {
        format!("<{id}.{created_at}.outbox@{}>", self.from.email.domain())
    }

    async fn send(&self, message: &Due) -> Result<(), Failure> {
        let Some(transport) = &self.transport else {
            return Err(Failure::Later(NO_SMTP.to_owned()));
        };
        let builder = Message::builder()
            .message_id(Some(self.message_id(message.id, message.created_at)))
            .from(self.from.clone())
            .to(recipient(&message.recipient).map_err(Failure::Never)?)
            .subject(&message.subject);
        let built = match (&message.attachment_name, &message.attachment) {
            (Some(name), Some(pdf)) => builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(message.body.clone()))
                    .singlepart(
                        lettre::message::Attachment::new(name.clone()).body(
                            pdf.clone(),
                            ContentType::parse("application/pdf")
                                .map_err(|e| Failure::Never(e.to_string()))?,
                        ),
                    ),
            ),
            _ => builder
                .header(ContentType::TEXT_PLAIN)
                .body(message.body.clone()),
        };
        let message = built.map_err(|e| Failure::Never(format!("message not built: {e}")))?;
        transport.send(message).await.map(|_| ()).map_err(|e| {
            // A 5xx answer to the recipient or the message will not change.
            if e.is_permanent() {
                Failure::Never(e.to_string())
            } else {
                Failure::Later(e.to_string())
            }
        })
    }
}

/// Why a message did not leave: worth trying again later, or never.
enum Failure {
    Later(String),
    Never(String),
}

/// The stored address as SMTP takes it: an international domain in its
/// ASCII form (IDNA, RFC 5891), the local part as it is.
fn recipient(stored: &str) -> Result<Mailbox, String> {
    let (local, domain) = stored
        .rsplit_once('@')
        .ok_or_else(|| format!("not an address: {stored:?}"))?;
    let domain = idna::domain_to_ascii(domain).map_err(|e| format!("domain: {e}"))?;
    format!("{local}@{domain}")
        .parse::<Mailbox>()
        .map_err(|e| format!("not an address ({e}): {stored:?}"))
}

/// A message that is due.
#[derive(sqlx::FromRow)]
pub struct Due {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
    attempts: i64,
    created_at: Timestamp,
    attachment_name: Option<String>,
    attachment: Option<Vec<u8>>,
}

/// Takes up to [`JOB_BATCH`](crate::server::db::JOB_BATCH) messages that are due, oldest first, under a lease: until
/// [`LEASE_SECS`] have passed no other worker (of this replica or another
/// on the same database) takes them, so each is sent once; if this one
/// dies before recording the outcome, another sends them after the lease.
/// One statement, so two workers cannot take the same message (SQLite has
/// one writer at a time; PostgreSQL skips rows another has locked).
pub async fn take_due(db: &Db, now: Timestamp) -> AppResult<Vec<Due>> {
    let sql = format!(
        "UPDATE outbox SET next_attempt_at = $1
          WHERE id IN (SELECT id FROM outbox
                        WHERE sent_at IS NULL AND next_attempt_at <= $2
                        ORDER BY next_attempt_at, id LIMIT {}{})
          RETURNING id, recipient, subject, body, attempts, created_at, attachment_name, attachment",
        crate::server::db::JOB_BATCH,
        db.dialect.skip_locked()
    );
    let mut due: Vec<Due> = sqlx::query_as(&sql)
        .bind(now + LEASE_SECS)
        .bind(now)
        .fetch_all(&db.write)
        .await?;
    due.sort_by_key(|message| message.id);
    Ok(due)
}

/// Sends every message that is due (a batch a round, taken with
/// [`take_due`]); returns how many were sent. One that fails is tried again
/// later without holding up the others.
pub async fn send_due(db: &Db, mailer: &Mailer, now: Timestamp) -> AppResult<usize> {
    let mut sent = 0;
    // Batch after batch until one comes back short: each has its own lease.
    loop {
        let due = take_due(db, now).await?;
        let started = std::time::Instant::now();
        let full = due.len() == crate::server::db::JOB_BATCH;
        for message in due {
            // A slow server: what is left goes back before the lease could end.
            if started.elapsed() > Duration::from_secs(LEASE_SECS.unsigned_abs() / 2) {
                sqlx::query(
                    "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND sent_at IS NULL",
                )
                .bind(now)
                .bind(message.id)
                .execute(&db.write)
                .await?;
                continue;
            }
            match mailer.send(&message).await {
                Ok(()) => {
                    // The text (its links are secrets) is not kept once sent.
                    sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL, body = '', attachment = NULL WHERE id = $2 AND sent_at IS NULL")
                    .bind(now)
                    .bind(message.id)
                    .execute(&db.write)
                    .await?;
                    sent += 1;
                }
                Err(Failure::Later(error)) if error == NO_SMTP => {
                    tracing::info!(
                        to = %message.recipient,
                        subject = %message.subject,
                        body = %message.body,
                        "email kept in the outbox: no SMTP server configured"
                    );
                    sqlx::query(
                        "UPDATE outbox SET last_error = $1, next_attempt_at = $2 WHERE id = $3",
                    )
                    .bind(NO_SMTP)
                    .bind(now + DAY)
                    .bind(message.id)
                    .execute(&db.write)
                    .await?;
                }
                Err(Failure::Never(error)) => {
                    tracing::warn!(%error, id = message.id, "email cannot be sent; given up");
                    sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
                )
                .bind(format!("given up: {error}"))
                .bind(i64::MAX)
                .bind(message.id)
                .execute(&db.write)
                .await?;
                }
                Err(Failure::Later(error)) => {
                    let delay = retry_delay(message.attempts);
                    tracing::warn!(%error, id = message.id, retry_in_secs = delay, "email not sent; will retry");
                    sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
                )
                .bind(&error)
                .bind(now + delay)
                .bind(message.id)
                .execute(&db.write)
                .await?;
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(sent)
}

/// Sends what is due now (messages kept while no SMTP was configured
/// included), whenever `wake` is notified, and every second, until `stop`
/// changes.
pub fn spawn(
    db: Db,
    clock: Clock,
    mailer: Mailer,
    wake: Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if mailer.transport.is_some() {
            let released = sqlx::query(
                "UPDATE outbox SET next_attempt_at = $1 WHERE sent_at IS NULL AND last_error = $2",
            )
            .bind(clock.now())
            .bind(NO_SMTP)
            .execute(&db.write)
            .await;
            if let Err(error) = released {
                tracing::warn!(%error, "kept emails not released");
            }
        }
        loop {
            // An error is logged where it was made; the next round tries again.
            let _ = send_due(&db, &mailer, clock.now()).await;
            tokio::select! {
                _ = stop.changed() => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let delays: Vec<i64> = (0..10).map(retry_delay).collect();
        assert_eq!(&delays[..4], &[30, 60, 120, 240]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(delays[9], 3600);
    }

    #[test]
    fn an_international_domain_is_sent_in_its_ascii_form() {
        let mailbox = recipient("anna@bücher.example").unwrap();
        assert_eq!(mailbox.email.to_string(), "anna@xn--bcher-kva.example");
        assert!(recipient("no-at-sign").is_err());
    }

    #[test]
    fn the_sender_must_be_a_mailbox() {
        assert!(Mailer::new(None, "Orgpanel <no-reply@localhost>").is_ok());
        assert!(Mailer::new(None, "not a mailbox").is_err());
    }
}
