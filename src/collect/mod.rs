//! Department workbooks (記入用ブック): what a department fills in for one year, how each input
//! cell is named, and the fingerprint of the values a workbook was made from.
//!
//! `collect` writes one workbook per department (`workbook`); `import` reads them back. Both
//! sides share this module's vocabulary: the input fields of an initiative's year, the ASCII
//! defined name of each input cell, the hidden `_shinko` sheet that records the plan, the year
//! and the fingerprint of every field's value, and the canonical form a value is compared in.

pub mod workbook;

use std::collections::BTreeMap;

use crate::model::*;
use crate::schema::word;
use crate::yaml_edit::Seg;

/// The name of the hidden sheet that records what a workbook was made from.
pub const META_SHEET: &str = "_shinko";
/// The first cell of the meta sheet, marking a shinko workbook and its layout version.
pub const META_MAGIC: &str = "shinko-collect-1";
/// The name of the instructions sheet.
pub const GUIDE_SHEET: &str = "記入方法";
/// Labels of the meta sheet's header rows (column A), values in column B.
pub const META_PLAN: &str = word::PLAN_NAME;
pub const META_YEAR: &str = "年度";
pub const META_DEPARTMENT: &str = "課";
/// The row (0-based) where the meta sheet's table of inputs starts (after its header row).
pub const META_TABLE_ROW: u32 = 6;

/// What kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A text: one paragraph, or bullet points.
    Text,
    /// A number (or, when already written so in the YAML, a text) per year.
    Amount,
    /// A grade letter of one of the plan's scales.
    Grade(ScaleKind),
}

/// An input of an initiative's year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Result,
    Effect,
    Indicator,
    SelfEvaluation,
    Reason,
    NextYears,
    Direction,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Result,
        Field::Effect,
        Field::Indicator,
        Field::SelfEvaluation,
        Field::Reason,
        Field::NextYears,
        Field::Direction,
    ];

    /// The suffix of the defined name (ASCII).
    pub fn code(self) -> &'static str {
        match self {
            Field::Result => "result",
            Field::Effect => "effect",
            Field::Indicator => "indicator",
            Field::SelfEvaluation => "self",
            Field::Reason => "reason",
            Field::NextYears => "next",
            Field::Direction => "direction",
        }
    }

    pub fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The label on the sheet and in messages.
    pub fn label(self) -> String {
        match self {
            Field::Effect | Field::Indicator => format!("{} {}", self.yaml_key(), word::RESULT),
            other => other.yaml_key().to_owned(),
        }
    }

    pub fn kind(self) -> FieldKind {
        match self {
            Field::Result | Field::Reason | Field::Direction => FieldKind::Text,
            Field::Effect | Field::Indicator => FieldKind::Amount,
            Field::SelfEvaluation => FieldKind::Grade(ScaleKind::SelfEvaluation),
            Field::NextYears => FieldKind::Grade(ScaleKind::NextYears),
        }
    }

    /// The key path below the initiative's mapping where the field is written.
    pub fn path(self, year: i32) -> Vec<Seg> {
        let y = year.to_string();
        match self {
            Field::Effect => vec![Seg::key(word::EFFECT), Seg::key(word::RESULT), Seg::key(y)],
            Field::Indicator => vec![Seg::key(word::INDICATORS), Seg::key(word::RESULT), Seg::key(y)],
            other => vec![Seg::key(word::YEARS), Seg::key(y), Seg::key(other.yaml_key())],
        }
    }

    /// The key of the field in the YAML: for 年度別 fields the key under the year, for the
    /// measures the mapping holding the 実績.
    pub fn yaml_key(self) -> &'static str {
        match self {
            Field::Result => word::RESULT,
            Field::SelfEvaluation => word::SELF_EVALUATION,
            Field::Reason => word::REASON,
            Field::NextYears => word::NEXT_YEARS,
            Field::Direction => word::DIRECTION,
            Field::Effect => word::EFFECT,
            Field::Indicator => word::INDICATORS,
        }
    }
}


/// A field's value in its canonical form, as compared and fingerprinted.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Empty,
    Text(Text),
    Amount(Amount),
    Grade(String),
}

impl FieldValue {
    /// The field's current value in an initiative.
    pub fn of(ini: &Initiative, year: i32, field: Field) -> FieldValue {
        let y = ini.years.get(&year).map(|y| &y.value);
        let text = |t: Option<&Text>| match t {
            Some(t) if !t.is_empty() => FieldValue::Text(t.clone()),
            _ => FieldValue::Empty,
        };
        let grade = |g: Option<&Sp<String>>| match g {
            Some(g) if !g.value.trim().is_empty() => FieldValue::Grade(g.value.trim().to_owned()),
            _ => FieldValue::Empty,
        };
        let amount = |m: &Measure| match m.results.get(&year) {
            Some(a) => FieldValue::Amount(a.value.clone()),
            None => FieldValue::Empty,
        };
        match field {
            Field::Result => text(y.map(|y| &y.result)),
            Field::Reason => text(y.map(|y| &y.reason)),
            Field::Direction => text(y.map(|y| &y.direction)),
            Field::SelfEvaluation => grade(y.and_then(|y| y.self_evaluation.as_ref())),
            Field::NextYears => grade(y.and_then(|y| y.next_years.as_ref())),
            Field::Effect => amount(&ini.effect),
            Field::Indicator => amount(&ini.indicator),
        }
    }

