//! The POST side of sign-up, log-in and log-out, and the gate that puts
//! the signed-in account on each request.

use super::{
    password, reset, session, throttle, two_factor, verify, Account, AuthField, CodeForm,
    ConfirmEmail, Credentials, NewPassword, ResetRequest,
};
use crate::error::{AppError, AppResult};
use crate::server::render::{refused, see_other};
use crate::server::state::AppState;
use crate::server::Client;
use crate::validate::{local_path, Email, FieldError, Password, PersonName};
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Form;

pub async fn login(
    State(state): State<AppState>,
    client: Client,
    parts: Parts,
    Form(form): Form<Credentials>,
) -> Response {
    match check_login(&state, &form.email, &form.password, &client.address).await {
        Ok(account_id) => {
            password_accepted(&state, &parts, &client, account_id, form.next.as_deref()).await
        }
        Err(error) => refused(&state, parts, error, form.without_password()).await,
    }
}

/// The password (or a reset link) was right: the session starts, or, with
/// two-factor log-in on, the code step does (`/login/code`).
async fn password_accepted(
    state: &AppState,
    parts: &Parts,
    client: &Client,
    account_id: i64,
    next: Option<&str>,
) -> Response {
    let now = state.clock.now();
    let challenge = async {
        if two_factor::is_on(&state.db, account_id).await? {
            two_factor::start_challenge(&state.db, account_id, now)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    }
    .await;
    match challenge {
        Ok(None) => start_session(state, parts, client, account_id, next).await,
        Ok(Some(token)) => {
            let to = match next.and_then(local_path) {
                Some(next) => format!(
                    "/login/code?next={}",
                    crate::auth::pages::encode_query(next)
                ),
                None => "/login/code".to_owned(),
            };
            let mut response = see_other(&to);
            response.headers_mut().append(
                header::SET_COOKIE,
                two_factor::set_cookie(&token, state.config.secure_cookies()),
            );
            response
        }
        Err(error) => error.into_response(),
    }
}

/// `POST /login/code`: the code step of a log-in with two-factor on.
pub async fn login_code(
    State(state): State<AppState>,
    client: Client,
    parts: Parts,
    Form(form): Form<CodeForm>,
) -> Response {
    let answered = match two_factor::token_from(&parts.headers) {
        Some(token) => {
            two_factor::answer_challenge(&state, &token, &form.code, &client.address).await
        }
        None => Err(AppError::field(
            AuthField::Code,
            "This log-in has expired. Log in again with your password.",
        )),
    };
    match answered {
        Ok(account_id) => {
            let mut response =
                start_session(&state, &parts, &client, account_id, form.next.as_deref()).await;
            two_factor::forget(response.headers_mut(), state.config.secure_cookies());
            response
        }
        Err(error) => {
            let typed = CodeForm {
                code: String::new(),
                next: form.next,
            };
            refused(&state, parts, error, typed).await
        }
    }
}

/// The one log-in check, for the log-in page and the API's `user/login`:
/// the account id when `password_input` is the password of the account
/// with `email`; throttled per email and per client `address`, and the
/// same `BadCredentials` whether or not the email exists.
pub async fn check_login(
    state: &AppState,
    email: &str,
    password_input: &str,
    address: &str,
) -> AppResult<i64> {
    /// An account's id and PHC password hash.
    #[derive(sqlx::FromRow)]
    struct Found {
        id: i64,
        password_hash: String,
    }
    let email = Email::parse(email).map_err(|m| AppError::field(AuthField::Email, m))?;
    if password_input.is_empty() {
        return Err(AppError::field(AuthField::Password, "Enter your password."));
    }
    let now = state.clock.now();
    let attempt = throttle::begin_attempt(&state.db, &email.key(), address, now).await?;
    let found: Option<Found> =
        sqlx::query_as("SELECT id, password_hash FROM accounts WHERE email_key = $1")
            .bind(email.key())
            .fetch_optional(&state.db.read)
            .await?;
    let (id, stored) = found.map_or((None, None), |f| (Some(f.id), Some(f.password_hash)));
    let verified = password::verify(password_input.to_owned(), stored).await?;
    if let (Some(id), true) = (id, verified) {
        throttle::forgive(&state.db, attempt).await?;
        Ok(id)
    } else {
        tracing::info!(%address, "log-in failed");
        Err(AppError::BadCredentials)
    }
}

pub async fn signup(
    State(state): State<AppState>,
    client: Client,
    parts: Parts,
    Form(form): Form<Credentials>,
) -> Response {
    match create_account(
        &state,
        &form.name,
        &form.email,
        &form.password,
        &client.address,
    )
    .await
    {
        Ok(account_id) => {
            start_session(&state, &parts, &client, account_id, form.next.as_deref()).await
        }
        Err(error) => refused(&state, parts, error, form.without_password()).await,
    }
}

async fn create_account(
    state: &AppState,
    name: &str,
    email: &str,
    password_input: &str,
    address: &str,
) -> AppResult<i64> {
    let name = PersonName::parse(name);
    let email = Email::parse(email);
    let password_parsed = Password::parse(password_input);
    let (name, email, password_parsed) = match (name, email, password_parsed) {
        (Ok(n), Ok(e), Ok(p)) => (n, e, p),
        (n, e, p) => {
            let errors = [
                (AuthField::Name, n.err()),
                (AuthField::Email, e.err()),
                (AuthField::Password, p.err()),
            ]
            .into_iter()
            .filter_map(|(field, message)| message.map(|m| FieldError::new(field, m)))
            .collect();
            return Err(AppError::Invalid(errors));
        }
    };
    let taken = || {
        AppError::field(
            AuthField::Email,
            "An account with this email already exists. Log in instead.",
        )
    };
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE email_key = $1")
        .bind(email.key())
        .fetch_optional(&state.db.read)
        .await?;
    if exists.is_some() {
        return Err(taken());
    }
    throttle::count_signup(&state.db, address, state.clock.now()).await?;
    let hash = password::hash(password_parsed.expose().to_owned()).await?;
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO accounts (name, email, email_key, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name.as_str())
    .bind(email.as_str())
    .bind(email.key())
    .bind(hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        // Two sign-ups with one email at the same moment: the unique index decides.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(taken()),
        Err(e) => return Err(e.into()),
    };
    verify::send_link(&mut tx, state.config.base_url(), id, &email, false, now).await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    tracing::info!(account_id = id, "account created");
    Ok(id)
}

/// `POST /verify-email/{token}`: "Confirm" on a link's page.
pub async fn confirm_email(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: Client,
    parts: Parts,
) -> Response {
    match verify::confirm(&state, &token, &client.address).await {
        Ok(_) => see_other("/account?email=confirmed"),
        Err(error) => refused(&state, parts, error, ConfirmEmail).await,
    }
}

/// `POST /forgot-password`: the same answer whether or not the address has
/// an account.
pub async fn forgot_password(
    State(state): State<AppState>,
    client: Client,
    parts: Parts,
    Form(form): Form<ResetRequest>,
) -> Response {
    match reset::request(&state, &form.email, &client.address).await {
        Ok(()) => see_other("/forgot-password?sent=1"),
        Err(error) => refused(&state, parts, error, form).await,
    }
}

/// `POST /reset-password/{token}`: sets the new password and logs this
/// browser in; every other session has ended.
pub async fn reset_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: Client,
    parts: Parts,
    Form(form): Form<NewPassword>,
) -> Response {
    match reset::complete(&state, &token, &form.password, &client.address).await {
        Ok(account_id) => {
            // An emailed link proves the address, not the second factor.
            password_accepted(
                &state,
                &parts,
                &client,
                account_id,
                Some("/?password=changed"),
            )
            .await
        }
        Err(error) => refused(&state, parts, error, NewPassword::default()).await,
    }
}

