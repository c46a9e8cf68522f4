//! `summary.xlsx` and `summary.csv`: the whole plan for the evaluation meeting and as open data.
//!
//! - `総括表`: the tables of `Summary::tables` one under the other, and a native stacked-bar
//!   chart of the 自己評価 distribution per 柱 drawn from the first table's cells.
//! - `一覧`: one row per 項目 × 取組 × 年度 (`summary::list_rows`), and `指標`: one row per
//!   indicator × 年度 (`summary::indicator_table`). Both follow the 総務省's rules for
//!   machine-readable tables: no merged cells, one datum per cell, numbers as numbers, units in
//!   the header, 西暦 beside 和暦, a header row with a filter, frozen panes.
//! - `summary.csv`: `一覧` as CSV, UTF-8 with BOM, CRLF line ends, RFC 4180 quoting.

use rust_xlsxwriter::{
    Chart, ChartFont, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Color, DocProperties, ExcelDateTime,
    Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::xlsx::form::{MAX_ROW_HEIGHT, PX_PER_PT, base_format, lines_height, wrap};
use crate::era;
use crate::font::{self, Weight};
use crate::layout::book::grade_color;
use crate::model::{Item, Plan};
use crate::summary::{self, Column, Summary, Value};
use crate::schema::word;

pub const SUMMARY_SHEET: &str = "総括表";
pub const LIST_SHEET: &str = "一覧";
pub const INDICATOR_SHEET: &str = word::INDICATORS;

/// Font size of the workbook's cells.
const SIZE: f32 = 10.0;
const PAD: f32 = 2.0;
/// The widest a column gets (pixels); longer values wrap.
const MAX_COLUMN_PX: u32 = 320;

/// Renders summary.xlsx.
pub fn xlsx(plan: &Plan, items: &[&Item], s: &Summary) -> Result<Vec<u8>, String> {
    build(plan, items, s).map_err(|e| format!("summary.xlsx を作れませんでした: {e}"))
}

fn build(plan: &Plan, items: &[&Item], s: &Summary) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(2);
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let props = DocProperties::new()
        .set_title(format!("{} 総括表 {}", plan.name, era::long_label(s.year)))
        .set_company(&plan.organization)
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    wb.set_default_format(&base_format(12.0, Weight::Regular), 20, 72)?;

    let ws = wb.add_worksheet();
    ws.set_name(SUMMARY_SHEET)?;
    summary_sheet(ws, plan, s)?;

    let ws = wb.add_worksheet();
    ws.set_name(LIST_SHEET)?;
    let headers: Vec<String> = summary::LIST_HEADERS.iter().map(|h| (*h).to_owned()).collect();
    data_sheet(ws, &headers, &summary::list_rows(plan, items))?;

    let ws = wb.add_worksheet();
    ws.set_name(INDICATOR_SHEET)?;
    let headers: Vec<String> = summary::INDICATOR_HEADERS.iter().map(|h| (*h).to_owned()).collect();
    data_sheet(ws, &headers, &summary::indicator_table(plan, items))?;

    // 意見一覧: the committee members' grades and opinions, when any exists for the year.
    if let Some(rows) = crate::committee::opinion_rows(plan, items, s.year) {
        let ws = wb.add_worksheet();
        ws.set_name(crate::layout::opinions::SHEET)?;
        let (headers, data) = crate::layout::opinions::data_rows(plan, &rows);
        data_sheet(ws, &headers, &data)?;
    }

    wb.save_to_buffer()
}

fn header_format() -> Format {
    base_format(SIZE, Weight::Regular)
        .set_background_color(Color::RGB(0xE8EEF4))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

fn number_format(column: Column) -> &'static str {
    match column {
        Column::Change => "+0;-0;0",
        Column::Percent => "0.0",
        Column::Amount => "#,##0",
        Column::Count => "0",
        Column::Number | Column::Text => "#,##0.###",
    }
}

/// Width in pixels of a one-line text at the sheet's size, with padding.
fn width_px(s: &str) -> u32 {
    let pt = font::face(Weight::Regular).width(s, SIZE * 1.06) + 2.0 * PAD;
    (pt * PX_PER_PT).ceil() as u32 + 8
}

