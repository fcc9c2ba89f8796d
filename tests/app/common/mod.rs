//! Starts the real application on 127.0.0.1:0 with a fresh SQLite file,
//! and a client that keeps cookies but does not follow redirects.

#![allow(dead_code)]

pub mod smtp;

use orgpanel::clock::Clock;
use orgpanel::server::config::SmtpUrl;
use orgpanel::server::db::Dialect;
use orgpanel::server::Config;
use orgpanel::startup::{self, Running};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use smtp::SmtpServer;
use std::time::Duration;

const PUBLIC_URL: &str = "http://127.0.0.1:3000";

/// Every test server's clock starts at 2026-11-28 12:00:00 UTC, whatever day
/// the tests run: no test depends on today's date.
pub const TEST_START: i64 = 1_795_867_200;

/// Everything every test server logs, at debug level, for the scan that
/// proves no card number reaches a log.
static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = LOGS.lock() {
            logs.extend_from_slice(buf);
        }
        // The whole suite's log, for scripts/scan-secrets after it.
        if let Some(path) = std::env::var_os("ORGPANEL_TEST_LOG") {
            if let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = file.write_all(buf);
            }
        }
        if std::env::var_os("ORGPANEL_TEST_ERRORS").is_some() {
            let line = String::from_utf8_lossy(buf);
            if line.contains("ERROR") {
                eprint!("{line}");
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            // The test clients' cookie jar logs each cookie it receives:
            // that is the tests' side, not the panel's, and would hide a
            // token the panel itself logged.
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,cookie_store=info",
            ))
            .with_writer(|| LogWriter)
            .with_ansi(false)
            .try_init();
    });
}

pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().expect("logs")).into_owned()
}

/// The database of a new test app: a file in `dir`, or, when
/// `ORGPANEL_TEST_POSTGRES` names a PostgreSQL server
/// (`postgres://user@host:port`), a new database of its own there.
async fn fresh_database(dir: &std::path::Path) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let Some(server) = std::env::var("ORGPANEL_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        return format!("sqlite://{}", dir.join("orgpanel.db").display());
    };
    let server = server.trim_end_matches('/');
    let name = format!(
        "test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    sqlx::any::install_default_drivers();
    let mut admin =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("{server}/postgres"))
            .await
            .expect("the test PostgreSQL server");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .expect("drop");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    format!("{server}/{name}")
}