/// A fresh session id at every log-in; any session the browser had ends.
async fn start_session(
    state: &AppState,
    parts: &Parts,
    client: &Client,
    account_id: i64,
    next: Option<&str>,
) -> Response {
    let result = async {
        if let Some(old) = session::token_from(&parts.headers) {
            session::delete(&state.db, &old).await?;
        }
        session::create(
            &state.db,
            account_id,
            session::Kind::Browser,
            client,
            state.clock.now(),
        )
        .await
    }
    .await;
    match result {
        Ok(token) => {
            let target = next.and_then(local_path).unwrap_or("/");
            let mut response = see_other(target);
            response.headers_mut().insert(
                header::SET_COOKIE,
                session::set_cookie(&token, state.config.secure_cookies()),
            );
            response
        }
        Err(error) => error.into_response(),
    }
}

/// "Log out", optionally with where to go after logging in again (an
/// invitation opened while logged in as someone else).
#[derive(serde::Deserialize)]
pub struct LogoutForm {
    next: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    parts: Parts,
    // A log-out without a form body (an old page, a script) still logs out.
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    if let Some(token) = session::token_from(&parts.headers) {
        if let Err(error) = session::delete(&state.db, &token).await {
            return error.into_response();
        }
    }
    let next = form
        .ok()
        .and_then(|Form(form)| form.next.filter(|next| local_path(next).is_some()));
    let to = match next {
        Some(next) => format!("/login?next={}", crate::auth::pages::encode_query(&next)),
        None => "/login".to_owned(),
    };
    let mut response = see_other(&to);
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::clear_cookie(state.config.secure_cookies()),
    );
    response
}

