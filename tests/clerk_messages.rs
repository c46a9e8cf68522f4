//! Messages a clerk can act on (issue 15, point 7): an output that cannot be replaced (on
//! Windows: open in Excel or a PDF viewer) is named, with the advice to close it and run
//! again, and no output changes; a command run outside the project folder says which folder
//! it looked for (absolute path) and suggests `--sheets`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{TempDir, reported};

const BIN: &str = env!("CARGO_BIN_EXE_shinko");

fn run_in(cwd: &Path, args: &[&str]) -> common::Run {
    let out = Command::new(BIN).args(args).current_dir(cwd).env("NO_COLOR", "1").output().unwrap();
    common::Run {
        code: out.status.code(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

#[test]
fn every_command_run_outside_the_project_folder_says_where_it_looked_and_suggests_sheets() {
    let here = TempDir::new("nowhere");
    std::fs::write(here.join("book.xlsx"), b"not a workbook").unwrap();
    let looked = std::path::absolute(here.join("sheets")).unwrap().display().to_string();
    for args in [&["build"][..], &["check"], &["collect", "--year", "2022"], &["import", "book.xlsx"], &["import", "--dry-run", "book.xlsx"]] {
        let r = run_in(here.path(), args);
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
        let errors = reported(&r.stderr);
        assert_eq!(errors.len(), 1, "{args:?}: {errors:#?}");
        assert_eq!(errors[0].message, format!("シートのフォルダ {looked} がありません"), "{args:?}");
        assert!(errors[0].block.contains("--sheets フォルダ で場所を指定してください"), "{args:?}: {}", errors[0].block);
        assert!(errors[0].block.contains(&format!("いまいるフォルダ: {}", std::path::absolute(here.path()).unwrap().display())), "{}", errors[0].block);
    }
    let files: Vec<String> = common::files_in(here.path());
    assert_eq!(files, ["book.xlsx"], "nothing may be written outside the project");

    // A sheets folder without plan.yaml says the same about --sheets.
    std::fs::create_dir(here.join("sheets")).unwrap();
    let r = run_in(here.path(), &["check"]);
    assert_eq!(r.code, Some(1));
    let e = &reported(&r.stderr)[0];
    assert!(e.message.contains(&format!("{looked}/plan.yaml がありません")), "{}", e.message);
    assert!(e.block.contains("--sheets"), "{}", e.block);
}

/// Makes `file` impossible to replace, as a file open in Excel is on Windows: immutable
/// (`chattr +i`, which stops root too), or else, for a user who may not use chattr, its
/// folder read-only. Returns how to undo it, or `None` when neither works here.
fn protect(file: &Path) -> Option<Box<dyn Fn()>> {
    let f = file.to_path_buf();
    if Command::new("chattr").arg("+i").arg(&f).output().is_ok_and(|o| o.status.success()) {
        return Some(Box::new(move || {
            let _ = Command::new("chattr").arg("-i").arg(&f).status();
        }));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = f.parent().unwrap().to_path_buf();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root ignores the folder's mode: then this cannot be simulated here.
        if std::fs::write(dir.join(".probe"), b"").is_err() {
            return Some(Box::new(move || {
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
            }));
        }
        let _ = std::fs::remove_file(dir.join(".probe"));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    None
}

#[test]
fn an_output_that_cannot_be_replaced_is_named_with_the_advice_to_close_it_and_nothing_changes() {
    let dir = TempDir::new("locked");
    let sheets = dir.join("sheets");
    std::fs::create_dir(&sheets).unwrap();
    std::fs::write(sheets.join("plan.yaml"), common::reference_plan()).unwrap();
    std::fs::write(sheets.join("3-2.yaml"), common::reference_item()).unwrap();
    let out = dir.join("output");
    let args = ["build", "--sheets", sheets.to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", "pdf,xlsx"];
    assert_eq!(run_in(dir.path(), &args).code, Some(0));
    // Both outputs differ from what the build makes, so both would be replaced; the PDF
    // cannot be.
    std::fs::write(out.join("3-2.pdf"), b"old pdf").unwrap();
    std::fs::write(out.join("3-2.xlsx"), b"old xlsx").unwrap();
    let Some(undo) = protect(&out.join("3-2.pdf")) else {
        if std::env::var_os("CI").is_some() {
            panic!("neither chattr nor a read-only folder can make a file irreplaceable here");
        }
        eprintln!("SKIPPED: neither chattr nor a read-only folder can make a file irreplaceable here");
        return;
    };
    let r = run_in(dir.path(), &args);
    undo();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let errors = reported(&r.stderr);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let m = &errors[0].message;
    assert!(m.starts_with(&format!("{} に書き込めません: ", out.join("3-2.pdf").display())), "{m}");
    assert!(m.contains("Excel や PDF の閲覧ソフトなどで開いているときは、閉じてから、もう一度実行してください"), "{m}");
    assert_eq!(std::fs::read(out.join("3-2.pdf")).unwrap(), b"old pdf");
    assert_eq!(std::fs::read(out.join("3-2.xlsx")).unwrap(), b"old xlsx", "the other output was replaced: not all or nothing");
    let left: Vec<String> = common::files_in(&out).into_iter().filter(|f| f.starts_with(".shinko-")).collect();
    assert!(left.is_empty(), "temporary or moved-aside files left: {left:?}");
}
