//! Workbooks and files from outside (issue 11): hostile workbooks (a far cell, a huge
//! dimension, zip bombs, a DTD), values as the clerk saw them (% formats, dates, formulas
//! without a result), temporary files that cannot be hijacked, FIFOs where files go, symlinked
//! and hard-linked sheets, two writers at once, signals and killed runs. Every hostile input is
//! built here, in the test. Each case checks the exit status, the Japanese message and that no
//! YAML, output or foreign file changed; memory and time bounds are measured on the child
//! process (`wait4`'s resource usage), generously: they are bounds, not benchmarks.

#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shinko::output::LOCK_FILE;

const BIN: &str = env!("CARGO_BIN_EXE_shinko");

/// 200 MB, the bound on the memory of an import.
const MEMORY_BOUND_KB: i64 = 200 * 1024;

/// A fresh directory with a copy of sheets/, removed when the test passes.
struct Work(PathBuf);

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

fn workdir(name: &str) -> Work {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("outside-{}", std::process::id()))
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

/// What one run did, with the child's own peak memory and wall time.
#[derive(Debug)]
#[allow(dead_code)] // printed in failure messages
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    max_rss_kb: i64,
    wall: Duration,
}

/// Runs shinko in `dir`, killing it (and failing) if it takes longer than `limit`.
fn run_limited(dir: &Path, args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shinko");
    let started = Instant::now();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let pid = child.id() as libc::pid_t;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: plain wait4 on our own child; `usage` is a valid out-pointer.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage);
        }
        assert!(r == 0, "wait4 failed");
        if started.elapsed() > limit {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("shinko {args:?} did not finish within {limit:?} (it hangs)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else {
        (None, Some(libc::WTERMSIG(status)))
    };
    Run { code, signal, stdout, stderr, max_rss_kb: usage.ru_maxrss, wall }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_limited(dir, args, Duration::from_secs(120))
}

fn collect(dir: &Path) -> PathBuf {
    let r = run(dir, &["collect", "--year", "2022", "--sheets", "sheets", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    dir.join("out/collect/2022")
}

fn import(dir: &Path, books: &[&Path]) -> Run {
    let mut args = vec!["import", "--sheets", "sheets"];
    let books: Vec<String> = books.iter().map(|b| b.display().to_string()).collect();
    args.extend(books.iter().map(String::as_str));
    run(dir, &args)
}

/// Every file of a folder (not the lock file), by name, with its bytes (a symlink: where it
/// points).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == LOCK_FILE {
            continue;
        }
        let p = e.path();
        let m = std::fs::symlink_metadata(&p).unwrap();
        let bytes = if m.file_type().is_symlink() {
            format!("-> {}", std::fs::read_link(&p).unwrap().display()).into_bytes()
        } else if m.is_file() {
            std::fs::read(&p).unwrap()
        } else {
            b"(special)".to_vec()
        };
        out.insert(name, bytes);
    }
    out
}

fn temps(dir: &Path) -> Vec<String> {
    common::files_in(dir).into_iter().filter(|f| f.starts_with(".shinko-")).collect()
}

// ---- the workbook as a zip of XML parts ----

fn read_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
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

/// Writes a zip; `padding` appends that many spaces to the named parts (written in chunks,
/// never held in memory: the zip bombs).
fn write_zip(path: &Path, entries: &[(String, Vec<u8>)], padding: &[(&str, u64)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(padding.iter().any(|(_, n)| *n >= 1 << 32));
    let chunk = vec![b' '; 1 << 20];
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
        if let Some((_, n)) = padding.iter().find(|(p, _)| p == name) {
            let mut left = *n;
            while left > 0 {
                let k = left.min(chunk.len() as u64) as usize;
                z.write_all(&chunk[..k]).unwrap();
                left -= k as u64;
            }
        }
    }
    z.finish().unwrap();
}

fn part_text(entries: &[(String, Vec<u8>)], name: &str) -> String {
    let e = entries.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}"));
    String::from_utf8(e.1.clone()).unwrap()
}

