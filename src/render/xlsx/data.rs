//! The data sheet (`データ`): every value of an item, one datum per row, no merged cells.
//!
//! Built from the model (not from the layout), following the 総務省's 2020 rules for
//! machine-readable tables: numbers as numbers, years as 西暦 numbers, units in a column of
//! their own. Columns: 項目, 取組番号, 区分 (the part of the sheet), 名称 (what the row is
//! about: the indicator, the initiative or the item), 欄 (the label on the sheet), 年度, 値, 単位.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use super::form::{MAX_ROW_HEIGHT, PX_PER_PT, base_format, lines_height, wrap};
use crate::font::{self, Weight};
use crate::layout::sheet::format_number;
use crate::model::*;
use crate::schema::{word, label};

/// The header row.
pub const HEADERS: [&str; 8] = [word::ITEM, "取組番号", word::CATEGORY, word::INDICATOR_NAME, "欄", "年度", "値", word::UNIT];

/// A value of the data sheet.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
}

/// One row of the data sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    /// The item number (`3-2`).
    pub item: String,
    /// The initiative number (`3-2-1`), empty for the item's own values.
    pub initiative: String,
    /// Which part of the sheet: 項目, 活動指標, 成果指標, 年度別, 取組内容, 効果額, 指標.
    pub section: &'static str,
    /// The indicator, initiative or item the value belongs to.
    pub name: String,
    /// The label of the value on the sheet (目標, 実績, 取組目標, 自己評価…).
    pub field: &'static str,
    /// The fiscal year (西暦), for values by year.
    pub year: Option<i32>,
    pub value: Value,
    pub unit: String,
}

/// Collects the rows of one part of the sheet.
struct Rows<'a> {
    out: &'a mut Vec<Datum>,
    item: &'a str,
    initiative: &'a str,
    section: &'static str,
    name: &'a str,
}

impl Rows<'_> {
    fn push(&mut self, field: &'static str, year: Option<i32>, value: Value, unit: &str) {
        self.out.push(Datum {
            item: self.item.to_owned(),
            initiative: self.initiative.to_owned(),
            section: self.section,
            name: self.name.to_owned(),
            field,
            year,
            value,
            unit: unit.to_owned(),
        });
    }

    /// A text value (bullet points one per line, as printed); nothing when empty.
    fn text(&mut self, field: &'static str, year: Option<i32>, text: &Text) {
        if !text.is_empty() {
            self.push(field, year, Value::Text(text.paragraphs().join("\n")), "");
        }
    }

    /// A plain string; nothing when empty.
    fn string(&mut self, field: &'static str, year: Option<i32>, s: &str) {
        if !s.trim().is_empty() {
            self.push(field, year, Value::Text(s.to_owned()), "");
        }
    }

    /// A grade with its name (`C：遅れている`).
    fn grade(&mut self, field: &'static str, year: i32, grade: Option<&Sp<String>>, scale: &Scale) {
        if let Some(g) = grade {
            self.string(field, Some(year), &scale.label(&g.value));
        }
    }

    /// 集計 (how totals are computed), then 目標 and 実績 by year.
    fn values(&mut self, aggregate: Option<Aggregate>, targets: &YearValues, results: &YearValues, unit: &str) {
        if let Some(a) = aggregate {
            self.string(word::AGGREGATE, None, aggregate_name(a));
        }
        for (field, values) in [(word::TARGET, targets), (word::RESULT, results)] {
            for (year, v) in values {
                let value = match &v.value {
                    Amount::Number(n) => Value::Number(*n),
                    Amount::Text(t) => Value::Text(t.clone()),
                };
                self.push(field, Some(*year), value, unit);
            }
        }
    }
}

fn aggregate_name(a: Aggregate) -> &'static str {
    match a {
        Aggregate::Sum => word::SUM,
        Aggregate::Latest => word::LATEST,
    }
}

