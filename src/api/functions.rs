//! The functions of the API (DESIGN.md's table), each calling the same
//! operation as the page that does the same thing.

use super::types::{
    CardPage, Collaborator, Customer, FunctionDoc, Invitation, Invoice, InvoiceEstimate,
    InvoiceLine, InvoicePdf, Login, Modules, Organization, Payment, PaymentCard, Service, Settings,
    User,
};
use super::{Call, Payload};
use crate::billing::BillingField;
use crate::billing::{operations as billing, BillingView, InvoiceDelivery, Missing, PaymentMethod};
use crate::clock::format_rfc3339;
use crate::company::{operations as company, CompanyField, CompanyForm};
use crate::error::{AppError, AppResult};
use crate::ids::token_hash;
use crate::organizations::{gate, Action, OrgAccess, Principal, Role};
use crate::validate::{FieldError, FormField};
use std::future::Future;
use std::pin::Pin;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::ToSchema;

/// What a function returns: its payload, or why not.
pub type Answer<'a> = Pin<Box<dyn Future<Output = AppResult<Payload>> + Send + 'a>>;

/// One function of the API.
pub struct Function {
    /// `module/function`.
    pub path: &'static str,
    /// One line of documentation.
    pub doc: &'static str,
    /// Its arguments, optional ones in brackets.
    pub arguments: &'static [&'static str],
    /// The keys of its payload and the schema of each (for OpenAPI).
    pub answer: fn() -> Vec<(&'static str, RefOr<Schema>)>,
    pub run: for<'a> fn(Call<'a>) -> Answer<'a>,
}

/// A payload key holding one `T`.
fn one<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// A payload key holding a list of `T`.
fn list<T: ToSchema>() -> RefOr<Schema> {
    RefOr::T(Schema::Array(ArrayBuilder::new().items(one::<T>()).build()))
}

