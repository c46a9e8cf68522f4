//! Problems found in the input, each tied to a file and a place in it, and their rendering
//! with the source line underlined (codespan-reporting).



use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

use crate::model::SourceFile;
use crate::yaml_tree::SrcSpan;

/// One problem in one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Index of the file in the source list.
    pub file: usize,
    /// Where in the file; `None` for problems of the whole file (not UTF-8, empty).
    pub span: Option<SrcSpan>,
    /// What is wrong, in Japanese.
    pub message: String,
    /// What is allowed or how to fix it.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(file: usize, span: Option<SrcSpan>, message: impl Into<String>) -> Self {
        Diagnostic {
            file,
            span: span.filter(SrcSpan::is_known),
            message: message.into(),
            notes: Vec::new(),
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// `path:line:column`, the place as a one-line prefix.
    pub fn place(&self, files: &[SourceFile]) -> String {
        let path = files[self.file].path.display();
        match self.span {
            Some(s) => format!("{path}:{}:{}", s.line, s.column),
            None => format!("{path}"),
        }
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

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Sorts by file, then place, so that reports are stable and read top to bottom.
    pub fn sort(&mut self) {
        self.list.sort_by_key(|d| {
            (
                d.file,
                d.span.map(|s| (s.line, s.column)).unwrap_or((0, 0)),
            )
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

/// Writes every diagnostic with its source excerpt. `color` follows the terminal.
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
    for d in &diags.list {
        let mut cd = CsDiagnostic::error().with_message(&d.message);
        if let Some(span) = d.span {
            let range = label_range(&files[d.file].text, span);
            cd = cd.with_labels(vec![Label::primary(d.file, range)]);
        } else {
            cd = cd.with_notes(vec![format!("ファイル: {}", files[d.file].path.display())]);
        }
        cd = cd.with_notes_iter(d.notes.iter().cloned());
        term::emit_to_write_style(out, &config, &db, &cd).map_err(std::io::Error::other)?;
    }
    out.flush()
}
