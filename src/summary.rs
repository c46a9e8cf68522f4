//! The 総括表: the whole plan's numbers for one evaluation year, and the 一覧 / 指標 tables of
//! the open-data workbook. Pure: plan and items in, numbers and rows out. The book
//! (`layout::book`), `summary.xlsx` and `summary.csv` (`render::summary`) draw from this.
//!
//! Counting rules:
//! - 取組 are counted by their 自己評価 for the year; an initiative without one is 未記入.
//! - 増減 is the count minus the previous year's (the year before, if it is in 計画期間).
//! - 効果額 totals add the numeric values only (texts are not numbers); a total with no
//!   numeric value at all is blank, not 0.
//! - An initiative with several 取組主管課 counts once for each of them.
//! - 達成率 = 実績 ÷ 目標, for indicators whose 目標 and 実績 of the year are both numbers and
//!   whose 目標 is not 0.

use std::cmp::Ordering;

use crate::era;
use crate::model::*;
use crate::schema::word;

/// Compares item numbers as people read them: runs of digits by their value, so `1-2` comes
/// before `1-10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut digit = None;
        for (i, c) in s.char_indices() {
            let d = c.is_ascii_digit();
            if digit.is_some_and(|p| p != d) {
                out.push((digit.unwrap_or(false), &s[start..i]));
                start = i;
            }
            digit = Some(d);
        }
        if start < s.len() {
            out.push((digit.unwrap_or(false), &s[start..]));
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(&cb) {
        let o = match (x, y) {
            ((true, x), (true, y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            ((_, x), (_, y)) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    ca.len().cmp(&cb.len()).then_with(|| a.cmp(b))
}

/// The items in book order: by 柱 in plan.yaml's order (a 柱 not in the plan last, by number),
/// then by item number in natural order.
pub fn book_order<'a>(plan: &Plan, items: &[&'a Item]) -> Vec<&'a Item> {
    let rank = |p: i64| plan.pillars.iter().position(|(n, _)| *n == p).unwrap_or(usize::MAX);
    let mut v = items.to_vec();
    v.sort_by(|a, b| {
        rank(a.pillar.value)
            .cmp(&rank(b.pillar.value))
            .then(a.pillar.value.cmp(&b.pillar.value))
            .then_with(|| natural_cmp(&a.number.value, &b.number.value))
    });
    v
}

/// The default evaluation year: the latest plan year in which any 自己評価 is filled; the
/// plan's first year when none is.
pub fn default_year(plan: &Plan, items: &[&Item]) -> i32 {
    plan.years()
        .into_iter()
        .rev()
        .find(|y| {
            items.iter().any(|it| {
                it.initiatives.iter().any(|ini| ini.years.get(y).is_some_and(|v| v.value.self_evaluation.is_some()))
            })
        })
        .unwrap_or(plan.first_year)
}

/// 自己評価 counts: one per grade of the plan's scale (in its order), then 未記入.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub grades: Vec<usize>,
    pub blank: usize,
}

impl Counts {
    fn new(n: usize) -> Counts {
        Counts { grades: vec![0; n], blank: 0 }
    }

    pub fn total(&self) -> usize {
        self.grades.iter().sum::<usize>() + self.blank
    }

    /// The counts followed by 未記入.
    pub fn all(&self) -> Vec<usize> {
        let mut v = self.grades.clone();
        v.push(self.blank);
        v
    }

    fn add(&mut self, scale: &Scale, grade: Option<&str>) {
        match grade.and_then(|g| scale.grades.iter().position(|(l, _)| l == g)) {
            Some(i) => self.grades[i] += 1,
            None => self.blank += 1,
        }
    }

    fn add_counts(&mut self, other: &Counts) {
        for (a, b) in self.grades.iter_mut().zip(&other.grades) {
            *a += b;
        }
        self.blank += other.blank;
    }

    /// This year's counts minus the previous year's, grade by grade, 未記入 last.
    pub fn change(&self, previous: &Counts) -> Vec<i64> {
        self.all().iter().zip(previous.all()).map(|(a, b)| *a as i64 - b as i64).collect()
    }
}

