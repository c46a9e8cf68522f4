//! `shinko new`: the blank item file, from the plan it is made for (not Hadano's), accepted by
//! `check`, built into a blank sheet; refusals (an existing file, an item number that cannot be
//! a file name or is already used) with nothing written; the Japanese help.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx, open_workbook};
use common::{TempDir, files_in, reported, shinko, warned};
use lopdf::Document;
use serde::Deserialize;
use shinko::schema::{self, Key, Kind};
use shinko::yaml_tree::{self, Node, Value};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The other plan's plan.yaml, read with serde alone.
#[derive(Deserialize)]
struct YPlan {
    #[serde(rename = "計画名")]
    name: String,
    #[serde(rename = "計画期間")]
    period: YPeriod,
    #[serde(rename = "改革の柱")]
    pillars: BTreeMap<i64, String>,
    #[serde(rename = "評価区分")]
    scales: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct YPeriod {
    #[serde(rename = "開始年度")]
    first: i32,
    #[serde(rename = "終了年度")]
    last: i32,
}

/// A sheets folder holding only the other plan's plan.yaml.
fn other_plan(tag: &str) -> (TempDir, YPlan) {
    let text = std::fs::read_to_string(fixture("other-plan").join("plan.yaml")).unwrap();
    let dir = TempDir::new(tag);
    dir.write("plan.yaml", &text);
    (dir, serde_saphyr::from_str(&text).unwrap())
}

fn new(dir: &Path, args: &[&str]) -> common::Run {
    let mut a: Vec<&std::ffi::OsStr> = vec!["new".as_ref()];
    a.extend(args.iter().map(|s| s.as_ref() as &std::ffi::OsStr));
    a.extend(["--sheets".as_ref(), dir.as_os_str()]);
    shinko(&a)
}

/// Every key of a schema table is in the mapping, recursively (lists: each entry; years:
/// each year).
fn assert_every_key(node: &Node, keys: &'static [Key], path: &str, years: &[i32]) {
    for k in keys {
        let at = format!("{path}.{}", k.key);
        let v = node.get(k.key).unwrap_or_else(|| panic!("{at} is missing"));
        match k.kind {
            Kind::Map(t) => assert_every_key(v, t, &at, years),
            Kind::List(t) => {
                let Value::Seq(items) = &v.value else { panic!("{at} is not a list") };
                assert!(!items.is_empty(), "{at} has no entry");
                for it in items {
                    assert_every_key(it, t, &at, years);
                }
            }
            Kind::Years(_) | Kind::YearValues => {
                let got: Vec<String> = v.as_map().unwrap_or_else(|| panic!("{at}")).iter().map(|(k, _)| k.key_text()).collect();
                let want: Vec<String> = years.iter().map(|y| y.to_string()).collect();
                assert_eq!(got, want, "{at}: the plan's years");
                if let Kind::Years(t) = k.kind {
                    for (_, y) in v.as_map().unwrap() {
                        assert_every_key(y, t, &at, years);
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn a_new_item_has_every_key_and_the_plans_years_pillars_and_grades_then_checks_and_builds() {
    let (dir, plan) = other_plan("new-ok");
    let r = new(dir.path(), &["2-5"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let path = dir.join("2-5.yaml");
    let shown = std::fs::canonicalize(&path).unwrap();
    assert!(r.stderr.contains(&shown.display().to_string()), "{}", r.stderr);
    let text = std::fs::read_to_string(&path).unwrap();

    // Every key of the schema, the plan's years as 年度別 / 目標 / 実績 keys.
    let years: Vec<i32> = (plan.period.first..=plan.period.last).collect();
    let root = yaml_tree::parse(&text).unwrap();
    assert_every_key(&root, schema::ITEM_KEYS, "", &years);
    assert_eq!(root.get("項目").and_then(Node::as_str), Some("2-5"));
    assert_eq!(root.get("取組内容").map(|l| match &l.value {
        Value::Seq(v) => v.len(),
        _ => 0,
    }), Some(1));

    // The comments list this plan's pillars, grades and years, and nothing of another plan.
    assert!(text.contains(&plan.name));
    for (n, name) in &plan.pillars {
        assert!(text.contains(&format!("#   {n}: {name}")), "pillar {n} not listed:\n{text}");
    }
    for (scale, grades) in &plan.scales {
        let line = text.lines().find(|l| l.starts_with(&format!("#   {scale}: "))).unwrap_or_else(|| panic!("{scale} not listed"));
        for (letter, name) in grades {
            assert!(line.contains(&format!("{letter} {name}")), "{scale} {letter} missing: {line}");
        }
    }
    assert!(text.contains("新規、継続"), "the default 区分 are listed");
    for hadano in ["秦野", "はだの", "担い手", "2025"] {
        assert!(!text.contains(hadano), "{hadano} in a template of another plan");
    }
    // 2-5 belongs to pillar 2 of this plan.
    assert_eq!(root.get("改革の柱").map(|n| n.key_text()).as_deref(), Some("2"));

    // check: no error, no warning.
    let c = common::check(dir.path());
    assert_eq!(c.code, Some(0), "{}", c.stderr);
    assert!(warned(&c.stderr).is_empty() && c.stderr.contains("問題はありません"), "{}", c.stderr);

    // build: a blank sheet with the item number and the sheet's labels.
    let out = TempDir::new("new-ok-out");
    let b = common::build(dir.path(), out.path());
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    let pdf = Document::load(out.join("2-5.pdf")).unwrap();
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    let pdf_text: String = pdf.extract_text(&pages).unwrap().chars().filter(|c| !c.is_whitespace()).collect();
    for label in ["2-5", "2-5-1", "改革の柱", "2町民との協働", "取組目標", "自己評価", "区分□新規□継続", "平成30年度(2018年度)"] {
        assert!(pdf_text.contains(label), "{label} not in the PDF's text");
    }
    assert!(!pdf_text.contains('■'), "a box is checked on a blank sheet");
    let mut wb: Xlsx<_> = open_workbook(out.join("2-5.xlsx")).unwrap();
    let form = wb.worksheet_range("シート").unwrap();
    let cells: Vec<String> = form.used_cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(cells.iter().any(|c| c == "2-5"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "□新規 □継続"), "{cells:?}");
    let html = std::fs::read_to_string(out.join("html/2-5.html")).unwrap();
    assert!(html.contains("□新規 □継続"));
}

#[test]
fn initiatives_are_numbered_after_the_item() {
    let (dir, _) = other_plan("new-three");
    let r = new(dir.path(), &["1-3", "--initiatives", "3"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(dir.join("1-3.yaml")).unwrap();
    let root = yaml_tree::parse(&text).unwrap();
    let Some(Value::Seq(list)) = root.get("取組内容").map(|n| &n.value) else { panic!("no 取組内容") };
    let numbers: Vec<String> = list.iter().map(|i| i.get("番号").unwrap().key_text()).collect();
    assert_eq!(numbers, ["1-3-1", "1-3-2", "1-3-3"]);
    let c = common::check(dir.path());
    assert_eq!(c.code, Some(0), "{}", c.stderr);
    // No initiative: an item alone.
    let r = new(dir.path(), &["1-4", "--initiatives", "0"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(common::check(dir.path()).code, Some(0));
    // A count that is not one: said in Japanese, usage status.
    let r = new(dir.path(), &["1-5", "--initiatives", "多い"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("「多い」は取組の数として使えません"), "{}", r.stderr);
    assert!(!dir.join("1-5.yaml").exists());
}

#[test]
fn an_existing_file_is_not_overwritten() {
    let (dir, _) = other_plan("new-exists");
    let before = b"# my own notes\n\xe9\xa0\x85\xe7\x9b\xae: x\n".to_vec();
    dir.write("1-1.yaml", &before);
    let r = new(dir.path(), &["1-1"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let abs = std::fs::canonicalize(dir.join("1-1.yaml")).unwrap();
    let p = reported(&r.stderr);
    assert_eq!(p.len(), 1, "{}", r.stderr);
    assert_eq!(p[0].message, format!("{} はすでにあります。上書きはしません。", abs.display()));
    assert_eq!(std::fs::read(dir.join("1-1.yaml")).unwrap(), before);
    assert_eq!(files_in(dir.path()), ["1-1.yaml", "plan.yaml"]);
}

#[test]
fn an_item_number_already_used_in_another_file_is_refused() {
    let (dir, _) = other_plan("new-dup");
    let existing = std::fs::read_to_string(fixture("other-plan").join("2-1.yaml")).unwrap();
    dir.write("other-name.yaml", &existing);
    let r = new(dir.path(), &["2-1"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let p = reported(&r.stderr);
    assert!(p.iter().any(|d| d.message == "項目「2-1」が 2 つのファイルにあります"), "{}", r.stderr);
    assert!(r.stderr.contains("は書き出していません"), "{}", r.stderr);
    assert_eq!(files_in(dir.path()), ["other-name.yaml", "plan.yaml"]);
}

#[test]
fn an_item_number_that_cannot_be_a_file_name_is_refused() {
    let (dir, _) = other_plan("new-bad");
    let long = "あ".repeat(schema::limits::FILE_NAME_BYTES / 3 + 1);
    for (id, why) in [
        ("1/2", "ファイル名に使えない文字「/」"),
        ("1:2", "ファイル名に使えない文字「:」"),
        ("CON", "予約"),
        ("1-1.", "最後が「.」"),
        (".1-1", "shinko が読まないファイル"),
        ("plan", "plan.yaml は計画全体の設定"),
        ("", "空です"),
        (" 1-1", "前後に空白"),
        (long.as_str(), "長すぎます"),
    ] {
        let r = new(dir.path(), &[id]);
        assert_eq!(r.code, Some(1), "{id}: {}", r.stderr);
        let p = reported(&r.stderr);
        assert_eq!(p.len(), 1, "{id}: {}", r.stderr);
        assert!(p[0].message.starts_with(&format!("項目の番号「{id}」は使えません: ")), "{id}: {}", p[0].message);
        assert!(p[0].message.contains(why), "{id}: {}", p[0].message);
        // A problem of the command line, in no file.
        assert!(r.stderr.contains("合計: エラー 1 件\n"), "{id}: {}", r.stderr);
        assert_eq!(files_in(dir.path()), ["plan.yaml"], "{id}");
    }
}

#[test]
fn a_plan_with_errors_gets_no_template() {
    let dir = TempDir::new("new-badplan");
    dir.write("plan.yaml", "計画名: x\n様式名: y\n");
    let r = new(dir.path(), &["1-1"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("必要なキー「計画期間」"), "{}", r.stderr);
    assert!(r.stderr.contains("ひな形を作っていません"), "{}", r.stderr);
    assert_eq!(files_in(dir.path()), ["plan.yaml"]);
    // No plan at all: where it looked, as an absolute path.
    let empty = TempDir::new("new-noplan");
    let r = new(empty.path(), &["1-1"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let abs = std::fs::canonicalize(empty.path()).unwrap().join("plan.yaml");
    assert!(r.stderr.contains(&abs.display().to_string()), "{}", r.stderr);
    assert!(files_in(empty.path()).is_empty());
}

#[test]
fn new_help_is_japanese() {
    for args in [&["new", "--help"][..], &["help", "new"][..]] {
        let r = shinko(&args.iter().map(|a| a.as_ref()).collect::<Vec<_>>());
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let help = format!("{}{}", r.stdout, r.stderr);
        assert!(help.contains("使い方: shinko new 項目の番号 [--sheets フォルダ] [--initiatives 数]"), "{help}");
        assert!(help.contains("ひな形") && help.contains("上書きしません"), "{help}");
        for english in ["Usage", "Options", "Arguments", "Print help"] {
            assert!(!help.contains(english), "{english} in: {help}");
        }
    }
    let top = shinko(&["--help".as_ref()]);
    assert!(top.stdout.contains("new"), "{}", top.stdout);
}
