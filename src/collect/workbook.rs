//! Writing one department's workbook: the instructions sheet `記入方法`, one protected sheet
//! per initiative (context locked, inputs unlocked and shaded, each input with a defined
//! name), and the hidden `_shinko` sheet recording the plan, the year and the fingerprint of
//! every input's value. Bytes are deterministic (fixed creation time, fixed order).

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use super::{
    Entry, Field, FieldKind, FieldValue, GUIDE_SHEET, META_DEPARTMENT, META_MAGIC, META_PLAN,
    META_SHEET, META_TABLE_ROW, META_YEAR, cell_name,
};
use crate::era;
use crate::font::{self, Weight};
use crate::model::*;
use crate::schema::word;

pub(crate) const FONT_SIZE: f64 = 11.0;
/// Line height of wrapped text, in points.
const LINE_HEIGHT: f64 = 15.0;
/// Width of the value column, in points (about 40 full-width characters).
pub(crate) const VALUE_WIDTH_PT: f64 = 450.0;
const INPUT_FILL: u32 = 0xFFF2CC;
const LABEL_FILL: u32 = 0xE7EEF7;
const HEADER_FILL: u32 = 0x44546A;

/// The sheet name of an initiative: its number, with the characters Excel forbids replaced,
/// made unique within the workbook.
pub(crate) fn sheet_name(number: &str, used: &mut Vec<String>) -> String {
    let base: String = number
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect::<String>()
        .trim_matches('\'')
        .chars()
        .take(28)
        .collect();
    let base = if base.is_empty() || base == META_SHEET || base == GUIDE_SHEET {
        format!("取組{}", used.len() + 1)
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.to_lowercase() == name.to_lowercase()) {
        name = format!("{base}({n})");
        n += 1;
    }
    used.push(name.clone());
    name
}

/// `'sheet name'!$B$12` for a defined name.
pub(crate) fn reference(sheet: &str, row: u32, col: u16) -> String {
    format!(
        "='{}'!${}${}",
        sheet.replace('\'', "''"),
        col_letter(col),
        row + 1
    )
}

fn col_letter(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Column width in pixels for texts in BIZ UDゴシック at `size` points.
pub(crate) fn width_px(texts: &[&str], size: f64, bold: bool) -> u32 {
    let face = font::face(if bold { Weight::Bold } else { Weight::Regular });
    let pt = texts
        .iter()
        .map(|t| face.width(t, size as f32))
        .fold(0.0f32, f32::max) as f64;
    (pt * 96.0 / 72.0).ceil() as u32 + 14
}

/// The height of a row holding `text` wrapped in a column `width_pt` wide, at least `min_lines`.
pub(crate) fn row_height(text: &str, width_pt: f64, min_lines: usize) -> f64 {
    let face = font::face(Weight::Regular);
    let avail = (width_pt - 8.0).max(20.0) as f32;
    let lines: usize = text
        .split('\n')
        .map(|l| ((face.width(l, FONT_SIZE as f32) / avail).ceil() as usize).max(1))
        .sum();
    lines.max(min_lines) as f64 * LINE_HEIGHT + 6.0
}

pub(crate) struct Formats {
    pub(crate) title: Format,
    pub(crate) text: Format,
    pub(crate) label: Format,
    pub(crate) value: Format,
    pub(crate) header: Format,
    pub(crate) input_text: Format,
    pub(crate) input_number: Format,
    pub(crate) input_grade: Format,
    pub(crate) hint: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let base = Format::new()
            .set_font_name(font::FAMILY_JA)
            .set_font_charset(128)
            .set_font_size(FONT_SIZE)
            .set_align(FormatAlign::VerticalCenter);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0x8EA9C1))
            .set_text_wrap();
        let input = cell
            .clone()
            .set_background_color(Color::RGB(INPUT_FILL))
            .set_unlocked()
            .set_align(FormatAlign::Top);
        Formats {
            title: base.clone().set_bold().set_font_size(14),
            text: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            label: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(LABEL_FILL))
                .set_align(FormatAlign::Top),
            value: cell.clone().set_align(FormatAlign::Top),
            header: cell
                .clone()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(HEADER_FILL)),
            input_text: input.clone(),
            input_number: input
                .clone()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::VerticalCenter)
                .set_num_format("General"),
            input_grade: input.set_align(FormatAlign::VerticalCenter),
            hint: base
                .set_font_size(9)
                .set_font_color(Color::RGB(0x595959))
                .set_text_wrap()
                .set_align(FormatAlign::Top),
        }
    }
}