/// Paths a visitor without a session may reach.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        // Log out without a session (a second tab, an old page) just goes to log in.
        "/login" | "/login/code" | "/signup" | "/logout" | "/health" | "/favicon.svg"
            | "/favicon.ico" | "/forgot-password"
    ) || path.starts_with("/pkg/")
        // A password reset link is opened by someone who cannot log in.
        || path.starts_with("/reset-password/")
        // An email confirmation link may be opened in another browser.
        || path.starts_with("/verify-email/")
        // The payment provider's pages: the provider has no panel session.
        || path.starts_with("/sandbox-pay/")
        // An invitation is opened before its invitee has an account.
        || path.starts_with("/invitations/")
        // A card added through a page the API handed out comes back here.
        || path.starts_with("/card-setups/")
        // The JSON API authenticates each call with HTTP Basic.
        || path == "/api"
        || path.starts_with("/api/")
}

/// Puts the signed-in [`Account`] in the request's extensions; sends a
/// visitor without one to log in, and back here afterwards.
pub async fn session_gate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let account = match session::token_from(request.headers()) {
        Some(token) => {
            let address =
                crate::server::client::address_of(&state, request.extensions(), request.headers());
            let now = state.clock.now();
            match session::account(&state.db, &token, session::Kind::Browser, &address, now).await {
                Ok(account) => account,
                Err(error) => return error.into_response(),
            }
        }
        None => None,
    };
    let path = request.uri().path();
    let is_page = matches!(*request.method(), Method::GET | Method::HEAD);
    match account {
        Some(account) => {
            if is_page && matches!(path, "/login" | "/login/code" | "/signup") {
                return see_other("/");
            }
            request.extensions_mut().insert::<Account>(account);
            // What a signed-in page shows stays out of every cache (Back
            // after log-out shows nothing); hashed assets keep their own.
            let mut response = next.run(request).await;
            response
                .headers_mut()
                .entry(header::CACHE_CONTROL)
                .or_insert(HeaderValue::from_static("no-store"));
            return response;
        }
        None if !is_public(path) => {
            if !is_page {
                return AppError::Unauthenticated.into_response();
            }
            let wanted = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
            let login = if wanted == "/" {
                "/login".to_owned()
            } else {
                format!("/login?next={}", crate::auth::pages::encode_query(wanted))
            };
            return see_other(&login);
        }
        None => {}
    }
    next.run(request).await
}
