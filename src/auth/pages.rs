//! The sign-up and log-in pages. The form is an island: it checks fields
//! in the browser with the same types the server parses with.

use super::{
    fetch_login_code_state, fetch_reset_link, fetch_verification_link, AuthField, CodeForm,
    ConfirmEmail, Credentials, NewPassword, ResetRequest,
};
use crate::error::AppError;
use crate::forms::{field_error, form_message, use_refused, Check, TextField};
use crate::validate::{local_path, Email, Password, PersonName};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

type InputRef = NodeRef<leptos::html::Input>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMode {
    SignUp,
    LogIn,
}

fn check_name(value: String) -> Option<String> {
    PersonName::parse(&value).err()
}
fn check_email(value: String) -> Option<String> {
    Email::parse(&value).err()
}
fn check_new_password(value: String) -> Option<String> {
    Password::parse(&value).err()
}
fn check_password_given(value: String) -> Option<String> {
    value.is_empty().then(|| "Enter your password.".to_owned())
}

/// Where to go after logging in: a local path only.
fn next_path(posted: Option<&Credentials>) -> Option<String> {
    let from_query = use_query_map().with_untracked(|q| q.get("next"));
    posted
        .and_then(|form| form.next.clone())
        .or(from_query)
        .filter(|next| local_path(next).is_some())
}