/// What goes into a cell: a string or a number.
enum CellValue {
    Blank,
    Str(String),
    Num(f64),
}

/// The value a field's input cell is pre-filled with.
fn prefill(plan: &Plan, value: &FieldValue, field: Field) -> CellValue {
    match value {
        FieldValue::Empty => CellValue::Blank,
        FieldValue::Text(t) => CellValue::Str(t.paragraphs().join("\n")),
        FieldValue::Amount(Amount::Number(n)) => CellValue::Num(*n),
        FieldValue::Amount(Amount::Text(s)) => CellValue::Str(s.clone()),
        FieldValue::Grade(g) => match field.kind() {
            FieldKind::Grade(kind) => CellValue::Str(plan.scale(kind).label(g)),
            _ => CellValue::Str(g.clone()),
        },
    }
}

/// Targets of a measure as `2022年度 35 団体数 (計画期間: 2021年度 35, 2023年度 36)`.
fn targets_text(m: &Measure, year: i32, unit: &str) -> String {
    let show = |a: &Amount| match a {
        Amount::Number(n) => format!(
            "{}{}",
            super::format_number(*n),
            if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            }
        ),
        Amount::Text(s) => s.clone(),
    };
    let this = m
        .targets
        .get(&year)
        .map(|a| show(&a.value))
        .unwrap_or_else(|| "なし".into());
    let all: Vec<String> = m
        .targets
        .iter()
        .map(|(y, a)| format!("{y}年度 {}", show(&a.value)))
        .collect();
    let mut s = format!("{year}年度の目標: {this}");
    if !all.is_empty() {
        s.push_str(&format!("\n(全年度: {})", all.join("、")));
    }
    s
}

fn measure_context(m: &Measure, year: i32, unit: &str) -> String {
    let mut parts = Vec::new();
    if !m.description.is_empty() {
        parts.push(m.description.paragraphs().join("\n"));
    }
    if !m.note.is_empty() {
        parts.push(format!("備考: {}", m.note.paragraphs().join("\n")));
    }
    parts.push(targets_text(m, year, unit));
    parts.join("\n")
}

/// One input of the meta sheet's table.
pub(crate) struct MetaRow {
    pub(crate) name: String,
    pub(crate) item: String,
    pub(crate) initiative: String,
    pub(crate) year: i32,
    /// The field's code (`Field::code`, or a committee field's).
    pub(crate) code: &'static str,
    pub(crate) fingerprint: String,
}

/// What the meta sheet says a workbook is: its magic, and whose it is (`課` and the
/// department, `委員` and the member).
pub(crate) struct MetaHead<'a> {
    pub(crate) magic: &'a str,
    pub(crate) owner_label: &'a str,
    pub(crate) owner: &'a str,
}

/// A new workbook in BIZ UDゴシック with fixed document properties (deterministic bytes).
pub(crate) fn new_book(plan: &Plan, title: String) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    // Cells without a format of their own are in BIZ UDゴシック too (its digits are 7 px wide
    // at 11 pt, like Calibri's, so the default column metrics hold).
    wb.set_default_format(
        &Format::new()
            .set_font_name(font::FAMILY_JA)
            .set_font_size(FONT_SIZE)
            .set_font_charset(128),
        20,
        64,
    )?;
    // A fixed creation time keeps the bytes identical from run to run.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title(title)
            .set_company(&plan.organization),
    );
    Ok(wb)
}

