//! The Collaborators page (members, "Invite collaborator", "Pending
//! invitations") and `/invitations/{token}`, where an invitation is accepted.

use super::{
    fetch_collaborators, fetch_invitation, roles_to_give, CollaboratorsView, InvitationView,
    InviteField, InviteForm, PendingForm, PendingInvitation, RoleForm, Viewer, NO_LONGER_VALID,
    ROLES_IN_SHORT,
};
use crate::auth::pages::encode_query;
use crate::error::AppError;
use crate::forms::{field_error, form_message, use_refused, Refused, TextField};
use crate::organizations::pages::CollaboratorTable;
use crate::organizations::Collaborator;
use crate::organizations::{Action, Role};
use crate::page::{error_page, load, org_param, page_number, Pager, Window};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CollaboratorsPage() -> impl IntoView {
    let org = org_param();
    let status = use_query_map().with_untracked(|q| {
        [
            ("sent", "Invitation sent"),
            ("resent", "Invitation sent again, with a new link"),
            ("revoked", "Invitation revoked"),
            ("role", "Role changed"),
            ("removed", "Collaborator removed"),
        ]
        .into_iter()
        .find(|(flag, _)| q.get(flag).is_some())
        .map(|(_, text)| text)
    });
    let invite = use_refused::<InviteForm>();
    // Resend, Revoke, Remove, Leave and Change role are told at the top.
    let other = use_refused::<PendingForm>()
        .map(|r| r.error)
        .or_else(|| use_refused::<RoleForm>().map(|r| r.error));
    let you = crate::auth::current_account()
        .map(|a| a.email)
        .unwrap_or_default();
    load(
        fetch_collaborators(org, page_number("page"), page_number("invitations")),
        move |view| collaborators_page(view, status, invite, other, &you),
    )
}