/// Every function, in the order `api/listfunctions` gives them.
pub const FUNCTIONS: &[Function] = &[
    Function {
        path: "user/login",
        doc: "Logs in with an email and password (no Basic credentials) and answers a temporary key, with the organizations it reaches. With two-factor log-in on, otp is the authenticator app's current code (or a recovery code); without it the answer is 401.",
        arguments: &["username", "password", "otp"],
        answer: || vec![("login", one::<Login>())],
        run: |call| Box::pin(login(call)),
    },
    Function {
        path: "user/logout",
        doc: "Ends the temporary key the call is made with.",
        arguments: &[],
        answer: Vec::new,
        run: |call| Box::pin(logout(call)),
    },
    Function {
        path: "user/details",
        doc: "The person the temporary key belongs to.",
        arguments: &[],
        answer: || vec![("user", one::<User>())],
        run: |call| Box::pin(std::future::ready(details(&call))),
    },
    Function {
        path: "user/listorganizations",
        doc: "Every organization of the person, with its company information and billing.",
        arguments: &[],
        answer: || vec![("organizations", list::<Organization>())],
        run: |call| Box::pin(list_organizations(call)),
    },
    Function {
        path: "user/createorganization",
        doc: "Creates an organization with the person as its Owner.",
        arguments: &["name"],
        answer: || vec![("organization", one::<Organization>())],
        run: |call| Box::pin(create_organization(call)),
    },
    Function {
        path: "customer/settings",
        doc: "Reads the company information and billing; with arguments, changes those fields all or nothing. paymentmethod=card answers the card page's address.",
        arguments: &[
            "[name]", "[nationalidnumber]", "[vatnumber]", "[address]", "[zipcode]", "[city]",
            "[country]", "[email]", "[phonenumber]", "[paymentmethod]",
            "[invoicedeliverymethod]", "[invoiceemail]",
        ],
        answer: || vec![("settings", one::<Settings>()), ("paymentcard", one::<CardPage>())],
        run: |call| Box::pin(settings(call)),
    },
    Function {
        path: "customer/listcollaborators",
        doc: "The collaborators, and the pending invitations for those who manage them.",
        arguments: &[],
        answer: || vec![("collaborators", list::<Collaborator>()), ("invitations", list::<Invitation>())],
        run: |call| Box::pin(list_collaborators(call)),
    },
    Function {
        path: "customer/addcollaborator",
        doc: "Invites a collaborator by email (the invitation is emailed).",
        arguments: &["email", "role"],
        answer: || vec![("invitation", one::<Invitation>())],
        run: |call| Box::pin(add_collaborator(call)),
    },
    Function {
        path: "customer/editcollaborator",
        doc: "Changes a collaborator's role.",
        arguments: &["collaboratorid", "role"],
        answer: || vec![("collaborator", one::<Collaborator>())],
        run: |call| Box::pin(edit_collaborator(call)),
    },
    Function {
        path: "customer/removecollaborator",
        doc: "Removes a collaborator from the organization.",
        arguments: &["collaboratorid"],
        answer: Vec::new,
        run: |call| Box::pin(remove_collaborator(call)),
    },
    Function {
        path: "paymentcard/add",
        doc: "Answers the payment provider's card page, to open in a browser: a card never passes through the API.",
        arguments: &[],
        answer: || vec![("paymentcard", one::<CardPage>())],
        run: |call| Box::pin(add_card(call)),
    },
    Function {
        path: "paymentcard/list",
        doc: "The credit card in force.",
        arguments: &[],
        answer: || vec![("paymentcards", list::<PaymentCard>())],
        run: |call| Box::pin(list_cards(call)),
    },
    Function {
        path: "payment/list",
        doc: "The card payments and refunds, newest first.",
        arguments: &[],
        answer: || vec![("payments", list::<Payment>())],
        run: |call| Box::pin(list_payments(call)),
    },
    Function {
        path: "service/list",
        doc: "The services of the organization.",
        arguments: &[],
        answer: || vec![("services", list::<Service>())],
        run: |call| Box::pin(list_services(call)),
    },
    Function {
        path: "service/create",
        doc: "Creates a service; refused until billing is ready.",
        arguments: &["name", "plan", "datacenter"],
        answer: || vec![("service", one::<Service>())],
        run: |call| Box::pin(create_service(call)),
    },
    Function {
        path: "service/delete",
        doc: "Deletes a service.",
        arguments: &["serviceid"],
        answer: Vec::new,
        run: |call| Box::pin(delete_service(call)),
    },
    Function {
        path: "invoice/list",
        doc: "The organization's invoices, newest first, with a link to each one's PDF.",
        arguments: &[],
        answer: || vec![("invoices", list::<Invoice>())],
        run: |call| Box::pin(list_invoices(call)),
    },
    Function {
        path: "invoice/pdf",
        doc: "An invoice's (or credit note's) PDF, base64-encoded, as invoice/list's url gives it to a browser.",
        arguments: &["invoicenumber"],
        answer: || vec![("invoice", one::<InvoicePdf>())],
        run: |call| Box::pin(invoice_pdf(call)),
    },
    Function {
        path: "invoice/next",
        doc: "An estimate of the current month's invoice, if every service runs to its end.",
        arguments: &[],
        answer: || vec![("invoice", one::<InvoiceEstimate>())],
        run: |call| Box::pin(next_invoice(call)),
    },
    Function {
        path: "api/listfunctions",
        doc: "Every function of the API with a line of documentation.",
        arguments: &[],
        answer: || {
            let functions = ObjectBuilder::new().additional_properties(Some(one::<FunctionDoc>()));
            let modules = ObjectBuilder::new().additional_properties(Some(functions));
            vec![("modules", RefOr::T(Schema::Object(modules.build())))]
        },
        run: |_| Box::pin(std::future::ready(list_functions())),
    },
];

/// `customer/settings`' arguments and the form fields they are.
const COMPANY_ARGUMENTS: [(&str, CompanyField); 9] = [
    ("name", CompanyField::CompanyName),
    ("nationalidnumber", CompanyField::BusinessId),
    ("vatnumber", CompanyField::VatNumber),
    ("address", CompanyField::Address),
    ("zipcode", CompanyField::PostalCode),
    ("city", CompanyField::City),
    ("country", CompanyField::Country),
    ("email", CompanyField::Email),
    ("phonenumber", CompanyField::Phone),
];

