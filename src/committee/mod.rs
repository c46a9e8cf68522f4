//! The external evaluation committee (外部評価委員): the vocabulary its workbooks share with
//! `import` (magic, field codes, defined names, fingerprints), the checks of plan.yaml's
//! members and of the items' 外部評価意見, which members' books have come back, and the rows
//! of the 意見一覧表.
//!
//! A member's workbook (`workbook`) is a department workbook's sibling: the same protected
//! sheets, structure lock, defined names and hidden `_shinko` sheet (written by
//! `collect::workbook`), with `shinko-committee-1` as its magic and the member under `委員`.

pub mod workbook;

use std::collections::HashMap;

use crate::collect::{FieldValue, name_for};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::*;
use crate::output;
use crate::schema::word;
use crate::yaml_edit::Seg;

/// The first cell of a member workbook's meta sheet.
pub const META_MAGIC: &str = "shinko-committee-1";
/// The meta sheet's label of the member (column A, row 4).
pub const META_MEMBER: &str = "委員";
/// The folder of the member workbooks under `collect/{年度}/`.
pub const FOLDER: &str = word::EXTERNAL;

/// An input of a member's workbook, per item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Grade,
    Opinion,
}

impl Field {
    pub const ALL: [Field; 2] = [Field::Grade, Field::Opinion];

    pub fn code(self) -> &'static str {
        match self {
            Field::Grade => "grade",
            Field::Opinion => "opinion",
        }
    }

    pub fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The YAML key under the member's entry, also the label on the sheet.
    pub fn key(self) -> &'static str {
        match self {
            Field::Grade => word::GRADE,
            Field::Opinion => word::OPINION,
        }
    }

    /// The key path from an item's root: `年度別 / 2022 / 外部評価意見 / {委員} / 評価`.
    pub fn path(self, year: i32, member: &str) -> Vec<Seg> {
        vec![
            Seg::key(word::YEARS),
            Seg::key(year.to_string()),
            Seg::key(word::OPINIONS),
            Seg::key(member),
            Seg::key(self.key()),
        ]
    }
}

/// The defined name of a member workbook's input cell: `shinko_c_3_2_y2022_grade`.
pub fn cell_name(item: &str, year: i32, field: Field) -> String {
    name_for("shinko_c_", item, year, field.code())
}

/// The member's opinion on `item` for `year`, if written.
pub fn opinion_of<'a>(item: &'a Item, year: i32, member: &str) -> Option<&'a Opinion> {
    item.years.get(&year)?.value.opinions.iter().find(|o| o.member.value == member)
}

/// A field's current value in the canonical form of the department workbooks.
pub fn value_of(item: &Item, year: i32, member: &str, field: Field) -> FieldValue {
    let Some(o) = opinion_of(item, year, member) else { return FieldValue::Empty };
    match field {
        Field::Grade => match &o.grade {
            Some(g) if !g.value.trim().is_empty() => FieldValue::Grade(g.value.trim().to_owned()),
            _ => FieldValue::Empty,
        },
        Field::Opinion if o.opinion.is_empty() => FieldValue::Empty,
        Field::Opinion => FieldValue::Text(o.opinion.clone()),
    }
}

/// The file stem of a member's workbook: the ID when given, else the name.
pub fn file_stem(member: &Member) -> String {
    output::file_stem(member.file_key())
}

/// 外部評価委員: names distinct, file names legal and distinct (as Windows sees them).
pub fn check_members(diags: &mut Diagnostics, file: usize, plan: &Plan) {
    let mut names: HashMap<&str, &Member> = HashMap::new();
    let mut stems: HashMap<String, &Member> = HashMap::new();
    for m in &plan.members {
        let at = |other: &Member| format!("もう一方: {} 行目 {} 列目", other.name.span.line, other.name.span.column);
        if let Some(other) = names.get(m.name.value.as_str()) {
            diags.push(Diagnostic::new(file, Some(m.name.span), format!("{} に「{}」が 2 回書かれています", word::MEMBERS, m.name.value)).note(at(other)));
            continue;
        }
        names.insert(&m.name.value, m);
        let stem = file_stem(m);
        if let Some(d) = crate::validate::file_name_problem(&stem, "外部評価委員の名前 (または ID) ", file, m.name.span) {
            diags.push(d);
            continue;
        }
        match stems.get(&stem.to_lowercase()) {
            Some(other) => diags.push(
                Diagnostic::new(file, Some(m.name.span), format!("外部評価委員「{}」と「{}」は、評価用ブックのファイル名が同じになります", m.name.value, other.name.value))
                    .note(at(other))
                    .note("ID を付けて区別してください (例: - {名前: …, ID: m2})。"),
            ),
            None => {
                stems.insert(stem.to_lowercase(), m);
            }
        }
    }
}

