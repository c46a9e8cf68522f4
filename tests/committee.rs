//! The external evaluation committee: plan settings, `collect --committee`, import of the
//! members' books (filled programmatically and one re-saved by LibreOffice), the 意見一覧表
//! (opinions-2022.pdf and summary.xlsx's 意見一覧), and the refusals that write nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::books::{self, fill_texts as fill};
use common::{TempDir, reported, shinko};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/committee");
const YAMADA: &str = "山田 一郎";
const SATO: &str = "佐藤 花子";
const SUZUKI: &str = "鈴木 次郎";
const NAME_1_2: &str = "市民参加の推進";
const GOAL_1_2: &str = "    取組目標: 手法を広げる。\n";

/// A copy of the fixture's sheets under `dir/sheets`.
fn workdir(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    std::fs::create_dir_all(dir.join("sheets")).unwrap();
    for e in std::fs::read_dir(FIXTURE).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join("sheets").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn s(p: &Path) -> &std::ffi::OsStr {
    p.as_os_str()
}

fn collect(dir: &TempDir) -> common::Run {
    shinko(&["collect".as_ref(), "--year".as_ref(), "2022".as_ref(), "--committee".as_ref(), "--sheets".as_ref(), s(&dir.join("sheets")), "--out".as_ref(), s(&dir.join("out"))])
}

fn book(dir: &TempDir, stem: &str) -> PathBuf {
    dir.join("out").join("collect").join("2022").join("外部評価").join(format!("{stem}.xlsx"))
}

fn import(dir: &TempDir, books: &[&Path]) -> common::Run {
    let mut args: Vec<&std::ffi::OsStr> = vec!["import".as_ref(), "--sheets".as_ref(), s(&dir.join("sheets")).to_owned().leak()];
    args.extend(books.iter().map(|b| b.as_os_str()));
    shinko(&args)
}

/// Every file of the sheets folder (YAML and the import record), by name.
fn sheets_files(dir: &TempDir) -> BTreeMap<String, Vec<u8>> {
    books::sheet_files(dir.path())
}

fn yaml(dir: &TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.join("sheets").join(name)).unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURE).join(name)).unwrap()
}

fn grade(item: &str) -> String {
    format!("shinko_c_{}_y2022_grade", item.replace('-', "_"))
}

fn opinion(item: &str) -> String {
    format!("shinko_c_{}_y2022_opinion", item.replace('-', "_"))
}

fn resave_with_libreoffice(dir: &TempDir, src: &Path) -> PathBuf {
    let soffice = Command::new("soffice").arg("--version").output();
    assert!(soffice.is_ok_and(|o| o.status.success()), "this test needs LibreOffice (soffice) on PATH");
    let out_dir = dir.join("resaved");
    let profile = format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display());
    let out = Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&out_dir)
        .arg(src)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = out_dir.join(src.file_name().unwrap());
    assert!(again.is_file());
    assert_ne!(std::fs::read(&again).unwrap(), std::fs::read(src).unwrap());
    again
}

