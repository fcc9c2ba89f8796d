//! The one rate limit: at most `limit` events per sliding window, for
//! failed log-ins, sign-ups, card setups, invitation emails and API calls alike.
//!
//! Each caller keeps its events in a table of its own and asks for the
//! time of the `limit`-th newest event in the window (SQL: `ORDER BY at
//! DESC LIMIT 1 OFFSET` [`RateLimit::offset`]). If there is one, the limit
//! is reached, and that event leaving the window is what frees the next
//! attempt: the refusal says when that is.

use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};

/// At most `limit` events per `window_secs`; `refusal` is the sentence
/// shown when refused, followed by "Try again in N minutes."
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: i64,
    pub window_secs: i64,
    pub refusal: &'static str,
}

impl RateLimit {
    /// The oldest time an event can have and still count.
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        now - self.window_secs
    }

    /// The row to ask for, newest first: the `limit`-th.
    pub fn offset(&self) -> i64 {
        self.limit - 1
    }

    /// Refuses ([`RateLimit::check`]) when `key` has `limit` events in the
    /// window. `sql` reads the time of `key`'s events newer than a time,
    /// newest first, from a row on, binding the key, the window's start and
    /// the offset in that order: `SELECT at FROM t WHERE k = $1 AND at > $2
    /// ORDER BY at DESC LIMIT 1 OFFSET $3`.
    pub async fn enforce<K>(
        &self,
        conn: &mut crate::server::db::Connection,
        sql: &'static str,
        key: K,
        now: Timestamp,
    ) -> AppResult<()>
    where
        K: 'static
            + Send
            + sqlx::Encode<'static, crate::server::db::Database>
            + sqlx::Type<crate::server::db::Database>,
    {
        let counted: Option<Timestamp> = sqlx::query_scalar(sql)
            .bind(key)
            .bind(self.window_start(now))
            .bind(self.offset())
            .fetch_optional(conn)
            .await?;
        self.check(counted, now)
    }

    /// `Ok` when `limit_th_newest` (the time of the `limit`-th newest event
    /// in the window) is `None`; else [`AppError::TooManyRequests`] with the
    /// seconds until that event leaves the window (at least 1).
    pub fn check(&self, limit_th_newest: Option<Timestamp>, now: Timestamp) -> AppResult<()> {
        let Some(at) = limit_th_newest else {
            return Ok(());
        };
        let retry_after_secs = u64::try_from(at + self.window_secs - now)
            .unwrap_or(0)
            .max(1);
        let (count, unit) = if retry_after_secs < 60 {
            (retry_after_secs, "second")
        } else {
            (retry_after_secs.div_ceil(60), "minute")
        };
        Err(AppError::TooManyRequests {
            message: format!(
                "{} Try again in {count} {unit}{}.",
                self.refusal,
                if count == 1 { "" } else { "s" }
            ),
            retry_after_secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: RateLimit = RateLimit {
        limit: 3,
        window_secs: 3600,
        refusal: "Too many tries.",
    };

    #[test]
    fn the_refusal_says_when_the_counted_event_leaves_the_window() {
        assert_eq!(LIMIT.check(None, 10_000), Ok(()));
        let Err(AppError::TooManyRequests {
            message,
            retry_after_secs,
        }) = LIMIT.check(Some(10_000 - 3599), 10_000)
        else {
            panic!("refused");
        };
        assert_eq!(retry_after_secs, 1);
        assert_eq!(message, "Too many tries. Try again in 1 second.");
        let Err(AppError::TooManyRequests { message, .. }) =
            LIMIT.check(Some(10_000 - 3540), 10_000)
        else {
            panic!("refused");
        };
        assert_eq!(message, "Too many tries. Try again in 1 minute.");
        let Err(AppError::TooManyRequests { message, .. }) = LIMIT.check(Some(10_000), 10_000)
        else {
            panic!("refused");
        };
        assert_eq!(message, "Too many tries. Try again in 60 minutes.");
        assert_eq!(LIMIT.window_start(10_000), 6_400);
        assert_eq!(LIMIT.offset(), 2);
    }
}
