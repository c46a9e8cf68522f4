//! `shinko check` and `shinko build` on wrong input: every problem of every file is reported
//! with its file, line and column, the source line underlined at the right place, a Japanese
//! message; the exit status is 1 and nothing is written.

mod common;

use common::*;

/// A small valid item: each test changes one thing.
const ITEM: &str = "\
項目: \"3-1\"
項目名: テスト項目
改革の柱: 3
年度別:
  2022:
    取組目標: 目標を書く
    内部評価:
      評価: B
取組内容:
  - 番号: \"3-1-1\"
    項目名: 最初の取組
    区分: 新規
    年度別:
      2022:
        取組目標: 目標
        自己評価: A
  - 番号: \"3-1-2\"
    項目名: 次の取組
    区分: 継続
    年度別:
      2021:
        自己評価: B
      2022:
        自己評価: A
        次年度以降: A
";

/// Runs check and build on a sheets folder that has problems; asserts exit status 1, that
/// both report the same problems, and that build wrote nothing. Returns the problems.
fn rejected(dir: &TempDir) -> Vec<Reported> {
    let before = files_in(dir.path());
    let run = check(dir.path());
    assert_eq!(run.code, Some(1), "check should fail: {}", run.stderr);
    assert!(run.stdout.is_empty(), "check printed to stdout: {}", run.stdout);
    let problems = reported(&run.stderr);
    assert!(!problems.is_empty(), "no problem parsed from: {}", run.stderr);
    let summary = format!("合計: エラー {} 件", problems.len());
    assert!(run.stderr.contains(&summary), "no summary {summary:?} in {}", run.stderr);

    let out = TempDir::new("out");
    let target = out.join("pdf");
    let b = build(dir.path(), &target);
    assert_eq!(b.code, Some(1), "build should fail: {}", b.stderr);
    assert!(b.stderr.contains("何も書き出していません"), "{}", b.stderr);
    assert_eq!(reported(&b.stderr).len(), problems.len(), "build reports what check reports");
    assert!(!target.exists(), "build created the output folder: {:?}", files_in(&target));
    assert_eq!(files_in(dir.path()), before, "the sheets folder changed");
    problems
}

#[test]
fn reference_sheets_pass_with_status_0() {
    let dir = sheets("ok", &[("plan.yaml", reference_plan().as_bytes()), ("3-2.yaml", reference_item().as_bytes())]);
    let run = check(dir.path());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("問題はありません (1 項目"), "{}", run.stderr);
    assert!(reported(&run.stderr).is_empty());
    let small = with_item("ok-small", ITEM);
    assert_eq!(check(small.path()).code, Some(0));
}

#[test]
fn yaml_syntax_error_points_at_the_place_in_japanese() {
    let dir = with_item("syntax", &ITEM.replace("項目名: 最初の取組", "項目名: \"最初の取組"));
    let p = rejected(&dir);
    assert_eq!(p.len(), 1, "{p:#?}");
    let r = &p[0];
    assert!(r.message.starts_with("11 行目の引用符 (\") で始めた文字列が閉じられておらず"), "{}", r.message);
    assert!(r.file.ends_with("a.yaml"));
    assert_eq!((r.line, r.column), (11, 10));
    assert_eq!(r.underlined(), "\"");
    assert!(r.block.contains("同じ引用符を書いてください"), "{}", r.block);
}

#[test]
fn syntax_errors_for_tabs_indentation_and_duplicate_keys() {
    let cases = [
        (ITEM.replace("  - 番号: \"3-1-2\"", "\t- 番号: \"3-1-2\""), "タブ", 17),
        (ITEM.replace("    区分: 継続", "     区分: 継続"), "この位置に「:」は書けません", 19),
        (ITEM.replace("    区分: 継続", "   区分: 継続"), "字下げ (インデント) がそろっていません", 19),
        (ITEM.replace("項目名: テスト項目\n", "項目名: テスト項目\n項目名: 二つ目\n"), "同じキー「項目名」が 2 回", 3),
    ];
    for (i, (text, needle, line)) in cases.iter().enumerate() {
        let dir = with_item(&format!("syntax{i}"), text);
        let p = rejected(&dir);
        let r = find(&p, needle);
        assert_eq!(r.line, *line, "{r:#?}");
        assert!(r.block.contains("YAML パーサの説明"), "{}", r.block);
    }
}