#[test]
fn collect_writes_one_protected_book_per_member() {
    let dir = workdir("c-collect");
    let r = collect(&dir);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("3 人の委員の評価用ブックを書き出しました"), "{}", r.stderr);
    // The member with an ID is named by it.
    for stem in [YAMADA, "sato", SUZUKI] {
        let b = book(&dir, stem);
        assert!(b.is_file(), "{}", b.display());
        let entries = books::read_zip(&b);
        let names = books::defined_names(&entries);
        let expected: Vec<String> = ["1-2", "2-1", "3-1"].iter().flat_map(|i| [grade(i), opinion(i)]).collect();
        let mut got: Vec<String> = names.keys().cloned().collect();
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want);
        assert!(books::part(&entries, "xl/workbook.xml").contains("lockStructure=\"1\""));
        for (sheet, part) in books::sheet_parts(&entries) {
            assert!(books::part(&entries, &part).contains("<sheetProtection"), "{sheet} is not protected");
        }
        // The grade cell offers the plan's scale.
        let (sheet, _) = &names[&grade("1-2")];
        let part = books::sheet_parts(&entries).into_iter().find(|(n, _)| n == sheet).unwrap().1;
        assert!(books::part(&entries, &part).contains("A：現状維持,B：拡充,C：縮小,D：廃止"));
    }
    // What a member needs to judge the item is on its sheet.
    let mut wb: Xlsx<_> = open_workbook(book(&dir, YAMADA)).unwrap();
    assert_eq!(wb.sheet_names(), vec!["記入方法", "1-2", "2-1", "3-1", "_shinko"]);
    let range = wb.worksheet_range("1-2").unwrap();
    let text: Vec<String> = range.used_cells().map(|(_, _, v)| v.to_string()).collect();
    for needle in ["1-2", "市民とつくる改革", "手法を広げる。", "A：順調", "自己評価", "評価理由", "評価", "意見"] {
        assert!(text.iter().any(|t| t.contains(needle)), "{needle} not in {text:?}");
    }
    // Same input, same bytes.
    let first = std::fs::read(book(&dir, YAMADA)).unwrap();
    let r = collect(&dir);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(book(&dir, YAMADA)).unwrap(), first);
}

/// The books filled by two members (佐藤's re-saved by LibreOffice); 鈴木 sends nothing.
fn filled(dir: &TempDir) -> Vec<PathBuf> {
    let r = collect(dir);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let yamada = dir.join("yamada.xlsx");
    fill(&book(dir, YAMADA), &yamada, &[
        (&grade("1-2"), "A：現状維持"),
        (&opinion("1-2"), "引き続き進めること。"),
        (&grade("2-1"), "B"),
        (&opinion("2-1"), "・利用者を増やすこと\n・窓口と連携すること"),
    ]);
    let sato = dir.join("sato-filled.xlsx");
    fill(&book(dir, "sato"), &sato, &[(&grade("1-2"), "C"), (&opinion("1-2"), "縮小を検討すべき。")]);
    vec![yamada, resave_with_libreoffice(dir, &sato)]
}

const EXPECTED_1_2: &str = "  2022:
    取組目標: 手法を広げる。
    内部評価:
      評価: A
    外部評価意見:
      山田 一郎:
        評価: A
        意見: 引き続き進めること。
      佐藤 花子:
        評価: C
        意見: 縮小を検討すべき。
取組内容:
";

const EXPECTED_2_1: &str = "  2022:
    取組目標: 電子申請を広げる。
    内部評価:
      評価: A
    外部評価意見:
      山田 一郎:
        評価: B
        意見:
          - 利用者を増やすこと
          - 窓口と連携すること
取組内容:
";