    /// The canonical text: texts by their printed lines (so a paragraph of `・` lines and the
    /// same bullet list compare equal), numbers in their shortest decimal form.
    pub fn canonical(&self) -> String {
        match self {
            FieldValue::Empty => String::new(),
            FieldValue::Text(t) => {
                let lines: Vec<String> = t
                    .paragraphs()
                    .iter()
                    .map(|l| l.trim_end().to_owned())
                    .collect();
                format!("T:{}", lines.join("\n").trim())
            }
            FieldValue::Amount(Amount::Number(n)) => format!("N:{}", format_number(*n)),
            FieldValue::Amount(Amount::Text(s)) => format!("S:{}", s.trim()),
            FieldValue::Grade(g) => format!("G:{g}"),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, FieldValue::Empty)
    }

    /// The value as shown in a message (`""` when empty).
    pub fn display(&self) -> String {
        match self {
            FieldValue::Empty => "\"\"".into(),
            FieldValue::Text(t) => format!("\"{}\"", t.paragraphs().join("\\n")),
            FieldValue::Amount(Amount::Number(n)) => format_number(*n),
            FieldValue::Amount(Amount::Text(s)) => format!("\"{s}\""),
            FieldValue::Grade(g) => g.clone(),
        }
    }

    pub fn fingerprint(&self) -> String {
        format!("{:016x}", fnv1a(self.canonical().as_bytes()))
    }
}

/// A number without a trailing `.0`: `1200`, `12.5`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// 64-bit FNV-1a: a small hash whose value never changes between Rust versions or runs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The workbook-global defined name of an input cell, ASCII only:
/// `shinko_3_2_1_y2022_result`. Letters and digits other than `x` are kept, `-` becomes `_`,
/// any other character (and `x` itself) becomes `x` + its hex code + `_`. So every `x` starts
/// an escape and the encoding can be read back: distinct numbers give distinct names
/// (`9-1-.` → `9_1_x2e_`, `9-1-x2e-` → `9_1_x78_2e_`).
pub fn cell_name(initiative: &str, year: i32, field: Field) -> String {
    name_for("shinko_", initiative, year, field.code())
}

/// A defined name `{prefix}{number escaped}_y{year}_{code}` (see [`cell_name`]).
pub fn name_for(prefix: &str, number: &str, year: i32, code: &str) -> String {
    let mut s = String::from(prefix);
    for c in number.chars() {
        match c {
            'x' => s.push_str("x78_"),
            'a'..='z' | 'A'..='Z' | '0'..='9' => s.push(c),
            '-' => s.push('_'),
            other => s.push_str(&format!("x{:x}_", other as u32)),
        }
    }
    s.push_str(&format!("_y{year}_{code}"));
    s
}

/// One initiative of one item, as it goes into a department's workbook.
pub struct Entry<'a> {
    pub item: &'a Item,
    pub initiative: &'a Initiative,
}

/// The initiatives of every item grouped by department (取組主管課), in file and list order;
/// an initiative with two departments is in both. Initiatives without a department are
/// returned apart.
pub fn by_department(items: &[ItemFile]) -> (BTreeMap<String, Vec<Entry<'_>>>, Vec<Entry<'_>>) {
    let mut map: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut none = Vec::new();
    for f in items {
        for ini in &f.item.initiatives {
            let depts: Vec<&str> = ini
                .departments
                .iter()
                .map(|d| d.trim())
                .filter(|d| !d.is_empty())
                .collect();
            if depts.is_empty() {
                none.push(Entry {
                    item: &f.item,
                    initiative: ini,
                });
            }
            let mut seen = Vec::new();
            for d in depts {
                if seen.contains(&d) {
                    continue;
                }
                seen.push(d);
                map.entry(d.to_owned()).or_default().push(Entry {
                    item: &f.item,
                    initiative: ini,
                });
            }
        }
    }
    (map, none)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn cell_names_are_ascii_and_distinct() {
        assert_eq!(
            cell_name("3-2-1", 2022, Field::Result),
            "shinko_3_2_1_y2022_result"
        );
        let a = cell_name("3_2", 2022, Field::Result);
        let b = cell_name("3-2", 2022, Field::Result);
        let c = cell_name("３-２", 2022, Field::Result);
        assert!(a != b && b != c && c.is_ascii(), "{a} {b} {c}");
        assert_ne!(cell_name("9-1-.", 2022, Field::Result), cell_name("9-1-x2e-", 2022, Field::Result));
    }

    #[test]
    fn bullets_and_the_same_lines_compare_equal() {
        let a = FieldValue::Text(Text::Bullets(vec!["a".into(), "b".into()]));
        let b = FieldValue::Text(Text::Para("・a\n・b".into()));
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(
            FieldValue::Empty.fingerprint(),
            FieldValue::Text(Text::Para("x".into())).fingerprint()
        );
        assert_eq!(
            FieldValue::Amount(Amount::Number(1200.0)).canonical(),
            "N:1200"
        );
    }
}
