//! Corrections (issue 15, point 3): a department re-sends a book after its first import and
//! the book's values replace what it imported before; another book with another value, or a
//! hand edit of the YAML since, is still a conflict; the preview names the book of each
//! change, shows 令和 years, grade names and the pre-filled fields a book left blank; grades
//! are matched by letter, so renaming a grade in plan.yaml after collect blocks nothing.
//!
//! Books are collected from a copy of sheets/ and filled by rewriting their sheet XML
//! (`common::books::fill`); the YAML is read back with shinko's loader, the import log as
//! bytes; every refusal is checked to leave the sheets folder (YAML and log) byte for byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::books::{V, Run, Work, cell_of, collect_into, fill, import, run_in, sheet_files, workdir};
use shinko::collect::{Field, FieldValue};
use shinko::diag::Diagnostics;
use shinko::import::log::LOG_FILE;
use shinko::model::Text;

const RESULT: &str = "shinko_3_2_1_y2022_result";
const SELF: &str = "shinko_3_2_1_y2022_self";
const REASON: &str = "shinko_3_2_1_y2022_reason";
const NEXT: &str = "shinko_3_2_1_y2022_next";

fn work(name: &str) -> Work {
    workdir("corrections", name)
}

/// A field's value in the sheets now.
fn value(dir: &Path, initiative: &str, year: i32, field: Field) -> FieldValue {
    let mut diags = Diagnostics::default();
    let set = shinko::load::load_dir(&dir.join("sheets"), &mut diags).unwrap();
    assert!(diags.is_empty(), "{:?}", diags.list);
    let ini = set
        .items
        .iter()
        .find_map(|f| f.item.initiative(initiative))
        .unwrap_or_else(|| panic!("no {initiative}"));
    FieldValue::of(ini, year, field)
}

fn para(s: &str) -> FieldValue {
    FieldValue::Text(Text::Para(s.into()))
}

fn grade(g: &str) -> FieldValue {
    FieldValue::Grade(g.into())
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

/// Runs an import that must be refused: exit 1, each needle in the messages, and nothing in
/// the sheets folder changed (the YAML and the import log). Returns the messages.
fn refused(dir: &Path, books: &[&Path], needles: &[&str]) -> String {
    let before = sheet_files(dir);
    let r = import(dir, books, &[]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "missing {n:?} in:\n{}", r.stderr);
    }
    assert!(r.stderr.contains("何も書き込んでいません"), "{}", r.stderr);
    assert_eq!(sheet_files(dir), before, "a refused import must not write");
    r.stderr
}

/// The lines of a run's output that are about one book, from its header to the next header.
fn book_block<'a>(stdout: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = stdout.lines().skip_while(|l| *l != header);
    let mut out: Vec<&str> = lines.next().into_iter().collect();
    out.extend(lines.take_while(|l| l.starts_with(' ')));
    out
}

// ---- (a), (b), (e) ----

