//! The overview: the page an organization opens on, telling its state at a
//! glance (company, method of payment, services, getting started,
//! collaborators). It composes several features, so it sits above them all.

use crate::billing::{BillingView, CardView, InvoiceDelivery, PaymentMethod};
use crate::collaborators::PendingInvitation;
use crate::error::AppError;
use crate::organizations::pages::CollaboratorTable;
use crate::organizations::{Collaborator, Membership};
use crate::page::{load, org_param, query_flag};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub access: Membership,
    /// The first [`OVERVIEW_COLLABORATORS`], of `collaborators_total`.
    pub collaborators: Vec<Collaborator>,
    pub collaborators_total: i64,
    /// For those who manage collaborators: the first
    /// [`OVERVIEW_COLLABORATORS`] pending invitations, of `pending_total`.
    pub pending: Option<Vec<PendingInvitation>>,
    pub pending_total: i64,
    /// The company's name and business identification number, once saved.
    pub company: Option<(String, String)>,
    pub payment: PaymentSummary,
    /// Services created and not deleted.
    pub services: i64,
    pub checklist: Checklist,
    /// For those who see payments: "Invoice 3 (1.88 EUR) is unpaid".
    pub unpaid: Option<String>,
}

/// How many collaborators (and pending invitations) the overview lists;
/// the rest are on Collaborators.
pub const OVERVIEW_COLLABORATORS: i64 = 10;

/// "Getting started": each item from the real state of the organization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub company_information: bool,
    pub payment_method: bool,
    pub service_created: bool,
}

impl Checklist {
    pub fn all_done(self) -> bool {
        self.company_information && self.payment_method && self.service_created
    }
}

/// The method of payment in one line, and the card's expiry warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSummary {
    /// "Invoice by email to invoices@example.se", "Card ending in 4242,
    /// expires 12/30", "No method of payment yet".
    pub line: String,
    /// "Your credit card has expired" or "… expires at the end of 12/30".
    pub warning: Option<String>,
    /// The card in use has expired: services stop, an alert, not a note.
    pub expired: bool,
}

impl PaymentSummary {
    /// The line for `view`. Only a role that may see payments (`details`:
    /// Owner, Billing) is shown the card's digits and the invoice address.
    pub fn of(view: &BillingView, details: bool) -> Self {
        let card = view
            .card
            .as_ref()
            .filter(|_| view.method == Some(PaymentMethod::Card));
        let line = match (view.method, view.delivery, card) {
            (None, _, _) => "No method of payment yet".to_owned(),
            (
                Some(PaymentMethod::Card),
                _,
                Some(CardView {
                    last4: Some(last4),
                    expires,
                    ..
                }),
            ) if details => format!("Card ending in {last4}, expires {expires}"),
            (Some(PaymentMethod::Card), _, _) => "Credit card".to_owned(),
            (Some(PaymentMethod::Invoice), Some(InvoiceDelivery::Email), _) if details => {
                format!("Invoice by email to {}", view.invoice_email)
            }
            (Some(PaymentMethod::Invoice), Some(InvoiceDelivery::Email), _) => {
                "Invoice by email".to_owned()
            }
            (Some(PaymentMethod::Invoice), Some(InvoiceDelivery::SnailMail), _) => {
                "Invoice by snail mail to the company address".to_owned()
            }
            (Some(PaymentMethod::Invoice), None, _) => {
                "Invoice, delivery not chosen yet".to_owned()
            }
        };
        // Everyone is told: services stop, whoever notices first.
        let warning = card.and_then(|card| {
            if card.expired {
                Some("Your credit card has expired".to_owned())
            } else if card.expires_soon {
                Some(format!(
                    "Your credit card expires at the end of {}",
                    card.expires
                ))
            } else {
                None
            }
        });
        Self {
            line,
            warning,
            expired: card.is_some_and(|card| card.expired),
        }
    }
}

