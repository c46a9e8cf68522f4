//! Writing one committee member's workbook (評価用ブック): the instructions sheet, one
//! protected sheet per item with what the member needs to judge it (context locked) and the
//! two inputs 評価 (a drop-down of the plan's 外部評価 scale) and 意見, each with a defined
//! name, and the hidden `_shinko` sheet with the fingerprints. Everything but the content is
//! `collect::workbook`'s: formats, protection, structure lock, meta sheet, fixed timestamps.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::{Field, META_MAGIC, META_MEMBER, cell_name, value_of};
use crate::collect::workbook::{
    Formats, MetaHead, form_sheet, guide_lines, MetaRow, VALUE_WIDTH_PT, finish, grade_list, meta_sheet, new_book, protect, reference, row_height, width_px,
    FONT_SIZE,
};
use crate::collect::{FieldValue, GUIDE_SHEET, format_number};
use crate::era;
use crate::model::*;
use crate::schema::{label, word};

/// Builds `member`'s workbook for `year` over `items` (in counting order) and returns its bytes.
pub fn build(plan: &Plan, member: &Member, year: i32, items: &[&Item]) -> Result<Vec<u8>, String> {
    write(plan, member, year, items).map_err(|e| format!("{} の評価用ブックを作れません: {e}", member.name.value))
}

/// The sheet name of an item: its number, made legal and unique as department sheets are.
fn sheet_names(items: &[&Item]) -> Vec<String> {
    let mut used = vec![GUIDE_SHEET.to_owned(), crate::collect::META_SHEET.to_owned()];
    items.iter().map(|i| crate::collect::workbook::sheet_name(&i.number.value, &mut used)).collect()
}

fn write(plan: &Plan, member: &Member, year: i32, items: &[&Item]) -> Result<Vec<u8>, XlsxError> {
    let fm = Formats::new();
    let mut wb: Workbook = new_book(plan, format!("{} {} {}", plan.name, word::EXTERNAL, era::long_label(year)))?;
    let names = sheet_names(items);
    guide(wb.add_worksheet(), &fm, plan, member, year, items, &names)?;
    let mut meta = Vec::new();
    let mut defined = Vec::new();
    for (item, sheet) in items.iter().zip(&names) {
        item_sheet(wb.add_worksheet(), &fm, plan, member, year, item, sheet, &mut meta, &mut defined)?;
    }
    let head = MetaHead { magic: META_MAGIC, owner_label: META_MEMBER, owner: &member.name.value };
    meta_sheet(wb.add_worksheet(), plan, &head, year, &meta)?;
    finish(wb, defined)
}

fn guide(ws: &mut Worksheet, fm: &Formats, plan: &Plan, member: &Member, year: i32, items: &[&Item], names: &[String]) -> Result<(), XlsxError> {
    form_sheet(ws, GUIDE_SHEET)?;
    let label = era::long_label(year);
    let wide = VALUE_WIDTH_PT - 40.0;
    ws.set_column_width_pixels(0, (wide * 96.0 / 72.0) as u32)?;
    ws.write_string_with_format(0, 0, format!("{} {}のお願い", plan.name, word::EXTERNAL), &fm.title)?;
    ws.set_row_height(0, 24)?;
    let head = format!("{} {} 様 / 対象: {label}の取組 {} 項目{}", word::MEMBERS, member.name.value, items.len(),
        if plan.organization.is_empty() { String::new() } else { format!(" / {}", plan.organization) });
    ws.write_string_with_format(1, 0, head, &fm.text)?;
    let scale = plan.external.grades.iter().map(|(l, n)| format!("{l}：{n}")).collect::<Vec<_>>().join("、");
    let steps = [
        format!("1. 項目ごとのシート (シート名は項目の番号) に、{label}の取組の状況 (取組目標・実績・指標・自己評価・内部評価) を載せています。色のないセルは参考のための表示で、変更できません。"),
        format!("2. 色の付いたセルに、{} (セルを選ぶと右側に出る ▼ から選びます) と {} (文章) を入力してください。セルの中で改行するときは Alt + Enter (Mac は option + return) です。", word::GRADE, word::OPINION),
        format!("   {}: {scale}", word::EXTERNAL),
        "3. 評価・意見のない項目は空欄のままにしてください。".into(),
        "4. シートの追加・削除・名前の変更、行や列の挿入・削除はしないでください (取り込みができなくなります)。ファイル名は変えてもかまいません。".into(),
        "5. 入力が終わったら、Excel 形式 (.xlsx) のまま保存し、事務局へ返送してください。返送した後に直したいときは、直したブックをもう一度送ってください。".into(),
    ];
    let list: Vec<String> = items.iter().zip(names).map(|(item, sheet)| format!("シート「{sheet}」: {} {}", item.number.value, item.name)).collect();
    guide_lines(ws, fm, 3, &steps, "このブックの項目", &list, wide)?;
    ws.set_active(true);
    protect(ws);
    Ok(())
}

fn text(t: &Text) -> String {
    t.paragraphs().join("\n")
}

fn amount(a: Option<&Sp<Amount>>, unit: &str) -> String {
    match a.map(|a| &a.value) {
        None => "—".into(),
        Some(Amount::Number(n)) => format!("{}{unit}", format_number(*n)),
        Some(Amount::Text(s)) => s.clone(),
    }
}

