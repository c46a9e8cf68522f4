//! `shinko import`: read filled department workbooks back into the YAML sheets.

use std::path::{Path, PathBuf};

use super::{Outcome, Report, load_checked};
use crate::diag::Diagnostic;
use crate::import::{self, workbook};
use crate::output;

pub fn run(sheets: &Path, files: &[PathBuf], dry_run: bool, year: Option<i32>) -> Outcome {
    // One writer at a time: the lock is taken before the YAML is read, so that a second
    // import waits, then reads what the first one wrote (no change is written and then lost).
    crate::load::check_sheets_dir(sheets)?;
    if !dry_run {
        output::lock_folder(sheets)?;
    }
    let (set, mut diags) = load_checked(sheets)?;
    if diags.has_errors() {
        return Ok(Report::of(set, diags, "シートに誤りがあるため、取り込みをしていません。先に誤りを直してください。"));
    }
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut filled = Vec::new();
    let bar = if files.len() > 1 {
        super::progress_bar(files.len(), "ブック")
    } else {
        indicatif::ProgressBar::hidden()
    };
    // Workbooks are read in parallel (each is independent); results keep the order given.
    let read: Vec<Result<workbook::Filled, String>> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|f| {
                let r = workbook::read(f);
                bar.inc(1);
                r
            })
            .collect()
    };
    for (r, f) in read.into_iter().zip(files) {
        match r {
            Ok(w) => filled.push(w),
            // The reader names the book at the start of its messages; the place says it.
            Err(e) => {
                let name = format!("{}: ", workbook::display_name(f));
                errors.push(Diagnostic::file(f, e.strip_prefix(&name).unwrap_or(&e)));
            }
        }
    }
    bar.finish_and_clear();
    let edits = if errors.is_empty() {
        match import::prepare(&set, &filled, year) {
            Ok(e) => e,
            Err(es) => {
                errors = es;
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    if !errors.is_empty() {
        diags.list.extend(errors);
        return Ok(Report::of(set, diags, "何も書き込んでいません。"));
    }
    let inputs: usize = filled.iter().map(|f| f.inputs.len()).sum();
    if edits.is_empty() {
        crate::say!(
            "変更はありません ({} ブック、入力欄 {inputs} 個)",
            filled.len()
        );
        return Ok(Report::of(set, diags, ""));
    }
    for e in &edits {
        crate::say!("{}:", e.path.display());
        for c in &e.changes {
            crate::say!("  {}", c.line());
        }
    }
    let n: usize = edits.iter().map(|e| e.changes.len()).sum();
    if dry_run {
        crate::say!(
            "{n} 件の変更 ({} ファイル)。--dry-run のため書き込んでいません。",
            edits.len()
        );
        return Ok(Report::of(set, diags, ""));
    }
    // All files or none: a failure writing one leaves every YAML file as it was. A symlinked
    // sheet is written at its target, with its mode and owner kept.
    let batch = output::Batch::new();
    for e in &edits {
        batch.stage_source(&e.path, e.text.as_bytes())?;
    }
    batch.commit()?;
    crate::say!("{n} 件の変更を {} ファイルに書き込みました。", edits.len());
    Ok(Report::of(set, diags, ""))
}