fn set_part(entries: &mut [(String, Vec<u8>)], name: &str, text: String) {
    let e = entries.iter_mut().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}"));
    e.1 = text.into_bytes();
}

fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let key = format!(" {attr}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

/// Defined name → (sheet part, cell address).
fn input_cells(entries: &[(String, Vec<u8>)]) -> BTreeMap<String, (String, String)> {
    let wb = part_text(entries, "xl/workbook.xml");
    let rels = part_text(entries, "xl/_rels/workbook.xml.rels");
    let part_of = |sheet: &str| -> String {
        for chunk in wb.split("<sheet ").skip(1) {
            let tag = format!(" {}", &chunk[..chunk.find('>').unwrap()]);
            let name = attr(&tag, "name").unwrap().replace("&apos;", "'");
            if name == sheet {
                let rid = attr(&tag, "r:id").unwrap();
                let rel = rels
                    .split("<Relationship ")
                    .find(|r| attr(&format!(" {r}"), "Id") == Some(rid))
                    .unwrap();
                return format!("xl/{}", attr(&format!(" {rel}"), "Target").unwrap());
            }
        }
        panic!("no sheet {sheet}")
    };
    let mut out = BTreeMap::new();
    for chunk in wb.split("<definedName ").skip(1) {
        let name = attr(&format!(" {chunk}"), "name").unwrap().to_owned();
        let body = chunk[chunk.find('>').unwrap() + 1..chunk.find("</definedName>").unwrap()]
            .replace("&apos;", "'");
        let Some((sheet, cell)) = body.rsplit_once('!') else { continue };
        let sheet = sheet.trim_matches('\'').replace("''", "'");
        out.insert(name, (part_of(&sheet), cell.replace('$', "")));
    }
    out
}

/// The part of the meta sheet `_shinko`.
fn meta_part(entries: &[(String, Vec<u8>)]) -> String {
    let wb = part_text(entries, "xl/workbook.xml");
    let rels = part_text(entries, "xl/_rels/workbook.xml.rels");
    let chunk = wb.split("<sheet ").find(|c| c.starts_with("name=\"_shinko\"")).unwrap();
    let tag = format!(" {chunk}");
    let rid = attr(&tag, "r:id").unwrap();
    let rel = rels.split("<Relationship ").find(|r| attr(&format!(" {r}"), "Id") == Some(rid)).unwrap();
    format!("xl/{}", attr(&format!(" {rel}"), "Target").unwrap())
}

/// Replaces the `<c>` element of `cell` in a sheet part by `new`.
fn replace_cell(xml: &str, cell: &str, new: &str) -> String {
    let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("no cell {cell}"));
    let open_end = start + xml[start..].find('>').unwrap();
    let end = if xml.as_bytes()[open_end - 1] == b'/' {
        open_end + 1
    } else {
        start + xml[start..].find("</c>").unwrap() + 4
    };
    format!("{}{new}{}", &xml[..start], &xml[end..])
}

/// Sets named input cells to raw `<c>` XML (`{cell}` in it is replaced by the address).
fn with_cells(entries: &mut [(String, Vec<u8>)], cells: &[(&str, String)]) {
    let names = input_cells(entries);
    for (name, xml) in cells {
        let (part, cell) = names.get(*name).unwrap_or_else(|| panic!("no name {name}"));
        let text = part_text(entries, part);
        let new = replace_cell(&text, cell, &xml.replace("{cell}", cell));
        set_part(entries, part, new);
    }
}

