//! The input format, described once: every key of `plan.yaml` and of an item file, where it
//! sits, whether it is required, its order, its label on the sheet, its kind and its limits.
//!
//! `load` checks mappings against these tables (allowed and required keys, near-miss
//! suggestions), `import` places new keys by their order, `collect` names its input fields by
//! them and the layout prints their labels. Each key of the format is written as a string
//! literal here and nowhere else in `src/` (see [`word`]).

use crate::yaml_edit::Seg;

/// The words of the input format: YAML keys and the fixed labels of the sheet.
pub mod word {
    // plan.yaml
    pub const PLAN_NAME: &str = "計画名";
    pub const FORM_NAME: &str = "様式名";
    pub const ORGANIZATION: &str = "団体名";
    pub const PERIOD: &str = "計画期間";
    pub const FIRST_YEAR: &str = "開始年度";
    pub const LAST_YEAR: &str = "終了年度";
    pub const PILLAR: &str = "改革の柱";
    pub const SCALES: &str = "評価区分";
    pub const PLAN_CATEGORIES: &str = "取組の区分";
    pub const MEMBERS: &str = "外部評価委員";
    pub const MEMBER_NAME: &str = "名前";
    pub const MEMBER_ID: &str = "ID";
    // item files
    pub const ITEM: &str = "項目";
    pub const NAME: &str = "項目名";
    pub const OVERVIEW: &str = "概要";
    pub const INDICATORS: &str = "指標";
    pub const ACTIVITY_INDICATORS: &str = "活動指標";
    pub const OUTCOME_INDICATORS: &str = "成果指標";
    pub const INDICATOR_NAME: &str = "名称";
    pub const UNIT: &str = "単位";
    pub const AGGREGATE: &str = "集計";
    pub const TARGET: &str = "目標";
    pub const RESULT: &str = "実績";
    pub const YEARS: &str = "年度別";
    pub const GOAL: &str = "取組目標";
    pub const ACTIVITY_RESULT: &str = "活動実績";
    pub const OUTCOME_RESULT: &str = "成果実績";
    pub const INTERNAL: &str = "内部評価";
    pub const EXTERNAL: &str = "外部評価";
    pub const GRADE: &str = "評価";
    pub const OPINIONS: &str = "外部評価意見";
    pub const OPINION: &str = "意見";
    pub const COMMENT: &str = "コメント";
    pub const INITIATIVES: &str = "取組内容";
    pub const NUMBER: &str = "番号";
    pub const DEPARTMENT: &str = "取組主管課";
    pub const CATEGORY: &str = "区分";
    pub const RELATED_PLANS: &str = "関係計画等";
    pub const OTHER_EFFECTS: &str = "その他効果";
    pub const EFFECT: &str = "効果額";
    pub const DESCRIPTION: &str = "説明";
    pub const NOTE: &str = "備考";
    pub const ACTIVITY: &str = "活動";
    pub const SELF_EVALUATION: &str = "自己評価";
    pub const REASON: &str = "評価理由";
    pub const NEXT_YEARS: &str = "次年度以降";
    pub const DIRECTION: &str = "方向性・課題";
    // fixed values
    pub const SUM: &str = "合計";
    pub const LATEST: &str = "最新";
    pub const NEW: &str = "新規";
    pub const CONTINUED: &str = "継続";
    pub const EFFECT_UNIT: &str = "千円";
}

use word::*;

