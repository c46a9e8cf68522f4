//! What `check` accepts, `build` and `collect` build; nothing typed is silently lost or
//! changed; no panic reaches the user (issue 10). Each case feeds the input through the
//! binary and asserts the message, the place, the exit status and that nothing was written.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::*;

const PLAN: &str = "\
計画名: テスト計画
様式名: 進行管理シート
計画期間:
  開始年度: 2021
  終了年度: 2025
改革の柱:
  3: 担い手をつくる改革
評価区分:
  自己評価:
    A: 計画どおり
    C: 遅れている
  次年度以降:
    A: 継続実施
  内部評価:
    B: 進行強化
";

/// A valid item with the given initiative body lines appended (indented under `取組内容`).
fn item(extra: &str) -> String {
    format!(
        "項目: \"3-1\"\n項目名: テスト項目\n改革の柱: 3\n取組内容:\n  - 番号: \"3-1-1\"\n    項目名: 最初の取組\n    取組主管課: 行政経営課\n{extra}"
    )
}

fn folder(tag: &str, plan: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new(tag);
    dir.write("plan.yaml", plan);
    for (name, text) in files {
        dir.write(name, text);
    }
    dir
}

/// check and build both fail with exit status 1, report the same errors, and build writes
/// nothing; returns the errors.
fn refused(dir: &TempDir) -> Vec<Reported> {
    let before = files_in(dir.path());
    let run = check(dir.path());
    assert_eq!(run.code, Some(1), "check should fail:\n{}", run.stderr);
    let problems = reported(&run.stderr);
    assert!(!problems.is_empty(), "no problem parsed from:\n{}", run.stderr);
    let out = TempDir::new("out");
    let target = out.join("o");
    let b = build(dir.path(), &target);
    assert_eq!(b.code, Some(1), "build should fail:\n{}", b.stderr);
    assert_eq!(reported(&b.stderr).len(), problems.len(), "build reports what check reports:\n{}", b.stderr);
    assert!(!target.exists(), "build wrote {:?}", files_in(&target));
    assert_eq!(files_in(dir.path()), before, "the sheets folder changed");
    problems
}

/// check passes (exit 0), and build and collect for every plan year succeed and write their
/// files. Returns check's standard error.
fn accepted(dir: &TempDir, years: std::ops::RangeInclusive<i32>) -> String {
    let run = check(dir.path());
    assert_eq!(run.code, Some(0), "check should pass:\n{}", run.stderr);
    let out = TempDir::new("out");
    let b = build(dir.path(), out.path());
    assert_eq!(b.code, Some(0), "build after a passing check:\n{}", b.stderr);
    assert!(files_in(out.path()).iter().any(|f| f.ends_with(".pdf")), "{:?}", files_in(out.path()));
    for year in years {
        let y = year.to_string();
        let c = shinko(&[
            "collect".as_ref(),
            "--year".as_ref(),
            y.as_ref(),
            "--sheets".as_ref(),
            dir.path().as_os_str(),
            "--out".as_ref(),
            out.path().as_os_str(),
        ]);
        assert_eq!(c.code, Some(0), "collect --year {year} after a passing check:\n{}", c.stderr);
    }
    run.stderr
}

#[test]
fn the_same_year_written_two_ways_is_a_duplicate_key() {
    let it = item("    効果額:\n      目標:\n        2021: 10\n        \"2021\": 20\n        2022年度: 5\n        2022: 6\n");
    let dir = folder("dupyear", PLAN, &[("3-1.yaml", &it)]);
    let p = refused(&dir);
    let a = find(&p, "2021 年度が 2 回");
    assert_eq!((a.line, a.column), (11, 9), "{a:#?}");
    assert_eq!(a.underlined(), "\"2021\"");
    assert!(a.block.contains("もう一方: 10 行目 9 列目"), "{}", a.block);
    let b = find(&p, "2022 年度が 2 回");
    assert_eq!(b.line, 13);
    assert!(b.message.contains("「2022年度」と「2022」は同じ年度です"), "{}", b.message);
}