fn collaborators_page(
    view: CollaboratorsView,
    status: Option<&'static str>,
    invite: Option<Refused<InviteForm>>,
    other_refusal: Option<AppError>,
    you: &str,
) -> impl IntoView {
    let name = view.access.org.name.clone();
    let action = format!("/organizations/{}/collaborators", view.access.org.public_id);
    let manage = view.access.may(Action::ManageCollaborators);
    let (window, shown, total) = (view.window, view.members.len(), view.total);
    // Each list's pager keeps the other list's page.
    let keep = |param: &str, window: Window| match window.number() {
        1 => action.clone(),
        page => format!("{action}?{param}={page}"),
    };
    let members_path = keep("invitations", view.pending_window);
    let invitations_path = keep("page", view.window);
    // A refusal the page shows no form for (a role without the right, a
    // Resend or Revoke of an invitation gone meanwhile) is told at the top.
    let page_error = other_refusal.map(|error| error.to_string()).or_else(|| {
        invite
            .as_ref()
            .filter(|_| !manage)
            .map(|r| r.error.to_string())
    });
    let invite_section = view.pending.clone().filter(|_| manage).map(|pending| {
        view! {
            <section aria-labelledby="invite-heading" class="panel">
                <h2 id="invite-heading">"Invite collaborator"</h2>
                <InviteCollaborator action=action.clone() inviter=view.access.role refused=invite.clone() />
            </section>
            <PendingInvitations action=action.clone() actor=view.access.role pending=pending
                pager_path=invitations_path.clone() window=view.pending_window total=view.pending_total />
        }
    });
    view! {
        <Title text=format!("Collaborators · {name}") />
        <main id="main">
            <h1>"Collaborators"</h1>
            {status.map(|m| view! { <p class="status" role="status">{m}</p> })}
            {page_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            {if manage {
                view! { <MembersTable action=action.clone() actor=view.access.role you=you.to_owned() members=view.members /> }.into_any()
            } else {
                view! { <CollaboratorTable collaborators=view.members /> }.into_any()
            }}
            <Pager path=members_path param="page" label="Pages of collaborators" window shown total />
            {invite_section}
            <section aria-labelledby="leave-heading">
                <h2 id="leave-heading">"Leave organization"</h2>
                <p class="muted">"You lose access to " <bdi>{name.clone()}</bdi> " at once. An Owner or Admin can invite you again."</p>
                <form method="post" action=action.clone() class="inline">
                    <input type="hidden" name="intent" value="leave" />
                    <button type="submit" class="danger">"Leave organization"</button>
                </form>
            </section>
        </main>
    }
}

/// The members with a "Change role" control and "Remove" each, where the
/// actor may: an Admin leaves Owners alone and makes no one an Owner.
#[component]
fn MembersTable(
    action: String,
    actor: Role,
    you: String,
    members: Vec<Collaborator>,
) -> impl IntoView {
    let rows = members
        .into_iter()
        .map(|member| {
            let may = actor == Role::Owner || member.role != Role::Owner;
            let yourself = member.email.eq_ignore_ascii_case(&you);
            let select_id = format!("role-of-{}", member.email);
            let role_cell = if may {
                let options = roles_to_give(actor)
                    .into_iter()
                    .map(|role| view! { <option value=role.as_str() selected=role == member.role>{role.to_string()}</option> })
                    .collect_view();
                view! {
                    <form method="post" action=action.clone() class="inline role">
                        <input type="hidden" name="intent" value="role" />
                        <input type="hidden" name="email" value=member.email.clone() />
                        <label class="visually-hidden" for=select_id.clone()>{format!("Role of {}", member.name)}</label>
                        <select id=select_id name="role">{options}</select>
                        <button type="submit">"Change role"</button>
                    </form>
                }
                .into_any()
            } else {
                view! { {member.role.to_string()} }.into_any()
            };
            let remove = (may && !yourself).then(|| view! {
                <form method="post" action=action.clone() class="inline">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="email" value=member.email.clone() />
                    <button type="submit" aria-label=format!("Remove {}", member.name)>"Remove"</button>
                </form>
            });
            view! {
                <tr>
                    <td dir="auto" data-label="Name">{member.name.clone()}</td>
                    <td class="email" data-label="Email">{member.email.clone()}</td>
                    <td class="nowrap" data-label="Role">{role_cell}</td>
                    <td class="actions">{remove}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="cards">
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// "Invite collaborator": an address and a role (an Owner only by an Owner).
#[component]
fn InviteCollaborator(
    action: String,
    inviter: Role,
    refused: Option<Refused<InviteForm>>,
) -> impl IntoView {
    let (typed, error) = match refused {
        Some(r) => (r.form, Some(r.error)),
        None => (InviteForm::default(), None),
    };
    let email_error = RwSignal::new(field_error(&error, InviteField::Email));
    let role_error = field_error(&error, InviteField::Role);
    let chosen = Role::parse(&typed.role).unwrap_or(Role::Member);
    let options = roles_to_give(inviter)
        .into_iter()
        .map(|role| view! { <option value=role.as_str() selected=role == chosen>{role.to_string()}</option> })
        .collect_view();
    let described = match role_error {
        Some(_) => "field-role-hint field-role-error",
        None => "field-role-hint",
    };
    view! {
        <form method="post" action=action novalidate class="narrow">
            {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <input type="hidden" name="intent" value="invite" />
            <TextField label="Email" name="email" input_type="email" value=typed.email
                error=email_error check=|_: String| None node_ref=NodeRef::new() />
            <div class="field">
                <label for="field-role">"Role"</label>
                <select id="field-role" name="role"
                    aria-invalid=role_error.as_ref().map(|_| "true")
                    aria-describedby=described>
                    {options}
                </select>
                <p class="hint" id="field-role-hint">{ROLES_IN_SHORT}</p>
                {role_error.map(|m| view! { <p class="field-error" id="field-role-error">{m}</p> })}
            </div>
            <div><button type="submit" class="primary">"Send invitation"</button></div>
        </form>
    }
}

#[component]
fn PendingInvitations(
    action: String,
    actor: Role,
    pending: Vec<PendingInvitation>,
    /// Where the pager's links go, with the members' page kept.
    pager_path: String,
    window: Window,
    total: i64,
) -> impl IntoView {
    let shown = pending.len();
    let pager = view! {
        <Pager path=pager_path param="invitations" label="Pages of pending invitations" window shown total />
    };
    let body = if pending.is_empty() && total == 0 {
        view! { <p class="muted">"No pending invitations."</p> }.into_any()
    } else {
        let rows = pending
            .into_iter()
            .map(|p| {
                let button = |intent: &'static str, label: &'static str| {
                    view! {
                        <form method="post" action=action.clone() class="inline">
                            <input type="hidden" name="intent" value=intent />
                            <input type="hidden" name="email" value=p.email.clone() />
                            <button type="submit" aria-label=format!("{label} the invitation of {}", p.email)>{label}</button>
                        </form>
                    }
                };
                view! {
                    <tr>
                        <td class="email" data-label="Email">{p.email.clone()}</td>
                        <td class="nowrap" data-label="Role">{p.role.to_string()}</td>
                        <td class="nowrap" data-label="Expires">{p.expires.clone()}</td>
                        // An Owner's invitation is an Owner's to resend or revoke.
                        <td class="actions">
                            {(p.role != Role::Owner || actor == Role::Owner)
                                .then(|| view! { {button("resend", "Resend")} {button("revoke", "Revoke")} })}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="cards">
                    <thead>
                        <tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="pending-heading">
            <h2 id="pending-heading">"Pending invitations"</h2>
            {body}
            {pager}
        </section>
    }
}

/// `/invitations/{token}`: the organization and the role, and the way to
/// accept it as the signed-in account, or to sign up or log in first.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    view! {
        <Suspense>
            {Suspend::new(async move {
                match fetch_invitation(token.clone()).await {
                    Ok(invitation) => invitation_page(invitation, &token).into_any(),
                    Err(AppError::NotFound) => no_longer_valid().into_any(),
                    Err(error) => error_page(error),
                }
            })}
        </Suspense>
    }
}

fn invitation_page(invitation: InvitationView, token: &str) -> impl IntoView {
    let here = format!("/invitations/{token}");
    let InvitationView {
        organization,
        role,
        email,
        viewer,
    } = invitation;
    let way = match viewer {
        Viewer::Visitor => {
            let query = format!("email={}&next={}", encode_query(&email), encode_query(&here));
            view! {
                <p>"The invitation is for " <strong>{email.clone()}</strong> ". Sign up, or log in if you have an account, with that address to accept it."</p>
                <p class="buttons">
                    <a class="button primary" href=format!("/signup?{query}")>"Sign up"</a>
                    <a class="button" href=format!("/login?{query}")>"Log in"</a>
                </p>
            }
            .into_any()
        }
        Viewer::Invitee => view! {
            <form method="post" action=here.clone()>
                <button type="submit" class="primary">"Accept invitation"</button>
            </form>
        }
        .into_any(),
        Viewer::Other { email: mine } => view! {
            <p class="alert" role="alert">"This invitation is for " <strong>{email.clone()}</strong>
                ", and you are logged in as " <strong>{mine}</strong> ". Log out, then log in or sign up with the invited address."</p>
            <form method="post" action="/logout">
                <input type="hidden" name="next" value=here.clone() />
                <button type="submit">"Log out"</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <Title text=format!("Invitation to {organization}") />
        <main id="main" class="auth">
            <a class="brand" href="/">"Orgpanel"</a>
            <h1>"Join " <bdi>{organization.clone()}</bdi></h1>
            <p class="lead">"You are invited to " <bdi>{organization}</bdi> " as " <strong>{role.to_string()}</strong> "."</p>
            {way}
        </main>
    }
}

/// The same page for a used, revoked, replaced, expired or made-up token.
fn no_longer_valid() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Invitation" />
        <main id="main" class="auth">
            <a class="brand" href="/">"Orgpanel"</a>
            <h1>{NO_LONGER_VALID}</h1>
            <p>"It was used, revoked, replaced by a newer one, or it expired. Ask whoever invited you to send a new one."</p>
            <p><a href="/">"Go to Orgpanel"</a></p>
        </main>
    }
}
