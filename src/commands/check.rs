//! `shinko check`: report every problem of every sheet, write nothing.

use std::path::Path;

use super::{load_checked, print_diagnostics};

/// Returns the process exit code: 0 when the sheets are fine, 1 when there are errors.
pub fn run(sheets: &Path) -> Result<i32, String> {
    let (set, diags) = load_checked(sheets)?;
    if !diags.is_empty() {
        print_diagnostics(&set, &diags);
        return Ok(1);
    }
    eprintln!("問題はありません ({} 項目、{} ファイル)", set.items.len(), set.files.len());
    Ok(0)
}