#[test]
fn a_pillar_number_written_two_ways_is_a_duplicate_key() {
    let plan = PLAN.replace("  3: 担い手をつくる改革\n", "  3: 担い手をつくる改革\n  \"3\": 別の名前\n");
    let dir = folder("duppillar", &plan, &[("3-1.yaml", &item(""))]);
    let p = refused(&dir);
    let d = find(&p, "柱 3 が 2 回");
    assert!(d.file.ends_with("plan.yaml"), "{d:#?}");
    assert_eq!((d.line, d.column), (8, 3));
}

#[test]
fn an_empty_or_null_file_is_an_error_not_skipped() {
    for (i, body) in ["~\n", "null\n", "# コメントだけ\n"].into_iter().enumerate() {
        let dir = folder(&format!("null{i}"), PLAN, &[("3-1.yaml", &item("")), ("3-2.yaml", body)]);
        let p = refused(&dir);
        assert!(p[0].message.contains("空"), "{p:#?}");
        assert!(p[0].block.contains("3-2.yaml"), "{p:#?}");
        let plan_null = folder(&format!("plannull{i}"), body, &[("3-1.yaml", &item(""))]);
        let p = refused(&plan_null);
        assert!(p.iter().any(|r| r.message.contains("空") && r.block.contains("plan.yaml")), "{p:#?}");
    }
}

#[test]
fn numbers_typed_as_people_type_them_are_numbers() {
    let it = item(
        "    効果額:\n      集計: 合計\n      実績:\n        2021: １５\n        2022: \"1,234\"\n        2023: ▲120\n        2024: 1,000\n",
    );
    let dir = folder("numbers", PLAN, &[("3-1.yaml", &it)]);
    accepted(&dir, 2022..=2022);
    let mut diags = shinko::diag::Diagnostics::default();
    let set = shinko::load::load_dir(dir.path(), &mut diags).expect("loads");
    assert!(!diags.has_errors(), "{diags:?}");
    let ini = &set.items[0].item.initiatives[0];
    let got: Vec<_> = ini.effect.results.iter().map(|(y, v)| (*y, v.value.clone())).collect();
    use shinko::model::Amount::Number;
    assert_eq!(got, vec![(2021, Number(15.0)), (2022, Number(1234.0)), (2023, Number(-120.0)), (2024, Number(1000.0))]);
    // Printed as numbers with the unit, and counted in 合計 (15 + 1234 − 120 + 1000).
    let sheet = shinko::layout::lay_out(set.plan.as_ref().unwrap(), &set.items[0].item);
    let texts: Vec<String> = sheet.tables.iter().flat_map(|t| t.cells.iter().map(|c| c.value())).collect();
    assert!(texts.iter().any(|t| t.contains("2,129")), "no total 2,129 in {texts:?}");
    assert!(texts.iter().any(|t| t.contains("1,234")), "{texts:?}");
}

#[test]
fn a_number_split_by_a_flow_mapping_comma_says_so() {
    let it = item("    効果額:\n      実績: {2021: 1,234}\n");
    let dir = folder("flowcomma", PLAN, &[("3-1.yaml", &it)]);
    let p = refused(&dir);
    assert_eq!(p.len(), 1, "{p:#?}");
    let d = &p[0];
    assert!(d.message.contains("「1,234」"), "{}", d.message);
    assert!(!d.message.contains("計画期間の外"), "{}", d.message);
    assert!(d.block.contains("「1234」"), "{}", d.block);
    assert_eq!((d.line, d.column), (9, 20), "{d:#?}");
    assert_eq!(d.underlined(), "234");
}

#[test]
fn a_comment_after_a_text_and_yaml_marks_before_it_are_warned_about() {
    let it = item("    年度別:\n      2022:\n        実績: 研修を実施した #3回\n        評価理由: &強調 予定どおり\n");
    let dir = folder("comment", PLAN, &[("3-1.yaml", &it)]);
    let stderr = accepted(&dir, 2022..=2022);
    let w = warned(&stderr);
    assert_eq!(w.len(), 2, "{stderr}");
    let c = find(&w, "コメントとして読まれ");
    assert_eq!((c.line, c.column), (10, 21), "{c:#?}");
    assert_eq!(c.underlined(), "#");
    let a = find(&w, "「&強調」");
    assert_eq!((a.line, a.column), (11, 15), "{a:#?}");
    assert!(stderr.contains("警告 2 件"), "{stderr}");
}