#[test]
fn wrong_types_name_the_path_and_what_is_allowed() {
    let text = ITEM
        .replace("改革の柱: 3", "改革の柱: 三")
        .replace("        取組目標: 目標", "        取組目標: {a: 1}")
        .replace("    取組目標: 目標を書く", "    取組目標: [ok, [nested]]");
    let dir = with_item("types", &text);
    let p = rejected(&dir);
    assert_eq!(p.len(), 3, "{p:#?}");
    let r = find(&p, "改革の柱 は整数で書いてください");
    assert!(r.message.contains("いまは「三」"), "{}", r.message);
    assert_eq!((r.line, r.column), (3, 7));
    assert_eq!(r.underlined(), "三");
    let r = find(&p, "取組内容[1].年度別.2022.取組目標 は文章 (文字列) か箇条書き");
    assert_eq!((r.line, r.column), (15, 15));
    assert_eq!(r.underlined(), "{");
    let r = find(&p, "年度別.2022.取組目標[2] は文字列で書いてください");
    assert_eq!((r.line, r.column), (6, 16));
    assert_eq!(r.underlined(), "[");
}

#[test]
fn unknown_key_points_at_the_key_and_suggests_the_near_miss() {
    let dir = with_item("unknown", &ITEM.replace("        取組目標: 目標", "        取組目票: 目標"));
    let p = rejected(&dir);
    assert_eq!(p.len(), 1, "{p:#?}");
    let r = &p[0];
    assert_eq!(r.message, "取組内容[1].年度別.2022 に「取組目票」というキーはありません");
    assert_eq!((r.line, r.column), (15, 9));
    assert_eq!(r.underlined(), "取組目票");
    assert!(r.block.contains("「取組目標」の書き間違いではありませんか?"), "{}", r.block);
    assert!(r.block.contains("ここで使えるキー: 取組目標、活動、実績、自己評価"), "{}", r.block);
}

#[test]
fn unknown_key_without_near_miss_lists_the_allowed_keys() {
    let dir = with_item("unknown2", &ITEM.replace("改革の柱: 3\n", "改革の柱: 3\n備考欄: x\n"));
    let r = &rejected(&dir)[0];
    assert_eq!(r.message, "ファイルの最上位 に「備考欄」というキーはありません");
    assert!(!r.block.contains("書き間違い"), "{}", r.block);
    assert!(r.block.contains("ここで使えるキー: 項目、項目名、改革の柱、概要、指標、年度別、取組内容"), "{}", r.block);
}

#[test]
fn missing_required_keys_and_empty_required_values() {
    let text = ITEM.replace("項目名: テスト項目\n", "").replace("    項目名: 次の取組\n", "").replace("改革の柱: 3", "改革の柱:");
    let dir = with_item("missing", &text);
    let p = rejected(&dir);
    assert_eq!(p.len(), 3, "{p:#?}");
    let r = find(&p, "ファイルの最上位 に必要なキー「項目名」がありません");
    assert_eq!((r.line, r.column), (1, 1));
    let r = find(&p, "取組内容[2] に必要なキー「項目名」がありません");
    assert_eq!((r.line, r.column), (16, 5));
    let r = find(&p, "改革の柱 の値が空です");
    assert_eq!((r.line, r.column), (2, 1));
    assert_eq!(r.underlined(), "改革の柱");
}

#[test]
fn grade_not_in_the_plan_scale_lists_the_allowed_grades() {
    let text = ITEM.replace("        自己評価: A\n        次年度以降: A", "        自己評価: E\n        次年度以降: X").replace("      評価: B", "      評価: Z");
    let dir = with_item("grade", &text);
    let p = rejected(&dir);
    assert_eq!(p.len(), 3, "{p:#?}");
    let r = find(&p, "自己評価 \"E\"");
    assert_eq!(
        r.message,
        "自己評価 \"E\" は評価区分にありません(使える値: A 計画どおり, B 概ね計画どおり, C 遅れている, D 未着手)"
    );
    assert_eq!((r.line, r.column), (24, 15));
    assert_eq!(r.underlined(), "E");
    assert!(r.block.contains("場所: 取組内容[2].年度別.2022.自己評価"), "{}", r.block);
    let r = find(&p, "次年度以降 \"X\"");
    assert!(r.message.contains("A 継続実施"), "{}", r.message);
    assert_eq!((r.line, r.column), (25, 16));
    let r = find(&p, "内部評価 \"Z\"");
    assert!(r.block.contains("場所: 年度別.2022.内部評価.評価"), "{}", r.block);
    assert_eq!((r.line, r.column), (8, 11));
}