/// Every value of an item, in the order of the sheet.
pub fn rows(plan: &Plan, item: &Item) -> Vec<Datum> {
    let mut out = Vec::new();
    let number = item.number.value.as_str();

    let mut r = Rows { out: &mut out, item: number, initiative: "", section: "項目", name: &item.name };
    r.string(word::NAME, None, &item.name);
    r.push(word::PILLAR, None, Value::Number(item.pillar.value as f64), "");
    r.string("改革の柱名", None, plan.pillar_name(item.pillar.value).unwrap_or_default());
    r.text(word::OVERVIEW, None, &item.overview);

    for kind in [IndicatorKind::Activity, IndicatorKind::Outcome] {
        for ind in item.indicators.iter().filter(|i| i.kind == kind) {
            let mut r = Rows { out: &mut out, item: number, initiative: "", section: kind.label(), name: &ind.name };
            r.string(word::INDICATORS, None, &ind.name);
            r.values(ind.aggregate, &ind.targets, &ind.results, &ind.unit);
            r.text(word::OVERVIEW, None, &ind.overview);
        }
    }

    let mut r = Rows { out: &mut out, item: number, initiative: "", section: "年度別", name: &item.name };
    for (&year, y) in &item.years {
        let y = &y.value;
        let yr = Some(year);
        r.text(word::GOAL, yr, &y.goal);
        r.text(word::ACTIVITY_RESULT, yr, &y.activity_result);
        r.text(word::OUTCOME_RESULT, yr, &y.outcome_result);
        r.grade(word::INTERNAL, year, y.internal_grade.as_ref(), &plan.internal);
        r.text(label::INTERNAL, yr, &y.internal_comment);
        r.text(word::EXTERNAL, yr, &y.external);
    }

    for ini in &item.initiatives {
        let inum = ini.number.value.as_str();
        let mut r = Rows { out: &mut out, item: number, initiative: inum, section: word::INITIATIVES, name: &ini.name };
        r.string(word::NAME, None, &ini.name);
        for d in &ini.departments {
            r.string(word::DEPARTMENT, None, d);
        }
        if let Some(c) = &ini.category {
            r.string(word::CATEGORY, None, c.value.trim());
        }
        r.text(word::RELATED_PLANS, None, &ini.related_plans);
        r.text(label::INITIATIVE_OVERVIEW, None, &ini.overview);
        r.text(word::OTHER_EFFECTS, None, &ini.other_effects);

        for (section, m) in [(word::EFFECT, &ini.effect), (word::INDICATORS, &ini.indicator)] {
            let mut r = Rows { out: &mut out, item: number, initiative: inum, section, name: &ini.name };
            r.text(word::DESCRIPTION, None, &m.description);
            r.text(word::NOTE, None, &m.note);
            r.values(m.aggregate, &m.targets, &m.results, &m.unit);
        }

        let mut r = Rows { out: &mut out, item: number, initiative: inum, section: word::YEARS, name: &ini.name };
        for (&year, y) in &ini.years {
            let y = &y.value;
            let yr = Some(year);
            r.text(word::GOAL, yr, &y.goal);
            r.text(label::ACTIVITY, yr, &y.activity);
            r.text(word::RESULT, yr, &y.result);
            r.grade(word::SELF_EVALUATION, year, y.self_evaluation.as_ref(), &plan.self_evaluation);
            r.text(word::REASON, yr, &y.reason);
            r.grade(word::NEXT_YEARS, year, y.next_years.as_ref(), &plan.next_years);
            r.text(label::DIRECTION, yr, &y.direction);
        }
    }
    out
}

/// Font size of the data sheet.
const SIZE: f32 = 10.0;
/// Padding of a data cell (points, each side), as assumed when measuring.
const PAD: f32 = 2.0;
/// The widest each column gets, in pixels; longer values wrap.
const MAX_COLUMN_PX: [u32; 8] = [80, 80, 100, 240, 200, 60, 480, 80];

