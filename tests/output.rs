//! Output batches: nothing changes on disk until a commit, and a failed or abandoned batch
//! leaves no temporary files and no half-updated set of outputs.

mod common;

use common::{TempDir, files_in};
use shinko::output::{Batch, Written};

#[test]
fn staged_files_appear_only_on_commit() {
    let dir = TempDir::new("batch-commit");
    let batch = Batch::new();
    assert_eq!(batch.stage(&dir.join("a.pdf"), b"A").unwrap(), Written::New);
    assert_eq!(batch.stage(&dir.join("b.xlsx"), b"B").unwrap(), Written::New);
    // Before the commit only hidden temporary files exist, no output.
    let before = files_in(dir.path());
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(before.iter().all(|f| f.starts_with('.') && f.ends_with(".tmp")), "{before:?}");
    batch.commit().unwrap();
    assert_eq!(files_in(dir.path()), ["a.pdf", "b.xlsx"]);
    assert_eq!(std::fs::read(dir.join("a.pdf")).unwrap(), b"A");
    assert_eq!(std::fs::read(dir.join("b.xlsx")).unwrap(), b"B");
}

#[test]
fn an_abandoned_batch_changes_nothing() {
    let dir = TempDir::new("batch-drop");
    dir.write("a.pdf", "old");
    {
        let batch = Batch::new();
        assert_eq!(batch.stage(&dir.join("a.pdf"), b"new").unwrap(), Written::Updated);
        assert_eq!(batch.stage(&dir.join("b.pdf"), b"B").unwrap(), Written::New);
        // Dropped without a commit, as when a later item fails.
    }
    assert_eq!(files_in(dir.path()), ["a.pdf"]);
    assert_eq!(std::fs::read(dir.join("a.pdf")).unwrap(), b"old");
}

#[test]
fn unchanged_files_are_not_rewritten() {
    let dir = TempDir::new("batch-unchanged");
    dir.write("a.pdf", "same");
    let mtime = || std::fs::metadata(dir.join("a.pdf")).unwrap().modified().unwrap();
    let before = mtime();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let batch = Batch::new();
    assert_eq!(batch.stage(&dir.join("a.pdf"), b"same").unwrap(), Written::Unchanged);
    batch.commit().unwrap();
    assert_eq!(files_in(dir.path()), ["a.pdf"]);
    assert_eq!(mtime(), before);
}

#[test]
fn a_failed_rename_leaves_no_temporary_files() {
    let dir = TempDir::new("batch-fail");
    let batch = Batch::new();
    batch.stage(&dir.join("a.pdf"), b"A").unwrap();
    batch.stage(&dir.join("b.pdf"), b"B").unwrap();
    batch.stage(&dir.join("c.pdf"), b"C").unwrap();
    // A folder appears where the file should go after it was staged: the rename fails.
    std::fs::create_dir(dir.join("b.pdf")).unwrap();
    std::fs::write(dir.join("b.pdf").join("keep"), "x").unwrap();
    let err = batch.commit().unwrap_err();
    assert!(err.contains("b.pdf") && err.contains("書き込めません"), "{err}");
    let left = files_in(dir.path());
    assert!(left.iter().all(|f| !f.ends_with(".tmp")), "{left:?}");
    assert!(!left.contains(&"c.pdf".to_string()), "{left:?}");
}

#[test]
fn staging_into_a_missing_folder_is_a_japanese_error() {
    let dir = TempDir::new("batch-missing");
    let batch = Batch::new();
    let err = batch.stage(&dir.join("no-such-folder").join("a.pdf"), b"A").unwrap_err();
    assert!(err.contains("a.pdf に書き込めません"), "{err}");
    drop(batch);
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

/// Ctrl-C in the middle of a build: exit status 130, a Japanese message, no temporary file
/// left, and the outputs exactly as they were before the run.
#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_the_outputs_as_they_were() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    // Enough items that the build is still writing when it is interrupted: copies of the
    // reference item under other numbers.
    let item = common::reference_item();
    let dir = TempDir::new("interrupt-sheets");
    dir.write("plan.yaml", common::reference_plan());
    for n in 1..=300 {
        let copy = item.replace("項目: \"3-2\"", &format!("項目: \"9-{n}\"")).replace("番号: \"3-2-", &format!("番号: \"9-{n}-"));
        dir.write(&format!("9-{n}.yaml"), copy);
    }
    let out = TempDir::new("interrupt-out");
    out.write("9-1.pdf", "before");

    let child = Command::new(env!("CARGO_BIN_EXE_shinko"))
        .args(["build", "--sheets"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the first temporary files exist.
    let started = Instant::now();
    while !files_in(out.path()).iter().any(|f| f.ends_with(".tmp")) {
        assert!(started.elapsed() < Duration::from_secs(60), "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("中断しました"), "{stderr}");
    assert_eq!(files_in(out.path()), ["9-1.pdf"], "{stderr}");
    assert_eq!(std::fs::read(out.join("9-1.pdf")).unwrap(), b"before");
}