/// One 柱 (or the total) of the 総括表.
#[derive(Clone, Debug, PartialEq)]
pub struct PillarRow {
    /// The pillar number; `None` for the total.
    pub pillar: Option<i64>,
    /// `3 担い手をつくる改革`, or `合計`.
    pub label: String,
    pub items: usize,
    pub initiatives: usize,
    pub counts: Counts,
    /// The previous year's counts, when the previous year is in 計画期間.
    pub previous: Option<Counts>,
}

/// An item's 内部評価 and 外部評価 for the year.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemEvaluation {
    pub pillar: i64,
    pub number: String,
    pub name: String,
    /// The letter, and `B：進行強化` as printed.
    pub internal: Option<(String, String)>,
    pub external: String,
}

/// 効果額 totals of one 柱 (or the total), per plan year: (目標, 実績), `None` where no value
/// is a number.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectRow {
    pub pillar: Option<i64>,
    pub label: String,
    pub years: Vec<(Option<f64>, Option<f64>)>,
}

/// One 取組主管課.
#[derive(Clone, Debug, PartialEq)]
pub struct DepartmentRow {
    pub name: String,
    pub initiatives: usize,
    pub counts: Counts,
}

/// Where an indicator is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndicatorSource {
    Item(IndicatorKind),
    /// An initiative's 指標.
    Initiative,
}

impl IndicatorSource {
    pub fn label(self) -> &'static str {
        match self {
            IndicatorSource::Item(k) => k.label(),
            IndicatorSource::Initiative => "取組の指標",
        }
    }
}

/// One indicator for one year.
#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorRow {
    pub pillar: i64,
    pub item: String,
    /// The initiative number, empty for the item's own indicators.
    pub initiative: String,
    pub source: IndicatorSource,
    pub name: String,
    pub unit: String,
    pub year: i32,
    pub target: Option<Amount>,
    pub result: Option<Amount>,
}

impl IndicatorRow {
    /// 実績 ÷ 目標, when both are numbers and 目標 is not 0.
    pub fn rate(&self) -> Option<f64> {
        match (&self.target, &self.result) {
            (Some(Amount::Number(t)), Some(Amount::Number(r))) if *t != 0.0 => Some(r / t),
            _ => None,
        }
    }
}

/// The 総括表 for one evaluation year.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub year: i32,
    /// The year before, when it is in 計画期間 (for 増減).
    pub previous_year: Option<i32>,
    /// The plan's 自己評価 scale: (letter, name).
    pub grades: Vec<(String, String)>,
    /// The plan years (columns of the 効果額 table).
    pub years: Vec<i32>,
    /// One row per 柱 that has items, in plan order.
    pub pillars: Vec<PillarRow>,
    pub total: PillarRow,
    pub evaluations: Vec<ItemEvaluation>,
    pub effects: Vec<EffectRow>,
    pub effect_total: EffectRow,
    /// In order of first appearance in book order.
    pub departments: Vec<DepartmentRow>,
    /// Indicators with a numeric 目標 and 実績 for the year.
    pub indicators: Vec<IndicatorRow>,
}

fn pillar_label(plan: &Plan, p: i64) -> String {
    match plan.pillar_name(p) {
        Some(n) => format!("{p} {n}"),
        None => p.to_string(),
    }
}

fn grade_of(ini: &Initiative, year: i32) -> Option<&str> {
    ini.years.get(&year).and_then(|y| y.value.self_evaluation.as_ref()).map(|g| g.value.as_str())
}

fn number(v: Option<&Sp<Amount>>) -> Option<f64> {
    match v.map(|v| &v.value) {
        Some(Amount::Number(n)) => Some(*n),
        _ => None,
    }
}

fn add_opt(sum: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v {
        *sum = Some(sum.unwrap_or(0.0) + v);
    }
}