pub struct TestApp {
    pub base: String,
    pub running: Running,
    pub clock: Clock,
    /// The SMTP server the panel sends its email to.
    pub smtp: SmtpServer,
    dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(Duration::from_secs(60)).await
    }

    /// With the verification refund due `refund_delay` after a card is added.
    pub async fn start_with(refund_delay: Duration) -> Self {
        Self::start_configured(|config| config.refund_delay = refund_delay).await
    }

    /// With the configuration changed by `configure`.
    pub async fn start_configured(configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let smtp = SmtpServer::start().await;
        let database_url = fresh_database(dir.path()).await;
        Self::start_in(
            dir,
            database_url,
            Clock::starting_at(TEST_START),
            smtp,
            configure,
        )
        .await
    }

    async fn start_in(
        dir: tempfile::TempDir,
        database_url: String,
        clock: Clock,
        smtp: SmtpServer,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        capture_logs();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).expect("site dir");
        let leptos = leptos::config::LeptosOptions::builder()
            .output_name("orgpanel")
            .site_root(site.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .build();
        let mut config = Config {
            database_url,
            public_url: url::Url::parse(PUBLIC_URL).expect("url"),
            smtp_url: Some(SmtpUrl(smtp.url())),
            mail_from: "Orgpanel <no-reply@localhost>".to_owned(),
            refund_delay: Duration::from_secs(60),
            test_clock: false,
            test_clock_start: None,
            trusted_proxies: Vec::new(),
            seller: orgpanel::server::config::Seller::default(),
            leptos,
        };
        configure(&mut config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = startup::start(config, clock.clone(), async {
            let _ = stopped.await;
        })
        .await
        .expect("server starts");
        Self {
            base: format!("http://{}", running.addr),
            running,
            clock,
            smtp,
            dir,
            stop: Some(stop),
        }
    }

    /// Stops the server (as SIGTERM does) and starts it again on the same
    /// database, with the same clock.
    pub async fn restart(mut self) -> Self {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.running.task).await;
        let before = (*self.running.state.config).clone();
        let database_url = before.database_url.clone();
        Self::start_in(
            self.dir,
            database_url,
            self.clock,
            self.smtp,
            move |config| {
                config.refund_delay = before.refund_delay;
                config.trusted_proxies = before.trusted_proxies;
                config.smtp_url = before.smtp_url;
            },
        )
        .await
    }

    /// All that the database holds, to scan for what must not be there: on
    /// SQLite the file and its write-ahead log as bytes (deleted rows
    /// included), on PostgreSQL every row of every table as text.
    pub async fn database_files(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        if self.running.state.db.dialect == Dialect::Postgres {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .fetch_all(self.db())
            .await
            .expect("tables");
            for table in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"))
                        .fetch_all(self.db())
                        .await
                        .expect("rows");
                for row in rows {
                    bytes.extend(row.into_bytes());
                }
            }
            return bytes;
        }
        for name in ["orgpanel.db", "orgpanel.db-wal"] {
            if let Ok(file) = std::fs::read(self.dir.path().join(name)) {
                bytes.extend(file);
            }
        }
        bytes
    }

    /// A path of the panel from an absolute address it hands out (the
    /// configured public URL is not the test server's).
    pub fn path_of(location: &str) -> String {
        location
            .strip_prefix(PUBLIC_URL)
            .unwrap_or(location)
            .to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client with its own cookie jar.
    #[expect(clippy::unused_self, reason = "a client is made for one test app")]
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    pub fn db(&self) -> &orgpanel::server::db::Pool {
        &self.running.state.db.write
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.db())
            .await
            .expect("count")
    }

    /// Waits up to five seconds for a background worker to make `sql`
    /// count `expected`; whether it did.
    /// `count(*)` of `sql` with `$1` bound to `value`: a secret a test
    /// looks for stays out of the statement (and so out of sqlx's log).
    pub async fn count_with(&self, sql: &str, value: &str) -> i64 {
        sqlx::query_scalar(sql)
            .bind(value)
            .fetch_one(self.db())
            .await
            .expect("count")
    }

    pub async fn eventually(&self, sql: &str, expected: i64) -> bool {
        for _ in 0..50 {
            if self.count(sql).await == expected {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    pub async fn post_form(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn signup(
        &self,
        client: &Client,
        name: &str,
        email: &str,
        password: &str,
    ) -> Response {
        self.post_form(
            client,
            "/signup",
            &[("name", name), ("email", email), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, client: &Client, email: &str, password: &str) -> Response {
        self.post_form(
            client,
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.expect("request")
    }

    /// Tells the server to stop (as SIGTERM does) without waiting for it.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.running.task).await;
    }
}

/// Another replica of the app: its own server, pools and background
/// workers on the same database and clock, as replicas behind a load
/// balancer are. Stopped when dropped.
pub struct Replica {
    pub base: String,
    pub running: Running,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_form(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.expect("request")
    }
}

impl TestApp {
    /// A second replica on this app's database.
    pub async fn replica(&self) -> Replica {
        let config = (*self.running.state.config).clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = startup::start(config, self.clock.clone(), async {
            let _ = stopped.await;
        })
        .await
        .expect("the replica starts");
        Replica {
            base: format!("http://{}", running.addr),
            running,
            _stop: stop,
        }
    }
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The session token set by a response, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("orgpanel_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

pub fn assert_redirect(response: &Response, to: &str) {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect to {to}"
    );
    assert_eq!(location(response), to);
}

impl TestApp {
    /// A signed-in client for a new account.
    pub async fn user(&self, name: &str, email: &str) -> Client {
        let client = self.client();
        let response = self.signup(&client, name, email, "password123").await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-up of {email}"
        );
        client
    }

    /// Creates an organization through its form; returns its public id.
    pub async fn create_org(&self, client: &Client, name: &str) -> String {
        let response = self
            .post_form(client, "/organizations/new", &[("name", name)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "creating {name}");
        let to = location(&response);
        to.strip_prefix("/organizations/")
            .and_then(|rest| rest.strip_suffix("/settings?created=1"))
            .unwrap_or_else(|| panic!("unexpected redirect {to}"))
            .to_owned()
    }

    /// Makes the account with `email` a member of `org` with `role` (stored form).
    pub async fn add_member(&self, org: &str, email: &str, role: &str) {
        sqlx::query(
            "INSERT INTO memberships (organization_id, account_id, role, created_at, organization_name)
             SELECT o.id, a.id, $1, 0, o.name FROM organizations o, accounts a WHERE o.public_id = $2 AND a.email_key = $3",
        )
        .bind(role)
        .bind(org)
        .bind(email)
        .execute(self.db())
        .await
        .expect("membership");
    }
}

/// Valid company information, as the Settings form posts it.
pub const COMPANY: [(&str, &str); 9] = [
    ("company_name", "Example AB"),
    ("business_id", "5560360793"),
    ("vat_number", ""),
    ("address", "Storgatan 1"),
    ("postal_code", "11437"),
    ("city", "Stockholm"),
    ("country", "SE"),
    ("email", "billing@example.se"),
    ("phone", "070-123 45 67"),
];

impl TestApp {
    /// One account per role besides the Owner, each a member of `org`:
    /// ("admin", client), ("billing", client), ("member", client).
    pub async fn team(&self, org: &str) -> Vec<(&'static str, Client)> {
        let mut team = Vec::new();
        for role in ["admin", "billing", "member"] {
            let email = format!("{role}@example.com");
            let client = self.user(role, &email).await;
            self.add_member(org, &email, role).await;
            team.push((role, client));
        }
        team
    }

    /// Saves valid company information for a new organization.
    pub async fn save_company(&self, client: &Client, org: &str) {
        let response = self.post_company(client, org, &[], "0").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "company saved");
    }

    /// Posts the company information form: valid values with `changes`
    /// made, at the form's `version`.
    pub async fn post_company(
        &self,
        client: &Client,
        org: &str,
        changes: &[(&str, &str)],
        version: &str,
    ) -> Response {
        let mut form: Vec<(&str, &str)> = COMPANY
            .iter()
            .map(|&(k, v)| (k, changes.iter().find(|(c, _)| *c == k).map_or(v, |c| c.1)))
            .collect();
        form.extend([("intent", "company"), ("version", version)]);
        self.post_form(client, &format!("/organizations/{org}/settings"), &form)
            .await
    }

    /// Posts one of the Billing page's forms.
    pub async fn billing(&self, client: &Client, org: &str, form: &[(&str, &str)]) -> Response {
        self.post_form(client, &format!("/organizations/{org}/billing"), form)
            .await
    }

    /// Company information, invoice by email: billing is ready.
    pub async fn make_ready(&self, client: &Client, org: &str) {
        self.save_company(client, org).await;
        for form in [
            &[("intent", "method"), ("method", "invoice")][..],
            &[
                ("intent", "delivery"),
                ("delivery", "email"),
                ("invoice_email", "invoices@example.se"),
            ],
        ] {
            let response = self.billing(client, org, form).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{form:?}");
        }
    }

    /// Posts the create form of Services.
    pub async fn create_service(&self, client: &Client, org: &str, name: &str) -> Response {
        self.post_form(
            client,
            &format!("/organizations/{org}/services"),
            &[
                ("intent", "create"),
                ("name", name),
                ("plan", "small"),
                ("data_center", "sto1"),
            ],
        )
        .await
    }

    /// The path of the link under `prefix` ("/reset-password/") in the
    /// newest email to `to` with one (waiting up to 10 s for it).
    pub async fn emailed_link(&self, to: &str, prefix: &str) -> String {
        let message = self
            .smtp
            .wait_for_body(to, prefix, 10)
            .await
            .unwrap_or_else(|| panic!("no email to {to} with {prefix}"));
        message
            .body
            .split_whitespace()
            .find(|word| word.contains(prefix))
            .map(Self::path_of)
            .expect("a link")
    }

    pub async fn page(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let response = self.get(client, path).await;
        (response.status(), response.text().await.expect("body"))
    }
}