/// Defines the input cells' names, saves the workbook and locks its structure.
pub(crate) fn finish(mut wb: Workbook, defined: Vec<(String, String)>) -> Result<Vec<u8>, XlsxError> {
    for (name, formula) in defined {
        wb.define_name(name, &formula)?;
    }
    let bytes = wb.save_to_buffer()?;
    lock_structure(&bytes).map_err(|e| XlsxError::ParameterError(format!("ブックの構成の保護: {e}")))
}

/// The drop-down list of a grade cell: the scale's `A：名前` labels, or its letters when the
/// labels pass Excel's 255 characters.
pub(crate) fn grade_list(ws: &mut Worksheet, row: u32, col: u16, scale: &Scale, what: &str) -> Result<(), XlsxError> {
    let labels: Vec<String> = scale.grades.iter().map(|(l, _)| scale.label(l)).collect();
    let letters: Vec<String> = scale.grades.iter().map(|(l, _)| l.clone()).collect();
    let (dv, choices) = match DataValidation::new().allow_list_strings(&labels) {
        Ok(dv) => (dv, labels),
        Err(_) => (DataValidation::new().allow_list_strings(&letters)?, letters),
    };
    let mut message = format!("一覧から選んでください: {}", choices.join("、"));
    if message.chars().count() > 250 {
        message = "一覧から選んでください。".into();
    }
    let dv = dv
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_error_title(format!("{what}の入力"))?
        .set_error_message(message)?;
    ws.add_data_validation(row, col, row, col, &dv)?;
    Ok(())
}

/// Builds the workbook of `department` for `year` and returns its bytes.
pub fn build(
    plan: &Plan,
    department: &str,
    year: i32,
    entries: &[Entry],
) -> Result<Vec<u8>, String> {
    write(plan, department, year, entries)
        .map_err(|e| format!("{department} の記入用ブックを作れません: {e}"))
}

fn write(
    plan: &Plan,
    department: &str,
    year: i32,
    entries: &[Entry],
) -> Result<Vec<u8>, XlsxError> {
    let fm = Formats::new();
    let mut wb = new_book(plan, format!("{} 取組状況の記入 {}", plan.name, era::long_label(year)))?;

    let mut used = vec![GUIDE_SHEET.to_owned(), META_SHEET.to_owned()];
    let names: Vec<String> = entries
        .iter()
        .map(|e| sheet_name(&e.initiative.number.value, &mut used))
        .collect();

    guide_sheet(
        wb.add_worksheet(),
        &fm,
        plan,
        department,
        year,
        entries,
        &names,
    )?;

    let mut meta_rows = Vec::new();
    let mut defined = Vec::new();
    for (entry, sheet) in entries.iter().zip(&names) {
        let ws = wb.add_worksheet();
        initiative_sheet(
            ws,
            &fm,
            plan,
            year,
            entry,
            sheet,
            &mut meta_rows,
            &mut defined,
        )?;
    }
    let head = MetaHead { magic: META_MAGIC, owner_label: META_DEPARTMENT, owner: department };
    meta_sheet(wb.add_worksheet(), plan, &head, year, &meta_rows)?;
    finish(wb, defined)
}

/// Protects the workbook's structure (no password): sheets cannot be added, deleted,
/// renamed, moved or unhidden, so the hidden `_shinko` sheet and the input sheets stay as
/// made. rust_xlsxwriter has no setting for it: `xl/workbook.xml` gets a
/// `<workbookProtection lockStructure="1"/>`; every other part is copied as written.
pub(crate) fn lock_structure(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::{Cursor, Read, Write};
    let err = |e: zip::result::ZipError| e.to_string();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(err)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + 64)));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(err)?;
        if file.name().map_err(err)? != "xl/workbook.xml" {
            out.raw_copy_file(file).map_err(err)?;
            continue;
        }
        let mut xml = String::new();
        file.read_to_string(&mut xml).map_err(|e| e.to_string())?;
        let at = xml.find("<bookViews").ok_or("xl/workbook.xml に bookViews がありません")?;
        xml.insert_str(at, "<workbookProtection lockStructure=\"1\"/>");
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o600)
            .last_modified_time(zip::DateTime::default());
        out.start_file("xl/workbook.xml", options).map_err(err)?;
        out.write_all(xml.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(out.finish().map_err(err)?.into_inner())
}

