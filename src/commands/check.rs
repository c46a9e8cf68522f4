//! `shinko check`: report every problem of every sheet, write nothing.

use std::path::Path;

use super::{Outcome, Report, load_checked};

pub fn run(sheets: &Path) -> Outcome {
    let (set, diags) = load_checked(sheets)?;
    let summary = if diags.is_empty() {
        format!("問題はありません ({} 項目、{} ファイル)", set.items.len(), set.files.len())
    } else {
        format!("エラーはありません ({} 項目、{} ファイル)", set.items.len(), set.files.len())
    };
    let mut report = Report::of(set, diags, "");
    report.summary = summary;
    Ok(report)
}
