//! The time as the panel sees it. Tests start it at a fixed date and move it
//! forward to reach session timeouts and card expiry without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Added to the system time; only tests change it.
    offset_secs: Arc<AtomicI64>,
}

fn system_now() -> Timestamp {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl Clock {
    /// A clock that reads `start` now and then runs at the system's pace,
    /// so a test never depends on the day it runs.
    pub fn starting_at(start: Timestamp) -> Self {
        let clock = Self::default();
        clock.advance(start - system_now());
        clock
    }

    pub fn now(&self) -> Timestamp {
        system_now() + self.offset_secs.load(Ordering::Relaxed)
    }

    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }

    /// Moves the clock to `at` (tests only; time can go back for them).
    pub fn set(&self, at: Timestamp) {
        self.advance(at - self.now());
    }
}
