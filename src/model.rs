//! The sheet's data as the rest of the program sees it: a plan (plan.yaml) and its items.
//!
//! Values that validation or the importer must point at keep their source span (`Sp`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::yaml_tree::{Node, SrcSpan};
use crate::schema::word;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub span: SrcSpan,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: SrcSpan) -> Self {
        Sp { value, span }
    }
}

/// A text cell: one paragraph, or bullet points.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Text {
    #[default]
    Empty,
    Para(String),
    Bullets(Vec<String>),
}

impl Text {
    pub fn is_empty(&self) -> bool {
        match self {
            Text::Empty => true,
            Text::Para(s) => s.trim().is_empty(),
            Text::Bullets(b) => b.iter().all(|s| s.trim().is_empty()),
        }
    }

    /// The printed paragraphs: a paragraph as it is, bullets as `・item`, one per paragraph.
    pub fn paragraphs(&self) -> Vec<String> {
        match self {
            Text::Empty => Vec::new(),
            Text::Para(s) => s.lines().map(str::to_owned).collect(),
            Text::Bullets(b) => b.iter().map(|s| format!("・{s}")).collect(),
        }
    }
}

/// A source file of the sheet set.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// One grade scale (評価区分): letter -> name, in the order of plan.yaml.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scale {
    pub grades: Vec<(String, String)>,
}

impl Scale {
    pub fn name_of(&self, letter: &str) -> Option<&str> {
        self.grades
            .iter()
            .find(|(l, _)| l == letter)
            .map(|(_, n)| n.as_str())
    }

    /// `B：進行強化`: the letter with its name, as printed on the sheet.
    pub fn label(&self, letter: &str) -> String {
        match self.name_of(letter) {
            Some(name) => format!("{letter}：{name}"),
            None => letter.to_owned(),
        }
    }

    /// `A 計画どおり, B 概ね計画どおり, …` for messages.
    pub fn listing(&self) -> String {
        self.grades
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Which of the plan's grade scales a grade belongs to (part of the input format).
pub use crate::schema::ScaleKind;

/// A member of the external evaluation committee (外部評価委員 of plan.yaml).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub name: Sp<String>,
    /// An ID the city gives the member (optional); the member's workbook is named by it
    /// when given, by the name otherwise.
    pub id: Option<String>,
}

impl Member {
    /// What the member's workbook file is named after.
    pub fn file_key(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.name.value)
    }
}

/// One member's grade and opinion on an item for one year (外部評価意見).
#[derive(Clone, Debug)]
pub struct Opinion {
    pub member: Sp<String>,
    pub grade: Option<Sp<String>>,
    pub opinion: Text,
}

/// plan.yaml: everything plan-wide.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub name: String,
    pub form_name: String,
    pub organization: String,
    pub first_year: i32,
    pub last_year: i32,
    pub pillars: Vec<(i64, String)>,
    pub self_evaluation: Scale,
    pub next_years: Scale,
    pub internal: Scale,
    /// The values an initiative's 区分 may take (取組の区分; 新規, 継続 when plan.yaml has none),
    /// in the order of their boxes on the sheet.
    pub categories: Vec<String>,
    /// 外部評価: the scale of the committee members' grades (empty when not set).
    pub external: Scale,
    /// 外部評価委員, in plan.yaml's order.
    pub members: Vec<Member>,
}

impl Plan {
    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name.value == name)
    }

    /// The fiscal years of 計画期間, in order.
    pub fn years(&self) -> Vec<i32> {
        (self.first_year..=self.last_year).collect()
    }

    pub fn pillar_name(&self, number: i64) -> Option<&str> {
        self.pillars
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, s)| s.as_str())
    }

    pub fn scale(&self, kind: ScaleKind) -> &Scale {
        match kind {
            ScaleKind::SelfEvaluation => &self.self_evaluation,
            ScaleKind::NextYears => &self.next_years,
            ScaleKind::Internal => &self.internal,
            ScaleKind::External => &self.external,
        }
    }
}

/// A per-year value of an indicator: a number (printed with the unit) or a text (verbatim).
#[derive(Clone, Debug, PartialEq)]
pub enum Amount {
    Number(f64),
    Text(String),
}

/// Year -> value, as written under 目標 or 実績.
pub type YearValues = BTreeMap<i32, Sp<Amount>>;

/// How the 計 column (and an initiative's totals) is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// 合計: the sum of the numeric values.
    Sum,
    /// 最新: the value of the latest year that has one.
    Latest,
}

/// 活動指標 or 成果指標.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndicatorKind {
    Activity,
    Outcome,
}

impl IndicatorKind {
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Activity => word::ACTIVITY_INDICATORS,
            IndicatorKind::Outcome => word::OUTCOME_INDICATORS,
        }
    }
}

/// An indicator of the item (指標.活動指標[] / 指標.成果指標[]).
#[derive(Clone, Debug)]
pub struct Indicator {
    pub kind: IndicatorKind,
    pub name: String,
    pub unit: String,
    pub aggregate: Option<Aggregate>,
    pub targets: YearValues,
    pub results: YearValues,
    pub overview: Text,
}

/// What the item's 年度別 holds for one year.
#[derive(Clone, Debug, Default)]
pub struct ItemYear {
    pub goal: Text,
    pub activity_result: Text,
    pub outcome_result: Text,
    pub internal_grade: Option<Sp<String>>,
    pub internal_comment: Text,
    pub external: Text,
    /// 外部評価意見: each member's grade and opinion, in the YAML's order.
    pub opinions: Vec<Opinion>,
}

/// An initiative's 効果額 or 指標: a description, a unit, targets and results.
#[derive(Clone, Debug, Default)]
pub struct Measure {
    pub description: Text,
    pub note: Text,
    pub unit: String,
    pub aggregate: Option<Aggregate>,
    pub targets: YearValues,
    pub results: YearValues,
}

/// What an initiative's 年度別 holds for one year.
#[derive(Clone, Debug, Default)]
pub struct InitiativeYear {
    pub goal: Text,
    pub activity: Text,
    pub result: Text,
    pub self_evaluation: Option<Sp<String>>,
    pub reason: Text,
    pub next_years: Option<Sp<String>>,
    pub direction: Text,
}

/// One 取組内容.
#[derive(Clone, Debug)]
pub struct Initiative {
    pub number: Sp<String>,
    pub name: String,
    pub departments: Vec<String>,
    /// 区分: one of the plan's `categories` (checked by `validate`).
    pub category: Option<Sp<String>>,
    pub related_plans: Text,
    pub overview: Text,
    pub other_effects: Text,
    pub effect: Measure,
    pub indicator: Measure,
    pub years: BTreeMap<i32, Sp<InitiativeYear>>,
}

/// One item (項目): a YAML file of `sheets/`.
#[derive(Clone, Debug)]
pub struct Item {
    pub number: Sp<String>,
    pub name: String,
    pub pillar: Sp<i64>,
    pub overview: Text,
    pub indicators: Vec<Indicator>,
    pub years: BTreeMap<i32, Sp<ItemYear>>,
    pub initiatives: Vec<Initiative>,
}

impl Item {
    /// The initiative (取組内容) with this number.
    pub fn initiative(&self, number: &str) -> Option<&Initiative> {
        self.initiatives.iter().find(|i| i.number.value == number)
    }
}

/// A loaded item together with its source.
#[derive(Clone, Debug)]
pub struct ItemFile {
    pub file: usize,
    pub root: Node,
    pub item: Item,
}

/// The unit of 効果額, part of the printed form.
pub use crate::schema::word::EFFECT_UNIT;