/// Adds cell formats to styles.xml: each number format id (with custom codes) gets an `xf`;
/// returns their style indices.
fn add_formats(entries: &mut [(String, Vec<u8>)], custom: &[(u32, &str)], ids: &[u32]) -> Vec<usize> {
    let mut s = part_text(entries, "xl/styles.xml");
    if !custom.is_empty() {
        let defs: String = custom
            .iter()
            .map(|(id, code)| format!("<numFmt numFmtId=\"{id}\" formatCode=\"{code}\"/>"))
            .collect();
        if let Some(i) = s.find("<numFmts") {
            let close = i + s[i..].find('>').unwrap() + 1;
            s.insert_str(close, &defs);
        } else {
            let i = s.find("<styleSheet").unwrap();
            let close = i + s[i..].find('>').unwrap() + 1;
            s.insert_str(close, &format!("<numFmts count=\"{}\">{defs}</numFmts>", custom.len()));
        }
    }
    let xfs_start = s.find("<cellXfs").unwrap();
    let xfs_end = s.find("</cellXfs>").unwrap();
    let existing = s[xfs_start..xfs_end].matches("<xf ").count();
    let new: String = ids
        .iter()
        .map(|id| format!("<xf numFmtId=\"{id}\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"))
        .collect();
    s.insert_str(xfs_end, &new);
    set_part(entries, "xl/styles.xml", s);
    (existing..existing + ids.len()).collect()
}

