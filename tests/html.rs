//! The HTML pages, read back: structure (lang, skip link, captions, scopes, headers, headings,
//! links with sizes), the same content as the PDF, the Nu HTML Checker, and axe-core in
//! Chromium with screenshots at 1280 px and 375 px.
//!
//! The validators are installed by `.ci/run` (Debian's chromium and Java, npm packages in
//! `tests/web/`). Without them a test says so and passes, except in CI (`CI=true`), where a
//! missing tool fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::TempDir;
use shinko::diag::Diagnostics;
use shinko::layout::{self, Role, Sheet};
use shinko::render::html;
use shinko::{load, validate};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The two sample sets: the reference sheets and the other plan's fixture.
fn samples() -> [(&'static str, PathBuf); 2] {
    [("reference", root().join("sheets")), ("other-plan", root().join("tests/fixtures/other-plan"))]
}

fn sheets_of(dir: &Path) -> Vec<(String, Sheet)> {
    let mut diags = Diagnostics::default();
    let set = load::load_dir(dir, &mut diags).unwrap();
    validate::validate(&set, &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.list);
    let plan = set.plan.as_ref().unwrap();
    set.items.iter().map(|f| (f.item.number.value.clone(), layout::lay_out(plan, &f.item))).collect()
}

/// `shinko build --format …` of a sample into a fresh folder.
fn build(tag: &str, sheets: &Path, formats: &str) -> TempDir {
    let out = TempDir::new(tag);
    let run = common::shinko(&[
        "build".as_ref(),
        "--sheets".as_ref(),
        sheets.as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "--format".as_ref(),
        formats.as_ref(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Whether a tool the test needs is there. In CI a missing tool is a failure, never a skip.
fn have(what: &str, ok: bool) -> bool {
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{what} is missing: .ci/run installs it");
        }
        eprintln!("SKIPPED: {what} is not installed (.ci/run installs it)");
    }
    ok
}

fn runs(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).output().map(|o| o.status.success()).unwrap_or(false)
}

fn web_dir() -> PathBuf {
    root().join("tests/web")
}

fn vnu_jar() -> PathBuf {
    web_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

/// Every `attr="…"` value in a page.
fn attr_values<'a>(page: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    page.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &page[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The opening tags `<name …>` of a page.
fn tags<'a>(page: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    page.match_indices(&open)
        .filter(|(i, _)| matches!(page.as_bytes().get(i + open.len()), Some(b' ' | b'>')))
        .map(|(i, _)| &page[i..i + page[i..].find('>').unwrap() + 1])
        .collect()
}

#[test]
fn item_pages_are_semantic_tables_with_headings_and_links() {
    for (tag, dir) in samples() {
        let out = build(&format!("html-{tag}"), &dir, "pdf,xlsx,html");
        let html_dir = out.join("html");
        assert!(html_dir.join("style.css").is_file());
        for (number, sheet) in sheets_of(&dir) {
            let stem = shinko::output::file_stem(&number);
            let page = read(&html_dir.join(format!("{stem}.html")));
            assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"), "{number}: no lang");
            assert!(page.contains("<a class=\"skip\" href=\"#main\">本文へ移動</a>") && page.contains("<main id=\"main\">"));
            assert!(page.contains(&format!("<title>{}</title>", html::escape(&sheet.document_title))));
            assert!(page.contains("<link rel=\"stylesheet\" href=\"style.css\">"));
            assert_eq!(page.matches("<h1>").count(), 1);
            assert!(!page.contains("<script"), "no JavaScript");

            // One table per layout table, each with its caption; a heading per 取組.
            assert_eq!(tags(&page, "table").len(), sheet.tables.len());
            assert_eq!(tags(&page, "caption").len(), sheet.tables.len());
            for t in &sheet.tables {
                assert!(page.contains(&format!(">{}</caption>", html::escape(&t.caption))), "caption {}", t.caption);
                if t.bookmark {
                    assert!(page.contains(&format!(">{}</h2>", html::escape(&t.caption))), "no h2 for {}", t.caption);
                }
            }
            // Every header cell has a scope; every data cell's headers name header cells of
            // its own table; header rows are column headers.
            let ths = tags(&page, "th");
            assert!(ths.len() > 20);
            for th in &ths {
                assert!(th.contains(" scope=\"col\"") || th.contains(" scope=\"row\""), "{th}");
                assert!(th.contains(" id=\"t"), "{th}");
            }
            let ids: std::collections::BTreeSet<&str> = attr_values(&page, "id").into_iter().collect();
            let headers = attr_values(&page, "headers");
            assert!(headers.len() > 50);
            for h in &headers {
                for id in h.split(' ') {
                    assert!(ids.contains(id), "{number}: headers names {id}, which is not on the page");
                }
            }
            for (ti, t) in sheet.tables.iter().enumerate() {
                for (ci, c) in t.cells.iter().enumerate() {
                    if c.role == Role::Data && !c.headers.is_empty() {
                        let want: Vec<String> = c.headers.iter().map(|&h| layout::cell_id(ti, h)).collect();
                        assert!(headers.contains(&want.join(" ").as_str()), "{number}: cell {ci} of {} lacks headers {want:?}", t.caption);
                    }
                }
            }
            // In a row of two blocks, a right-hand value is labelled by its own labels only.
            let t = sheet.tables.iter().position(|t| t.bookmark).unwrap();
            let cells = &sheet.tables[t].cells;
            let grade = cells.iter().position(|c| c.paragraphs.first().is_some_and(|p| p == "自己評価")).unwrap();
            let graded = cells.iter().find(|c| c.headers.contains(&grade)).unwrap();
            let labels: Vec<&str> = graded.headers.iter().map(|&h| cells[h].paragraphs[0].as_str()).collect();
            assert_eq!(labels.len(), 2, "{labels:?}");
            assert_eq!(labels[0], "自己評価");
            assert!(labels[1].ends_with("年度)"), "{labels:?}");

            // The page's text (tags removed) holds every label and value of the sheet.
            let text = strip_ws(&page_text(&page));
            for t in &sheet.tables {
                for c in &t.cells {
                    for p in c.paragraphs_with_state() {
                        let want = strip_ws(p.strip_prefix('・').unwrap_or(&p));
                        assert!(text.contains(&want), "{number}: {want:?} of {} is not on the page", t.caption);
                    }
                }
            }

            // Abbreviated years are expanded.
            assert!(page.contains("<abbr title=\"令和3年度\">R3</abbr>"), "{number}: R3 not expanded");

            // The item's files, relative links, with their sizes.
            for (ext, kind) in [("pdf", "PDF"), ("xlsx", "XLSX")] {
                let size = std::fs::metadata(out.join(&format!("{stem}.{ext}"))).unwrap().len();
                let link = format!("<a href=\"../{stem}.{ext}\">{kind} 形式</a> ({})", html::format_size(size));
                assert!(page.contains(&link), "{number}: no link {link}");
            }
            for href in attr_values(&page, "href") {
                assert!(!href.starts_with('/') && !href.contains("://"), "not a relative link: {href}");
            }
        }
        let index = read(&html_dir.join("index.html"));
        assert!(index.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
        for (number, _) in sheets_of(&dir) {
            let stem = shinko::output::file_stem(&number);
            assert!(index.contains(&format!("<a href=\"{stem}.html\">{number} ")), "index lacks {number}");
            assert!(index.contains(&format!("href=\"../{stem}.pdf\"")));
        }
    }
}

#[test]
fn index_lists_pillars_and_items_in_order() {
    let out = build("html-index", &root().join("sheets"), "html");
    let index = read(&out.join("html/index.html"));
    assert!(index.contains("<h1>はだの行政サービス改革基本方針実行計画 進行管理シート</h1>"));
    assert!(index.contains("<h3>3 担い手をつくる改革</h3>"), "{index}");
    let pillar = index.find("<h3>3 担い手をつくる改革</h3>").unwrap();
    let item = index.find("<a href=\"3-2.html\">3-2 多様な主体との協働・連携の推進</a>").unwrap();
    assert!(item > pillar);
    // Only HTML was asked for and no PDF is in the folder: no dead links.
    assert!(!index.contains("../3-2.pdf"));
    assert!(!read(&out.join("html/3-2.html")).contains("../3-2.pdf"));
}

#[test]
fn pages_are_byte_identical_across_runs() {
    let dir = root().join("sheets");
    let a = build("html-det-a", &dir, "pdf,html");
    let b = build("html-det-b", &dir, "pdf,html");
    for name in ["index.html", "3-2.html", "style.css"] {
        assert_eq!(std::fs::read(a.join("html").join(name)).unwrap(), std::fs::read(b.join("html").join(name)).unwrap(), "{name}");
    }
}

#[test]
fn nu_html_checker_reports_no_errors() {
    if !have("java", runs("java", "-version")) || !have("vnu-jar (npm ci in tests/web)", vnu_jar().is_file()) {
        return;
    }
    for (tag, dir) in samples() {
        let out = build(&format!("vnu-{tag}"), &dir, "pdf,xlsx,html");
        let html_dir = out.join("html");
        // The pages and the style sheet (not the folder's hidden `.shinko.lock`).
        let mut files: Vec<PathBuf> = std::fs::read_dir(&html_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("html" | "css")))
            .collect();
        files.sort();
        assert!(files.len() >= 3);
        let run = Command::new("java")
            .arg("-jar")
            .arg(vnu_jar())
            .args(["--errors-only", "--also-check-css", "--format", "gnu"])
            .args(&files)
            .output()
            .unwrap();
        let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success() && report.trim().is_empty(), "Nu HTML Checker on {tag}:\n{report}");
    }
}

/// The text of a page: tags removed, the five entities decoded.
fn page_text(page: &str) -> String {
    let body = &page[page.find("<body>").unwrap()..];
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// A cell's text as the page shows it: bullets are list items (no `・`), whitespace aside.
fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn axe_reports_no_violations_and_each_page_shows_every_label_and_value() {
    let node_modules = web_dir().join("node_modules");
    if !have("node", runs("node", "--version"))
        || !have("chromium", Path::new("/usr/bin/chromium").exists())
        || !have("axe-core and playwright-core (npm ci in tests/web)", node_modules.join("axe-core").is_dir() && node_modules.join("playwright-core").is_dir())
    {
        return;
    }
    for (tag, dir) in samples() {
        let out = build(&format!("axe-{tag}"), &dir, "pdf,xlsx,html");
        let html_dir = out.join("html");
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-screenshots").join(tag);
        std::fs::create_dir_all(&shots).unwrap();
        let sheets = sheets_of(&dir);
        let mut pages = vec![html_dir.join("index.html")];
        pages.extend(sheets.iter().map(|(n, _)| html_dir.join(format!("{}.html", shinko::output::file_stem(n)))));
        let run = Command::new("node").arg(web_dir().join("check.mjs")).arg(&shots).args(&pages).output().unwrap();
        let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success(), "axe-core / layout findings on {tag}:\n{report}");
        assert_eq!(report.matches("CHECKED ").count(), pages.len(), "{report}");
        for p in &pages {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            for width in [1280, 375] {
                let png = std::fs::read(shots.join(format!("{name}-{width}.png"))).unwrap();
                assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "{name} at {width}px: no screenshot");
            }
        }
        // What the browser shows holds every label and value of the sheet.
        for (number, sheet) in &sheets {
            let text = strip_ws(&read(&shots.join(format!("{}.txt", shinko::output::file_stem(number)))));
            assert!(text.contains(&strip_ws(&sheet.title)));
            for t in &sheet.tables {
                for c in &t.cells {
                    for p in c.paragraphs_with_state() {
                        let want = strip_ws(p.strip_prefix('・').unwrap_or(&p));
                        assert!(text.contains(&want), "{number}: {want:?} of {} is not on the page", t.caption);
                    }
                }
            }
            assert!(text.contains("☑") || !sheet.tables.iter().any(|t| t.cells.iter().any(|c| c.checked_box.is_some())));
        }
    }
}