/// The overview of `org`, each part as the role may see it.
#[server(prefix = "/rpc")]
pub async fn fetch_overview(org: String) -> Result<Overview, AppError> {
    use crate::organizations::{collaborators, gate, Action};
    let (state, _, access) = gate::access(&org, Action::View).await?;
    let now = state.clock.now();
    let window = crate::page::Window::page(1, OVERVIEW_COLLABORATORS);
    let (collaborators, collaborators_total) = collaborators(&state.db, access.id, window).await?;
    let (pending, pending_total) = if access.may(Action::ManageCollaborators) {
        let (pending, total) =
            crate::collaborators::pending_for(&state.db, access.id, now, window).await?;
        (Some(pending), total)
    } else {
        (None, 0)
    };
    // Billing reads the company information anyway (the address invoices go to).
    let billing = crate::billing::summary_for(&state.db, access.clone(), now).await?;
    let company = billing.company.clone();
    let services = crate::services::running_for(&state.db, access.id).await?;
    let company_missing = billing
        .missing
        .contains(&crate::billing::Missing::CompanyInformation);
    let checklist = Checklist {
        company_information: !company_missing,
        // Everything but the company information is the payment method's part.
        payment_method: billing.missing.len() == usize::from(company_missing),
        service_created: services > 0,
    };
    let unpaid = if access.may(Action::ManageBilling) {
        crate::invoices::operations::unpaid(&state, access.id)
            .await?
            .map(|(number, cents, count)| match count {
                1 => format!(
                    "Invoice {number} ({}) is unpaid",
                    crate::money::Money::eur(cents)
                ),
                n => format!("{n} invoices are unpaid, the oldest number {number}"),
            })
    } else {
        None
    };
    Ok(Overview {
        unpaid,
        payment: PaymentSummary::of(&billing, access.may(Action::ManageBilling)),
        access: access.membership(),
        collaborators,
        collaborators_total,
        pending,
        pending_total,
        company,
        services,
        checklist,
    })
}