/// Whether an initiative's 指標 is filled in (a description or any value).
fn has_indicator(ini: &Initiative) -> bool {
    let m = &ini.indicator;
    !(m.targets.is_empty() && m.results.is_empty() && m.description.is_empty())
}

/// Every indicator of the items (item indicators, then each initiative's 指標 with a unit or
/// values) for one year, in book order, whatever its values.
pub fn indicator_rows(plan: &Plan, items: &[&Item], year: i32) -> Vec<IndicatorRow> {
    let mut out = Vec::new();
    for it in book_order(plan, items) {
        for ind in &it.indicators {
            out.push(IndicatorRow {
                pillar: it.pillar.value,
                item: it.number.value.clone(),
                initiative: String::new(),
                source: IndicatorSource::Item(ind.kind),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                year,
                target: ind.targets.get(&year).map(|v| v.value.clone()),
                result: ind.results.get(&year).map(|v| v.value.clone()),
            });
        }
        for ini in it.initiatives.iter().filter(|ini| has_indicator(ini)) {
            let m = &ini.indicator;
            out.push(IndicatorRow {
                pillar: it.pillar.value,
                item: it.number.value.clone(),
                initiative: ini.number.value.clone(),
                source: IndicatorSource::Initiative,
                name: m.description.paragraphs().join(" "),
                unit: m.unit.clone(),
                year,
                target: m.targets.get(&year).map(|v| v.value.clone()),
                result: m.results.get(&year).map(|v| v.value.clone()),
            });
        }
    }
    out
}

/// Computes the 総括表 for `year`.
pub fn summarize(plan: &Plan, items: &[&Item], year: i32) -> Summary {
    let items = book_order(plan, items);
    let scale = &plan.self_evaluation;
    let n = scale.grades.len();
    let previous_year = (year > plan.first_year && year - 1 <= plan.last_year).then_some(year - 1);
    let years = plan.years();

    let mut pillar_numbers: Vec<i64> = Vec::new();
    for it in &items {
        if !pillar_numbers.contains(&it.pillar.value) {
            pillar_numbers.push(it.pillar.value);
        }
    }

    let counts_for = |its: &[&&Item], y: i32| {
        let mut c = Counts::new(n);
        for it in its {
            for ini in &it.initiatives {
                c.add(scale, grade_of(ini, y));
            }
        }
        c
    };
    let row = |pillar: Option<i64>, label: String, its: &[&&Item]| PillarRow {
        pillar,
        label,
        items: its.len(),
        initiatives: its.iter().map(|it| it.initiatives.len()).sum(),
        counts: counts_for(its, year),
        previous: previous_year.map(|p| counts_for(its, p)),
    };
    let pillars: Vec<PillarRow> = pillar_numbers
        .iter()
        .map(|&p| {
            let its: Vec<&&Item> = items.iter().filter(|it| it.pillar.value == p).collect();
            row(Some(p), pillar_label(plan, p), &its)
        })
        .collect();
    let all: Vec<&&Item> = items.iter().collect();
    let total = row(None, word::SUM.to_owned(), &all);

    let evaluations = items
        .iter()
        .map(|it| {
            let y = it.years.get(&year).map(|y| &y.value);
            ItemEvaluation {
                pillar: it.pillar.value,
                number: it.number.value.clone(),
                name: it.name.clone(),
                internal: y
                    .and_then(|y| y.internal_grade.as_ref())
                    .map(|g| (g.value.clone(), plan.internal.label(&g.value))),
                external: y.map(|y| y.external.paragraphs().join("\n")).unwrap_or_default(),
            }
        })
        .collect();

    let effect = |pillar: Option<i64>, label: String, its: &[&&Item]| EffectRow {
        pillar,
        label,
        years: years
            .iter()
            .map(|y| {
                let (mut t, mut r) = (None, None);
                for it in its {
                    for ini in &it.initiatives {
                        add_opt(&mut t, number(ini.effect.targets.get(y)));
                        add_opt(&mut r, number(ini.effect.results.get(y)));
                    }
                }
                (t, r)
            })
            .collect(),
    };
    let effects = pillar_numbers
        .iter()
        .map(|&p| {
            let its: Vec<&&Item> = items.iter().filter(|it| it.pillar.value == p).collect();
            effect(Some(p), pillar_label(plan, p), &its)
        })
        .collect();
    let effect_total = effect(None, word::SUM.to_owned(), &all);

    let mut departments: Vec<DepartmentRow> = Vec::new();
    for it in &items {
        for ini in &it.initiatives {
            let mut seen: Vec<&str> = Vec::new();
            for d in &ini.departments {
                let d = d.trim();
                if d.is_empty() || seen.contains(&d) {
                    continue;
                }
                seen.push(d);
                let i = match departments.iter().position(|r| r.name == d) {
                    Some(i) => i,
                    None => {
                        departments.push(DepartmentRow { name: d.to_owned(), initiatives: 0, counts: Counts::new(n) });
                        departments.len() - 1
                    }
                };
                departments[i].initiatives += 1;
                departments[i].counts.add(scale, grade_of(ini, year));
            }
        }
    }

    let indicators = indicator_rows(plan, &items, year)
        .into_iter()
        .filter(|r| matches!(r.target, Some(Amount::Number(_))) && matches!(r.result, Some(Amount::Number(_))))
        .collect();

    Summary {
        year,
        previous_year,
        grades: scale.grades.clone(),
        years,
        pillars,
        total,
        evaluations,
        effects,
        effect_total,
        departments,
        indicators,
    }
}

