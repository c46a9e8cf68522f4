//! Problems found in the input, each tied to a file and a place in it, and their rendering
//! with the source line underlined (codespan-reporting).



use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

use std::path::PathBuf;

use crate::model::SourceFile;
use crate::yaml_tree::SrcSpan;

/// Where a problem is.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// A file of the sheet set (index into its source list); `span: None` for the whole file
    /// (not UTF-8, empty).
    Source { file: usize, span: Option<SrcSpan> },
    /// A cell of a workbook: the book, the sheet, the cell (`B12`) and what the cell holds
    /// (`3-2-1 / 2022 / 実績`).
    Cell { book: PathBuf, sheet: String, cell: String, what: String },
    /// A whole file outside the sheet set (a workbook, an output file, a folder).
    File(PathBuf),
    /// The run as a whole.
    Run,
}

/// How bad a problem is: errors stop the command (exit status 1), warnings are shown only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub place: Place,
    /// What is wrong, in Japanese.
    pub message: String,
    /// What is allowed or how to fix it.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at a place of a sheets file.
    pub fn new(file: usize, span: Option<SrcSpan>, message: impl Into<String>) -> Self {
        Self::at(Place::Source { file, span: span.filter(SrcSpan::is_known) }, message)
    }

    /// An error at any place.
    pub fn at(place: Place, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, place, message: message.into(), notes: Vec::new() }
    }

    /// An error about a whole file.
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::at(Place::File(path.into()), message)
    }

    /// An error of the run as a whole.
    pub fn run(message: impl Into<String>) -> Self {
        Self::at(Place::Run, message)
    }

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The sheets file the problem is in, if it is in one.
    pub fn source_file(&self) -> Option<usize> {
        match self.place {
            Place::Source { file, .. } => Some(file),
            _ => None,
        }
    }

    /// The span in the sheets file, if the problem has one.
    pub fn span(&self) -> Option<SrcSpan> {
        match self.place {
            Place::Source { span, .. } => span,
            _ => None,
        }
    }

    /// `path:line:column`, the place as a one-line prefix.
    pub fn place(&self, files: &[SourceFile]) -> String {
        self.place.text(files)
    }
}

impl Place {
    /// The place in words: `path:line:column`, `book.xlsx シート「3-2-1」のセル B12 (…)`.
    /// `files` is the sheet set's source list (used by `Source` places only).
    pub fn text(&self, files: &[SourceFile]) -> String {
        match self {
            Place::Source { file, span } => {
                let path = files[*file].path.display();
                match span {
                    Some(s) => format!("{path}:{}:{}", s.line, s.column),
                    None => format!("{path}"),
                }
            }
            Place::Cell { book, sheet, cell, what } => {
                let mut s = format!("{} シート「{sheet}」のセル {cell}", book.display());
                if !what.is_empty() {
                    s.push_str(&format!(" ({what})"));
                }
                s
            }
            Place::File(p) => p.display().to_string(),
            Place::Run => String::new(),
        }
    }
}

/// A message that stops a command (an I/O error, a bad option value) is a problem of the run.
impl From<String> for Diagnostic {
    fn from(message: String) -> Self {
        Diagnostic::run(message)
    }
}

impl From<&str> for Diagnostic {
    fn from(message: &str) -> Self {
        Diagnostic::run(message)
    }
}

/// Collects diagnostics for one run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub fn error(&mut self, file: usize, span: Option<SrcSpan>, message: impl Into<String>) {
        self.push(Diagnostic::new(file, span, message));
    }

    /// No problem at all, not even a warning.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn errors(&self) -> usize {
        self.list.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.list.len() - self.errors()
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// Sorts by file, then place, so that reports are stable and read top to bottom. Problems
    /// outside the sheets come after them, in the order they were found.
    pub fn sort(&mut self) {
        self.list.sort_by_key(|d| match &d.place {
            Place::Source { file, span } => (0, *file, span.map(|s| (s.line, s.column)).unwrap_or((0, 0))),
            _ => (1, 0, (0, 0)),
        });
        self.list.dedup();
    }
}

