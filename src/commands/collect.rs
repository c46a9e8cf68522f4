//! `shinko collect`: one workbook per department (取組主管課) for a year's report.

use std::path::Path;

use super::{Outcome, Report, load_checked};
use crate::collect::{self, workbook};
use crate::output::{self, Written};

/// The plan, when `year` is inside its period (the year a collect workbook is made for).
pub(super) fn plan_for_year(set: &crate::load::SheetSet, year: i32) -> Result<&crate::model::Plan, crate::diag::Diagnostic> {
    let Some(plan) = set.plan.as_ref() else {
        return Err("plan.yaml を読めませんでした".into());
    };
    if year < plan.first_year || year > plan.last_year {
        return Err(format!(
            "{year} 年度は計画期間 ({}〜{} 年度) の外です。--year には計画期間の年度を指定してください。",
            plan.first_year, plan.last_year
        )
        .into());
    }
    Ok(plan)
}

pub fn run(sheets: &Path, out: &Path, year: i32) -> Outcome {
    let (set, mut diags) = load_checked(sheets)?;
    if diags.has_errors() {
        return Ok(Report::of(set, diags, "エラーがあるため、記入用ブックを作っていません。"));
    }
    let plan = plan_for_year(&set, year)?;
    // Initiative numbers are unique and department names give distinct file names: `check`
    // (validate) guarantees both, since cell and file names are made from them.
    let (departments, without) = collect::by_department(&set.items);
    let mut notices = Vec::new();
    for e in &without {
        let file = set.items.iter().find(|f| f.item.number.value == e.item.number.value).map_or(0, |f| f.file);
        notices.push(
            crate::diag::Diagnostic::new(
                file,
                Some(e.initiative.number.span),
                format!("取組 {} ({}) には取組主管課がないため、どの記入用ブックにも入れていません", e.initiative.number.value, e.initiative.name),
            )
            .warning(),
        );
    }
    diags.list.extend(notices);
    if departments.is_empty() {
        // Nothing to ask anyone: not an error of the sheets (check accepts them), so nothing
        // is written and the run ends normally, with a word why.
        let mut report = Report::of(set, diags, "");
        report.diags.push(
            crate::diag::Diagnostic::run("取組主管課の書かれた取組がないため、記入用ブックは作りませんでした")
                .warning()
                .note("記入用ブックは取組主管課ごとに作ります。取組内容の 取組主管課 に課の名前を書いてください。"),
        );
        return Ok(report);
    }

    let bar = super::progress_bar(departments.len(), "課");
    let mut books = Vec::new();
    for (dept, entries) in &departments {
        bar.set_message(dept.clone());
        books.push((
            dept,
            entries.len(),
            workbook::build(plan, dept, year, entries)?,
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let dir = out.join("collect").join(year.to_string());
    std::fs::create_dir_all(&dir).map_err(|e| {
        crate::diag::Diagnostic::file(&dir, format!("出力フォルダ {} を作れません: {}", dir.display(), crate::diag::io_reason(&e)))
    })?;
    // One writer at a time in an output folder (the year's folder is locked when staging).
    output::lock_folder(out)?;
    let (mut written, mut unchanged) = (0, 0);
    let batch = output::Batch::new();
    let mut report = Vec::new();
    for (dept, n, bytes) in &books {
        let path = dir.join(format!("{}.xlsx", output::file_stem(dept)));
        match batch.stage(&path, bytes)? {
            Written::Unchanged => unchanged += 1,
            Written::New | Written::Updated => written += 1,
        }
        report.push(format!("{}: 取組 {n} 件 → {}", dept, path.display()));
    }
    batch.commit()?;
    for line in report {
        crate::tell!("{line}");
    }
    let summary = format!(
        "{} 課の記入用ブックを書き出しました (変更なし {unchanged} ファイル、書き込み {written} ファイル) → {}",
        books.len(),
        dir.display()
    );
    let mut report = Report::of(set, diags, "");
    report.summary = summary;
    Ok(report)
}
