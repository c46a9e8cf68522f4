//! Outputs of an item taken out of the sheets (issue 15, point 6): `build` warns about them
//! and keeps them; `build --clean` removes exactly the files shinko wrote and nobody changed
//! since, all at the commit; a user's own file in the output folder is never touched.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{TempDir, shinko, warned};

/// Every file under `dir` (relative path with `/`) with its bytes; not the lock files.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if e.file_name() != shinko::output::LOCK_FILE {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A copy of the four-item test plan (1-2, 1-10, 2-1, 3-1) in a folder of its own.
fn project(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book-plan");
    std::fs::create_dir(dir.join("sheets")).unwrap();
    for e in std::fs::read_dir(fixture).unwrap().flatten() {
        std::fs::copy(e.path(), dir.join("sheets").join(e.file_name())).unwrap();
    }
    dir
}

fn build(dir: &TempDir, extra: &[&str]) -> common::Run {
    let (sheets, out) = (dir.join("sheets"), dir.join("output"));
    let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref(), "--sheets".as_ref(), sheets.as_os_str(), "--out".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(|a| a.as_ref() as &std::ffi::OsStr));
    shinko(&args)
}

const ITEM_FILES: [&str; 3] = ["{}.pdf", "{}.xlsx", "html/{}.html"];

fn files_of(item: &str) -> Vec<String> {
    ITEM_FILES.iter().map(|f| f.replace("{}", item)).collect()
}

#[test]
fn a_withdrawn_items_files_are_warned_about_then_removed_by_clean_and_nothing_else() {
    let dir = project("stale");
    let out = dir.join("output");
    let first = build(&dir, &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(warned(&first.stderr).is_empty(), "{}", first.stderr);
    // The user's own files in the output folder, named like outputs.
    std::fs::write(out.join("memo.pdf"), b"%PDF-1.7 the user's own").unwrap();
    std::fs::write(out.join("html/notes.html"), b"<p>mine</p>").unwrap();
    let built = tree(&out);
    for item in ["1-2", "1-10", "2-1", "3-1"] {
        for f in files_of(item) {
            assert!(built.contains_key(&f), "{f} missing: {:?}", built.keys());
        }
    }

    // 2-1 and 3-1 are withdrawn; 3-1.pdf was then replaced by someone (not shinko's bytes).
    std::fs::remove_file(dir.join("sheets/2-1.yaml")).unwrap();
    std::fs::remove_file(dir.join("sheets/3-1.yaml")).unwrap();
    std::fs::write(out.join("3-1.pdf"), b"%PDF-1.7 edited by hand").unwrap();
    let second = build(&dir, &[]);
    assert_eq!(second.code, Some(0), "warnings only: {}", second.stderr);
    let warnings = warned(&second.stderr);
    assert_eq!(warnings.len(), 2, "one warning per withdrawn item: {warnings:#?}");
    for (w, item) in warnings.iter().zip(["2-1", "3-1"]) {
        assert!(w.message.contains(&format!("sheets にない項目「{item}」のファイルが出力フォルダに残っています")), "{}", w.message);
        for f in files_of(item) {
            let shown = out.join(&f).display().to_string();
            assert!(w.message.contains(&shown), "{shown} not named in {}", w.message);
        }
        assert!(w.block.contains("shinko build --clean"), "{}", w.block);
    }
    assert!(!second.stderr.contains("memo.pdf") && !second.stderr.contains("notes.html"), "{}", second.stderr);
    let kept = tree(&out);
    for item in ["2-1", "3-1"] {
        for f in files_of(item) {
            assert!(kept.contains_key(&f), "{f} removed without --clean");
        }
    }

    // --clean: shinko's files of the withdrawn items go; the edited one, the user's files and
    // the current items stay byte for byte.
    let third = build(&dir, &["--clean"]);
    assert_eq!(third.code, Some(0), "{}", third.stderr);
    let after = tree(&out);
    for f in files_of("2-1").into_iter().chain(["3-1.xlsx".into(), "html/3-1.html".into()]) {
        assert!(!after.contains_key(&f), "{f} not removed");
        assert!(third.stderr.contains(&out.join(&f).display().to_string()), "removal of {f} not said: {}", third.stderr);
    }
    assert!(third.stderr.contains("sheets にない項目の古いファイル 5 個を消しました"), "{}", third.stderr);
    assert_eq!(after["3-1.pdf"], b"%PDF-1.7 edited by hand");
    let not_removed = warned(&third.stderr);
    assert_eq!(not_removed.len(), 1, "{not_removed:#?}");
    assert!(not_removed[0].message.contains("sheets にない項目「3-1」のファイルを消していません"), "{}", not_removed[0].message);
    assert!(not_removed[0].message.contains(&out.join("3-1.pdf").display().to_string()));
    assert!(not_removed[0].block.contains("中身が変わっている"), "{}", not_removed[0].block);
    assert_eq!(after["memo.pdf"], b"%PDF-1.7 the user's own");
    assert_eq!(after["html/notes.html"], b"<p>mine</p>");
    for item in ["1-2", "1-10"] {
        for f in files_of(item) {
            assert_eq!(after.get(&f), built.get(&f), "{f} changed");
        }
    }

    // A build with only some formats keeps knowing the other formats' files as current.
    let pdf_only = build(&dir, &["--format", "pdf"]);
    assert_eq!(pdf_only.code, Some(0), "{}", pdf_only.stderr);
    let w = warned(&pdf_only.stderr);
    assert_eq!(w.len(), 1, "only the edited 3-1.pdf is still stale: {w:#?}");
    assert!(w[0].message.contains("「3-1」"));
    let clean_again = build(&dir, &["--clean"]);
    assert_eq!(clean_again.code, Some(0), "{}", clean_again.stderr);
    assert_eq!(tree(&out).get("1-2.xlsx"), built.get("1-2.xlsx"), "1-2.xlsx is current: kept");
}

#[test]
fn clean_on_a_failed_build_removes_nothing() {
    let dir = project("stale-fail");
    let out = dir.join("output");
    assert_eq!(build(&dir, &[]).code, Some(0));
    std::fs::remove_file(dir.join("sheets/2-1.yaml")).unwrap();
    let text = std::fs::read_to_string(dir.join("sheets/1-2.yaml")).unwrap();
    std::fs::write(dir.join("sheets/1-2.yaml"), text.replacen("項目名:", "項目名前:", 1)).unwrap();
    let before = tree(&out);
    let failed = build(&dir, &["--clean"]);
    assert_eq!(failed.code, Some(1), "{}", failed.stderr);
    assert!(failed.stderr.contains("何も書き出していません"), "{}", failed.stderr);
    assert_eq!(tree(&out), before, "a failed build --clean changed the output folder");
}
