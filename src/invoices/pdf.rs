//! An issued invoice as a PDF (A4), made by krilla in the `DejaVu Sans` font (embedded,
//! subset to the glyphs used, so any European name prints as typed). It
//! holds what EU invoicing rules ask of an invoice (Council Directive
//! 2006/112/EC article 226): date and number, the seller's and the
//! customer's names, addresses and VAT identification numbers, each
//! service with its period and amount, the VAT rate and amount or the
//! reason there is none, and the total; then how it is paid.
//!
//! The same invoice always renders to the same text: it is rendered again
//! whenever it is asked for (Billing's link, the email, the print list),
//! from the frozen rows, never stored.

use super::rules::rate_shown;
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::server::config::Seller;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;
use std::sync::LazyLock;

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| Font::new(REGULAR_TTF.into(), 0));
static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| Font::new(BOLD_TTF.into(), 0));

/// A4 in points (1/72 inch).
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const LEFT: f32 = 50.0;
const RIGHT: f32 = WIDTH - 50.0;
/// Where a page's table stops and the next page goes on.
const TABLE_BOTTOM: f32 = HEIGHT - 110.0;
const ROW: f32 = 16.0;

/// Everything an invoice prints, as issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Printed {
    pub number: i64,
    /// "November 2026".
    pub period: String,
    /// "2026-12-01".
    pub date: String,
    pub due: String,
    pub customer_number: String,
    /// Name, street address, postal code and city, country.
    pub customer: Vec<String>,
    pub customer_business_id: String,
    pub customer_vat_number: Option<String>,
    pub seller: Seller,
    pub lines: Vec<PrintedLine>,
    /// Cents.
    pub net: i64,
    pub vat: i64,
    pub total: i64,
    pub vat_rate_basis_points: i64,
    pub vat_note: Option<String>,
    /// How it is settled: charged to the card, or paid by transfer.
    pub by_card: bool,
    /// A credit note: the invoice it cancels, and why. Its amounts are the
    /// invoice's, negative.
    pub credits: Option<Credit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub invoice: i64,
    pub reason: String,
}

impl Printed {
    /// "Invoice" or "Credit note".
    pub fn title(&self) -> &'static str {
        if self.credits.is_some() {
            "Credit note"
        } else {
            "Invoice"
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintedLine {
    pub service: String,
    pub plan: String,
    pub hours: i64,
    pub month_hours: i64,
    /// The plan's monthly price and the line's amount, cents before VAT.
    pub monthly: i64,
    pub net: i64,
}

/// The invoice as a PDF file's bytes.
pub fn render(invoice: &Printed) -> AppResult<Vec<u8>> {
    let (Some(regular), Some(bold)) = (REGULAR.clone(), BOLD.clone()) else {
        return Err(AppError::internal("the invoice fonts cannot be read"));
    };
    let fonts = Fonts {
        regular,
        bold,
        regular_metrics: skrifa::FontRef::new(REGULAR_TTF).map_err(AppError::internal)?,
        bold_metrics: skrifa::FontRef::new(BOLD_TTF).map_err(AppError::internal)?,
    };
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", invoice.title(), invoice.number))
            .language("en".to_owned())
            .creator("Orgpanel".to_owned()),
    );
    let pages = paginate(&invoice.lines);
    let page_count = pages.len();
    for (index, lines) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT)
            .ok_or_else(|| AppError::internal("A4 is not a page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: &fonts,
        };
        let mut y = if index == 0 {
            pen.head(invoice)
        } else {
            pen.text(LEFT, 60.0, 9.0, Weight::Regular, &continued(invoice));
            90.0
        };
        y = pen.table(lines, y);
        if index + 1 == page_count {
            pen.totals(invoice, y);
        }
        pen.foot(invoice, index + 1, page_count);
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| AppError::internal(format!("invoice PDF not made: {e:?}")))
}

/// "Invoice 12, continued".
fn continued(invoice: &Printed) -> String {
    format!("{} {}, continued", invoice.title(), invoice.number)
}

/// The lines each page holds: the first page has the head above its table,
/// the last the totals below it.
fn paginate(lines: &[PrintedLine]) -> Vec<&[PrintedLine]> {
    const FIRST: usize = 20;
    const NEXT: usize = 38;
    const LAST_ROOM: usize = 10;
    let mut pages = Vec::new();
    let mut rest = lines;
    let mut room = FIRST;
    loop {
        if rest.len() + LAST_ROOM <= room {
            pages.push(rest);
            return pages;
        }
        // The totals would not fit below: this page takes what it holds,
        // leaving at least one line to go above them on a later page.
        let take = rest.len().saturating_sub(1).min(room);
        let (page, next) = rest.split_at(take);
        pages.push(page);
        rest = next;
        room = NEXT;
    }
}

#[derive(Clone, Copy)]
enum Weight {
    Regular,
    Bold,
}

struct Fonts<'a> {
    regular: Font,
    bold: Font,
    regular_metrics: skrifa::FontRef<'a>,
    bold_metrics: skrifa::FontRef<'a>,
}