impl Summary {
    /// The counts of the pillars, summed: equals `total.counts` (a consistency check).
    pub fn pillar_sum(&self) -> Counts {
        let mut c = Counts::new(self.grades.len());
        for p in &self.pillars {
            c.add_counts(&p.counts);
        }
        c
    }

    /// The column headers of the grade counts: `A 計画どおり`, …, `未記入`.
    pub fn grade_headers(&self) -> Vec<String> {
        let mut v: Vec<String> = self.grades.iter().map(|(l, n)| format!("{l} {n}")).collect();
        v.push("未記入".to_owned());
        v
    }

    /// A sentence stating the chart's numbers, for its Alt text.
    pub fn chart_description(&self) -> String {
        let headers = self.grade_headers();
        let mut s = format!("{} 自己評価の分布(柱別、取組数)。", era::long_label(self.year));
        for p in &self.pillars {
            let parts: Vec<String> = headers.iter().zip(p.counts.all()).map(|(h, c)| format!("{h} {c}")).collect();
            s.push_str(&format!("柱{}: {}。", p.label, parts.join("、")));
        }
        s
    }
}

/// A value of the 一覧 / 指標 tables.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Number(f64),
    Text(String),
}

impl Value {
    fn text(s: impl Into<String>) -> Value {
        let s = s.into();
        if s.is_empty() { Value::Empty } else { Value::Text(s) }
    }

    fn of_text(t: &Text) -> Value {
        Value::text(t.paragraphs().join("\n"))
    }

    fn of_amount(a: Option<&Sp<Amount>>) -> Value {
        match a.map(|a| &a.value) {
            None => Value::Empty,
            Some(Amount::Number(n)) => Value::Number(*n),
            Some(Amount::Text(t)) => Value::text(t.clone()),
        }
    }
}

/// The columns of 一覧 (and summary.csv). Units are in the headers.
pub const LIST_HEADERS: [&str; 24] = [
    "柱",
    "柱名",
    word::ITEM,
    word::NAME,
    "取組番号",
    "取組名",
    word::DEPARTMENT,
    word::CATEGORY,
    "年度",
    "年度(和暦)",
    word::GOAL,
    word::ACTIVITY,
    word::RESULT,
    "効果額 目標(千円)",
    "効果額 実績(千円)",
    "指標 目標",
    "指標 実績",
    "指標 単位",
    word::SELF_EVALUATION,
    "自己評価名",
    word::REASON,
    word::NEXT_YEARS,
    "次年度以降名",
    word::DIRECTION,
];