#[test]
fn a_text_starting_with_a_yaml_indicator_gets_the_advice_to_quote_it() {
    for (i, text) in ["*重要* 研修", "@市民", "`記号`"].into_iter().enumerate() {
        let it = item(&format!("    年度別:\n      2022:\n        実績: {text}\n"));
        let dir = folder(&format!("indicator{i}"), PLAN, &[("3-1.yaml", &it)]);
        let p = refused(&dir);
        assert_eq!(p[0].line, 10, "{p:#?}");
        assert!(p[0].block.contains("\"…\" で囲んで"), "{}", p[0].block);
    }
}

#[test]
fn full_width_spaces_are_named_and_pointed_at() {
    // In the indentation.
    let it = item("    年度別:\n      2022:\n　　　　実績: 研修\n");
    let p = refused(&folder("zen-indent", PLAN, &[("3-1.yaml", &it)]));
    assert!(p[0].message.contains("全角スペース"), "{p:#?}");
    assert_eq!((p[0].line, p[0].column), (10, 1), "{p:#?}");
    // After a colon.
    let it = item("    年度別:\n      2022:\n        実績:　研修\n");
    let p = refused(&folder("zen-colon", PLAN, &[("3-1.yaml", &it)]));
    assert!(p[0].message.contains("全角スペース"), "{p:#?}");
    assert_eq!((p[0].line, p[0].column), (10, 12), "{p:#?}");
    // Trailing a grade.
    let it = item("    年度別:\n      2022:\n        自己評価: A　\n");
    let p = refused(&folder("zen-grade", PLAN, &[("3-1.yaml", &it)]));
    let d = find(&p, "全角スペース");
    assert_eq!((d.line, d.column), (10, 16), "{d:#?}");
    // A full-width letter.
    let it = item("    年度別:\n      2022:\n        自己評価: Ａ\n");
    let p = refused(&folder("zen-letter", PLAN, &[("3-1.yaml", &it)]));
    let d = find(&p, "全角");
    assert!(d.block.contains("半角の「A」"), "{}", d.block);
}

#[test]
fn every_unreadable_file_and_every_other_problem_is_reported_in_one_run() {
    let dir = folder("unreadable", PLAN, &[("3-1.yaml", &item("    区分: 廃止\n"))]);
    dir.write("3-2.yaml", b"\xff\xfe\x00x: 1\n");
    std::os::unix::fs::symlink("/nonexistent/shinko/none.yaml", dir.join("3-3.yaml")).unwrap();
    let p = refused(&dir);
    assert!(p.iter().any(|r| r.message.contains("廃止")), "{p:#?}");
    assert!(p.iter().any(|r| r.message.contains("UTF-8")), "{p:#?}");
    let gone = find(&p, "3-3.yaml");
    assert!(gone.message.contains("ファイルまたはフォルダがありません"), "{gone:#?}");
}

#[test]
fn hidden_and_lock_files_are_not_items() {
    let dir = folder("hidden", PLAN, &[("3-1.yaml", &item(""))]);
    for name in [".3-1.yaml", "._3-1.yaml", "~$3-1.yaml"] {
        dir.write(name, b"\x00\x01 not yaml: [");
    }
    let stderr = accepted(&dir, 2021..=2021);
    assert!(stderr.contains("1 項目"), "{stderr}");
}

