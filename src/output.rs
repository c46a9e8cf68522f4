//! Writing files safely, all or nothing, one writer at a time.
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
//! **Temporary files** are made by `tempfile`: `.shinko-XXXXXX.tmp` with a random part,
//! created with `O_EXCL` (a planted file or symlink of that name makes the creation fail and
//! another name is tried; nothing is ever opened through a link). A target that exists and is
//! not a regular file (a FIFO, a socket, a device, a folder) is an error naming it; it is never
//! opened, so nothing blocks on it.
//!
//! **What the user set up is kept.** The staged file gets the mode (and, where the process may,
//! the owner) of the file it replaces. Outputs ([`Batch::stage`]) replace a symlink by the file
//! (a planted link cannot make a build write elsewhere); sources edited in place
//! ([`Batch::stage_source`]: the YAML import rewrites) are written at the symlink's target, the
//! link staying a link, and a hard-linked source is refused (a rename would silently split it).
//!
//! **One writer per folder.** Every folder a batch writes into is locked first
//! ([`lock_folder`]: an advisory lock on `.shinko.lock` in it, `std::fs::File::try_lock`). A
//! second run waits up to [`LOCK_WAIT`], then stops with a message. Whoever holds a folder's
//! lock knows that no other run has temporary files there, so taking it removes the
//! `.shinko-*.tmp` files a killed run (SIGKILL, power cut) left behind.
//!
//! **Signals.** SIGINT, SIGTERM and SIGHUP (Ctrl-C and closing the console on Windows) remove
//! the temporary files of every open batch and end the process with 128 + the signal
//! ([`install_signal_handlers`]). Every temporary file is created and registered under one
//! lock, which the handler takes and never gives back; renames also happen under it, so a
//! signal during a commit waits for the renames to finish.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// What happened (or will happen, once committed) to one output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    New,
    Updated,
    Unchanged,
}

/// How long a run waits for another run's lock on a folder before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);
/// The lock file in each folder shinko writes into.
pub const LOCK_FILE: &str = ".shinko.lock";
/// The beginning and end of every temporary file's name.
const TEMP_PREFIX: &str = ".shinko-";
const TEMP_SUFFIX: &str = ".tmp";
/// The end of the name of a file moved aside during a commit (kept if the run is killed).
const BACKUP_SUFFIX: &str = ".bak";
/// The largest file read whole (a YAML sheet, an output compared before rewriting).
pub const MAX_READ: u64 = 256 << 20;

/// A file name for an item number or a department: characters that cannot stand in a file
/// name (on Windows too) become `_`, and so do trailing dots and spaces (Windows drops them);
/// a name Windows reserves for devices (`CON`, `NUL`, `COM1`, … also with an extension) gets
/// a leading `_`.
pub fn file_stem(name: &str) -> String {
    let mut stem: String = name
        .chars()
        .map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '_' } else { c })
        .collect();
    let kept = stem.trim_end_matches(['.', ' ']).len();
    let trailing = stem.len() - kept;
    stem.truncate(kept);
    stem.push_str(&"_".repeat(trailing));
    let base = stem.split('.').next().unwrap_or("").trim_end().to_ascii_uppercase();
    let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (base.len() == 4
            && (base.starts_with("COM") || base.starts_with("LPT"))
            && base[3..].chars().all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³')));
    if reserved || stem.is_empty() {
        stem.insert(0, '_');
    }
    stem
}

pub use crate::diag::io_reason;

/// What kind of file system object a path is, for messages.
fn kind_of(m: &Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_dir() {
        return "フォルダ";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "名前付きパイプ (FIFO)";
        }
        if t.is_socket() {
            return "ソケット";
        }
        if t.is_block_device() || t.is_char_device() {
            return "デバイス";
        }
    }
    "特殊なファイル"
}

fn not_regular(path: &Path, m: &Metadata) -> String {
    format!(
        "{} は通常のファイルではありません ({})。読み書きしません。別の場所を指定するか、取り除いてください。",
        path.display(),
        kind_of(m)
    )
}

