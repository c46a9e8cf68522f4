//! 区分 from plan.yaml (取組の区分): a plan's own list is drawn as one box per value in the
//! PDF, the XLSX form and the HTML page, the chosen one checked; the data sheet and summary.csv
//! hold the value; a value not in the list is reported at its place with the list; a plan
//! without the key has 新規 and 継続; a bad list in plan.yaml is reported.

mod common;

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{TempDir, build, check, files_in, find, reported, reference_plan, sheets};
use lopdf::Document;

const ITEM: &str = "\
項目: \"3-1\"
項目名: 区分の試験
改革の柱: 3
取組内容:
  - 番号: \"3-1-1\"
    項目名: 最初の取組
    区分: 新規
  - 番号: \"3-1-2\"
    項目名: 広げる取組
    区分: 拡充
  - 番号: \"3-1-3\"
    項目名: 区分のない取組
";

/// The reference plan with its 取組の区分 (if any) replaced by `list`, as the last line.
fn plan_with(list: &str) -> String {
    let kept: String = reference_plan().lines().filter(|l| !l.starts_with("取組の区分:")).map(|l| format!("{l}\n")).collect();
    format!("{kept}取組の区分: {list}\n")
}

/// The reference plan without 取組の区分.
fn plan_without() -> String {
    reference_plan().lines().filter(|l| !l.starts_with("取組の区分:")).map(|l| format!("{l}\n")).collect()
}