/// A form field's name as the API says it, for `status.text`.
pub fn api_name(field: &str) -> &str {
    use crate::billing::BillingField;
    COMPANY_ARGUMENTS
        .iter()
        .find(|(_, f)| f.name() == field)
        .map(|(name, _)| *name)
        .or(match field {
            f if f == BillingField::Method.name() => Some("paymentmethod"),
            f if f == BillingField::Delivery.name() => Some("invoicedeliverymethod"),
            f if f == BillingField::InvoiceEmail.name() => Some("invoiceemail"),
            "data_center" => Some("datacenter"),
            _ => None,
        })
        .unwrap_or(field)
}

/// A payload of one key.
fn payload(key: &str, value: &impl serde::Serialize) -> AppResult<Payload> {
    let value = serde_json::to_value(value).map_err(AppError::internal)?;
    let mut payload = Payload::new();
    payload.insert(key.to_owned(), value);
    Ok(payload)
}

fn required<'a>(call: &'a Call<'_>, name: &str) -> AppResult<&'a str> {
    call.args
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| AppError::BadRequest(format!("The argument {name} is missing.")))
}

/// The person a temporary key belongs to; API keys act for an
/// organization, not a person.
fn person(call: &Call<'_>) -> AppResult<crate::auth::Account> {
    match &call.principal {
        Some(Principal::Person(account)) => Ok(account.clone()),
        Some(Principal::Key(_)) => Err(AppError::Forbidden(
            "user/ functions take the temporary key of user/login; an API key acts for one organization.".into(),
        )),
        None => Err(AppError::Unauthenticated),
    }
}

/// Who acts, and in which organization: named by `organizationnumber`,
/// else by the Basic username (a customer number). `NotFound` for an
/// organization that is not theirs.
async fn organization(call: &Call<'_>) -> AppResult<(Principal, OrgAccess)> {
    let by = call.principal.clone().ok_or(AppError::Unauthenticated)?;
    let named = call.username.as_ref().filter(|u| !u.contains('@'));
    let argument = call.args.get("organizationnumber");
    if let (Some(named), Some(argument)) = (named, argument) {
        if named.trim() != argument.trim() {
            return Err(AppError::BadRequest(format!(
                "The username names the organization {named} and organizationnumber {argument}: name one."
            )));
        }
    }
    let number = argument.or(named).ok_or_else(|| {
        AppError::BadRequest(
            "Name the organization: its customer number as the username, or organizationnumber."
                .into(),
        )
    })?;
    let access = gate::authorize_customer(&call.state.db, &by, number.trim(), Action::View).await?;
    Ok((by, access))
}

// user/…

async fn login(call: Call<'_>) -> AppResult<Payload> {
    let username = required(&call, "username")?;
    let password = required(&call, "password")?;
    let account_id =
        crate::auth::handlers::check_login(call.state, username, password, &call.client.address)
            .await
            .map_err(|error| match error {
                // The form's email is this function's username.
                AppError::Invalid(errors) => AppError::Invalid(
                    errors
                        .into_iter()
                        .map(|mut e| {
                            if e.is_for(crate::auth::AuthField::Email) {
                                e.field = "username".into();
                            }
                            e
                        })
                        .collect(),
                ),
                other => other,
            })?;
    second_factor(&call, account_id).await?;
    let now = call.state.clock.now();
    // Each log-in counts against the person's calls: no fresh quota by logging in again.
    crate::api_keys::count_call(&call.state.db, &super::person_caller(account_id), now).await?;
    let api = crate::auth::session::Kind::Api;
    let key =
        crate::auth::session::create(&call.state.db, account_id, api, &call.client, now).await?;
    let account =
        crate::auth::session::account(&call.state.db, &key, api, &call.client.address, now)
            .await?
            .ok_or_else(|| AppError::internal("a session just made is not found"))?;
    let organizations = crate::organizations::operations::of_account(call.state, &account).await?;
    let customers = organizations
        .into_iter()
        .map(|m| Customer {
            customernumber: m.org.customer_number,
            description: m.org.name,
            roles: vec![m.role.as_str().to_owned()],
        })
        .collect();
    payload(
        "login",
        &Login {
            username: account.email,
            apikey: key,
            customers,
        },
    )
}

