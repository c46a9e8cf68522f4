//! The 進行管理シート's tables, section by section, as `design/sheet-layout.md` describes them:
//! header band, indicator table, year table, then one block per 取組内容.

use super::grid::{PageSpec, Table};
use super::table_builder::{Look, TableBuilder};
use crate::era;
use crate::model::*;
use crate::schema::{word, label};

/// Formats a number as printed: integers without decimals, thousands separated.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let n = v as i64;
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// An amount as a string (numbers formatted, texts verbatim), and whether it was a number.
fn amount_text(a: &Amount) -> (String, bool) {
    match a {
        Amount::Number(n) => (format_number(*n), true),
        Amount::Text(t) => (t.clone(), false),
    }
}

/// The value of the 計 column / the totals of an initiative, following `集計`.
pub fn aggregate(values: &YearValues, how: Option<Aggregate>) -> Option<Amount> {
    match how? {
        Aggregate::Sum => Some(Amount::Number(
            values
                .values()
                .filter_map(|v| match v.value {
                    Amount::Number(n) => Some(n),
                    Amount::Text(_) => None,
                })
                .sum(),
        )),
        Aggregate::Latest => values.values().next_back().map(|v| v.value.clone()),
    }
}

/// An indicator table value: `50%`, `55団体`, or a text verbatim.
fn compact(a: Option<&Amount>, unit: &str) -> String {
    match a {
        None => String::new(),
        Some(a) => match amount_text(a) {
            (s, true) => format!("{s}{unit}"),
            (s, false) => s,
        },
    }
}