fn pdf_text(path: &Path) -> String {
    let doc = Document::load(path).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap().chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn three_categories_draw_three_boxes_with_the_chosen_one_checked() {
    let dir = sheets("cat3", &[("plan.yaml", plan_with("[新規, 継続, 拡充]").as_bytes()), ("3-1.yaml", ITEM.as_bytes())]);
    let c = check(dir.path());
    assert_eq!(c.code, Some(0), "{}", c.stderr);
    let out = TempDir::new("cat3-out");
    let b = build(dir.path(), out.path());
    assert_eq!(b.code, Some(0), "{}", b.stderr);

    // PDF: each initiative's row reads its three boxes, the chosen one as ■.
    let text = pdf_text(&out.join("3-1.pdf"));
    for row in ["区分■新規□継続□拡充", "区分□新規□継続■拡充", "区分□新規□継続□拡充"] {
        assert_eq!(text.matches(row).count(), 1, "{row} not once in the PDF's text: {text}");
    }

    // XLSX form: the same boxes as cell values (☑ for the chosen one); the data sheet: 拡充.
    let mut wb: Xlsx<_> = open_workbook(out.join("3-1.xlsx")).unwrap();
    let form = wb.worksheet_range("シート").unwrap();
    let cells: Vec<String> = form.used_cells().map(|(_, _, d)| d.to_string()).collect();
    for row in ["☑新規 □継続 □拡充", "□新規 □継続 ☑拡充", "□新規 □継続 □拡充"] {
        assert_eq!(cells.iter().filter(|c| *c == row).count(), 1, "{row}: {cells:?}");
    }
    let data = wb.worksheet_range("データ").unwrap();
    let rows: Vec<Vec<Data>> = data.rows().map(|r| r.to_vec()).collect();
    let col = |name: &str| rows[0].iter().position(|h| h.to_string() == name).unwrap();
    let (field, value) = (col("欄"), col("値"));
    let values: Vec<String> = rows[1..].iter().filter(|r| r[field] == Data::String("区分".into())).map(|r| format!("{}:{}", r[1], r[value])).collect();
    assert_eq!(values, ["3-1-1:新規", "3-1-2:拡充"]);

    // HTML and summary.csv.
    let html = std::fs::read_to_string(out.join("html/3-1.html")).unwrap();
    assert!(html.contains("□新規 □継続 ☑拡充"), "no boxes in the HTML page");
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(csv.lines().any(|l| l.contains("3-1-2") && l.contains(",拡充,")), "{csv}");
}

#[test]
fn boxes_that_wrap_keep_the_chosen_one() {
    // Long values break the cell into lines: the checked box is still the chosen one.
    let list = "[新しく始める取組, 前の計画から続ける取組, 内容を広げる取組, 見直して続ける取組, 統合する取組]";
    let item = ITEM.replace("区分: 新規", "区分: 統合する取組").replace("区分: 拡充", "区分: 前の計画から続ける取組");
    let dir = sheets("catwrap", &[("plan.yaml", plan_with(list).as_bytes()), ("3-1.yaml", item.as_bytes())]);
    let out = TempDir::new("catwrap-out");
    let b = build(dir.path(), out.path());
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    let text = pdf_text(&out.join("3-1.pdf"));
    let boxes = |checked: usize| -> String {
        ["新しく始める取組", "前の計画から続ける取組", "内容を広げる取組", "見直して続ける取組", "統合する取組"]
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{}{w}", if i == checked { '■' } else { '□' }))
            .collect()
    };
    assert!(text.contains(&format!("区分{}", boxes(4))), "{text}");
    assert!(text.contains(&format!("区分{}", boxes(1))), "{text}");
    assert_eq!(text.matches('■').count(), 2);
}

#[test]
fn a_category_not_in_the_plan_is_reported_at_its_place_with_the_plans_list() {
    let item = ITEM.replace("区分: 拡充", "区分: 縮小");
    let dir = sheets("catbad", &[("plan.yaml", plan_with("[新規, 継続, 拡充]").as_bytes()), ("3-1.yaml", item.as_bytes())]);
    let run = check(dir.path());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let p = reported(&run.stderr);
    assert_eq!(p.len(), 1, "{}", run.stderr);
    assert_eq!(p[0].message, "取組内容[2].区分 の「縮小」は使えません (使える値: 新規, 継続, 拡充)");
    assert!(p[0].file.ends_with("3-1.yaml"));
    let line = item.lines().position(|l| l.contains("縮小")).unwrap() + 1;
    assert_eq!((p[0].line, p[0].column), (line, 9));
    assert_eq!(p[0].underlined(), "縮小");
    assert!(p[0].block.contains("plan.yaml の 取組の区分"), "{}", p[0].block);
    let out = TempDir::new("catbad-out");
    assert_eq!(build(dir.path(), &out.join("o")).code, Some(1));
    assert!(!out.join("o").exists());
}

#[test]
fn without_the_key_the_categories_are_new_and_continued() {
    let plan = plan_without();
    assert!(!plan.lines().any(|l| l.starts_with("取組の区分")));
    let dir = sheets("catdefault", &[("plan.yaml", plan.as_bytes()), ("3-1.yaml", ITEM.as_bytes())]);
    let run = check(dir.path());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let p = reported(&run.stderr);
    assert_eq!(p.len(), 1, "{}", run.stderr);
    assert_eq!(p[0].message, "取組内容[2].区分 の「拡充」は使えません (使える値: 新規, 継続)");
    let ok = ITEM.replace("区分: 拡充", "区分: 継続");
    let dir = sheets("catdefault2", &[("plan.yaml", plan.as_bytes()), ("3-1.yaml", ok.as_bytes())]);
    let out = TempDir::new("catdefault-out");
    let b = build(dir.path(), out.path());
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    let text = pdf_text(&out.join("3-1.pdf"));
    for row in ["区分■新規□継続", "区分□新規■継続", "区分□新規□継続"] {
        assert_eq!(text.matches(row).count(), 1, "{row}: {text}");
    }
}

#[test]
fn a_bad_list_in_plan_yaml_is_reported_at_its_place() {
    let item = ITEM.replace("区分: 拡充", "区分: 継続");
    for (list, needle, column) in [
        ("新規", "取組の区分 はリストで書いてください", 8),
        ("[]", "取組の区分 が空のリストです", 8),
        ("[新規, 継続, 新規]", "取組の区分[3] の「新規」が 2 回書かれています", 17),
        ("[新規, \"\"]", "取組の区分[2] が空です", 13),
        ("[新規, □継続]", "取組の区分[2] の「□継続」に □ や ■ は使えません", 13),
    ] {
        let plan = plan_with(list);
        let dir = sheets("catlist", &[("plan.yaml", plan.as_bytes()), ("3-1.yaml", item.as_bytes())]);
        let run = check(dir.path());
        assert_eq!(run.code, Some(1), "{list}: {}", run.stderr);
        let p = reported(&run.stderr);
        let d = find(&p, needle);
        assert!(d.file.ends_with("plan.yaml"), "{d:#?}");
        assert_eq!((d.line, d.column), (plan.lines().count(), column), "{list}: {d:#?}");
        let before = files_in(dir.path());
        let out = TempDir::new("catlist-out");
        assert_eq!(build(dir.path(), &out.join("o")).code, Some(1));
        assert_eq!(files_in(dir.path()), before);
    }
}

#[test]
fn yaml_1_1_words_are_read_as_written_in_names_and_grades() {
    // `Y` and `N` are true/false to YAML 1.1: as grade letters and names they are the words.
    let plan = reference_plan().replace("    A: 継続実施\n", "    Y: 継続実施\n    N: 終了\n");
    let item = "項目: \"3-1\"\n項目名: yes\n改革の柱: 3\n取組内容:\n  - 番号: \"3-1-1\"\n    項目名: on\n    年度別:\n      2021:\n        次年度以降: Y\n";
    let dir = sheets("yes-no", &[("plan.yaml", plan.as_bytes()), ("3-1.yaml", item.as_bytes())]);
    let run = check(dir.path());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = TempDir::new("yes-no-out");
    assert_eq!(build(dir.path(), out.path()).code, Some(0));
    let text = pdf_text(&out.join("3-1.pdf"));
    assert!(text.contains("Y：継続実施") && text.contains("3-1yes") && text.contains("3-1-1on"), "{text}");
}
