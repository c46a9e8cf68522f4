//! `shinko collect`: one workbook per department (取組主管課) for a year's report.

use std::path::Path;

use super::{load_checked, print_diagnostics};
use crate::collect::{self, workbook};
use crate::output::{self, Written};

/// Returns the process exit code.
pub fn run(sheets: &Path, out: &Path, year: i32) -> Result<i32, String> {
    let (set, diags) = load_checked(sheets)?;
    if !diags.is_empty() {
        print_diagnostics(&set, &diags);
        eprintln!("エラーがあるため、記入用ブックを作っていません。");
        return Ok(1);
    }
    let plan = set.plan.as_ref().ok_or("plan.yaml を読めませんでした")?;
    if year < plan.first_year || year > plan.last_year {
        return Err(format!(
            "{year} 年度は計画期間 ({}〜{} 年度) の外です。--year には計画期間の年度を指定してください。",
            plan.first_year, plan.last_year
        ));
    }
    // Input cells are named by initiative number: numbers must be unique.
    let mut seen = std::collections::BTreeMap::new();
    for f in &set.items {
        for ini in &f.item.initiatives {
            if let Some(first) = seen.insert(ini.number.value.clone(), f.file) {
                return Err(format!(
                    "取組の番号「{}」が 2 回使われています ({} と {})。番号を重ならないようにしてください。",
                    ini.number.value,
                    set.files[first].path.display(),
                    set.files[f.file].path.display()
                ));
            }
        }
    }
    let (departments, without) = collect::by_department(&set.items);
    for e in &without {
        eprintln!(
            "注意: 取組 {} ({}) には取組主管課がないため、どの記入用ブックにも入れていません。",
            e.initiative.number.value, e.initiative.name
        );
    }
    if departments.is_empty() {
        return Err("取組主管課の書かれた取組がないため、記入用ブックを作れません。".into());
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

    // Two departments must not land in one file (`A/B` and `A_B`, or names differing in case).
    let mut stems: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    for dept in departments.keys() {
        if let Some(other) = stems.insert(output::file_stem(dept).to_lowercase(), dept) {
            return Err(format!(
                "取組主管課「{other}」と「{dept}」のファイル名が同じになります。どちらかの課名を変えてください。"
            ));
        }
    }
    let dir = out.join("collect").join(year.to_string());
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("出力フォルダ {} を作れません: {}", dir.display(), output::io_reason(&e)))?;
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
        eprintln!("{line}");
    }
    eprintln!(
        "{} 課の記入用ブックを書き出しました (変更なし {unchanged} ファイル、書き込み {written} ファイル) → {}",
        books.len(),
        dir.display()
    );
    Ok(0)
}
