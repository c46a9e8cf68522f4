//! The subcommands: each reads the sheets, checks them and does its job.

pub mod build;
pub mod check;
pub mod collect;
pub mod committee;
pub mod import;
pub mod new;
pub mod status;

use std::path::Path;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::model::SourceFile;
use crate::load::{self, SheetSet};
use crate::validate;

/// What a command hands back to `main`: the problems it found (errors and warnings), the
/// source files they point into, and what to say after them. `main` prints the report and
/// chooses the exit status (0 without errors, 1 with; 2 for usage and internal errors).
#[derive(Default)]
pub struct Report {
    pub diags: Diagnostics,
    pub files: Vec<SourceFile>,
    /// Said after the problems when there are errors (「何も書き出していません。」).
    pub on_error: String,
    /// Said after the problems when there are no errors (the command's summary).
    pub summary: String,
}

impl Report {
    /// A report of the sheets' own problems.
    pub fn of(set: SheetSet, diags: Diagnostics, on_error: &str) -> Self {
        Report { diags, files: set.files, on_error: on_error.into(), summary: String::new() }
    }

    pub fn has_errors(&self) -> bool {
        self.diags.has_errors()
    }

    /// Prints the problems to standard error, coloured on a terminal, with their count.
    pub fn print(&self) {
        let choice = if std::io::IsTerminal::is_terminal(&std::io::stderr()) { ColorChoice::Auto } else { ColorChoice::Never };
        let mut err = StandardStream::stderr(choice);
        let _ = crate::diag::emit(&self.diags, &self.files, &mut err);
        let (errors, warnings) = (self.diags.errors(), self.diags.warnings());
        if errors > 0 {
            let files: std::collections::BTreeSet<String> =
                self.diags.list.iter().filter(|d| d.severity == Severity::Error).map(|d| d.place(&self.files)).filter(|p| !p.is_empty()).filter_map(|p| p.split(':').next().map(str::to_owned)).collect();
            // A problem of the run as a whole (a bad option value) is in no file.
            let mut line = if files.is_empty() { format!("合計: エラー {errors} 件") } else { format!("合計: エラー {errors} 件 ({} ファイル)", files.len()) };
            if warnings > 0 {
                line.push_str(&format!("、警告 {warnings} 件"));
            }
            crate::tell!("{line}");
            if !self.on_error.is_empty() {
                crate::tell!("{}", self.on_error);
            }
        } else {
            if warnings > 0 {
                crate::tell!("合計: 警告 {warnings} 件 (エラーではありません。内容を確かめてください)");
            }
            if !self.summary.is_empty() {
                crate::tell!("{}", self.summary);
            }
        }
    }
}

/// How a command ends: a report (possibly of problems), or one problem that stopped it.
pub type Outcome = Result<Report, Diagnostic>;

/// Loads and validates a sheets directory.
pub fn load_checked(dir: &Path) -> Result<(SheetSet, Diagnostics), Diagnostic> {
    let mut diags = Diagnostics::default();
    let set = load::load_dir(dir, &mut diags)?;
    validate::validate(&set, &mut diags);
    diags.sort();
    Ok((set, diags))
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
