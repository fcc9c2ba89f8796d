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
const TABLE_BOTTOM: f32 = HEIGHT - 90.0;
/// A table row of one line; each further line of a long service name adds [`LINE`].
const ROW: f32 = 16.0;
const LINE: f32 = 12.0;
/// Where a continued page's table starts.
const NEXT_TOP: f32 = 90.0;
/// Below the last row: the totals, the VAT note and how to pay.
const TOTALS_ROOM: f32 = 190.0;
/// The table's columns: the service from the left edge, then the plan;
/// hours, monthly price and amount end at theirs.
const PLAN: f32 = 285.0;
const HOURS: f32 = 425.0;
const MONTHLY: f32 = 487.0;
/// The customer's block.
const ADDRESS_WIDTH: f32 = 290.0;

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
    let customer = fonts.customer_lines(invoice);
    let table_top = head_bottom(invoice, customer.len());
    let services: Vec<Vec<String>> = invoice
        .lines
        .iter()
        .map(|line| fonts.wrap(&line.service, 10.0, Weight::Regular, PLAN - LEFT - 12.0))
        .collect();
    let heights: Vec<f32> = services.iter().map(|s| row_height(s.len())).collect();
    let pages = paginate(
        &heights,
        TABLE_BOTTOM - table_top - ROW,
        TABLE_BOTTOM - NEXT_TOP - ROW,
        TOTALS_ROOM,
    );
    let page_count = pages.len();
    for (index, rows) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT)
            .ok_or_else(|| AppError::internal("A4 is not a page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: &fonts,
        };
        let y = if index == 0 {
            pen.head(invoice, &customer);
            table_top
        } else {
            pen.text(LEFT, 60.0, 9.0, Weight::Regular, &continued(invoice));
            NEXT_TOP
        };
        let y = pen.table(&invoice.lines[rows.clone()], &services[rows], y);
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

/// The height of a table row whose service name takes `lines` lines.
fn row_height(lines: usize) -> f32 {
    ROW + LINE * f32::from(u16::try_from(lines.max(1) - 1).unwrap_or(u16::MAX))
}

/// Where the first page's table starts: below the head, whose customer
/// block has `customer_lines` lines.
fn head_bottom(invoice: &Printed, customer_lines: usize) -> f32 {
    let lines = f32::from(u16::try_from(customer_lines).unwrap_or(u16::MAX));
    let ids = if invoice.customer_vat_number.is_some() {
        2.0
    } else {
        1.0
    };
    (215.0 + 13.0 * lines + 12.0 * ids).max(300.0) + 20.0
}

/// The rows (by index) each page holds, given each row's height: `first`
/// and `next` points of table on the first and later pages, and the last
/// page keeps `last_room` below its rows for the totals. Every page holds
/// at least one row, and the last page at least one (but for no rows).
fn paginate(heights: &[f32], first: f32, next: f32, last_room: f32) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut room = first;
    loop {
        let rest: f32 = heights[start..].iter().sum();
        if rest + last_room <= room {
            pages.push(start..heights.len());
            return pages;
        }
        // The totals would not fit below: this page takes what it holds,
        // leaving at least one row to go above them on a later page.
        let mut end = start;
        let mut used = 0.0;
        while end + 1 < heights.len() && used + heights[end] <= room {
            used += heights[end];
            end += 1;
        }
        let end = end.max(start + 1).min(heights.len());
        pages.push(start..end);
        start = end;
        room = next;
    }
}