/// What a key's value is.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A one-line string.
    Str,
    /// A whole number.
    Int,
    /// A paragraph, or bullet points (a list of strings).
    Text,
    /// A grade letter of one of the plan's scales.
    Grade(ScaleKind),
    /// One of these words.
    Choice(&'static [&'static str]),
    /// 区分: one of the plan's categories (取組の区分 of plan.yaml).
    Category,
    /// A list of words (取組の区分 of plan.yaml).
    Words,
    /// A name or a list of names (取組主管課).
    Names,
    /// A mapping with these keys.
    Map(&'static [Key]),
    /// A list of mappings with these keys.
    List(&'static [Key]),
    /// Fiscal year → a mapping with these keys.
    Years(&'static [Key]),
    /// Fiscal year → a number or a text (目標, 実績).
    YearValues,
    /// Member name → a mapping with these keys (外部評価意見).
    Members(&'static [Key]),
    /// A list of names or of mappings with these keys (外部評価委員 of plan.yaml).
    NamesOr(&'static [Key]),
    /// Number → name (改革の柱 of plan.yaml).
    Numbered,
    /// Letter → name (a grade scale).
    Grades,
}

/// One key of the format, at one place.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The YAML key.
    pub key: &'static str,
    /// The label printed on the sheet for this value.
    pub label: &'static str,
    pub required: bool,
    pub kind: Kind,
}

const fn key(key: &'static str, kind: Kind) -> Key {
    Key { key, label: key, required: false, kind }
}

const fn required(key: &'static str, kind: Kind) -> Key {
    Key { key, label: key, required: true, kind }
}

const fn labelled(key: &'static str, label: &'static str, kind: Kind) -> Key {
    Key { key, label, required: false, kind }
}

/// Labels of the sheet that are not YAML keys.
pub mod label {
    pub const ITEM_OVERVIEW: &str = "概要(目指す姿)";
    pub const INITIATIVE_OVERVIEW: &str = "概要(目指すもの)";
    pub const INTERNAL: &str = "内部評価(結果要因、次年度課題等)";
    pub const ACTIVITY: &str = "取組内容(活動)";
    pub const DIRECTION: &str = "次年度以降の取組の方向性・課題等";
    pub const TOTAL: &str = "計";
    pub const YEARLY: &str = "年度別の取組";
}

pub const AGGREGATES: &[&str] = &[SUM, LATEST];
/// The 区分 values of a plan whose plan.yaml has no 取組の区分.
pub const DEFAULT_CATEGORIES: &[&str] = &[NEW, CONTINUED];

/// Which of the plan's grade scales a grade belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleKind {
    SelfEvaluation,
    NextYears,
    Internal,
    /// 外部評価: the committee members' grades (optional in plan.yaml).
    External,
}

impl ScaleKind {
    /// The key under 評価区分 in plan.yaml, also the label on the sheet.
    pub fn key(self) -> &'static str {
        match self {
            ScaleKind::SelfEvaluation => SELF_EVALUATION,
            ScaleKind::NextYears => NEXT_YEARS,
            ScaleKind::Internal => INTERNAL,
            ScaleKind::External => EXTERNAL,
        }
    }
}

pub const PLAN: &[Key] = &[
    required(PLAN_NAME, Kind::Str),
    required(FORM_NAME, Kind::Str),
    key(ORGANIZATION, Kind::Str),
    required(PERIOD, Kind::Map(PERIOD_KEYS)),
    required(PILLAR, Kind::Numbered),
    required(SCALES, Kind::Map(SCALE_KEYS)),
    key(PLAN_CATEGORIES, Kind::Words),
    key(MEMBERS, Kind::NamesOr(MEMBER_KEYS)),
];
pub const MEMBER_KEYS: &[Key] = &[required(MEMBER_NAME, Kind::Str), key(MEMBER_ID, Kind::Str)];
pub const PERIOD_KEYS: &[Key] = &[required(FIRST_YEAR, Kind::Int), required(LAST_YEAR, Kind::Int)];
pub const SCALE_KEYS: &[Key] = &[
    required(SELF_EVALUATION, Kind::Grades),
    required(NEXT_YEARS, Kind::Grades),
    required(INTERNAL, Kind::Grades),
    key(EXTERNAL, Kind::Grades),
];

pub const ITEM_KEYS: &[Key] = &[
    required(ITEM, Kind::Str),
    required(NAME, Kind::Str),
    required(PILLAR, Kind::Int),
    labelled(OVERVIEW, label::ITEM_OVERVIEW, Kind::Text),
    key(INDICATORS, Kind::Map(INDICATOR_GROUPS)),
    key(YEARS, Kind::Years(ITEM_YEAR)),
    key(INITIATIVES, Kind::List(INITIATIVE)),
];
pub const INDICATOR_GROUPS: &[Key] = &[
    key(ACTIVITY_INDICATORS, Kind::List(INDICATOR)),
    key(OUTCOME_INDICATORS, Kind::List(INDICATOR)),
];
pub const INDICATOR: &[Key] = &[
    required(INDICATOR_NAME, Kind::Str),
    key(UNIT, Kind::Str),
    key(AGGREGATE, Kind::Choice(AGGREGATES)),
    key(TARGET, Kind::YearValues),
    key(RESULT, Kind::YearValues),
    key(OVERVIEW, Kind::Text),
];
pub const ITEM_YEAR: &[Key] = &[
    key(GOAL, Kind::Text),
    key(ACTIVITY_RESULT, Kind::Text),
    key(OUTCOME_RESULT, Kind::Text),
    labelled(INTERNAL, label::INTERNAL, Kind::Map(INTERNAL_KEYS)),
    key(EXTERNAL, Kind::Text),
    key(OPINIONS, Kind::Members(OPINION_KEYS)),
];
/// One member's grade and opinion under an item's year (written by `import` of the member's
/// committee workbook).
pub const OPINION_KEYS: &[Key] = &[key(GRADE, Kind::Grade(ScaleKind::External)), key(OPINION, Kind::Text)];
pub const INTERNAL_KEYS: &[Key] = &[key(GRADE, Kind::Grade(ScaleKind::Internal)), key(COMMENT, Kind::Text)];
pub const INITIATIVE: &[Key] = &[
    required(NUMBER, Kind::Str),
    required(NAME, Kind::Str),
    key(DEPARTMENT, Kind::Names),
    key(CATEGORY, Kind::Category),
    key(RELATED_PLANS, Kind::Text),
    labelled(OVERVIEW, label::INITIATIVE_OVERVIEW, Kind::Text),
    key(OTHER_EFFECTS, Kind::Text),
    key(EFFECT, Kind::Map(EFFECT_KEYS)),
    key(INDICATORS, Kind::Map(MEASURE)),
    key(YEARS, Kind::Years(INITIATIVE_YEAR)),
];
pub const EFFECT_KEYS: &[Key] = &[
    key(DESCRIPTION, Kind::Text),
    key(NOTE, Kind::Text),
    key(AGGREGATE, Kind::Choice(AGGREGATES)),
    key(TARGET, Kind::YearValues),
    key(RESULT, Kind::YearValues),
];
pub const MEASURE: &[Key] = &[
    key(DESCRIPTION, Kind::Text),
    key(NOTE, Kind::Text),
    key(UNIT, Kind::Str),
    key(AGGREGATE, Kind::Choice(AGGREGATES)),
    key(TARGET, Kind::YearValues),
    key(RESULT, Kind::YearValues),
];
pub const INITIATIVE_YEAR: &[Key] = &[
    key(GOAL, Kind::Text),
    labelled(ACTIVITY, label::ACTIVITY, Kind::Text),
    key(RESULT, Kind::Text),
    key(SELF_EVALUATION, Kind::Grade(ScaleKind::SelfEvaluation)),
    key(REASON, Kind::Text),
    key(NEXT_YEARS, Kind::Grade(ScaleKind::NextYears)),
    labelled(DIRECTION, label::DIRECTION, Kind::Text),
];

/// The key `name` of a table.
pub fn find(keys: &'static [Key], name: &str) -> Option<&'static Key> {
    keys.iter().find(|k| k.key == name)
}

/// The label of the key `name` of a table (the key itself when the table has no such key).
pub fn label_of(keys: &'static [Key], name: &'static str) -> &'static str {
    find(keys, name).map(|k| k.label).unwrap_or(name)
}

/// The keys of the mapping at `path` below an item file's root (`[取組内容, #2, 年度別, 2022]`
/// → the keys of an initiative's year), following the schema's nesting.
pub fn keys_at(path: &[Seg]) -> Option<&'static [Key]> {
    let mut keys = ITEM_KEYS;
    let mut segs = path.iter();
    while let Some(seg) = segs.next() {
        let Seg::Key(name) = seg else { return None };
        let k = find(keys, name)?;
        keys = match k.kind {
            Kind::Map(t) => t,
            Kind::List(t) => match segs.next() {
                Some(Seg::Index(_)) => t,
                _ => return None,
            },
            Kind::Years(t) | Kind::Members(t) => match segs.next() {
                Some(Seg::Key(_)) => t,
                _ => return None,
            },
            _ => return None,
        };
    }
    Some(keys)
}

