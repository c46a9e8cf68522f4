//! Checks of the loaded items against the plan and each other: grades in the plan's scales,
//! years inside 計画期間, pillars of plan.yaml, unique item numbers, initiative numbers under
//! their item, and characters the font can draw. Every problem is collected.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics};
use crate::font::{self, Weight};
use crate::load::SheetSet;
use crate::model::*;
use crate::yaml_tree::{Node, SrcSpan, Value};

/// Runs every check over a loaded sheet set.
pub fn validate(set: &SheetSet, diags: &mut Diagnostics) {
    check_characters(set, diags);
    let Some(plan) = &set.plan else { return };
    let mut seen: HashMap<&str, (usize, SrcSpan)> = HashMap::new();
    for f in &set.items {
        let item = &f.item;
        let file = f.file;
        if let Some((other, _)) = seen.get(item.number.value.as_str()) {
            diags.push(
                Diagnostic::new(file, Some(item.number.span), format!("項目「{}」が 2 つのファイルにあります", item.number.value))
                    .note(format!("もう一方: {}", set.files[*other].path.display())),
            );
        } else {
            seen.insert(&item.number.value, (file, item.number.span));
        }
        if plan.pillar_name(item.pillar.value).is_none() {
            let known: Vec<String> = plan.pillars.iter().map(|(n, s)| format!("{n} {s}")).collect();
            diags.push(
                Diagnostic::new(file, Some(item.pillar.span), format!("改革の柱 {} は plan.yaml にありません", item.pillar.value))
                    .note(format!("使える値: {}", known.join(", "))),
            );
        }
        let years = |diags: &mut Diagnostics, ys: &mut dyn Iterator<Item = (i32, SrcSpan)>| {
            for (y, span) in ys {
                if y < plan.first_year || y > plan.last_year {
                    diags.push(
                        Diagnostic::new(file, Some(span), format!("{y} 年度は計画期間 ({}〜{} 年度) の外です", plan.first_year, plan.last_year))
                            .note("計画期間は plan.yaml の 計画期間 (開始年度・終了年度) で決まります。"),
                    );
                }
            }
        };
        for ind in &item.indicators {
            years(diags, &mut ind.targets.iter().chain(&ind.results).map(|(y, v)| (*y, v.span)));
        }
        years(diags, &mut item.years.iter().map(|(y, v)| (*y, v.span)));
        for (_, y) in &item.years {
            grade(diags, file, plan, ScaleKind::Internal, y.value.internal_grade.as_ref());
        }
        for ini in &item.initiatives {
            let prefix = format!("{}-", item.number.value);
            if !ini.number.value.starts_with(&prefix) {
                diags.push(
                    Diagnostic::new(file, Some(ini.number.span), format!("取組内容の番号「{}」が項目「{}」で始まっていません", ini.number.value, item.number.value))
                        .note(format!("番号は「{prefix}1」のように、項目の番号に続けて書きます。")),
                );
            }
            for m in [&ini.effect, &ini.indicator] {
                years(diags, &mut m.targets.iter().chain(&m.results).map(|(y, v)| (*y, v.span)));
            }
            years(diags, &mut ini.years.iter().map(|(y, v)| (*y, v.span)));
            for (_, y) in &ini.years {
                grade(diags, file, plan, ScaleKind::SelfEvaluation, y.value.self_evaluation.as_ref());
                grade(diags, file, plan, ScaleKind::NextYears, y.value.next_years.as_ref());
            }
        }
    }
}

fn grade(diags: &mut Diagnostics, file: usize, plan: &Plan, kind: ScaleKind, g: Option<&Sp<String>>) {
    let Some(g) = g else { return };
    let scale = plan.scale(kind);
    if scale.name_of(&g.value).is_none() {
        diags.push(
            Diagnostic::new(file, Some(g.span), format!("{} \"{}\" は評価区分にありません", kind.key(), g.value))
                .note(format!("使える値: {}", scale.listing())),
        );
    }
}

/// Reports every character of every string value that the font cannot draw, at its place.
fn check_characters(set: &SheetSet, diags: &mut Diagnostics) {
    for f in &set.items {
        walk_strings(&f.root, &mut |node, s| report_missing(set, diags, f.file, node, s));
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
    for (_, c) in font::missing_chars(value, Weight::Regular) {
        // Find the character in the node's source text, for an exact line and column.
        let span = node.span;
        let src = text.get(span.start..span.end.max(span.start)).unwrap_or("");
        let place = src.char_indices().find(|(_, ch)| *ch == c).map(|(off, _)| {
            let start = span.start + off;
            let before = &text[..start];
            let line = before.matches('\n').count() as u32 + 1;
            let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
            SrcSpan { line, column: col, start, end: start + c.len_utf8() }
        });
        diags.push(
            Diagnostic::new(file, place.or(Some(span)), format!("文字「{c}」(U+{:04X}) はフォント BIZ UDゴシックにないため印刷できません", c as u32))
                .note("別の文字に置き換えてください (例: ☑ → □ や ■、丸数字以外の機種依存文字 → 通常の文字)。"),
        );
    }
}