/// The two-factor step of `user/login`: with two-factor on, `otp` must be
/// a code the log-in page would accept (once; a wrong one counts as a
/// failed log-in); 401 with what to send otherwise.
async fn second_factor(call: &Call<'_>, account_id: i64) -> AppResult<()> {
    use crate::auth::two_factor;
    let db = &call.state.db;
    if !two_factor::is_on(db, account_id).await? {
        return Ok(());
    }
    let otp = call.args.get("otp").map_or("", |otp| otp.trim());
    if otp.is_empty() {
        return Err(AppError::SecondFactor(
            "Two-factor log-in is on for this account: send otp, the 6-digit code the authenticator app shows now.".into(),
        ));
    }
    let (email, email_key): (String, String) =
        sqlx::query_as("SELECT email, email_key FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&db.read)
            .await?;
    let now = call.state.clock.now();
    let address = &call.client.address;
    let checked =
        two_factor::check_counted(db, account_id, &email, &email_key, otp, address, now).await?;
    if !checked.accepted() {
        return Err(AppError::SecondFactor(format!(
            "The otp was refused. {}",
            checked.refusal()
        )));
    }
    if checked == two_factor::Checked::RecoveryCode {
        let mut tx = db.write.begin().await?;
        two_factor::recovery_code_used(call.state, &mut tx, account_id, &email, address, now)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn logout(call: Call<'_>) -> AppResult<Payload> {
    person(&call)?;
    if let Some(key) = &call.login_key {
        crate::auth::session::delete(&call.state.db, key).await?;
    }
    Ok(Payload::new())
}

fn details(call: &Call<'_>) -> AppResult<Payload> {
    let account = person(call)?;
    payload(
        "user",
        &User {
            name: account.name,
            email: account.email,
        },
    )
}

/// An organization as `user/listorganizations` lists it.
async fn organization_entry(call: &Call<'_>, by: &Principal, org: &str) -> AppResult<Organization> {
    let (membership, stored) = company::load(call.state, by, org).await?;
    let billing = billing::view(call.state, by, org).await?;
    let settings = settings_of(stored.form, &billing);
    Ok(Organization {
        id: membership
            .org
            .customer_number
            .parse()
            .map_err(AppError::internal)?,
        name: membership.org.name.clone(),
        role: membership.role.as_str().to_owned(),
        isowner: (membership.role == Role::Owner).into(),
        canaccessbilling: membership.may(Action::ManageBilling).into(),
        nationalidnumber: settings.nationalidnumber,
        vatnumber: settings.vatnumber,
        address: settings.address,
        zipcode: settings.zipcode,
        city: settings.city,
        country: settings.country,
        email: settings.email,
        phonenumber: settings.phonenumber,
        paymentmethod: settings.paymentmethod,
        invoicedeliverymethod: settings.invoicedeliverymethod,
        paymentcard: settings.paymentcard,
    })
}

async fn list_organizations(call: Call<'_>) -> AppResult<Payload> {
    let account = person(&call)?;
    let by = Principal::Person(account.clone());
    let mut organizations = Vec::new();
    for membership in crate::organizations::operations::of_account(call.state, &account).await? {
        match organization_entry(&call, &by, &membership.org.public_id).await {
            Ok(entry) => organizations.push(entry),
            // Left out until the person turns two-factor log-in on; the rest are listed.
            Err(AppError::TwoFactorRequired { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    payload("organizations", &organizations)
}

async fn create_organization(call: Call<'_>) -> AppResult<Payload> {
    let account = person(&call)?;
    let name = required(&call, "name")?;
    let org = crate::organizations::operations::create(call.state, &account, name).await?;
    let by = Principal::Person(account);
    payload(
        "organization",
        &organization_entry(&call, &by, &org.public_id).await?,
    )
}

// customer/…

/// `missing`'s words for what billing lacks.
fn missing_code(missing: Missing) -> &'static str {
    match missing {
        Missing::CompanyInformation => "companyinformation",
        Missing::PaymentMethod => "paymentmethod",
        Missing::VerifiedCard => "paymentcard",
        Missing::CardExpired => "paymentcardexpired",
        Missing::InvoiceDelivery => "invoicedeliverymethod",
        Missing::InvoiceEmail => "invoiceemail",
    }
}

/// Everything Settings and Billing show, as `customer/settings` answers it.
fn settings_of(mut company: CompanyForm, billing: &BillingView) -> Settings {
    let mut take = |field| std::mem::take(company.get_mut(field));
    Settings {
        name: take(CompanyField::CompanyName),
        nationalidnumber: take(CompanyField::BusinessId),
        vatnumber: take(CompanyField::VatNumber),
        address: take(CompanyField::Address),
        zipcode: take(CompanyField::PostalCode),
        city: take(CompanyField::City),
        country: take(CompanyField::Country),
        email: take(CompanyField::Email),
        phonenumber: take(CompanyField::Phone),
        paymentmethod: billing
            .method
            .map_or("none", PaymentMethod::as_str)
            .to_owned(),
        invoicedeliverymethod: billing
            .delivery
            .map(|d| InvoiceDelivery::as_str(d).to_owned()),
        invoiceemail: billing.invoice_email.clone(),
        paymentcard: billing.card.as_ref().map(|card| card.number),
        customernumber: billing.access.org.customer_number.clone(),
        billingready: billing.missing.is_empty().into(),
        missing: billing
            .missing
            .iter()
            .map(|m| missing_code(*m).to_owned())
            .collect(),
    }
}

async fn settings(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let org = access.org.public_id.clone();
    let card_page = change_settings(&call, &by, &access).await?;
    let (_, stored) = company::load(call.state, &by, &org).await?;
    let billing = billing::view(call.state, &by, &org).await?;
    let mut answer = payload("settings", &settings_of(stored.form, &billing))?;
    if let Some(url) = card_page {
        answer.extend(payload("paymentcard", &CardPage { url })?);
    }
    Ok(answer)
}
/// The change `customer/settings` asks for, if any, all or nothing: the
/// company fields, then the method of payment, then invoice delivery, in
/// one transaction. Returns the card page when a card must be added.
async fn change_settings(
    call: &Call<'_>,
    by: &Principal,
    access: &OrgAccess,
) -> AppResult<Option<String>> {
    let db = &call.state.db;
    let number = &access.org.customer_number;
    let company_change: Vec<(CompanyField, &String)> = COMPANY_ARGUMENTS
        .iter()
        .filter_map(|(name, field)| call.args.get(*name).map(|value| (*field, value)))
        .collect();
    let method = call.args.get("paymentmethod");
    let delivery = call.args.get("invoicedeliverymethod");
    let invoice_email = call.args.get("invoiceemail");
    if company_change.is_empty()
        && method.is_none()
        && delivery.is_none()
        && invoice_email.is_none()
    {
        return Ok(None);
    }
    // The same permissions as the pages: each part asks the gate.
    let company_access = if company_change.is_empty() {
        None
    } else {
        Some(gate::authorize_customer(db, by, number, Action::EditCompanyInformation).await?)
    };
    let billing_access = if method.is_some() || delivery.is_some() || invoice_email.is_some() {
        Some(gate::authorize_customer(db, by, number, Action::ManageBilling).await?)
    } else {
        None
    };
    // Every refused value at once, named as the API names it.
    let mut errors = Vec::new();
    let method = match method {
        None => None,
        Some(m) => gather(
            &mut errors,
            PaymentMethod::parse(&m.trim().to_ascii_lowercase())
                .ok_or_else(|| AppError::field(BillingField::Method, "Use invoice or card.")),
        )?,
    };
    let delivery = if delivery.is_none() && invoice_email.is_none() {
        None
    } else {
        // What is not sent stays as stored (invoices by email at first).
        let stored = billing::view(call.state, by, &access.org.public_id).await?;
        let kind = match delivery {
            None => Some(stored.delivery.unwrap_or(InvoiceDelivery::Email)),
            Some(d) => InvoiceDelivery::parse(&d.trim().to_ascii_lowercase()),
        };
        if kind.is_none() {
            errors.push(FieldError::new(
                BillingField::Delivery,
                "Use email or mail.",
            ));
        }
        let email = invoice_email.map_or(stored.invoice_email.as_str(), String::as_str);
        // Checked as by email when the method is refused, so both are reported.
        let checked_as = kind.unwrap_or(InvoiceDelivery::Email);
        let parsed =
            billing::parse_delivery(checked_as.as_str(), email).and_then(|(kind, email)| {
                // An address sent with snail mail is checked and kept for later.
                let email = match (email, invoice_email) {
                    (None, Some(given)) => Some(
                        crate::billing::parse_invoice_email(given)
                            .map_err(|m| AppError::field(BillingField::InvoiceEmail, m))?,
                    ),
                    (email, _) => email,
                };
                Ok((kind, email))
            });
        gather(&mut errors, parsed)?.filter(|_| kind.is_some())
    };
    let now = call.state.clock.now();
    let mut tx = db.write.begin().await?;
    let mut company_info = None;
    if let Some(access) = &company_access {
        let merged = company::merge_in(&mut tx, access, |form| {
            for (field, value) in &company_change {
                form.get_mut(*field).clone_from(value);
            }
        })
        .await;
        company_info = gather(&mut errors, merged)?.flatten();
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(without_noise(errors)));
    }
    if let (Some(access), Some(info)) = (&company_access, &company_info) {
        company::save_in(&mut tx, access, info, now).await?;
    }
    let mut chosen = billing::Chosen::Saved;
    if let (Some(access), Some(method)) = (&billing_access, method) {
        chosen = billing::choose_method_in(&mut tx, access, method, now).await?;
    }
    if let (Some(access), Some((delivery, email))) = (&billing_access, &delivery) {
        billing::set_delivery_in(&mut tx, access, *delivery, email.as_ref(), now).await?;
    }
    tx.commit().await?;
    match (&billing_access, chosen) {
        (Some(access), billing::Chosen::NeedsCard) => {
            match billing::finish(
                call.state,
                access,
                chosen,
                crate::billing::card::Back::OwnPage,
            )
            .await?
            {
                billing::MethodChosen::CardPage(url) => Ok(Some(url)),
                billing::MethodChosen::Saved => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// `Ok(Some(value))`, or `Ok(None)` with the refused fields added to
/// `errors`; any other error stops.
fn gather<T>(errors: &mut Vec<FieldError>, result: AppResult<T>) -> AppResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(AppError::Invalid(refused)) => {
            errors.extend(refused);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// A refused country makes every field that depends on it say "Choose the
/// country first": the country's own message says it once.
fn without_noise(errors: Vec<FieldError>) -> Vec<FieldError> {
    let country = errors.iter().any(|e| e.is_for(CompanyField::Country));
    errors
        .into_iter()
        .filter(|e| !(country && e.message == "Choose the country first."))
        .collect()
}

/// A collaborator's id in the API: stable, and saying nothing of the
/// account behind it or how many there are.
fn collaborator_id(access: &OrgAccess, email: &str) -> String {
    token_hash(&format!(
        "{}:{}",
        access.org.public_id,
        email.to_lowercase()
    ))[..16]
        .to_owned()
}

fn collaborator(access: &OrgAccess, member: crate::organizations::Collaborator) -> Collaborator {
    Collaborator {
        collaboratorid: collaborator_id(access, &member.email),
        name: member.name,
        email: member.email,
        role: member.role.as_str().to_owned(),
    }
}

fn invitation(access: &OrgAccess, pending: crate::collaborators::PendingInvitation) -> Invitation {
    Invitation {
        invitationid: collaborator_id(access, &format!("invitation:{}", pending.email)),
        role: pending.role.as_str().to_owned(),
        email: pending.email,
        expires: format_rfc3339(pending.expires_at),
    }
}

async fn list_collaborators(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let view = crate::collaborators::operations::list(
        call.state,
        &by,
        &access.org.public_id,
        crate::page::Window::ALL,
        crate::page::Window::ALL,
    )
    .await?;
    let invitations: Vec<Invitation> = view
        .pending
        .unwrap_or_default()
        .into_iter()
        .map(|p| invitation(&access, p))
        .collect();
    let collaborators: Vec<Collaborator> = view
        .members
        .into_iter()
        .map(|m| collaborator(&access, m))
        .collect();
    let mut answer = payload("collaborators", &collaborators)?;
    answer.extend(payload("invitations", &invitations)?);
    Ok(answer)
}

async fn add_collaborator(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let email = required(&call, "email")?;
    let role = required(&call, "role")?;
    let org = &access.org.public_id;
    crate::collaborators::operations::invite(call.state, &by, org, email, role).await?;
    // The invitation as stored (the address normalized), as listcollaborators shows it.
    let key = crate::validate::Email::parse(email).map(|e| e.key()).ok();
    let view = crate::collaborators::operations::list(
        call.state,
        &by,
        org,
        crate::page::Window::ALL,
        crate::page::Window::ALL,
    )
    .await?;
    let sent = view
        .pending
        .unwrap_or_default()
        .into_iter()
        .find(|p| {
            crate::validate::Email::parse(&p.email)
                .map(|e| e.key())
                .ok()
                == key
        })
        .ok_or_else(|| AppError::internal("an invitation just sent is not pending"))?;
    payload("invitation", &invitation(&access, sent))
}

/// The email of the collaborator `collaboratorid` names.
async fn collaborator_email(
    call: &Call<'_>,
    by: &Principal,
    access: &OrgAccess,
) -> AppResult<String> {
    let id = required(call, "collaboratorid")?;
    let view = crate::collaborators::operations::list(
        call.state,
        by,
        &access.org.public_id,
        crate::page::Window::ALL,
        crate::page::Window::ALL,
    )
    .await?;
    view.members
        .into_iter()
        .find(|m| collaborator_id(access, &m.email) == id.trim())
        .map(|m| m.email)
        .ok_or(AppError::NotFound)
}

async fn edit_collaborator(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let email = collaborator_email(&call, &by, &access).await?;
    let role = required(&call, "role")?;
    let org = &access.org.public_id;
    crate::collaborators::operations::change_role(call.state, &by, org, &email, role).await?;
    let view = crate::collaborators::operations::list(
        call.state,
        &by,
        org,
        crate::page::Window::ALL,
        crate::page::Window::ALL,
    )
    .await?;
    let member = view
        .members
        .into_iter()
        .find(|m| m.email == email)
        .ok_or(AppError::NotFound)?;
    payload("collaborator", &collaborator(&access, member))
}

async fn remove_collaborator(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let email = collaborator_email(&call, &by, &access).await?;
    crate::collaborators::operations::remove(call.state, &by, &access.org.public_id, &email)
        .await?;
    Ok(Payload::new())
}

// paymentcard/…, payment/…

async fn add_card(call: Call<'_>) -> AppResult<Payload> {
    // Card details were refused before any function ran (`check_arguments`).
    let (by, access) = organization(&call).await?;
    let access = gate::authorize(
        &call.state.db,
        &by,
        &access.org.public_id,
        Action::ManageBilling,
    )
    .await?;
    let url = crate::billing::card::start(call.state, &access, crate::billing::card::Back::OwnPage)
        .await?;
    payload("paymentcard", &CardPage { url })
}

async fn list_cards(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let view = billing::view(call.state, &by, &access.org.public_id).await?;
    let cards: Vec<PaymentCard> = view
        .card
        .into_iter()
        .map(|card| PaymentCard {
            paymentcardid: card.number,
            state: if card.expired {
                "expired"
            } else if card.expires_soon {
                "expiressoon"
            } else {
                "valid"
            }
            .to_owned(),
            brand: card.brand,
            lastfour: card.last4,
            expires: card.expires,
        })
        .collect();
    payload("paymentcards", &cards)
}

async fn list_payments(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let access = gate::authorize(
        &call.state.db,
        &by,
        &access.org.public_id,
        Action::ManageBilling,
    )
    .await?;
    let view = billing::view(call.state, &by, &access.org.public_id).await?;
    let payments: Vec<Payment> = view
        .payments
        .unwrap_or_default()
        .into_iter()
        .map(|p| Payment {
            date: format_rfc3339(p.at),
            description: p.description,
            amount: p.amount.cents,
            currency: p.amount.currency.code().to_owned(),
            status: p.status,
        })
        .collect();
    payload("payments", &payments)
}

// invoice/…

async fn list_invoices(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let org = &access.org.public_id;
    let listed = crate::invoices::operations::list(call.state, &by, org).await?;
    let base = call.state.config.base_url();
    let invoices: Vec<Invoice> = listed
        .into_iter()
        .map(|i| Invoice {
            invoicenumber: i.number,
            period: i.period,
            invoicedate: crate::clock::format_date(i.issued_at),
            duedate: crate::clock::format_date(i.due_at),
            total: i.total_cents,
            currency: "EUR".to_owned(),
            status: i.status,
            credits: i.credits,
            url: format!(
                "{base}{}",
                crate::invoices::operations::pdf_path(org, i.number)
            ),
        })
        .collect();
    payload("invoices", &invoices)
}

async fn invoice_pdf(call: Call<'_>) -> AppResult<Payload> {
    use base64::Engine;
    let (by, access) = organization(&call).await?;
    let number = required(&call, "invoicenumber")?;
    let number = crate::invoices::parse_number(number.trim()).ok_or_else(|| {
        AppError::BadRequest(format!(
            "invoicenumber: {number:?} is not an invoice number."
        ))
    })?;
    let (filename, pdf) =
        crate::invoices::operations::pdf(call.state, &by, &access.org.public_id, number).await?;
    payload(
        "invoice",
        &InvoicePdf {
            invoicenumber: number,
            filename,
            contenttype: "application/pdf".to_owned(),
            content: base64::engine::general_purpose::STANDARD.encode(pdf),
        },
    )
}

async fn next_invoice(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let (period, bill) =
        crate::invoices::operations::next(call.state, &by, &access.org.public_id).await?;
    let estimate = InvoiceEstimate {
        period: period.label(),
        lines: bill
            .lines
            .iter()
            .map(|line| InvoiceLine {
                service: line.service.name.clone(),
                plan: crate::services::Plan::name_of(&line.service.plan),
                hours: line.hours,
                monthhours: period.hours(),
                amount: line.net,
            })
            .collect(),
        net: bill.totals.net,
        vatrate: i64::from(bill.vat.rate_basis_points),
        vat: bill.totals.vat,
        total: bill.totals.total,
        currency: "EUR".to_owned(),
        vatnote: bill.vat.note.map(str::to_owned),
    };
    payload("invoice", &estimate)
}

// service/…

fn service_entry(service: crate::services::Service) -> Service {
    Service {
        serviceid: service.public_id,
        name: service.name,
        plan: service.plan_id,
        datacenter: service.data_center_id,
        monthlyprice: service.monthly.cents,
        currency: service.monthly.currency.code().to_owned(),
        created: format_rfc3339(service.created),
    }
}

async fn list_services(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let services =
        crate::services::operations::list(call.state, &by, &access.org.public_id).await?;
    let services: Vec<Service> = services.into_iter().map(service_entry).collect();
    payload("services", &services)
}

async fn create_service(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let form = crate::services::ServiceForm {
        name: required(&call, "name")?.to_owned(),
        plan: required(&call, "plan")?.to_owned(),
        data_center: required(&call, "datacenter")?.to_owned(),
    };
    let org = &access.org.public_id;
    let service = match crate::services::operations::create(call.state, &by, org, &form).await {
        // The sentence, and what is missing in this API's words.
        Err(AppError::BillingNotReady) => {
            let billing = billing::view(call.state, &by, org).await?;
            let missing: Vec<&str> = billing.missing.iter().map(|m| missing_code(*m)).collect();
            return Err(AppError::Conflict(format!(
                "{} Missing: {}.",
                crate::error::NOT_READY,
                missing.join(", ")
            )));
        }
        other => other?,
    };
    payload("service", &service_entry(service))
}

async fn delete_service(call: Call<'_>) -> AppResult<Payload> {
    let (by, access) = organization(&call).await?;
    let id = required(&call, "serviceid")?;
    crate::services::operations::delete(call.state, &by, &access.org.public_id, id.trim()).await?;
    Ok(Payload::new())
}

// api/…

fn list_functions() -> AppResult<Payload> {
    let mut modules = Modules::new();
    for function in FUNCTIONS {
        let (module, name) = function.path.split_once('/').unwrap_or((function.path, ""));
        modules.entry(module.to_owned()).or_default().insert(
            name.to_owned(),
            FunctionDoc {
                doc: function.doc.to_owned(),
                arguments: function.arguments.iter().map(|a| (*a).to_owned()).collect(),
            },
        );
    }
    payload("modules", &modules)
}
