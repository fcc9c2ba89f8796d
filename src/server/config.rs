//! Configuration from the environment, each variable with a default that
//! works on a laptop (see DESIGN.md, "Configuration").

use leptos::config::LeptosOptions;
use std::time::Duration;
use url::Url;

/// An SMTP server's URL. It may hold a password, so it is never printed.
#[derive(Clone)]
pub struct SmtpUrl(pub String);

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpUrl(…)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub public_url: Url,
    /// `ORGPANEL_SMTP_URL`, as lettre reads it; unset: emails wait in the outbox.
    pub smtp_url: Option<SmtpUrl>,
    /// `ORGPANEL_MAIL_FROM`: the sender of invitations and notices.
    pub mail_from: String,
    pub refund_delay: Duration,
    /// `ORGPANEL_TEST_CLOCK=1`: lets browser tests move the clock forward
    /// (`POST /test-clock/advance`). Never set in production.
    pub test_clock: bool,
    /// `ORGPANEL_TEST_CLOCK_START`: with the test clock, the Unix time (seconds,
    /// UTC) the clock reads at start, so browser tests never depend on today.
    pub test_clock_start: Option<i64>,
    /// `ORGPANEL_TRUSTED_PROXIES`: reverse proxies (CIDR, comma-separated)
    /// whose `X-Forwarded-For` is believed for rate limits and logs.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `ORGPANEL_SELLER_*`: who issues the invoices.
    pub seller: Seller,
    pub leptos: LeptosOptions,
}

/// The seller printed on every invoice, as EU invoicing rules require
/// (Council Directive 2006/112/EC article 226: full name and address, VAT
/// identification number), with its Swedish organisationsnummer and where
/// invoices are paid. Copied onto each invoice when it is issued, so a later
/// change of configuration never changes an issued invoice.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seller {
    /// `ORGPANEL_SELLER_NAME`.
    pub name: String,
    /// `ORGPANEL_SELLER_ADDRESS`: the postal address, lines separated by `;`.
    pub address: Vec<String>,
    /// `ORGPANEL_SELLER_ORGANISATIONSNUMMER`: "556677-8899".
    pub organisationsnummer: String,
    /// `ORGPANEL_SELLER_VAT_NUMBER`: "SE556677889901".
    pub vat_number: String,
    /// `ORGPANEL_SELLER_EMAIL`: where customers write about invoices.
    pub email: String,
    /// `ORGPANEL_SELLER_BANK_ACCOUNT`: where invoices are paid, "IBAN … BIC …".
    pub bank_account: String,
}

impl Default for Seller {
    /// An example seller, for a panel tried out (an operator sets every
    /// `ORGPANEL_SELLER_*` before issuing real invoices).
    fn default() -> Self {
        Self {
            name: "Orgpanel Cloud AB (example)".to_owned(),
            address: vec![
                "Exempelgatan 1".to_owned(),
                "111 22 Stockholm".to_owned(),
                "Sweden".to_owned(),
            ],
            organisationsnummer: "556000-0000".to_owned(),
            vat_number: "SE556000000001".to_owned(),
            email: "billing@example.com".to_owned(),
            bank_account: "IBAN SE00 0000 0000 0000 0000 0000, BIC EXAMPLEX".to_owned(),
        }
    }
}

