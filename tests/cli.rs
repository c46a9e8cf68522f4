//! The command line as a newcomer meets it: Japanese help, Japanese usage errors, exit codes.

use std::process::{Command, Output};

fn shinko(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shinko")).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn top_level_help_is_japanese_and_lists_the_commands() {
    let o = shinko(&["--help"]);
    assert!(o.status.success());
    let h = stdout(&o);
    for s in ["使い方: shinko <コマンド>", "コマンド:", "オプション:", "build", "check", "ヘルプを表示します"] {
        assert!(h.contains(s), "{s} missing from:\n{h}");
    }
    for english in ["Usage:", "Commands:", "Options:"] {
        assert!(!h.contains(english), "English heading {english} in:\n{h}");
    }
}

#[test]
fn build_help_explains_every_option_in_japanese() {
    let o = shinko(&["build", "--help"]);
    assert!(o.status.success());
    let h = stdout(&o);
    for s in ["--sheets", "--out", "--format", "省略時: sheets", "省略時: output", "pdf, xlsx", "何も書き出しません"] {
        assert!(h.contains(s), "{s} missing from:\n{h}");
    }
    assert!(!h.contains("[default:"), "{h}");
}

#[test]
fn usage_errors_are_japanese_with_a_suggestion() {
    let o = shinko(&["bild"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("「bild」というコマンドはありません (「build」のことですか?)"), "{}", stderr(&o));

    let o = shinko(&["build", "--sheet", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("「--sheets」のことですか?"), "{}", stderr(&o));

    let o = shinko(&["build", "--format", "docx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("「docx」は使えません (使える値: pdf, xlsx, book, summary, html)"), "{}", stderr(&o));

    let o = shinko(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("コマンドを指定してください"), "{}", stderr(&o));
}

#[test]
fn a_missing_sheets_folder_is_a_clear_error() {
    let o = shinko(&["check", "--sheets", "/nonexistent/shinko-sheets"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.starts_with("エラー: "), "{e}");
    assert!(e.contains("/nonexistent/shinko-sheets"), "{e}");
}

#[test]
fn help_as_a_command_works_like_the_option() {
    let o = shinko(&["help"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&shinko(&["--help"])));
    let o = shinko(&["help", "build"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&shinko(&["build", "--help"])));
}

#[test]
fn years_are_read_as_staff_write_them_and_a_bad_one_is_explained() {
    let sheets = concat!(env!("CARGO_MANIFEST_DIR"), "/sheets");
    let out = std::env::temp_dir().join(format!("shinko-cli-year-{}", std::process::id()));
    for year in ["R3", "令和3年度", "２０２１"] {
        let o = shinko(&["build", "--sheets", sheets, "--out", out.to_str().unwrap(), "--format", "BOOK", "--year", year]);
        assert_eq!(o.status.code(), Some(0), "{year}: {}", stderr(&o));
        assert!(stderr(&o).contains("令和3年度(2021年度)"), "{year}: {}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&out);
    let o = shinko(&["collect", "--year", "令和X年度", "--sheets", sheets]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("年度「令和X年度」を読めません") && e.contains("R4、令和4"), "{e}");
    assert!(!e.contains("invalid value"), "{e}");
}
