//! The import log, `sheets/.shinko.import.yaml`: which book last imported which value into
//! which input field. It is what lets a department re-send a corrected book after its first
//! import (ARCHITECTURE.md, "Corrections").
//!
//! A *book* is named by an identity that does not depend on its file name or on the program
//! that saved it last (`workbook::Filled::identity` for department books: a hash of its
//! `_shinko` sheet, i.e. of the plan, year, department and every input's name and original
//! fingerprint). For each book the log keeps its last file name and a label for messages, and,
//! per input (by the input's defined name, e.g. `shinko_3_2_1_y2022_result`), the fingerprint
//! of the value that book last imported or confirmed. The importer asks two questions:
//!
//! * did *this* book already import exactly this value? (`claim`) — then the value is not a
//!   new proposal of the book;
//! * which books claim the value the YAML holds now? (`holders`) — if only the book being
//!   imported does, the YAML still holds that book's own earlier value and a correction may
//!   replace it; if another book does, the two books disagree; if none does, the YAML was
//!   edited by hand since, and the book must not overwrite it.
//!
//! The log is written in the same all-or-nothing batch as the YAML edits, entries sorted
//! (BTreeMap), without times or paths, so the same imports give the same bytes and the file
//! diffs and merges line by line under version control. Any book kind (department books
//! today, committee books later) can use it: a book is an opaque id, an input an opaque name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

/// The log's file name in the sheets folder, beside the folder's `.shinko.lock`. Hidden
/// (`.`), so `load` does not read it as an item; copied along with the folder like any file.
/// Not `.shinko-…`: that prefix is the staged temporary files' (`.shinko-XXXXXX.tmp`).
pub const LOG_FILE: &str = ".shinko.import.yaml";

/// The format version written; a log of a later version is refused, not misread.
const VERSION: u32 = 1;

const HEADER: &str = "\
# shinko import の取り込み記録です (どのブックから、どの欄に、どの値を取り込んだか)。
# 取り込み済みのブックを課が直して送り直したとき (訂正) に、前回の値を置き換えてよいかの確認に使います。
# shinko が書き換えます。手で編集しないでください。sheets フォルダをコピーするとき、Git で管理するときは、
# このファイルもいっしょにしてください (ないと、訂正のブックは「YAML が変わっています」として断られます)。
";

/// A book as the log knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookRef {
    /// The book's identity (stable across re-saves and renames).
    pub id: String,
    /// Its file name (no folders), for messages.
    pub file: String,
    /// `行政経営課 令和4年度`, for messages.
    pub label: String,
}

impl BookRef {
    /// `行政経営課.xlsx (行政経営課 令和4年度)`.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.file, self.label)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookEntry {
    file: String,
    label: String,
    /// Input name → fingerprint of the value the book last imported there.
    values: BTreeMap<String, String>,
    /// Input name → fingerprints of values the book imported there earlier and corrected
    /// since: an old copy of the book imported again does not undo its correction.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    replaced: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    version: u32,
    books: BTreeMap<String, BookEntry>,
}

/// The log's contents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportLog {
    books: BTreeMap<String, BookEntry>,
}

/// The log's path in a sheets folder.
pub fn path(sheets: &Path) -> PathBuf {
    sheets.join(LOG_FILE)
}

