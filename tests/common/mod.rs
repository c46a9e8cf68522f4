//! Helpers shared by the tests that run the `shinko` binary on sheets written into temporary
//! folders.

#![allow(dead_code)] // each test file uses its own part of these helpers

pub mod books;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The reference sheets of the repository (the input contract).
pub fn reference(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sheets").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn reference_plan() -> String {
    reference("plan.yaml")
}

pub fn reference_item() -> String {
    reference("3-2.yaml")
}

/// A temporary folder, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("shinko-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.join(name), bytes).expect("write test file");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A sheets folder holding the given files (name, contents).
pub fn sheets(tag: &str, files: &[(&str, &[u8])]) -> TempDir {
    let dir = TempDir::new(tag);
    for (name, bytes) in files {
        dir.write(name, bytes);
    }
    dir
}

/// A sheets folder with the reference plan.yaml and one item file.
pub fn with_item(tag: &str, item: &str) -> TempDir {
    sheets(tag, &[("plan.yaml", reference_plan().as_bytes()), ("a.yaml", item.as_bytes())])
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit status; `None` when the process was ended by a signal.
    pub code: Option<i32>,
    pub stderr: String,
    pub stdout: String,
}

pub fn shinko(args: &[&std::ffi::OsStr]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_shinko"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run shinko");
    Run {
        code: out.status.code(),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// `shinko check --sheets DIR`.
pub fn check(dir: &Path) -> Run {
    shinko(&["check".as_ref(), "--sheets".as_ref(), dir.as_os_str()])
}

/// `shinko build --sheets DIR --out OUT`.
pub fn build(dir: &Path, out: &Path) -> Run {
    shinko(&["build".as_ref(), "--sheets".as_ref(), dir.as_os_str(), "--out".as_ref(), out.as_os_str()])
}

/// One reported problem, as printed by codespan-reporting.
#[derive(Debug)]
pub struct Reported {
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The whole printed block (source excerpt, notes).
    pub block: String,
}

impl Reported {
    /// The text of the source line that the carets (`^`) stand under.
    pub fn underlined(&self) -> String {
        let lines: Vec<&str> = self.block.lines().collect();
        let marker = format!("{} │ ", self.line);
        for (i, l) in lines.iter().enumerate() {
            let Some(pos) = l.find(&marker) else { continue };
            let source = &l[pos + marker.len()..];
            let Some(carets) = lines.get(i + 1) else { break };
            // The caret line has the gutter `│` at the same display column as the source line.
            let gutter = l[..pos + marker.len()].chars().count();
            let under: Vec<char> = carets.chars().skip(gutter).collect();
            let first = under.iter().position(|c| *c == '^').unwrap_or(under.len());
            let last = under.iter().rposition(|c| *c == '^').map_or(first, |p| p + 1);
            let (mut col, mut out) = (0, String::new());
            for c in source.chars() {
                let w = width(c);
                if col >= first && col + w <= last {
                    out.push(c);
                }
                col += w;
            }
            return out;
        }
        panic!("no source line {} in {}", self.line, self.block)
    }
}

/// Display width of a character on a terminal: 2 for East Asian wide characters.
fn width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// Every error of a run's standard error.
pub fn reported(stderr: &str) -> Vec<Reported> {
    blocks_with(stderr, "エラー: ")
}

/// Every warning of a run's standard error.
pub fn warned(stderr: &str) -> Vec<Reported> {
    blocks_with(stderr, "警告: ")
}

fn blocks_with(stderr: &str, heading: &str) -> Vec<Reported> {
    let mut out = Vec::new();
    let mut blocks: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix(heading) {
            blocks.extend(current.take());
            current = Some(format!("{rest}\n"));
        } else if line.starts_with("合計: ") || line.starts_with("エラー: ") || line.starts_with("警告: ") {
            // The summary, or a block of the other kind, ends the block.
            blocks.extend(current.take());
        } else if let Some(b) = current.as_mut() {
            b.push_str(line);
            b.push('\n');
        }
    }
    blocks.extend(current.take());
    for block in blocks.into_iter().filter(|b| !b.is_empty()) {
        let message = block.lines().next().unwrap_or("").to_owned();
        let place = block.lines().find_map(|l| l.trim_start().strip_prefix("┌─ "));
        let (file, line, column) = match place {
            Some(p) => {
                let mut parts = p.rsplitn(3, ':');
                let column = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                let line = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                (parts.next().unwrap_or("").to_owned(), line, column)
            }
            None => (String::new(), 0, 0),
        };
        out.push(Reported { message, file, line, column, block });
    }
    out
}

/// The one reported problem whose message contains `needle`.
pub fn find<'r>(all: &'r [Reported], needle: &str) -> &'r Reported {
    let found: Vec<&Reported> = all.iter().filter(|r| r.message.contains(needle)).collect();
    assert_eq!(found.len(), 1, "expected one problem with {needle:?}, got {found:#?}\nall: {all:#?}");
    found[0]
}

/// The files of a folder (names), sorted; empty when the folder does not exist.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    // The lock file of a folder shinko has written into (it stays: removing it would race).
    // And the list of what build wrote there (kept to find stale outputs).
    v.retain(|f| f != shinko::output::LOCK_FILE && f != shinko::manifest::FILE);
    v.sort();
    v
}
