//! `shinko status`: which departments' workbooks of a year have come back, and which input
//! fields of the year are still empty in the sheets (`status::Status`), as tables on the
//! terminal and, with `--out`, as `status-YYYY.xlsx`.

use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

use super::{Outcome, Report, load_checked};
use crate::diag::{Diagnostic, io_reason};
use crate::import::workbook;
use crate::output;
use crate::render::status as render;
use crate::status::{self, Status};

/// The workbooks given: files as they are, and the `.xlsx` files directly inside a folder
/// (not its sub-folders; hidden and Office lock files skipped), in name order. Each file
/// once, however often it is named.
fn book_paths(args: &[PathBuf], errors: &mut Vec<Diagnostic>, warnings: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen = Vec::new();
    let mut add = |p: PathBuf, out: &mut Vec<PathBuf>| {
        let key = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if !seen.contains(&key) {
            seen.push(key);
            out.push(p);
        }
    };
    for arg in args {
        match std::fs::metadata(arg) {
            Ok(m) if m.is_dir() => {
                let entries = match std::fs::read_dir(arg) {
                    Ok(e) => e,
                    Err(e) => {
                        errors.push(Diagnostic::file(arg, format!("フォルダ {} を読めません: {}", arg.display(), io_reason(&e))));
                        continue;
                    }
                };
                let mut files: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .filter(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        !crate::load::is_hidden_name(&name)
                            && name.to_ascii_lowercase().ends_with(".xlsx")
                            && e.path().is_file()
                    })
                    .map(|e| e.path())
                    .collect();
                files.sort();
                if files.is_empty() {
                    warnings.push(
                        Diagnostic::file(arg, format!("フォルダ {} に .xlsx のファイルがありません", arg.display()))
                            .warning()
                            .note("フォルダの中のフォルダは見ません。ブックはフォルダの直下に置いてください。"),
                    );
                }
                for f in files {
                    add(f, &mut out);
                }
            }
            Ok(_) => add(arg.clone(), &mut out),
            Err(e) => errors.push(Diagnostic::file(arg, format!("{} を開けません: {}", arg.display(), io_reason(&e)))),
        }
    }
    out
}

/// Where `--out` writes: a path ending in `.xlsx` is the file; anything else is a folder
/// (made when missing) that gets `status-YYYY.xlsx`.
fn out_file(out: &Path, year: i32) -> (PathBuf, bool) {
    let is_file = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_file { (out.to_path_buf(), false) } else { (out.join(render::file_name(year)), true) }
}

/// A table with columns padded to the widest cell by display width (a CJK character takes
/// two columns on a terminal); the last column is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in rows {
        for (c, v) in r.iter().enumerate() {
            widths[c] = widths[c].max(v.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (c, v) in cells.iter().enumerate() {
            s.push_str(v);
            if c + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[c] - v.width() + 2));
            }
        }
        s.trim_end().to_owned()
    };
    let mut out = line(headers.to_vec());
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(rule.iter().map(String::as_str).collect()));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// The terminal report: both tables and the summary line.
fn print(s: &Status) {
    let year = crate::era::long_label(s.year);
    crate::say!("提出状況 ({year})");
    crate::say!("{}", table(&render::RETURNS_HEADERS, &render::returns_rows(s)));
    crate::say!("未記入一覧 ({year}、シートの今の値)");
    if s.empty.is_empty() {
        crate::say!("未記入の欄はありません。\n");
    } else {
        crate::say!("{}", table(&render::EMPTY_HEADERS, &render::empty_rows(s)));
    }
    crate::say!("{}", summary_line(s));
}

