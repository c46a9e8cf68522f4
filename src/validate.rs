//! Checks of the loaded items against the plan and each other: grades in the plan's scales,
//! years inside 計画期間, pillars of plan.yaml, unique item numbers, initiative numbers under
//! their item, and characters the font can draw. Every problem is collected.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::font::{self, Weight};
use crate::load::SheetSet;
use crate::output;
use crate::schema;
use crate::model::*;
use crate::yaml_tree::{Node, SrcSpan, Value};

/// Runs every check over a loaded sheet set. (Years outside 計画期間 are reported by `load`,
/// which sees the year keys where they are written.)
pub fn validate(set: &SheetSet, diags: &mut Diagnostics) {
    check_characters(set, diags);
    check_duplicates(set, diags);
    check_lengths(set, diags);
    check_initiative_numbers(set, diags);
    check_departments(set, diags);
    let Some(plan) = &set.plan else { return };
    if let Some(p) = set.plan_file {
        crate::committee::check_members(diags, p, plan);
    }
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
            crate::committee::check_opinions(diags, file, plan, *year, &y.value.opinions);
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
            category(diags, file, plan, &path, ini.category.as_ref());
            for (year, y) in &ini.years {
                let at = |key: &str| format!("{path}.年度別.{year}.{key}");
                grade(diags, file, plan, ScaleKind::SelfEvaluation, &at("自己評価"), y.value.self_evaluation.as_ref());
                grade(diags, file, plan, ScaleKind::NextYears, &at("次年度以降"), y.value.next_years.as_ref());
            }
        }
    }
}

/// A file name made from a number or a name that no file system would take: too long.
pub(crate) fn file_name_problem(stem: &str, what: &str, file: usize, span: SrcSpan) -> Option<Diagnostic> {
    let max = schema::limits::FILE_NAME_BYTES;
    (stem.len() > max).then(|| {
        Diagnostic::new(file, Some(span), format!("{what}が長すぎて、ファイル名にできません ({} バイト。{max} バイトまで)", stem.len()))
            .note("出力ファイルの名前に使われます。短くしてください (日本語は 1 文字 3 バイトです)。")
    })
}

/// Each text must fit in one Excel cell (32,767 characters), as the XLSX form and the
/// department workbooks hold it: bullets with their `・`, joined by line breaks.
fn check_lengths(set: &SheetSet, diags: &mut Diagnostics) {
    let max = schema::limits::CELL_CHARS;
    for f in &set.items {
        walk_values(&f.root, &mut |node| {
            let n = match &node.value {
                Value::Str(s) => s.chars().count(),
                Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Str(_))) => items
                    .iter()
                    .map(|i| match &i.value {
                        Value::Str(s) => s.chars().count() + 2,
                        _ => 0,
                    })
                    .sum(),
                _ => 0,
            };
            if n > max && !node.is_alias() {
                diags.push(
                    Diagnostic::new(f.file, Some(node.defined), format!("文章が長すぎます ({n} 文字)。Excel の 1 つのセルに入るのは {max} 文字までです"))
                        .note("Excel ファイル (シートと記入用ブック) に書き出せないため、短くするか、いくつかの欄に分けてください。"),
                );
            }
        });
        // Cells that join several values: the item's number and name, the departments.
        let item = &f.item;
        let header = item.number.value.chars().count() + 1 + item.name.chars().count();
        if header > max {
            diags.push(Diagnostic::new(f.file, Some(item.number.span), format!("項目と項目名を合わせた長さ ({header} 文字) が Excel のセルの上限 {max} 文字を超えます")));
        }
        for ini in &item.initiatives {
            let joined: usize = ini.departments.iter().map(|d| d.chars().count() + 1).sum();
            if joined > max {
                diags.push(Diagnostic::new(f.file, Some(ini.number.span), format!("取組 {} の取組主管課が長すぎます ({joined} 文字。{max} 文字まで)", ini.number.value)));
            }
        }
    }
}

fn walk_values(node: &Node, f: &mut dyn FnMut(&Node)) {
    f(node);
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| walk_values(n, f)),
        Value::Map(entries) => entries.iter().for_each(|(_, v)| walk_values(v, f)),
        _ => {}
    }
}

/// Initiative numbers name the input cells of the department workbooks: each must be used
/// once in the whole plan, and its cell names must fit Excel's limit.
fn check_initiative_numbers(set: &SheetSet, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, (usize, SrcSpan)> = HashMap::new();
    let mut items = std::collections::HashSet::new();
    for f in &set.items {
        // The same item twice is reported as such; its initiatives are not reported again.
        if !items.insert(output::file_stem(&f.item.number.value).to_lowercase()) {
            continue;
        }
        for ini in &f.item.initiatives {
            let number = &ini.number;
            if let Some((other, at)) = seen.get(number.value.as_str()) {
                diags.push(
                    Diagnostic::new(f.file, Some(number.span), format!("取組の番号「{}」が 2 回使われています", number.value))
                        .note(format!("もう一方: {}:{}:{}", set.files[*other].path.display(), at.line, at.column))
                        .note("取組の番号は計画全体で 1 回だけ使えます (記入用ブックの欄の名前になります)。"),
                );
                continue;
            }
            seen.insert(&number.value, (f.file, number.span));
            let longest = crate::collect::cell_name(&number.value, 9999, crate::collect::Field::Direction);
            if longest.len() > schema::limits::DEFINED_NAME_CHARS {
                diags.push(
                    Diagnostic::new(f.file, Some(number.span), format!("取組の番号「{}」が長すぎます", number.value))
                        .note("記入用ブックの欄の名前 (Excel の名前、255 文字まで) にできません。短い番号にしてください。"),
                );
            }
        }
    }
}

