//! The time as the panel sees it. Tests move it forward to reach session
//! timeouts (and later card expiry) without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Added to the system time; only tests change it.
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        system + self.offset_secs.load(Ordering::Relaxed)
    }

    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}