/// `text`'s runs of one direction in visual order, each with whether it
/// reads right to left; the paragraph's direction is its first strong
/// letter's (as `dir="auto"` on the pages).
fn visual_runs(text: &str) -> Vec<(&str, bool)> {
    let info = unicode_bidi::BidiInfo::new(text, None);
    let Some(paragraph) = info.paragraphs.first() else {
        return Vec::new();
    };
    let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
    runs.into_iter()
        .map(|run| (&text[run.clone()], levels[run.start].is_rtl()))
        .collect()
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

    /// `text` broken into lines no wider than `width`: at spaces, and a
    /// word wider than a line at any character.
    fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let fits = |line: &str| self.width(line, size, weight) <= width;
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if fits(&candidate) {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if !fits(&line) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// The customer's block, each part wrapped to its width: name (bold),
    /// street address, postal code and city, country.
    fn customer_lines(&self, invoice: &Printed) -> Vec<(Weight, String)> {
        invoice
            .customer
            .iter()
            .enumerate()
            .flat_map(|(index, part)| {
                let weight = if index == 0 {
                    Weight::Bold
                } else {
                    Weight::Regular
                };
                self.wrap(part, 10.0, weight, ADDRESS_WIDTH)
                    .into_iter()
                    .map(move |line| (weight, line))
            })
            .collect()
    }

    /// `text` cut (with "…") to fit `width`: only the footer's line and the
    /// plan's name, never what the invoice must say in full.
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
        // Each run in its direction, left to right in visual order (UAX
        // #9), so a Hebrew street's "12" stays "12" and sits where it reads.
        let mut x = x;
        for (run, right_to_left) in visual_runs(text) {
            let direction = if right_to_left {
                TextDirection::RightToLeft
            } else {
                TextDirection::LeftToRight
            };
            self.surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                run,
                false,
                direction,
            );
            x += self.fonts.width(run, size, weight);
        }
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

    /// The seller, the invoice's number and dates, the customer (its
    /// block's lines as [`Fonts::customer_lines`] wrapped them); the table
    /// starts at [`head_bottom`].
    fn head(&mut self, invoice: &Printed, customer: &[(Weight, String)]) {
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
        for (weight, line) in customer {
            self.text(LEFT, y, 10.0, *weight, line);
            y += 13.0;
        }
        self.text(
            LEFT,
            y,
            9.0,
            Weight::Regular,
            &format!("Business ID {}", invoice.customer_business_id),
        );
        if let Some(vat_number) = &invoice.customer_vat_number {
            self.text(
                LEFT,
                y + 12.0,
                9.0,
                Weight::Regular,
                &format!("VAT number {vat_number}"),
            );
        }
    }

    /// The column heads and `lines` (their service names wrapped as
    /// `services`) from `y`; returns the y below them.
    fn table(&mut self, lines: &[PrintedLine], services: &[Vec<String>], mut y: f32) -> f32 {
        self.colored_text(LEFT, y, 9.0, Weight::Bold, GREY, "Service");
        self.colored_text(PLAN, y, 9.0, Weight::Bold, GREY, "Plan");
        self.right(HOURS, y, 9.0, Weight::Bold, "Hours");
        self.right(MONTHLY, y, 9.0, Weight::Bold, "Per month");
        self.right(RIGHT, y, 9.0, Weight::Bold, "Amount");
        self.rule(y + 5.0, 0.8);
        y += ROW + 4.0;
        for (line, service) in lines.iter().zip(services) {
            for (index, part) in service.iter().enumerate() {
                let offset = LINE * f32::from(u16::try_from(index).unwrap_or(u16::MAX));
                self.text(LEFT, y + offset, 10.0, Weight::Regular, part);
            }
            let plan = self.fonts.fit(&line.plan, 10.0, HOURS - PLAN - 62.0);
            self.text(PLAN, y, 10.0, Weight::Regular, &plan);
            let hours = format!("{} of {}", line.hours, line.month_hours);
            self.right(HOURS, y, 10.0, Weight::Regular, &hours);
            let monthly = Money::eur(line.monthly).to_string();
            self.right(MONTHLY, y, 10.0, Weight::Regular, &monthly);
            let amount = Money::eur(line.net).to_string();
            self.right(RIGHT, y, 10.0, Weight::Regular, &amount);
            y += row_height(service.len());
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
                "Payment by card: {} is charged to the card on file. Should that fail, pay it with \"Pay now\" on Billing; there is nothing to transfer.",
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
            for line in self
                .fonts
                .wrap(&paragraph, 9.5, Weight::Regular, RIGHT - LEFT)
            {
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

    #[test]
    fn every_row_is_on_one_page_and_the_last_page_has_room_for_the_totals() {
        let (first, next, room) = (400.0, 600.0, TOTALS_ROOM);
        for count in [0, 1, 9, 12, 13, 14, 25, 38, 39, 40, 200] {
            for tall in [false, true] {
                // Some rows with service names of three lines.
                let heights: Vec<f32> = (0..count)
                    .map(|i| row_height(if tall && i % 3 == 0 { 3 } else { 1 }))
                    .collect();
                let pages = paginate(&heights, first, next, room);
                assert_eq!(pages.first().map(|p| p.start), Some(0));
                assert_eq!(pages.last().map(|p| p.end), Some(count), "{count}");
                assert!(pages.windows(2).all(|w| w[0].end == w[1].start));
                for (index, page) in pages.iter().enumerate() {
                    let used: f32 = heights[page.clone()].iter().sum();
                    let space = if index == 0 { first } else { next };
                    let last = index + 1 == pages.len();
                    assert!(
                        used + if last { room } else { 0.0 } <= space,
                        "{count} rows, page {index}: {used} of {space}"
                    );
                    assert!(count == 0 || !page.is_empty());
                }
            }
        }
    }

    #[test]
    fn right_to_left_runs_come_in_visual_order() {
        assert_eq!(visual_runs("Storgatan 1"), [("Storgatan 1", false)]);
        // "Herzl street 12" in Hebrew: the number, then the words, read
        // from the right.
        let runs = visual_runs("רחוב הרצל 12");
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(runs[0], ("12", false));
        assert!(runs[1].1 && runs[1].0.contains("רחוב"));
    }
}