/// `令和3年度`, `令和元年度`: the 和暦 of a fiscal year, without the 西暦.
pub fn wareki(year: i32) -> String {
    let long = era::long_label(year);
    match long.find('(') {
        Some(i) => long[..i].to_owned(),
        None => long,
    }
}

/// 一覧: one row per 項目 × 取組 × plan year, in book order.
pub fn list_rows(plan: &Plan, items: &[&Item]) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for it in book_order(plan, items) {
        for ini in &it.initiatives {
            for y in plan.years() {
                let v = ini.years.get(&y).map(|v| &v.value);
                let grade = |g: Option<&Sp<String>>, scale: &Scale| match g {
                    Some(g) => (Value::text(g.value.clone()), Value::text(scale.name_of(&g.value).unwrap_or_default())),
                    None => (Value::Empty, Value::Empty),
                };
                let (se, se_name) = grade(v.and_then(|v| v.self_evaluation.as_ref()), &plan.self_evaluation);
                let (ny, ny_name) = grade(v.and_then(|v| v.next_years.as_ref()), &plan.next_years);
                let text = |f: fn(&InitiativeYear) -> &Text| v.map(|v| Value::of_text(f(v))).unwrap_or(Value::Empty);
                out.push(vec![
                    Value::Number(it.pillar.value as f64),
                    Value::text(plan.pillar_name(it.pillar.value).unwrap_or_default()),
                    Value::text(it.number.value.clone()),
                    Value::text(it.name.clone()),
                    Value::text(ini.number.value.clone()),
                    Value::text(ini.name.clone()),
                    Value::text(ini.departments.join("、")),
                    Value::text(ini.category.as_ref().map_or("", |c| c.value.trim())),
                    Value::Number(f64::from(y)),
                    Value::text(wareki(y)),
                    text(|v| &v.goal),
                    text(|v| &v.activity),
                    text(|v| &v.result),
                    Value::of_amount(ini.effect.targets.get(&y)),
                    Value::of_amount(ini.effect.results.get(&y)),
                    Value::of_amount(ini.indicator.targets.get(&y)),
                    Value::of_amount(ini.indicator.results.get(&y)),
                    Value::text(ini.indicator.unit.clone()),
                    se,
                    se_name,
                    text(|v| &v.reason),
                    ny,
                    ny_name,
                    text(|v| &v.direction),
                ]);
            }
        }
    }
    out
}

/// The columns of 指標.
pub const INDICATOR_HEADERS: [&str; 12] =
    ["柱", word::ITEM, "取組番号", word::CATEGORY, word::INDICATOR_NAME, "年度", "年度(和暦)", word::TARGET, word::RESULT, word::UNIT, "達成率(%)", word::AGGREGATE];

/// 指標: one row per indicator × plan year, in book order.
pub fn indicator_table(plan: &Plan, items: &[&Item]) -> Vec<Vec<Value>> {
    let years = plan.years();
    // The same indicators in the same order for every year (which ones are listed does not
    // depend on the year); their 集計, for reading the rows.
    let per_year: Vec<Vec<IndicatorRow>> = years.iter().map(|&y| indicator_rows(plan, items, y)).collect();
    let mut aggregates = Vec::new();
    for it in book_order(plan, items) {
        aggregates.extend(it.indicators.iter().map(|i| i.aggregate));
        aggregates.extend(it.initiatives.iter().filter(|ini| has_indicator(ini)).map(|ini| ini.indicator.aggregate));
    }
    let amount = |a: &Option<Amount>| match a {
        None => Value::Empty,
        Some(Amount::Number(n)) => Value::Number(*n),
        Some(Amount::Text(t)) => Value::text(t.clone()),
    };
    let mut out = Vec::new();
    for (k, aggregate) in aggregates.iter().enumerate() {
        for rows in &per_year {
            let r = &rows[k];
            out.push(vec![
                Value::Number(r.pillar as f64),
                Value::text(r.item.clone()),
                Value::text(r.initiative.clone()),
                Value::text(r.source.label()),
                Value::text(r.name.clone()),
                Value::Number(f64::from(r.year)),
                Value::text(wareki(r.year)),
                amount(&r.target),
                amount(&r.result),
                Value::text(r.unit.clone()),
                r.rate().map_or(Value::Empty, |x| Value::Number(x * 100.0)),
                Value::text(match aggregate {
                    Some(Aggregate::Sum) => word::SUM,
                    Some(Aggregate::Latest) => word::LATEST,
                    None => "",
                }),
            ]);
        }
    }
    out
}

