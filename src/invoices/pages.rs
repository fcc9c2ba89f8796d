//! Billing's "Invoices": the issued invoices (number, date, due date,
//! total, status, PDF) and the estimate of the next one. Shown to the roles that
//! see payments; the others see nothing of it. The sections are not
//! labelled regions: "Invoice" is the Billing form's option, and a region
//! named "Invoices" would answer to that label too.

use super::{fetch_invoices, Estimate, InvoiceSummary, InvoicesView};
use crate::error::AppError;
use crate::page::org_param;
use leptos::prelude::*;

/// The section under Billing's own (see `billing::pages::BillingPage`).
#[component]
pub fn InvoicesSection() -> impl IntoView {
    let org = org_param();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match fetch_invoices(org.clone()).await {
                    Ok(view) => invoices(org, view).into_any(),
                    // Billing already says what the role may not do.
                    Err(AppError::Forbidden(_)) => ().into_any(),
                    Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn invoices(org: String, view: InvoicesView) -> impl IntoView {
    let list = if view.invoices.is_empty() {
        view! { <p class="muted">"No invoices yet. Each month's invoice is made on the 1st of the next."</p> }.into_any()
    } else {
        view! { <InvoiceTable org=org invoices=view.invoices /> }.into_any()
    };
    view! {
        <section class="invoices">
            <h2 id="invoices-heading">"Invoices"</h2>
            {list}
        </section>
        <EstimateSection estimate=view.estimate />
    }
}

#[component]
fn InvoiceTable(org: String, invoices: Vec<InvoiceSummary>) -> impl IntoView {
    // "Pay now" is the card page: the unpaid invoices are charged to the
    // card entered there as soon as it is added.
    let unpaid: Vec<(i64, String)> = invoices
        .iter()
        .filter_map(|i| i.unpaid_because.clone().map(|why| (i.number, why)))
        .collect();
    let pay_now = (!unpaid.is_empty()).then(|| {
        view! {
            <div class="alert" role="alert">
                {unpaid
                    .into_iter()
                    .map(|(number, why)| view! { <p>{format!("Number {number} is unpaid: the card payment failed ({why}).")}</p> })
                    .collect_view()}
                <form class="pay-now" method="post" action=format!("/organizations/{org}/billing")>
                    <input type="hidden" name="intent" value="pay" />
                    <button type="submit">"Pay now"</button>
                    <span class="hint">"Enter a card on the payment provider's page: what is unpaid is charged to it at once."</span>
                </form>
            </div>
        }
    });
    view! {
        {pay_now}
        <div class="table-wrap">
            <table class="cards">
                <thead>
                    <tr>
                        <th scope="col">"Number"</th><th scope="col">"Month"</th><th scope="col">"Date"</th>
                        <th scope="col">"Due date"</th><th scope="col" class="amount">"Total"</th><th scope="col">"Status"</th><th scope="col">"PDF"</th>
                    </tr>
                </thead>
                <tbody>
                    {invoices.into_iter().map(|i| view! {
                        <tr>
                            <td data-label="Number">{i.number}</td>
                            <td class="nowrap" data-label="Month">{i.period}</td>
                            <td class="nowrap" data-label="Date">{i.date}</td>
                            <td class="nowrap" data-label="Due date">{i.due}</td>
                            <td class="nowrap amount" data-label="Total">{i.total}</td>
                            <td data-label="Status">{i.status}</td>
                            <td data-label="PDF">
                                // Named by its text, not aria-label: a label with "invoice" in it
                                // would answer to the Billing form's "Invoice".
                                <a href=i.pdf download>"PDF"<span class="visually-hidden">{format!(" of number {}", i.number)}</span></a>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn EstimateSection(estimate: Estimate) -> impl IntoView {
    let body = if estimate.lines.is_empty() {
        view! { <p class="muted">"Nothing so far: services are billed by the hour from when they are created."</p> }.into_any()
    } else {
        let vat_label = format!("VAT {} %", estimate.vat_rate);
        view! {
            <div class="table-wrap">
                <table class="cards">
                    <thead>
                        <tr><th scope="col">"Service"</th><th scope="col">"Plan"</th><th scope="col">"Hours"</th><th scope="col" class="amount">"Amount"</th></tr>
                    </thead>
                    <tbody>
                        {estimate.lines.into_iter().map(|l| view! {
                            <tr>
                                <td data-label="Service">{l.service}</td>
                                <td class="nowrap" data-label="Plan">{l.plan}</td>
                                <td class="nowrap" data-label="Hours">{format!("{} of {}", l.hours, l.month_hours)}</td>
                                <td class="nowrap amount" data-label="Amount">{l.amount}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <dl class="totals">
                <dt>"Net"</dt><dd>{estimate.net}</dd>
                <dt>{vat_label}</dt><dd>{estimate.vat}</dd>
                <dt>"Total"</dt><dd><strong>{estimate.total}</strong></dd>
            </dl>
            {estimate.vat_note.map(|note| view! { <p class="hint">{note}</p> })}
        }
        .into_any()
    };
    view! {
        <section class="estimate">
            <h2 id="estimate-heading">{format!("Next invoice: {} (estimate)", estimate.month)}</h2>
            <p class="muted">"If every service runs to the end of the month."</p>
            {body}
        </section>
    }
}
