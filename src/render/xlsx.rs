//! The XLSX renderer (rust_xlsxwriter): one workbook per item with two sheets.
//!
//! - `シート`: the form, drawn from the same layout as the PDF (`form`): the same rows, labels,
//!   merged ranges, borders and fills, on a column grid that is the union of the tables' columns,
//!   with row heights measured for Excel, printed A4 landscape one page wide.
//! - `データ`: every value of the item, one datum per row, no merged cells (`data`), built from
//!   the model so that it can be filtered or pivoted without cleaning.
//!
//! The workbook's creation time is fixed, so identical input gives byte-identical files.

pub mod data;
pub mod form;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::font::Weight;
use crate::layout::Sheet;
use crate::model::{Item, Plan};

/// The name of the form sheet.
pub const FORM_SHEET: &str = "シート";
/// The name of the data sheet.
pub const DATA_SHEET: &str = "データ";

/// Renders an item's workbook to XLSX bytes. `sheet` is `layout::lay_out(plan, item)`.
pub fn render(plan: &Plan, item: &Item, sheet: &Sheet) -> Result<Vec<u8>, String> {
    build(plan, item, sheet).map_err(|e| format!("XLSX を作れませんでした ({}): {e}", sheet.item_number))
}

fn build(plan: &Plan, item: &Item, sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // zlib level 2 instead of the default 6: ~4 % of a build's instructions for ~14 % larger
    // workbooks (25 → 29 KB for 3-2; BENCHMARKS.md).
    wb.set_zip_compression_level(2);
    // A fixed creation time: rust_xlsxwriter would otherwise stamp the current time into
    // docProps/core.xml and no two builds would be identical.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let props = DocProperties::new()
        .set_title(&sheet.document_title)
        .set_company(&plan.organization)
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    // The workbook's default font is the form's. Column widths are stored in units of the
    // default font's digit width: BIZ UDGothic's digits are half an em, so at 12 pt (16 px)
    // a digit is exactly 8 px both in Excel (whole pixels) and in LibreOffice (exact
    // widths), and a column is as wide in either as the layout made it.
    wb.set_default_format(&form::base_format(12.0, Weight::Regular), 20, 72)?;

    let ws = wb.add_worksheet();
    ws.set_name(FORM_SHEET)?;
    form::write(ws, sheet)?;

    let ws = wb.add_worksheet();
    ws.set_name(DATA_SHEET)?;
    data::write(ws, &data::rows(plan, item))?;

    wb.save_to_buffer()
}