/// Byte range of a span, clamped to the text and widened to at least one character.
fn label_range(text: &str, span: SrcSpan) -> std::ops::Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if end == start {
        end = text[start..]
            .chars()
            .next()
            .map(|c| start + c.len_utf8())
            .unwrap_or(start);
    }
    // Underline the first line only: a block scalar's span can cover many lines.
    if let Some(nl) = text[start..end].find('\n')
        && nl > 0
    {
        end = start + nl;
    }
    start..end
}

/// Writes every diagnostic with its source excerpt. `color` follows the terminal. Headings are
/// Japanese (codespan-reporting writes `error`/`warning`; [`Japanese`] replaces those words).
pub fn emit(
    diags: &Diagnostics,
    files: &[SourceFile],
    out: &mut dyn termcolor::WriteColor,
) -> std::io::Result<()> {
    let mut db = SimpleFiles::new();
    for f in files {
        db.add(f.path.display().to_string(), f.text.as_str());
    }
    let config = term::Config::default();
    let mut out = Japanese(out);
    for d in &diags.list {
        let mut cd = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_message(&d.message);
        match &d.place {
            Place::Source { file, span: Some(span) } => {
                let range = label_range(&files[*file].text, *span);
                cd = cd.with_labels(vec![Label::primary(*file, range)]);
            }
            Place::Source { file, span: None } => {
                cd = cd.with_notes(vec![format!("ファイル: {}", files[*file].path.display())]);
            }
            Place::Run => {}
            _ => cd = cd.with_notes(vec![format!("場所: {}", d.place(files))]),
        }
        cd = cd.with_notes_iter(d.notes.iter().cloned());
        term::emit_to_write_style(&mut out, &config, &db, &cd).map_err(std::io::Error::other)?;
    }
    std::io::Write::flush(&mut out)
}

/// A writer that says codespan-reporting's severity headings in Japanese. The renderer writes
/// the heading word as one write of its own (`write!(self, "error")`), so exactly that write
/// is replaced; messages are written with their `: ` prefix and never match.
struct Japanese<'a>(&'a mut dyn termcolor::WriteColor);

impl std::io::Write for Japanese<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let word: &[u8] = match buf {
            b"error" => "エラー".as_bytes(),
            b"warning" => "警告".as_bytes(),
            b"note" => "注".as_bytes(),
            other => other,
        };
        self.0.write_all(word)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl termcolor::WriteColor for Japanese<'_> {
    fn supports_color(&self) -> bool {
        self.0.supports_color()
    }

    fn set_color(&mut self, spec: &termcolor::ColorSpec) -> std::io::Result<()> {
        self.0.set_color(spec)
    }

    fn reset(&mut self) -> std::io::Result<()> {
        self.0.reset()
    }
}

/// What to do about an output that another program may hold open.
pub const CLOSE_AND_RETRY: &str =
    "このファイルを Excel や PDF の閲覧ソフトなどで開いているときは、閉じてから、もう一度実行してください。";

/// Windows error codes that mean another program has the file open, in Japanese:
/// ERROR_ACCESS_DENIED (5; also a read-only file), ERROR_SHARING_VIOLATION (32: Excel or a PDF
/// viewer has it open), ERROR_LOCK_VIOLATION (33). A plain function of the code, so that it is
/// tested on every platform; [`io_reason`] uses it on Windows only (elsewhere the numbers mean
/// other things: 32 is EPIPE on Linux).
pub fn windows_reason(code: i32) -> Option<&'static str> {
    match code {
        5 => Some("アクセスが拒否されました (ほかのプログラムが開いているか、読み取り専用のファイルです)"),
        32 => Some("ほかのプログラム (Excel や PDF の閲覧ソフトなど) がこのファイルを開いています"),
        33 => Some("ほかのプログラムがこのファイルをロックしています"),
        _ => None,
    }
}

