//! The subcommands: each reads the sheets, checks them and does its job.

pub mod build;
pub mod check;
pub mod collect;
pub mod import;

use std::path::Path;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::diag::Diagnostics;
use crate::load::{self, SheetSet};
use crate::validate;

/// Loads and validates a sheets directory. On problems, prints them all and returns `None`.
pub fn load_checked(dir: &Path) -> Result<(SheetSet, Diagnostics), String> {
    let mut diags = Diagnostics::default();
    let set = load::load_dir(dir, &mut diags)?;
    validate::validate(&set, &mut diags);
    diags.sort();
    Ok((set, diags))
}

/// Prints diagnostics to standard error, coloured on a terminal.
pub fn print_diagnostics(set: &SheetSet, diags: &Diagnostics) {
    let choice = if std::io::IsTerminal::is_terminal(&std::io::stderr()) { ColorChoice::Auto } else { ColorChoice::Never };
    let mut err = StandardStream::stderr(choice);
    let _ = crate::diag::emit(diags, &set.files, &mut err);
    let files: std::collections::BTreeSet<usize> = diags.list.iter().map(|d| d.file).collect();
    eprintln!("エラー: {} 件 ({} ファイル)", diags.len(), files.len());
}

/// A progress bar on standard error, drawn only on a terminal. `unit` follows the count
/// (`3/5 課`).
pub fn progress_bar(len: usize, unit: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(&format!("{{bar:30}} {{pos}}/{{len}} {unit} {{msg}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