/// The 総括表 sheet: a title, the tables one under the other with a blank row between, and
/// the chart beside the first table.
fn summary_sheet(ws: &mut Worksheet, plan: &Plan, s: &Summary) -> Result<(), XlsxError> {
    let title = base_format(14.0, Weight::Bold);
    let caption = base_format(SIZE + 1.0, Weight::Bold);
    let header = header_format();
    let text = base_format(SIZE, Weight::Regular).set_border(FormatBorder::Thin).set_align(FormatAlign::Top).set_text_wrap();
    let total_text = text.clone().set_bold();

    let tables = s.tables();
    let ncols = tables.iter().map(|t| t.headers.len()).max().unwrap_or(1);
    // Column widths: the widest value of each column (headers wrap, so a header counts by its
    // longest word only up to a limit).
    let mut widths = vec![48u32; ncols];
    for t in &tables {
        for (c, h) in t.headers.iter().enumerate() {
            widths[c] = widths[c].max(width_px(h).min(110));
        }
        for row in &t.rows {
            for (c, v) in row.iter().enumerate() {
                let w = summary::shown(v, t.columns[c]).lines().map(width_px).max().unwrap_or(0);
                widths[c] = widths[c].max(w.min(MAX_COLUMN_PX));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width_pixels(c as u16, *w)?;
    }

    ws.write_string_with_format(0, 0, format!("{} 総括表 {}", plan.name, era::long_label(s.year)), &title)?;
    ws.set_row_height(0, 22)?;
    let mut r: u32 = 2;
    let mut first_table: Option<(u32, u32)> = None;
    for (ti, t) in tables.iter().enumerate() {
        ws.write_string_with_format(r, 0, format!("{}. {}", ti + 1, t.caption), &caption)?;
        r += 1;
        let header_lines = t
            .headers
            .iter()
            .enumerate()
            .map(|(c, h)| wrap(std::slice::from_ref(h), widths[c], PAD, Weight::Regular, SIZE).len())
            .max()
            .unwrap_or(1);
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, h, &header)?;
        }
        ws.set_row_height(r, lines_height(header_lines, SIZE, PAD))?;
        r += 1;
        let body = r;
        for (k, row) in t.rows.iter().enumerate() {
            let total = t.total_row && k + 1 == t.rows.len();
            let mut lines = 1;
            for (c, v) in row.iter().enumerate() {
                let tf = if total { &total_text } else { &text };
                match v {
                    Value::Number(n) => {
                        let mut f = tf.clone().set_num_format(number_format(t.columns[c])).set_align(FormatAlign::Right);
                        if t.columns[c] == Column::Text {
                            f = f.set_align(FormatAlign::Left);
                        }
                        ws.write_number_with_format(r, c as u16, *n, &f)?;
                    }
                    Value::Text(s) => {
                        ws.write_string_with_format(r, c as u16, s, tf)?;
                        let paras: Vec<String> = s.lines().map(str::to_owned).collect();
                        lines = lines.max(wrap(&paras, widths[c], PAD, Weight::Regular, SIZE).len());
                    }
                    Value::Empty => {
                        ws.write_blank(r, c as u16, tf)?;
                    }
                }
            }
            if lines > 1 {
                ws.set_row_height(r, lines_height(lines, SIZE, PAD).min(MAX_ROW_HEIGHT))?;
            }
            r += 1;
        }
        if ti == 0 {
            first_table = Some((body, r - 1));
        }
        r += 1;
    }

    // The chart: one series per grade (and 未記入), one stacked bar per 柱 (not the total).
    if let Some((first, last)) = first_table
        && !s.pillars.is_empty()
    {
        let last_pillar = last - 1; // the total row is not charted
        let mut chart = Chart::new(ChartType::BarStacked);
        let font = ChartFont::new().set_name(font::FAMILY_JA).set_size(9).clone();
        for (g, name) in s.grade_headers().iter().enumerate() {
            let col = 3 + g as u16;
            let c = grade_color(g, s.grades.len() + 1);
            let color = Color::RGB(u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]));
            chart
                .add_series()
                .set_name(name.as_str())
                .set_categories((SUMMARY_SHEET, first, 0, last_pillar, 0))
                .set_values((SUMMARY_SHEET, first, col, last_pillar, col))
                .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(color)));
        }
        let chart_title = format!("自己評価の分布 (柱別、{})", summary::wareki(s.year));
        chart.title().set_name(&chart_title).set_font(&font);
        // In a bar chart the y axis holds the categories (reversed: 柱 1 at the top) and the x
        // axis the values.
        chart.y_axis().set_font(&font).set_reverse();
        chart.x_axis().set_font(&font).set_name("取組数").set_name_font(&font);
        chart.legend().set_position(ChartLegendPosition::Bottom).set_font(&font);
        // Excel keeps at most 255 characters of Alt text: the numbers are in table 1 above.
        chart.set_alt_text(format!("{chart_title}の積み上げ横棒グラフ。数値は表 1 のとおり。"));
        chart.set_width(640).set_height(120 + 40 * s.pillars.len() as u32);
        ws.insert_chart(r + 1, 0, &chart)?;
    }
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer("&R&P / &N");
    Ok(())
}