#[component]
fn GettingStarted(org: String, checklist: Checklist) -> impl IntoView {
    let items = [
        (
            "Company information",
            "settings",
            checklist.company_information,
        ),
        ("Payment method", "billing", checklist.payment_method),
        ("Create a service", "services", checklist.service_created),
    ];
    view! {
        <ol class="checklist">
            {items
                .into_iter()
                .map(|(label, page, done)| {
                    view! {
                        <li class:done=done>
                            <span class="check" aria-hidden="true">{if done { "✓" } else { "" }}</span>
                            <a href=format!("/organizations/{org}/{page}")>{label}</a>
                            <span class="state">{if done { "Done" } else { "Not done" }}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// Company, method of payment and services, each with the way to its page.
#[component]
fn AtAGlance(data: Overview) -> impl IntoView {
    let base = format!("/organizations/{}", data.access.org.public_id);
    let company = match data.company {
        Some((name, business_id)) => view! {
            <bdi>{name}</bdi>", "<span class="nowrap">{business_id}</span>
        }
        .into_any(),
        None => view! { <span class="muted">"Not filled in yet"</span> }.into_any(),
    };
    let services = match data.services {
        0 => "None yet".to_owned(),
        1 => "1 running".to_owned(),
        n => format!("{n} running"),
    };
    let expired = data.payment.expired;
    let warning = data.payment.warning.map(|warning| {
        if expired {
            view! { <p class="alert" role="alert">{warning}</p> }.into_any()
        } else {
            view! { <p class="warning">{warning}</p> }.into_any()
        }
    });
    view! {
        <dl class="facts glance">
            <dt>"Company"</dt>
            <dd>{company}" " <a href=format!("{base}/settings")>"Open Settings"</a></dd>
            <dt>"Method of payment"</dt>
            <dd>
                {data.payment.line}" " <a href=format!("{base}/billing")>"Open Billing"</a>{warning}
                {data.unpaid.map(|unpaid| view! { <p class="alert" role="alert">{unpaid}": pay it on Billing."</p> })}
            </dd>
            <dt>"Services"</dt>
            <dd>{services}" " <a href=format!("{base}/services")>"Open Services"</a></dd>
        </dl>
    }
}

#[component]
fn PendingList(org: String, pending: Vec<PendingInvitation>, total: i64) -> impl IntoView {
    let listed = i64::try_from(pending.len()).unwrap_or(i64::MAX);
    let more = (total > listed).then(|| {
        view! { <p><a href=format!("/organizations/{org}/collaborators")>{format!("All {total} pending invitations")}</a></p> }
    });
    view! {
        <h3 id="pending-invitations">"Pending invitations"</h3>
        <ul class="pending" aria-labelledby="pending-invitations">
            {pending
                .into_iter()
                .map(|p| view! {
                    <li><span class="email">{p.email}</span>", " {p.role.to_string()}
                        <span class="muted">{format!(", until {}", p.expires)}</span></li>
                })
                .collect_view()}
        </ul>
        {more}
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let org = org_param();
    let joined = query_flag("joined");
    load(fetch_overview(org), move |data| {
        let name = data.access.org.name.clone();
        let org = data.access.org.public_id.clone();
        let welcome = format!("You joined {name} as {}.", data.access.role);
        let listed = i64::try_from(data.collaborators.len()).unwrap_or(i64::MAX);
        let all = (data.collaborators_total > listed).then(|| {
            let href = format!("/organizations/{org}/collaborators");
            view! { <p><a href=href>{format!("All {} collaborators", data.collaborators_total)}</a></p> }
        });
        let pending = data.pending.clone().filter(|p| !p.is_empty()).map(
            |pending| view! { <PendingList org=org.clone() pending total=data.pending_total /> },
        );
        let checklist = view! { <GettingStarted org=org.clone() checklist=data.checklist /> };
        // Shown until everything is done, then folded away.
        let getting_started = if data.checklist.all_done() {
            view! {
                <details class="getting-started">
                    <summary>"Getting started: all done"</summary>
                    {checklist}
                </details>
            }
            .into_any()
        } else {
            view! {
                <section aria-labelledby="getting-started">
                    <h2 id="getting-started">"Getting started"</h2>
                    {checklist}
                </section>
            }
            .into_any()
        };
        let collaborators = data.collaborators.clone();
        view! {
            <Title text=name.clone() />
            <main id="main">
                {joined.then(|| view! { <p class="status" role="status" dir="auto">{welcome}</p> })}
                <h1 dir="auto">{name}</h1>
                <p class="muted">"Customer number " <strong class="customer-number">{data.access.org.customer_number.clone()}</strong></p>
                <AtAGlance data=data.clone() />
                {getting_started}
                <section aria-labelledby="collaborators">
                    <h2 id="collaborators">"Collaborators"</h2>
                    <CollaboratorTable collaborators />
                    {all}
                    {pending}
                </section>
            </main>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organizations::{OrgSummary, Role};

    fn billing(method: Option<PaymentMethod>, card: Option<CardView>) -> BillingView {
        BillingView {
            access: Membership {
                org: OrgSummary {
                    public_id: "o".into(),
                    customer_number: "1234567".into(),
                    name: "Example AB".into(),
                },
                role: Role::Owner,
            },
            method,
            delivery: Some(InvoiceDelivery::Email),
            invoice_email: "invoices@example.se".into(),
            postal_address: None,
            company: None,
            card,
            payments: None,
            missing: vec![],
        }
    }

    fn card(expired: bool, expires_soon: bool) -> CardView {
        CardView {
            number: 1,
            brand: "Visa".into(),
            last4: Some("4242".into()),
            expires: "12/30".into(),
            expired,
            expires_soon,
            kept_invoice: false,
        }
    }

    #[test]
    fn the_card_and_the_invoice_address_are_shown_only_to_those_who_see_payments() {
        let by_card = billing(Some(PaymentMethod::Card), Some(card(false, false)));
        assert_eq!(
            PaymentSummary::of(&by_card, true).line,
            "Card ending in 4242, expires 12/30"
        );
        assert_eq!(PaymentSummary::of(&by_card, false).line, "Credit card");
        let by_invoice = billing(Some(PaymentMethod::Invoice), Some(card(false, false)));
        assert_eq!(
            PaymentSummary::of(&by_invoice, true).line,
            "Invoice by email to invoices@example.se"
        );
        assert_eq!(
            PaymentSummary::of(&by_invoice, false).line,
            "Invoice by email"
        );
        assert_eq!(
            PaymentSummary::of(&billing(None, None), true).line,
            "No method of payment yet"
        );
    }

    #[test]
    fn an_expired_or_expiring_card_in_use_is_warned_of_to_everyone() {
        let expired = billing(Some(PaymentMethod::Card), Some(card(true, false)));
        for details in [true, false] {
            assert_eq!(
                PaymentSummary::of(&expired, details).warning.as_deref(),
                Some("Your credit card has expired")
            );
        }
        let soon = billing(Some(PaymentMethod::Card), Some(card(false, true)));
        assert_eq!(
            PaymentSummary::of(&soon, false).warning.as_deref(),
            Some("Your credit card expires at the end of 12/30")
        );
        // A card kept on file while invoices pay stops nothing.
        let kept = billing(Some(PaymentMethod::Invoice), Some(card(true, false)));
        assert_eq!(PaymentSummary::of(&kept, true).warning, None);
    }
}
