//! `shinko status`: the returned workbooks of a year and the empty input fields, on the
//! fixture `tests/fixtures/status-plan/` (three departments, two items). Books are made with
//! `collect`, one is filled by editing its sheet XML (as another program would save it), and
//! the terminal tables and `status-2022.xlsx` (read back with calamine) are compared with the
//! expectation stated below from the fixture's YAML.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{TempDir, shinko, warned};
use shinko::collect::{Field, cell_name};

/// The 2022 fields still empty in the fixture, in the report's order (department by name as
/// `collect` orders its books: 情報政策課, 総務課, 行政経営課; then item and initiative in file
/// order; then the workbook's field order). From the YAML:
/// - 1-1-1 (行政経営課) has all seven 2022 fields;
/// - 1-1-2 (行政経営課 and 情報政策課) has only 実績 and 自己評価, so five fields are empty for
///   each of its two departments;
/// - 2-1-1 (総務課) has no 2022 input at all (its 2021 ones do not count);
/// - 2-1-2 (情報政策課) lacks only 方向性・課題.
fn expected_empty() -> Vec<[&'static str; 5]> {
    let mut v = Vec::new();
    let five = ["効果額 実績", "指標 実績", "評価理由", "次年度以降", "方向性・課題"];
    for f in five {
        v.push(["情報政策課", "1-1", "1-1-2", f, "窓口の案内の電子化"]);
    }
    v.push(["情報政策課", "2-1", "2-1-2", "方向性・課題", "電子申請の導入"]);
    for f in ["実績", "効果額 実績", "指標 実績", "自己評価", "評価理由", "次年度以降", "方向性・課題"] {
        v.push(["総務課", "2-1", "2-1-1", f, "文書管理の電子化"]);
    }
    for f in five {
        v.push(["行政経営課", "1-1", "1-1-2", f, "窓口の案内の電子化"]);
    }
    v
}