#[test]
fn years_outside_the_plan_period_point_at_the_year() {
    let text = ITEM.replace("      2021:\n        自己評価: B", "      2019:\n        自己評価: B").replace(
        "改革の柱: 3\n",
        "改革の柱: 3\n指標:\n  活動指標:\n    - 名称: 件数\n      目標: {2021: 1, 2026: 3}\n",
    );
    let dir = with_item("years", &text);
    let p = rejected(&dir);
    assert_eq!(p.len(), 2, "{p:#?}");
    let r = find(&p, "2019 年度");
    assert_eq!(r.message, "取組内容[2].年度別 の 2019 年度は計画期間の外です (使える年度: 2021〜2025)");
    assert_eq!((r.line, r.column), (25, 7));
    assert_eq!(r.underlined(), "2019");
    let r = find(&p, "2026 年度");
    assert!(r.message.starts_with("指標.活動指標[1].目標 の 2026 年度"), "{}", r.message);
    assert_eq!((r.line, r.column), (7, 21));
    assert_eq!(r.underlined(), "2026");
}

#[test]
fn pillar_not_in_plan() {
    let dir = with_item("pillar", &ITEM.replace("改革の柱: 3", "改革の柱: 4"));
    let r = &rejected(&dir)[0];
    assert_eq!(r.message, "改革の柱 4 は plan.yaml の 改革の柱 にありません(使える値: 3 担い手をつくる改革, 5 歳入・歳出面の改革)");
    assert_eq!((r.line, r.column), (3, 7));
}

#[test]
fn category_other_than_new_or_continued() {
    let dir = with_item("category", &ITEM.replace("区分: 継続", "区分: 継続中"));
    let r = &rejected(&dir)[0];
    assert_eq!(r.message, "取組内容[2].区分 の「継続中」は使えません (使える値: 新規, 継続)");
    assert_eq!((r.line, r.column), (19, 9));
    assert_eq!(r.underlined(), "継続中");
}

#[test]
fn the_same_item_in_two_files() {
    let plan = reference_plan();
    let dir = sheets("dup", &[("plan.yaml", plan.as_bytes()), ("a.yaml", ITEM.as_bytes()), ("b.yaml", ITEM.as_bytes())]);
    let p = rejected(&dir);
    assert_eq!(p.len(), 1, "{p:#?}");
    let r = &p[0];
    assert_eq!(r.message, "項目「3-1」が 2 つのファイルにあります");
    assert!(r.file.ends_with("b.yaml"), "{}", r.file);
    assert_eq!((r.line, r.column), (1, 5));
    assert!(r.block.contains("a.yaml:1:5"), "{}", r.block);
}

#[test]
fn two_items_that_would_overwrite_each_others_output() {
    let (a, b) = (ITEM.replace("3-1", "3/1"), ITEM.replace("3-1", "3_1"));
    let dir = sheets("stem", &[("plan.yaml", reference_plan().as_bytes()), ("a.yaml", a.as_bytes()), ("b.yaml", b.as_bytes())]);
    let p = rejected(&dir);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].message, "項目「3_1」と項目「3/1」は同じ出力ファイル名「3_1」になります");
    assert!(p[0].file.ends_with("b.yaml"));
}

#[test]
fn initiative_number_must_start_with_the_item_number() {
    let dir = with_item("number", &ITEM.replace("番号: \"3-1-2\"", "番号: \"3-2-2\""));
    let r = &rejected(&dir)[0];
    assert_eq!(r.message, "取組内容[2].番号「3-2-2」が項目の番号「3-1」で始まっていません");
    assert_eq!((r.line, r.column), (17, 9));
    assert_eq!(r.underlined(), "\"3-2-2\"");
}