/// A data sheet (一覧, 指標, and `status-YYYY.xlsx`'s sheets): a header row with a filter and
/// frozen panes, one datum per cell.
pub(crate) fn data_sheet(ws: &mut Worksheet, headers: &[String], rows: &[Vec<Value>]) -> Result<(), XlsxError> {
    let header = header_format();
    let text = base_format(SIZE, Weight::Regular).set_align(FormatAlign::Top).set_text_wrap();
    let number = base_format(SIZE, Weight::Regular).set_align(FormatAlign::Top).set_num_format("#,##0.###");
    let whole = base_format(SIZE, Weight::Regular).set_align(FormatAlign::Top).set_num_format("0");

    let mut widths: Vec<u32> = headers.iter().map(|h| width_px(h) + 20).collect();
    for row in rows {
        for (c, v) in row.iter().enumerate() {
            let w = match v {
                Value::Empty => 0,
                Value::Number(n) => width_px(&crate::layout::sheet::format_number(*n)),
                Value::Text(s) => s.lines().map(width_px).max().unwrap_or(0),
            };
            widths[c] = widths[c].max(w.min(MAX_COLUMN_PX));
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width_pixels(c as u16, *w)?;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let mut lines = 1;
        for (c, v) in row.iter().enumerate() {
            match v {
                Value::Empty => {}
                Value::Number(n) => {
                    let f = if n.fract() == 0.0 && headers[c].starts_with("年度") || headers[c] == "柱" { &whole } else { &number };
                    ws.write_number_with_format(r, c as u16, *n, f)?;
                }
                Value::Text(s) => {
                    ws.write_string_with_format(r, c as u16, s, &text)?;
                    let paras: Vec<String> = s.lines().map(str::to_owned).collect();
                    lines = lines.max(wrap(&paras, widths[c], PAD, Weight::Regular, SIZE).len());
                }
            }
        }
        if lines > 1 {
            ws.set_row_height(r, lines_height(lines, SIZE, PAD).min(MAX_ROW_HEIGHT))?;
        }
    }
    super::xlsx::data::finish_data_sheet(ws, rows.len(), headers.len())
}

/// summary.csv: 一覧 as CSV. UTF-8 with a BOM (Excel on Windows then reads it as UTF-8),
/// CRLF line ends, fields quoted when they hold a comma, a quote or a line break (RFC 4180;
/// quotes doubled). Numbers are written in their shortest form without separators.
pub fn csv(plan: &Plan, items: &[&Item]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    let mut line = |fields: Vec<String>| {
        let f: Vec<String> = fields.into_iter().map(|s| csv_field(&s)).collect();
        out.push_str(&f.join(","));
        out.push_str("\r\n");
    };
    line(summary::LIST_HEADERS.iter().map(|h| (*h).to_owned()).collect());
    for row in summary::list_rows(plan, items) {
        line(
            row.iter()
                .map(|v| match v {
                    Value::Empty => String::new(),
                    Value::Number(n) => plain_number(*n),
                    // Line breaks inside a field are CRLF too, as Excel writes them.
                    Value::Text(s) => s.replace("\r\n", "\n").replace('\n', "\r\n"),
                })
                .collect(),
        );
    }
    out.into_bytes()
}

/// A number without thousands separators: `1200`, `0.5`.
pub fn plain_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("a"), "a");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("x\r\ny"), "\"x\r\ny\"");
        assert_eq!(plain_number(1200.0), "1200");
        assert_eq!(plain_number(0.5), "0.5");
    }
}
