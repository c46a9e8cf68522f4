//! `shinko import`: read filled department workbooks back into the YAML sheets.

use std::path::{Path, PathBuf};

use super::{Outcome, Report, load_checked};
use crate::diag::Diagnostic;
use crate::import::{self, LineKind, log::ImportLog, workbook};
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
    // Committee members' books go their own way (`import::committee`).
    let member_books: Vec<bool> = files.iter().map(|f| super::committee::is_member_book(f)).collect();
    if member_books.contains(&true) {
        return super::committee::import(set, diags, sheets, files, &member_books, dry_run, year);
    }
    // What earlier imports wrote (read under the lock, like the YAML).
    let log = match ImportLog::read(sheets) {
        Ok(log) => log,
        Err(d) => {
            diags.push(d);
            return Ok(Report::of(set, diags, "何も書き込んでいません。"));
        }
    };
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
    let prepared = if errors.is_empty() {
        match import::prepare(&set, &filled, year, &log) {
            Ok(p) => Some(p),
            Err(es) => {
                errors = es;
                None
            }
        }
    } else {
        None
    };
    let Some(prepared) = prepared.filter(|_| errors.is_empty()) else {
        diags.list.extend(errors);
        return Ok(Report::of(set, diags, "何も書き込んでいません。"));
    };
    // The preview: per book, per YAML file, each change, blank field and kept value.
    for b in &prepared.books {
        if b.lines.is_empty() {
            continue;
        }
        crate::say!("{} ({}):", workbook::display_name(&b.path), b.book.label);
        let mut yaml = None;
        for l in &b.lines {
            if yaml != Some(&l.yaml) {
                crate::say!("  {}:", l.yaml.display());
                yaml = Some(&l.yaml);
            }
            crate::say!("    {}", l.text);
        }
    }
    let (blank, kept) = (prepared.count(LineKind::Blank), prepared.count(LineKind::Kept));
    if blank + kept > 0 {
        let mut parts = Vec::new();
        if blank > 0 {
            parts.push(format!("空欄のため変更しない欄 {blank} 個"));
        }
        if kept > 0 {
            parts.push(format!("前回取り込んだ値を残す欄 {kept} 個"));
        }
        crate::say!("{}", parts.join("、"));
    }
    let inputs: usize = filled.iter().map(|f| f.inputs.len()).sum();
    let n = prepared.changes();
    let files_changed = prepared.edits.len();
    let log_changed = prepared.log != log;
    if dry_run {
        if n == 0 {
            crate::say!("変更はありません ({} ブック、入力欄 {inputs} 個)", filled.len());
        } else {
            crate::say!("{n} 件の変更 ({files_changed} ファイル)。--dry-run のため書き込んでいません。");
        }
        return Ok(Report::of(set, diags, ""));
    }
    // All files or none, the import log with them: a failure writing one leaves every YAML
    // file and the log as they were. A symlinked sheet is written at its target, with its
    // mode and owner kept.
    let batch = output::Batch::new();
    for e in &prepared.edits {
        batch.stage_source(&e.path, e.text.as_bytes())?;
    }
    let log_path = import::log::path(sheets);
    if log_changed {
        batch.stage(&log_path, prepared.log.to_text().as_bytes())?;
    }
    batch.commit()?;
    if n == 0 {
        crate::say!("変更はありません ({} ブック、入力欄 {inputs} 個)", filled.len());
        if log_changed {
            crate::say!("取り込みの記録 {} を更新しました。", log_path.display());
        }
    } else {
        crate::say!("{n} 件の変更を {files_changed} ファイルに書き込みました。");
    }
    Ok(Report::of(set, diags, ""))
}