#[test]
fn characters_the_font_cannot_draw_are_underlined_where_they_are() {
    let text = ITEM.replace("項目名: 最初の取組", "項目名: 最初の☑取組と𠮷野家").replace("取組目標: 目標を書く", "取組目標: |\n      一行目\n      二行目☑");
    let dir = with_item("font", &text);
    let p = rejected(&dir);
    assert_eq!(p.len(), 3, "{p:#?}");
    let check_r = find(&p, "文字「𠮷」(U+20BB7)");
    assert_eq!((check_r.line, check_r.column), (13, 17));
    assert_eq!(check_r.underlined(), "𠮷");
    let on_line = |line: usize| p.iter().find(|r| r.line == line && r.message.contains("U+2611")).unwrap();
    assert_eq!(on_line(8).column, 10);
    assert_eq!(on_line(8).underlined(), "☑");
    assert_eq!(on_line(13).column, 13);
    assert!(on_line(13).message.contains("フォント BIZ UDゴシックにないため印刷できません"));
}

#[test]
fn a_file_that_is_not_utf8_is_named_with_the_line() {
    // "項目名: 日本" in Shift_JIS after two valid lines.
    let mut bytes = "項目: \"3-1\"\n改革の柱: 3\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"\x8d\x80\x96\xda\x96\xbc: \x93\xfa\x96\x7b\n");
    let dir = sheets("sjis", &[("plan.yaml", reference_plan().as_bytes()), ("a.yaml", &bytes)]);
    let r = &rejected(&dir)[0];
    assert!(r.message.starts_with("ファイルの文字コードが UTF-8 ではありません (3 行目 1 文字目に UTF-8 として読めないバイトがあります)"), "{}", r.message);
    assert_eq!((r.line, r.column), (3, 1));
    assert!(r.file.ends_with("a.yaml"));
    assert!(r.block.contains("UTF-8 にして保存し直してください"), "{}", r.block);
}

#[test]
fn empty_files_are_reported() {
    let plan = reference_plan();
    let dir = sheets(
        "empty",
        &[("plan.yaml", plan.as_bytes()), ("a.yaml", b""), ("b.yaml", b"# only a comment\n\n"), ("c.yaml", ITEM.as_bytes())],
    );
    let p = rejected(&dir);
    assert_eq!(p.len(), 2, "{p:#?}");
    for (r, name) in p.iter().zip(["a.yaml", "b.yaml"]) {
        assert!(r.message.starts_with("ファイルが空です"), "{}", r.message);
        assert_eq!(r.block.matches(name).count(), 1, "{}", r.block);
    }
}

#[test]
fn problems_in_plan_yaml_itself() {
    let plan = reference_plan()
        .replace("  終了年度: 2025", "  終了年度: 二〇二五")
        .replace("評価区分:", "評価区部:")
        .replace("計画名: はだの", "計画名: ☑はだの");
    let dir = sheets("plan", &[("plan.yaml", plan.as_bytes()), ("a.yaml", ITEM.as_bytes())]);
    let p = rejected(&dir);
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(p.iter().all(|r| r.file.ends_with("plan.yaml")), "{p:#?}");
    let r = find(&p, "計画期間.終了年度 は整数で書いてください");
    let line_of = |needle: &str| plan.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    assert_eq!((r.line, r.column), (line_of("  終了年度:"), 9));
    assert_eq!(r.underlined(), "二〇二五");
    let r = find(&p, "「評価区部」というキーはありません");
    assert!(r.message.starts_with("plan.yaml に"), "{}", r.message);
    assert!(r.block.contains("「評価区分」の書き間違いではありませんか?"), "{}", r.block);
    find(&p, "plan.yaml に必要なキー「評価区分」がありません");
    let r = find(&p, "U+2611");
    assert_eq!((r.line, r.column), (line_of("計画名:"), 6));
}

