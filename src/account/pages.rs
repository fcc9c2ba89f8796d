//! The Account page: "Profile" (name; the email), "Password", "Sessions"
//! (each signed-in browser or API key from `user/login`, with "Log out",
//! and "Log out everywhere else") and "Security events".

use super::{
    fetch_account, AccountField, AccountView, EmailForm, EventView, NameForm, PasswordForm,
    ResendForm, SessionForm, SessionView,
};
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
                    error=RwSignal::new(field_error(&error, AccountField::EmailPassword))
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