/// Department names become the file names of their workbooks: distinct (also without regard
/// to case, as Windows sees them) and not too long.
fn check_departments(set: &SheetSet, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, (&str, usize, SrcSpan)> = HashMap::new();
    for f in &set.items {
        for ini in &f.item.initiatives {
            for dept in &ini.departments {
                let dept = dept.trim();
                if dept.is_empty() {
                    continue;
                }
                let span = department_span(f, &ini.number.value, dept).unwrap_or(ini.number.span);
                let stem = output::file_stem(dept);
                if let Some(d) = file_name_problem(&stem, "取組主管課の名前", f.file, span) {
                    diags.push(d);
                    continue;
                }
                match seen.get(&stem.to_lowercase()) {
                    Some((other, file, at)) if *other != dept => diags.push(
                        Diagnostic::new(f.file, Some(span), format!("取組主管課「{dept}」と「{other}」は、記入用ブックのファイル名が同じになります"))
                            .note(format!("もう一方: {}:{}:{}", set.files[*file].path.display(), at.line, at.column))
                            .note("同じ課なら書き方をそろえ、別の課なら区別できる名前にしてください (大文字・小文字や / \\ : などの記号だけの違いは区別されません)。"),
                    ),
                    Some(_) => {}
                    None => {
                        seen.insert(stem.to_lowercase(), (dept, f.file, span));
                    }
                }
            }
        }
    }
}

/// Where a department name of an initiative is written.
fn department_span(f: &ItemFile, number: &str, dept: &str) -> Option<SrcSpan> {
    let Value::Seq(list) = &f.root.get(schema::word::INITIATIVES)?.value else { return None };
    let ini = list.iter().find(|n| n.get(schema::word::NUMBER).map(|k| k.key_text()).as_deref() == Some(number))?;
    let node = ini.get(schema::word::DEPARTMENT)?;
    match &node.value {
        Value::Seq(items) => items.iter().find(|i| i.key_text().trim() == dept).map(|i| i.defined),
        _ => Some(node.defined),
    }
}

/// The same 項目 in two files, or two 項目 that would be written to the same output file
/// (`3/2` and `3_2` both become `3_2.pdf`).
fn check_duplicates(set: &SheetSet, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, (usize, SrcSpan, &str)> = HashMap::new();
    for f in &set.items {
        let number = &f.item.number;
        let stem = output::file_stem(&number.value);
        if let Some(d) = file_name_problem(&stem, "項目の番号", f.file, number.span) {
            diags.push(d);
            continue;
        }
        // Windows and macOS file systems do not tell `A-1` from `a-1`.
        let Some((other, at, other_number)) = seen.get(&stem.to_lowercase()) else {
            seen.insert(stem.to_lowercase(), (f.file, number.span, &number.value));
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

/// An initiative's 区分 must be one of the plan's 取組の区分.
fn category(diags: &mut Diagnostics, file: usize, plan: &Plan, path: &str, c: Option<&Sp<String>>) {
    let Some(c) = c else { return };
    if plan.categories.iter().any(|k| *k == c.value.trim()) {
        return;
    }
    let (key, plan_key) = (schema::word::CATEGORY, schema::word::PLAN_CATEGORIES);
    diags.push(
        Diagnostic::new(file, Some(c.span), format!("{path}.{key} の「{}」は使えません (使える値: {})", c.value, plan.categories.join(", ")))
            .note(format!("{key} に使える値は plan.yaml の {plan_key} で決まります (書かれていなければ {})。", schema::DEFAULT_CATEGORIES.join(", "))),
    );
}

pub(crate) fn grade(diags: &mut Diagnostics, file: usize, plan: &Plan, kind: ScaleKind, path: &str, g: Option<&Sp<String>>) {
    let Some(g) = g else { return };
    let scale = plan.scale(kind);
    if scale.name_of(&g.value).is_none() {
        let typed = crate::number::half_width(&g.value);
        if let Some(off) = g.value.find('\u{3000}') {
            let at = SrcSpan { column: g.span.column + g.value[..off].chars().count() as u32, start: g.span.start + off, end: g.span.start + off + 3, ..g.span };
            let fixed = typed.trim();
            diags.push(
                Diagnostic::new(file, Some(at), format!("{} \"{}\" に全角スペースが入っています", kind.key(), g.value))
                    .note(format!("全角スペースを消して「{fixed}」と書いてください (使える値: {})。", scale.listing())),
            );
            return;
        }
        if typed != g.value && scale.name_of(typed.trim()).is_some() {
            diags.push(
                Diagnostic::new(file, Some(g.span), format!("{} \"{}\" が全角で書かれています", kind.key(), g.value))
                    .note(format!("半角の「{}」で書いてください (使える値: {})。", typed.trim(), scale.listing())),
            );
            return;
        }
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
