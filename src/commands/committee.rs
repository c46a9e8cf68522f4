//! `shinko collect --committee`: one workbook per member of the external evaluation
//! committee, under `collect/{年度}/外部評価/`.

use std::path::Path;

use super::{Outcome, Report, load_checked};
use crate::committee::{self, workbook};
use crate::diag::Diagnostic;
use crate::model::Item;
use crate::output::{self, Written};
use crate::schema::word;

pub fn collect(sheets: &Path, out: &Path, year: i32) -> Outcome {
    let (set, diags) = load_checked(sheets)?;
    if diags.has_errors() {
        return Ok(Report::of(set, diags, "エラーがあるため、評価用ブックを作っていません。"));
    }
    let plan = super::collect::plan_for_year(&set, year)?;
    if plan.members.is_empty() {
        return Err(Diagnostic::run(format!("plan.yaml に {} がないため、評価用ブックを作れません", word::MEMBERS))
            .note(format!("plan.yaml に「{}:」と委員の名前のリストを書いてください。", word::MEMBERS)));
    }
    if plan.external.grades.is_empty() {
        return Err(Diagnostic::run(format!("plan.yaml の {} に {} がないため、評価用ブックを作れません", word::SCALES, word::EXTERNAL))
            .note(format!("{}: の下に「{}:」と「A: 現状維持」のような評価の一覧を書いてください。", word::SCALES, word::EXTERNAL)));
    }
    let mut items: Vec<&Item> = set.items.iter().map(|f| &f.item).collect();
    items.sort_by(|a, b| crate::summary::natural_cmp(&a.number.value, &b.number.value));
    let mut books = Vec::new();
    for m in &plan.members {
        books.push((m, workbook::build(plan, m, year, &items)?));
    }
    let dir = out.join("collect").join(year.to_string()).join(committee::FOLDER);
    std::fs::create_dir_all(&dir).map_err(|e| {
        Diagnostic::file(&dir, format!("出力フォルダ {} を作れません: {}", dir.display(), crate::diag::io_reason(&e)))
    })?;
    output::lock_folder(out)?;
    let (mut written, mut unchanged) = (0, 0);
    let batch = output::Batch::new();
    let mut lines = Vec::new();
    for (m, bytes) in &books {
        let path = dir.join(format!("{}.xlsx", committee::file_stem(m)));
        match batch.stage(&path, bytes)? {
            Written::Unchanged => unchanged += 1,
            Written::New | Written::Updated => written += 1,
        }
        lines.push(format!("{}: 項目 {} 件 → {}", m.name.value, items.len(), path.display()));
    }
    batch.commit()?;
    for line in lines {
        crate::tell!("{line}");
    }
    let summary = format!(
        "{} 人の委員の評価用ブックを書き出しました (変更なし {unchanged} ファイル、書き込み {written} ファイル) → {}",
        books.len(),
        dir.display()
    );
    drop(books);
    let mut report = Report::of(set, diags, "");
    report.summary = summary;
    Ok(report)
}

/// Whether `path` is a committee member's workbook (its meta sheet says so). A file that
/// cannot be read is left to the department reader, which says why.
pub fn is_member_book(path: &Path) -> bool {
    matches!(crate::import::workbook::magic(path), Ok(Some(m)) if m == committee::META_MAGIC)
}

/// `shinko import` of members' workbooks: each member's grade and opinion into the items'
/// 外部評価意見, and the record of what was written (see `import::committee`), all or nothing.
pub fn import(
    set: crate::load::SheetSet,
    mut diags: crate::diag::Diagnostics,
    sheets: &Path,
    files: &[std::path::PathBuf],
    member_books: &[bool],
    dry_run: bool,
    year: Option<i32>,
) -> Outcome {
    use crate::import::committee as ic;
    let mut errors = Vec::new();
    let mut books = Vec::new();
    for (f, member) in files.iter().zip(member_books) {
        if !member {
            errors.push(Diagnostic::file(f, "委員の評価用ブックと、課の記入用ブックは一度に取り込めません。別々に取り込んでください。"));
            continue;
        }
        match ic::read(f) {
            Ok(b) => books.push(b),
            Err(e) => {
                let name = format!("{}: ", crate::import::workbook::display_name(f));
                errors.push(Diagnostic::file(f, e.strip_prefix(&name).unwrap_or(&e)));
            }
        }
    }
    let log = ic::read_log(sheets)?;
    let prepared = if errors.is_empty() { ic::prepare(&set, &books, year, &log) } else { Err(Vec::new()) };
    let (edits, new_log) = match prepared {
        Ok(p) => p,
        Err(es) => {
            diags.list.extend(errors.into_iter().chain(es));
            return Ok(Report::of(set, diags, "何も書き込んでいません。"));
        }
    };
    let inputs: usize = books.iter().map(|b| b.inputs.len()).sum();
    if edits.is_empty() {
        crate::say!("変更はありません ({} ブック、入力欄 {inputs} 個)", books.len());
        return Ok(Report::of(set, diags, ""));
    }
    for e in &edits {
        crate::say!("{}:", e.path.display());
        for l in &e.lines {
            crate::say!("  {l}");
        }
    }
    let n: usize = edits.iter().map(|e| e.lines.len()).sum();
    if dry_run {
        crate::say!("{n} 件の変更 ({} ファイル)。--dry-run のため書き込んでいません。", edits.len());
        return Ok(Report::of(set, diags, ""));
    }
    let batch = output::Batch::new();
    for e in &edits {
        batch.stage_source(&e.path, e.text.as_bytes())?;
    }
    batch.stage(&ic::log_path(sheets), ic::log_text(&new_log).as_bytes())?;
    batch.commit()?;
    crate::say!("{n} 件の変更を {} ファイルに書き込みました。", edits.len());
    Ok(Report::of(set, diags, ""))
}