/// Where a new key goes among its siblings: its index in the schema's order for that mapping.
pub fn order_at(parent: &[Seg], key: &str) -> Option<usize> {
    keys_at(parent)?.iter().position(|k| k.key == key)
}

/// Limits of what the renderers and the file systems can hold.
pub mod limits {
    /// Characters in one Excel cell.
    pub const CELL_CHARS: usize = 32_767;
    /// Characters of an Excel sheet name.
    pub const SHEET_NAME_CHARS: usize = 31;
    /// Characters of an Excel defined name.
    pub const DEFINED_NAME_CHARS: usize = 255;
    /// Bytes of a file name (most file systems: 255; kept lower for the temporary-file prefix
    /// and suffix added while writing).
    pub const FILE_NAME_BYTES: usize = 200;
    /// Fiscal years of a plan period.
    pub const PERIOD_YEARS: i64 = 21;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_at_follows_the_nesting() {
        let p = [Seg::key(INITIATIVES), Seg::Index(1), Seg::key(YEARS), Seg::key("2022")];
        assert_eq!(keys_at(&p).map(|k| k[0].key), Some(GOAL));
        assert_eq!(order_at(&p, REASON), Some(4));
        let m = [Seg::key(INITIATIVES), Seg::Index(0), Seg::key(EFFECT)];
        assert_eq!(order_at(&m, RESULT), Some(4));
        assert_eq!(keys_at(&[Seg::key("nope")]).map(|k| k.len()), None);
        assert_eq!(order_at(&[], YEARS), Some(5));
        let o = [Seg::key(YEARS), Seg::key("2022"), Seg::key(OPINIONS), Seg::key("委員")];
        assert_eq!(order_at(&o, OPINION), Some(1));
    }
}