#[test]
fn every_problem_of_every_file_in_one_run() {
    let plan = reference_plan();
    let a = ITEM.replace("区分: 新規", "区分: 新").replace("自己評価: B", "自己評価: F");
    let b = ITEM.replace("\"3-1\"", "\"5-1\"").replace("番号: \"3-1-1\"", "番号: \"5-1-1\"").replace("番号: \"3-1-2\"", "番号: \"5-1-2\"");
    let b = b.replace("項目名: テスト項目", "項目名: テスト項目\n概要: [a, {b: c}]").replace("      2022:\n        取組目標: 目標", "      2031:\n        取組目標: 目標");
    let c = "項目: [\n";
    let dir = sheets("all", &[("plan.yaml", plan.as_bytes()), ("a.yaml", a.as_bytes()), ("b.yaml", b.as_bytes()), ("c.yaml", c.as_bytes())]);
    let p = rejected(&dir);
    let files: Vec<&str> = p.iter().map(|r| r.file.rsplit('/').next().unwrap()).collect();
    assert_eq!(files, ["a.yaml", "a.yaml", "b.yaml", "b.yaml", "c.yaml"], "{p:#?}");
    let run = check(dir.path());
    assert!(run.stderr.contains("合計: エラー 5 件 (3 ファイル)"), "{}", run.stderr);
    // In reading order within a file.
    assert!(p[0].line < p[1].line && p[2].line < p[3].line);
}

#[test]
fn a_value_used_through_an_alias_is_reported_once_where_it_is_written() {
    let text = ITEM.replace(
        "      2022:\n        自己評価: A\n        次年度以降: A",
        "      2022: &same\n        自己評価: A\n        次年度以降: A\n        評価理田: x\n      2023: *same\n      2024: *same",
    );
    let dir = with_item("alias", &text);
    let p = rejected(&dir);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].message, "取組内容[2].年度別.2022 に「評価理田」というキーはありません");
    assert_eq!(p[0].line, 26);
    assert!(p[0].block.contains("「評価理由」の書き間違い"), "{}", p[0].block);
}

#[test]
fn a_missing_plan_yaml_is_one_clear_error() {
    let dir = sheets("noplan", &[("a.yaml", ITEM.as_bytes())]);
    let run = check(dir.path());
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("plan.yaml がありません"), "{}", run.stderr);
    let out = TempDir::new("noplan-out");
    let b = build(dir.path(), &out.join("o"));
    assert_eq!(b.code, Some(1));
    assert!(!out.join("o").exists());
}

#[test]
fn build_writes_through_a_rename_and_leaves_unchanged_outputs_alone() {
    let dir = with_item("build", ITEM);
    let out = TempDir::new("build-out");
    let target = out.join("pdf");
    let build = |dir: &std::path::Path, target: &std::path::Path| {
        shinko(&["build".as_ref(), "--sheets".as_ref(), dir.as_os_str(), "--out".as_ref(), target.as_os_str(), "--format".as_ref(), "pdf".as_ref()])
    };
    let first = build(dir.path(), &target);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert_eq!(files_in(&target), ["3-1.pdf"], "no temporary file may be left");
    let summary = first.stderr.lines().last().unwrap();
    assert!(summary.starts_with("1 項目、"), "{summary}");
    assert!(summary.contains("1 ファイルを書き出しました"), "{summary}");
    assert!(summary.contains("秒"), "{summary}");
    let pdf = target.join("3-1.pdf");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let mtime = std::fs::metadata(&pdf).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    let second = build(dir.path(), &target);
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(second.stderr.contains("0 ファイルを書き出しました (変更なし 1 ファイル)"), "{}", second.stderr);
    assert_eq!(std::fs::metadata(&pdf).unwrap().modified().unwrap(), mtime, "an unchanged output was rewritten");
    assert_eq!(std::fs::read(&pdf).unwrap(), bytes);

    // An input error leaves the previous output whole.
    dir.write("a.yaml", ITEM.replace("自己評価: A", "自己評価: Q"));
    let third = build(dir.path(), &target);
    assert_eq!(third.code, Some(1));
    assert_eq!(std::fs::read(&pdf).unwrap(), bytes);
    assert_eq!(files_in(&target), ["3-1.pdf"]);

    // A changed input replaces the file.
    dir.write("a.yaml", ITEM.replace("項目名: テスト項目", "項目名: 別の名前"));
    let fourth = build(dir.path(), &target);
    assert_eq!(fourth.code, Some(0), "{}", fourth.stderr);
    assert!(fourth.stderr.contains("1 ファイルを書き出しました (変更なし 0 ファイル)"), "{}", fourth.stderr);
    assert_ne!(std::fs::read(&pdf).unwrap(), bytes);
    assert_eq!(files_in(&target), ["3-1.pdf"]);
}