/// Opens a file for reading, refusing anything that is not a regular file without blocking on
/// it (a FIFO is opened non-blocking, then checked). `follow`: whether a symlink is followed.
fn open_checked(path: &Path, follow: bool) -> std::io::Result<Result<File, String>> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | nofollow);
    }
    #[cfg(not(unix))]
    let _ = follow;
    let f = opts.open(path)?;
    let m = f.metadata()?;
    if !m.is_file() {
        return Ok(Err(not_regular(path, &m)));
    }
    Ok(Ok(f))
}

/// Opens an input file (following symlinks: users link files into their folders) that must be
/// a regular file. Errors are whole sentences naming it.
pub fn open_regular(path: &Path) -> Result<File, String> {
    match open_checked(path, true) {
        Ok(r) => r,
        Err(e) => Err(format!("{} を開けません: {}", path.display(), io_reason(&e))),
    }
}

/// Reads an input file whole: a regular file of at most [`MAX_READ`] bytes.
pub fn read_regular(path: &Path) -> Result<Vec<u8>, String> {
    let f = open_regular(path)?;
    read_limited(f, path)
}

fn read_limited(f: File, path: &Path) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    f.take(MAX_READ + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{} を読めません: {}", path.display(), io_reason(&e)))?;
    if bytes.len() as u64 > MAX_READ {
        return Err(format!(
            "{} は大きすぎるため読みません ({} MB を超えています)。",
            path.display(),
            MAX_READ >> 20
        ));
    }
    Ok(bytes)
}

// ---- folder locks ----

/// The folders this process holds the lock of (by canonical path), with their lock files.
static LOCKS: LazyLock<Mutex<Vec<(PathBuf, File)>>> = LazyLock::new(Mutex::default);

/// Takes this process's lock on `dir` (created if missing), waiting up to [`LOCK_WAIT`] for
/// another run to finish. Held until the process ends. Taking it removes the temporary files
/// of runs that were killed.
pub fn lock_folder(dir: &Path) -> Result<(), String> {
    let canonical = std::fs::canonicalize(dir)
        .map_err(|e| format!("フォルダ {} を開けません: {}", dir.display(), io_reason(&e)))?;
    let mut locks = LOCKS.lock().unwrap_or_else(|e| e.into_inner());
    if locks.iter().any(|(p, _)| *p == canonical) {
        return Ok(());
    }
    let path = canonical.join(LOCK_FILE);
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts
        .open(&path)
        .map_err(|e| format!("ロックファイル {} を作れません: {}", path.display(), io_reason(&e)))?;
    match file.metadata() {
        Ok(m) if !m.is_file() => return Err(not_regular(&path, &m)),
        _ => {}
    }
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "ほかの shinko が同じフォルダに書き込み中です ({})。{} 秒待ちましたが終わりませんでした。終わってから、もう一度実行してください。",
                    dir.display(),
                    LOCK_WAIT.as_secs()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!("フォルダ {} をロックできません: {}", dir.display(), io_reason(&e)));
            }
        }
    }
    remove_stale_temps(&canonical);
    locks.push((canonical, file));
    Ok(())
}

/// Removes `.shinko-*.tmp` entries of a folder whose lock this process has just taken: no
/// other live run can own them.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            // Not followed: a link is removed, never what it points to.
            if let Ok(m) = std::fs::symlink_metadata(e.path())
                && (m.is_file() || m.file_type().is_symlink())
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

// ---- the registry of temporary files, for signals ----

/// The temporary files of all open batches, and whether the run was interrupted.
#[derive(Default)]
struct Staging {
    files: HashSet<PathBuf>,
    /// Folders this run created for its outputs (`html/`): removed again, when still empty,
    /// if the run fails or is interrupted.
    dirs: Vec<PathBuf>,
    interrupted: bool,
    /// Some renames of a commit were done: the outputs are no longer as before the run.
    renamed: bool,
}

static STAGING: LazyLock<Mutex<Staging>> = LazyLock::new(Mutex::default);

fn staging() -> std::sync::MutexGuard<'static, Staging> {
    STAGING.lock().unwrap_or_else(|e| e.into_inner())
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
    std::fs::create_dir_all(dir).map_err(|e| format!("出力フォルダ {} を作れません: {}", dir.display(), io_reason(&e)))?;
    staging().dirs.push(dir.to_path_buf());
    Ok(())
}