/// The instructions sheet's steps, then a heading and the list of the book's sheets, each a
/// wrapped line in column A from `row` on.
pub(crate) fn guide_lines(ws: &mut Worksheet, fm: &Formats, mut row: u32, steps: &[String], heading: &str, list: &[String], wide: f64) -> Result<(), XlsxError> {
    for s in steps {
        ws.write_string_with_format(row, 0, s, &fm.text)?;
        ws.set_row_height(row, row_height(s, wide, 1))?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, heading, &fm.title)?;
    row += 1;
    for line in list {
        ws.write_string_with_format(row, 0, line, &fm.text)?;
        ws.set_row_height(row, row_height(line, wide, 1))?;
        row += 1;
    }
    Ok(())
}

/// A sheet of a collect workbook: named, no gridlines, A4 portrait, one page wide.
pub(crate) fn form_sheet(ws: &mut Worksheet, name: &str) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    ws.set_screen_gridlines(false);
    ws.set_portrait();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

pub(crate) fn protect(ws: &mut Worksheet) {
    let mut opts = ProtectionOptions::new();
    // Departments may make rows taller to read long texts; nothing else.
    opts.format_rows = true;
    opts.format_columns = true;
    ws.protect_with_options(&opts);
}

fn guide_sheet(
    ws: &mut Worksheet,
    fm: &Formats,
    plan: &Plan,
    department: &str,
    year: i32,
    entries: &[Entry],
    names: &[String],
) -> Result<(), XlsxError> {
    form_sheet(ws, GUIDE_SHEET)?;
    let label = era::long_label(year);
    let wide = VALUE_WIDTH_PT - 40.0;
    ws.set_column_width_pixels(0, (wide * 96.0 / 72.0) as u32)?;
    let mut row = 0;
    ws.write_string_with_format(
        row,
        0,
        format!("{} 取組状況の記入のお願い", plan.name),
        &fm.title,
    )?;
    ws.set_row_height(row, 24)?;
    row += 1;
    let head = format!(
        "対象: {department} の取組 {} 件 / 記入する年度: {label}{}",
        entries.len(),
        if plan.organization.is_empty() {
            String::new()
        } else {
            format!(" / {}", plan.organization)
        }
    );
    ws.write_string_with_format(row, 0, head, &fm.text)?;
    row += 2;
    let scale_line = |kind: ScaleKind| {
        format!(
            "{}: {}",
            kind.key(),
            plan.scale(kind)
                .grades
                .iter()
                .map(|(l, n)| format!("{l}：{n}"))
                .collect::<Vec<_>>()
                .join("、")
        )
    };
    let steps = [
        format!("1. 取組ごとのシート (シート名は取組の番号) を開き、色の付いたセルに {label} の状況を入力してください。色のないセルは参考のための表示で、変更できません。"),
        "2. 実績・評価理由・方向性・課題は文章で入力します。セルの中で改行するときは Alt + Enter (Mac は option + return) を押します。箇条書きにするときは、各行の先頭に「・」を付けてください。".into(),
        format!("3. 効果額 実績は {} 単位の数値で入力してください (例: 1200。マイナスは ▲300 のように書きます)。指標 実績は、シートに示した単位の数値で入力してください。", EFFECT_UNIT),
        "4. 自己評価・次年度以降は、セルを選ぶと右側に出る ▼ から選んでください。".into(),
        format!("   {}", scale_line(ScaleKind::SelfEvaluation)),
        format!("   {}", scale_line(ScaleKind::NextYears)),
        "5. すでに値が入っているセルは、現在の進行管理シートの内容です。変更がなければそのままにしてください。空欄のままのセルは、何も変更しません。".into(),
        "6. シートの追加・削除・名前の変更、行や列の挿入・削除はしないでください (取り込みができなくなります)。ファイル名は変えてもかまいません。".into(),
        "7. 入力が終わったら、Excel 形式 (.xlsx) のまま保存し、この照会の担当課へ返送してください。".into(),
    ];
    let lines: Vec<String> = entries
        .iter()
        .zip(names)
        .map(|(e, sheet)| {
            format!(
                "シート「{sheet}」: {} {} (項目 {} {})",
                e.initiative.number.value, e.initiative.name, e.item.number.value, e.item.name
            )
        })
        .collect();
    guide_lines(ws, fm, row, &steps, "このブックの取組", &lines, wide)?;
    ws.set_active(true);
    protect(ws);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn initiative_sheet(
    ws: &mut Worksheet,
    fm: &Formats,
    plan: &Plan,
    year: i32,
    entry: &Entry,
    sheet: &str,
    meta: &mut Vec<MetaRow>,
    defined: &mut Vec<(String, String)>,
) -> Result<(), XlsxError> {
    let ini = entry.initiative;
    let item = entry.item;
    form_sheet(ws, sheet)?;
    let y = ini.years.get(&year).map(|y| &y.value);
    let unit = ini.indicator.unit.trim();
    let unit_label = if unit.is_empty() {
        String::new()
    } else {
        format!(" ({unit})")
    };
    let effect_label = format!("{} ({EFFECT_UNIT})", Field::Effect.label());
    let indicator_label = format!("{}{unit_label}", Field::Indicator.label());
    let labels_for_width = [
        word::ITEM,
        word::INITIATIVES,
        word::DEPARTMENT,
        word::GOAL,
        word::ACTIVITY,
        word::EFFECT,
        word::INDICATORS,
        effect_label.as_str(),
        indicator_label.as_str(),
        word::DIRECTION,
    ];
    let label_px = width_px(&labels_for_width, FONT_SIZE, true);
    ws.set_column_width_pixels(0, label_px)?;
    ws.set_column_width_pixels(1, (VALUE_WIDTH_PT * 96.0 / 72.0) as u32)?;

    let mut row = 0;
    ws.merge_range(
        row,
        0,
        row,
        1,
        &format!("{} {}", ini.number.value, ini.name),
        &fm.title,
    )?;
    ws.set_row_height(row, 24)?;
    row += 1;
    let sub = format!(
        "{} の取組状況を、色の付いたセルに入力してください (記入方法はシート「{GUIDE_SHEET}」)。",
        era::long_label(year)
    );
    ws.merge_range(row, 0, row, 1, &sub, &fm.hint)?;
    ws.set_row_height(row, 18)?;
    row += 2;

    let text = |t: Option<&Text>| t.map(|t| t.paragraphs().join("\n")).unwrap_or_default();
    let context: Vec<(String, String)> = vec![
        (
            word::ITEM.into(),
            format!("{} {}", item.number.value, item.name),
        ),
        (
            word::INITIATIVES.into(),
            format!("{} {}", ini.number.value, ini.name),
        ),
        (word::DEPARTMENT.into(), ini.departments.join("、")),
        (word::GOAL.into(), text(y.map(|y| &y.goal))),
        (word::ACTIVITY.into(), text(y.map(|y| &y.activity))),
        (
            word::EFFECT.into(),
            measure_context(&ini.effect, year, EFFECT_UNIT),
        ),
        (word::INDICATORS.into(), measure_context(&ini.indicator, year, unit)),
    ];
    ws.merge_range(
        row,
        0,
        row,
        1,
        &format!("参考 ({}の計画)", era::long_label(year)),
        &fm.header,
    )?;
    row += 1;
    for (label, value) in &context {
        ws.write_string_with_format(row, 0, label, &fm.label)?;
        ws.write_string_with_format(row, 1, value, &fm.value)?;
        ws.set_row_height(row, row_height(value, VALUE_WIDTH_PT, 1))?;
        row += 1;
    }
    row += 1;
    ws.merge_range(
        row,
        0,
        row,
        1,
        &format!("記入欄 ({})", era::long_label(year)),
        &fm.header,
    )?;
    row += 1;

    for field in Field::ALL {
        let label = match field {
            Field::Effect => effect_label.clone(),
            Field::Indicator => indicator_label.clone(),
            f => f.label().to_owned(),
        };
        let current = FieldValue::of(ini, year, field);
        ws.write_string_with_format(row, 0, &label, &fm.label)?;
        let (format, min_lines) = match field.kind() {
            FieldKind::Text => (&fm.input_text, 4),
            FieldKind::Amount => (&fm.input_number, 1),
            FieldKind::Grade(_) => (&fm.input_grade, 1),
        };
        let value = prefill(plan, &current, field);
        let shown = match &value {
            CellValue::Blank => {
                ws.write_blank(row, 1, format)?;
                String::new()
            }
            CellValue::Str(s) => {
                ws.write_string_with_format(row, 1, s, format)?;
                s.clone()
            }
            CellValue::Num(n) => {
                ws.write_number_with_format(row, 1, *n, format)?;
                String::new()
            }
        };
        ws.set_row_height(row, row_height(&shown, VALUE_WIDTH_PT, min_lines))?;
        if let FieldKind::Grade(kind) = field.kind() {
            grade_list(ws, row, 1, plan.scale(kind), kind.key())?;
        }
        let name = cell_name(&ini.number.value, year, field);
        defined.push((name.clone(), reference(sheet, row, 1)));
        meta.push(MetaRow {
            name,
            item: item.number.value.clone(),
            initiative: ini.number.value.clone(),
            year,
            code: field.code(),
            fingerprint: current.fingerprint(),
        });
        row += 1;
    }
    row += 1;
    let note = "色の付いたセルだけ入力できます。文章のセル内の改行は Alt + Enter です。空欄のセルは取り込み時に何も変更しません。";
    ws.merge_range(row, 0, row, 1, note, &fm.hint)?;
    ws.set_row_height(row, 30)?;
    protect(ws);
    Ok(())
}

pub(crate) fn meta_sheet(
    ws: &mut Worksheet,
    plan: &Plan,
    head: &MetaHead,
    year: i32,
    rows: &[MetaRow],
) -> Result<(), XlsxError> {
    ws.set_name(META_SHEET)?;
    ws.write_string(0, 0, head.magic)?;
    ws.write_string(
        0,
        1,
        "このシートは取り込みに使います。変更しないでください。",
    )?;
    ws.write_string(1, 0, META_PLAN)?;
    ws.write_string(1, 1, &plan.name)?;
    ws.write_string(2, 0, META_YEAR)?;
    ws.write_number(2, 1, year)?;
    ws.write_string(3, 0, head.owner_label)?;
    ws.write_string(3, 1, head.owner)?;
    let header = ["名前", word::ITEM, word::INITIATIVES, "年度", "欄", "元の値の指紋"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(META_TABLE_ROW - 1, c as u16, *h)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = META_TABLE_ROW + i as u32;
        ws.write_string(row, 0, &r.name)?;
        ws.write_string(row, 1, &r.item)?;
        ws.write_string(row, 2, &r.initiative)?;
        ws.write_number(row, 3, r.year)?;
        ws.write_string(row, 4, r.code)?;
        ws.write_string(row, 5, &r.fingerprint)?;
    }
    ws.set_hidden(true);
    ws.protect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut used = vec![GUIDE_SHEET.to_owned()];
        assert_eq!(sheet_name("3-2-1", &mut used), "3-2-1");
        assert_eq!(sheet_name("3-2-1", &mut used), "3-2-1(2)");
        assert_eq!(sheet_name("a/b:c", &mut used), "a_b_c");
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(27), "AB");
        assert_eq!(reference("it's", 11, 1), "='it''s'!$B$12");
    }
}
