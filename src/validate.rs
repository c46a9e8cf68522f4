//! Checks of the loaded items against the plan and each other: grades in the plan's scales,
//! years inside 計画期間, pillars of plan.yaml, unique item numbers, initiative numbers under
//! their item, and characters the font can draw. Every problem is collected.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::font::{self, Weight};
use crate::load::SheetSet;
use crate::output;
use crate::model::*;
use crate::yaml_tree::{Node, SrcSpan, Value};

/// Runs every check over a loaded sheet set. (Years outside 計画期間 are reported by `load`,
/// which sees the year keys where they are written.)
pub fn validate(set: &SheetSet, diags: &mut Diagnostics) {
    check_characters(set, diags);
    check_duplicates(set, diags);
    let Some(plan) = &set.plan else { return };
    for f in &set.items {
        let item = &f.item;
        let file = f.file;
        if plan.pillar_name(item.pillar.value).is_none() {
            let known: Vec<String> = plan.pillars.iter().map(|(n, s)| format!("{n} {s}")).collect();
            diags.push(Diagnostic::new(
                file,
                Some(item.pillar.span),
                format!("改革の柱 {} は plan.yaml の 改革の柱 にありません(使える値: {})", item.pillar.value, known.join(", ")),
            ));
        }
        for (year, y) in &item.years {
            let path = format!("年度別.{year}.内部評価.評価");
            grade(diags, file, plan, ScaleKind::Internal, &path, y.value.internal_grade.as_ref());
        }
        let prefix = format!("{}-", item.number.value);
        for (i, ini) in item.initiatives.iter().enumerate() {
            let path = format!("取組内容[{}]", i + 1);
            if !ini.number.value.starts_with(&prefix) || ini.number.value.len() == prefix.len() {
                diags.push(
                    Diagnostic::new(
                        file,
                        Some(ini.number.span),
                        format!("{path}.番号「{}」が項目の番号「{}」で始まっていません", ini.number.value, item.number.value),
                    )
                    .note(format!("取組内容の番号は「{prefix}1」のように、項目の番号・「-」・連番の順に書きます。")),
                );
            }
            for (year, y) in &ini.years {
                let at = |key: &str| format!("{path}.年度別.{year}.{key}");
                grade(diags, file, plan, ScaleKind::SelfEvaluation, &at("自己評価"), y.value.self_evaluation.as_ref());
                grade(diags, file, plan, ScaleKind::NextYears, &at("次年度以降"), y.value.next_years.as_ref());
            }
        }
    }
}

/// The same 項目 in two files, or two 項目 that would be written to the same output file
/// (`3/2` and `3_2` both become `3_2.pdf`).
fn check_duplicates(set: &SheetSet, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, (usize, SrcSpan, &str)> = HashMap::new();
    for f in &set.items {
        let number = &f.item.number;
        let stem = output::file_stem(&number.value);
        let Some((other, at, other_number)) = seen.get(&stem) else {
            seen.insert(stem, (f.file, number.span, &number.value));
            continue;
        };
        let message = if *other_number == number.value {
            format!("項目「{}」が 2 つのファイルにあります", number.value)
        } else {
            format!("項目「{}」と項目「{other_number}」は同じ出力ファイル名「{stem}」になります", number.value)
        };
        diags.push(
            Diagnostic::new(f.file, Some(number.span), message)
                .note(format!("もう一方: {}:{}:{}", set.files[*other].path.display(), at.line, at.column))
                .note("1 つの項目は 1 つのファイルに書きます。どちらかの 項目 を直すか、ファイルを 1 つにまとめてください。"),
        );
    }
}

fn grade(diags: &mut Diagnostics, file: usize, plan: &Plan, kind: ScaleKind, path: &str, g: Option<&Sp<String>>) {
    let Some(g) = g else { return };
    let scale = plan.scale(kind);
    if scale.name_of(&g.value).is_none() {
        diags.push(
            Diagnostic::new(
                file,
                Some(g.span),
                format!("{} \"{}\" は評価区分にありません(使える値: {})", kind.key(), g.value, scale.listing()),
            )
            .note(format!("場所: {path}"))
            .note(format!("評価区分は plan.yaml の 評価区分.{} で決まります。", kind.key())),
        );
    }
}

/// Reports every character of every string value that the font cannot draw, at its place.
/// plan.yaml is checked too: its names are printed on every sheet.
fn check_characters(set: &SheetSet, diags: &mut Diagnostics) {
    // Every string of every item: in parallel, reported in file order.
    let found: Vec<Diagnostics> = set
        .items
        .par_iter()
        .map(|f| {
            let mut own = Diagnostics::default();
            walk_strings(&f.root, &mut |node, s| report_missing(set, &mut own, f.file, node, s));
            own
        })
        .collect();
    for own in found {
        diags.list.extend(own.list);
    }
    if let Some(file) = set.plan_file
        && let Ok(root) = crate::yaml_tree::parse(&set.files[file].text)
    {
        walk_strings(&root, &mut |node, s| report_missing(set, diags, file, node, s));
    }
}

fn walk_strings(node: &Node, f: &mut dyn FnMut(&Node, &str)) {
    match &node.value {
        Value::Str(s) => f(node, s),
        Value::Seq(items) => items.iter().for_each(|n| walk_strings(n, f)),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            walk_strings(k, f);
            walk_strings(v, f);
        }),
        _ => {}
    }
}

fn report_missing(set: &SheetSet, diags: &mut Diagnostics, file: usize, node: &Node, value: &str) {
    if node.is_alias() {
        return; // reported where the anchored value is written
    }
    let text = &set.files[file].text;
    let span = node.span;
    let src = text.get(span.start..span.end.max(span.start)).unwrap_or("");
    // Each missing character of the value is looked for in the node's source text, after the
    // previous one, for an exact line and column (an escape such as "\u2611" is not found
    // there: the whole value is pointed at instead).
    let mut from = 0;
    for (_, c) in font::missing_chars(value, Weight::Regular) {
        let place = src.get(from..).and_then(|rest| rest.find(c)).map(|off| {
            from += off + c.len_utf8();
            crate::yaml_tree::span_of(text, span.start + from - c.len_utf8())
        });
        diags.push(
            Diagnostic::new(
                file,
                place.or(Some(span)),
                format!("文字「{c}」(U+{:04X}) はフォント BIZ UDゴシックにないため印刷できません", c as u32),
            )
            .note("BIZ UDゴシックにある別の文字に置き換えてください (例: ☑ → ■ や □、𠮷 → 吉)。"),
        );
    }
}
