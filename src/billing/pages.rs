//! The Billing page: the method of payment, then how invoices are
//! delivered. Owner and Billing change them; the others see them.

use super::{
    fetch_billing, fetch_card_setup, fetch_card_setup_by_id, parse_invoice_email, BillingField,
    BillingView, CardSetupResult, CardView, DeliveryChoice, InvoiceDelivery, MethodChoice, Missing,
    PaymentMethod, PaymentRow,
};
use crate::error::{AppError, NOT_READY};
use crate::forms::{field_error, form_message, use_refused, Refused, TextField};
use crate::organizations::Action;
use crate::page::{load, org_param};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// What keeps services from being created, each item a link to where it is
/// fixed; nothing when billing is ready. Shared with the Services page.
#[component]
pub fn NotReadyNotice(
    org: String,
    missing: Vec<Missing>,
    /// After a refused create the notice is the answer: announce it.
    #[prop(optional)]
    refused: bool,
) -> impl IntoView {
    (!missing.is_empty()).then(|| {
        view! {
            <div class="notice" role=refused.then_some("alert")>
                <p>{NOT_READY}</p>
                <ul>
                    {missing
                        .into_iter()
                        .map(|m| view! { <li><a href=m.href(&org)>{m.label()}</a></li> })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

#[component]
pub fn BillingPage(
    /// Sections of features above billing (the invoices), after its own.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let org = org_param();
    let (saved, choose) =
        use_query_map().with_untracked(|q| (q.get("saved"), q.get("choose").is_some()));
    let method = use_refused::<MethodChoice>();
    let delivery = use_refused::<DeliveryChoice>();
    load(fetch_billing(org), move |view| {
        billing_page(view, saved, choose, method, delivery, children)
    })
}

fn billing_page(
    view: BillingView,
    saved: Option<String>,
    choose: bool,
    method_refused: Option<Refused<MethodChoice>>,
    delivery_refused: Option<Refused<DeliveryChoice>>,
    more: Option<Children>,
) -> impl IntoView {
    let org = view.access.org.public_id.clone();
    let action = format!("/organizations/{org}/billing");
    let manage = view.access.may(Action::ManageBilling);
    let saved_message = match saved.as_deref() {
        Some("method") => Some("Method of payment saved"),
        Some("delivery") => Some("Invoice delivery saved"),
        _ => None,
    };
    // The method form is open until a method is chosen, when asked to
    // reopen it, and when it was just refused.
    let open_choice = manage && (view.method.is_none() || choose || method_refused.is_some());
    let method_error = method_refused.as_ref().map(|r| r.error.clone());
    let delivery_error = delivery_refused.as_ref().map(|r| r.error.clone());
    let checked_method = method_refused
        .as_ref()
        .and_then(|r| PaymentMethod::parse(&r.form.method))
        .or(view.method);
    let method_section = if open_choice {
        view! {
            <MethodForm action=action.clone() checked=checked_method error=method_error
                card_on_file=view.card.clone().filter(|c| !c.expired && view.method != Some(PaymentMethod::Card))
                cancel=(view.method.is_some()).then(|| action.clone()) />
        }
        .into_any()
    } else {
        let current = view.method.map_or("None chosen yet", PaymentMethod::label);
        let card = view.card.clone().map(|card| {
            let in_use = view.method == Some(PaymentMethod::Card);
            view! { <CardOnFile card in_use /> }
        });
        view! {
            <section aria-labelledby="method-heading" class="panel">
                <h2 id="method-heading">"Method of payment"</h2>
                <p class="current">{current}</p>
                {card}
                {manage.then(|| view! {
                    <form method="get" action=action.clone() class="inline">
                        <input type="hidden" name="choose" value="1" />
                        <button type="submit">"Select payment method"</button>
                    </form>
                })}
            </section>
        }
        .into_any()
    };
    let delivery_section = (view.method == Some(PaymentMethod::Invoice)).then(|| {
        if manage {
            let delivery = delivery_refused
                .as_ref()
                .map(|r| r.form.delivery.clone())
                .or(view.delivery.map(|d| d.as_str().to_owned()));
            let invoice_email = delivery_refused
                .as_ref()
                .map_or_else(|| view.invoice_email.clone(), |r| r.form.invoice_email.clone());
            view! {
                <DeliveryForm action=action.clone() settings=format!("/organizations/{org}/settings")
                    delivery=delivery invoice_email=invoice_email postal_address=view.postal_address.clone()
                    error=delivery_error />
            }
            .into_any()
        } else {
            let how = match view.delivery {
                Some(InvoiceDelivery::Email) if view.invoice_email.is_empty() => "Email".to_owned(),
                Some(InvoiceDelivery::Email) => format!("Email, to {}", view.invoice_email),
                Some(InvoiceDelivery::SnailMail) => "Snail mail, to the company address".to_owned(),
                None => "Not chosen yet".to_owned(),
            };
            view! {
                <section aria-labelledby="delivery-heading" class="panel">
                    <h2 id="delivery-heading">"Invoice delivery"</h2>
                    <p class="current">{how}</p>
                </section>
            }
            .into_any()
        }
    });
    let name = view.access.org.name.clone();
    // A refusal that the form it came from cannot show, because the page
    // does not offer that form (a role without the right, a stale page).
    let page_error = match (&method_refused, &delivery_refused) {
        (Some(r), _) if !open_choice => Some(r.error.to_string()),
        (_, Some(r)) if !(manage && view.method == Some(PaymentMethod::Invoice)) => {
            Some(r.error.to_string())
        }
        _ => None,
    };
    view! {
        <Title text=format!("Billing · {name}") />
        <main id="main" class="billing">
            <h1>"Billing"</h1>
            {saved_message.map(|m| view! { <p class="status" role="status">{m}</p> })}
            {page_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            {if view.missing.is_empty() {
                view! { <p class="ready">"Billing is ready: services can be created."</p> }.into_any()
            } else {
                view! { <NotReadyNotice org=org.clone() missing=view.missing.clone() /> }.into_any()
            }}
            {method_section}
            {delivery_section}
            {view.payments.filter(|p| !p.is_empty()).map(|payments| view! { <Payments payments /> })}
            {more.map(|more| more())}
            {(!manage).then(|| view! {
                <p class="muted">"Your role does not allow changing billing. An Owner or a Billing collaborator of the organization can."</p>
            })}
        </main>
    }
}

/// "Credit card" or "Invoice". The button says what happens next: "Save"
/// for invoice, "Continue" (to the card page) for a card. CSS swaps the
/// buttons, so it works without JavaScript.
#[component]
fn MethodForm(
    action: String,
    checked: Option<PaymentMethod>,
    error: Option<AppError>,
    /// A valid card kept on file while paying by invoice: Continue uses it again.
    card_on_file: Option<CardView>,
    cancel: Option<String>,
) -> impl IntoView {
    let card_hint = match &card_on_file {
        Some(CardView {
            last4: Some(last4), ..
        }) => format!(
            "Paid automatically each month with the card ending in {last4} that is on file."
        ),
        // The method form is only for those who see the digits.
        _ => "Paid automatically each month. The card is verified with a 1.00 EUR charge that is refunded.".to_owned(),
    };
    let method_error = field_error(&error, BillingField::Method);
    let whole_error = form_message(&error);
    let options = [
        (PaymentMethod::Card, card_hint),
        (
            PaymentMethod::Invoice,
            "An invoice each month, by email or by post, due 20 days after its date.".to_owned(),
        ),
    ];
    view! {
        <form method="post" action=action class="panel method-form" aria-labelledby="method-legend">
            {whole_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <input type="hidden" name="intent" value="method" />
            <fieldset aria-describedby=method_error.as_ref().map(|_| "method-error")>
                <legend id="method-legend"><h2>"Method of payment"</h2></legend>
                {method_error.clone().map(|m| view! { <p class="field-error" id="method-error">{m}</p> })}
                {options
                    .into_iter()
                    .map(|(method, hint)| {
                        let id = format!("method-{}", method.as_str());
                        let hint_id = format!("{id}-hint");
                        view! {
                            <div class="option">
                                <input type="radio" name="method" id=id.clone() value=method.as_str()
                                    checked=checked == Some(method) aria-describedby=hint_id.clone() />
                                <label for=id>{method.label()}</label>
                                <p class="hint" id=hint_id>{hint}</p>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="buttons">
                <button type="submit" class="primary when-invoice">"Save"</button>
                <button type="submit" class="primary when-card">"Continue"</button>
                {cancel.map(|href| view! { <a href=href>"Cancel"</a> })}
            </div>
        </form>
    }
}

/// "Email" (to the invoice email, checked as it is typed) or "Snail mail"
/// (to the company address, shown).
#[cfg_attr(
    any(feature = "ssr", not(feature = "bundle"), feature = "bundle-billing"),
    island
)]
#[cfg_attr(
    not(any(feature = "ssr", not(feature = "bundle"), feature = "bundle-billing")),
    component
)]
fn DeliveryForm(
    action: String,
    settings: String,
    delivery: Option<String>,
    invoice_email: String,
    postal_address: Option<Vec<String>>,
    error: Option<AppError>,
) -> impl IntoView {
    crate::page::with_islands(crate::page::Bundle::Billing);
    let delivery_error = RwSignal::new(field_error(&error, BillingField::Delivery));
    let email_error = RwSignal::new(field_error(&error, BillingField::InvoiceEmail));
    let whole_error = form_message(&error);
    let email_ref = NodeRef::<leptos::html::Input>::new();
    let by_email_ref = NodeRef::<leptos::html::Input>::new();
    let by_mail_ref = NodeRef::<leptos::html::Input>::new();
    let check_email = |value: String| parse_invoice_email(&value).err();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let checked =
            |r: NodeRef<leptos::html::Input>| r.get_untracked().is_some_and(|el| el.checked());
        if !checked(by_email_ref) && !checked(by_mail_ref) {
            ev.prevent_default();
            delivery_error.set(Some("Choose how invoices are delivered.".into()));
            return;
        }
        delivery_error.set(None);
        if checked(by_email_ref) {
            if let Some(input) = email_ref.get_untracked() {
                let problem = check_email(input.value());
                if problem.is_some() {
                    ev.prevent_default();
                    let _ = input.focus();
                }
                email_error.set(problem);
            }
        }
    };
    let address = match postal_address {
        Some(lines) => view! {
            <p>"Invoices are posted to the company address:"</p>
            <address>{lines.into_iter().map(|line| view! { <bdi>{line}</bdi><br /> }).collect_view()}</address>
        }
        .into_any(),
        None => view! {
            <p>"Invoices by post go to the company address. "
                <a href=settings>"Fill in the company information first."</a></p>
        }
        .into_any(),
    };
    view! {
        <form method="post" action=action novalidate class="panel delivery-form" aria-labelledby="delivery-legend" on:submit=on_submit>
            {whole_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <input type="hidden" name="intent" value="delivery" />
            <fieldset aria-describedby=move || delivery_error.get().map(|_| "delivery-error")>
                <legend id="delivery-legend"><h2>"Invoice delivery"</h2></legend>
                {move || delivery_error.get().map(|m| view! { <p class="field-error" id="delivery-error">{m}</p> })}
                {InvoiceDelivery::ALL
                    .into_iter()
                    .zip([by_email_ref, by_mail_ref])
                    .map(|(option, node_ref)| {
                        let id = format!("delivery-{}", option.as_str());
                        view! {
                            <div class="option">
                                <input type="radio" name="delivery" id=id.clone() value=option.as_str() node_ref=node_ref
                                    checked=delivery.as_deref() == Some(option.as_str())
                                    on:change=move |_| delivery_error.set(None) />
                                <label for=id>{option.label()}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="when-email">
                <TextField label="Invoice email" name="invoice_email" input_type="email" autocomplete="email"
                    value=invoice_email error=email_error check=check_email node_ref=email_ref />
            </div>
            <div class="when-mail postal">{address}</div>
            <div><button type="submit" class="primary">"Save"</button></div>
        </form>
    }
}

/// "Card ending in 4242", "Expires 12/30", and what to do when it has
/// expired or soon will.
#[component]
fn CardOnFile(card: CardView, in_use: bool) -> impl IntoView {
    let warning = if card.expired && in_use {
        Some(
            view! {
                <div class="alert" role="alert">
                    <strong>"Your credit card has expired"</strong>
                    <p>"Services cannot be created until a new card is added: select payment method and continue with a new card."</p>
                </div>
            }
            .into_any(),
        )
    } else if card.expires_soon && in_use {
        Some(
            view! {
                <p class="warning">{format!(
                    "Your credit card expires at the end of {}. Select payment method to add a new card before then.",
                    card.expires
                )}</p>
            }
            .into_any(),
        )
    } else {
        None
    };
    view! {
        {warning}
        <CardLine card=card.clone() />
        {(!in_use && card.kept_invoice).then(|| view! { <p class="warning">"This card was added after Invoice was chosen, so Invoice stayed the method of payment."</p> })}
        {(!in_use).then(|| view! { <p class="muted">"Kept on file: choosing Credit card again uses it without a new verification."</p> })}
    }
}

#[component]
fn CardLine(card: CardView) -> impl IntoView {
    view! {
        <p class="card-on-file">
            <span class="brand">{card.brand}</span>
            <span>{card.last4.map_or_else(|| "Credit card".to_owned(), |last4| format!("Card ending in {last4}"))}</span>
            <span class="muted">{format!("Expires {}", card.expires)}</span>
        </p>
    }
}

/// The "Payments" table: the verification charge, then its refund.
#[component]
fn Payments(payments: Vec<PaymentRow>) -> impl IntoView {
    view! {
        <section aria-labelledby="payments-heading">
            <h2 id="payments-heading">"Payments"</h2>
            <div class="table-wrap">
                <table aria-labelledby="payments-heading" class="cards">
                    <thead>
                        <tr><th scope="col">"Date"</th><th scope="col">"Description"</th><th scope="col">"Amount"</th><th scope="col">"Status"</th></tr>
                    </thead>
                    <tbody>
                        {payments
                            .into_iter()
                            .map(|p| view! {
                                <tr>
                                    <td class="nowrap" data-label="Date">{p.date}</td>
                                    <td data-label="Description">{p.description}</td>
                                    <td class="nowrap" data-label="Amount">{p.amount.to_string()}</td>
                                    <td data-label="Status">{p.status}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// `/card-setups/{setup}`: where the provider sends back a browser that
/// added a card through a card page the API handed out.
#[component]
pub fn CardSetupDonePage() -> impl IntoView {
    let setup = use_params_map().with_untracked(|p| p.get("setup").unwrap_or_default());
    load(fetch_card_setup_by_id(setup), |(organization, result)| {
        let (title, body) = match result {
            CardSetupResult::Added { card, .. } => (
                "Credit card added",
                view! {
                    <p class="status" role="status">"The credit card has been added to " <bdi>{organization}</bdi> ". The 1.00 EUR verification charge is refunded automatically."</p>
                    <CardLine card />
                    <p>"You can close this page: the API and the panel show the card now."</p>
                }
                .into_any(),
            ),
            CardSetupResult::Failed(reason) => (
                "Credit card not added",
                view! {
                    <p class="alert" role="alert">{reason.message()}</p>
                    <p>"Nothing was charged. Ask the API for a new card page (paymentcard/add) to try another card."</p>
                }
                .into_any(),
            ),
            CardSetupResult::Unfinished { card_page } => (
                "Credit card not added yet",
                view! {
                    <p>"The card was not accepted on the card page yet, so nothing has changed."</p>
                    <p><a class="button primary" href=card_page>"Return to the card page"</a></p>
                }
                .into_any(),
            ),
        };
        view! {
            <Title text=title />
            <main id="main" class="auth card-result">
                <h1>{title}</h1>
                {body}
            </main>
        }
    })
}

/// Where the provider sends the browser back: the outcome, as recorded.
#[component]
pub fn CardResultPage() -> impl IntoView {
    let org = org_param();
    let setup = use_query_map().with_untracked(|q| q.get("setup").unwrap_or_default());
    load(fetch_card_setup(org, setup), |(access, result)| {
        let billing = format!("/organizations/{}/billing", access.org.public_id);
        let back = view! { <p><a href=billing.clone()>"Back to Billing"</a></p> };
        let body = match result {
            CardSetupResult::Added { card, replaced } if card.kept_invoice => view! {
                <Title text="Credit card added" />
                <h1>"Credit card added"</h1>
                <p class="status" role="status">"Your credit card has been added, but Invoice stays the method of payment: it was chosen while the card was being added."</p>
                <CardLine card />
                <p>{if replaced { "It replaces the previous card on file. " } else { "" }}
                    "To pay by card, choose Credit card on Billing: no new verification is needed. The 1.00 EUR verification charge is refunded automatically."</p>
                {back}
            }
            .into_any(),
            CardSetupResult::Added { card, replaced } => view! {
                <Title text="Credit card added" />
                <h1>"Credit card added"</h1>
                <p class="status" role="status">"Your credit card has been added. Future invoices are paid automatically by card."</p>
                <CardLine card />
                <p>{if replaced { "It replaces the previous card. " } else { "" }}
                    "The 1.00 EUR verification charge is refunded automatically."</p>
                {back}
            }
            .into_any(),
            CardSetupResult::Failed(reason) => view! {
                <Title text="Credit card not added" />
                <h1>"Credit card not added"</h1>
                <p class="alert" role="alert">{reason.message()}</p>
                <p>"Nothing was charged, and your method of payment has not changed."</p>
                <form method="post" action=billing.clone() class="inline">
                    <input type="hidden" name="intent" value="method" />
                    <input type="hidden" name="method" value="card" />
                    <button type="submit" class="primary">"Try another card"</button>
                </form>
                {back}
            }
            .into_any(),
            CardSetupResult::Unfinished { card_page } => view! {
                <Title text="Credit card not added yet" />
                <h1>"Credit card not added yet"</h1>
                <p>"The card was not accepted on the card page yet, so nothing has changed."</p>
                <p><a class="button primary" href=card_page>"Return to the card page"</a></p>
                {back}
            }
            .into_any(),
        };
        view! { <main id="main" class="card-result">{body}</main> }
    })
}