/// A refused log-in or sign-up: what was typed (never the password) and why.
fn refused_credentials() -> (Option<String>, String, String, Option<AppError>) {
    match use_refused::<Credentials>() {
        Some(refused) => (
            next_path(Some(&refused.form)),
            refused.form.name,
            refused.form.email,
            Some(refused.error),
        ),
        // An invitation sends its address along.
        None => (
            next_path(None),
            String::new(),
            use_query_map().with_untracked(|q| q.get("email").unwrap_or_default()),
            None,
        ),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let (next, _, email, error) = refused_credentials();
    let signup_href = match &next {
        Some(next) => format!("/signup?next={}", encode_query(next)),
        None => "/signup".to_owned(),
    };
    view! {
        <Title text="Log in" />
        <main id="main" class="auth">
            <a class="brand" href="/login">"Orgpanel"</a>
            <h1>"Log in"</h1>
            <p class="lead">"Log in to manage your organizations."</p>
            <AuthForm mode=AuthMode::LogIn next=next name=String::new() email=email error=error />
            <p class="switch"><a href="/forgot-password">"Forgot password?"</a></p>
            <p class="switch">"No account yet? " <a href=signup_href>"Sign up"</a></p>
        </main>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let (next, name, email, error) = refused_credentials();
    view! {
        <Title text="Sign up" />
        <main id="main" class="auth">
            <a class="brand" href="/login">"Orgpanel"</a>
            <h1>"Sign up"</h1>
            <p class="lead">"Create an account, then your first organization."</p>
            <AuthForm mode=AuthMode::SignUp next=next name=name email=email error=error />
            <p class="switch">"Already have an account? " <a href="/login">"Log in"</a></p>
        </main>
    }
}

/// A two-factor code's field: six digits from the app or a recovery code,
/// checked by the server only (a plain input, no island). `error` is the
/// server's refusal of the field.
#[component]
pub fn CodeField(
    label: &'static str,
    /// The field's id (a page may hold two code fields).
    id: &'static str,
    error: Option<String>,
    /// The page's one field (the log-in's code step), focused on arrival.
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error.as_ref().map(|_| error_id.clone());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                spellcheck="false" autocapitalize="off" maxlength="20" class="code" autofocus=autofocus
                aria-invalid=error.as_ref().map(|_| "true") aria-describedby=described />
            {error.map(|message| view! { <p class="field-error" id=error_id>{message}</p> })}
        </div>
    }
}

/// The second step of a log-in with two-factor on: the code from the
/// authenticator app, or a recovery code.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let refused = use_refused::<CodeForm>();
    let next = refused
        .as_ref()
        .and_then(|r| r.form.next.clone())
        .or_else(|| use_query_map().with_untracked(|q| q.get("next")))
        .filter(|next| local_path(next).is_some());
    let error = refused.map(|r| r.error);
    view! {
        <Title text="Two-factor log-in" />
        <main id="main" class="auth">
            <a class="brand" href="/login">"Orgpanel"</a>
            <h1>"Two-factor log-in"</h1>
            <Suspense>
                {Suspend::new(async move {
                    let live = fetch_login_code_state().await.unwrap_or(false);
                    if !live && error.is_none() {
                        return view! {
                            <p class="alert" role="alert">"This log-in has expired. Log in again with your password."</p>
                            <p class="switch"><a href="/login">"Log in"</a></p>
                        }
                        .into_any();
                    }
                    view! {
                        <p class="lead">"Enter the 6-digit code your authenticator app shows for Orgpanel."</p>
                        <form method="post" action="/login/code" novalidate>
                            {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                            {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                            <CodeField label="Code" id="code" error=field_error(&error, AuthField::Code) autofocus=true />
                            <p class="hint">"Lost your phone? Enter one of your recovery codes instead."</p>
                            <button type="submit" class="primary">"Log in"</button>
                        </form>
                        <p class="switch"><a href="/login">"Start again"</a></p>
                    }
                    .into_any()
                })}
            </Suspense>
        </main>
    }
}

/// "Forgot password?": the address to send a link to, and afterwards the
/// same answer whether or not an account has it. A plain form: the server
/// checks the one field.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let sent = crate::page::query_flag("sent");
    let (email, error) = match use_refused::<ResetRequest>() {
        Some(refused) => (refused.form.email, Some(refused.error)),
        None => (String::new(), None),
    };
    view! {
        <Title text="Forgot password" />
        <main id="main" class="auth">
            <a class="brand" href="/login">"Orgpanel"</a>
            <h1>"Forgot password"</h1>
            {sent.then(|| view! {
                <p class="status" role="status">"If an account exists for that address, we have sent a link. It works once, for one hour."</p>
            })}
            <p class="lead">"Enter your account's email, and we will send you a link to choose a new password."</p>
            <form method="post" action="/forgot-password" novalidate>
                {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                <TextField label="Email" name="email" input_type="email" autocomplete="email" value=email
                    error=RwSignal::new(field_error(&error, AuthField::Email)) check=check_email node_ref=NodeRef::new() />
                <button type="submit" class="primary">"Send link"</button>
            </form>
            <p class="switch"><a href="/login">"Back to log in"</a></p>
        </main>
    }
}

/// The page a reset link opens: a new password for the account it names,
/// or why the link no longer works.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let error = use_refused::<NewPassword>().map(|refused| refused.error);
    view! {
        <main id="main" class="auth">
            <a class="brand" href="/login">"Orgpanel"</a>
            <Suspense>
                {Suspend::new(async move {
                    if let Ok(email) = fetch_reset_link(token.clone()).await {
                        view! {
                            <Title text="Choose a new password" />
                            <h1>"Choose a new password"</h1>
                            <p class="lead">"For " <strong>{email}</strong> ". Every other session of the account will be logged out."</p>
                            <form method="post" action=format!("/reset-password/{token}") novalidate>
                                {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                                <TextField label="New password" name="password" input_type="password" autocomplete="new-password"
                                    error=RwSignal::new(field_error(&error, AuthField::Password)) check=check_new_password node_ref=NodeRef::new() />
                                <p class="hint">"At least 8 characters. Long passphrases are welcome."</p>
                                <button type="submit" class="primary">"Set password"</button>
                            </form>
                        }
                        .into_any()
                    } else {
                        view! {
                            <LinkGone rule="A password reset link works once, for one hour."
                                next=("/forgot-password", "Ask for a new link") />
                        }
                        .into_any()
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The 404 page of an emailed link that no longer works: its `rule` (how
/// long such a link works) and the way to a new one.
#[component]
fn LinkGone(rule: &'static str, next: (&'static str, &'static str)) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="This link is no longer valid" />
        <h1>"This link is no longer valid"</h1>
        <p>{rule}</p>
        <p><a href=next.0>{next.1}</a></p>
    }
}

/// An email confirmation link: what it confirms and "Confirm" (a POST, so
/// that a mail scanner fetching the link confirms nothing).
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let refusal = use_refused::<ConfirmEmail>().map(|refused| refused.error.to_string());
    view! {
        <main id="main" class="auth">
            <a class="brand" href="/">"Orgpanel"</a>
            <Suspense>
                {Suspend::new(async move {
                    if let Ok(link) = fetch_verification_link(token.clone()).await {
                        let (heading, lead) = if link.change {
                            ("Confirm your new email address", "Your account's email changes to it when you confirm. The old address is told.")
                        } else {
                            ("Confirm your email address", "Invitations and messages about your account go to it.")
                        };
                        view! {
                            <Title text=heading />
                            <h1>{heading}</h1>
                            <p class="lead"><strong>{link.email}</strong></p>
                            <p>{lead}</p>
                            {refusal.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                            <form method="post" action=format!("/verify-email/{token}")>
                                <button type="submit" class="primary">"Confirm"</button>
                            </form>
                        }
                        .into_any()
                    } else {
                        view! {
                            <LinkGone rule="A confirmation link works once, for a day. Your Account page sends a new one."
                                next=("/account", "Open your Account page") />
                        }
                        .into_any()
                    }
                })}
            </Suspense>
        </main>
    }
}

#[cfg_attr(
    any(feature = "ssr", not(feature = "bundle"), feature = "bundle-auth"),
    island
)]
#[cfg_attr(
    not(any(feature = "ssr", not(feature = "bundle"), feature = "bundle-auth")),
    component
)]
fn AuthForm(
    mode: AuthMode,
    next: Option<String>,
    name: String,
    email: String,
    error: Option<AppError>,
) -> impl IntoView {
    crate::page::with_islands(crate::page::Bundle::Auth);
    let sign_up = mode == AuthMode::SignUp;
    let signal = |field: AuthField| RwSignal::new(field_error(&error, field));
    let (name_error, email_error, password_error) = (
        signal(AuthField::Name),
        signal(AuthField::Email),
        signal(AuthField::Password),
    );
    let (name_ref, email_ref, password_ref): (InputRef, InputRef, InputRef) =
        (NodeRef::new(), NodeRef::new(), NodeRef::new());
    let password_check: Check = if sign_up {
        check_new_password
    } else {
        check_password_given
    };

    // Checks every field before the browser posts; the server checks again.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let mut fields = vec![
            (email_ref, email_error, check_email as Check),
            (password_ref, password_error, password_check),
        ];
        if sign_up {
            fields.insert(0, (name_ref, name_error, check_name as Check));
        }
        let mut first_bad: Option<leptos::web_sys::HtmlInputElement> = None;
        for (node, error, check) in fields {
            if let Some(input) = node.get_untracked() {
                let problem = check(input.value());
                if problem.is_some() && first_bad.is_none() {
                    first_bad = Some(input.clone());
                }
                error.set(problem);
            }
        }
        if let Some(input) = first_bad {
            ev.prevent_default();
            let _ = input.focus();
        }
    };

    let action = if sign_up { "/signup" } else { "/login" };
    let button = if sign_up { "Sign up" } else { "Log in" };
    view! {
        <form method="post" action=action novalidate on:submit=on_submit>
            {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
            {sign_up.then(|| view! {
                <TextField label="Name" name="name" autocomplete="name" value=name
                    error=name_error check=check_name node_ref=name_ref />
            })}
            <TextField label="Email" name="email" input_type="email" autocomplete="email"
                value=email error=email_error check=check_email node_ref=email_ref />
            <TextField label="Password" name="password" input_type="password"
                autocomplete=if sign_up { "new-password" } else { "current-password" }
                error=password_error check=password_check node_ref=password_ref />
            {sign_up.then(|| view! { <p class="hint">"At least 8 characters. Long passphrases are welcome."</p> })}
            <button type="submit" class="primary">{button}</button>
        </form>
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}