#[test]
fn filled_books_import_into_exactly_the_expected_lines_and_the_opinion_list_holds_them() {
    let dir = workdir("c-import");
    let books = filled(&dir);
    let refs: Vec<&Path> = books.iter().map(PathBuf::as_path).collect();
    let r = import(&dir, &refs);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    for (name, expected, old) in [("1-2.yaml", EXPECTED_1_2, "  2022:\n    取組目標: 手法を広げる。\n    内部評価:\n      評価: A\n取組内容:\n"),
        ("2-1.yaml", EXPECTED_2_1, "  2022:\n    取組目標: 電子申請を広げる。\n    内部評価:\n      評価: A\n取組内容:\n")] {
        let before = fixture(name);
        assert!(before.contains(old), "{name}");
        assert_eq!(yaml(&dir, name), before.replacen(old, expected, 1), "{name}");
    }
    assert_eq!(yaml(&dir, "3-1.yaml"), fixture("3-1.yaml"));
    // Importing again changes nothing.
    let after = sheets_files(&dir);
    let r = import(&dir, &refs);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("変更はありません"), "{}", r.stdout);
    assert_eq!(sheets_files(&dir), after);

    // Who has not answered: 鈴木.
    let mut diags = shinko::diag::Diagnostics::default();
    let set = shinko::load::load_dir(&dir.join("sheets"), &mut diags).unwrap();
    let plan = set.plan.as_ref().unwrap();
    let missing: Vec<&str> = shinko::committee::missing_members(plan, &set.items, 2022).iter().map(|m| m.name.value.as_str()).collect();
    assert_eq!(missing, vec![SUZUKI]);
    assert_eq!(shinko::committee::missing_members(plan, &set.items, 2023).len(), 3);

    // The 意見一覧表.
    let out = dir.join("out");
    let r = shinko(&["build".as_ref(), "--sheets".as_ref(), s(&dir.join("sheets")), "--out".as_ref(), s(&out), "--format".as_ref(), "summary".as_ref(), "--year".as_ref(), "2022".as_ref()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let pdf = out.join("opinions-2022.pdf");
    let t = Command::new("pdftotext").args(["-layout"]).arg(&pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8(t.stdout).unwrap();
    for needle in ["意見一覧表", "1-2", "2-1", "3-1", YAMADA, SATO, SUZUKI, "A：現状維持", "C：縮小", "B：拡充", "引き続き進めること。", "縮小を検討すべき。", "利用者を増やすこと", "窓口と連携すること", "未提出", "A 1件、B 0件、C 1件、D 0件、未提出 1件"] {
        assert!(text.contains(needle), "{needle} not in the PDF:\n{text}");
    }
    // Tagged, one font family, deterministic.
    let doc = lopdf::Document::load(&pdf).unwrap();
    let catalog = doc.catalog().unwrap();
    assert!(catalog.get(b"StructTreeRoot").is_ok());
    let fonts: std::collections::BTreeSet<String> = doc.objects.values().filter_map(|o| o.as_dict().ok()).filter(|d| d.get(b"Type").ok().and_then(|t| t.as_name().ok()) == Some(b"FontDescriptor")).filter_map(|d| d.get(b"FontName").ok().and_then(|n| n.as_name().ok()).map(|n| String::from_utf8_lossy(n).split('+').next_back().unwrap_or("").split('-').next().unwrap_or("").to_owned())).collect();
    assert_eq!(fonts.len(), 1, "{fonts:?}");
    let first = std::fs::read(&pdf).unwrap();
    let r = shinko(&["build".as_ref(), "--sheets".as_ref(), s(&dir.join("sheets")), "--out".as_ref(), s(&out), "--format".as_ref(), "summary".as_ref(), "--year".as_ref(), "2022".as_ref()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(&pdf).unwrap(), first);

    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let range = wb.worksheet_range("意見一覧").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| match c { Data::Empty => String::new(), d => d.to_string() }).collect()).collect();
    assert_eq!(rows[0], vec!["項目", "項目名", "山田 一郎 評価", "山田 一郎 意見", "佐藤 花子 評価", "佐藤 花子 意見", "鈴木 次郎 評価", "鈴木 次郎 意見", "A：現状維持 (件)", "B：拡充 (件)", "C：縮小 (件)", "D：廃止 (件)", "未提出 (件)"]);
    assert_eq!(rows[1][..8], ["1-2", NAME_1_2, "A：現状維持", "引き続き進めること。", "C：縮小", "縮小を検討すべき。", "未提出", ""].map(String::from));
    assert_eq!(rows[1][8..], ["1", "0", "1", "0", "1"].map(String::from));
    assert_eq!(rows[2][3], "・利用者を増やすこと\n・窓口と連携すること");
    assert_eq!(rows.len(), 4);
}

#[test]
fn a_corrected_re_sent_book_replaces_the_members_earlier_answer() {
    let dir = workdir("c-resent");
    let books = filled(&dir);
    let r = import(&dir, &[&books[0]]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // 山田 corrects the opinion in the book he was sent and sends it again.
    let corrected = dir.join("yamada-2.xlsx");
    fill(&book(&dir, YAMADA), &corrected, &[(&grade("1-2"), "B"), (&opinion("1-2"), "拡充すべき。")]);
    let r = import(&dir, &[&corrected]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = yaml(&dir, "1-2.yaml");
    assert!(text.contains("      山田 一郎:\n        評価: B\n        意見: 拡充すべき。\n"), "{text}");
    // The 2-1 answer of the first book stays (left empty in the corrected one).
    assert!(yaml(&dir, "2-1.yaml").contains("        評価: B\n        意見:\n          - 利用者を増やすこと\n"));
}

#[test]
fn refused_books_write_nothing() {
    // A hand edit by the secretariat after the import is not overwritten by a re-sent book.
    let dir = workdir("c-conflict");
    let books = filled(&dir);
    assert_eq!(import(&dir, &[&books[0]]).code, Some(0));
    let edited = yaml(&dir, "1-2.yaml").replace("意見: 引き続き進めること。", "意見: 引き続き進めること (事務局で補記)。");
    std::fs::write(dir.join("sheets/1-2.yaml"), &edited).unwrap();
    let corrected = dir.join("yamada-2.xlsx");
    fill(&book(&dir, YAMADA), &corrected, &[(&opinion("1-2"), "拡充すべき。")]);
    let before = sheets_files(&dir);
    let r = import(&dir, &[&corrected]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let errs = reported(&r.stderr);
    assert!(errs.iter().any(|e| e.message.contains("委員のブックを取り込んだ後に、YAML のこの欄が書き換えられています")), "{}", r.stderr);
    assert!(r.stderr.contains("yamada-2.xlsx シート「1-2」のセル B"), "{}", r.stderr);
    assert_eq!(sheets_files(&dir), before);

    // A stale book: made before the YAML was changed by hand (never imported).
    let dir = workdir("c-stale");
    assert_eq!(collect(&dir).code, Some(0));
    let text = yaml(&dir, "1-2.yaml").replacen(GOAL_1_2, &format!("{GOAL_1_2}    外部評価意見:\n      鈴木 次郎:\n        意見: 事務局が聞き取った意見。\n"), 1);
    std::fs::write(dir.join("sheets/1-2.yaml"), &text).unwrap();
    let stale = dir.join("suzuki.xlsx");
    fill(&book(&dir, SUZUKI), &stale, &[(&opinion("1-2"), "別の意見。")]);
    let before = sheets_files(&dir);
    let r = import(&dir, &[&stale]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("評価用ブックを作った後に、YAML のこの欄が変わっています"), "{}", r.stderr);
    assert_eq!(sheets_files(&dir), before);

    // A grade not in the scale, and the good book given with it: nothing written.
    let dir = workdir("c-grade");
    let books = filled(&dir);
    let bad = dir.join("bad.xlsx");
    fill(&book(&dir, SUZUKI), &bad, &[(&grade("3-1"), "E")]);
    let before = sheets_files(&dir);
    let r = import(&dir, &[&books[0], &bad]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("評価「E」は 外部評価 にありません (使える値: A 現状維持, B 拡充, C 縮小, D 廃止)"), "{}", r.stderr);
    assert_eq!(sheets_files(&dir), before);

    // A book of a member who is not in plan.yaml.
    let dir = workdir("c-unknown");
    let plan = yaml(&dir, "plan.yaml");
    std::fs::write(dir.join("sheets/plan.yaml"), format!("{plan}  - 高橋 三郎\n")).unwrap();
    assert_eq!(collect(&dir).code, Some(0));
    std::fs::write(dir.join("sheets/plan.yaml"), &plan).unwrap();
    let other = dir.join("takahashi.xlsx");
    fill(&book(&dir, "高橋 三郎"), &other, &[(&opinion("1-2"), "意見です。")]);
    let before = sheets_files(&dir);
    let r = import(&dir, &[&other]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("委員「高橋 三郎」の評価用ブックですが、plan.yaml の 外部評価委員 にいません"), "{}", r.stderr);
    assert_eq!(sheets_files(&dir), before);
}

#[test]
fn check_reports_unknown_members_and_grades_with_their_places() {
    let dir = workdir("c-check");
    let text = yaml(&dir, "1-2.yaml").replacen(GOAL_1_2, &format!("{GOAL_1_2}    外部評価意見:\n      田中 四郎:\n        意見: だれ?\n      山田 一郎:\n        評価: E\n"), 1);
    std::fs::write(dir.join("sheets/1-2.yaml"), &text).unwrap();
    let r = common::check(&dir.join("sheets"));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let errs = reported(&r.stderr);
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let unknown = common::find(&errs, "「田中 四郎」は plan.yaml の 外部評価委員 にいません");
    assert_eq!((unknown.file.ends_with("1-2.yaml"), unknown.line, unknown.column), (true, line_of("田中 四郎"), 7));
    let bad = common::find(&errs, "外部評価 \"E\" は評価区分にありません");
    assert_eq!((bad.line, bad.column), (line_of("評価: E"), 13));
    // A plan without the committee still builds its books as before (both keys optional).
    let r = common::check(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/book-plan")));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

/// The status line of one member in `status --committee`'s table.
fn status_row<'a>(stdout: &'a str, member: &str) -> Vec<&'a str> {
    let line = stdout.lines().find(|l| l.starts_with(member)).unwrap_or_else(|| panic!("no row for {member}:\n{stdout}"));
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect()
}

#[test]
fn status_committee_lists_who_has_not_answered() {
    let dir = workdir("committee-status");
    let books = filled(&dir);
    // 山田's answers are imported; 佐藤's book is given but not imported; 鈴木 has nothing.
    let r = import(&dir, &[&books[0]]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let dept = dir.join("dept");
    let r = shinko(&["collect".as_ref(), "--year".as_ref(), "2022".as_ref(), "--sheets".as_ref(), s(&dir.join("sheets")), "--out".as_ref(), s(&dept)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let dept_book = std::fs::read_dir(dept.join("collect").join("2022")).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_file()).unwrap();
    let before = sheets_files(&dir);
    let r = shinko(&["status".as_ref(), "--year".as_ref(), "R4".as_ref(), "--committee".as_ref(), "--sheets".as_ref(), s(&dir.join("sheets")), s(&books[1]), s(&dept_book)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // 山田 answered items 1-2 and 2-1 of the fixture's three; 佐藤's book is not imported yet.
    assert_eq!(status_row(&r.stdout, YAMADA), vec![YAMADA, "取り込み済", "1 項目"]);
    let sato = status_row(&r.stdout, SATO);
    assert_eq!(&sato[..3], &[SATO, "提出済", "3 項目"]);
    assert!(sato[3].ends_with("sato-filled.xlsx"), "{sato:?}");
    assert_eq!(status_row(&r.stdout, SUZUKI), vec![SUZUKI, "未提出", "3 項目"]);
    assert!(r.stdout.contains("委員 3 人のうち 2 人が提出済 (取り込み済を含む)、未提出 1 人。"), "{}", r.stdout);
    assert!(r.stderr.contains("課の記入用ブックです (外部評価委員の評価用ブックではありません)"), "{}", r.stderr);
    assert_eq!(sheets_files(&dir), before, "status writes nothing");
    // --out is for the departments' report only.
    let r = shinko(&["status".as_ref(), "--year".as_ref(), "2022".as_ref(), "--committee".as_ref(), "--sheets".as_ref(), s(&dir.join("sheets")), "--out".as_ref(), s(&dir.join("st"))]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("同時に指定できないオプションがあります"), "{}", r.stderr);
    assert!(!dir.join("st").exists());
}
