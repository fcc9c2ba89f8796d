//! The "API keys" page: the organization's customer number (the API's
//! username), "Create API key", a key just made (shown this once), and the
//! keys that work, each with "Revoke".

use super::{
    fetch_api_keys, ApiKeyField, ApiKeyForm, ApiKeyRow, ApiKeysView, CreatedKey, RevokeForm,
};
use crate::forms::{field_error, form_message, use_refused, Refused, TextField};
use crate::organizations::permissions::roles_to_give;
use crate::organizations::Role;
use crate::page::{load, org_param, query_flag};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let org = org_param();
    let create = use_refused::<ApiKeyForm>();
    let revoke = use_refused::<RevokeForm>().map(|r| r.error.to_string());
    let created = use_context::<CreatedKey>();
    let revoked = query_flag("revoked");
    load(fetch_api_keys(org), move |view| {
        api_keys_page(view, create, revoke, created, revoked)
    })
}

fn api_keys_page(
    view: ApiKeysView,
    create: Option<Refused<ApiKeyForm>>,
    revoke_refusal: Option<String>,
    created: Option<CreatedKey>,
    revoked: bool,
) -> impl IntoView {
    let name = view.access.org.name.clone();
    let action = format!("/organizations/{}/api-keys", view.access.org.public_id);
    let customer_number = view.access.org.customer_number.clone();
    view! {
        <Title text=format!("API keys · {name}") />
        <main id="main">
            <h1>"API keys"</h1>
            {revoked.then(|| view! { <p class="status" role="status">"API key revoked: calls with it fail from now on."</p> })}
            {revoke_refusal.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <p>
                "Programs manage " <bdi>{name.clone()}</bdi> " through the JSON API at "
                <code>{view.api_url.clone()}</code> ", with HTTP Basic: the username is the customer number "
                <strong class="nowrap">{customer_number}</strong> ", the password an API key. "
                "The API is described in " <a href="/api/openapi.json">"OpenAPI"</a> "."
            </p>
            {created.map(|created| view! { <NewKey created=created /> })}
            <section aria-labelledby="create-heading" class="panel">
                <h2 id="create-heading">"Create API key"</h2>
                <CreateKey action=action.clone() actor=view.access.role request=view.request refused=create />
            </section>
            <KeyList action=action actor=view.access.role keys=view.keys />
        </main>
    }
}

/// The key just made, with what to do with it.
#[component]
fn NewKey(created: CreatedKey) -> impl IntoView {
    view! {
        <section aria-labelledby="new-key-heading" class="panel new-key" role="status">
            <h2 id="new-key-heading">"Your new API key"</h2>
            <p>
                <strong>"Copy it now: it is shown only this once."</strong>
                " Orgpanel keeps only a fingerprint of it, so nobody can show it to you again."
            </p>
            <dl class="facts">
                <dt>"Description"</dt><dd dir="auto">{created.description}</dd>
                <dt>"Role"</dt><dd>{created.role.to_string()}</dd>
                <dt>"Username"</dt><dd><code>{created.customer_number}</code></dd>
                <dt>"API key"</dt><dd><code class="secret">{created.key}</code></dd>
            </dl>
            <p>"Try it:"</p>
            <pre class="command"><code>{created.curl}</code></pre>
        </section>
    }
}

#[component]
fn CreateKey(
    action: String,
    actor: Role,
    /// This form's id, so that sending it twice makes one key.
    request: String,
    refused: Option<Refused<ApiKeyForm>>,
) -> impl IntoView {
    let (typed, error) = refused.map_or_else(
        || (ApiKeyForm::default(), None),
        |r| (r.form, Some(r.error)),
    );
    let description_error = RwSignal::new(field_error(&error, ApiKeyField::Description));
    let role_error = field_error(&error, ApiKeyField::Role);
    let options = roles_to_give(actor)
        .into_iter()
        .map(|role| {
            view! { <option value=role.as_str() selected=typed.role == role.as_str()>{role.to_string()}</option> }
        })
        .collect_view();
    let described = match role_error {
        Some(_) => "field-key-role-hint field-key-role-error",
        None => "field-key-role-hint",
    };
    view! {
        <form method="post" action=action novalidate class="narrow">
            {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <input type="hidden" name="intent" value="create" />
            <input type="hidden" name="request" value=request />
            <TextField label="Description" name="description" value=typed.description
                error=description_error check=|_: String| None node_ref=NodeRef::new() />
            <div class="field">
                <label for="field-key-role">"Role"</label>
                <select id="field-key-role" name="role"
                    aria-invalid=role_error.as_ref().map(|_| "true")
                    aria-describedby=described>
                    {options}
                </select>
                <p class="hint" id="field-key-role-hint">"The key can do what this role can, never more than you."</p>
                {role_error.map(|m| view! { <p class="field-error" id="field-key-role-error">{m}</p> })}
            </div>
            <div><button type="submit" class="primary">"Create API key"</button></div>
        </form>
    }
}

/// The keys that work; "Revoke" on each the actor may revoke (an Owner
/// key is an Owner's to revoke).
#[component]
fn KeyList(action: String, actor: Role, keys: Vec<ApiKeyRow>) -> impl IntoView {
    let body = if keys.is_empty() {
        view! { <p class="muted">"No API keys yet."</p> }.into_any()
    } else {
        let rows = keys
            .into_iter()
            .map(|key| {
                let revoke = (key.role != Role::Owner || actor == Role::Owner).then(|| view! {
                    <form method="post" action=action.clone() class="inline">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="key" value=key.public_id.clone() />
                        <button type="submit" class="danger" aria-label=format!("Revoke {}", key.description)>"Revoke"</button>
                    </form>
                });
                view! {
                    <tr>
                        <td>
                            <span dir="auto">{key.description.clone()}</span>
                            <br /><code class="muted">{key.key_start}</code>
                        </td>
                        <td class="nowrap" data-label="Role">{key.role.to_string()}</td>
                        <td dir="auto" data-label="Made by">{key.made_by.unwrap_or_else(|| "A deleted account".into())}</td>
                        <td class="nowrap" data-label="Created">{key.created}</td>
                        <td class="nowrap" data-label="Last used">{key.last_used.unwrap_or_else(|| "Never".into())}</td>
                        <td class="actions">{revoke}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="keys">
                    <thead>
                        <tr>
                            <th scope="col">"Description"</th><th scope="col">"Role"</th>
                            <th scope="col">"Made by"</th><th scope="col">"Created"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="keys-heading">
            <h2 id="keys-heading">"Keys"</h2>
            {body}
        </section>
    }
}