#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let many: String = (0..200).map(|i| format!("        未知のキー{i}: x\n")).collect();
    let it = item(&format!("    年度別:\n      2022:\n{many}"));
    let dir = folder("pipe", PLAN, &[("3-1.yaml", &it)]);
    // `shinko check 2>&1 | head -c 1`: read one byte, then close the pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_shinko"))
        .args(["check", "--sheets"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let mut one = [0u8; 1];
    let _ = pipe.read(&mut one);
    drop(pipe);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{status:?}");
    // --help into a closed pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_shinko")).arg("--help").stdout(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn an_internal_error_is_reported_in_japanese_with_status_2() {
    let dir = folder("panic", PLAN, &[("3-1.yaml", &item(""))]);
    let out = Command::new(env!("CARGO_BIN_EXE_shinko"))
        .args(["check", "--sheets"])
        .arg(dir.path())
        .env("SHINKO_TEST_INTERNAL_ERROR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("内部エラー") && stderr.contains("報告してください"), "{stderr}");
    assert!(!stderr.contains("panicked at"), "{stderr}");
}

#[test]
fn a_text_longer_than_an_excel_cell_is_refused_by_check() {
    let long = "あ".repeat(32_768);
    let it = item(&format!("    概要: {long}\n"));
    let p = refused(&folder("long", PLAN, &[("3-1.yaml", &it)]));
    let d = find(&p, "32767 文字まで");
    assert_eq!((d.line, d.column), (8, 9), "{d:#?}");
    // Bullets count with their `・` and line breaks: 2 × 16,383 + 4 > 32,767.
    let half = "い".repeat(16_383);
    let it = item(&format!("    概要:\n      - {half}\n      - {half}\n"));
    let p = refused(&folder("long-bullets", PLAN, &[("3-1.yaml", &it)]));
    find(&p, "32767 文字まで");
    // Just under the limit is built.
    let fits = "う".repeat(32_000);
    let it = item(&format!("    概要: {fits}\n"));
    accepted(&folder("long-ok", PLAN, &[("3-1.yaml", &it)]), 2021..=2021);
}

#[test]
fn initiative_numbers_are_unique_in_the_whole_plan_with_both_places() {
    let a = item("");
    let b = "項目: \"3-2\"\n項目名: 別の項目\n改革の柱: 3\n取組内容:\n  - 番号: \"3-1-1\"\n    項目名: 同じ番号\n";
    let p = refused(&folder("dupini", PLAN, &[("3-1.yaml", &a), ("3-2.yaml", b)]));
    let d = find(&p, "「3-1-1」が 2 回");
    assert!(d.file.ends_with("3-2.yaml"), "{d:#?}");
    assert!(d.block.contains("3-1.yaml:5:9"), "{}", d.block);
    assert_eq!((d.line, d.column), (5, 9));
}

#[test]
fn names_that_collide_as_file_names_are_refused() {
    // Departments that differ only in case make one file on Windows.
    let a = item("  - 番号: \"3-1-2\"\n    項目名: 二つ目\n    取組主管課: ABC課\n  - 番号: \"3-1-3\"\n    項目名: 三つ目\n    取組主管課: abc課\n");
    let p = refused(&folder("deptcase", PLAN, &[("3-1.yaml", &a)]));
    let d = find(&p, "ファイル名が同じ");
    assert_eq!(d.line, 13, "{d:#?}");
    // Item numbers that become one file name.
    let x = "項目: \"3-1.\"\n項目名: 点\n改革の柱: 3\n";
    let y = "項目: \"3-1_\"\n項目名: 下線\n改革の柱: 3\n";
    let p = refused(&folder("itemstem", PLAN, &[("a.yaml", x), ("b.yaml", y)]));
    find(&p, "同じ出力ファイル名");
    // A department name too long for a file name.
    let long = "課".repeat(80);
    let a = item(&format!("  - 番号: \"3-1-2\"\n    項目名: 二つ目\n    取組主管課: {long}\n"));
    let p = refused(&folder("deptlong", PLAN, &[("3-1.yaml", &a)]));
    find(&p, "ファイル名にできません");
}

#[test]
fn numbers_that_collided_as_cell_names_or_are_reserved_file_names_are_built() {
    // `9-1-.` and `9-1-x2e-` gave the same defined name; `CON` is a device name on Windows.
    let it = "項目: \"CON\"\n項目名: 予約名\n改革の柱: 3\n取組内容:\n  - 番号: \"CON-.\"\n    項目名: 点\n    取組主管課: NUL\n  - 番号: \"CON-x2e-\"\n    項目名: 文字\n    取組主管課: NUL\n";
    let dir = folder("cellnames", PLAN, &[("a.yaml", it)]);
    accepted(&dir, 2021..=2025);
    let out = TempDir::new("cellnames-out");
    let b = build(dir.path(), out.path());
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    assert!(files_in(out.path()).contains(&"_CON.pdf".to_owned()), "{:?}", files_in(out.path()));
}
