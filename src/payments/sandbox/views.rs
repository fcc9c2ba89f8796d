//! The sandbox's HTML pages, rendered with Leptos: every text and attribute
//! value is escaped, so a merchant name, description or return address
//! from the panel, or an expiry typed by the person, stays text.

use super::cards::CardErrors;
use super::pages::Session;
use super::PREFIX;
use leptos::prelude::*;

/// A whole page: the provider's own shell, with `body` under "Test mode".
fn page(title: &str, body: impl IntoView) -> String {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // One text node: a second one would bring a `<!>` separator,
                // which a title shows as text.
                <title>{format!("{title} · Sandbox Pay")}</title>
                <meta name="theme-color" content="#eef0f6" />
                <link rel="stylesheet" href=format!("{PREFIX}/sandbox.css") />
                <link rel="icon" href=format!("{PREFIX}/favicon.svg") type="image/svg+xml" />
            </head>
            <body>
                <a class="skip-link" href="#main">"Skip to main content"</a>
                <main id="main" class="pay">
                    <p class="test-mode">"Test mode"</p>
                    {body}
                </main>
            </body>
        </html>
    }
    .to_html()
}

/// The card page, with the expiry typed before and each field's problem.
/// The card number and security code are never filled back in.
pub(super) fn card_form(session: &Session, expiry: &str, errors: &CardErrors) -> String {
    page(
        "Card details",
        view! {
            <p class="merchant">{session.merchant.clone()}</p>
            <h1>"Card details"</h1>
            <p class="amount">{session.amount.to_string()}</p>
            <p class="desc">
                {format!("{}. The verification charge is refunded.", session.description)}
            </p>
            <form method="post" novalidate>
                {field("number", "Card number", None, "", "cc-number", errors.number)}
                {field("expiry", "Expiry date", Some("MM/YY"), expiry, "cc-exp", errors.expiry)}
                {field("cvc", "Security code (CVC)", None, "", "cc-csc", errors.cvc)}
                <button type="submit">"Accept 1 EUR"</button>
            </form>
            <p class="cards">
                "Test mode: no real money moves. Use 4242 4242 4242 4242 with any future expiry date and any 3 digits."
            </p>
            <p>
                <a href=session.return_url.clone()>
                    {format!("Cancel and return to {}", session.merchant)}
                </a>
            </p>
        },
    )
}

/// One numeric field with its label, optional hint and error, the input
/// described by both.
fn field(
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    value: &str,
    autocomplete: &'static str,
    error: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described = [
        hint.map(|_| hint_id.as_str()),
        error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    view! {
        <div class="field">
            <label for=name>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <input
                id=name
                name=name
                value=value.to_owned()
                inputmode="numeric"
                autocomplete=autocomplete
                aria-invalid=error.map(|_| "true")
                aria-describedby=(!described.is_empty()).then_some(described)
            />
            {error.map(|error| view! { <p class="error" id=error_id>{error}</p> })}
        </div>
    }
}

/// The bank's identification (3-D Secure) stand-in: approve or cancel.
pub(super) fn identify(session: &Session) -> String {
    page(
        "Identify yourself",
        view! {
            <p class="merchant">{session.merchant.clone()}</p>
            <h1>"Identify yourself"</h1>
            <p>
                "Your bank asks you to confirm the payment of "
                <strong>{session.amount.to_string()}</strong>
                {format!(" to {}.", session.merchant)}
            </p>
            <p class="cards">
                "Test mode: this stands in for the bank's electronic identification."
            </p>
            <form method="post" class="buttons">
                <button type="submit" name="answer" value="approve">
                    "Approve"
                </button>
                <button type="submit" name="answer" value="cancel" class="secondary">
                    "Cancel"
                </button>
            </form>
        },
    )
}

pub(super) fn not_found() -> String {
    page(
        "Not found",
        view! {
            <h1>"Payment session not found"</h1>
            <p>"This payment link is not valid."</p>
        },
    )
}

/// Our own fault (the database): nothing was charged.
pub(super) fn fault() -> String {
    page(
        "Error",
        view! {
            <h1>"Something went wrong"</h1>
            <p>"Nothing was charged. Go back and try again."</p>
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    const HOSTILE: &str = r#"<script>alert(1)</script> "q" 'a' & co"#;

    fn session() -> Session {
        Session {
            merchant: format!("Org {HOSTILE}"),
            description: format!("For {HOSTILE}"),
            amount: Money::eur(100),
            return_url: format!("https://x.test/back?a=1&b={HOSTILE}"),
            status: "open".to_owned(),
        }
    }

    #[test]
    fn what_the_panel_sends_and_the_person_types_stays_text() {
        let html = card_form(&session(), HOSTILE, &CardErrors::default());
        assert!(!html.contains("<script"), "{html}");
        // In text, `<`, `>` and `&` are escaped; quotes need not be.
        let text = r#"Org &lt;script&gt;alert(1)&lt;/script&gt; "q" 'a' &amp; co"#;
        assert!(html.contains(&format!(r#"<p class="merchant">{text}</p>"#)));
        assert!(html.contains(&format!("Cancel and return to {text}</a>")));
        assert!(html.contains(
            r#"<p class="desc">For &lt;script&gt;alert(1)&lt;/script&gt; "q" 'a' &amp; co. The verification"#
        ));
        // In a double-quoted attribute, `"` is escaped too: the value cannot
        // be closed early.
        let attribute = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; 'a' &amp; co";
        assert!(html.contains(&format!(
            r#"<a href="https://x.test/back?a=1&amp;b={attribute}">"#
        )));
        assert!(html.contains(&format!(r#"name="expiry" value="{attribute}""#)));
        let identify = identify(&session());
        assert!(!identify.contains("<script"), "{identify}");
        assert!(identify.contains(&format!("<strong>1.00 EUR</strong> to {text}.</p>")));
    }

    #[test]
    fn a_refused_card_page_marks_each_field_and_echoes_only_the_expiry() {
        let errors = CardErrors {
            number: Some("Enter the card number."),
            expiry: Some("Enter the expiry date as MM/YY, like 12/30."),
            cvc: None,
        };
        let html = card_form(&session(), "13/30", &errors);
        for markup in [
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<title>Card details · Sandbox Pay</title>",
            r#"<link rel="stylesheet" href="/sandbox-pay/sandbox.css">"#,
            r#"<link rel="icon" href="/sandbox-pay/favicon.svg" type="image/svg+xml">"#,
            r#"<main id="main" class="pay"><p class="test-mode">Test mode</p>"#,
            // Posts back to the page's own address.
            r#"<form method="post" novalidate>"#,
            r#"<label for="number">Card number</label>"#,
            r#"<input id="number" name="number" value="" inputmode="numeric" autocomplete="cc-number" aria-invalid="true" aria-describedby="number-error">"#,
            r#"<p id="number-error" class="error">Enter the card number.</p>"#,
            r#"<p id="expiry-hint" class="hint">MM/YY</p>"#,
            r#"<input id="expiry" name="expiry" value="13/30" inputmode="numeric" autocomplete="cc-exp" aria-invalid="true" aria-describedby="expiry-hint expiry-error">"#,
            r#"<input id="cvc" name="cvc" value="" inputmode="numeric" autocomplete="cc-csc">"#,
            r#"<button type="submit">Accept 1 EUR</button></form>"#,
        ] {
            assert!(html.contains(markup), "{markup}\n{html}");
        }
        assert!(!html.contains("cvc-error"));
    }
}