/// How a column of a 総括表 table is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Text,
    /// A count (取組数).
    Count,
    /// A change against the previous year: `+1`, `-2`, `0`.
    Change,
    /// An amount (千円, thousands separated).
    Amount,
    /// A number as written (indicator values).
    Number,
    /// A percentage with one decimal.
    Percent,
}

/// One table of the 総括表, as the book and summary.xlsx show it.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryTable {
    /// `柱別の自己評価 (取組数)`.
    pub caption: String,
    pub headers: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// The last row is a total (合計).
    pub total_row: bool,
}

impl Summary {
    /// The 総括表's tables, in order: 柱別の自己評価 (with 増減), 内部評価・外部評価, 効果額,
    /// 取組主管課別, 指標の達成状況.
    pub fn tables(&self) -> Vec<SummaryTable> {
        let mut out = Vec::new();
        let grades = self.grade_headers();
        let count = |n: usize| Value::Number(n as f64);

        // 1. Per pillar: items, initiatives, grade counts, changes.
        let mut headers = vec!["柱".to_owned(), "項目数".to_owned(), "取組数".to_owned()];
        headers.extend(grades.iter().cloned());
        let mut columns = vec![Column::Text, Column::Count, Column::Count];
        columns.extend(std::iter::repeat_n(Column::Count, grades.len()));
        if self.previous_year.is_some() {
            headers.extend(grades.iter().map(|g| format!("{g} 増減")));
            columns.extend(std::iter::repeat_n(Column::Change, grades.len()));
        }
        let rows = self
            .pillars
            .iter()
            .chain(std::iter::once(&self.total))
            .map(|r| {
                let mut row = vec![Value::text(r.label.clone()), count(r.items), count(r.initiatives)];
                row.extend(r.counts.all().into_iter().map(count));
                if let Some(prev) = &r.previous {
                    row.extend(r.counts.change(prev).into_iter().map(|d| Value::Number(d as f64)));
                }
                row
            })
            .collect();
        out.push(SummaryTable {
            caption: match self.previous_year {
                Some(p) => format!("柱別の自己評価 (取組数、{}。増減は{}との比較)", wareki(self.year), wareki(p)),
                None => format!("柱別の自己評価 (取組数、{})", wareki(self.year)),
            },
            headers,
            columns,
            rows,
            total_row: true,
        });

        // 2. 内部評価 and 外部評価 per item.
        out.push(SummaryTable {
            caption: format!("項目別の内部評価・外部評価 ({})", wareki(self.year)),
            headers: ["柱", word::ITEM, word::NAME, word::INTERNAL, word::EXTERNAL].map(str::to_owned).to_vec(),
            columns: vec![Column::Count, Column::Text, Column::Text, Column::Text, Column::Text],
            rows: self
                .evaluations
                .iter()
                .map(|e| {
                    vec![
                        Value::Number(e.pillar as f64),
                        Value::text(e.number.clone()),
                        Value::text(e.name.clone()),
                        Value::text(e.internal.as_ref().map(|(_, l)| l.clone()).unwrap_or_default()),
                        Value::text(e.external.clone()),
                    ]
                })
                .collect(),
            total_row: false,
        });

        // 3. 効果額 per year.
        let mut headers = vec!["柱".to_owned()];
        for y in &self.years {
            headers.push(format!("{} 目標", wareki(*y)));
            headers.push(format!("{} 実績", wareki(*y)));
        }
        let mut columns = vec![Column::Text];
        columns.extend(std::iter::repeat_n(Column::Amount, 2 * self.years.len()));
        let amount = |v: Option<f64>| v.map_or(Value::Empty, Value::Number);
        out.push(SummaryTable {
            caption: "効果額 (千円)".to_owned(),
            headers,
            columns,
            rows: self
                .effects
                .iter()
                .chain(std::iter::once(&self.effect_total))
                .map(|r| {
                    let mut row = vec![Value::text(r.label.clone())];
                    for (t, a) in &r.years {
                        row.push(amount(*t));
                        row.push(amount(*a));
                    }
                    row
                })
                .collect(),
            total_row: true,
        });

        // 4. Per department.
        let mut headers = vec![word::DEPARTMENT.to_owned(), "取組数".to_owned()];
        headers.extend(grades.iter().cloned());
        let mut columns = vec![Column::Text, Column::Count];
        columns.extend(std::iter::repeat_n(Column::Count, grades.len()));
        out.push(SummaryTable {
            caption: format!("取組主管課別の自己評価 (取組数、{})", wareki(self.year)),
            headers,
            columns,
            rows: self
                .departments
                .iter()
                .map(|d| {
                    let mut row = vec![Value::text(d.name.clone()), count(d.initiatives)];
                    row.extend(d.counts.all().into_iter().map(count));
                    row
                })
                .collect(),
            total_row: false,
        });

        // 5. Indicators against their targets.
        let amount = |a: &Option<Amount>| match a {
            Some(Amount::Number(n)) => Value::Number(*n),
            Some(Amount::Text(t)) => Value::text(t.clone()),
            None => Value::Empty,
        };
        out.push(SummaryTable {
            caption: format!("指標の達成状況 ({})", wareki(self.year)),
            headers: [word::ITEM, "取組番号", word::CATEGORY, word::INDICATOR_NAME, word::UNIT, word::TARGET, word::RESULT, "達成率(%)"].map(str::to_owned).to_vec(),
            columns: vec![
                Column::Text,
                Column::Text,
                Column::Text,
                Column::Text,
                Column::Text,
                Column::Number,
                Column::Number,
                Column::Percent,
            ],
            rows: self
                .indicators
                .iter()
                .map(|r| {
                    vec![
                        Value::text(r.item.clone()),
                        Value::text(r.initiative.clone()),
                        Value::text(r.source.label()),
                        Value::text(r.name.clone()),
                        Value::text(r.unit.clone()),
                        amount(&r.target),
                        amount(&r.result),
                        r.rate().map_or(Value::Empty, |x| Value::Number(x * 100.0)),
                    ]
                })
                .collect(),
            total_row: false,
        });
        out
    }
}

/// A value as the book prints it in a column of this kind.
pub fn shown(v: &Value, column: Column) -> String {
    use crate::layout::sheet::format_number;
    match v {
        Value::Empty => String::new(),
        Value::Text(t) => t.clone(),
        Value::Number(n) => match column {
            Column::Change if *n > 0.0 => format!("+{}", format_number(*n)),
            Column::Percent => format!("{n:.1}"),
            _ => format_number(*n),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["1-10", "1-2", "10-1", "2-1", "1-2-3", "1-1"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["1-1", "1-2", "1-2-3", "1-10", "2-1", "10-1"]);
        assert_eq!(natural_cmp("01-2", "1-2"), Ordering::Less); // equal values, then bytes
    }

    #[test]
    fn wareki_labels() {
        assert_eq!(wareki(2021), "令和3年度");
        assert_eq!(wareki(2019), "令和元年度");
        assert_eq!(wareki(2018), "平成30年度");
    }

    #[test]
    fn change_and_total() {
        let a = Counts { grades: vec![2, 1, 0], blank: 1 };
        let b = Counts { grades: vec![1, 1, 1], blank: 3 };
        assert_eq!(a.total(), 4);
        assert_eq!(a.change(&b), vec![1, 0, -1, -2]);
    }
}
