//! Writing output files safely: each file goes to a temporary file beside its target and is
//! renamed into place, so a failed run never leaves a half-written file; a file whose bytes
//! would not change is not rewritten.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What happened to one output file.
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

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<Written, String> {
    let existed = match std::fs::read(path) {
        Ok(old) if old == bytes => return Ok(Written::Unchanged),
        Ok(_) => true,
        Err(_) => false,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    let tmp: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{} に書き込めません: {e}", path.display()));
    }
    Ok(if existed { Written::Updated } else { Written::New })
}