/// An item year's 外部評価意見: each member in 外部評価委員, each grade in 評価区分.外部評価.
pub fn check_opinions(diags: &mut Diagnostics, file: usize, plan: &Plan, year: i32, opinions: &[Opinion]) {
    for o in opinions {
        let path = format!("{}.{year}.{}.{}", word::YEARS, word::OPINIONS, o.member.value);
        if plan.member(&o.member.value).is_none() {
            let known: Vec<&str> = plan.members.iter().map(|m| m.name.value.as_str()).collect();
            diags.push(
                Diagnostic::new(file, Some(o.member.span), format!("{path}: 「{}」は plan.yaml の {} にいません", o.member.value, word::MEMBERS))
                    .note(if known.is_empty() { format!("plan.yaml に {} がありません。", word::MEMBERS) } else { format!("委員: {}", known.join("、")) }),
            );
        }
        crate::validate::grade(diags, file, plan, ScaleKind::External, &format!("{path}.{}", word::GRADE), o.grade.as_ref());
    }
}

/// Whether a member's grade or opinion is written for any item of `year`: their book came back
/// and was imported.
pub fn has_answered(items: &[ItemFile], year: i32, member: &str) -> bool {
    items.iter().any(|f| {
        Field::ALL.iter().any(|&field| !value_of(&f.item, year, member, field).is_empty())
    })
}

/// `status --committee`: the members whose books have not come back for `year` (no grade or
/// opinion of theirs under any item's year), in plan.yaml's order.
pub fn missing_members<'p>(plan: &'p Plan, items: &[ItemFile], year: i32) -> Vec<&'p Member> {
    plan.members.iter().filter(|m| !has_answered(items, year, &m.name.value)).collect()
}

/// One item's row of the 意見一覧表: each member's grade and opinion (None: nothing written).
pub struct OpinionRow<'a> {
    pub item: &'a Item,
    pub answers: Vec<(&'a Member, Option<&'a Opinion>)>,
    /// The number of members who gave each grade of the scale, in the scale's order.
    pub counts: Vec<(String, usize)>,
}

/// The 意見一覧表 of `year`: every item in counting order, when any opinion exists.
pub fn opinion_rows<'a>(plan: &'a Plan, items: &[&'a Item], year: i32) -> Option<Vec<OpinionRow<'a>>> {
    let any = items.iter().any(|i| i.years.get(&year).is_some_and(|y| !y.value.opinions.is_empty()));
    if !any || plan.members.is_empty() {
        return None;
    }
    let mut sorted: Vec<&Item> = items.to_vec();
    sorted.sort_by(|a, b| crate::summary::natural_cmp(&a.number.value, &b.number.value));
    Some(
        sorted
            .into_iter()
            .map(|item| {
                let answers: Vec<(&Member, Option<&Opinion>)> =
                    plan.members.iter().map(|m| (m, opinion_of(item, year, &m.name.value))).collect();
                let counts = plan
                    .external
                    .grades
                    .iter()
                    .map(|(l, _)| {
                        let n = answers.iter().filter(|(_, o)| o.and_then(|o| o.grade.as_ref()).is_some_and(|g| g.value.trim() == l)).count();
                        (l.clone(), n)
                    })
                    .collect();
                OpinionRow { item, answers, counts }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names_differ_from_department_names() {
        assert_eq!(cell_name("3-2", 2022, Field::Grade), "shinko_c_3_2_y2022_grade");
        assert_eq!(Field::from_code("opinion"), Some(Field::Opinion));
    }
}