/// What the member reads about an item: label, text.
fn context(plan: &Plan, year: i32, item: &Item) -> Vec<(String, String)> {
    let y = item.years.get(&year).map(|y| &y.value);
    let mut rows = vec![
        (word::ITEM.to_owned(), item.number.value.clone()),
        (word::NAME.to_owned(), item.name.clone()),
        (word::PILLAR.to_owned(), format!("{} {}", item.pillar.value, plan.pillar_name(item.pillar.value).unwrap_or(""))),
        (word::GOAL.to_owned(), y.map(|y| text(&y.goal)).unwrap_or_default()),
        (word::ACTIVITY_RESULT.to_owned(), y.map(|y| text(&y.activity_result)).unwrap_or_default()),
        (word::OUTCOME_RESULT.to_owned(), y.map(|y| text(&y.outcome_result)).unwrap_or_default()),
    ];
    for ind in &item.indicators {
        rows.push((
            format!("{} {}", ind.kind.label(), ind.name),
            format!("{}: {} / {}: {}", word::TARGET, amount(ind.targets.get(&year), &ind.unit), word::RESULT, amount(ind.results.get(&year), &ind.unit)),
        ));
    }
    for ini in &item.initiatives {
        let iy = ini.years.get(&year).map(|y| &y.value);
        let grade = iy
            .and_then(|y| y.self_evaluation.as_ref())
            .map(|g| plan.self_evaluation.label(&g.value))
            .unwrap_or_default();
        let reason = iy.map(|y| text(&y.reason)).unwrap_or_default();
        rows.push((
            format!("{} {}", word::INITIATIVES, ini.number.value),
            format!("{}\n{}: {grade}\n{}: {reason}", ini.name, word::SELF_EVALUATION, word::REASON),
        ));
    }
    let internal = y
        .map(|y| {
            let g = y.internal_grade.as_ref().map(|g| plan.internal.label(&g.value)).unwrap_or_default();
            let c = text(&y.internal_comment);
            [g, c].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("\n")
        })
        .unwrap_or_default();
    rows.push((label::INTERNAL.to_owned(), internal));
    rows
}

#[allow(clippy::too_many_arguments)]
fn item_sheet(
    ws: &mut Worksheet,
    fm: &Formats,
    plan: &Plan,
    member: &Member,
    year: i32,
    item: &Item,
    sheet: &str,
    meta: &mut Vec<MetaRow>,
    defined: &mut Vec<(String, String)>,
) -> Result<(), XlsxError> {
    form_sheet(ws, sheet)?;
    let rows = context(plan, year, item);
    let labels: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).chain([word::GRADE, word::OPINION]).collect();
    ws.set_column_width_pixels(0, width_px(&labels, FONT_SIZE, true).min(260))?;
    ws.set_column_width_pixels(1, (VALUE_WIDTH_PT * 96.0 / 72.0) as u32)?;
    ws.merge_range(0, 0, 0, 1, &format!("{} {}", item.number.value, item.name), &fm.title)?;
    ws.set_row_height(0, 24)?;
    let sub = format!("{} {} 様: {}の取組を評価し、色の付いたセルに入力してください (記入方法はシート「{GUIDE_SHEET}」)。", word::MEMBERS, member.name.value, era::long_label(year));
    ws.merge_range(1, 0, 1, 1, &sub, &fm.hint)?;
    ws.set_row_height(1, 30)?;
    let mut row = 3;
    ws.merge_range(row, 0, row, 1, &format!("参考 ({}の取組)", era::long_label(year)), &fm.header)?;
    row += 1;
    for (l, v) in &rows {
        ws.write_string_with_format(row, 0, l, &fm.label)?;
        ws.write_string_with_format(row, 1, v, &fm.value)?;
        ws.set_row_height(row, row_height(v, VALUE_WIDTH_PT, 1))?;
        row += 1;
    }
    row += 1;
    ws.merge_range(row, 0, row, 1, &format!("{} ({})", word::EXTERNAL, member.name.value), &fm.header)?;
    row += 1;
    for field in Field::ALL {
        let current = value_of(item, year, &member.name.value, field);
        ws.write_string_with_format(row, 0, field.key(), &fm.label)?;
        let (format, min_lines) = match field {
            Field::Grade => (&fm.input_grade, 1),
            Field::Opinion => (&fm.input_text, 8),
        };
        let shown = match &current {
            FieldValue::Grade(g) => plan.external.label(g),
            FieldValue::Text(t) => text(t),
            _ => String::new(),
        };
        if shown.is_empty() {
            ws.write_blank(row, 1, format)?;
        } else {
            ws.write_string_with_format(row, 1, &shown, format)?;
        }
        ws.set_row_height(row, row_height(&shown, VALUE_WIDTH_PT, min_lines))?;
        if field == Field::Grade {
            grade_list(ws, row, 1, &plan.external, word::EXTERNAL)?;
        }
        let name = cell_name(&item.number.value, year, field);
        defined.push((name.clone(), reference(sheet, row, 1)));
        meta.push(MetaRow {
            name,
            item: item.number.value.clone(),
            initiative: String::new(),
            year,
            code: field.code(),
            fingerprint: current.fingerprint(),
        });
        row += 1;
    }
    protect(ws);
    Ok(())
}
