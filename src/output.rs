//! Writing output files safely, all or nothing.
//!
//! A [`Batch`] stages each file as a temporary file beside its target. Nothing the user sees
//! changes until [`Batch::commit`]: it makes the staged data durable with one file-system sync,
//! then renames every temporary file into place and syncs the folders. A batch dropped without
//! a commit (a failed run) removes its temporary files, so a failure never leaves a
//! half-written or half-updated set of files. A file whose bytes would not change is not
//! rewritten (its modification time is kept).
//!
//! One sync for the whole batch instead of one `fsync` per file keeps the render threads busy:
//! a per-file `fsync` made them wait for the disk in turn.
//!
//! An interrupted run (Ctrl-C) removes the temporary files of every open batch before it
//! exits ([`remove_staged_and_exit`], installed by `main`): every temporary file is created
//! and registered under one lock, which the interrupt takes and never gives back.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

/// What happened (or will happen, once committed) to one output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    New,
    Updated,
    Unchanged,
}

/// A file name for an item number: characters that cannot stand in a file name become `_`.
pub fn file_stem(item_number: &str) -> String {
    item_number
        .chars()
        .map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '_' } else { c })
        .collect()
}

/// The temporary files of all open batches, and whether the run was interrupted.
#[derive(Default)]
struct Staging {
    files: HashSet<PathBuf>,
    /// Folders this run created for its outputs (`html/`): removed again, when still empty,
    /// if the run fails or is interrupted.
    dirs: Vec<PathBuf>,
    interrupted: bool,
}

static STAGING: LazyLock<Mutex<Staging>> = LazyLock::new(Mutex::default);

fn staging() -> std::sync::MutexGuard<'static, Staging> {
    STAGING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Creates a temporary file and registers it, unless the run is being interrupted.
fn create_temp(tmp: &Path) -> std::io::Result<std::fs::File> {
    let mut staging = staging();
    if staging.interrupted {
        return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "中断されました"));
    }
    let f = std::fs::File::create(tmp)?;
    staging.files.insert(tmp.to_path_buf());
    Ok(f)
}

fn unregister<'a>(tmps: impl IntoIterator<Item = &'a Path>) {
    let mut staging = staging();
    for t in tmps {
        staging.files.remove(t);
    }
}

/// Creates a folder for outputs if it is missing, remembering that this run made it (see
/// `remove_empty_dirs`).
pub fn create_dir(dir: &Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("出力フォルダ {} を作れません: {e}", dir.display()))?;
    staging().dirs.push(dir.to_path_buf());
    Ok(())
}

/// Removes the folders this run created that are still empty (after a failure: no output).
pub fn remove_empty_dirs() {
    for d in staging().dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// On an interrupt: removes every temporary file of the open batches and ends the process
/// (status 130), leaving the outputs as they were before the run.
pub fn remove_staged_and_exit() -> ! {
    let mut staging = staging();
    staging.interrupted = true;
    for p in &staging.files {
        let _ = std::fs::remove_file(p);
    }
    for d in staging.dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
    eprintln!("\n中断しました。書きかけのファイルは残していません (出力は実行前のままです)。");
    // The lock is held to the end: no thread can create another temporary file.
    std::process::exit(130);
}

/// A staged file: its temporary file and its target.
struct Staged {
    tmp: PathBuf,
    path: PathBuf,
}

/// A set of files written together: staged from any thread, committed at once.
#[derive(Default)]
pub struct Batch {
    staged: Mutex<Vec<Staged>>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Stages `bytes` for `path` (written to a temporary file beside it), unless the file
    /// already holds exactly these bytes.
    pub fn stage(&self, path: &Path, bytes: &[u8]) -> Result<Written, String> {
        let existed = match std::fs::read(path) {
            Ok(old) if old == bytes => return Ok(Written::Unchanged),
            Ok(_) => true,
            Err(_) => false,
        };
        let tmp = temp_path(path);
        let result = create_temp(&tmp).and_then(|mut f| f.write_all(bytes));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            unregister([tmp.as_path()]);
            return Err(format!("{} に書き込めません: {e}", path.display()));
        }
        self.lock().push(Staged { tmp, path: path.to_path_buf() });
        Ok(if existed { Written::Updated } else { Written::New })
    }

    /// Makes the staged files durable and renames them into place.
    pub fn commit(self) -> Result<(), String> {
        let staged = std::mem::take(&mut *self.lock());
        if staged.is_empty() {
            return Ok(());
        }
        // Data first, so that no rename can outlive its file's contents in a power cut.
        if let Err(e) = sync_data(&staged) {
            remove_temps(&staged);
            return Err(format!("出力ファイルをディスクに書き込めません: {e}"));
        }
        let mut dirs: Vec<&Path> = Vec::new();
        for (i, s) in staged.iter().enumerate() {
            if let Err(e) = std::fs::rename(&s.tmp, &s.path) {
                unregister(staged[..i].iter().map(|s| s.tmp.as_path()));
                remove_temps(&staged[i..]);
                return Err(format!("{} に書き込めません: {e}", s.path.display()));
            }
            let dir = parent(&s.path);
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        unregister(staged.iter().map(|s| s.tmp.as_path()));
        // The renames themselves (best effort: not every platform can sync a folder).
        for dir in dirs {
            sync_dir(dir);
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Staged>> {
        // A panic while holding the lock cannot leave the list inconsistent: pushes are whole.
        self.staged.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Batch {
    /// An uncommitted batch leaves nothing behind.
    fn drop(&mut self) {
        remove_temps(&self.lock());
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The temporary file for `path`: hidden, beside it (so the rename stays on one file system),
/// and named for this process so that two runs do not share one.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    parent(path).join(format!(".{name}.{}.tmp", std::process::id()))
}

fn remove_temps(staged: &[Staged]) {
    for s in staged {
        let _ = std::fs::remove_file(&s.tmp);
    }
    unregister(staged.iter().map(|s| s.tmp.as_path()));
}

/// Flushes the staged files' data to disk. On Linux one `syncfs` per file system does it for
/// all of them; elsewhere each file is synced.
fn sync_data(staged: &[Staged]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let mut synced: Vec<&Path> = Vec::new();
        for s in staged {
            let dir = parent(&s.path);
            if synced.contains(&dir) {
                continue;
            }
            let f = std::fs::File::open(&s.tmp)?;
            // SAFETY: `f` is an open file descriptor for the duration of the call.
            if unsafe { libc::syncfs(f.as_raw_fd()) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            synced.push(dir);
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        for s in staged {
            std::fs::OpenOptions::new().write(true).open(&s.tmp)?.sync_all()?;
        }
        Ok(())
    }
}

fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