/// A block value: `目標 35 団体数`, `目標 千円` when blank, a text verbatim after the label.
fn labelled(label: &str, a: Option<&Amount>, unit: &str) -> String {
    let value = match a {
        None => String::new(),
        Some(a) => match amount_text(a) {
            (s, true) => format!("{s} {unit}"),
            (s, false) => s,
        },
    };
    let value = if value.is_empty() { unit.to_owned() } else { value };
    [label, value.trim()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

/// Lays out one item into tables (not yet paginated).
pub fn tables(plan: &Plan, item: &Item, spec: &PageSpec) -> Vec<Table> {
    let years = plan.years();
    let mut out = vec![header_band(plan, item, spec), indicator_table(item, &years, spec), year_table(plan, item, &years, spec)];
    for ini in &item.initiatives {
        out.push(initiative_block(plan, ini, &years, spec));
    }
    out
}

/// Splits the content width into `fixed` columns plus `n` equal columns of the rest.
fn columns(spec: &PageSpec, fixed_left: &[f32], n: usize, fixed_right: &[f32]) -> Vec<f32> {
    let fixed: f32 = fixed_left.iter().chain(fixed_right).sum();
    let each = (spec.content_width() - fixed) / n.max(1) as f32;
    let mut cols = fixed_left.to_vec();
    cols.extend(std::iter::repeat_n(each, n));
    cols.extend_from_slice(fixed_right);
    cols
}

fn header_band(plan: &Plan, item: &Item, spec: &PageSpec) -> Table {
    let w = spec.content_width();
    let mut t = TableBuilder::new(spec, word::ITEM, vec![70.0, w * 0.5 - 70.0, 70.0, w * 0.5 - 70.0]).bookmark(false);
    let r = t.add_rows(2);
    t.text(r, 0, 1, 1, Look::LABEL, word::ITEM);
    t.text(r, 1, 1, 1, Look::DATA, format!("{} {}", item.number.value, item.name));
    t.text(r, 2, 1, 1, Look::LABEL, word::PILLAR);
    let pillar_name = plan.pillar_name(item.pillar.value).unwrap_or_default();
    t.text(r, 3, 1, 1, Look::DATA, format!("{} {}", item.pillar.value, pillar_name).trim_end().to_owned());
    t.text(r + 1, 0, 1, 1, Look::LABEL, label::ITEM_OVERVIEW);
    t.cell(r + 1, 1, 1, 3, Look::DATA, item.overview.paragraphs());
    t.finish()
}

fn indicator_table(item: &Item, years: &[i32], spec: &PageSpec) -> Table {
    let n = years.len();
    let cols = columns(spec, &[70.0, 136.0, 64.0], n, &[60.0]);
    let last = cols.len() - 1;
    let mut t = TableBuilder::new(spec, word::INDICATORS, cols);
    let h = t.add_rows(1);
    t.header_rows(1);
    t.text(h, 0, 1, 1, Look::COLUMN, "");
    t.text(h, 1, 1, 1, Look::COLUMN, word::INDICATORS);
    t.text(h, 2, 1, 1, Look::COLUMN, "");
    for (i, y) in years.iter().enumerate() {
        let c = t.text(h, 3 + i, 1, 1, Look::COLUMN, era::short_label(*y));
        t.expand(c, era::short_expansion(*y));
    }
    t.text(h, last, 1, 1, Look::COLUMN, label::TOTAL);
    for kind in [IndicatorKind::Activity, IndicatorKind::Outcome] {
        let inds: Vec<&Indicator> = item.indicators.iter().filter(|i| i.kind == kind).collect();
        if inds.is_empty() {
            continue;
        }
        let first = t.add_rows(3 * inds.len());
        t.text(first, 0, 3 * inds.len(), 1, Look::LABEL, kind.label());
        for (k, ind) in inds.iter().enumerate() {
            let r = first + 3 * k;
            t.text(r, 1, 2, 1, Look::NAME, ind.name.clone());
            for (j, (label, values)) in [(word::TARGET, &ind.targets), (word::RESULT, &ind.results)].into_iter().enumerate() {
                t.text(r + j, 2, 1, 1, Look::LABEL, label);
                for (i, y) in years.iter().enumerate() {
                    t.text(r + j, 3 + i, 1, 1, Look::NUMBER, compact(values.get(y).map(|v| &v.value), &ind.unit));
                }
                t.text(r + j, last, 1, 1, Look::NUMBER, compact(aggregate(values, ind.aggregate).as_ref(), &ind.unit));
            }
            t.text(r + 2, 1, 1, 1, Look::LABEL, word::OVERVIEW);
            t.cell(r + 2, 2, 1, last - 1, Look::DATA, ind.overview.paragraphs());
        }
    }
    t.finish()
}

fn year_table(plan: &Plan, item: &Item, years: &[i32], spec: &PageSpec) -> Table {
    let cols = columns(spec, &[96.0], years.len(), &[]);
    let mut t = TableBuilder::new(spec, label::YEARLY, cols);
    let h = t.add_rows(1);
    t.header_rows(1);
    t.text(h, 0, 1, 1, Look::COLUMN, "");
    for (i, y) in years.iter().enumerate() {
        t.text(h, 1 + i, 1, 1, Look::COLUMN, era::long_label(*y));
    }
    let year = |y: &i32| item.years.get(y).map(|s| &s.value);
    type Paragraphs<'a> = &'a dyn Fn(&ItemYear) -> Vec<String>;
    let rows: [(&str, Paragraphs); 5] = [
        (word::GOAL, &|y| y.goal.paragraphs()),
        (word::ACTIVITY_RESULT, &|y| y.activity_result.paragraphs()),
        (word::OUTCOME_RESULT, &|y| y.outcome_result.paragraphs()),
        (label::INTERNAL, &|y| {
            let mut p: Vec<String> = y.internal_grade.iter().map(|g| plan.internal.label(&g.value)).collect();
            p.extend(y.internal_comment.paragraphs());
            p
        }),
        (word::EXTERNAL, &|y| y.external.paragraphs()),
    ];
    let year_labels: Vec<String> = years.iter().map(|y| era::era_label(*y)).collect();
    for (label, get) in rows {
        let r = t.add_rows(1);
        t.text(r, 0, 1, 1, Look::LABEL, label);
        let cells: Vec<usize> = years.iter().enumerate().map(|(i, y)| t.cell(r, 1 + i, 1, 1, Look::DATA, year(y).map(get).unwrap_or_default())).collect();
        t.spill_long_texts(&cells, label, &year_labels);
    }
    t.finish()
}

fn initiative_block(plan: &Plan, ini: &Initiative, years: &[i32], spec: &PageSpec) -> Table {
    let n = years.len();
    let cols = columns(spec, &[70.0, 136.0, 64.0], n, &[]);
    let caption = format!("{}. {}", ini.number.value, ini.name);
    let mut t = TableBuilder::new(spec, caption.clone(), cols)
        .bookmark(true)
        .page_break_before(false)
        .heading(format!("{} {}", ini.number.value, ini.name));
    let y0 = 3; // first year column
    let yv = |y: &i32| ini.years.get(y).map(|s| &s.value);

    let h = t.add_rows(1);
    t.header_rows(1);
    t.text(h, 0, 1, 3, Look::COLUMN, word::INITIATIVES);
    for (i, y) in years.iter().enumerate() {
        t.text(h, y0 + i, 1, 1, Look::COLUMN, era::long_label(*y));
    }

    // Rows of text per year, with a label on the right; a text much longer than its
    // neighbours goes on under the table.
    let year_labels: Vec<String> = years.iter().map(|y| era::era_label(*y)).collect();
    let per_year = |t: &mut TableBuilder, r: usize, span: usize, label: &str, get: &dyn Fn(&InitiativeYear) -> Vec<String>| {
        t.text(r, 2, span, 1, Look::LABEL, label);
        let cells: Vec<usize> =
            years.iter().enumerate().map(|(i, y)| t.cell(r, y0 + i, span, 1, Look::DATA, yv(y).map(get).unwrap_or_default())).collect();
        t.spill_long_texts(&cells, label, &year_labels);
    };

    // 項目名 | 取組目標
    let r = t.add_rows(1);
    t.text(r, 0, 1, 1, Look::LABEL, word::NAME);
    t.text(r, 1, 1, 1, Look::DATA, caption.clone());
    per_year(&mut t, r, 1, word::GOAL, &|y| y.goal.paragraphs());

    // 取組主管課, 区分 | 取組内容(活動)
    let r = t.add_rows(2);
    t.text(r, 0, 1, 1, Look::LABEL, word::DEPARTMENT);
    t.text(r, 1, 1, 1, Look::DATA, ini.departments.join("、"));
    per_year(&mut t, r, 2, label::ACTIVITY, &|y| y.activity.paragraphs());
    t.text(r + 1, 0, 1, 1, Look::LABEL, word::CATEGORY);
    // One box per value of the plan's 取組の区分 (`□新規 □継続`), the chosen one checked.
    let boxes: Vec<String> = plan.categories.iter().map(|c| format!("□{c}")).collect();
    let c = t.text(r + 1, 1, 1, 1, Look::DATA, boxes.join(" "));
    if let Some(k) = ini.category.as_ref().and_then(|c| plan.categories.iter().position(|k| *k == c.value.trim())) {
        t.check(c, k);
    }

    // 関係計画等 | 実績
    let r = t.add_rows(1);
    t.text(r, 0, 1, 1, Look::LABEL, word::RELATED_PLANS);
    t.cell(r, 1, 1, 1, Look::DATA, ini.related_plans.paragraphs());
    per_year(&mut t, r, 1, word::RESULT, &|y| y.result.paragraphs());

    // 効果額 and 指標: totals on the left, per year on the right; then the 説明 row.
    for (label, m) in [(word::EFFECT, &ini.effect), (word::INDICATORS, &ini.indicator)] {
        let r = t.add_rows(3);
        t.text(r, 0, 2, 1, Look::LABEL, label);
        t.text(r, 2, 2, 1, Look::LABEL, label);
        for (j, (sub, values)) in [(word::TARGET, &m.targets), (word::RESULT, &m.results)].into_iter().enumerate() {
            t.text(r + j, 1, 1, 1, Look::DATA, labelled(sub, aggregate(values, m.aggregate).as_ref(), &m.unit));
            for (i, y) in years.iter().enumerate() {
                t.text(r + j, y0 + i, 1, 1, Look::DATA, labelled(sub, values.get(y).map(|v| &v.value), &m.unit));
            }
        }
        t.text(r + 2, 0, 1, 1, Look::LABEL, word::DESCRIPTION);
        let mut p = m.description.paragraphs();
        p.extend(m.note.paragraphs());
        t.cell(r + 2, 1, 1, 1, Look::DATA, p);
        if label == word::EFFECT {
            t.text(r + 2, 2, 1, 1 + n, Look::DATA, "");
        } else {
            let grade = |y: &InitiativeYear| y.self_evaluation.iter().map(|g| plan.self_evaluation.label(&g.value)).collect();
            per_year(&mut t, r + 2, 1, word::SELF_EVALUATION, &grade);
        }
    }

    // 概要(目指すもの) | 評価理由, 次年度以降
    let r = t.add_rows(2);
    t.text(r, 0, 2, 1, Look::LABEL, label::INITIATIVE_OVERVIEW);
    t.cell(r, 1, 2, 1, Look::DATA, ini.overview.paragraphs());
    per_year(&mut t, r, 1, word::REASON, &|y| y.reason.paragraphs());
    let next = |y: &InitiativeYear| y.next_years.iter().map(|g| plan.next_years.label(&g.value)).collect();
    per_year(&mut t, r + 1, 1, word::NEXT_YEARS, &next);

    // その他効果 | 次年度以降の取組の方向性・課題等
    let r = t.add_rows(1);
    t.text(r, 0, 1, 1, Look::LABEL, word::OTHER_EFFECTS);
    t.cell(r, 1, 1, 1, Look::DATA, ini.other_effects.paragraphs());
    per_year(&mut t, r, 1, label::DIRECTION, &|y| y.direction.paragraphs());

    t.finish()
}