fn inline(text: &str) -> String {
    format!("<c r=\"{{cell}}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

fn yaml(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("sheets/3-2.yaml")).unwrap()
}

/// The 2022 実績 of an initiative's indicator, as loaded.
fn indicator_result(dir: &Path, initiative: &str) -> shinko::collect::FieldValue {
    let mut diags = shinko::diag::Diagnostics::default();
    let set = shinko::load::load_dir(&dir.join("sheets"), &mut diags).unwrap();
    assert!(diags.is_empty(), "{:?}", diags.list);
    let ini = set.items[0].item.initiative(initiative).unwrap();
    shinko::collect::FieldValue::of(ini, 2022, shinko::collect::Field::Indicator)
}

fn assert_refused(dir: &Path, r: &Run, needles: &[&str], before: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(r.code, Some(1), "{r:?}");
    for n in needles {
        assert!(r.stderr.contains(n), "missing «{n}» in:\n{}", r.stderr);
    }
    assert!(r.stderr.contains("何も書き込んでいません") || r.stderr.contains("エラー: "), "{}", r.stderr);
    assert_eq!(&snapshot(&dir.join("sheets")), before, "the sheets changed");
    assert!(temps(&dir.join("sheets")).is_empty());
}

// ---- 1. bounded reading ----

/// A cell at XFD1048576 and a `<dimension>` that claims the whole sheet, in an input sheet and
/// in `_shinko`: the import reads the named cells only and stays small.
#[test]
fn a_far_cell_does_not_drive_allocation() {
    let dir = workdir("far_cell");
    let out = collect(&dir);
    let book = out.join("市民活動支援課.xlsx");
    let mut entries = read_zip(&book);
    with_cells(&mut entries, &[("shinko_3_2_2_y2022_result", inline("遠いセルのあるブック"))]);
    let names = input_cells(&entries);
    let mut parts: Vec<String> = vec![names["shinko_3_2_2_y2022_result"].0.clone(), meta_part(&entries)];
    parts.dedup();
    for part in &parts {
        let mut xml = part_text(&entries, part);
        let far = "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>";
        xml = xml.replacen("</sheetData>", far, 1);
        xml = match xml.find("<dimension ref=\"") {
            Some(i) => {
                let end = i + xml[i..].find("/>").unwrap() + 2;
                format!("{}<dimension ref=\"A1:XFD1048576\"/>{}", &xml[..i], &xml[end..])
            }
            None => xml,
        };
        assert!(xml.contains("XFD1048576"));
        set_part(&mut entries, part, xml);
    }
    let hostile = dir.join("far.xlsx");
    write_zip(&hostile, &entries, &[]);
    assert!(std::fs::metadata(&hostile).unwrap().len() < 64 * 1024);
    let r = import(&dir, &[&hostile]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.max_rss_kb < MEMORY_BOUND_KB, "peak memory {} KB", r.max_rss_kb);
    assert!(yaml(&dir).contains("遠いセルのあるブック"));
}

/// A small zip whose sheet inflates to 2 GB: refused within 2 s, in bounded memory, nothing
/// written.
#[test]
fn a_zip_bomb_is_refused_quickly_in_bounded_memory() {
    let dir = workdir("bomb");
    let out = collect(&dir);
    let book = out.join("市民活動支援課.xlsx");
    let mut entries = read_zip(&book);
    with_cells(&mut entries, &[("shinko_3_2_2_y2022_result", inline("爆弾"))]);
    let part = input_cells(&entries)["shinko_3_2_2_y2022_result"].0.clone();
    let hostile = dir.join("bomb.xlsx");
    write_zip(&hostile, &entries, &[(&part, 2 << 30)]);
    let size = std::fs::metadata(&hostile).unwrap().len();
    assert!(size < 4 << 20, "the bomb is {size} bytes");
    let before = snapshot(&dir.join("sheets"));
    let r = import(&dir, &[&hostile]);
    assert_refused(&dir, &r, &["= 場所: ", "bomb.xlsx\n", "中身が大きすぎるため読みません", "MB を超えます"], &before);
    assert!(r.wall < Duration::from_secs(2), "took {:?}", r.wall);
    assert!(r.max_rss_kb < MEMORY_BOUND_KB, "peak memory {} KB", r.max_rss_kb);
}

/// Parts each under the per-part limit that together go over the total: refused.
#[test]
fn parts_over_the_total_limit_are_refused() {
    let dir = workdir("total");
    let out = collect(&dir);
    let entries = read_zip(&out.join("市民活動支援課.xlsx"));
    let meta = meta_part(&entries);
    let part = input_cells(&entries)["shinko_3_2_2_y2022_result"].0.clone();
    let pad = 30 << 20;
    let hostile = dir.join("total.xlsx");
    write_zip(
        &hostile,
        &entries,
        &[("xl/workbook.xml", pad), (meta.as_str(), pad), ("xl/styles.xml", pad), (part.as_str(), pad), ("xl/sharedStrings.xml", pad)],
    );
    let before = snapshot(&dir.join("sheets"));
    let r = import(&dir, &[&hostile]);
    assert_refused(&dir, &r, &["= 場所: ", "total.xlsx\n", "中身が大きすぎるため読みません", "合わせて"], &before);
    assert!(r.wall < Duration::from_secs(2), "took {:?}", r.wall);
    assert!(r.max_rss_kb < MEMORY_BOUND_KB, "peak memory {} KB", r.max_rss_kb);
}

/// XML external entities: a DTD anywhere is refused, with a Japanese message.
#[test]
fn a_dtd_is_refused() {
    let dir = workdir("dtd");
    let out = collect(&dir);
    let mut entries = read_zip(&out.join("市民活動支援課.xlsx"));
    with_cells(&mut entries, &[("shinko_3_2_2_y2022_result", inline("&xxe;"))]);
    let part = input_cells(&entries)["shinko_3_2_2_y2022_result"].0.clone();
    let xml = part_text(&entries, &part);
    let decl_end = xml.find("?>").unwrap() + 2;
    let dtd = "<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>";
    set_part(&mut entries, &part, format!("{}{dtd}{}", &xml[..decl_end], &xml[decl_end..]));
    let hostile = dir.join("xxe.xlsx");
    write_zip(&hostile, &entries, &[]);
    let before = snapshot(&dir.join("sheets"));
    let r = import(&dir, &[&hostile]);
    assert_refused(&dir, &r, &["= 場所: ", "xxe.xlsx\n", "DTD (<!DOCTYPE>)", "安全のため読みません"], &before);
    assert!(!r.stderr.contains("root:"), "{}", r.stderr);
}

// ---- 2. values as the clerk saw them ----

/// `50%` typed in Excel is 0.5 with a % format: 50 for an indicator whose unit is `%`, refused
/// where the unit is another; a date format, a formula without a result are refused.
#[test]
fn number_formats_are_read() {
    let dir = workdir("formats");
    // 3-2-2's indicator counts in %, for this test.
    let text = yaml(&dir).replacen("単位: 団体数", "単位: \"%\"", 1);
    std::fs::write(dir.join("sheets/3-2.yaml"), &text).unwrap();
    let out = collect(&dir);
    let book = out.join("市民活動支援課.xlsx");

    let mut entries = read_zip(&book);
    let styles = add_formats(&mut entries, &[(200, "0.0%")], &[9, 200, 14]);
    let (pct, custom_pct, date) = (styles[0], styles[1], styles[2]);
    let mut ok = entries.clone();
    with_cells(&mut ok, &[("shinko_3_2_2_y2022_indicator", format!("<c r=\"{{cell}}\" s=\"{pct}\"><v>0.5</v></c>"))]);
    let good = dir.join("percent.xlsx");
    write_zip(&good, &ok, &[]);
    let r = import(&dir, &[&good]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        indicator_result(&dir, "3-2-2"),
        shinko::collect::FieldValue::Amount(shinko::model::Amount::Number(50.0))
    );

    // Back to the YAML the workbook was made from (else: changed since), then 0.125 as 0.0%.
    std::fs::write(dir.join("sheets/3-2.yaml"), &text).unwrap();
    let mut ok = entries.clone();
    with_cells(&mut ok, &[("shinko_3_2_2_y2022_indicator", format!("<c r=\"{{cell}}\" s=\"{custom_pct}\"><v>0.125</v></c>"))]);
    let good = dir.join("custom.xlsx");
    write_zip(&good, &ok, &[]);
    let r = import(&dir, &[&good]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        indicator_result(&dir, "3-2-2"),
        shinko::collect::FieldValue::Amount(shinko::model::Amount::Number(12.5))
    );

    let refusals: [(&str, String, &[&str]); 3] = [
        (
            "shinko_3_2_2_y2022_effect",
            format!("<c r=\"{{cell}}\" s=\"{pct}\"><v>0.5</v></c>"),
            &["パーセント (%)", "「50%」", "この欄の単位は「千円」です"],
        ),
        ("shinko_3_2_2_y2022_indicator", format!("<c r=\"{{cell}}\" s=\"{date}\"><v>44927</v></c>"), &["日付 は入力できません"]),
        ("shinko_3_2_2_y2022_indicator", "<c r=\"{cell}\"><f>1+1</f></c>".to_owned(), &["数式の計算結果がブックに保存されていません"]),
    ];
    std::fs::write(dir.join("sheets/3-2.yaml"), &text).unwrap();
    for (i, (name, xml, needles)) in refusals.into_iter().enumerate() {
        let mut bad = entries.clone();
        with_cells(&mut bad, &[(name, xml)]);
        let path = dir.join(format!("bad{i}.xlsx"));
        write_zip(&path, &bad, &[]);
        let before = snapshot(&dir.join("sheets"));
        let r = import(&dir, &[&path]);
        let mut all = vec!["シート「3-2-2」のセル"];
        all.extend_from_slice(needles);
        assert_refused(&dir, &r, &all, &before);
    }
}

// ---- 3. temporary files, and what is where an output goes ----

/// A symlink planted where an output goes is replaced, never written through; the foreign
/// file is untouched. Temporary files have unpredictable names.
#[test]
fn a_planted_symlink_does_not_redirect_a_build() {
    let dir = workdir("symlink_out");
    let foreign = dir.join("foreign.txt");
    std::fs::write(&foreign, "not yours").unwrap();
    std::fs::create_dir(dir.join("out")).unwrap();
    std::os::unix::fs::symlink(&foreign, dir.join("out/3-2.pdf")).unwrap();
    let r = run(&dir, &["build", "--sheets", "sheets", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(std::fs::read(&foreign).unwrap(), b"not yours");
    let m = std::fs::symlink_metadata(dir.join("out/3-2.pdf")).unwrap();
    assert!(m.is_file(), "the output is a file of its own");
    assert!(std::fs::read(dir.join("out/3-2.pdf")).unwrap().starts_with(b"%PDF"));

    // Through the library: the staged file's name is not derived from the target or the pid.
    let d = common::TempDir::new("temp-names");
    let batch = shinko::output::Batch::new();
    batch.stage(&d.join("a.pdf"), b"A").unwrap();
    let names = common::files_in(d.path());
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with(".shinko-") && names[0].ends_with(".tmp"), "{names:?}");
    assert!(!names[0].contains("a.pdf") && !names[0].contains(&std::process::id().to_string()));
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

/// A FIFO (or a folder) where an output goes is an error naming it, at once; nothing is
/// written. A FIFO given as a workbook is refused too.
#[test]
fn a_fifo_where_a_file_goes_is_an_error_not_a_hang() {
    let dir = workdir("fifo");
    std::fs::create_dir(dir.join("out")).unwrap();
    mkfifo(&dir.join("out/3-2.xlsx"));
    let r = run_limited(&dir, &["build", "--sheets", "sheets", "--out", "out"], Duration::from_secs(30));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("3-2.xlsx は通常のファイルではありません (名前付きパイプ (FIFO))"), "{}", r.stderr);
    assert_eq!(common::files_in(&dir.join("out")), ["3-2.xlsx"], "nothing else written");

    std::fs::remove_file(dir.join("out/3-2.xlsx")).unwrap();
    std::fs::create_dir(dir.join("out/3-2.xlsx")).unwrap();
    let r = run_limited(&dir, &["build", "--sheets", "sheets", "--out", "out"], Duration::from_secs(30));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("3-2.xlsx は通常のファイルではありません (フォルダ)"), "{}", r.stderr);
    assert_eq!(common::files_in(&dir.join("out")), ["3-2.xlsx"]);

    mkfifo(&dir.join("book.xlsx"));
    let before = snapshot(&dir.join("sheets"));
    let r = run_limited(&dir, &["import", "--sheets", "sheets", "book.xlsx"], Duration::from_secs(30));
    assert_refused(&dir, &r, &["book.xlsx は通常のファイルではありません"], &before);
}

// ---- 4. writes that keep what the user set up ----

/// A symlinked sheet is written at its target (the link stays a link), with its mode and
/// owner; a hard-linked sheet is refused and neither name changes.
#[test]
fn import_keeps_links_modes_and_owners() {
    let dir = workdir("links");
    let real = dir.join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::rename(dir.join("sheets/3-2.yaml"), real.join("3-2.yaml")).unwrap();
    std::os::unix::fs::symlink("../real/3-2.yaml", dir.join("sheets/3-2.yaml")).unwrap();
    std::fs::set_permissions(real.join("3-2.yaml"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        std::os::unix::fs::chown(real.join("3-2.yaml"), Some(1234), Some(2345)).unwrap();
    }
    let out = collect(&dir);
    let mut entries = read_zip(&out.join("市民活動支援課.xlsx"));
    with_cells(&mut entries, &[("shinko_3_2_2_y2022_result", inline("リンク先に書く"))]);
    let book = dir.join("filled.xlsx");
    write_zip(&book, &entries, &[]);
    let r = import(&dir, &[&book]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let link = std::fs::symlink_metadata(dir.join("sheets/3-2.yaml")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert_eq!(std::fs::read_link(dir.join("sheets/3-2.yaml")).unwrap(), Path::new("../real/3-2.yaml"));
    let m = std::fs::metadata(real.join("3-2.yaml")).unwrap();
    assert!(std::fs::read_to_string(real.join("3-2.yaml")).unwrap().contains("リンク先に書く"));
    assert_eq!(m.permissions().mode() & 0o7777, 0o640);
    if root {
        assert_eq!((m.uid(), m.gid()), (1234, 2345));
    }
    assert!(temps(&real).is_empty() && temps(&dir.join("sheets")).is_empty());

    // A hard link: refused, both names unchanged.
    let dir = workdir("hardlink");
    let other = dir.join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::hard_link(dir.join("sheets/3-2.yaml"), other.join("3-2.yaml")).unwrap();
    let out = collect(&dir);
    let mut entries = read_zip(&out.join("市民活動支援課.xlsx"));
    with_cells(&mut entries, &[("shinko_3_2_2_y2022_result", inline("分かれない"))]);
    let book = dir.join("filled.xlsx");
    write_zip(&book, &entries, &[]);
    let before = snapshot(&dir.join("sheets"));
    let other_before = snapshot(&other);
    let r = import(&dir, &[&book]);
    assert_refused(&dir, &r, &["3-2.yaml にはほかの名前 (ハードリンク) が 1 個あります", "書き込みません"], &before);
    assert_eq!(snapshot(&other), other_before);
    assert_eq!(std::fs::metadata(dir.join("sheets/3-2.yaml")).unwrap().nlink(), 2);
}

// ---- 5. one writer at a time ----

/// While another run holds the sheets folder, import waits a few seconds, then stops with exit
/// 1 and writes nothing; so does a build into a locked output folder.
#[test]
fn a_second_writer_waits_then_stops() {
    let dir = workdir("locked");
    let out = collect(&dir);
    let mut entries = read_zip(&out.join("市民活動支援課.xlsx"));
    with_cells(&mut entries, &[("shinko_3_2_2_y2022_result", inline("待たされる"))]);
    let book = dir.join("filled.xlsx");
    write_zip(&book, &entries, &[]);

    let lock = std::fs::File::options().read(true).write(true).create(true).truncate(false).open(dir.join("sheets").join(LOCK_FILE)).unwrap();
    lock.lock().unwrap();
    let before = snapshot(&dir.join("sheets"));
    let r = import(&dir, &[&book]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("ほかの shinko が同じフォルダに書き込み中です"), "{}", r.stderr);
    assert!(r.wall >= Duration::from_secs(4), "gave up after {:?}", r.wall);
    assert_eq!(snapshot(&dir.join("sheets")), before);

    let out_lock = std::fs::File::options().read(true).write(true).create(true).truncate(false).open(dir.join("out").join(LOCK_FILE)).unwrap();
    out_lock.lock().unwrap();
    let r = run(&dir, &["build", "--sheets", "sheets", "--out", "out"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("ほかの shinko が同じフォルダに書き込み中です"), "{}", r.stderr);
    assert!(!dir.join("out/3-2.pdf").exists());

    drop(lock);
    let r = import(&dir, &[&book]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(yaml(&dir).contains("待たされる"));
}

/// Two imports at the same moment into the same YAML file: both report writing, and both
/// changes are there afterwards.
#[test]
fn two_imports_at_once_lose_nothing() {
    let dir = workdir("race");
    let out = collect(&dir);
    let mut a = read_zip(&out.join("行政経営課.xlsx"));
    with_cells(&mut a, &[("shinko_3_2_1_y2022_result", inline("一つ目のブック"))]);
    let mut b = read_zip(&out.join("市民活動支援課.xlsx"));
    with_cells(&mut b, &[("shinko_3_2_2_y2022_result", inline("二つ目のブック"))]);
    let (pa, pb) = (dir.join("a.xlsx"), dir.join("b.xlsx"));
    write_zip(&pa, &a, &[]);
    write_zip(&pb, &b, &[]);
    for _ in 0..3 {
        let d: &Path = &dir;
        let (ra, rb) = std::thread::scope(|s| {
            let ta = s.spawn(|| import(d, &[&pa]));
            let tb = s.spawn(|| import(d, &[&pb]));
            (ta.join().unwrap(), tb.join().unwrap())
        });
        for r in [&ra, &rb] {
            assert_eq!(r.code, Some(0), "{r:?}");
        }
        let text = yaml(&dir);
        assert!(text.contains("一つ目のブック") && text.contains("二つ目のブック"), "a change was lost:\n{ra:?}\n{rb:?}");
        // Again from the original, for another interleaving.
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("sheets/3-2.yaml"), dir.join("sheets/3-2.yaml")).unwrap();
    }
}

// ---- 6. signals and killed runs ----

/// Sheets with many copies of the reference item, so that a build is still writing when it is
/// signalled.
fn many_items(dir: &Path, n: usize) {
    let item = common::reference_item();
    std::fs::create_dir_all(dir.join("many")).unwrap();
    std::fs::write(dir.join("many/plan.yaml"), common::reference_plan()).unwrap();
    for i in 1..=n {
        let copy = item
            .replace("項目: \"3-2\"", &format!("項目: \"9-{i}\""))
            .replace("番号: \"3-2-", &format!("番号: \"9-{i}-"));
        std::fs::write(dir.join(format!("many/9-{i}.yaml")), copy).unwrap();
    }
}

/// Starts a build of `many` into `out` and waits until it has staged files.
fn build_until_staged(dir: &Path) -> std::process::Child {
    let child = Command::new(BIN)
        .args(["build", "--sheets", "many", "--out", "out"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !temps(&dir.join("out")).iter().any(|t| t.ends_with(".tmp")) {
        assert!(started.elapsed() < Duration::from_secs(60), "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

/// SIGTERM and SIGHUP: exit 143 and 129, no temporary file left, the outputs as before.
#[test]
fn sigterm_and_sighup_remove_the_temporary_files() {
    let dir = workdir("signals");
    many_items(&dir, 300);
    std::fs::create_dir(dir.join("out")).unwrap();
    std::fs::write(dir.join("out/9-1.pdf"), "before").unwrap();
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let child = build_until_staged(&dir);
        // SAFETY: a signal to our own child.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains("中断しました"), "{stderr}");
        assert_eq!(common::files_in(&dir.join("out")), ["9-1.pdf"], "{stderr}");
        assert_eq!(std::fs::read(dir.join("out/9-1.pdf")).unwrap(), b"before");
    }
}

/// After a SIGKILL the temporary files stay; the next run in that folder removes them (and
/// nothing else).
#[test]
fn the_next_run_removes_what_a_killed_run_left() {
    let dir = workdir("killed");
    many_items(&dir, 300);
    std::fs::create_dir(dir.join("out")).unwrap();
    std::fs::write(dir.join("out/.keep.tmp"), "the user's").unwrap();
    std::fs::write(dir.join("out/.shinko-notes.txt"), "the user's").unwrap();
    let mut child = build_until_staged(&dir);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(libc::SIGKILL));
    assert!(temps(&dir.join("out")).iter().any(|t| t.ends_with(".tmp")), "the killed run left temporary files");
    // The next run into that folder (a small one).
    let r = run(&dir, &["build", "--sheets", "sheets", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let left = common::files_in(&dir.join("out"));
    assert!(left.iter().all(|f| !(f.starts_with(".shinko-") && f.ends_with(".tmp"))), "{left:?}");
    assert!(left.contains(&".keep.tmp".to_owned()) && left.contains(&".shinko-notes.txt".to_owned()), "{left:?}");
    assert!(left.contains(&"3-2.pdf".to_owned()));
}

// ---- 7. files in the sheets folder ----

/// A sheet symlinked from outside the folder is read; an error in it shows its line, not the
/// rest of the file.
#[test]
fn a_symlinked_sheet_is_read_and_errors_echo_only_their_line() {
    let dir = workdir("symlink_in");
    let outside = dir.join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    std::fs::rename(dir.join("sheets/3-2.yaml"), outside.join("3-2.yaml")).unwrap();
    std::os::unix::fs::symlink(outside.join("3-2.yaml"), dir.join("sheets/3-2.yaml")).unwrap();
    let r = run(&dir, &["check", "--sheets", "sheets"]);
    assert_eq!(r.code, Some(0), "{r:?}");

    let secret = "SECRET-LINE-OF-ANOTHER-FILE";
    std::fs::write(outside.join("notes.txt"), format!("項目: [\n{secret}: 1\n{secret}\n")).unwrap();
    std::os::unix::fs::symlink(outside.join("notes.txt"), dir.join("sheets/9-9.yaml")).unwrap();
    let r = run(&dir, &["check", "--sheets", "sheets"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("9-9.yaml"), "{}", r.stderr);
    let echoed = r.stderr.matches(secret).count();
    assert!(echoed <= 1, "more than the line in question is shown:\n{}", r.stderr);
}
