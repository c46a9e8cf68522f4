//! `status-YYYY.xlsx`: the state of a year's collect (`status::Status`) as two
//! one-datum-per-row sheets, laid out like summary.xlsx's data sheets (BIZ UDゴシック, a header
//! row with a filter, frozen): `提出状況` (one row per department and workbook) and `未記入一覧`
//! (one row per empty input field). The creation time is fixed: same input, same bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use super::summary::data_sheet;
use super::xlsx::form::base_format;
use crate::era;
use crate::font::Weight;
use crate::model::Plan;
use crate::status::{NO_DEPARTMENT, State, Status};
use crate::summary::Value;

pub const RETURNS_SHEET: &str = "提出状況";
pub const EMPTY_SHEET: &str = "未記入一覧";
pub const RETURNS_HEADERS: [&str; 4] = ["取組主管課", "取組数", "状態", "ブック"];
pub const EMPTY_HEADERS: [&str; 5] = ["取組主管課", "項目", "取組", "欄", "取組名"];

/// The file name for a year: `status-2022.xlsx`.
pub fn file_name(year: i32) -> String {
    format!("status-{year}.xlsx")
}

/// The rows of 提出状況: one per workbook given, one for a department without any.
pub fn returns_rows(s: &Status) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for d in &s.departments {
        let n = d.initiatives.to_string();
        if d.books.is_empty() {
            rows.push(vec![d.name.clone(), n.clone(), State::NotReturned.label().to_owned(), String::new()]);
        }
        for b in &d.books {
            let state = if b.filled { State::Filled } else { State::Untouched };
            rows.push(vec![d.name.clone(), n.clone(), state.label().to_owned(), b.path.display().to_string()]);
        }
    }
    rows
}

/// The rows of 未記入一覧.
pub fn empty_rows(s: &Status) -> Vec<Vec<String>> {
    s.empty
        .iter()
        .map(|e| {
            let dept = if e.department.is_empty() { NO_DEPARTMENT.to_owned() } else { e.department.clone() };
            vec![dept, e.item.clone(), e.initiative.clone(), e.field.label(), e.initiative_name.clone()]
        })
        .collect()
}

pub fn xlsx(plan: &Plan, s: &Status) -> Result<Vec<u8>, String> {
    build(plan, s).map_err(|e| format!("{} を作れませんでした: {e}", file_name(s.year)))
}

fn build(plan: &Plan, s: &Status) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(2);
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} 提出状況・未記入一覧 {}", plan.name, era::long_label(s.year)))
            .set_company(&plan.organization)
            .set_creation_datetime(&created),
    );
    wb.set_default_format(&base_format(12.0, Weight::Regular), 20, 72)?;
    let sheets: [(&str, &[&str], Vec<Vec<String>>); 2] = [
        (RETURNS_SHEET, &RETURNS_HEADERS, returns_rows(s)),
        (EMPTY_SHEET, &EMPTY_HEADERS, empty_rows(s)),
    ];
    for (name, headers, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        let rows: Vec<Vec<Value>> = rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .enumerate()
                    .map(|(c, v)| match v.parse::<f64>() {
                        // 取組数 is a number; every other column is text (item numbers too).
                        Ok(n) if name == RETURNS_SHEET && c == 1 => Value::Number(n),
                        _ if v.is_empty() => Value::Empty,
                        _ => Value::Text(v),
                    })
                    .collect()
            })
            .collect();
        data_sheet(ws, &headers, &rows)?;
    }
    wb.save_to_buffer()
}
