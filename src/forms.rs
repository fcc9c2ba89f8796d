//! Form plumbing shared by every page: what the server hands back after a
//! refused POST, and a text field that checks itself in the browser.
//!
//! Every form is a plain HTML form that posts to its own page, so it works
//! with JavaScript off. When the server refuses it, it renders the same page
//! again with a [`Refused`] of that form's type in context.

use crate::error::AppError;
pub use crate::validate::FormField;
use leptos::prelude::*;

/// A refused submission of the form `F` (each form's posted type: what was
/// typed, never a password) and why it was refused. The server provides it
/// as context when it renders the page again; the page takes it with
/// [`use_refused`].
#[derive(Clone, Debug)]
pub struct Refused<F> {
    pub form: F,
    pub error: AppError,
}

/// This request's refused `F`, if the page is rendered after one.
pub fn use_refused<F: Clone + Send + Sync + 'static>() -> Option<Refused<F>> {
    use_context::<Refused<F>>()
}

/// The message that belongs to the form as a whole (not to one field).
pub fn form_message(error: &Option<AppError>) -> Option<String> {
    match error {
        None | Some(AppError::Invalid(_)) => None,
        Some(other) => Some(other.to_string()),
    }
}

/// The message for `field`, when the error names it.
pub fn field_error(error: &Option<AppError>, field: impl FormField) -> Option<String> {
    error
        .as_ref()
        .and_then(|e| e.field_message(field))
        .map(str::to_owned)
}

/// A checker for one field: `None` when the value is good, else why not.
pub type Check = fn(String) -> Option<String>;

/// A labelled input whose error sits beside it (`aria-invalid`,
/// `aria-describedby`). Inside an island it checks itself when it loses
/// focus (after the click that took focus away, if any), and again as it
/// is corrected.
#[component]
pub fn TextField(
    label: &'static str,
    /// The field's `name` ([`FormField::name`]).
    name: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] value: String,
    error: RwSignal<Option<String>>,
    /// Runs in the browser on blur and as a shown error is corrected.
    #[prop(into)]
    check: Callback<String, Option<String>>,
    node_ref: NodeRef<leptos::html::Input>,
    /// The input's id, when a page holds two fields of one name (else
    /// `field-{name}`).
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    // A press elsewhere (a plan's box below, a link) must not see its target
    // move under the pointer: a message shown on blur during the press waits
    // until the press's click has landed.
    let pressed = StoredValue::new(false);
    let waiting = StoredValue::new(None::<String>);
    let press = window_event_listener(leptos::ev::mousedown, move |_| pressed.set_value(true));
    let release = window_event_listener(leptos::ev::mouseup, move |_| {
        pressed.set_value(false);
        if let Some(value) = waiting.try_update_value(Option::take).flatten() {
            set_timeout(
                move || error.set(check.run(value)),
                std::time::Duration::ZERO,
            );
        }
    });
    on_cleanup(move || {
        press.remove();
        release.remove();
    });
    let id = id.map_or_else(|| format!("field-{name}"), str::to_owned);
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().map(|_| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                value=value
                node_ref=node_ref
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described_by
                on:blur=move |ev| {
                    if leaving_for_submit(&ev) {
                    } else if pressed.get_value() {
                        waiting.set_value(Some(event_target_value(&ev)));
                    } else {
                        error.set(check.run(event_target_value(&ev)));
                    }
                }
                on:input=move |ev| {
                    if error.get_untracked().is_some() {
                        error.set(check.run(event_target_value(&ev)));
                    }
                }
            />
            {move || {
                error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })
            }}
        </div>
    }
}

/// Focus is moving to a submit button. The submit check runs then; a
/// message shown now would push the button from under the pointer and the
/// click would be lost.
fn leaving_for_submit(ev: &leptos::ev::FocusEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    ev.related_target()
        .and_then(|target| target.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|element| element.get_attribute("type").as_deref() == Some("submit"))
}