/// `令和4年度: 3 課のうち 1 課が提出済、未提出 2 課。未記入の欄 12 個 (2 課、5 取組)。`
pub fn summary_line(s: &Status) -> String {
    let n = s.departments.len();
    let returned = s.returned();
    let mut depts: Vec<&str> = s.empty.iter().map(|e| e.department.as_str()).collect();
    depts.sort_unstable();
    depts.dedup();
    let mut inis: Vec<(&str, &str)> = s.empty.iter().map(|e| (e.item.as_str(), e.initiative.as_str())).collect();
    inis.sort_unstable();
    inis.dedup();
    let empty = if s.empty.is_empty() {
        "未記入の欄はありません。".to_owned()
    } else {
        format!("未記入の欄 {} 個 ({} 課、{} 取組)。", s.empty.len(), depts.len(), inis.len())
    };
    format!(
        "{}: {n} 課のうち {returned} 課が提出済、未提出 {} 課。{empty}",
        crate::era::long_label(s.year),
        n - returned
    )
}

/// What both reports start from: the checked sheets, the plan, the books given and the
/// warnings about them.
struct Start {
    set: crate::load::SheetSet,
    diags: crate::diag::Diagnostics,
    plan: crate::model::Plan,
    paths: Vec<PathBuf>,
    warnings: Vec<Diagnostic>,
}

/// Loads and checks the sheets, the year and (for the committee's report) the members, and
/// resolves the books given; `Err(report)` when the sheets or the paths stop the run there.
fn start(sheets: &Path, books: &[PathBuf], year: i32, committee: bool) -> Result<Result<Start, Report>, Diagnostic> {
    let (set, mut diags) = load_checked(sheets)?;
    if diags.has_errors() {
        return Ok(Err(Report::of(set, diags, "シートに誤りがあるため、提出状況を調べていません。先に誤りを直してください。")));
    }
    let plan = super::collect::plan_for_year(&set, year)?.clone();
    if committee && plan.members.is_empty() {
        return Err(format!(
            "plan.yaml に {} が書かれていないため、委員の提出状況はありません。",
            crate::schema::word::MEMBERS
        )
        .into());
    }
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let paths = book_paths(books, &mut errors, &mut warnings);
    if !errors.is_empty() {
        diags.list.extend(errors);
        diags.list.extend(warnings);
        return Ok(Err(Report::of(set, diags, "何も書き出していません。")));
    }
    Ok(Ok(Start { set, diags, plan, paths, warnings }))
}

pub fn run(sheets: &Path, books: &[PathBuf], year: i32, out: Option<&Path>) -> Outcome {
    let Start { set, mut diags, plan, paths, mut warnings } = match start(sheets, books, year, false)? {
        Ok(start) => start,
        Err(report) => return Ok(report),
    };
    // Read in parallel (each book is independent); the results keep the order given.
    let read: Vec<Result<workbook::Filled, String>> = {
        use rayon::prelude::*;
        paths.par_iter().map(|p| workbook::read(p)).collect()
    };
    let mut filled = Vec::new();
    for (r, p) in read.into_iter().zip(&paths) {
        match r {
            Ok(w) => filled.push(w),
            Err(e) => {
                let name = format!("{}: ", workbook::display_name(p));
                warnings.push(
                    Diagnostic::file(p, e.strip_prefix(&name).unwrap_or(&e))
                        .warning()
                        .note("このファイルは提出状況に数えていません。"),
                );
            }
        }
    }
    let (s, notices) = status::compute(&set, &plan, year, &filled);
    warnings.extend(notices);
    diags.list.extend(warnings);

    let mut written = String::new();
    if let Some(out) = out {
        let (file, folder) = out_file(out, year);
        let bytes = render::xlsx(&plan, &s)?;
        if folder {
            output::create_dir(out)?;
        }
        let batch = output::Batch::new();
        let w = batch.stage(&file, &bytes);
        let w = match w {
            Ok(w) => w,
            Err(e) => {
                output::remove_empty_dirs();
                return Err(e.into());
            }
        };
        if let Err(e) = batch.commit() {
            output::remove_empty_dirs();
            return Err(e.into());
        }
        written = match w {
            output::Written::Unchanged => format!("{} は前回と同じ内容です (書き直していません)。", file.display()),
            _ => format!("提出状況と未記入一覧を書き出しました → {}", file.display()),
        };
    }
    print(&s);
    let mut report = Report::of(set, diags, "");
    report.summary = written;
    Ok(report)
}