/// A copy of the fixture in a temporary folder: `sheets/`.
fn work(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/status-plan");
    std::fs::create_dir_all(dir.join("sheets")).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join("sheets").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn run(dir: &TempDir, args: &[&str]) -> common::Run {
    let sheets = dir.join("sheets");
    let mut all: Vec<&std::ffi::OsStr> = Vec::new();
    all.push(args[0].as_ref());
    all.push("--sheets".as_ref());
    all.push(sheets.as_os_str());
    all.extend(args[1..].iter().map(|a| std::ffi::OsStr::new(*a)));
    shinko(&all)
}

/// `collect --year YEAR --out DIR/out`: the folder of that year's books.
fn collect(dir: &TempDir, year: &str) -> PathBuf {
    let out = dir.join("out");
    let r = run(dir, &["collect", "--year", year, "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    out.join("collect").join(year)
}

/// The rows of a terminal table that follows the line `heading`: cells split at runs of two
/// or more spaces (a cell never holds two spaces in a row), after the header and the rule.
fn table(stdout: &str, heading: &str) -> Vec<Vec<String>> {
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with(heading)).skip(1);
    let header = lines.next().unwrap_or_else(|| panic!("no table {heading} in\n{stdout}"));
    assert!(header.starts_with("取組主管課"), "{header}");
    let rule = lines.next().unwrap();
    assert!(rule.chars().all(|c| c == '-' || c == ' '), "{rule}");
    lines
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect())
        .collect()
}

/// Display width on a terminal: 2 for the fixture's CJK characters, 1 for ASCII.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Every line of a table has its columns at the same display positions as the header.
fn assert_aligned(stdout: &str, heading: &str) {
    let lines: Vec<&str> = stdout.lines().skip_while(|l| !l.starts_with(heading)).skip(1).take_while(|l| !l.trim().is_empty()).collect();
    let starts = |l: &str| -> Vec<usize> {
        // Display column of each cell's first character.
        let (mut col, mut out, mut prev_spaces) = (0, Vec::new(), 2);
        for c in l.chars() {
            if c != ' ' && prev_spaces >= 2 {
                out.push(col);
            }
            prev_spaces = if c == ' ' { prev_spaces + 1 } else { 0 };
            col += width(&c.to_string());
        }
        out
    };
    let header = starts(lines[0]);
    for l in &lines[2..] {
        let s = starts(l);
        assert_eq!(s[..], header[..s.len()], "misaligned line {l:?} (header {:?})", lines[0]);
    }
}

fn empty_rows() -> Vec<Vec<String>> {
    expected_empty().iter().map(|r| r.iter().map(|s| (*s).to_owned()).collect()).collect()
}

// ---- editing a workbook's XML (a department filling a cell) ----

/// Writes `text` into the input cell `name` of the workbook `book` (in place), as an inline
/// string, the way another program would save it.
fn fill(book: &Path, name: &str, text: &str) {
    common::books::fill_texts(book, book, &[(name, text)]);
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => format!("{i}"),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn one_filled_book_is_returned_and_the_empty_fields_are_listed() {
    let dir = work("status-one");
    let books = collect(&dir, "2022");
    // 総務課 writes its 2-1-1 実績; the book is given in a folder of its own.
    let returned = dir.join("returned");
    std::fs::create_dir_all(&returned).unwrap();
    let book = returned.join("総務課.xlsx");
    std::fs::copy(books.join("総務課.xlsx"), &book).unwrap();
    fill(&book, &cell_name("2-1-1", 2022, Field::Result), "一部の課で試行した");

    let r = run(&dir, &["status", "--year", "R4", book.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(warned(&r.stderr).is_empty(), "{}", r.stderr);
    assert!(r.stdout.starts_with("提出状況 (令和4年度(2022年度))"), "{}", r.stdout);
    let book_shown = book.display().to_string();
    assert_eq!(
        table(&r.stdout, "提出状況"),
        vec![
            vec!["情報政策課".to_owned(), "2".into(), "未提出".into()],
            vec!["総務課".to_owned(), "1".into(), "提出済 (記入あり)".into(), book_shown.clone()],
            vec!["行政経営課".to_owned(), "2".into(), "未提出".into()],
        ]
    );
    assert_eq!(table(&r.stdout, "未記入一覧"), empty_rows());
    assert_aligned(&r.stdout, "提出状況");
    assert_aligned(&r.stdout, "未記入一覧");
    let n = expected_empty().len();
    assert!(
        r.stdout.contains(&format!("令和4年度(2022年度): 3 課のうち 1 課が提出済、未提出 2 課。未記入の欄 {n} 個 (3 課、3 取組)。")),
        "{}",
        r.stdout
    );
    assert!(!dir.join("sheets").join("status-2022.xlsx").exists());

    // Once imported, the field is no longer empty: the list is of the sheets as they are now.
    let imp = run(&dir, &["import", book.to_str().unwrap()]);
    assert_eq!(imp.code, Some(0), "{}", imp.stderr);
    let r = run(&dir, &["status", "--year", "2022", returned.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut rows = empty_rows();
    rows.retain(|row| !(row[2] == "2-1-1" && row[3] == "実績"));
    assert_eq!(table(&r.stdout, "未記入一覧"), rows);
    assert_eq!(table(&r.stdout, "提出状況")[1], vec!["総務課".to_owned(), "1".into(), "提出済 (記入あり)".into(), book_shown]);
}

#[test]
fn a_folder_of_untouched_books_counts_them_as_returned_without_input() {
    let dir = work("status-folder");
    let books = collect(&dir, "2022");
    // A sub-folder is not looked into, and neither is an Office lock file.
    std::fs::create_dir_all(books.join("old")).unwrap();
    std::fs::copy(books.join("総務課.xlsx"), books.join("old/総務課.xlsx")).unwrap();
    std::fs::write(books.join("~$総務課.xlsx"), b"lock").unwrap();
    let r = run(&dir, &["status", "--year", "令和4年度", books.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(warned(&r.stderr).is_empty(), "{}", r.stderr);
    let rows = table(&r.stdout, "提出状況");
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (row, dept) in rows.iter().zip(["情報政策課", "総務課", "行政経営課"]) {
        assert_eq!(row[0], dept);
        assert_eq!(row[2], "提出済 (記入なし)");
        assert_eq!(row[3], books.join(format!("{dept}.xlsx")).display().to_string());
    }
    assert!(r.stdout.contains("3 課のうち 3 課が提出済、未提出 0 課。"), "{}", r.stdout);
}

#[test]
fn books_of_another_year_and_files_that_are_not_books_are_flagged_and_not_counted() {
    let dir = work("status-other");
    let old = collect(&dir, "2021").join("総務課.xlsx");
    let junk = dir.join("メモ.xlsx");
    std::fs::write(&junk, b"not a workbook").unwrap();
    let r = run(&dir, &["status", "--year", "2022", old.to_str().unwrap(), junk.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let w = warned(&r.stderr);
    assert_eq!(w.len(), 2, "{w:#?}");
    let year = common::find(&w, "令和3年度(2021年度) の記入用ブックです");
    assert!(year.message.contains("提出状況に数えていません"), "{}", year.message);
    assert!(year.block.contains(&old.display().to_string()), "{}", year.block);
    let not_book = w.iter().find(|x| x.block.contains(&junk.display().to_string())).expect("a warning naming the junk file");
    assert!(not_book.block.contains("提出状況に数えていません"), "{}", not_book.block);
    assert!(
        not_book.message.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
        "not Japanese: {}",
        not_book.message
    );
    for row in table(&r.stdout, "提出状況") {
        assert_eq!(row[2], "未提出", "{row:?}");
    }
}

#[test]
fn out_writes_the_same_report_as_a_workbook() {
    let dir = work("status-out");
    let books = collect(&dir, "2022");
    let given = books.join("行政経営課.xlsx");
    let out = dir.join("report");
    let r = run(&dir, &["status", "--year", "2022", "--out", out.to_str().unwrap(), given.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let file = out.join("status-2022.xlsx");
    assert!(r.stderr.contains(&file.display().to_string()), "{}", r.stderr);

    let returns = sheet_rows(&file, "提出状況");
    assert_eq!(returns[0], ["取組主管課", "取組数", "状態", "ブック"]);
    assert_eq!(
        returns[1..],
        [
            vec!["情報政策課".to_owned(), "2".into(), "未提出".into(), String::new()],
            vec!["総務課".to_owned(), "1".into(), "未提出".into(), String::new()],
            vec!["行政経営課".to_owned(), "2".into(), "提出済 (記入なし)".into(), given.display().to_string()],
        ]
    );
    let empty = sheet_rows(&file, "未記入一覧");
    assert_eq!(empty[0], ["取組主管課", "項目", "取組", "欄", "取組名"]);
    assert_eq!(empty[1..], empty_rows()[..]);
    // The terminal shows the same rows.
    assert_eq!(table(&r.stdout, "未記入一覧"), empty_rows());

    // Header frozen, a filter over the table, the bundled font; same input, same bytes.
    let entries = common::books::read_zip(&file);
    for (part, rows, cols) in [("xl/worksheets/sheet1.xml", returns.len(), "D"), ("xl/worksheets/sheet2.xml", empty.len(), "E")] {
        let xml = String::from_utf8(entries.iter().find(|(n, _)| n == part).unwrap().1.clone()).unwrap();
        assert!(xml.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"), "{part}: no frozen header");
        assert!(xml.contains(&format!("<autoFilter ref=\"A1:{cols}{rows}\"/>")), "{part}: no filter over A1:{cols}{rows}");
    }
    let styles = String::from_utf8(entries.iter().find(|(n, _)| n == "xl/styles.xml").unwrap().1.clone()).unwrap();
    assert!(styles.contains("BIZ UDゴシック"), "font");
    let before = std::fs::read(&file).unwrap();
    let again = dir.join("again.xlsx");
    let r = run(&dir, &["status", "--year", "2022", "--out", again.to_str().unwrap(), given.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(&again).unwrap(), before, "an --out FILE.xlsx gets the same bytes");
}

#[test]
fn errors_write_nothing() {
    let dir = work("status-errors");
    let out = dir.join("report");
    // A year staff cannot mean: a usage error in Japanese (exit 2).
    let r = run(&dir, &["status", "--year", "令和", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--year") && r.stderr.contains("R4"), "{}", r.stderr);
    // A year outside the plan, a book that does not exist: input problems (exit 1).
    let r = run(&dir, &["status", "--year", "2030", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("計画期間"), "{}", r.stderr);
    let missing = dir.join("ない.xlsx");
    let r = run(&dir, &["status", "--year", "2022", "--out", out.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let e = common::reported(&r.stderr);
    assert!(e.iter().any(|x| x.message.contains("を開けません") && x.message.contains("ない.xlsx")), "{e:#?}");
    assert!(r.stdout.is_empty(), "no table on error: {}", r.stdout);
    // Broken sheets: the errors of check, exit 1.
    let item = dir.join("sheets/2-1.yaml");
    let text = std::fs::read_to_string(&item).unwrap();
    std::fs::write(&item, text.replace("自己評価: B", "自己評価: Z")).unwrap();
    let r = run(&dir, &["status", "--year", "2022", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let e = common::reported(&r.stderr);
    assert!(e.iter().any(|x| x.message.contains("\"Z\"") && x.line > 0), "{e:#?}");
    assert!(!out.exists(), "nothing written on error");
}

#[test]
fn without_books_every_department_is_not_returned() {
    let dir = work("status-none");
    let r = run(&dir, &["status", "--year", "2022"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let rows = table(&r.stdout, "提出状況");
    assert_eq!(rows.iter().map(|r| r[2].as_str()).collect::<Vec<_>>(), ["未提出"; 3]);
    assert_eq!(table(&r.stdout, "未記入一覧"), empty_rows());
}

#[test]
fn a_book_of_a_department_gone_from_the_sheets_is_flagged_and_initiatives_without_one_are_listed_apart() {
    let dir = work("status-gone");
    let books = collect(&dir, "2022");
    // Since the collect, 2-1-1 moved from 総務課 to 財政課, and 2-1-2 lost its department.
    let item = dir.join("sheets/2-1.yaml");
    let text = std::fs::read_to_string(&item).unwrap();
    let text = text.replace("取組主管課: [総務課]", "取組主管課: [財政課]").replace("取組主管課: [情報政策課]", "取組主管課: []");
    std::fs::write(&item, text).unwrap();
    let old = books.join("総務課.xlsx");
    let r = run(&dir, &["status", "--year", "2022", old.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let w = warned(&r.stderr);
    let gone = common::find(&w, "「総務課」の記入用ブックですが、今のシートにその取組主管課はありません");
    assert!(gone.block.contains(&old.display().to_string()), "{}", gone.block);
    let depts: Vec<String> = table(&r.stdout, "提出状況").into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(depts, ["情報政策課", "行政経営課", "財政課"]);
    let empty = table(&r.stdout, "未記入一覧");
    let last = empty.last().unwrap();
    assert_eq!(last[..4], ["(取組主管課なし)", "2-1", "2-1-2", "方向性・課題"], "{empty:?}");
    assert_eq!(empty.iter().filter(|r| r[0] == "財政課").count(), 7, "{empty:?}");
}
