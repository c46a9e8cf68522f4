//! `shinko collect` and `shinko import`, end to end on copies of sheets/: the workbooks' content
//! and protection (read back with calamine and from their XML), a workbook filled by editing its
//! XML directly (not with shinko's writer), the same workbook re-saved by LibreOffice, the YAML
//! diff after import, importing twice, and every error case (message, nothing written).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use shinko::collect::{Field, FieldValue};
use shinko::diag::Diagnostics;
use shinko::load;
use shinko::model::{Amount, Text};

const BIN: &str = env!("CARGO_BIN_EXE_shinko");

/// A fresh directory with a copy of sheets/ (per process: other test runs may share the
/// target directory).
fn workdir(name: &str) -> Work {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("collect_import-{}", std::process::id()))
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

/// A test's directory, removed when the test passes (kept for inspection when it fails).
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
            // The per-process parent, once the last test of the run is done with it.
            let _ = self.0.parent().map(std::fs::remove_dir);
        }
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn shinko(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run shinko");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn collect(dir: &Path, year: i32) -> PathBuf {
    let r = shinko(
        dir,
        &[
            "collect",
            "--year",
            &year.to_string(),
            "--sheets",
            "sheets",
            "--out",
            "out",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir.join("out/collect").join(year.to_string())
}

fn import(dir: &Path, books: &[&Path], extra: &[&str]) -> Run {
    let mut args = vec!["import", "--sheets", "sheets"];
    args.extend_from_slice(extra);
    let books: Vec<String> = books.iter().map(|b| b.display().to_string()).collect();
    args.extend(books.iter().map(String::as_str));
    shinko(dir, &args)
}

/// Every YAML file of the copy, by name.
fn yaml_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir.join("sheets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != shinko::output::LOCK_FILE))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
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

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn part<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let bytes = &entries
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1;
    std::str::from_utf8(bytes).unwrap()
}

/// The value of attribute `attr` in the tag text `tag`.
fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let key = format!(" {attr}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

fn unescape(s: &str) -> String {
    s.replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Defined names of workbook.xml: name -> (sheet, cell).
fn defined_names(entries: &[(String, Vec<u8>)]) -> BTreeMap<String, (String, String)> {
    let xml = part(entries, "xl/workbook.xml");
    let mut out = BTreeMap::new();
    for chunk in xml.split("<definedName ").skip(1) {
        let name = attr(&format!(" {chunk}"), "name").unwrap().to_owned();
        let body =
            unescape(&chunk[chunk.find('>').unwrap() + 1..chunk.find("</definedName>").unwrap()]);
        let (sheet, cell) = body.rsplit_once('!').unwrap();
        let sheet = sheet.trim_matches('\'').replace("''", "'");
        out.insert(name, (sheet, cell.replace('$', "")));
    }
    out
}

/// Sheet name -> its part (xl/worksheets/sheetN.xml), and whether it is hidden.
fn sheet_parts(entries: &[(String, Vec<u8>)]) -> Vec<(String, String, bool)> {
    let wb = part(entries, "xl/workbook.xml");
    let rels = part(entries, "xl/_rels/workbook.xml.rels");
    wb.split("<sheet ")
        .skip(1)
        .map(|chunk| {
            let tag = format!(" {}", &chunk[..chunk.find('>').unwrap()]);
            let name = unescape(attr(&tag, "name").unwrap());
            let rid = attr(&tag, "r:id").unwrap();
            let rel = rels
                .split("<Relationship ")
                .find(|r| attr(&format!(" {r}"), "Id") == Some(rid))
                .unwrap();
            let rel = format!(" {rel}");
            let target = attr(&rel, "Target").unwrap();
            (
                name,
                format!("xl/{target}"),
                attr(&tag, "state") == Some("hidden"),
            )
        })
        .collect()
}

/// The `<c …>` element of `cell` in a sheet's XML: (start, end) byte offsets.
fn cell_element(xml: &str, cell: &str) -> (usize, usize) {
    let start = xml
        .find(&format!("<c r=\"{cell}\""))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let open_end = start + xml[start..].find('>').unwrap();
    let end = if xml.as_bytes()[open_end - 1] == b'/' {
        open_end + 1
    } else {
        start + xml[start..].find("</c>").unwrap() + 4
    };
    (start, end)
}

enum V<'a> {
    S(&'a str),
    N(f64),
    Clear,
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Fills named input cells of a collected workbook by rewriting the sheet XML: inline strings
/// and numbers, as another program would write them.
fn fill(src: &Path, dst: &Path, values: &[(&str, V)]) {
    let mut entries = read_zip(src);
    let names = defined_names(&entries);
    let sheets = sheet_parts(&entries);
    for (name, v) in values {
        let (sheet, cell) = names.get(*name).unwrap_or_else(|| panic!("no name {name}"));
        let part_name = &sheets.iter().find(|(n, _, _)| n == sheet).unwrap().1;
        let idx = entries.iter().position(|(n, _)| n == part_name).unwrap();
        let xml = String::from_utf8(entries[idx].1.clone()).unwrap();
        let (s, e) = cell_element(&xml, cell);
        let style = attr(&xml[s..e], "s")
            .map(|st| format!(" s=\"{st}\""))
            .unwrap_or_default();
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
    write_zip(dst, &entries);
}

/// The address of a named cell, `B14`.
fn cell_of(book: &Path, name: &str) -> (String, String) {
    defined_names(&read_zip(book))
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no name {name}"))
}

/// Named cell values read with calamine.
fn named_values(book: &Path) -> BTreeMap<String, Data> {
    let mut wb: Xlsx<_> = open_workbook(book).unwrap();
    let names = wb.defined_names().to_vec();
    let mut out = BTreeMap::new();
    for (name, formula) in names {
        let (sheet, cell) = formula.rsplit_once('!').unwrap();
        let sheet = sheet.trim_matches('\'').replace("''", "'");
        let cell = cell.replace('$', "");
        let split = cell.find(|c: char| c.is_ascii_digit()).unwrap();
        let col = cell[..split]
            .bytes()
            .fold(0u32, |a, b| a * 26 + u32::from(b - b'A' + 1))
            - 1;
        let row: u32 = cell[split..].parse::<u32>().unwrap() - 1;
        let range = wb.worksheet_range(&sheet).unwrap();
        out.insert(
            name,
            range.get_value((row, col)).cloned().unwrap_or(Data::Empty),
        );
    }
    out
}

/// Every field value of every initiative and year of the copy's sheets.
fn all_values(dir: &Path) -> BTreeMap<(String, i32, Field), FieldValue> {
    let mut diags = Diagnostics::default();
    let set = load::load_dir(&dir.join("sheets"), &mut diags).unwrap();
    assert!(diags.is_empty(), "{:?}", diags.list);
    let mut out = BTreeMap::new();
    for f in &set.items {
        for ini in &f.item.initiatives {
            for year in 2021..=2025 {
                for field in Field::ALL {
                    out.insert(
                        (ini.number.value.clone(), year, field),
                        FieldValue::of(ini, year, field),
                    );
                }
            }
        }
    }
    out
}

/// Lines removed and added by a minimal line diff (longest common subsequence).
fn line_diff(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(b[j].to_owned());
            j += 1;
        } else {
            removed.push(a[i].to_owned());
            i += 1;
        }
    }
    (removed, added)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn para(s: &str) -> FieldValue {
    FieldValue::Text(Text::Para(s.into()))
}

// ---- collect ----

#[test]
fn collect_writes_one_protected_workbook_per_department() {
    let dir = workdir("protected");
    let out = collect(&dir, 2022);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f != shinko::output::LOCK_FILE)
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "市民活動支援課.xlsx",
            "情報指令課.xlsx",
            "消防総務課.xlsx",
            "行政経営課.xlsx",
            "財産管理課.xlsx"
        ]
    );
    // 3-2-4 has two departments: it is in both of their workbooks.
    for (book, initiative) in [
        ("行政経営課", "3-2-1"),
        ("情報指令課", "3-2-4"),
        ("消防総務課", "3-2-4"),
    ] {
        let path = out.join(format!("{book}.xlsx"));
        let entries = read_zip(&path);
        let sheets = sheet_parts(&entries);
        let names: Vec<(&str, bool)> = sheets.iter().map(|(n, _, h)| (n.as_str(), *h)).collect();
        assert_eq!(
            names,
            [("記入方法", false), (initiative, false), ("_shinko", true)]
        );

        let defined = defined_names(&entries);
        // The structure is locked too: sheets cannot be added, removed, renamed or unhidden.
        assert!(
            part(&entries, "xl/workbook.xml").contains("<workbookProtection lockStructure=\"1\"/>")
        );
        let prefix = format!("shinko_{}_y2022_", initiative.replace('-', "_"));
        let expected: Vec<String> = [
            "direction",
            "effect",
            "indicator",
            "next",
            "reason",
            "result",
            "self",
        ]
        .iter()
        .map(|f| format!("{prefix}{f}"))
        .collect();
        assert_eq!(defined.keys().cloned().collect::<Vec<_>>(), expected);

        // Which styles are unlocked.
        let styles = part(&entries, "xl/styles.xml");
        // Every font, the default one included, is BIZ UDゴシック.
        let fonts: Vec<&str> = styles
            .split("<name val=\"")
            .skip(1)
            .map(|f| &f[..f.find('"').unwrap()])
            .collect();
        assert!(
            !fonts.is_empty() && fonts.iter().all(|f| *f == "BIZ UDゴシック"),
            "{fonts:?}"
        );
        let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        let unlocked: Vec<bool> = xfs
            .split("<xf ")
            .skip(1)
            .map(|x| {
                let x = &x[..x.find("</xf>").unwrap_or(x.len())];
                x.contains("<protection locked=\"0\"/>")
            })
            .collect();
        for (sheet, part_name, _) in &sheets {
            let xml = part(&entries, part_name);
            let protection = &xml[xml
                .find("<sheetProtection")
                .unwrap_or_else(|| panic!("{book} {sheet} is not protected"))..];
            let protection = &protection[..protection.find("/>").unwrap()];
            assert!(
                protection.contains("sheet=\"1\"") && !protection.contains("password"),
                "{protection}"
            );
            // Every unlocked cell is a named input, every named input is unlocked.
            let inputs: Vec<&str> = defined
                .values()
                .filter(|(s, _)| s == sheet)
                .map(|(_, c)| c.as_str())
                .collect();
            let mut seen = 0;
            for c in xml.split("<c ").skip(1) {
                let tag = format!(" {}", &c[..c.find('>').unwrap()]);
                let r = attr(&tag, "r").unwrap();
                let style: usize = attr(&tag, "s").map_or(0, |s| s.parse().unwrap());
                assert_eq!(unlocked[style], inputs.contains(&r), "{book} {sheet} {r}");
                seen += usize::from(inputs.contains(&r));
            }
            assert_eq!(seen, inputs.len(), "{book} {sheet}");
        }
        // Grade inputs offer the plan's grades with their names.
        let xml = part(&entries, &sheets[1].1);
        let (_, self_cell) = &defined[&format!("{prefix}self")];
        let (_, next_cell) = &defined[&format!("{prefix}next")];
        let dv: Vec<&str> = xml.split("<dataValidation ").skip(1).collect();
        assert_eq!(dv.len(), 2, "{xml}");
        assert!(
            dv.iter()
                .any(|d| d.contains(&format!("sqref=\"{self_cell}\""))
                    && d.contains("A：計画どおり,B：概ね計画どおり,C：遅れている,D：未着手"))
        );
        assert!(dv.iter().any(|d| d.contains(&format!("sqref=\"{next_cell}\"")) && d.contains("A：継続実施")));
        // The hidden sheet records the plan and the year.
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let meta = wb.worksheet_range("_shinko").unwrap();
        assert_eq!(
            meta.get_value((1, 1)),
            Some(&Data::String(
                "はだの行政サービス改革基本方針実行計画".into()
            ))
        );
        assert_eq!(meta.get_value((2, 1)), Some(&Data::Float(2022.0)));
        assert_eq!(meta.get_value((3, 1)), Some(&Data::String(book.into())));
        // The instructions sheet.
        let guide = wb.worksheet_range("記入方法").unwrap();
        let text: String = guide
            .cells()
            .filter_map(|(_, _, d)| match d {
                Data::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            text.contains("色の付いたセル")
                && text.contains("返送")
                && text.contains("令和4年度(2022年度)"),
            "{text}"
        );
    }
}

#[test]
fn collect_prefills_the_current_values_and_shows_the_context() {
    let dir = workdir("prefill");
    let out = collect(&dir, 2021);
    let v = named_values(&out.join("市民活動支援課.xlsx"));
    assert_eq!(
        v["shinko_3_2_2_y2021_result"],
        Data::String(
            "・他自治体の類似施設の調査研究を引き続き実施する\n・利用団体のアンケートの実施予定"
                .into()
        )
    );
    assert_eq!(v["shinko_3_2_2_y2021_indicator"], Data::Float(37.0));
    assert_eq!(
        v["shinko_3_2_2_y2021_self"],
        Data::String("A：計画どおり".into())
    );
    assert_eq!(
        v["shinko_3_2_2_y2021_next"],
        Data::String("A：継続実施".into())
    );
    assert_eq!(v["shinko_3_2_2_y2021_direction"], Data::Empty);
    let v = named_values(&out.join("行政経営課.xlsx"));
    assert_eq!(
        v["shinko_3_2_1_y2021_self"],
        Data::String("C：遅れている".into())
    );
    assert_eq!(v["shinko_3_2_1_y2021_result"], Data::Empty);
    // The context: the year's goal and the indicator's targets, read-only.
    let mut wb: Xlsx<_> = open_workbook(out.join("市民活動支援課.xlsx")).unwrap();
    let sheet = wb.worksheet_range("3-2-2").unwrap();
    let cells: Vec<String> = sheet
        .cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(
        cells
            .iter()
            .any(|c| c.contains("SNS等の活用による情報発信")),
        "{cells:?}"
    );
    assert!(
        cells
            .iter()
            .any(|c| c.contains("2021年度の目標: 35 団体数")),
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c == "指標 実績 (団体数)"), "{cells:?}");
}

#[test]
fn collect_is_deterministic() {
    let (da, db) = (workdir("det_a"), workdir("det_b"));
    let a = collect(&da, 2022);
    let b = collect(&db, 2022);
    for e in std::fs::read_dir(&a).unwrap() {
        let name = e.unwrap().file_name();
        assert_eq!(
            std::fs::read(a.join(&name)).unwrap(),
            std::fs::read(b.join(&name)).unwrap(),
            "{name:?}"
        );
    }
}

#[test]
fn collect_refuses_a_year_outside_the_plan() {
    let dir = workdir("year_outside");
    let r = shinko(
        &dir,
        &[
            "collect", "--year", "2030", "--sheets", "sheets", "--out", "out",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("2030 年度は計画期間 (2021〜2025 年度) の外です"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn collect_refuses_names_that_would_clash() {
    let dir = workdir("clash");
    let yaml = dir.join("sheets/3-2.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, text.replace("番号: \"3-2-2\"", "番号: \"3-2-1\"")).unwrap();
    let r = shinko(
        &dir,
        &[
            "collect", "--year", "2022", "--sheets", "sheets", "--out", "out",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("取組の番号「3-2-1」が 2 回使われています"),
        "{}",
        r.stderr
    );
    std::fs::write(
        &yaml,
        text.replace(
            "取組主管課: [情報指令課, 消防総務課]",
            "取組主管課: [情報/指令課, 情報_指令課]",
        ),
    )
    .unwrap();
    let r = shinko(
        &dir,
        &[
            "collect", "--year", "2022", "--sheets", "sheets", "--out", "out",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("のファイル名が同じになります"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("out/collect").exists());
}

// ---- import ----

/// Fills the 2022 workbooks of 行政経営課 (3-2-1), 市民活動支援課 (3-2-2) and 消防総務課 (3-2-4).
fn filled_books(dir: &Path) -> Vec<PathBuf> {
    let out = collect(dir, 2022);
    let filled = dir.join("filled");
    std::fs::create_dir_all(&filled).unwrap();
    let a = filled.join("行政経営課.xlsx");
    fill(
        &out.join("行政経営課.xlsx"),
        &a,
        &[
            (
                "shinko_3_2_1_y2022_result",
                V::S("市民参加手法の一覧を作成した\n庁内に周知した"),
            ),
            ("shinko_3_2_1_y2022_effect", V::S("1,200千円")),
            ("shinko_3_2_1_y2022_indicator", V::S("１２")),
            ("shinko_3_2_1_y2022_self", V::S("A：計画どおり")),
            (
                "shinko_3_2_1_y2022_reason",
                V::S("・計画どおり進んだ\n・職員研修を実施"),
            ),
            ("shinko_3_2_1_y2022_next", V::S("継続実施")),
            ("shinko_3_2_1_y2022_direction", V::S("引き続き取り組む")),
        ],
    );
    let b = filled.join("市民活動支援課.xlsx");
    fill(
        &out.join("市民活動支援課.xlsx"),
        &b,
        &[
            ("shinko_3_2_2_y2022_result", V::S("アンケートを実施")),
            ("shinko_3_2_2_y2022_indicator", V::N(40.0)),
        ],
    );
    let c = filled.join("消防総務課.xlsx");
    fill(
        &out.join("消防総務課.xlsx"),
        &c,
        &[
            ("shinko_3_2_4_y2022_self", V::S("B")),
            // Clearing a pre-filled cell changes nothing.
            ("shinko_3_2_4_y2022_direction", V::Clear),
        ],
    );
    vec![a, b, c]
}

fn expected_changes() -> Vec<((String, i32, Field), FieldValue)> {
    let k = |i: &str, f: Field| (i.to_owned(), 2022, f);
    vec![
        (
            k("3-2-1", Field::Result),
            para("市民参加手法の一覧を作成した\n庁内に周知した"),
        ),
        (
            k("3-2-1", Field::Effect),
            FieldValue::Amount(Amount::Number(1200.0)),
        ),
        (
            k("3-2-1", Field::Indicator),
            FieldValue::Amount(Amount::Number(12.0)),
        ),
        (
            k("3-2-1", Field::SelfEvaluation),
            FieldValue::Grade("A".into()),
        ),
        (
            k("3-2-1", Field::Reason),
            FieldValue::Text(Text::Bullets(vec![
                "計画どおり進んだ".into(),
                "職員研修を実施".into(),
            ])),
        ),
        (k("3-2-1", Field::NextYears), FieldValue::Grade("A".into())),
        (k("3-2-1", Field::Direction), para("引き続き取り組む")),
        (k("3-2-2", Field::Result), para("アンケートを実施")),
        (
            k("3-2-2", Field::Indicator),
            FieldValue::Amount(Amount::Number(40.0)),
        ),
        (
            k("3-2-4", Field::SelfEvaluation),
            FieldValue::Grade("B".into()),
        ),
    ]
}

/// The import changed exactly the expected values and the YAML text only where they are.
fn assert_imported(
    dir: &Path,
    before_values: &BTreeMap<(String, i32, Field), FieldValue>,
    before_text: &str,
) {
    let after = all_values(dir);
    let mut expected = before_values.clone();
    for (k, v) in expected_changes() {
        expected.insert(k, v);
    }
    for (k, v) in &expected {
        assert_eq!(after.get(k), Some(v), "{k:?}");
    }
    assert_eq!(after.len(), expected.len());

    let text = std::fs::read_to_string(dir.join("sheets/3-2.yaml")).unwrap();
    let (removed, added) = line_diff(before_text, &text);
    let s = |v: &[&str]| sorted(v.iter().map(|x| x.to_string()).collect());
    assert_eq!(
        sorted(removed),
        s(&[
            // 3-2-1: 効果額 and 指標 実績, the anchored 2022 (its anchor moves to 2023).
            "      実績: {}",
            "      実績: {}",
            "      2022: &p321",
            "      2023: *p321",
            // 3-2-2: 指標 実績 and the 2022 flow mapping.
            "      実績: {2021: 37}",
            "      2022: {取組目標: *p322, 活動: 市民活動サポートセンターのあり方の検討}",
        ]),
        "{text}"
    );
    assert_eq!(
        sorted(added),
        s(&[
            "      実績: {2022: 1200}",
            "      実績: {2022: 12}",
            "      2022:",
            "        実績: |-",
            "          市民参加手法の一覧を作成した",
            "          庁内に周知した",
            "        自己評価: A",
            "        評価理由:",
            "          - 計画どおり進んだ",
            "          - 職員研修を実施",
            "        次年度以降: A",
            "        方向性・課題: 引き続き取り組む",
            // 2023 keeps the old 2022 values, now written out, with the anchor; 2024 and 2025
            // still say *p321.
            "      2023: &p321",
            "        取組目標: 市民参加手法の活用により協働意識を高める",
            "        活動: さらなる市民参加を促すとともに、職員の市民協働に対する意識を高める。各課等の取組状況を把握する。",
            "      実績: {2021: 37, 2022: 40}",
            "      2022: {取組目標: *p322, 活動: 市民活動サポートセンターのあり方の検討, 実績: アンケートを実施}",
            "        自己評価: B",
        ]),
        "{text}"
    );
}

#[test]
fn a_filled_workbook_imports_only_the_changed_values() {
    let dir = workdir("import");
    let books = filled_books(&dir);
    let refs: Vec<&Path> = books.iter().map(PathBuf::as_path).collect();
    let before_values = all_values(&dir);
    let before = yaml_files(&dir);
    let before_text = String::from_utf8(before["3-2.yaml"].clone()).unwrap();

    // --dry-run shows the changes and writes nothing.
    let r = import(&dir, &refs, &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "3-2-1 / 令和4年度 / 実績: \"\" → \"市民参加手法の一覧を作成した\\n庁内に周知した\""
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("3-2-1 / 令和4年度 / 効果額 実績: \"\" → 1200"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("3-2-4 / 令和4年度 / 自己評価: \"\" → B：概ね計画どおり"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("10 件の変更 (1 ファイル)。--dry-run のため書き込んでいません"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("方向性・課題: \"令和5年9月"),
        "a cleared cell must not change: {}",
        r.stdout
    );
    assert_eq!(yaml_files(&dir), before);

    let r = import(&dir, &refs, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("10 件の変更を 1 ファイルに書き込みました"),
        "{}",
        r.stdout
    );
    assert_imported(&dir, &before_values, &before_text);
    let check = shinko(&dir, &["check", "--sheets", "sheets"]);
    assert_eq!(check.code, 0, "{}", check.stderr);

    // Importing again changes nothing.
    let after_first = yaml_files(&dir);
    let r = import(&dir, &refs, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("変更はありません"), "{}", r.stdout);
    assert_eq!(yaml_files(&dir), after_first);
}

#[test]
fn a_workbook_resaved_by_libreoffice_imports_the_same() {
    let soffice = Command::new("soffice").arg("--version").output();
    assert!(
        soffice.is_ok_and(|o| o.status.success()),
        "this test needs LibreOffice (soffice) on PATH"
    );
    let dir = workdir("libreoffice");
    let books = filled_books(&dir);
    let before_values = all_values(&dir);
    let before_text = std::fs::read_to_string(dir.join("sheets/3-2.yaml")).unwrap();
    let resaved = dir.join("resaved");
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("lo-profile").display()
    );
    let mut args = vec![
        profile.clone(),
        "--headless".into(),
        "--convert-to".into(),
        "xlsx".into(),
        "--outdir".into(),
        resaved.display().to_string(),
    ];
    args.extend(books.iter().map(|b| b.display().to_string()));
    let out = Command::new("soffice").args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: Vec<PathBuf> = books
        .iter()
        .map(|b| resaved.join(b.file_name().unwrap()))
        .collect();
    for b in &again {
        assert!(b.is_file(), "LibreOffice did not write {}", b.display());
        assert_ne!(
            std::fs::read(b).unwrap(),
            std::fs::read(
                books
                    .iter()
                    .find(|x| x.file_name() == b.file_name())
                    .unwrap()
            )
            .unwrap()
        );
    }
    // LibreOffice keeps the protection and the unlocked inputs.
    let entries = read_zip(&again[0]);
    let names = defined_names(&entries);
    for (sheet, part_name, _) in sheet_parts(&entries) {
        let xml = part(&entries, &part_name);
        assert!(
            xml.contains("<sheetProtection"),
            "{sheet} lost its protection"
        );
    }
    assert_eq!(names.len(), 7, "{names:?}");
    let refs: Vec<&Path> = again.iter().map(PathBuf::as_path).collect();
    let r = import(&dir, &refs, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_imported(&dir, &before_values, &before_text);
    // The original filled workbooks now change nothing either.
    let orig: Vec<&Path> = books.iter().map(PathBuf::as_path).collect();
    let r = import(&dir, &orig, &[]);
    assert!(
        r.stdout.contains("変更はありません"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

/// Runs a failing import and checks the message and that no file changed.
fn assert_refused(dir: &Path, books: &[&Path], extra: &[&str], needles: &[&str]) -> String {
    let before = yaml_files(dir);
    let r = import(dir, books, extra);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "missing {n:?} in:\n{}", r.stderr);
    }
    assert!(r.stderr.contains("何も書き込んでいません"), "{}", r.stderr);
    assert_eq!(yaml_files(dir), before, "a refused import must not write");
    r.stderr
}

#[test]
fn year_keys_written_as_text_are_found() {
    let dir = workdir("year_text");
    let yaml = dir.join("sheets/3-2.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    // 3-2-4's years written as `2022年度:`.
    let start = text.find("  - 番号: \"3-2-4\"").unwrap();
    let edited = format!(
        "{}{}",
        &text[..start],
        text[start..].replace("      2022:\n", "      2022年度:\n")
    );
    assert_ne!(edited, text);
    std::fs::write(&yaml, &edited).unwrap();
    let out = collect(&dir, 2022);
    let book = dir.join("filled.xlsx");
    fill(
        &out.join("消防総務課.xlsx"),
        &book,
        &[("shinko_3_2_4_y2022_self", V::S("B"))],
    );
    let r = import(&dir, &[&book], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(&yaml).unwrap();
    let (removed, added) = line_diff(&edited, &after);
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added, ["        自己評価: B"]);
    assert!(
        after.contains("      2022年度:\n        取組目標: 令和7年度の共同運用開始に向けた準備")
    );
}

#[test]
fn a_value_for_an_initiative_removed_since_is_refused() {
    let dir = workdir("removed");
    let out = collect(&dir, 2022);
    let yaml = dir.join("sheets/3-2.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, text.replace("番号: \"3-2-4\"", "番号: \"3-2-5\"")).unwrap();
    // An untouched workbook of it changes nothing and is no error.
    let r = import(&dir, &[&out.join("情報指令課.xlsx")], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let book = dir.join("filled.xlsx");
    fill(
        &out.join("情報指令課.xlsx"),
        &book,
        &[("shinko_3_2_4_y2022_result", V::S("工事に着手した"))],
    );
    let (_, cell) = cell_of(&book, "shinko_3_2_4_y2022_result");
    assert_refused(
        &dir,
        &[&book],
        &[],
        &[
            "エラー: 取組「3-2-4」が項目「3-2」のシートにありません",
            &format!("= 場所: {} シート「3-2-4」のセル {cell} (3-2-4 / 2022 / 実績)", book.display()),
        ],
    );
}

#[test]
fn every_input_of_every_year_round_trips() {
    let dir = workdir("every_input");
    let inputs: [(&str, V, FieldValue); 7] = [
        (
            "result",
            V::S("実績: 「引用」 # 記号\n  字下げした二行目"),
            para("実績: 「引用」 # 記号\n  字下げした二行目"),
        ),
        (
            "effect",
            V::S("１，２３４千円"),
            FieldValue::Amount(Amount::Number(1234.0)),
        ),
        (
            "indicator",
            V::N(12.5),
            FieldValue::Amount(Amount::Number(12.5)),
        ),
        (
            "self",
            V::S("B：概ね計画どおり"),
            FieldValue::Grade("B".into()),
        ),
        (
            "reason",
            V::S("・- ハイフン始まり\n・\"引用符\", カンマ"),
            FieldValue::Text(Text::Bullets(vec![
                "- ハイフン始まり".into(),
                "\"引用符\", カンマ".into(),
            ])),
        ),
        ("next", V::S("Ｃ"), FieldValue::Grade("C".into())),
        (
            "direction",
            V::S("'単引用符' と {波括弧} [角括弧]: true"),
            para("'単引用符' と {波括弧} [角括弧]: true"),
        ),
    ];
    let mut expected = all_values(&dir);
    for year in 2021..=2025 {
        let out = collect(&dir, year);
        let mut books = Vec::new();
        // 情報指令課 and 消防総務課 share 3-2-4: one of them answers.
        for dept in ["行政経営課", "市民活動支援課", "財産管理課", "消防総務課"]
        {
            let src = out.join(format!("{dept}.xlsx"));
            let names = defined_names(&read_zip(&src));
            let values: Vec<(&str, V)> = names
                .keys()
                .map(|n| {
                    let (_, v, _) = inputs
                        .iter()
                        .find(|(code, _, _)| n.ends_with(&format!("_{code}")))
                        .unwrap();
                    let v = match v {
                        V::S(s) => V::S(s),
                        V::N(x) => V::N(*x),
                        V::Clear => V::Clear,
                    };
                    (n.as_str(), v)
                })
                .collect();
            let dst = dir.join(format!("{dept}-{year}.xlsx"));
            fill(&src, &dst, &values);
            books.push(dst);
        }
        let refs: Vec<&Path> = books.iter().map(PathBuf::as_path).collect();
        let r = import(&dir, &refs, &[]);
        assert_eq!(r.code, 0, "{year}: {}", r.stderr);
        for ini in ["3-2-1", "3-2-2", "3-2-3", "3-2-4"] {
            for (field, (_, _, v)) in Field::ALL.into_iter().zip(&inputs) {
                expected.insert((ini.to_owned(), year, field), v.clone());
            }
        }
        assert_eq!(all_values(&dir), expected, "{year}");
        let r = import(&dir, &refs, &[]);
        assert!(
            r.stdout.contains("変更はありません"),
            "{year}: {}{}",
            r.stdout,
            r.stderr
        );
    }
    let check = shinko(&dir, &["check", "--sheets", "sheets"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    // The comments of the reference sheet are all still there.
    let text = std::fs::read_to_string(dir.join("sheets/3-2.yaml")).unwrap();
    let original =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("sheets/3-2.yaml"))
            .unwrap();
    for line in original.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(text.contains(line), "lost comment {line:?}");
    }
}

#[test]
fn two_workbooks_with_different_values_for_one_field_are_refused() {
    let dir = workdir("conflict");
    let out = collect(&dir, 2022);
    let a = dir.join("情報指令課_filled.xlsx");
    let b = dir.join("消防総務課_filled.xlsx");
    fill(
        &out.join("情報指令課.xlsx"),
        &a,
        &[
            ("shinko_3_2_4_y2022_result", V::S("工事に着手した")),
            ("shinko_3_2_4_y2022_self", V::S("A")),
        ],
    );
    fill(
        &out.join("消防総務課.xlsx"),
        &b,
        &[
            ("shinko_3_2_4_y2022_result", V::S("工事を始めた")),
            ("shinko_3_2_4_y2022_self", V::S("A：計画どおり")),
        ],
    );
    let (_, cell) = cell_of(&a, "shinko_3_2_4_y2022_result");
    let err = assert_refused(
        &dir,
        &[&a, &b],
        &[],
        &[
            "エラー: 同じ欄に別のブックが違う値を書いています",
            "= YAML: sheets/3-2.yaml:",
            &format!(
                "情報指令課_filled.xlsx シート「3-2-4」のセル {cell} (3-2-4 / 2022 / 実績): \"工事に着手した\""
            ),
            &format!(
                "消防総務課_filled.xlsx シート「3-2-4」のセル {cell} (3-2-4 / 2022 / 実績): \"工事を始めた\""
            ),
            "合計: エラー 1 件",
        ],
    );
    // The same grade written two ways is no conflict.
    assert!(!err.contains("自己評価"), "{err}");
}

#[test]
fn a_workbook_of_another_plan_or_year_is_refused() {
    let dir = workdir("other_plan");
    let out = collect(&dir, 2022);
    let book = out.join("行政経営課.xlsx");
    let plan = dir.join("sheets/plan.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(
        &plan,
        text.replace(
            "計画名: はだの行政サービス改革基本方針実行計画",
            "計画名: 別の計画",
        ),
    )
    .unwrap();
    assert_refused(
        &dir,
        &[&book],
        &[],
        &[
            "エラー: 別の計画の記入用ブックです (ブックの計画名「はだの行政サービス改革基本方針実行計画」、plan.yaml の計画名「別の計画」)",
            "行政経営課.xlsx\n",
        ],
    );

    let dir = workdir("other_year");
    let y2022 = collect(&dir, 2022).join("行政経営課.xlsx");
    let y2023 = collect(&dir, 2023).join("行政経営課.xlsx");
    assert_refused(
        &dir,
        &[&y2022],
        &["--year", "2023"],
        &[
            "エラー: 2022 年度の記入用ブックです。この取り込みは 2023 年度のものです (--year の指定)",
            "2022/行政経営課.xlsx\n",
        ],
    );
    assert_refused(
        &dir,
        &[&y2022, &y2023],
        &[],
        &["年度の違うブックは一度に取り込めません"],
    );
}

#[test]
fn values_that_do_not_validate_are_refused() {
    let dir = workdir("invalid");
    let out = collect(&dir, 2022);
    let book = dir.join("bad.xlsx");
    fill(
        &out.join("行政経営課.xlsx"),
        &book,
        &[
            ("shinko_3_2_1_y2022_result", V::S("これは正しい値")),
            ("shinko_3_2_1_y2022_self", V::S("Z")),
            ("shinko_3_2_1_y2022_effect", V::S("約100")),
            ("shinko_3_2_1_y2022_next", V::S("A：計画どおり")),
        ],
    );
    let (_, self_cell) = cell_of(&book, "shinko_3_2_1_y2022_self");
    let (_, effect_cell) = cell_of(&book, "shinko_3_2_1_y2022_effect");
    let (_, next_cell) = cell_of(&book, "shinko_3_2_1_y2022_next");
    assert_refused(
        &dir,
        &[&book],
        &[],
        &[
            &format!(
                "エラー: 「Z」は自己評価の区分にありません (使える値: A：計画どおり、B：概ね計画どおり、C：遅れている、D：未着手)\n"
            ),
            &format!("bad.xlsx シート「3-2-1」のセル {self_cell} (3-2-1 / 2022 / 自己評価)\n = YAML: sheets/3-2.yaml:"
            ),
            &format!(
                "「約100」は数値として読めません"
            ),
            &format!("シート「3-2-1」のセル {effect_cell} (3-2-1 / 2022 / 効果額 実績)"
            ),
            // A grade name of another scale.
            &format!(
                "「A：計画どおり」は次年度以降の区分にありません"
            ),
            &format!("シート「3-2-1」のセル {next_cell} (3-2-1 / 2022 / 次年度以降)"
            ),
            "合計: エラー 3 件",
        ],
    );
}

#[test]
fn a_yaml_changed_since_the_workbook_was_made_is_refused() {
    let dir = workdir("changed_since");
    let out = collect(&dir, 2022);
    // Someone edits 3-2-4's 2022 方向性・課題 in the YAML after the workbooks went out.
    let yaml = dir.join("sheets/3-2.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let edited = text.replace(
        "方向性・課題: 令和5年9月から",
        "方向性・課題: 令和5年10月から",
    );
    assert_ne!(edited, text);
    std::fs::write(&yaml, &edited).unwrap();
    let line = edited
        .lines()
        .position(|l| l.contains("令和5年10月から"))
        .unwrap()
        + 1;

    // A workbook that leaves the field as it was made changes nothing there: no conflict.
    let untouched = dir.join("untouched.xlsx");
    fill(
        &out.join("消防総務課.xlsx"),
        &untouched,
        &[("shinko_3_2_4_y2022_self", V::S("A"))],
    );
    let r = import(&dir, &[&untouched], &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("3-2-4 / 令和4年度 / 自己評価") && !r.stdout.contains("方向性・課題"),
        "{}",
        r.stdout
    );

    // A workbook that sets it is refused, naming the YAML place.
    let book = dir.join("changed.xlsx");
    fill(
        &out.join("消防総務課.xlsx"),
        &book,
        &[(
            "shinko_3_2_4_y2022_direction",
            V::S("令和5年9月から整備に着手"),
        )],
    );
    let (_, cell) = cell_of(&book, "shinko_3_2_4_y2022_direction");
    assert_refused(
        &dir,
        &[&book],
        &[],
        &[
            &format!(
                "changed.xlsx シート「3-2-4」のセル {cell} (3-2-4 / 2022 / 方向性・課題)"
            ),
            &format!(
                "エラー: 記入用ブックを作った後に、YAML のこの欄が変わっています"
            ),
            &format!("YAML: sheets/3-2.yaml:{line}"),
        ],
    );
}

#[test]
fn a_file_that_is_not_a_collected_workbook_is_refused() {
    let dir = workdir("not_ours");
    let r = shinko(
        &dir,
        &[
            "build", "--sheets", "sheets", "--out", "out", "--format", "xlsx",
        ],
    );
    if r.code == 0 && dir.join("out/3-2.xlsx").is_file() {
        assert_refused(
            &dir,
            &[&dir.join("out/3-2.xlsx")],
            &[],
            &["エラー: shinko collect で作った記入用ブックではありません", "3-2.xlsx\n"],
        );
    }
    let junk = dir.join("junk.xlsx");
    std::fs::write(&junk, b"not a zip").unwrap();
    assert_refused(
        &dir,
        &[&junk],
        &[],
        &["エラー: Excel ファイル (.xlsx) として読めません", "junk.xlsx\n"],
    );
}

#[test]
fn a_file_made_by_new_takes_a_collected_workbook() {
    // `shinko new` leaves every value empty (nulls after the colons, years with comments):
    // import fills them in place, and the file still checks with its comments kept.
    let dir = workdir("new_item");
    let r = shinko(&dir, &["new", "3-9", "--sheets", "sheets"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = dir.join("sheets/3-9.yaml");
    let fresh = std::fs::read_to_string(&path).unwrap();
    let named = fresh.replacen("    取組主管課:\n", "    取組主管課: 新設課\n", 1);
    assert_ne!(named, fresh);
    std::fs::write(&path, &named).unwrap();
    let out = collect(&dir, 2022);
    let src = out.join("新設課.xlsx");
    let inputs: [(&str, V, FieldValue); 7] = [
        ("result", V::S("研修を2回開いた"), para("研修を2回開いた")),
        ("effect", V::N(1200.0), FieldValue::Amount(Amount::Number(1200.0))),
        ("indicator", V::N(37.0), FieldValue::Amount(Amount::Number(37.0))),
        ("self", V::S("A：計画どおり"), FieldValue::Grade("A".into())),
        ("reason", V::S("・予定どおり\n・参加者が増えた"), FieldValue::Text(Text::Bullets(vec!["予定どおり".into(), "参加者が増えた".into()]))),
        ("next", V::S("B"), FieldValue::Grade("B".into())),
        ("direction", V::S("対象を広げる"), para("対象を広げる")),
    ];
    let names = defined_names(&read_zip(&src));
    let values: Vec<(&str, V)> = names
        .keys()
        .filter_map(|n| {
            let (_, v, _) = inputs.iter().find(|(code, _, _)| n.ends_with(&format!("_{code}")))?;
            Some((n.as_str(), match v {
                V::S(s) => V::S(s),
                V::N(x) => V::N(*x),
                V::Clear => V::Clear,
            }))
        })
        .collect();
    assert_eq!(values.len(), inputs.len(), "{names:?}");
    let book = dir.join("filled.xlsx");
    fill(&src, &book, &values);
    let mut expected = all_values(&dir);
    let r = import(&dir, &[&book], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for (field, (_, _, v)) in Field::ALL.into_iter().zip(&inputs) {
        expected.insert(("3-9-1".to_owned(), 2022, field), v.clone());
    }
    assert_eq!(all_values(&dir), expected);
    let check = shinko(&dir, &["check", "--sheets", "sheets"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(!check.stderr.contains("警告"), "{}", check.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    for line in named.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(text.contains(line), "lost comment {line:?}");
    }
}