/// `shinko status --committee`: per member of plan.yaml's 外部評価委員, whether their book of
/// `year` was given (提出済), is not given but their answers are already in the sheets
/// (取り込み済), or neither (未提出), and for how many items the sheets hold no grade or opinion
/// of theirs. Terminal only.
pub fn run_committee(sheets: &Path, books: &[PathBuf], year: i32) -> Outcome {
    use crate::committee;
    let Start { set, mut diags, plan, paths, mut warnings } = match start(sheets, books, year, true)? {
        Ok(start) => start,
        Err(report) => return Ok(report),
    };
    let label = crate::era::long_label(year);
    // member name → the books given for them
    let mut given: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in &paths {
        let shown = p.display().to_string();
        if let Ok(Some(magic)) = workbook::magic(p)
            && magic == crate::collect::META_MAGIC
        {
            warnings.push(
                Diagnostic::file(p, "課の記入用ブックです (外部評価委員の評価用ブックではありません)")
                    .warning()
                    .note("課のブックの提出状況は --committee を付けずに調べます。"),
            );
            continue;
        }
        match crate::import::committee::read(p) {
            Ok(b) if b.plan != plan.name => warnings.push(
                Diagnostic::file(p, format!("別の計画「{}」の評価用ブックです", b.plan)).warning().note("このファイルは提出状況に数えていません。"),
            ),
            Ok(b) if b.year != year => warnings.push(
                Diagnostic::file(p, format!("{} の評価用ブックです。この一覧は {label} のものなので、提出状況に数えていません", crate::era::long_label(b.year)))
                    .warning(),
            ),
            Ok(b) if !plan.members.iter().any(|m| m.name.value == b.owner) => warnings.push(
                Diagnostic::file(p, format!("委員「{}」の評価用ブックですが、plan.yaml の {} にいません", b.owner, crate::schema::word::MEMBERS))
                    .warning()
                    .note("このファイルは提出状況に数えていません。"),
            ),
            Ok(b) => given.entry(b.owner).or_default().push(shown),
            Err(e) => {
                let name = format!("{}: ", workbook::display_name(p));
                warnings.push(
                    Diagnostic::file(p, e.strip_prefix(&name).unwrap_or(&e))
                        .warning()
                        .note("外部評価委員の評価用ブックではないため、提出状況に数えていません。"),
                );
            }
        }
    }
    let items: Vec<&crate::model::Item> = set.items.iter().map(|f| &f.item).collect();
    let mut rows = Vec::new();
    let (mut returned, mut missing) = (0, 0);
    for m in &plan.members {
        let name = &m.name.value;
        let unanswered = items
            .iter()
            .filter(|i| committee::Field::ALL.iter().all(|&f| committee::value_of(i, year, name, f).is_empty()))
            .count();
        let books = given.get(name).cloned().unwrap_or_default();
        let state = if !books.is_empty() {
            returned += 1;
            "提出済"
        } else if committee::has_answered(&set.items, year, name) {
            returned += 1;
            "取り込み済"
        } else {
            missing += 1;
            "未提出"
        };
        let unanswered = if unanswered == 0 { "なし".to_owned() } else { format!("{unanswered} 項目") };
        rows.push(vec![name.clone(), state.to_owned(), unanswered, books.join("、")]);
    }
    crate::say!("外部評価委員の提出状況 ({label})");
    crate::say!("{}", table(&["委員", "状態", "シートで未回答", "ブック"], &rows));
    crate::say!("{label}: 委員 {} 人のうち {returned} 人が提出済 (取り込み済を含む)、未提出 {missing} 人。", plan.members.len());
    diags.list.extend(warnings);
    Ok(Report::of(set, diags, ""))
}