impl Fonts<'_> {
    /// The width of `text` at `size` points (advances only; the invoice's
    /// words are short enough that kerning does not show in alignment).
    fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let font = match weight {
            Weight::Regular => &self.regular_metrics,
            Weight::Bold => &self.bold_metrics,
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .filter_map(|c| charmap.map(c))
            .filter_map(|glyph| metrics.advance_width(glyph))
            .sum()
    }

    /// `text` broken into lines no wider than `width`, at spaces.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.width(&candidate, size, Weight::Regular) > width {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// `text` cut (with "…") to fit `width`.
    fn fit(&self, text: &str, size: f32, width: f32) -> String {
        if self.width(text, size, Weight::Regular) <= width {
            return text.to_owned();
        }
        let mut cut: String = text.to_owned();
        while !cut.is_empty() && self.width(&format!("{cut}…"), size, Weight::Regular) > width {
            cut.pop();
        }
        format!("{}…", cut.trim_end())
    }
}

/// Draws on one page.
struct Pen<'s, 'p, 'f> {
    surface: &'s mut Surface<'p>,
    fonts: &'s Fonts<'f>,
}

const GREY: (u8, u8, u8) = (90, 90, 90);
const INK: (u8, u8, u8) = (20, 20, 20);

impl Pen<'_, '_, '_> {
    fn colored_text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: (u8, u8, u8),
        text: &str,
    ) {
        let font = match weight {
            Weight::Regular => self.fonts.regular.clone(),
            Weight::Bold => self.fonts.bold.clone(),
        };
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::new(color.0, color.1, color.2).into(),
            ..Fill::default()
        }));
        self.surface.draw_text(
            Point::from_xy(x, y),
            font,
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, text: &str) {
        self.colored_text(x, y, size, weight, INK, text);
    }

    /// `text` ending at `right`.
    fn right(&mut self, right: f32, y: f32, size: f32, weight: Weight, text: &str) {
        let width = self.fonts.width(text, size, weight);
        self.text(right - width, y, size, weight, text);
    }

    fn rule(&mut self, y: f32, width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(LEFT, y);
        path.line_to(RIGHT, y);
        let Some(path) = path.finish() else {
            return;
        };
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(160, 160, 160).into(),
            width,
            ..Stroke::default()
        }));
        self.surface.draw_path(&path);
    }

    /// The seller, the invoice's number and dates, the customer; returns
    /// where the table starts.
    fn head(&mut self, invoice: &Printed) -> f32 {
        let seller = &invoice.seller;
        self.text(LEFT, 70.0, 14.0, Weight::Bold, &seller.name);
        let mut y = 88.0;
        for line in &seller.address {
            self.colored_text(LEFT, y, 9.0, Weight::Regular, GREY, line);
            y += 12.0;
        }
        self.colored_text(
            LEFT,
            y,
            9.0,
            Weight::Regular,
            GREY,
            &format!("Organisationsnummer {}", seller.organisationsnummer),
        );
        self.colored_text(
            LEFT,
            y + 12.0,
            9.0,
            Weight::Regular,
            GREY,
            &format!("VAT number {}", seller.vat_number),
        );

        self.right(RIGHT, 72.0, 22.0, Weight::Bold, invoice.title());
        let mut facts = vec![
            (
                format!("{} number", invoice.title()),
                invoice.number.to_string(),
            ),
            (format!("{} date", invoice.title()), invoice.date.clone()),
        ];
        match &invoice.credits {
            Some(credit) => facts.push(("Credits invoice".to_owned(), credit.invoice.to_string())),
            None => facts.push(("Due date".to_owned(), invoice.due.clone())),
        }
        facts.push((
            "Customer number".to_owned(),
            invoice.customer_number.clone(),
        ));
        facts.push(("Period".to_owned(), invoice.period.clone()));
        let mut fact_y = 98.0;
        for (label, value) in facts {
            self.colored_text(360.0, fact_y, 9.0, Weight::Regular, GREY, &label);
            self.right(RIGHT, fact_y, 9.0, Weight::Bold, &value);
            fact_y += 13.0;
        }

        let mut y = 200.0;
        self.colored_text(LEFT, y, 9.0, Weight::Bold, GREY, "Bill to");
        y += 15.0;
        for (index, line) in invoice.customer.iter().enumerate() {
            let weight = if index == 0 {
                Weight::Bold
            } else {
                Weight::Regular
            };
            let line = self.fonts.fit(line, 10.0, 280.0);
            self.text(LEFT, y, 10.0, weight, &line);
            y += 13.0;
        }
        self.text(
            LEFT,
            y,
            9.0,
            Weight::Regular,
            &format!("Business ID {}", invoice.customer_business_id),
        );
        y += 12.0;
        if let Some(vat_number) = &invoice.customer_vat_number {
            self.text(
                LEFT,
                y,
                9.0,
                Weight::Regular,
                &format!("VAT number {vat_number}"),
            );
            y += 12.0;
        }
        y.max(300.0) + 20.0
    }

    /// The column heads and `lines` from `y`; returns the y below them.
    fn table(&mut self, lines: &[PrintedLine], mut y: f32) -> f32 {
        const PLAN: f32 = 250.0;
        const HOURS: f32 = 390.0;
        const MONTHLY: f32 = 470.0;
        self.colored_text(LEFT, y, 9.0, Weight::Bold, GREY, "Service");
        self.colored_text(PLAN, y, 9.0, Weight::Bold, GREY, "Plan");
        self.right(HOURS, y, 9.0, Weight::Bold, "Hours");
        self.right(MONTHLY, y, 9.0, Weight::Bold, "Per month");
        self.right(RIGHT, y, 9.0, Weight::Bold, "Amount");
        self.rule(y + 5.0, 0.8);
        y += ROW + 4.0;
        for line in lines {
            let service = self.fonts.fit(&line.service, 10.0, PLAN - LEFT - 10.0);
            self.text(LEFT, y, 10.0, Weight::Regular, &service);
            let plan = self.fonts.fit(&line.plan, 10.0, HOURS - PLAN - 50.0);
            self.text(PLAN, y, 10.0, Weight::Regular, &plan);
            self.right(
                HOURS,
                y,
                10.0,
                Weight::Regular,
                &format!("{} of {}", line.hours, line.month_hours),
            );
            self.right(
                MONTHLY,
                y,
                10.0,
                Weight::Regular,
                &Money::eur(line.monthly).to_string(),
            );
            self.right(
                RIGHT,
                y,
                10.0,
                Weight::Regular,
                &Money::eur(line.net).to_string(),
            );
            y += ROW;
            debug_assert!(y < TABLE_BOTTOM);
        }
        if lines.is_empty() {
            y += 4.0;
        }
        self.rule(y - ROW + 6.0, 0.5);
        y + 6.0
    }

    /// Net, VAT and total under the table, the VAT note and how to pay.
    fn totals(&mut self, invoice: &Printed, mut y: f32) {
        const LABEL: f32 = 360.0;
        let rows = [
            ("Net".to_owned(), invoice.net, Weight::Regular),
            (
                format!("VAT {} %", rate_shown(invoice.vat_rate_basis_points)),
                invoice.vat,
                Weight::Regular,
            ),
            ("Total".to_owned(), invoice.total, Weight::Bold),
        ];
        for (label, cents, weight) in rows {
            let size = if matches!(weight, Weight::Bold) {
                11.0
            } else {
                10.0
            };
            self.text(LABEL, y, size, weight, &label);
            self.right(RIGHT, y, size, weight, &Money::eur(cents).to_string());
            y += ROW;
        }
        y += 14.0;
        let mut paragraphs = Vec::new();
        if let Some(note) = &invoice.vat_note {
            paragraphs.push(note.clone());
        }
        paragraphs.push(if let Some(credit) = &invoice.credits {
            format!(
                "This credit note cancels invoice {} in full ({}). Reason: {}",
                credit.invoice,
                Money::eur(invoice.total),
                credit.reason
            )
        } else if invoice.by_card {
            format!(
                "Payment by card: {} is charged to the card on file. Nothing to transfer.",
                Money::eur(invoice.total)
            )
        } else {
            format!(
                "Please pay {} by {} to {}, with the invoice number {} as the reference.",
                Money::eur(invoice.total),
                invoice.due,
                invoice.seller.bank_account,
                invoice.number
            )
        });
        for paragraph in paragraphs {
            for line in self.fonts.wrap(&paragraph, 9.5, RIGHT - LEFT) {
                self.text(LEFT, y, 9.5, Weight::Regular, &line);
                y += 13.0;
            }
            y += 6.0;
        }
    }

    fn foot(&mut self, invoice: &Printed, page: usize, pages: usize) {
        let seller = &invoice.seller;
        self.rule(HEIGHT - 62.0, 0.5);
        let line = format!(
            "{} · {} · VAT number {}",
            seller.name, seller.email, seller.vat_number
        );
        let line = self.fonts.fit(&line, 8.0, RIGHT - LEFT - 60.0);
        self.colored_text(LEFT, HEIGHT - 48.0, 8.0, Weight::Regular, GREY, &line);
        self.right(
            RIGHT,
            HEIGHT - 48.0,
            8.0,
            Weight::Regular,
            &format!("Page {page} of {pages}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize) -> PrintedLine {
        PrintedLine {
            service: format!("web-{n}"),
            plan: "Small".to_owned(),
            hours: 744,
            month_hours: 744,
            monthly: 900,
            net: 900,
        }
    }

    #[test]
    fn every_line_is_on_one_page_and_the_last_page_has_room_for_the_totals() {
        for count in [0, 1, 9, 10, 11, 19, 20, 21, 57, 58, 59, 200] {
            let lines: Vec<PrintedLine> = (0..count).map(line).collect();
            let pages = paginate(&lines);
            let printed: usize = pages.iter().map(|page| page.len()).sum();
            assert_eq!(printed, count, "{count} lines");
            let room = if pages.len() == 1 { 20 } else { 38 };
            assert!(
                pages.last().unwrap().len() <= room - 10,
                "{count} lines: the totals fit"
            );
            assert!(pages[0].len() <= 20 && pages.iter().all(|p| p.len() <= 38));
        }
    }
}