/// Removes the folders this run created that are still empty (after a failure: no output).
pub fn remove_empty_dirs() {
    for d in staging().dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// On a signal: removes every temporary file of the open batches and ends the process with
/// `code`, leaving the outputs as they were (or, when the signal came during a commit, as the
/// whole commit left them).
pub fn remove_staged_and_exit(code: i32) -> ! {
    let mut staging = staging();
    staging.interrupted = true;
    for p in &staging.files {
        let _ = std::fs::remove_file(p);
    }
    for d in staging.dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
    if staging.renamed {
        crate::tell!("\n中断しました。書きかけのファイルは残していません。");
    } else {
        crate::tell!("\n中断しました。書きかけのファイルは残していません (出力は実行前のままです)。");
    }
    // The lock is held to the end: no thread can create another temporary file.
    std::process::exit(code);
}

/// SIGINT, SIGTERM and SIGHUP end the run through [`remove_staged_and_exit`] (status 130,
/// 143, 129). On Windows, Ctrl-C and closing the console (status 130).
pub fn install_signal_handlers() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            let _ = std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    if let Some(sig) = signals.forever().next() {
                        remove_staged_and_exit(128 + sig);
                    }
                });
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrlc::set_handler(|| remove_staged_and_exit(130));
    }
}

// ---- batches ----

/// A staged file: its temporary file (removed when dropped) and its target.
struct Staged {
    tmp: tempfile::TempPath,
    path: PathBuf,
}

/// A set of files written together: staged from any thread, committed at once.
#[derive(Default)]
pub struct Batch {
    staged: Mutex<Vec<Staged>>,
    /// Outputs to remove at the commit (`build --clean`).
    removals: Mutex<Vec<PathBuf>>,
}

/// What exists at a target before it is written.
enum Before {
    Missing,
    /// A regular file: its metadata, and whether it holds exactly the new bytes.
    File(Metadata, bool),
    /// A symlink (outputs only: replaced by the new file).
    Link,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Stages `bytes` for the output `path`, unless the file already holds exactly these
    /// bytes. A symlink at `path` is replaced, not followed.
    pub fn stage(&self, path: &Path, bytes: &[u8]) -> Result<Written, String> {
        let before = inspect(path, bytes, false)?;
        self.stage_at(path, path, before, bytes)
    }