#[test]
fn a_corrected_book_replaces_what_the_same_book_imported() {
    let dir = work("corrected");
    let sent = collect_into(&dir, 2022, "out").join("行政経営課.xlsx");
    let b = dir.join("受信/行政経営課.xlsx");
    fill(
        &sent,
        &b,
        &[(RESULT, V::S("一覧を作成した")), (SELF, V::S("B：概ね計画どおり")), (REASON, V::S("研修を実施した"))],
    );
    let r = import(&dir, &[&b], &[]);
    ok(&r);
    assert!(r.stdout.contains("3 件の変更を 1 ファイルに書き込みました"), "{}", r.stdout);
    let log = std::fs::read_to_string(dir.join("sheets").join(LOG_FILE)).unwrap();
    assert!(log.starts_with("# shinko import の取り込み記録です"), "{log}");
    assert!(log.contains("file: 行政経営課.xlsx") && log.contains("label: 行政経営課 令和4年度"), "{log}");

    // The department corrects its own copy and sends it again, under another name.
    let b2 = dir.join("受信/行政経営課_訂正.xlsx");
    fill(&b, &b2, &[(RESULT, V::S("一覧を作成し、庁内に周知した")), (SELF, V::S("A"))]);
    let r = import(&dir, &[&b2], &["--dry-run"]);
    ok(&r);
    assert_eq!(
        book_block(&r.stdout, "受信/行政経営課_訂正.xlsx (行政経営課 令和4年度):"),
        [
            "受信/行政経営課_訂正.xlsx (行政経営課 令和4年度):",
            "  sheets/3-2.yaml:",
            "    3-2-1 / 令和4年度 / 実績: \"一覧を作成した\" → \"一覧を作成し、庁内に周知した\" (前回このブックから取り込んだ値の訂正)",
            "    3-2-1 / 令和4年度 / 自己評価: B：概ね計画どおり → A：計画どおり (前回このブックから取り込んだ値の訂正)",
        ],
        "{}",
        r.stdout
    );
    let r = import(&dir, &[&b2], &[]);
    ok(&r);
    assert!(r.stdout.contains("2 件の変更を 1 ファイルに書き込みました"), "{}", r.stdout);
    assert_eq!(value(&dir, "3-2-1", 2022, Field::Result), para("一覧を作成し、庁内に周知した"));
    assert_eq!(value(&dir, "3-2-1", 2022, Field::SelfEvaluation), grade("A"));
    // (b) Untouched in the correction: the first import's value stays.
    assert_eq!(value(&dir, "3-2-1", 2022, Field::Reason), para("研修を実施した"));

    // (e) The same book twice: nothing changes, not even the log.
    let after = sheet_files(&dir);
    let r = import(&dir, &[&b2], &[]);
    ok(&r);
    assert!(r.stdout.contains("変更はありません"), "{}", r.stdout);
    assert_eq!(sheet_files(&dir), after);

    // The first version imported again by mistake: the correction stays.
    let r = import(&dir, &[&b], &[]);
    ok(&r);
    assert!(r.stdout.contains("変更はありません"), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "3-2-1 / 令和4年度 / 実績: このブックから前に取り込み、その後の訂正で置き換えた古い値 \"一覧を作成した\" です: 変更しません (現在の値 \"一覧を作成し、庁内に周知した\"。"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(sheet_files(&dir), after);

    // Both versions in one run: the old one's values are known to be corrected, no conflict.
    let r = import(&dir, &[&b, &b2], &[]);
    ok(&r);
    assert!(r.stdout.contains("前回取り込んだ値を残す欄 2 個") && r.stdout.contains("変更はありません"), "{}", r.stdout);
    assert_eq!(sheet_files(&dir), after);

    // Two copies of the book that disagree on a value neither imported yet: a conflict
    // naming both.
    let (x, y) = (dir.join("受信/行政経営課_x.xlsx"), dir.join("受信/行政経営課_y.xlsx"));
    fill(&b2, &x, &[(NEXT, V::S("A"))]);
    fill(&b2, &y, &[(NEXT, V::S("B"))]);
    let (_, cell) = cell_of(&b, NEXT);
    refused(
        &dir,
        &[&x, &y],
        &[
            "エラー: 同じ欄に別のブックが違う値を書いています",
            &format!("受信/行政経営課_x.xlsx シート「3-2-1」のセル {cell} (3-2-1 / 2022 / 次年度以降): A"),
            &format!("受信/行政経営課_y.xlsx シート「3-2-1」のセル {cell} (3-2-1 / 2022 / 次年度以降): B"),
        ],
    );
}

#[test]
fn a_fresh_copy_of_the_sent_book_keeps_what_the_book_imported() {
    let dir = work("fresh_copy");
    let sent = collect_into(&dir, 2022, "out").join("消防総務課.xlsx");
    let direction = "shinko_3_2_4_y2022_direction";
    let first = dir.join("受信/消防総務課.xlsx");
    fill(&sent, &first, &[(direction, V::S("令和5年10月から整備に着手")), ("shinko_3_2_4_y2022_self", V::S("A"))]);
    ok(&import(&dir, &[&first], &[]));
    let prefilled = match named(&sent, direction) {
        Data::String(s) => s,
        other => panic!("{other:?}"),
    };

    // The department starts again from the book it was sent and fills only 実績.
    let again = dir.join("受信/消防総務課_再送.xlsx");
    fill(&sent, &again, &[("shinko_3_2_4_y2022_result", V::S("設計を完了した"))]);
    let r = import(&dir, &[&again], &[]);
    ok(&r);
    assert_eq!(
        book_block(&r.stdout, "受信/消防総務課_再送.xlsx (消防総務課 令和4年度):"),
        [
            "受信/消防総務課_再送.xlsx (消防総務課 令和4年度):",
            "  sheets/3-2.yaml:",
            "    3-2-4 / 令和4年度 / 実績: \"\" → \"設計を完了した\"",
            "    3-2-4 / 令和4年度 / 自己評価: 空欄: 変更しません (現在の値 A：計画どおり)",
            "    3-2-4 / 令和4年度 / 方向性・課題: 作成時の値のまま: 前回このブックから取り込んだ値 \"令和5年10月から整備に着手\" を残します",
        ],
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("空欄のため変更しない欄 1 個、前回取り込んだ値を残す欄 1 個"), "{}", r.stdout);
    assert_eq!(value(&dir, "3-2-4", 2022, Field::Result), para("設計を完了した"));
    assert_eq!(value(&dir, "3-2-4", 2022, Field::Direction), para("令和5年10月から整備に着手"));
    assert_ne!(prefilled, "令和5年10月から整備に着手");
    assert_eq!(value(&dir, "3-2-4", 2022, Field::SelfEvaluation), grade("A"));
}

// ---- (c) ----

#[test]
fn another_book_with_another_value_is_a_conflict_naming_both_books() {
    let dir = work("other_book");
    let out = collect_into(&dir, 2022, "out");
    let result = "shinko_3_2_4_y2022_result";
    // 3-2-4 belongs to two departments: each has it in its book.
    let a = dir.join("受信/情報指令課.xlsx");
    fill(&out.join("情報指令課.xlsx"), &a, &[(result, V::S("工事に着手した"))]);
    ok(&import(&dir, &[&a], &[]));

    let c = dir.join("受信/消防総務課.xlsx");
    fill(&out.join("消防総務課.xlsx"), &c, &[(result, V::S("工事を始めた"))]);
    let (_, cell) = cell_of(&c, result);
    refused(
        &dir,
        &[&c],
        &[
            "エラー: この欄には前に別のブック 情報指令課.xlsx (情報指令課 令和4年度) から取り込んだ値が入っています。このブックの値は違います (YAML: sheets/3-2.yaml:",
            "現在の値 \"工事に着手した\"、このブックの値 \"工事を始めた\")",
            &format!("= 場所: 受信/消防総務課.xlsx シート「3-2-4」のセル {cell} (3-2-4 / 2022 / 実績)"),
        ],
    );

    // The same value from the other department is no conflict; it is recorded, so that a
    // later correction of the first book alone meets it.
    let c_same = dir.join("受信/消防総務課_同じ値.xlsx");
    fill(&out.join("消防総務課.xlsx"), &c_same, &[(result, V::S("工事に着手した"))]);
    let yaml_before = std::fs::read(dir.join("sheets/3-2.yaml")).unwrap();
    let r = import(&dir, &[&c_same], &[]);
    ok(&r);
    assert!(r.stdout.contains("変更はありません") && r.stdout.contains("取り込みの記録"), "{}", r.stdout);
    assert_eq!(std::fs::read(dir.join("sheets/3-2.yaml")).unwrap(), yaml_before);
    let a2 = dir.join("受信/情報指令課_訂正.xlsx");
    fill(&a, &a2, &[(result, V::S("8月に工事に着手した"))]);
    refused(
        &dir,
        &[&a2],
        &["エラー: この欄には前に別のブック 消防総務課_同じ値.xlsx (消防総務課 令和4年度) から取り込んだ値が入っています"],
    );

    // A book of a later collect (made from the YAML as it is now) changes the field; the
    // first collect's book, corrected afterwards, is then another book's value.
    let later = collect_into(&dir, 2022, "out2").join("情報指令課.xlsx");
    let d = dir.join("受信2/情報指令課_2回目.xlsx");
    fill(&later, &d, &[(result, V::S("8月に工事に着手した"))]);
    ok(&import(&dir, &[&d], &[]));
    assert_eq!(value(&dir, "3-2-4", 2022, Field::Result), para("8月に工事に着手した"));
    let a3 = dir.join("受信/情報指令課_訂正2.xlsx");
    fill(&a, &a3, &[(result, V::S("8月1日に工事に着手した"))]);
    refused(
        &dir,
        &[&a3],
        &["この欄には前に別のブック 情報指令課_2回目.xlsx (情報指令課 令和4年度) から取り込んだ値が入っています"],
    );
}

// ---- (d) ----

#[test]
fn a_hand_edit_after_the_import_is_not_overwritten() {
    let dir = work("hand_edit");
    let sent = collect_into(&dir, 2022, "out").join("行政経営課.xlsx");
    let b = dir.join("受信/行政経営課.xlsx");
    fill(&sent, &b, &[(RESULT, V::S("一覧を作成した"))]);
    ok(&import(&dir, &[&b], &[]));
    // The secretariat edits the imported value by hand.
    let yaml = dir.join("sheets/3-2.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let edited = text.replace("実績: 一覧を作成した", "実績: 一覧を作成した (事務局で補足)");
    assert_ne!(edited, text);
    std::fs::write(&yaml, &edited).unwrap();
    let line = edited.lines().position(|l| l.contains("事務局で補足")).unwrap() + 1;

    // The corrected book changes the same field: refused, the hand edit named.
    let b2 = dir.join("受信/行政経営課_訂正.xlsx");
    fill(&b, &b2, &[(RESULT, V::S("一覧を作成し、周知した"))]);
    let (_, cell) = cell_of(&b2, RESULT);
    refused(
        &dir,
        &[&b2],
        &[
            &format!("エラー: このブックを前に取り込んだ後に、YAML のこの欄が書き換えられています (YAML: sheets/3-2.yaml:{line}、現在の値 \"一覧を作成した (事務局で補足)\"、このブックの値 \"一覧を作成し、周知した\")"),
            &format!("= 場所: 受信/行政経営課_訂正.xlsx シート「3-2-1」のセル {cell} (3-2-1 / 2022 / 実績)"),
        ],
    );

    // A correction of another field, this one left as the first import had it: the hand
    // edit stays, and the preview says so.
    let b3 = dir.join("受信/行政経営課_訂正2.xlsx");
    fill(&b, &b3, &[(SELF, V::S("A"))]);
    let r = import(&dir, &[&b3], &[]);
    ok(&r);
    assert!(
        r.stdout.contains("    3-2-1 / 令和4年度 / 実績: 前回このブックから取り込んだ値 \"一覧を作成した\" のまま: 取り込んだ後に YAML が \"一覧を作成した (事務局で補足)\" に書き換えられているため、変更しません"),
        "{}",
        r.stdout
    );
    // Blank in the first import, so a first answer, not a correction.
    assert!(r.stdout.lines().any(|l| l == "    3-2-1 / 令和4年度 / 自己評価: \"\" → A：計画どおり"), "{}", r.stdout);
    assert_eq!(value(&dir, "3-2-1", 2022, Field::Result), para("一覧を作成した (事務局で補足)"));
    assert_eq!(value(&dir, "3-2-1", 2022, Field::SelfEvaluation), grade("A"));

    // The YAML restored to what the books were made from: the book's values are first
    // answers again, the log notwithstanding.
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("sheets/3-2.yaml"), &yaml).unwrap();
    let r = import(&dir, &[&b3], &[]);
    ok(&r);
    assert!(r.stdout.contains("2 件の変更を 1 ファイルに書き込みました"), "{}", r.stdout);
    assert_eq!(value(&dir, "3-2-1", 2022, Field::Result), para("一覧を作成した"));
}

// ---- the preview ----

/// A named cell's value in a book, read with calamine.
fn named(book: &Path, name: &str) -> Data {
    let (sheet, cell) = cell_of(book, name);
    let split = cell.find(|c: char| c.is_ascii_digit()).unwrap();
    let col = cell[..split].bytes().fold(0u32, |a, b| a * 26 + u32::from(b - b'A' + 1)) - 1;
    let row: u32 = cell[split..].parse::<u32>().unwrap() - 1;
    let mut wb: Xlsx<_> = open_workbook(book).unwrap();
    let range = wb.worksheet_range(&sheet).unwrap();
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn the_preview_names_books_years_grades_and_blank_fields() {
    let dir = work("preview");
    let out = collect_into(&dir, 2022, "out");
    let a = dir.join("受信/行政経営課.xlsx");
    fill(
        &out.join("行政経営課.xlsx"),
        &a,
        &[(RESULT, V::S("一覧を作成した")), (SELF, V::S("A：計画どおり")), (NEXT, V::S("継続実施"))],
    );
    let c = dir.join("受信/消防総務課.xlsx");
    let direction = "shinko_3_2_4_y2022_direction";
    fill(
        &out.join("消防総務課.xlsx"),
        &c,
        &[("shinko_3_2_4_y2022_self", V::S("b")), (direction, V::Clear)],
    );
    // What the book was pre-filled with, read with another reader.
    let Data::String(prefilled) = named(&out.join("消防総務課.xlsx"), direction) else {
        panic!("方向性・課題 is not pre-filled")
    };
    assert_eq!(named(&c, direction), Data::Empty);
    let before = sheet_files(&dir);
    let r = import(&dir, &[&a, &c], &["--dry-run"]);
    ok(&r);
    let expected = vec![
        "受信/行政経営課.xlsx (行政経営課 令和4年度):".to_owned(),
        "  sheets/3-2.yaml:".into(),
        "    3-2-1 / 令和4年度 / 実績: \"\" → \"一覧を作成した\"".into(),
        "    3-2-1 / 令和4年度 / 自己評価: \"\" → A：計画どおり".into(),
        "    3-2-1 / 令和4年度 / 次年度以降: \"\" → A：継続実施".into(),
        "受信/消防総務課.xlsx (消防総務課 令和4年度):".into(),
        "  sheets/3-2.yaml:".into(),
        "    3-2-4 / 令和4年度 / 自己評価: \"\" → B：概ね計画どおり".into(),
        format!("    3-2-4 / 令和4年度 / 方向性・課題: 空欄: 変更しません (現在の値 \"{prefilled}\")"),
        "空欄のため変更しない欄 1 個".into(),
        "4 件の変更 (1 ファイル)。--dry-run のため書き込んでいません。".into(),
    ];
    assert_eq!(r.stdout.lines().collect::<Vec<_>>(), expected, "{}", r.stdout);
    assert_eq!(sheet_files(&dir), before, "--dry-run writes nothing");
    // The real run shows the same and writes the YAML and the log together.
    let r = import(&dir, &[&a, &c], &[]);
    ok(&r);
    let mut real = expected.clone();
    *real.last_mut().unwrap() = "4 件の変更を 1 ファイルに書き込みました。".into();
    assert_eq!(r.stdout.lines().collect::<Vec<_>>(), real, "{}", r.stdout);
    assert!(dir.join("sheets").join(LOG_FILE).is_file());
    assert_eq!(value(&dir, "3-2-4", 2022, Field::Direction), para(&prefilled));
}

#[test]
fn one_change_from_two_books_is_listed_under_both() {
    let dir = work("same_change");
    let out = collect_into(&dir, 2022, "out");
    let result = "shinko_3_2_4_y2022_result";
    let (a, c) = (dir.join("受信/情報指令課.xlsx"), dir.join("受信/消防総務課.xlsx"));
    fill(&out.join("情報指令課.xlsx"), &a, &[(result, V::S("工事に着手した"))]);
    fill(&out.join("消防総務課.xlsx"), &c, &[(result, V::S("工事に着手した"))]);
    let r = import(&dir, &[&a, &c], &[]);
    ok(&r);
    let change = "    3-2-4 / 令和4年度 / 実績: \"\" → \"工事に着手した\"";
    assert_eq!(book_block(&r.stdout, "受信/情報指令課.xlsx (情報指令課 令和4年度):")[2], change, "{}", r.stdout);
    assert_eq!(
        book_block(&r.stdout, "受信/消防総務課.xlsx (消防総務課 令和4年度):")[2],
        format!("{change} (情報指令課.xlsx と同じ変更)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 件の変更を 1 ファイルに書き込みました"), "{}", r.stdout);
    // Both books are recorded: a correction by one of them alone meets the other's value.
    let a2 = dir.join("受信/情報指令課_訂正.xlsx");
    fill(&a, &a2, &[(result, V::S("8月に工事に着手した"))]);
    refused(&dir, &[&a2], &["この欄には前に別のブック 消防総務課.xlsx (消防総務課 令和4年度) から取り込んだ値が入っています"]);
    // Both corrected together: accepted.
    let c2 = dir.join("受信/消防総務課_訂正.xlsx");
    fill(&c, &c2, &[(result, V::S("8月に工事に着手した"))]);
    ok(&import(&dir, &[&a2, &c2], &[]));
    assert_eq!(value(&dir, "3-2-4", 2022, Field::Result), para("8月に工事に着手した"));
}

// ---- grades by code ----

#[test]
fn renamed_grades_still_match_by_letter() {
    let dir = work("renamed");
    let out = collect_into(&dir, 2021, "out");
    // The grade names change in plan.yaml after the books went out.
    let plan = dir.join("sheets/plan.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    let renamed = text.replace("    A: 計画どおり", "    A: 順調に進んでいる").replace("    C: 遅れている", "    C: 遅れが出ている");
    assert_eq!(renamed.matches("順調に進んでいる").count() + renamed.matches("遅れが出ている").count(), 2);
    std::fs::write(&plan, renamed).unwrap();
    ok(&run_in(&dir, &["check", "--sheets", "sheets"]));
    // The books still offer and hold the old names.
    assert_eq!(named(&out.join("市民活動支援課.xlsx"), "shinko_3_2_2_y2021_self"), Data::String("A：計画どおり".into()));
    assert_eq!(named(&out.join("行政経営課.xlsx"), "shinko_3_2_1_y2021_self"), Data::String("C：遅れている".into()));

    // Untouched books: nothing to take, no error.
    let before = sheet_files(&dir);
    let untouched: Vec<PathBuf> = ["市民活動支援課", "行政経営課"].iter().map(|d| out.join(format!("{d}.xlsx"))).collect();
    let refs: Vec<&Path> = untouched.iter().map(PathBuf::as_path).collect();
    let r = import(&dir, &refs, &[]);
    ok(&r);
    assert!(r.stdout.contains("変更はありません"), "{}", r.stdout);
    assert_eq!(sheet_files(&dir), before);

    // A grade chosen from the book's old list (`A：計画どおり`) is A.
    let edited = dir.join("受信/行政経営課.xlsx");
    fill(&out.join("行政経営課.xlsx"), &edited, &[("shinko_3_2_1_y2021_self", V::S("A：計画どおり"))]);
    let r = import(&dir, &[&edited], &[]);
    ok(&r);
    assert!(
        r.stdout.contains("    3-2-1 / 令和3年度 / 自己評価: C：遅れが出ている → A：順調に進んでいる"),
        "{}",
        r.stdout
    );
    assert_eq!(value(&dir, "3-2-1", 2021, Field::SelfEvaluation), grade("A"));

    // A letter with the name of another grade says two things: refused.
    let mixed = dir.join("受信/行政経営課_混在.xlsx");
    fill(&out.join("行政経営課.xlsx"), &mixed, &[("shinko_3_2_1_y2021_self", V::S("D：概ね計画どおり"))]);
    refused(
        &dir,
        &[&mixed],
        &["エラー: 「D：概ね計画どおり」は自己評価の区分にありません (使える値: A：順調に進んでいる、B：概ね計画どおり、C：遅れが出ている、D：未着手)"],
    );
}

// ---- the log itself ----

#[test]
fn a_broken_import_log_stops_the_import_and_check_ignores_it() {
    let dir = work("broken_log");
    let sent = collect_into(&dir, 2022, "out").join("行政経営課.xlsx");
    let b = dir.join("受信/行政経営課.xlsx");
    fill(&sent, &b, &[(RESULT, V::S("一覧を作成した"))]);
    // A merge left its markers in the log.
    let log = dir.join("sheets").join(LOG_FILE);
    std::fs::write(&log, "version: 1\nbooks:\n<<<<<<< HEAD\n").unwrap();
    refused(&dir, &[&b], &["エラー: 取り込みの記録を読めません: 形式が違います", &format!("= 場所: sheets/{LOG_FILE}")]);
    ok(&run_in(&dir, &["check", "--sheets", "sheets"]));
}

// ---- LibreOffice ----

#[test]
fn a_book_resaved_by_libreoffice_and_corrected_replaces_its_values() {
    let soffice = Command::new("soffice").arg("--version").output();
    assert!(soffice.is_ok_and(|o| o.status.success()), "this test needs LibreOffice (soffice) on PATH");
    let dir = work("libreoffice");
    let sent = collect_into(&dir, 2022, "out").join("行政経営課.xlsx");
    let b = dir.join("受信/行政経営課.xlsx");
    fill(&sent, &b, &[(RESULT, V::S("一覧を作成した")), (SELF, V::S("B"))]);
    ok(&import(&dir, &[&b], &[]));
    // The department opened its book in LibreOffice and saved it again.
    let resaved = dir.join("resaved");
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display()))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&resaved)
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = resaved.join("行政経営課.xlsx");
    assert_ne!(std::fs::read(&again).unwrap(), std::fs::read(&b).unwrap());
    // Saved as it was, it changes nothing.
    let before = sheet_files(&dir);
    let r = import(&dir, &[&again], &[]);
    ok(&r);
    assert!(r.stdout.contains("変更はありません"), "{}", r.stdout);
    assert_eq!(sheet_files(&dir), before);
    // Corrected after the re-save, it replaces its own values.
    let corrected = dir.join("resaved/行政経営課_訂正.xlsx");
    fill(&again, &corrected, &[(RESULT, V::S("一覧を作成し、周知した"))]);
    let r = import(&dir, &[&corrected], &[]);
    ok(&r);
    assert!(
        r.stdout.contains("3-2-1 / 令和4年度 / 実績: \"一覧を作成した\" → \"一覧を作成し、周知した\" (前回このブックから取り込んだ値の訂正)"),
        "{}",
        r.stdout
    );
    assert_eq!(value(&dir, "3-2-1", 2022, Field::Result), para("一覧を作成し、周知した"));
    assert_eq!(value(&dir, "3-2-1", 2022, Field::SelfEvaluation), grade("B"));
}
