//! The record of what `build` wrote in an output folder, to find stale outputs.
//!
//! An item taken out of `sheets/` must not stay published by accident: its PDF, XLSX and
//! HTML page would still be in the output folder, and still be uploaded with it. `build`
//! therefore keeps, in the output folder, the list of the files it wrote there
//! ([`FILE`], one line per file: CRC-32 and size of the bytes written, and the path relative
//! to the folder). The list is staged in the same batch as the outputs, so it is exactly as
//! up to date as they are.
//!
//! A file is *stale* when the list has it and no item of the sheets (nor the whole plan)
//! makes a file of that name, whatever `--format` chose. `build` warns about stale files;
//! `build --clean` removes those whose bytes are still exactly what shinko wrote (same size
//! and CRC-32). So a file shinko never wrote (a user's own file in the folder) is never
//! removed, nor one that somebody replaced or edited after the build.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The list's file name in the output folder.
pub const FILE: &str = ".shinko-outputs.txt";
/// The list's first line, for whoever opens it.
const HEADER: &str = "# shinko build が書き出したファイルの一覧です (CRC-32、バイト数、パス)。build --clean が使います。消したり書き換えたりしないでください。";

/// A file as written: size and CRC-32 of its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub len: u64,
    pub crc: u32,
}

impl Written {
    pub fn of(bytes: &[u8]) -> Written {
        Written { len: bytes.len() as u64, crc: crc32fast::hash(bytes) }
    }
}

/// The list: path relative to the output folder (with `/`) → what was written there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    pub files: BTreeMap<String, Written>,
}

impl Manifest {
    /// Reads the list of `out`; missing or unreadable, it is empty (nothing is then known to
    /// be shinko's, so nothing is removed). Lines that do not parse are skipped.
    pub fn read(out: &Path) -> Manifest {
        let Ok(bytes) = crate::output::read_regular(&out.join(FILE)) else {
            return Manifest::default();
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut files = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.splitn(3, '\t');
            let (Some(crc), Some(len), Some(path)) = (parts.next(), parts.next(), parts.next()) else { continue };
            let (Ok(crc), Ok(len)) = (u32::from_str_radix(crc, 16), len.parse::<u64>()) else { continue };
            if is_safe_relative(path) {
                files.insert(path.to_owned(), Written { len, crc });
            }
        }
        Manifest { files }
    }

    /// The list's bytes: sorted, so deterministic.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::from(HEADER);
        s.push('\n');
        for (path, w) in &self.files {
            s.push_str(&format!("{:08x}\t{}\t{path}\n", w.crc, w.len));
        }
        s.into_bytes()
    }
}

/// A path the list may name: relative, inside the folder, no `..`. (The list is a file in a
/// folder anybody may write to; a crafted line must not make `--clean` remove a file elsewhere.)
fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains(':')
        && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

/// The outputs staged by one build, gathered from the render threads.
#[derive(Default)]
pub struct Record {
    files: Mutex<Vec<(String, Written)>>,
}

impl Record {
    /// Notes that `bytes` are (or stay) at `path`, a file inside `out`.
    pub fn add(&self, out: &Path, path: &Path, bytes: &[u8]) {
        let Ok(rel) = path.strip_prefix(out) else { return };
        let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let entry = (rel.join("/"), Written::of(bytes));
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
    }

    fn into_inner(self) -> Vec<(String, Written)> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// A file of the list that no item makes any more.
#[derive(Debug)]
pub struct Stale {
    /// Relative to the output folder.
    pub rel: String,
    pub path: PathBuf,
    /// Its bytes are still what shinko wrote (so `--clean` may remove it).
    pub as_written: bool,
}

impl Stale {
    /// The item the file was made for: its name without the folder and extension.
    pub fn stem(&self) -> &str {
        let name = self.rel.rsplit('/').next().unwrap_or(&self.rel);
        name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name)
    }
}

/// What a build does with the list.
pub struct Plan {
    /// The list to stage with the outputs.
    pub next: Manifest,
    /// Files of the list whose item is gone, in the list's order.
    pub stale: Vec<Stale>,
}

/// Compares the old list of `out` with what this build staged (`record`) and what the
/// current items and the plan make in any format (`expected`, relative paths). The next list
/// has this build's files, the files of earlier builds that are still expected and still
/// there (another `--format` made them), and the stale files, unless `clean` removes them
/// (those still as written; the caller stages their removal).
pub fn plan(out: &Path, record: Record, expected: &BTreeSet<String>, clean: bool) -> Plan {
    let old = Manifest::read(out);
    let mut next = Manifest::default();
    let mut stale = Vec::new();
    for (rel, w) in old.files {
        // Joined part by part: `html\3-2.html` on Windows, as the outputs' own paths.
        let path = rel.split('/').fold(out.to_path_buf(), |p, part| p.join(part));
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if !meta.is_file() {
            continue;
        }
        if expected.contains(&rel) {
            next.files.insert(rel, w);
            continue;
        }
        let as_written = meta.len() == w.len
            && crate::output::read_regular(&path).is_ok_and(|b| Written::of(&b) == w);
        if !(clean && as_written) {
            next.files.insert(rel.clone(), w);
        }
        stale.push(Stale { rel, path, as_written });
    }
    for (rel, w) in record.into_inner() {
        next.files.insert(rel, w);
    }
    Plan { next, stale }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_back_and_refuses_paths_outside_the_folder() {
        let mut m = Manifest::default();
        m.files.insert("3-2.pdf".into(), Written::of(b"pdf"));
        m.files.insert("html/3-2.html".into(), Written::of(b"<html>"));
        let dir = std::env::temp_dir().join(format!("shinko-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut bytes = m.to_bytes();
        bytes.extend_from_slice(b"00000000\t1\t../escape.pdf\n00000000\t1\t/etc/passwd\nnot a line\n");
        std::fs::write(dir.join(FILE), &bytes).unwrap();
        assert_eq!(Manifest::read(&dir), m);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_stale_file_is_named_by_its_item() {
        let s = Stale { rel: "html/9-9.html".into(), path: PathBuf::new(), as_written: true };
        assert_eq!(s.stem(), "9-9");
    }
}
