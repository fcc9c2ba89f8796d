//! The composition: the router with every feature's forms and pages, the
//! start-up (database, payment provider, background jobs) and the binary's
//! `main`. The one module that knows every other; none knows it.

use crate::app::{shell, App};
use crate::auth::handlers as auth;
use crate::clock::Clock;
use crate::error::AppError;
use crate::mail::Mailer;
use crate::organizations::handlers as organizations;
use crate::payments::sandbox::Sandbox;
use crate::server::{assets, security, with_error_pages, AppState, Config, Db};
use axum::extract::State;
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use leptos::prelude::{provide_context, IntoAny};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The whole application, ready to serve.
pub fn router(state: AppState, sandbox: &Sandbox) -> Router {
    let options = state.config.leptos.clone();
    let routes = generate_route_list(App);
    let page_state = state.clone();
    let app = Router::new()
        .route("/login", post(auth::login))
        .route("/login/code", post(auth::login_code))
        .route("/signup", post(auth::signup))
        .route("/logout", post(auth::logout))
        .route("/forgot-password", post(auth::forgot_password))
        .route("/reset-password/{token}", post(auth::reset_password))
        .route("/verify-email/{token}", post(auth::confirm_email))
        .route("/account", post(crate::account::handlers::account))
        .route("/organizations/new", post(organizations::create))
        .route(
            "/organizations/{org}/collaborators",
            post(crate::collaborators::handlers::collaborators),
        )
        .route(
            "/invitations/{token}",
            post(crate::collaborators::handlers::accept),
        )
        .route(
            "/organizations/{org}/settings",
            post(crate::settings::handlers::settings),
        )
        .route(
            "/organizations/{org}/billing",
            post(crate::billing::handlers::billing),
        )
        .route(
            "/organizations/{org}/invoices/{file}",
            get(crate::invoices::handlers::pdf),
        )
        .merge(sandbox.router())
        .merge(test_clock(&state))
        .route(
            "/organizations/{org}/api-keys",
            post(crate::api_keys::handlers::api_keys),
        )
        .route(
            "/organizations/{org}/services",
            post(crate::services::handlers::services),
        )
        .route("/health", get(health))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(page_state.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback_service(ServeDir::new(options.site_root.as_ref()).fallback(
            axum::handler::HandlerWithoutStateExt::into_service(not_found(state.clone())),
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session_gate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::refuse_cross_site,
        ));
    with_error_pages(app, &state)
        // The bundle is public and named by its content: no session to look up.
        .nest_service("/pkg", assets::pkg_service(&options))
        // The JSON API authenticates each call itself (HTTP Basic only, no
        // cookies) and answers every failure in its envelope.
        .merge(crate::api::router())
        // Pages are made per request, so they are compressed at gzip's
        // fastest level: brotli spent more time (its window set up per
        // response) than rendering. The bundle under /pkg is sent as the
        // brotli files built once by scripts/build-site.
        .layer(
            CompressionLayer::new()
                .br(false)
                .quality(CompressionLevel::Fastest),
        )
        .layer(middleware::from_fn(security::security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with({
            let config = state.config.clone();
            move |request: &Request<_>| {
                let id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                // Behind a trusted proxy, the client it forwards for.
                let client = request
                    .extensions()
                    .get::<axum::extract::ConnectInfo<SocketAddr>>()
                    .map(|peer| config.client_address(peer.0.ip(), request.headers()).to_string())
                    .unwrap_or_default();
                tracing::info_span!("request", id, client, method = %request.method(), path = %crate::server::loggable_path(request.uri().path()))
            }
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// `POST /test-clock/advance` (form `secs`), only when the configuration
/// asks for it: browser tests use it to reach a card's expiry.
fn test_clock(state: &AppState) -> Router<AppState> {
    #[derive(serde::Deserialize)]
    struct Advance {
        secs: i64,
    }
    if !state.config.test_clock {
        return Router::new();
    }
    tracing::warn!("ORGPANEL_TEST_CLOCK is on: anyone signed in can move the clock");
    Router::new()
        // The clock's Unix time, for browser tests that compute what the
        // server will accept at that moment (a two-factor code).
        .route(
            "/test-clock",
            get(|State(state): State<AppState>| async move { state.clock.now().to_string() }),
        )
        .route(
        "/test-clock/advance",
        post(
            |State(state): State<AppState>, axum::Form(advance): axum::Form<Advance>| async move {
                state.clock.advance(advance.secs.max(0));
                StatusCode::NO_CONTENT
            },
        ),
    )
}

/// Renders the 404 page through Leptos (its `NotFound` route sets the status).
fn not_found(
    state: AppState,
) -> impl Fn(
    Request<axum::body::Body>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = axum::response::Response> + Send>>
       + Clone
       + Send
       + Sync
       + 'static {
    let options = state.config.leptos.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || provide_context(state.clone()),
        move || shell(options.clone()),
    );
    move |request| Box::pin(handler(request))
}

/// `GET /health`, for the load balancer: 200 while this replica reaches
/// the database within 2 s, 503 otherwise (not after the pool's 30 s).
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let reached = tokio::time::timeout(std::time::Duration::from_secs(2), state.db.ping()).await;
    match reached {
        Ok(Ok(())) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))),
        failed => {
            let error = match failed {
                Ok(Err(error)) => error.to_string(),
                _ => "no answer within 2 s".to_owned(),
            };
            tracing::error!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
        }
    }
}

/// A running server, as the binary and the tests start it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Opens the database (running migrations), binds and serves until
/// `shutdown` resolves; requests in flight then finish.
pub async fn start(
    config: Config,
    clock: Clock,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Running, String> {
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", config.database_url))?;
    let listener = TcpListener::bind(config.leptos.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.leptos.site_addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mailer = Mailer::new(
        config.smtp_url.as_ref().map(|url| url.0.as_str()),
        &config.mail_from,
    )?;
    let (state, sandbox) = app_state(config, clock, db);
    let app = router(state.clone(), &sandbox).into_make_service_with_connect_info::<SocketAddr>();
    let (stop_refunds, stopped) = tokio::sync::watch::channel(false);
    let refunds = crate::billing::card::spawn_refunds(state.clone(), stopped.clone());
    let purge =
        crate::auth::session::spawn_purge(state.db.clone(), state.clock.clone(), stopped.clone());
    let invoicing = crate::invoices::run::spawn(state.clone(), stopped.clone());
    let outbox = crate::mail::spawn(
        state.db.clone(),
        state.clock.clone(),
        mailer,
        state.mail_due.clone(),
        stopped,
    );
    let db = state.db.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        let _ = stop_refunds.send(true);
        let _ = refunds.await;
        let _ = purge.await;
        let _ = invoicing.await;
        let _ = outbox.await;
        db.close().await;
        served
    });
    Ok(Running { addr, state, task })
}

/// The state every request and job shares, with the embedded sandbox
/// payment provider.
fn app_state(config: Config, clock: Clock, db: Db) -> (AppState, Sandbox) {
    let sandbox = Sandbox::new(
        db.read.clone(),
        db.write.clone(),
        clock.clone(),
        &config.public_url,
    );
    let state = AppState {
        db,
        config: Arc::new(config),
        clock,
        payments: Arc::new(sandbox.clone()),
        refunds_due: Arc::default(),
        mail_due: Arc::default(),
        shell: |options| shell(options).into_any(),
    };
    (state, sandbox)
}

/// What `orgpanel` with arguments does: the operator's commands.
const USAGE: &str = "usage: orgpanel                            serve the panel
       orgpanel print-invoices DIR       write the invoices to post into DIR, mark them posted
       orgpanel credit-note NUMBER WHY   cancel invoice NUMBER in full with a credit note
       orgpanel mark-paid NUMBER         record that invoice NUMBER was paid (bank transfer)";

/// An operator's command, checked.
enum Command {
    Print(std::path::PathBuf),
    Credit(i64, String),
    MarkPaid(i64),
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// Runs an operator's command against the panel's database (the running
/// panel sends the emails it leaves in the outbox); prints what it did.
async fn operator(config: Config, args: &[String]) -> ExitCode {
    let clock = config
        .test_clock_start
        .map(Clock::starting_at)
        .unwrap_or_default();
    let number = |arg: &str| crate::invoices::parse_number(arg.trim());
    // Checked before the database is opened: a typo changes nothing.
    let command = match args {
        [command, dir] if command == "print-invoices" => Command::Print(dir.into()),
        [command, invoice, why @ ..] if command == "credit-note" && !why.is_empty() => {
            match number(invoice) {
                Some(invoice) => Command::Credit(invoice, why.join(" ")),
                None => return usage(),
            }
        }
        [command, invoice] if command == "mark-paid" => match number(invoice) {
            Some(invoice) => Command::MarkPaid(invoice),
            None => return usage(),
        },
        _ => return usage(),
    };
    // Never the default: a command run in the wrong folder would make an
    // empty database there and find nothing to do.
    if std::env::var("DATABASE_URL").map_or(true, |url| url.trim().is_empty()) {
        eprintln!("Set DATABASE_URL to the panel's database, as the panel is run with.");
        return ExitCode::from(2);
    }
    // Nor a mistyped path, which SQLite would make anew and migrate.
    if let Some(path) = config.database_url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or_default();
        if !std::path::Path::new(path).is_file() {
            eprintln!("There is no database at {path}: check DATABASE_URL.");
            return ExitCode::from(2);
        }
    }
    let db = match Db::open(&config.database_url).await {
        Ok(db) => db,
        Err(error) => {
            tracing::error!(%error, "cannot open the database");
            return ExitCode::FAILURE;
        }
    };
    let (state, _) = app_state(config, clock, db);
    let done = match command {
        Command::Print(dir) => crate::invoices::delivery::print_waiting(&state, &dir)
            .await
            .map(|files| {
                files
                    .iter()
                    .map(|file| file.display().to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        Command::Credit(invoice, why) => {
            crate::invoices::corrections::credit_note(&state, invoice, &why)
                .await
                .map(|number| format!("credit note {number} cancels invoice {invoice}"))
        }
        Command::MarkPaid(invoice) => crate::invoices::corrections::mark_paid(&state, invoice)
            .await
            .map(|()| format!("invoice {invoice} is paid")),
    };
    state.db.close().await;
    match done {
        Ok(said) => {
            if !said.is_empty() {
                println!("{said}");
            }
            ExitCode::SUCCESS
        }
        Err(AppError::NotFound) => {
            eprintln!("no such invoice");
            ExitCode::FAILURE
        }
        Err(AppError::Conflict(why) | AppError::BadRequest(why)) => {
            eprintln!("{why}");
            ExitCode::FAILURE
        }
        Err(error) => {
            tracing::error!(%error, "the command failed");
            ExitCode::FAILURE
        }
    }
}

pub async fn main() -> ExitCode {
    init_logging();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "configuration");
            return ExitCode::FAILURE;
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        return operator(config, &args).await;
    }
    let clock = config
        .test_clock_start
        .map(Clock::starting_at)
        .unwrap_or_default();
    let running = match start(config, clock, shutdown_signal()).await {
        Ok(running) => running,
        Err(error) => {
            tracing::error!(%error, "start-up failed");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(addr = %running.addr, public_url = %running.state.config.public_url, "Orgpanel listening");
    match running.task.await {
        Ok(Ok(())) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
        Err(error) => {
            tracing::error!(%error, "server task failed");
            ExitCode::FAILURE
        }
    }
}

/// `RUST_LOG` filters (default: info); `ORGPANEL_LOG_FORMAT=json` for one JSON object per line.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("ORGPANEL_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves at SIGTERM or Ctrl-C: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