impl Seller {
    /// The seller from `ORGPANEL_SELLER_*`, each unset one as in [`Seller::default`].
    fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        let example = Self::default();
        let or = |name: &str, default: String| var(name).unwrap_or(default);
        Self {
            name: or("ORGPANEL_SELLER_NAME", example.name),
            address: var("ORGPANEL_SELLER_ADDRESS").map_or(example.address, |address| {
                address
                    .split(';')
                    .map(|line| line.trim().to_owned())
                    .filter(|line| !line.is_empty())
                    .collect()
            }),
            organisationsnummer: or(
                "ORGPANEL_SELLER_ORGANISATIONSNUMMER",
                example.organisationsnummer,
            ),
            vat_number: or("ORGPANEL_SELLER_VAT_NUMBER", example.vat_number),
            email: or("ORGPANEL_SELLER_EMAIL", example.email),
            bank_account: or("ORGPANEL_SELLER_BANK_ACCOUNT", example.bank_account),
        }
    }
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
        let trusted_proxies = match var("ORGPANEL_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => parse_proxies(&list)?,
        };
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://orgpanel.db".into()),
            public_url,
            smtp_url: var("ORGPANEL_SMTP_URL").map(SmtpUrl),
            mail_from: var("ORGPANEL_MAIL_FROM")
                .unwrap_or_else(|| "Orgpanel <no-reply@localhost>".to_owned()),
            refund_delay,
            test_clock,
            test_clock_start,
            trusted_proxies,
            seller: Seller::from_env(var),
            leptos,
        })
    }

    /// The address of the person behind a request: the peer, or, when the
    /// peer is a trusted proxy, the nearest address in `X-Forwarded-For`
    /// that is not a trusted proxy itself (read from the right, since a
    /// client can put anything at the left).
    pub fn client_address(
        &self,
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
    ) -> std::net::IpAddr {
        let trusted =
            |ip: &std::net::IpAddr| self.trusted_proxies.iter().any(|net| net.contains(ip));
        if !trusted(&peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop.trim().parse() {
                Ok(ip) => {
                    client = ip;
                    if !trusted(&client) {
                        break;
                    }
                }
                // Past what a proxy of ours wrote: a client's own claim.
                Err(_) => break,
            }
        }
        client
    }

    /// The public address without its trailing `/`, to put a path after:
    /// `https://panel.example.com` + `/invitations/…` in links and emails.
    pub fn base_url(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
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

/// "10.0.0.0/8, 127.0.0.1": networks in CIDR notation, or single addresses.
pub fn parse_proxies(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!(
                        "ORGPANEL_TRUSTED_PROXIES: {item:?} is not an address or a CIDR network"
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(proxies: &str) -> Config {
        Config {
            database_url: String::new(),
            public_url: Url::parse("http://127.0.0.1:3000").unwrap(),
            smtp_url: None,
            mail_from: "Orgpanel <no-reply@localhost>".to_owned(),
            refund_delay: Duration::from_secs(60),
            test_clock: false,
            test_clock_start: None,
            trusted_proxies: parse_proxies(proxies).unwrap(),
            seller: Seller::default(),
            leptos: LeptosOptions::builder().output_name("orgpanel").build(),
        }
    }

    fn client(config: &Config, peer: &str, forwarded: &[&str]) -> String {
        let mut headers = axum::http::HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        config
            .client_address(peer.parse().unwrap(), &headers)
            .to_string()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let none = config("");
        assert_eq!(client(&none, "10.0.0.5", &["203.0.113.7"]), "10.0.0.5");
        let proxies = config("10.0.0.0/8, 192.0.2.1");
        assert_eq!(
            client(&proxies, "10.0.0.5", &["203.0.113.7"]),
            "203.0.113.7"
        );
        // A client's own X-Forwarded-For is at the left: the proxy appended the real one.
        assert_eq!(
            client(&proxies, "10.0.0.5", &["1.2.3.4, 203.0.113.7"]),
            "203.0.113.7"
        );
        // Two trusted proxies in a row.
        assert_eq!(
            client(&proxies, "10.0.0.5", &["203.0.113.7, 192.0.2.1"]),
            "203.0.113.7"
        );
        assert_eq!(
            client(&proxies, "10.0.0.5", &["2001:db8::1"]),
            "2001:db8::1"
        );
        // No header, or garbage: the peer.
        assert_eq!(client(&proxies, "10.0.0.5", &[]), "10.0.0.5");
        assert_eq!(client(&proxies, "10.0.0.5", &["nonsense"]), "10.0.0.5");
        assert_eq!(
            client(&proxies, "10.0.0.5", &["nonsense, 203.0.113.7"]),
            "203.0.113.7"
        );
        // Not a proxy of ours: its header is a client's claim.
        assert_eq!(
            client(&proxies, "198.51.100.9", &["203.0.113.7"]),
            "198.51.100.9"
        );
        assert!(parse_proxies("10.0.0.0/33").is_err());
        assert!(parse_proxies("proxy.example").is_err());
    }
}
