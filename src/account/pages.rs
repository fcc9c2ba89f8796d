//! The Account page: "Profile" (name; the email), "Password", "Sessions"
//! (each signed-in browser or API key from `user/login`, with "Log out",
//! and "Log out everywhere else") and "Security events".

use super::{
    fetch_account, AccountField, AccountView, EmailForm, EventView, NameForm, PasswordForm,
    ResendForm, SessionForm, SessionView, ShownRecoveryCodes, TwoFactorCodeForm, TwoFactorOffForm,
    TwoFactorView,
};
use crate::auth::pages::CodeField;
use crate::error::AppError;
use crate::forms::{field_error, form_message, use_refused, TextField};
use crate::page::load;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What the last POST did, from the address it redirected to.
fn done_message() -> Option<&'static str> {
    use_query_map().with_untracked(|query| {
        if query.get("email").as_deref() == Some("confirmed") {
            return Some("Email address confirmed");
        }
        let sent = query.get("sent");
        match (
            query.get("saved").or(sent).as_deref(),
            query.get("ended").as_deref(),
        ) {
            (Some("name"), _) => Some("Name saved"),
            (Some("password"), _) => Some("Password changed. Every other session was logged out."),
            (Some("two-factor-off"), _) => Some("Two-factor log-in turned off"),
            (_, Some("one")) => Some("Session logged out"),
            (_, Some("none")) => Some("That session had already ended"),
            (Some("verification"), _) => Some("Confirmation link sent: it works for a day."),
            (Some("change"), _) => {
                Some("We sent a link to the new address. Your email changes when you follow it.")
            }
            (_, Some("others")) => Some("Every other session was logged out"),
            _ => None,
        }
    })
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let name_refused = use_refused::<NameForm>();
    let password_error = use_refused::<PasswordForm>().map(|r| r.error);
    let session_error = use_refused::<SessionForm>().map(|r| r.error.to_string());
    let email_refused = use_refused::<EmailForm>();
    let resend_error = use_refused::<ResendForm>().map(|r| r.error.to_string());
    let shown_codes = use_context::<ShownRecoveryCodes>().map(|shown| shown.0);
    // The codes, or a refused confirmation (a second click after the first
    // turned it on), lead the page: either would go unseen below.
    let confirm_error = use_refused::<TwoFactorCodeForm>().map(|r| r.error);
    let showing_codes = shown_codes.is_some() || confirm_error.is_some();
    let off_error = use_refused::<TwoFactorOffForm>().map(|r| r.error);
    let done = done_message();
    load(fetch_account(), move |view: AccountView| {
        let (typed_name, name_error) = name_refused.map_or_else(
            || (view.name.clone(), None),
            |r| (r.form.name, Some(r.error)),
        );
        view! {
            <Title text="Account" />
            <main id="main" class="account-page">
                <h1>"Account"</h1>
                {done.map(|m| view! { <p class="status" role="status">{m}</p> })}
                // The answer that turned two-factor on leads with its recovery codes.
                {showing_codes.then(|| view! {
                    <TwoFactorSection state=view.two_factor.clone() shown=shown_codes.clone()
                        confirm_error=confirm_error.clone() off_error=None />
                })}
                <section aria-labelledby="profile-heading" class="panel">
                    <h2 id="profile-heading">"Profile"</h2>
                    <form method="post" action="/account" novalidate class="narrow">
                        {form_message(&name_error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                        <input type="hidden" name="intent" value="name" />
                        <TextField label="Name" name="name" autocomplete="name" value=typed_name
                            error=RwSignal::new(field_error(&name_error, AccountField::Name))
                            check=|_: String| None node_ref=NodeRef::new() />
                        <p class="hint">"As your collaborators see you."</p>
                        <div><button type="submit" class="primary">"Save name"</button></div>
                    </form>
                </section>
                <EmailSection email=view.email.clone() verified=view.email_verified
                    refused=email_refused.clone() resend_error=resend_error.clone() />
                <PasswordSection error=password_error />
                {(!showing_codes).then(|| view! {
                    <TwoFactorSection state=view.two_factor.clone() shown=None
                        confirm_error=confirm_error.clone() off_error=off_error.clone() />
                })}
                <SessionsSection sessions=view.sessions.clone() refusal=session_error.clone() />
                <EventsSection events=view.events.clone() />
            </main>
        }
    })
}

#[component]
fn EmailSection(
    email: String,
    verified: bool,
    refused: Option<crate::forms::Refused<EmailForm>>,
    resend_error: Option<String>,
) -> impl IntoView {
    let (typed, error) = refused.map_or_else(
        || (String::new(), None),
        |r| (r.form.new_email, Some(r.error)),
    );
    let state = if verified {
        view! { <p class="current"><strong>{email}</strong> " · " <span class="ok">"Confirmed"</span></p> }.into_any()
    } else {
        view! {
            <p class="current"><strong>{email}</strong> " · " <span class="warn-text">"Not confirmed yet"</span></p>
            <form method="post" action="/account" class="inline">
                <input type="hidden" name="intent" value="resend-verification" />
                <button type="submit" class="small">"Resend confirmation link"</button>
            </form>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="email-heading" class="panel">
            <h2 id="email-heading">"Email"</h2>
            {state}
            {resend_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <form method="post" action="/account" novalidate class="narrow">
                {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                <input type="hidden" name="intent" value="email" />
                <TextField label="New email" name="new_email" input_type="email" autocomplete="email" value=typed
                    error=RwSignal::new(field_error(&error, AccountField::NewEmail))
                    check=|_: String| None node_ref=NodeRef::new() />
                <TextField label="Password" name="password" input_type="password"
                    autocomplete="current-password"
                    error=RwSignal::new(field_error(&error, AccountField::Password))
                    check=|_: String| None node_ref=NodeRef::new() />
                <p class="hint">"We send a link to the new address; your email changes when you follow it, and the old address is told."</p>
                <div><button type="submit" class="primary">"Change email"</button></div>
            </form>
        </section>
    }
}

#[component]
fn PasswordSection(error: Option<crate::error::AppError>) -> impl IntoView {
    view! {
        <section aria-labelledby="password-heading" class="panel">
            <h2 id="password-heading">"Password"</h2>
            <form method="post" action="/account" novalidate class="narrow">
                {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                <input type="hidden" name="intent" value="password" />
                <TextField label="Current password" name="current_password" input_type="password"
                    autocomplete="current-password"
                    error=RwSignal::new(field_error(&error, AccountField::CurrentPassword))
                    check=|_: String| None node_ref=NodeRef::new() />
                <TextField label="New password" name="new_password" input_type="password"
                    autocomplete="new-password"
                    error=RwSignal::new(field_error(&error, AccountField::NewPassword))
                    check=|_: String| None node_ref=NodeRef::new() />
                <p class="hint">"At least 8 characters. Every other session will be logged out."</p>
                <div><button type="submit" class="primary">"Change password"</button></div>
            </form>
        </section>
    }
}

#[component]
fn TwoFactorSection(
    state: TwoFactorView,
    /// The recovery codes, in the answer that turned it on (only then).
    shown: Option<Vec<String>>,
    confirm_error: Option<AppError>,
    off_error: Option<AppError>,
) -> impl IntoView {
    let body = if let Some(codes) = shown {
        view! {
            <p class="status" role="status">"Two-factor log-in is on. Logging in now asks for a code from your app after the password; every other session was logged out."</p>
            <h3>"Your recovery codes"</h3>
            <p>"Save them now, somewhere other than your phone (a password manager, or printed): each logs you in once if the phone is lost. They are not shown again."</p>
            <ol class="recovery-codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <p><a class="button primary" href="/account">"I have saved them"</a></p>
        }
        .into_any()
    } else if let Some(since) = state.on_since {
        let left = state.recovery_codes_left;
        let required = (!state.required_by.is_empty()).then(|| {
            format!(
                "{} {} two-factor log-in: turning it off closes {} pages to you until you turn it on again.",
                state.required_by.join(", "),
                if state.required_by.len() == 1 { "requires" } else { "require" },
                if state.required_by.len() == 1 { "its" } else { "their" },
            )
        });
        view! {
            // A confirmation sent twice (a double click, a reload) is refused here.
            {form_message(&confirm_error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <p class="current"><span class="ok">"On"</span> " since " {since} ". "
                {format!("{left} of 10 recovery codes left.")}</p>
            {required.map(|m| view! { <p class="warn-text">{m}</p> })}
            <form method="post" action="/account" novalidate class="narrow">
                {form_message(&off_error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                <input type="hidden" name="intent" value="two-factor-off" />
                <TextField label="Password" name="password" input_type="password" id="off-password"
                    autocomplete="current-password"
                    error=RwSignal::new(field_error(&off_error, AccountField::Password))
                    check=|_: String| None node_ref=NodeRef::new() />
                <CodeField label="Code from the app" id="off-code"
                    error=field_error(&off_error, AccountField::Code) />
                <div><button type="submit" class="danger">"Turn off two-factor log-in"</button></div>
            </form>
        }
        .into_any()
    } else if let Some(setup) = state.setup {
        view! {
            <ol class="steps">
                <li>
                    <p>"Scan this QR code with your authenticator app (your phone's password manager, Google Authenticator, Microsoft Authenticator, 1Password…)."</p>
                    <div class="qr" role="img" aria-label="QR code of the two-factor key" inner_html=setup.qr_svg></div>
                    <p class="hint">"Cannot scan? Type this key into the app: " <code class="secret">{setup.secret}</code></p>
                </li>
                <li>
                    <form method="post" action="/account" novalidate class="narrow">
                        {form_message(&confirm_error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                        <input type="hidden" name="intent" value="two-factor-confirm" />
                        <input type="hidden" name="setup" value=setup.fingerprint />
                        <CodeField label="Code from the app" id="setup-code"
                            error=field_error(&confirm_error, AccountField::Code) />
                        <TextField label="Password" name="password" input_type="password" id="setup-password"
                            autocomplete="current-password"
                            error=RwSignal::new(field_error(&confirm_error, AccountField::Password))
                            check=|_: String| None node_ref=NodeRef::new() />
                        <p class="hint">"Turning it on logs out every other session of your account."</p>
                        <div><button type="submit" class="primary">"Turn on"</button></div>
                    </form>
                </li>
            </ol>
        }
        .into_any()
    } else {
        view! {
            {form_message(&confirm_error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <p class="current"><span class="warn-text">"Off"</span></p>
            <p>"With it on, logging in asks for a 6-digit code from an authenticator app after the password, so a stolen password alone is not enough."</p>
            <form method="post" action="/account" class="inline">
                <input type="hidden" name="intent" value="two-factor-setup" />
                <button type="submit" class="primary">"Set up two-factor log-in"</button>
            </form>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="two-factor-heading" class="panel">
            <h2 id="two-factor-heading">"Two-factor log-in"</h2>
            {body}
        </section>
    }
}

#[component]
fn SessionsSection(sessions: Vec<SessionView>, refusal: Option<String>) -> impl IntoView {
    let others = sessions.iter().filter(|s| !s.current).count();
    let rows = sessions
        .into_iter()
        .map(|s| {
            let action = if s.current {
                view! { <strong>"This browser"</strong> }.into_any()
            } else {
                let label = format!("Log out {}, {}", s.client, s.address);
                view! {
                    <form method="post" action="/account" class="inline">
                        <input type="hidden" name="intent" value="end-session" />
                        <input type="hidden" name="session" value=s.public_id.clone() />
                        <button type="submit" class="small" aria-label=label>"Log out"</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <tr>
                    <td data-label="Program"><span title=s.user_agent.clone()>{s.client.clone()}</span></td>
                    <td class="nowrap" data-label="Address">{s.address.clone()}</td>
                    <td class="nowrap" data-label="Started">{s.started.clone()}</td>
                    <td class="nowrap" data-label="Last used">{s.last_used.clone()}</td>
                    <td class="actions">{action}</td>
                </tr>
            }
        })
        .collect_view();
    let everywhere = (others > 0).then(|| {
        view! {
            <form method="post" action="/account" class="inline">
                <input type="hidden" name="intent" value="end-others" />
                <button type="submit" class="danger">"Log out everywhere else"</button>
            </form>
        }
    });
    view! {
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p class="muted">"Where you are logged in: browsers, and programs that logged in through the API."</p>
            {refusal.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <div class="table-wrap">
                <table class="cards">
                    <thead>
                        <tr>
                            <th scope="col">"Program"</th><th scope="col">"Address"</th>
                            <th scope="col">"Started"</th><th scope="col">"Last used"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {everywhere}
        </section>
    }
}

#[component]
fn EventsSection(events: Vec<EventView>) -> impl IntoView {
    let body = if events.is_empty() {
        view! { <p class="muted">"None yet. Password changes and logged-out sessions show here, and each is emailed to you."</p> }
            .into_any()
    } else {
        let rows = events
            .into_iter()
            .map(|e| {
                view! {
                    <tr>
                        <td class="nowrap" data-label="When">{e.at}</td>
                        <td data-label="What">{e.what}</td>
                        <td class="nowrap" data-label="From">{e.address}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="cards">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"From"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="events-heading">
            <h2 id="events-heading">"Security events"</h2>
            {body}
        </section>
    }
}