    /// Stages `bytes` for a source file edited in place (a YAML sheet): written at the
    /// symlink's target when `path` is a link, refused when it has other hard links.
    pub fn stage_source(&self, path: &Path, bytes: &[u8]) -> Result<Written, String> {
        let real = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| {
                format!("{} のリンク先を開けません: {}", path.display(), io_reason(&e))
            })?,
            _ => path.to_path_buf(),
        };
        let before = inspect(&real, bytes, true)?;
        #[cfg(unix)]
        if let Before::File(m, _) = &before {
            use std::os::unix::fs::MetadataExt;
            if m.nlink() > 1 {
                return Err(format!(
                    "{} にはほかの名前 (ハードリンク) が {} 個あります。書き換えるとリンクが切れて別々のファイルになるため、書き込みません。ハードリンクをやめるか、シンボリックリンクにしてください。",
                    path.display(),
                    m.nlink() - 1
                ));
            }
        }
        self.stage_at(path, &real, before, bytes)
    }

    fn stage_at(&self, shown: &Path, target: &Path, before: Before, bytes: &[u8]) -> Result<Written, String> {
        let written = match &before {
            Before::File(_, true) => return Ok(Written::Unchanged),
            Before::File(..) | Before::Link => Written::Updated,
            Before::Missing => Written::New,
        };
        let dir = parent(target);
        if !dir.is_dir() {
            return Err(format!("{} に書き込めません: フォルダ {} がありません", shown.display(), dir.display()));
        }
        lock_folder(dir)?;
        let fail = |e: std::io::Error| format!("{} に書き込めません: {}", shown.display(), io_reason(&e));
        let tmp = create_temp(dir).map_err(fail)?;
        let result = (|| {
            let mut f = tmp.as_file();
            f.write_all(bytes)?;
            if let Before::File(m, _) = &before {
                keep_attributes(f, m);
            }
            Ok(())
        })();
        let tmp = tmp.into_temp_path();
        if let Err(e) = result {
            unregister([tmp.as_ref()]);
            drop(tmp);
            return Err(fail(e));
        }
        self.lock().push(Staged { tmp, path: target.to_path_buf() });
        Ok(written)
    }

    /// Stages the removal of the output `path` (`build --clean`): a regular file, removed at
    /// the commit together with the renames, or not at all if the commit fails.
    pub fn stage_removal(&self, path: &Path) -> Result<(), String> {
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(m) => return Err(not_regular(path, &m)),
            Err(e) => return Err(format!("{} を確かめられません: {}", path.display(), io_reason(&e))),
        }
        lock_folder(parent(path))?;
        self.removals.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_path_buf());
        Ok(())
    }

    /// Makes the staged files durable and puts them in place, removing the staged removals:
    /// all of it, or (on an error) none of it.
    ///
    /// First every file that is replaced or removed is moved aside (renamed to
    /// `.shinko-XXXXXX.bak` beside it). A file that another program holds open on Windows
    /// (Excel, a PDF viewer) cannot be renamed, so this is where such a file is found, before
    /// any output changed; what was moved aside is then moved back. Then the new files are
    /// renamed into place, and the moved-aside files removed. (A run killed in between leaves
    /// the old file as `.shinko-XXXXXX.bak`, which is never removed automatically.)
    pub fn commit(self) -> Result<(), String> {
        let staged = std::mem::take(&mut *self.lock());
        let removals = std::mem::take(&mut *self.removals.lock().unwrap_or_else(|e| e.into_inner()));
        if staged.is_empty() && removals.is_empty() {
            return Ok(());
        }
        // Data first, so that no rename can outlive its file's contents in a power cut.
        if let Err(e) = sync_data(&staged) {
            remove_temps(staged);
            return Err(format!("出力ファイルをディスクに書き込めません: {}", io_reason(&e)));
        }
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut aside: Vec<(PathBuf, PathBuf)> = Vec::new();
        {
            // Under the registry's lock: a signal waits for the renames to finish.
            let mut registry = staging();
            if registry.interrupted {
                drop(registry);
                remove_temps(staged);
                return Err("中断されました".into());
            }
            let replaced = staged.iter().map(|s| s.path.as_path()).filter(|p| std::fs::symlink_metadata(p).is_ok());
            let moving: Vec<PathBuf> = replaced.chain(removals.iter().map(PathBuf::as_path)).map(Path::to_path_buf).collect();
            for target in moving {
                match move_aside(&target) {
                    Ok(backup) => aside.push((target, backup)),
                    Err(e) => {
                        put_back(&aside, &[]);
                        drop(registry);
                        remove_temps(staged);
                        return Err(replace_error(&target, &e));
                    }
                }
            }
            let mut placed: Vec<PathBuf> = Vec::new();
            let mut rest = staged.into_iter();
            while let Some(s) = rest.next() {
                let tmp_path = s.tmp.to_path_buf();
                if let Err(e) = s.tmp.persist(&s.path) {
                    registry.files.remove(&tmp_path);
                    drop(e.path); // removes this temporary file
                    for r in rest.by_ref() {
                        registry.files.remove(r.tmp.as_ref() as &Path);
                    }
                    put_back(&aside, &placed);
                    return Err(replace_error(&s.path, &e.error));
                }
                registry.files.remove(&tmp_path);
                registry.renamed = true;
                placed.push(s.path.clone());
                let dir = parent(&s.path).to_path_buf();
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
        for (target, backup) in &aside {
            let _ = std::fs::remove_file(backup);
            let dir = parent(target).to_path_buf();
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        // The renames themselves (best effort: not every platform can sync a folder).
        for dir in dirs {
            sync_dir(&dir);
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
        remove_temps(std::mem::take(&mut *self.lock()));
    }
}

/// What is at `target` now, refusing anything that is not a regular file (or, for outputs, a
/// symlink, which is replaced). `follow`: `target` is already a link's resolved target.
fn inspect(target: &Path, bytes: &[u8], follow: bool) -> Result<Before, String> {
    let m = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Before::Missing),
        Err(e) => return Err(format!("{} を確かめられません: {}", target.display(), io_reason(&e))),
        Ok(m) => m,
    };
    if m.file_type().is_symlink() && !follow {
        return Ok(Before::Link);
    }
    if !m.is_file() && !m.file_type().is_symlink() {
        return Err(not_regular(target, &m));
    }
    // Opened without following links and without blocking; checked again once open.
    let f = match open_checked(target, follow) {
        Ok(Ok(f)) => f,
        Ok(Err(msg)) => return Err(msg),
        Err(e) => {
            let hint = if crate::diag::may_be_open_elsewhere(&e) { crate::diag::CLOSE_AND_RETRY } else { "" };
            return Err(format!("{} を読めません: {}。{hint}", target.display(), io_reason(&e)));
        }
    };
    let m = f
        .metadata()
        .map_err(|e| format!("{} を確かめられません: {}", target.display(), io_reason(&e)))?;
    let same = if m.len() == bytes.len() as u64 {
        read_limited(f, target)? == bytes
    } else {
        false
    };
    Ok(Before::File(m, same))
}

/// Creates a temporary file in `dir` and registers it, unless the run is being interrupted.
fn create_temp(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut staging = staging();
    if staging.interrupted {
        return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted"));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // As `File::create` would make it (0666 less the umask), not tempfile's private 0600:
    // outputs on a shared drive stay readable by the others.
    #[cfg(unix)]
    let perms = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    builder.permissions(perms);
    let f = builder.tempfile_in(dir)?;
    staging.files.insert(f.path().to_path_buf());
    Ok(f)
}

/// Gives the staged file the mode and owner of the file it replaces (owner: where the
/// process may; an ordinary user cannot give a file away, and keeps their own).
fn keep_attributes(f: &File, old: &Metadata) {
    let _ = f.set_permissions(old.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(now) = f.metadata()
            && (now.uid() != old.uid() || now.gid() != old.gid())
        {
            let _ = std::os::unix::fs::fchown(f, Some(old.uid()), Some(old.gid()));
            // chown clears set-id bits: put the mode back.
            let _ = f.set_permissions(old.permissions());
        }
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Renames `target` to a new `.shinko-XXXXXX.bak` beside it, returning that name.
fn move_aside(target: &Path) -> std::io::Result<PathBuf> {
    let backup = tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(BACKUP_SUFFIX).tempfile_in(parent(target))?;
    let backup = backup.into_temp_path().keep().map_err(|e| e.error)?;
    if let Err(e) = std::fs::rename(target, &backup) {
        let _ = std::fs::remove_file(&backup);
        return Err(e);
    }
    Ok(backup)
}

/// Undoes a commit that failed half-way: the new files `placed` where nothing was before are
/// removed, and every moved-aside file goes back to its name.
fn put_back(aside: &[(PathBuf, PathBuf)], placed: &[PathBuf]) {
    for p in placed {
        if !aside.iter().any(|(t, _)| t == p) {
            let _ = std::fs::remove_file(p);
        }
    }
    for (target, backup) in aside.iter().rev() {
        let _ = std::fs::rename(backup, target);
    }
}

/// The message for an output that could not be replaced or removed, with what to do when
/// another program has it open (Excel, a PDF viewer).
fn replace_error(path: &Path, e: &std::io::Error) -> String {
    let mut m = format!("{} に書き込めません: {}。", path.display(), io_reason(e));
    if crate::diag::may_be_open_elsewhere(e) {
        m.push_str(crate::diag::CLOSE_AND_RETRY);
    }
    m.push_str("ファイルはどれも実行前のままです。");
    m
}

fn remove_temps(staged: Vec<Staged>) {
    let paths: Vec<PathBuf> = staged.iter().map(|s| s.tmp.to_path_buf()).collect();
    drop(staged); // each TempPath removes its file
    unregister(paths.iter().map(PathBuf::as_path));
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
            let f = File::open(&s.tmp)?;
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
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