/// Whether an error writing, replacing or removing a file may come from another program
/// holding it open (Windows) or from the file being protected (read-only, immutable): then
/// the clerk is asked to close it and run again ([`CLOSE_AND_RETRY`]).
pub fn may_be_open_elsewhere(e: &std::io::Error) -> bool {
    #[cfg(windows)]
    if e.raw_os_error().is_some_and(|c| windows_reason(c).is_some()) {
        return true;
    }
    matches!(e.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ResourceBusy | std::io::ErrorKind::ExecutableFileBusy)
}

/// The reason of an I/O error, in Japanese (the standard library's texts are English).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    #[cfg(windows)]
    if let Some(text) = e.raw_os_error().and_then(windows_reason) {
        return text.to_owned();
    }
    let text = match e.kind() {
        K::NotFound => "ファイルまたはフォルダがありません",
        K::PermissionDenied => "アクセスが許可されていません (読み取り専用か、ほかのプログラムが使用中の可能性があります)",
        K::AlreadyExists => "同じ名前のファイルがすでにあります",
        K::IsADirectory => "ファイルではなくフォルダです",
        K::NotADirectory => "フォルダではありません",
        K::DirectoryNotEmpty => "フォルダが空ではありません",
        K::StorageFull => "ディスクの空き容量が足りません",
        K::ReadOnlyFilesystem => "読み取り専用の場所です",
        K::ResourceBusy | K::ExecutableFileBusy => "ほかのプログラムが使用中です",
        K::InvalidFilename => "ファイル名が長すぎるか、使えない文字を含んでいます",
        K::FileTooLarge => "ファイルが大きすぎます",
        K::CrossesDevices => "別のドライブへは移動できません",
        K::TooManyLinks => "リンクが多すぎます",
        K::InvalidData => "内容が正しくありません",
        K::UnexpectedEof => "ファイルが途中で終わっています",
        K::Interrupted => "中断されました",
        K::WouldBlock | K::TimedOut => "時間内に終わりませんでした",
        K::OutOfMemory => "メモリが足りません",
        K::Unsupported => "この環境では使えない操作です",
        K::QuotaExceeded => "ディスクの使用量の上限に達しました",
        _ => match e.raw_os_error() {
            #[cfg(unix)]
            Some(libc::ELOOP) => "シンボリックリンクです (リンクをたどって開くことはしません)",
            #[cfg(unix)]
            Some(libc::ENXIO) => "通常のファイルではありません",
            _ => "",
        },
    };
    match (text, e.raw_os_error()) {
        ("", Some(code)) => format!("入出力エラー (コード {code})"),
        ("", None) => "入出力エラー".to_owned(),
        (t, _) => t.to_owned(),
    }
}

/// The absolute form of a path, for messages that say where shinko looked.
pub fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_codes_of_a_file_open_elsewhere_are_said_in_japanese() {
        assert!(windows_reason(32).unwrap().contains("ほかのプログラム (Excel や PDF の閲覧ソフトなど) がこのファイルを開いています"));
        assert!(windows_reason(33).unwrap().contains("ロック"));
        assert!(windows_reason(5).unwrap().contains("アクセスが拒否されました"));
        assert_eq!(windows_reason(2), None);
    }

    #[test]
    fn a_file_open_elsewhere_gets_the_advice_to_close_it() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(may_be_open_elsewhere(&denied));
        assert!(io_reason(&denied).contains("ほかのプログラムが使用中"));
        assert!(!may_be_open_elsewhere(&std::io::Error::from(std::io::ErrorKind::NotFound)));
        #[cfg(windows)]
        for code in [5, 32, 33] {
            let e = std::io::Error::from_raw_os_error(code);
            assert!(may_be_open_elsewhere(&e), "{code}");
            assert_eq!(io_reason(&e), windows_reason(code).unwrap());
        }
        #[cfg(unix)]
        {
            // EPERM: what renaming an immutable file gives, even to root.
            let e = std::io::Error::from_raw_os_error(libc::EPERM);
            assert!(may_be_open_elsewhere(&e));
            // EPIPE is 32 on Linux: not a sharing violation.
            assert!(!io_reason(&std::io::Error::from_raw_os_error(libc::EPIPE)).contains("Excel"));
        }
    }
}
