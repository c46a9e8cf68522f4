//! `shinko new 1-1`: writes the blank item file `sheets/1-1.yaml` (see `template`), never over
//! an existing file, and only one that `check` accepts.

use std::path::Path;

use super::{Outcome, Report};
use crate::diag::{Diagnostic, Diagnostics, absolute};
use crate::load::{self, PLAN_FILE};
use crate::output;
use crate::schema::limits;
use crate::template;

/// The largest `--initiatives`.
pub const MAX_INITIATIVES: usize = 50;

/// Reads `--initiatives` (0 to [`MAX_INITIATIVES`]), with a Japanese reason.
pub fn parse_count(s: &str) -> Result<usize, String> {
    let t = crate::number::half_width(s);
    match t.trim().parse::<usize>() {
        Ok(n) if n <= MAX_INITIATIVES => Ok(n),
        _ => Err(format!("「{s}」は取組の数として使えません (0 から {MAX_INITIATIVES} までの数を書きます。例: --initiatives 3)")),
    }
}

pub fn run(sheets: &Path, item: &str, initiatives: usize) -> Outcome {
    check_item_name(item)?;
    let mut diags = Diagnostics::default();
    let set = load::load_dir(sheets, &mut diags)?;
    let plan_file = set.plan_file;
    let plan_diags: Vec<Diagnostic> = diags.list.iter().filter(|d| d.source_file() == plan_file && plan_file.is_some()).cloned().collect();
    let Some(plan) = set.plan.as_ref().filter(|_| !plan_diags.iter().any(|d| d.severity == crate::diag::Severity::Error)) else {
        let mut report = Report::of(set, Diagnostics { list: plan_diags }, "plan.yaml に誤りがあるため、ひな形を作っていません。");
        if !report.has_errors() {
            report.diags.push(Diagnostic::run("plan.yaml を読めませんでした"));
        }
        return Ok(report);
    };

    let path = sheets.join(format!("{item}.yaml"));
    let shown = absolute(&path);
    // The sheets folder's lock keeps shinko's own writers (import) out until this is written.
    output::lock_folder(sheets)?;
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(Diagnostic::file(&shown, format!("{} はすでにあります。上書きはしません。", shown.display()))
            .note("別の番号で作るか、いまのファイルを残さないなら先に削除してください。"));
    }
    let text = template::item_file(&template::Request { plan, item, initiatives });

    // The new file must be one `check` accepts, beside the others (the same 項目 in another
    // file, initiative numbers too long for the workbooks' names, …): only its own problems
    // are reported, the other files' are for `check`.
    let mut inputs: Vec<(std::path::PathBuf, Vec<u8>)> = set.files.iter().map(|f| (f.path.clone(), f.text.clone().into_bytes())).collect();
    let index = inputs.len();
    inputs.push((path.clone(), text.clone().into_bytes()));
    let mut all = Diagnostics::default();
    let with_new = load::load_files(inputs, &mut all);
    crate::validate::validate(&with_new, &mut all);
    let own: Vec<Diagnostic> = all.list.into_iter().filter(|d| d.source_file() == Some(index)).collect();
    if !own.is_empty() {
        let mut own = Diagnostics { list: own };
        own.sort();
        return Ok(Report::of(with_new, own, &format!("{} は書き出していません。", shown.display())));
    }

    let batch = output::Batch::new();
    batch.stage(&path, text.as_bytes())?;
    batch.commit()?;
    let mut report = Report::of(set, Diagnostics::default(), "");
    report.summary = format!(
        "ひな形を書き出しました → {}\n項目名などを書き入れたら、shinko check で確かめてください。",
        shown.display()
    );
    Ok(report)
}

/// An item number becomes the file name `{item}.yaml`: it must be one on every system (the
/// city's PCs run Windows), not hidden from `load`, not the plan's, and short enough.
fn check_item_name(item: &str) -> Result<(), Diagnostic> {
    let refuse = |why: String| {
        Err(Diagnostic::run(format!("項目の番号「{item}」は使えません: {why}"))
            .note("項目の番号は、例えば 1-1 や 3-2 のように書きます (ファイル名 1-1.yaml になります)。"))
    };
    if item.trim().is_empty() {
        return refuse("空です".into());
    }
    if item.trim() != item {
        return refuse("前後に空白があります".into());
    }
    let stem = output::file_stem(item);
    if stem == format!("_{item}") {
        return refuse("Windows が機器の名前として予約している名前 (CON・NUL・COM1 など) です".into());
    }
    if item.ends_with(['.', ' ']) {
        return refuse("最後が「.」です (Windows のファイル名では消されます)".into());
    }
    if stem != item {
        let bad: String = item.chars().zip(stem.chars()).filter(|(a, b)| a != b).map(|(a, _)| if a.is_control() { '?' } else { a }).collect();
        return refuse(format!("ファイル名に使えない文字「{bad}」が入っています (\\ / : * ? \" < > | と制御文字は使えません)"));
    }
    if load::is_hidden_name(item) {
        return refuse("「.」や「~$」で始まるファイルは、shinko が読まないファイルです".into());
    }
    if format!("{item}.yaml") == PLAN_FILE {
        return refuse(format!("{PLAN_FILE} は計画全体の設定のファイルです"));
    }
    let max = limits::FILE_NAME_BYTES;
    if item.len() > max {
        return refuse(format!("長すぎます ({} バイト。{max} バイトまで。日本語は 1 文字 3 バイトです)", item.len()));
    }
    Ok(())
}
