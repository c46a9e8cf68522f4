//! Collected workbooks in tests: a copy of sheets/ to work in, `collect` and `import` runs in
//! it, and books filled by rewriting their sheet XML (inline strings and numbers, as another
//! program would write them, not shinko's writer).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A test's directory holding a copy of sheets/, removed when the test passes (kept for
/// inspection when it fails).
pub struct Work(PathBuf);

impl std::ops::Deref for Work {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
            let _ = self.0.parent().map(std::fs::remove_dir);
        }
    }
}

/// A fresh directory `{test}-{pid}/{name}` with a copy of the repository's sheets/*.yaml.
pub fn workdir(test: &str, name: &str) -> Work {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{test}-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sheets")).unwrap();
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("sheets")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            std::fs::copy(&p, dir.join("sheets").join(p.file_name().unwrap())).unwrap();
        }
    }
    Work(dir)
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs shinko in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_shinko"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run shinko");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `shinko collect --year Y --sheets sheets --out {out}`; the folder of the books.
pub fn collect_into(dir: &Path, year: i32, out: &str) -> PathBuf {
    let r = run_in(dir, &["collect", "--year", &year.to_string(), "--sheets", "sheets", "--out", out]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir.join(out).join("collect").join(year.to_string())
}

/// `shinko import --sheets sheets [extra] books…`, the books given by their paths relative to
/// `dir` when they are inside it.
pub fn import(dir: &Path, books: &[&Path], extra: &[&str]) -> Run {
    let mut args = vec!["import".to_owned(), "--sheets".into(), "sheets".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(books.iter().map(|b| b.strip_prefix(dir).unwrap_or(b).display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_in(dir, &args)
}

/// Every file of the sheets folder but the lock file, by name (the YAML and the import log).
pub fn sheet_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir.join("sheets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != shinko::output::LOCK_FILE))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

// ---- the workbook as a zip of XML parts ----

pub fn read_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            (f.name().unwrap().into_owned(), buf)
        })
        .collect()
}

pub fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

pub fn part<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let bytes = &entries.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1;
    std::str::from_utf8(bytes).unwrap()
}

/// The value of attribute `attr` in the tag text `tag`.
pub fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let key = format!(" {attr}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

fn unescape(s: &str) -> String {
    s.replace("&apos;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// Defined names of workbook.xml: name -> (sheet, cell).
pub fn defined_names(entries: &[(String, Vec<u8>)]) -> BTreeMap<String, (String, String)> {
    let xml = part(entries, "xl/workbook.xml");
    let mut out = BTreeMap::new();
    for chunk in xml.split("<definedName ").skip(1) {
        let name = attr(&format!(" {chunk}"), "name").unwrap().to_owned();
        let body = unescape(&chunk[chunk.find('>').unwrap() + 1..chunk.find("</definedName>").unwrap()]);
        let (sheet, cell) = body.rsplit_once('!').unwrap();
        let sheet = sheet.trim_matches('\'').replace("''", "'");
        out.insert(name, (sheet, cell.replace('$', "")));
    }
    out
}

/// Sheet name -> its part (xl/worksheets/sheetN.xml).
pub fn sheet_parts(entries: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let wb = part(entries, "xl/workbook.xml");
    let rels = part(entries, "xl/_rels/workbook.xml.rels");
    wb.split("<sheet ")
        .skip(1)
        .map(|chunk| {
            let tag = format!(" {}", &chunk[..chunk.find('>').unwrap()]);
            let name = unescape(attr(&tag, "name").unwrap());
            let rid = attr(&tag, "r:id").unwrap();
            let rel = rels.split("<Relationship ").find(|r| attr(&format!(" {r}"), "Id") == Some(rid)).unwrap();
            let rel = format!(" {rel}");
            let target = attr(&rel, "Target").unwrap().trim_start_matches("/xl/").to_owned();
            (name, format!("xl/{target}"))
        })
        .collect()
}

/// The `<c …>` element of `cell` in a sheet's XML: (start, end) byte offsets.
fn cell_element(xml: &str, cell: &str) -> (usize, usize) {
    let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("no cell {cell}"));
    let open_end = start + xml[start..].find('>').unwrap();
    let end = if xml.as_bytes()[open_end - 1] == b'/' {
        open_end + 1
    } else {
        start + xml[start..].find("</c>").unwrap() + 4
    };
    (start, end)
}

/// A value to write into a named input cell.
pub enum V<'a> {
    S(&'a str),
    N(f64),
    Clear,
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Copies `src` to `dst` with named input cells filled (inline strings and numbers).
pub fn fill(src: &Path, dst: &Path, values: &[(&str, V)]) {
    let mut entries = read_zip(src);
    let names = defined_names(&entries);
    let sheets = sheet_parts(&entries);
    for (name, v) in values {
        let (sheet, cell) = names.get(*name).unwrap_or_else(|| panic!("no name {name}"));
        let part_name = &sheets.iter().find(|(n, _)| n == sheet).unwrap().1;
        let idx = entries.iter().position(|(n, _)| n == part_name).unwrap();
        let xml = String::from_utf8(entries[idx].1.clone()).unwrap();
        let (s, e) = cell_element(&xml, cell);
        let style = attr(&xml[s..e], "s").map(|st| format!(" s=\"{st}\"")).unwrap_or_default();
        let new = match v {
            V::S(t) => format!(
                "<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                xml_text(t)
            ),
            V::N(n) => format!("<c r=\"{cell}\"{style}><v>{n}</v></c>"),
            V::Clear => format!("<c r=\"{cell}\"{style}/>"),
        };
        entries[idx].1 = format!("{}{new}{}", &xml[..s], &xml[e..]).into_bytes();
    }
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    write_zip(dst, &entries);
}

/// The sheet and address of a named cell.
pub fn cell_of(book: &Path, name: &str) -> (String, String) {
    defined_names(&read_zip(book)).get(name).cloned().unwrap_or_else(|| panic!("no name {name}"))
}

/// `fill` with texts only.
pub fn fill_texts(src: &Path, dst: &Path, values: &[(&str, &str)]) {
    let values: Vec<(&str, V)> = values.iter().map(|&(n, t)| (n, V::S(t))).collect();
    fill(src, dst, &values);
}