impl ImportLog {
    /// Reads the log of a sheets folder; a folder without one has an empty log.
    pub fn read(sheets: &Path) -> Result<ImportLog, Diagnostic> {
        let path = path(sheets);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ImportLog::default()),
            _ => {}
        }
        let bytes = crate::output::read_regular(&path).map_err(|e| Diagnostic::file(&path, e))?;
        ImportLog::parse(&bytes).map_err(|reason| {
            Diagnostic::file(&path, format!("取り込みの記録を読めません: {reason}"))
                .note("このファイルは shinko import が書くものです。手で編集したり、Git のマージで壊れたりしていないか確かめてください。")
                .note("元に戻せないときはファイルを消してもかまいません。そのときは、取り込み済みのブックの訂正 (送り直し) は断られるので、記入用ブックを作り直してください。")
        })
    }

    /// Parses the log's text. The error is a Japanese reason.
    pub fn parse(bytes: &[u8]) -> Result<ImportLog, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "UTF-8 の文字として読めません".to_owned())?;
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            return Ok(ImportLog::default());
        }
        let stored: Stored = serde_saphyr::from_str(text)
            .map_err(|e| format!("形式が違います ({})", e.to_string().lines().next().unwrap_or("")))?;
        if stored.version != VERSION {
            return Err(format!(
                "この shinko が読める記録の形式 ({VERSION}) と違います (形式 {})。新しい shinko で取り込んでください",
                stored.version
            ));
        }
        Ok(ImportLog { books: stored.books })
    }

    /// The log's text: a Japanese header, then the entries in sorted order.
    pub fn to_text(&self) -> String {
        let stored = Stored { version: VERSION, books: self.books.clone() };
        let body = serde_saphyr::to_string(&stored).expect("a map of strings serializes");
        format!("{HEADER}{body}")
    }

    pub fn is_empty(&self) -> bool {
        self.books.is_empty()
    }

    /// The fingerprint of the value `book` last imported into the input `name`.
    pub fn claim(&self, book: &str, name: &str) -> Option<&str> {
        self.books.get(book)?.values.get(name).map(String::as_str)
    }

    /// Whether `book` imported the value with `fingerprint` into `name` before and corrected
    /// it since.
    pub fn replaced(&self, book: &str, name: &str, fingerprint: &str) -> bool {
        self.books
            .get(book)
            .and_then(|b| b.replaced.get(name))
            .is_some_and(|fs| fs.iter().any(|f| f == fingerprint))
    }

    /// The books whose last imported value of the input `name` has `fingerprint`.
    pub fn holders(&self, name: &str, fingerprint: &str) -> Vec<BookRef> {
        self.books
            .iter()
            .filter(|(_, b)| b.values.get(name).is_some_and(|f| f == fingerprint))
            .map(|(id, b)| BookRef { id: id.clone(), file: b.file.clone(), label: b.label.clone() })
            .collect()
    }

    /// Records that `book` imported (or confirmed) the value with `fingerprint` into `name`.
    pub fn record(&mut self, book: &BookRef, name: &str, fingerprint: &str) {
        let entry = self.books.entry(book.id.clone()).or_default();
        entry.file = book.file.clone();
        entry.label = book.label.clone();
        if let Some(old) = entry.values.insert(name.to_owned(), fingerprint.to_owned())
            && old != fingerprint
        {
            let earlier = entry.replaced.entry(name.to_owned()).or_default();
            if !earlier.contains(&old) {
                earlier.push(old);
            }
        }
        if let Some(earlier) = entry.replaced.get_mut(name) {
            earlier.retain(|f| f != fingerprint);
            if earlier.is_empty() {
                entry.replaced.remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(id: &str) -> BookRef {
        BookRef { id: id.into(), file: format!("{id}.xlsx"), label: "行政経営課 令和4年度".into() }
    }

    #[test]
    fn the_log_reads_back_what_it_wrote() {
        let mut log = ImportLog::default();
        // Fingerprints that look like numbers must stay strings.
        log.record(&book("b"), "shinko_3_2_1_y2022_result", "1234567890123456");
        log.record(&book("a"), "shinko_3_2_1_y2022_self", "1e10000000000000");
        log.record(&book("a"), "shinko_3_2_1_y2022_result", "00000000000000ff");
        let text = log.to_text();
        assert!(text.starts_with("# shinko import の取り込み記録"), "{text}");
        let back = ImportLog::parse(text.as_bytes()).unwrap();
        assert_eq!(back, log, "{text}");
        assert_eq!(back.claim("b", "shinko_3_2_1_y2022_result"), Some("1234567890123456"));
        assert_eq!(back.claim("a", "shinko_3_2_1_y2022_self"), Some("1e10000000000000"));
        assert_eq!(back.holders("shinko_3_2_1_y2022_result", "00000000000000ff"), vec![book("a")]);
        // Sorted: the same records in another order give the same bytes.
        let mut other = ImportLog::default();
        other.record(&book("a"), "shinko_3_2_1_y2022_result", "00000000000000ff");
        other.record(&book("a"), "shinko_3_2_1_y2022_self", "1e10000000000000");
        other.record(&book("b"), "shinko_3_2_1_y2022_result", "1234567890123456");
        assert_eq!(other.to_text(), text);
        // A correction remembers the value it replaced.
        log.record(&book("a"), "shinko_3_2_1_y2022_result", "00000000000000fe");
        assert!(log.replaced("a", "shinko_3_2_1_y2022_result", "00000000000000ff"));
        assert!(!log.replaced("b", "shinko_3_2_1_y2022_result", "00000000000000ff"));
        let back = ImportLog::parse(log.to_text().as_bytes()).unwrap();
        assert_eq!(back, log);
        log.record(&book("a"), "shinko_3_2_1_y2022_result", "00000000000000ff");
        assert!(!log.replaced("a", "shinko_3_2_1_y2022_result", "00000000000000ff"));
        assert!(log.replaced("a", "shinko_3_2_1_y2022_result", "00000000000000fe"));
    }

    #[test]
    fn a_broken_log_is_refused_with_a_reason() {
        assert!(ImportLog::parse(b"# only a comment\n").unwrap().is_empty());
        let e = ImportLog::parse(b"version: 1\nbooks:\n<<<<<<< HEAD\n").unwrap_err();
        assert!(e.contains("形式が違います"), "{e}");
        let e = ImportLog::parse(b"version: 9\nbooks: {}\n").unwrap_err();
        assert!(e.contains("形式 (1) と違います"), "{e}");
        assert!(ImportLog::parse(b"\xff").is_err());
    }
}
