//! Configuration from the environment, each variable with a default that
//! works on a laptop (see DESIGN.md, "Configuration").

use leptos::config::LeptosOptions;
use std::time::Duration;
use url::Url;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub public_url: Url,
    pub smtp_url: Option<String>,
    pub refund_delay: Duration,
    /// `ORGPANEL_TEST_CLOCK=1`: lets browser tests move the clock forward
    /// (`POST /test-clock/advance`). Never set in production.
    pub test_clock: bool,
    /// `ORGPANEL_TEST_CLOCK_START`: with the test clock, the Unix time (seconds,
    /// UTC) the clock reads at start, so browser tests never depend on today.
    pub test_clock_start: Option<i64>,
    pub leptos: LeptosOptions,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let leptos = leptos::config::get_configuration(None)
            .map_err(|e| format!("LEPTOS_* configuration: {e}"))?
            .leptos_options;
        let public_url =
            var("ORGPANEL_PUBLIC_URL").unwrap_or_else(|| format!("http://{}", leptos.site_addr));
        let public_url = Url::parse(&public_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                format!("ORGPANEL_PUBLIC_URL must be an http(s) address, got {public_url:?}")
            })?;
        let refund_delay = match var("ORGPANEL_REFUND_DELAY_SECS") {
            None => Duration::from_secs(60),
            Some(v) => Duration::from_secs(v.trim().parse().map_err(|_| {
                format!("ORGPANEL_REFUND_DELAY_SECS must be a whole number of seconds, got {v:?}")
            })?),
        };
        let test_clock = var("ORGPANEL_TEST_CLOCK").as_deref() == Some("1");
        let test_clock_start = match var("ORGPANEL_TEST_CLOCK_START") {
            Some(v) if test_clock => Some(v.trim().parse().map_err(|_| {
                format!("ORGPANEL_TEST_CLOCK_START must be a Unix time in seconds, got {v:?}")
            })?),
            _ => None,
        };
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://orgpanel.db".into()),
            public_url,
            smtp_url: var("ORGPANEL_SMTP_URL"),
            refund_delay,
            test_clock,
            test_clock_start,
            leptos,
        })
    }

    /// Cookies get `Secure` when the panel is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}
