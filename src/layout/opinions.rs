//! The 意見一覧表 as a laid-out sheet: one table per item (項目 and 項目名 as its caption),
//! a row per member with the member's 評価 (code and name) and 意見, and the grade counts;
//! paginated and drawn like an item's sheet (`render::pdf::render`), so it is tagged, in one
//! font family and deterministic.

use super::grid::{PageSpec, Sheet, Table};
use super::paginate;
use super::table_builder::{Look, TableBuilder};
use crate::committee::OpinionRow;
use crate::era;
use crate::model::Plan;
use crate::schema::word;
use crate::summary::Value;

/// The sheet of summary.xlsx.
pub const SHEET: &str = "意見一覧";
/// The file name of the PDF for `year`.
pub fn file_name(year: i32) -> String {
    format!("opinions-{year}.pdf")
}

/// What a member with nothing written for an item is shown as.
pub const NOT_SUBMITTED: &str = "未提出";

/// `A 2件、B 1件、C 0件、D 0件、未提出 0件`.
pub fn counts_text(row: &OpinionRow) -> String {
    let missing = row.answers.iter().filter(|(_, o)| o.is_none_or(|o| o.grade.is_none())).count();
    let mut parts: Vec<String> = row.counts.iter().map(|(l, n)| format!("{l} {n}件")).collect();
    parts.push(format!("{NOT_SUBMITTED} {missing}件"));
    parts.join("、")
}

fn table(plan: &Plan, row: &OpinionRow, spec: &PageSpec) -> Table {
    let w = spec.content_width();
    let cols = vec![110.0, 110.0, w - 220.0];
    let caption = format!("{} {}", row.item.number.value, row.item.name);
    let mut b = TableBuilder::new(spec, caption.clone(), cols).bookmark(true).heading(caption);
    let r = b.add_rows(1);
    b.header_rows(1);
    b.text(r, 0, 1, 1, Look::COLUMN, word::MEMBERS);
    b.text(r, 1, 1, 1, Look::COLUMN, word::GRADE);
    b.text(r, 2, 1, 1, Look::COLUMN, word::OPINION);
    for (member, opinion) in &row.answers {
        let r = b.add_rows(1);
        b.text(r, 0, 1, 1, Look::NAME, member.name.value.clone());
        let grade = match opinion.and_then(|o| o.grade.as_ref()) {
            Some(g) => plan.external.label(&g.value),
            None if opinion.is_none() => NOT_SUBMITTED.to_owned(),
            None => "空欄".to_owned(),
        };
        b.text(r, 1, 1, 1, Look::DATA, grade);
        let text = match opinion {
            Some(o) if !o.opinion.is_empty() => o.opinion.paragraphs(),
            Some(_) => vec!["空欄".to_owned()],
            None => vec![NOT_SUBMITTED.to_owned()],
        };
        b.cell(r, 2, 1, 1, Look::DATA, text);
    }
    let r = b.add_rows(1);
    b.text(r, 0, 1, 1, Look::LABEL, "評価の件数");
    b.text(r, 1, 1, 2, Look::DATA, counts_text(row));
    b.finish()
}

/// The 意見一覧表 of `year` as a sheet.
pub fn lay_out(plan: &Plan, rows: &[OpinionRow], year: i32) -> Sheet {
    let spec = PageSpec::a4_landscape();
    let title = format!("{} 意見一覧表 ({})", plan.name, era::long_label(year));
    let tables: Vec<Table> = rows.iter().map(|r| table(plan, r, &spec)).collect();
    let footer = format!("意見一覧表 {}", era::long_label(year));
    let (pages, bookmarks) = paginate::paginate(&spec, &title, &tables, &footer);
    Sheet {
        spec,
        document_title: title.clone(),
        title,
        item_number: format!("opinions-{year}"),
        tables,
        pages,
        bookmarks,
    }
}

/// The 意見一覧 sheet of summary.xlsx: one row per item (項目, 項目名, each member's 評価 and
/// 意見, the count of each grade), one datum per cell like the other data sheets.
pub fn data_rows(plan: &Plan, rows: &[OpinionRow]) -> (Vec<String>, Vec<Vec<Value>>) {
    let mut headers = vec![word::ITEM.to_owned(), word::NAME.to_owned()];
    for m in &plan.members {
        headers.push(format!("{} {}", m.name.value, word::GRADE));
        headers.push(format!("{} {}", m.name.value, word::OPINION));
    }
    for (l, n) in &plan.external.grades {
        headers.push(format!("{l}：{n} (件)"));
    }
    headers.push(format!("{NOT_SUBMITTED} (件)"));
    let text = |s: String| if s.is_empty() { Value::Empty } else { Value::Text(s) };
    let data = rows
        .iter()
        .map(|row| {
            let mut v = vec![text(row.item.number.value.clone()), text(row.item.name.clone())];
            for (_, o) in &row.answers {
                v.push(match o {
                    None => text(NOT_SUBMITTED.to_owned()),
                    Some(o) => text(o.grade.as_ref().map(|g| plan.external.label(&g.value)).unwrap_or_default()),
                });
                v.push(match o {
                    None => Value::Empty,
                    Some(o) => text(o.opinion.paragraphs().join("\n")),
                });
            }
            for (_, n) in &row.counts {
                v.push(Value::Number(*n as f64));
            }
            let missing = row.answers.iter().filter(|(_, o)| o.is_none_or(|o| o.grade.is_none())).count();
            v.push(Value::Number(missing as f64));
            v
        })
        .collect();
    (headers, data)
}