/// A cell of the data sheet, before it is written.
enum Out<'a> {
    Text(&'a str),
    Number(f64, &'a Format),
}

/// Writes the data sheet: a header row, then one row per datum, with an autofilter and the
/// header row frozen. Columns are as wide as their longest value (up to a limit, then the
/// value wraps) and rows as tall as their wrapped values, measured with the bundled font.
pub fn write(ws: &mut Worksheet, rows: &[Datum]) -> Result<(), XlsxError> {
    let header = base_format(SIZE, Weight::Regular)
        .set_background_color(Color::RGB(0xE8EEF4))
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::Top);
    let text = base_format(SIZE, Weight::Regular).set_align(FormatAlign::Top).set_text_wrap();
    let number = base_format(SIZE, Weight::Regular).set_align(FormatAlign::Top).set_num_format("#,##0.###");
    let year = base_format(SIZE, Weight::Regular).set_align(FormatAlign::Top).set_num_format("0");

    let cells = |d| cells(d, &year, &number);

    // Column widths: the longest line of each column, within its limit.
    let mut widths: Vec<u32> = HEADERS.iter().map(|h| width_px(h)).collect();
    for d in rows {
        for (c, cell) in cells(d).iter().enumerate() {
            if let Some((_, shown)) = cell {
                let w = shown.lines().map(width_px).max().unwrap_or(0);
                widths[c] = widths[c].max(w);
            }
        }
    }
    for (c, w) in widths.iter_mut().enumerate() {
        *w = (*w).min(MAX_COLUMN_PX[c]);
        ws.set_column_width_pixels(c as u16, *w)?;
    }

    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
    }
    for (i, d) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let mut lines = 1;
        for (c, cell) in cells(d).into_iter().enumerate() {
            let Some((out, shown)) = cell else { continue };
            match out {
                Out::Text(s) => {
                    ws.write_string_with_format(r, c as u16, s, &text)?;
                    let paras: Vec<String> = shown.lines().map(str::to_owned).collect();
                    lines = lines.max(wrap(&paras, widths[c], PAD, Weight::Regular, SIZE).len());
                }
                Out::Number(n, f) => {
                    ws.write_number_with_format(r, c as u16, n, f)?;
                }
            }
        }
        if lines > 1 {
            ws.set_row_height(r, lines_height(lines, SIZE, PAD).min(MAX_ROW_HEIGHT))?;
        }
    }
    finish_data_sheet(ws, rows.len(), HEADERS.len())
}

/// The setup of a one-datum-per-row sheet (`データ`, summary.xlsx's `一覧` and `指標`): a filter
/// over the header row and `rows` data rows, the header frozen, printed A4 landscape one page
/// wide with the header on every page.
pub(crate) fn finish_data_sheet(ws: &mut rust_xlsxwriter::Worksheet, rows: usize, columns: usize) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.autofilter(0, 0, rows as u32, columns as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_footer("&R&P / &N");
    Ok(())
}

/// The cells of a datum's row, each with the text it shows.
fn cells<'a>(d: &'a Datum, year: &'a Format, number: &'a Format) -> [Option<(Out<'a>, String)>; 8] {
    [
        text_cell(&d.item),
        text_cell(&d.initiative),
        text_cell(d.section),
        text_cell(&d.name),
        text_cell(d.field),
        d.year.map(|y| (Out::Number(f64::from(y), year), y.to_string())),
        match &d.value {
            Value::Number(n) => Some((Out::Number(*n, number), format_number(*n))),
            Value::Text(s) => text_cell(s),
        },
        text_cell(&d.unit),
    ]
}

/// A text cell, none when empty; with the text as shown.
fn text_cell(s: &str) -> Option<(Out<'_>, String)> {
    (!s.is_empty()).then(|| (Out::Text(s), s.to_owned()))
}

/// Width in pixels of a one-line text in the data sheet's font, with the cell's padding and
/// room for the autofilter button.
fn width_px(s: &str) -> u32 {
    let pt = font::face(Weight::Regular).width(s, SIZE * 1.06) + 2.0 * PAD;
    (pt * PX_PER_PT).ceil() as u32 + 20
}
