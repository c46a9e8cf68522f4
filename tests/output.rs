//! Output batches: nothing changes on disk until a commit, and a failed or abandoned batch
//! leaves no temporary files and no half-updated set of outputs.

mod common;

use common::{TempDir, files_in};
use shinko::output::{Batch, Written, write_atomic};

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
    assert_eq!(write_atomic(&dir.join("a.pdf"), b"same").unwrap(), Written::Unchanged);
    assert_eq!(mtime(), before);
}

#[test]
fn a_failed_rename_leaves_no_temporary_files() {
    let dir = TempDir::new("batch-fail");
    // A folder where the file should go: the rename fails.
    std::fs::create_dir(dir.join("b.pdf")).unwrap();
    std::fs::write(dir.join("b.pdf").join("keep"), "x").unwrap();
    let batch = Batch::new();
    batch.stage(&dir.join("a.pdf"), b"A").unwrap();
    batch.stage(&dir.join("b.pdf"), b"B").unwrap();
    batch.stage(&dir.join("c.pdf"), b"C").unwrap();
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
