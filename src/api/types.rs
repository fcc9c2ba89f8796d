//! What the API answers, as types: the functions serialize these, and the
//! OpenAPI document (`/api/openapi.json`) is generated from the same ones.
//! Keys are lower case without separators; numbers the clients decode as
//! integers are integers (or `null`), yes/no fields `"yes"`/`"no"`.

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `"yes"` or `"no"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    Yes,
    No,
}

impl From<bool> for YesNo {
    fn from(yes: bool) -> Self {
        if yes {
            YesNo::Yes
        } else {
            YesNo::No
        }
    }
}

/// `status` of every answer.
#[derive(Serialize, ToSchema)]
pub struct Status {
    /// The HTTP status, also in the status line: 200 on success.
    pub code: u16,
    /// RFC 3339 with an offset: `2026-11-28T12:00:00+00:00`.
    pub timestamp: String,
    /// `OK`, or why not (a refused value as `field: why`).
    pub text: String,
    /// Seconds to wait, with 429 (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retryafter: Option<u64>,
}

/// `login` of `user/login`.
#[derive(Serialize, ToSchema)]
pub struct Login {
    pub username: String,
    /// The temporary key: the Basic password from now on (ends at
    /// `user/logout`, after 12 hours idle, after 7 days at most).
    pub apikey: String,
    pub customers: Vec<Customer>,
}

/// An organization the person reaches, in `login.customers`.
#[derive(Serialize, ToSchema)]
pub struct Customer {
    /// 7 digits.
    pub customernumber: String,
    /// The organization's name.
    pub description: String,
    /// `owner`, `admin`, `billing` or `member`.
    pub roles: Vec<String>,
}

/// `user` of `user/details`.
#[derive(Serialize, ToSchema)]
pub struct User {
    pub name: String,
    pub email: String,
}

/// An organization of `user/listorganizations` and `user/createorganization`.
#[derive(Serialize, ToSchema)]
pub struct Organization {
    /// The customer number, as an integer.
    pub id: i64,
    /// The organization's name, as the sidebar shows it.
    pub name: String,
    pub role: String,
    pub isowner: YesNo,
    pub canaccessbilling: YesNo,
    pub nationalidnumber: String,
    pub vatnumber: String,
    pub address: String,
    pub zipcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub email: String,
    /// E.164.
    pub phonenumber: String,
    /// `invoice`, `card` or `none`.
    pub paymentmethod: String,
    /// `email`, `mail`, or `null` before it is chosen.
    pub invoicedeliverymethod: Option<String>,
    /// The card in force (`paymentcard/list`'s `paymentcardid`), or `null`.
    pub paymentcard: Option<i64>,
}

/// `settings` of `customer/settings`: everything Settings and Billing show.
#[derive(Serialize, ToSchema)]
pub struct Settings {
    /// The company name of Settings.
    pub name: String,
    /// The business identification number (organisationsnummer in Sweden).
    pub nationalidnumber: String,
    /// The VAT identification number, or empty.
    pub vatnumber: String,
    pub address: String,
    pub zipcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub email: String,
    /// E.164.
    pub phonenumber: String,
    /// `invoice`, `card` or `none`.
    pub paymentmethod: String,
    /// `email`, `mail`, or `null` before it is chosen.
    pub invoicedeliverymethod: Option<String>,
    pub invoiceemail: String,
    /// The card in force, or `null`.
    pub paymentcard: Option<i64>,
    pub customernumber: String,
    /// Whether services can be created.
    pub billingready: YesNo,
    /// What billing still lacks: `companyinformation`, `paymentmethod`,
    /// `paymentcard`, `paymentcardexpired`, `invoicedeliverymethod`,
    /// `invoiceemail`.
    pub missing: Vec<String>,
}

/// The payment provider's card page, to open in a browser.
#[derive(Serialize, ToSchema)]
pub struct CardPage {
    pub url: String,
}

/// A credit card of `paymentcard/list`.
#[derive(Serialize, ToSchema)]
pub struct PaymentCard {
    pub paymentcardid: i64,
    pub brand: String,
    /// `null` for a key whose role may not see payments (Admin, Member).
    pub lastfour: Option<String>,
    /// `MM/YY`.
    pub expires: String,
    /// `valid`, `expiressoon` or `expired`.
    pub state: String,
}

/// A payment of `payment/list`.
#[derive(Serialize, ToSchema)]
pub struct Payment {
    /// RFC 3339: `2026-11-28T12:00:00+00:00`.
    pub date: String,
    pub description: String,
    /// In cents.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    pub status: String,
}

/// A collaborator of `customer/listcollaborators` and `customer/editcollaborator`.
#[derive(Serialize, ToSchema)]
pub struct Collaborator {
    pub collaboratorid: String,
    pub name: String,
    pub email: String,
    pub role: String,
}

/// A pending invitation of `customer/listcollaborators`, and the one
/// `customer/addcollaborator` sent.
#[derive(Serialize, ToSchema)]
pub struct Invitation {
    pub invitationid: String,
    pub email: String,
    pub role: String,
    /// RFC 3339: `2026-12-05T12:00:00+00:00`.
    pub expires: String,
}

/// A service of `service/list` and `service/create`.
#[derive(Serialize, ToSchema)]
pub struct Service {
    pub serviceid: String,
    pub name: String,
    /// The plan's id, such as `small`.
    pub plan: String,
    /// The data center's id, such as `sto1`.
    pub datacenter: String,
    /// In cents a month.
    pub monthlyprice: i64,
    /// ISO 4217.
    pub currency: String,
    /// RFC 3339: `2026-11-28T12:00:00+00:00`.
    pub created: String,
}

/// An issued invoice of `invoice/list`.
#[derive(Serialize, ToSchema)]
pub struct Invoice {
    /// From the one gap-free sequence of all invoices.
    pub invoicenumber: i64,
    /// The month billed, `2026-11`.
    pub period: String,
    /// `2026-12-01`.
    pub invoicedate: String,
    /// `2026-12-21`: 20 days net.
    pub duedate: String,
    /// In cents, VAT included.
    pub total: i64,
    /// ISO 4217.
    pub currency: String,
    /// `issued`, `sent`, `posted`, `paid`, `unpaid`, or `credited` (a
    /// credit note cancelled it: nothing is owed); `credit_note` for a
    /// credit note (its total negative).
    pub status: String,
    /// For a credit note, the number of the invoice it cancels; else `null`.
    pub credits: Option<i64>,
    /// The PDF, for a browser signed in to the panel.
    pub url: String,
}

/// `invoice/pdf`: an invoice's PDF in the JSON envelope.
#[derive(Serialize, ToSchema)]
pub struct InvoicePdf {
    pub invoicenumber: i64,
    /// `invoice-12.pdf`, `credit-note-13.pdf`.
    pub filename: String,
    /// `application/pdf`.
    pub contenttype: String,
    /// The file, base64 (RFC 4648, with padding).
    pub content: String,
}

/// A line of `invoice/next`: a service's hours in the month so far and to come.
#[derive(Serialize, ToSchema)]
pub struct InvoiceLine {
    pub service: String,
    /// The plan's name, such as `Small`.
    pub plan: String,
    /// Hours billed of the month's hours (`744` of `744` is the whole month).
    pub hours: i64,
    pub monthhours: i64,
    /// In cents, before VAT.
    pub amount: i64,
}

/// `invoice/next`: the current month's invoice if every service runs to its end.
#[derive(Serialize, ToSchema)]
pub struct InvoiceEstimate {
    /// `2026-12`.
    pub period: String,
    pub lines: Vec<InvoiceLine>,
    /// In cents.
    pub net: i64,
    /// In basis points: `2500` is 25 %.
    pub vatrate: i64,
    pub vat: i64,
    pub total: i64,
    /// ISO 4217.
    pub currency: String,
    /// Why there is no VAT (reverse charge, outside the EU), or `null`.
    pub vatnote: Option<String>,
}

/// A function of `api/listfunctions`.
#[derive(Serialize, ToSchema)]
pub struct FunctionDoc {
    pub doc: String,
    /// Optional ones in brackets.
    pub arguments: Vec<String>,
}

/// `modules` of `api/listfunctions`: module → function → documentation.
pub type Modules = BTreeMap<String, BTreeMap<String, FunctionDoc>>;
