//! The whole plan's outputs, read back: book.pdf (目次 page numbers against the pages, links,
//! bookmarks, page labels, tags, qpdf), summary.xlsx (calamine) and summary.csv (Python's csv
//! module), against counts and totals computed here, independently, from the fixture's YAML.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{TempDir, files_in, shinko};
use lopdf::{Document, Object, ObjectId};
use serde::Deserialize;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book-plan")
}

// ---------------------------------------------------------------------------------------------
// The fixture's YAML, read with serde alone (not shinko's loader)

#[derive(Deserialize)]
struct YPlan {
    #[serde(rename = "改革の柱")]
    pillars: BTreeMap<i64, String>,
    #[serde(rename = "評価区分")]
    scales: YScales,
}

#[derive(Deserialize)]
struct YScales {
    #[serde(rename = "自己評価")]
    own: BTreeMap<String, String>,
}

#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
enum YAmount {
    N(f64),
    S(String),
}

#[derive(Deserialize, Default)]
struct YMeasure {
    #[serde(rename = "目標", default)]
    targets: BTreeMap<i32, YAmount>,
    #[serde(rename = "実績", default)]
    results: BTreeMap<i32, YAmount>,
}

#[derive(Deserialize, Default)]
struct YIniYear {
    #[serde(rename = "自己評価")]
    grade: Option<String>,
}

#[derive(Deserialize)]
struct YIni {
    #[serde(rename = "番号")]
    number: String,
    #[serde(rename = "取組主管課")]
    departments: Vec<String>,
    #[serde(rename = "効果額")]
    effect: YMeasure,
    #[serde(rename = "指標")]
    indicator: YMeasure,
    #[serde(rename = "年度別")]
    years: BTreeMap<i32, YIniYear>,
}

#[derive(Deserialize)]
struct YIndicator {
    #[serde(rename = "目標", default)]
    targets: BTreeMap<i32, YAmount>,
    #[serde(rename = "実績", default)]
    results: BTreeMap<i32, YAmount>,
}

#[derive(Deserialize, Default)]
struct YIndicators {
    #[serde(rename = "活動指標", default)]
    activity: Vec<YIndicator>,
    #[serde(rename = "成果指標", default)]
    outcome: Vec<YIndicator>,
}

#[derive(Deserialize)]
struct YItem {
    #[serde(rename = "項目")]
    number: String,
    #[serde(rename = "項目名")]
    name: String,
    #[serde(rename = "改革の柱")]
    pillar: i64,
    #[serde(rename = "指標", default)]
    indicators: YIndicators,
    #[serde(rename = "取組内容")]
    initiatives: Vec<YIni>,
}

fn read_yaml() -> (YPlan, Vec<YItem>) {
    let dir = fixture();
    let plan: YPlan = serde_saphyr::from_str(&std::fs::read_to_string(dir.join("plan.yaml")).unwrap()).unwrap();
    let mut items = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap() != "plan.yaml" && p.extension().is_some_and(|x| x == "yaml") {
            items.push(serde_saphyr::from_str::<YItem>(&std::fs::read_to_string(&p).unwrap()).unwrap());
        }
    }
    (plan, items)
}

/// Grade counts (plan scale order, then 未記入) of the initiatives of `pillar` (all when None).
fn expected_counts(plan: &YPlan, items: &[YItem], pillar: Option<i64>, year: i32) -> Vec<f64> {
    let letters: Vec<&String> = plan.scales.own.keys().collect();
    let mut v = vec![0.0; letters.len() + 1];
    for it in items.iter().filter(|it| pillar.is_none_or(|p| p == it.pillar)) {
        for ini in &it.initiatives {
            match ini.years.get(&year).and_then(|y| y.grade.as_ref()) {
                Some(g) => v[letters.iter().position(|l| *l == g).unwrap()] += 1.0,
                None => v[letters.len()] += 1.0,
            }
        }
    }
    v
}

/// 効果額 (target, result) sums of `pillar` for `year`; None where no value is a number.
fn expected_effect(items: &[YItem], pillar: Option<i64>, year: i32) -> (Option<f64>, Option<f64>) {
    let mut t = None;
    let mut r = None;
    for it in items.iter().filter(|it| pillar.is_none_or(|p| p == it.pillar)) {
        for ini in &it.initiatives {
            if let Some(YAmount::N(n)) = ini.effect.targets.get(&year) {
                t = Some(t.unwrap_or(0.0) + n);
            }
            if let Some(YAmount::N(n)) = ini.effect.results.get(&year) {
                r = Some(r.unwrap_or(0.0) + n);
            }
        }
    }
    (t, r)
}

// ---------------------------------------------------------------------------------------------
// One build of the fixture, shared by the tests

struct Built {
    _dir: TempDir,
    out: PathBuf,
    stderr: String,
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let dir = TempDir::new("book");
        let out = dir.join("out");
        let r = shinko(&["build".as_ref(), "--sheets".as_ref(), fixture().as_os_str(), "--out".as_ref(), out.as_os_str()]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        Built { _dir: dir, out, stderr: r.stderr }
    })
}

fn book() -> (Document, Vec<u8>) {
    let bytes = std::fs::read(built().out.join("book.pdf")).unwrap();
    (Document::load_mem(&bytes).unwrap(), bytes)
}

fn pdftotext_page(pdf: &Path, page: usize) -> String {
    let o = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) installed");
    String::from_utf8(o.stdout).unwrap()
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(r) => doc.get_object(*r).unwrap(),
        o => o,
    }
}

fn text_of(doc: &Document, o: &Object) -> String {
    lopdf::decode_text_string(deref(doc, o)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// book.pdf

#[test]
fn the_summary_line_names_the_book_and_the_year() {
    let s = &built().stderr;
    assert!(s.contains("4 項目、"), "{s}");
    assert!(s.contains("冊子 "), "{s}");
    assert!(s.contains("令和4年度(2022年度)"), "default year: the latest with a 自己評価: {s}");
    assert_eq!(
        files_in(&built().out),
        ["1-10.pdf", "1-10.xlsx", "1-2.pdf", "1-2.xlsx", "2-1.pdf", "2-1.xlsx", "3-1.pdf", "3-1.xlsx", "book.pdf", "html", "summary.csv", "summary.xlsx"]
    );
}

#[test]
fn cover_names_plan_form_organisation_and_year() {
    let text = strip_ws(&pdftotext_page(&built().out.join("book.pdf"), 1));
    for s in ["テスト市行政改革実行計画", "進行管理シート", "テスト市", "令和4年度(2022年度)"] {
        assert!(text.contains(s), "{s} not on the cover: {text}");
    }
}

/// Each 目次 entry's page number is the page where the item starts: that page has the item's
/// header band and its footer `(1/N)`, the page before does not belong to the item's start.
#[test]
fn toc_page_numbers_are_where_each_item_starts_and_link_there() {
    let pdf = built().out.join("book.pdf");
    let toc = pdftotext_page(&pdf, 2);
    let (_, items) = read_yaml();
    let mut natural: Vec<&YItem> = items.iter().collect();
    natural.sort_by_key(|it| (it.pillar, it.number.split('-').map(|n| n.parse::<u32>().unwrap()).collect::<Vec<_>>()));
    let mut found = Vec::new();
    for line in toc.lines() {
        let l = line.trim();
        let Some((head, num)) = l.rsplit_once(' ') else { continue };
        let Ok(n) = num.parse::<usize>() else { continue };
        let head = head.trim_end_matches(['.', '…', ' ']).trim();
        if let Some(it) = items.iter().find(|it| head == format!("{} {}", it.number, it.name)) {
            found.push((it.number.clone(), n));
            // The printed page n is file page n + 1 (the cover is unnumbered).
            let page = strip_ws(&pdftotext_page(&pdf, n + 1));
            let label = format!("{}{}", it.number, it.name);
            assert!(page.contains(&format!("{label}(1/")), "page {n} is not the start of {label}: {page}");
            assert!(page.contains(&format!("項目{label}")), "page {n} lacks the header band of {label}");
            let before = strip_ws(&pdftotext_page(&pdf, n));
            assert!(!before.contains(&format!("{label}(1/")), "{label} starts before page {n}");
        }
    }
    let order: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(order, natural.iter().map(|it| it.number.as_str()).collect::<Vec<_>>(), "items by 柱, natural order");
    assert_eq!(order, ["1-2", "1-10", "2-1", "3-1"]);

    // The link annotations of the 目次 page point at the same pages.
    let (doc, _) = book();
    let pages = doc.get_pages();
    let index_of: BTreeMap<ObjectId, u32> = pages.iter().map(|(n, id)| (*id, *n)).collect();
    let toc_page = doc.get_dictionary(pages[&2]).unwrap();
    let annots = deref(&doc, toc_page.get(b"Annots").unwrap()).as_array().unwrap();
    let mut targets = Vec::new();
    for a in annots {
        let a = deref(&doc, a).as_dict().unwrap();
        assert_eq!(a.get(b"Subtype").unwrap().as_name().unwrap(), b"Link");
        assert!(a.get(b"Contents").is_ok(), "a link without alternate text");
        let dest = match a.get(b"Dest") {
            Ok(d) => deref(&doc, d).as_array().unwrap().clone(),
            Err(_) => {
                let action = deref(&doc, a.get(b"A").unwrap()).as_dict().unwrap();
                deref(&doc, action.get(b"D").unwrap()).as_array().unwrap().clone()
            }
        };
        let target = dest[0].as_reference().unwrap();
        targets.push(index_of[&target] as usize - 1); // printed number
    }
    for (_, n) in &found {
        assert!(targets.contains(n), "no link to page {n}: {targets:?}");
    }
}

#[derive(Debug, PartialEq)]
struct Mark {
    title: String,
    children: Vec<Mark>,
}

fn outline(doc: &Document, first: Option<&Object>) -> Vec<Mark> {
    let mut out = Vec::new();
    let mut cur = first.map(|o| o.as_reference().unwrap());
    while let Some(id) = cur {
        let d = doc.get_dictionary(id).unwrap();
        out.push(Mark { title: text_of(doc, d.get(b"Title").unwrap()), children: outline(doc, d.get(b"First").ok()) });
        cur = d.get(b"Next").ok().map(|o| o.as_reference().unwrap());
    }
    out
}

#[test]
fn bookmarks_nest_toc_summary_pillar_item_initiative() {
    let (doc, _) = book();
    let root = deref(&doc, doc.catalog().unwrap().get(b"Outlines").unwrap()).as_dict().unwrap();
    let marks = outline(&doc, root.get(b"First").ok());
    let top: Vec<&str> = marks.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(top, ["目次", "総括表 令和4年度(2022年度)", "柱1 市民とつくる改革", "柱2 仕事の進め方の改革", "柱3 歳入・歳出面の改革"]);
    let summary: Vec<&str> = marks[1].children.iter().map(|m| m.title.as_str()).collect();
    assert!(summary.iter().any(|t| t.starts_with("1. 柱別の自己評価")), "{summary:?}");
    assert_eq!(summary.last(), Some(&"自己評価の分布 (柱別)"));
    let p1: Vec<&str> = marks[2].children.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(p1, ["1-2 市民参加の推進", "1-10 協働事業の拡大"]);
    let i12: Vec<&str> = marks[2].children[0].children.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(i12, ["1-2-1. 市民参加手法の整理", "1-2-2. ワークショップの開催"]);
    let i21: Vec<&str> = marks[3].children[0].children.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(i21, ["2-1-1. 電子申請の導入", "2-1-2. 文書管理の電子化", "2-1-3. 会議のペーパーレス化"]);
}

#[test]
fn page_labels_make_the_printed_numbers_the_viewers() {
    let (doc, _) = book();
    let labels = deref(&doc, doc.catalog().unwrap().get(b"PageLabels").unwrap()).as_dict().unwrap();
    let nums = deref(&doc, labels.get(b"Nums").unwrap()).as_array().unwrap();
    assert_eq!(nums[0].as_i64().unwrap(), 0);
    let cover = deref(&doc, &nums[1]).as_dict().unwrap();
    assert_eq!(text_of(&doc, cover.get(b"P").unwrap()), "表紙");
    assert_eq!(nums[2].as_i64().unwrap(), 1, "numbering starts at the 目次");
    let rest = deref(&doc, &nums[3]).as_dict().unwrap();
    assert_eq!(rest.get(b"S").unwrap().as_name().unwrap(), b"D");
    assert_eq!(rest.get(b"St").unwrap().as_i64().unwrap(), 1);
    assert_eq!(nums.len(), 4, "one run of numbers after the cover: {nums:?}");
    // The footer of the last page prints its label.
    let n = doc.get_pages().len();
    let last = pdftotext_page(&built().out.join("book.pdf"), n);
    assert!(last.trim_end().ends_with(&(n - 1).to_string()), "{last}");
}

#[test]
fn tagged_pdf_ua_with_toc_links_tables_and_a_figure_stating_the_numbers() {
    let (doc, bytes) = book();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("pdfuaid:part>1<") || raw.contains("pdfuaid:part=\"1\""), "no PDF/UA-1 identification");
    let mut kinds = BTreeMap::new();
    let mut alts = Vec::new();
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"StructElem".as_slice())
        {
            let s = String::from_utf8_lossy(d.get(b"S").unwrap().as_name().unwrap()).into_owned();
            if s == "Figure" {
                alts.push(text_of(&doc, d.get(b"Alt").expect("Figure has Alt")));
            }
            *kinds.entry(s).or_insert(0) += 1;
        }
    }
    for k in ["H1", "H2", "TOC", "TOCI", "Link", "Figure", "Table", "TH", "TD", "Sect"] {
        assert!(kinds.get(k).copied().unwrap_or(0) > 0, "no {k}: {kinds:?}");
    }
    assert_eq!(kinds["TOCI"], 2 + 3 + 4, "総括表, chart, 3 柱, 4 項目");
    assert_eq!(alts.len(), 1);
    let (plan, items) = read_yaml();
    let alt = &alts[0];
    // The Alt text states every pillar's counts.
    for (p, name) in &plan.pillars {
        let c = expected_counts(&plan, &items, Some(*p), 2022);
        let letters: Vec<(&String, &String)> = plan.scales.own.iter().collect();
        let mut parts: Vec<String> = letters.iter().zip(&c).map(|((l, n), c)| format!("{l} {n} {c}")).collect();
        parts.push(format!("未記入 {}", c[letters.len()]));
        let expected = format!("柱{p} {name}: {}。", parts.join("、"));
        assert!(alt.contains(&expected), "{expected} not in {alt}");
    }
}

#[test]
fn one_font_family_and_qpdf_is_clean() {
    let pdf = built().out.join("book.pdf");
    let fonts = Command::new("pdffonts").arg(&pdf).output().expect("pdffonts installed");
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(row.split_whitespace().next().unwrap().contains("+BIZUDGothic-"), "{row}");
    }
    let check = Command::new("qpdf").arg("--check").arg(&pdf).output().expect("qpdf installed");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{info}");
}

// ---------------------------------------------------------------------------------------------
// summary.xlsx and summary.csv

fn sheet(name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(built().out.join("summary.xlsx")).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn num(d: Option<&Data>) -> Option<f64> {
    match d? {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        Data::Empty => None,
        other => panic!("not a number: {other:?}"),
    }
}

fn cell_text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

/// The rows of a 総括表 table: those after the caption `{n}. …` and its header row, up to the
/// blank row.
fn table_rows(r: &calamine::Range<Data>, n: usize) -> (Vec<String>, Vec<Vec<Data>>) {
    let rows: Vec<Vec<Data>> = r.rows().map(|row| row.to_vec()).collect();
    let start = rows.iter().position(|row| cell_text(row.first()).starts_with(&format!("{n}. "))).unwrap();
    let mut headers: Vec<String> = rows[start + 1].iter().map(|d| cell_text(Some(d))).collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    let body = rows[start + 2..]
        .iter()
        .take_while(|row| row.iter().any(|d| *d != Data::Empty))
        .map(|row| row[..headers.len()].to_vec())
        .collect();
    (headers, body)
}

#[test]
fn summary_counts_per_pillar_and_change_match_the_yaml() {
    let (plan, items) = read_yaml();
    let r = sheet("総括表");
    let (headers, body) = table_rows(&r, 1);
    let g = plan.scales.own.len() + 1;
    assert_eq!(&headers[..3], ["柱", "項目数", "取組数"]);
    assert_eq!(headers[3], "A 計画どおり");
    assert_eq!(headers[3 + g - 1], "未記入");
    assert_eq!(headers[3 + g], "A 計画どおり 増減");
    assert_eq!(headers.len(), 3 + 2 * g);
    let mut rows = vec![];
    for (p, name) in &plan.pillars {
        rows.push((Some(*p), format!("{p} {name}")));
    }
    rows.push((None, "合計".to_owned()));
    assert_eq!(body.len(), rows.len());
    for ((p, label), row) in rows.iter().zip(&body) {
        assert_eq!(cell_text(row.first()), *label);
        let its: Vec<&YItem> = items.iter().filter(|it| p.is_none_or(|p| p == it.pillar)).collect();
        assert_eq!(num(row.get(1)), Some(its.len() as f64), "{label} 項目数");
        assert_eq!(num(row.get(2)), Some(its.iter().map(|it| it.initiatives.len()).sum::<usize>() as f64), "{label} 取組数");
        let now = expected_counts(&plan, &items, *p, 2022);
        let before = expected_counts(&plan, &items, *p, 2021);
        for k in 0..g {
            assert_eq!(num(row.get(3 + k)), Some(now[k]), "{label} {}", headers[3 + k]);
            assert_eq!(num(row.get(3 + g + k)), Some(now[k] - before[k]), "{label} {}", headers[3 + g + k]);
        }
    }
}

#[test]
fn summary_effect_totals_per_year_match_the_yaml() {
    let (plan, items) = read_yaml();
    let r = sheet("総括表");
    let (headers, body) = table_rows(&r, 3);
    let years = [2021, 2022, 2023, 2024];
    assert_eq!(headers.len(), 1 + 2 * years.len());
    assert_eq!(headers[1], "令和3年度 目標");
    let mut keys: Vec<Option<i64>> = plan.pillars.keys().map(|p| Some(*p)).collect();
    keys.push(None);
    assert_eq!(body.len(), keys.len());
    for (p, row) in keys.iter().zip(&body) {
        for (k, y) in years.iter().enumerate() {
            let (t, a) = expected_effect(&items, *p, *y);
            assert_eq!(num(row.get(1 + 2 * k)), t, "{p:?} {y} 目標");
            assert_eq!(num(row.get(2 + 2 * k)), a, "{p:?} {y} 実績");
        }
    }
    // Spelled out once, to be sure the sums are not both wrong the same way: pillar 2 in 2022
    // has 800 + 30 as targets and only a text (未集計) as a result.
    assert_eq!(num(body[1].get(3)), Some(830.0));
    assert_eq!(num(body[1].get(4)), None);
}

#[test]
fn summary_departments_and_indicators_match_the_yaml() {
    let (plan, items) = read_yaml();
    let r = sheet("総括表");
    let (_, body) = table_rows(&r, 4);
    let mut expected: BTreeMap<String, (f64, Vec<f64>)> = BTreeMap::new();
    let letters: Vec<&String> = plan.scales.own.keys().collect();
    for it in &items {
        for ini in &it.initiatives {
            for d in &ini.departments {
                let e = expected.entry(d.clone()).or_insert((0.0, vec![0.0; letters.len() + 1]));
                e.0 += 1.0;
                match ini.years.get(&2022).and_then(|y| y.grade.as_ref()) {
                    Some(g) => e.1[letters.iter().position(|l| *l == g).unwrap()] += 1.0,
                    None => e.1[letters.len()] += 1.0,
                }
            }
        }
    }
    assert_eq!(body.len(), expected.len());
    for row in &body {
        let (n, counts) = &expected[&cell_text(row.first())];
        assert_eq!(num(row.get(1)), Some(*n));
        for (k, c) in counts.iter().enumerate() {
            assert_eq!(num(row.get(2 + k)), Some(*c));
        }
    }

    // Indicators with numeric target and result for 2022, and 達成率.
    let (headers, body) = table_rows(&r, 5);
    assert_eq!(headers, ["項目", "取組番号", "区分", "名称", "単位", "目標", "実績", "達成率(%)"]);
    let mut expected = Vec::new();
    for it in &items {
        for ind in it.indicators.activity.iter().chain(&it.indicators.outcome) {
            if let (Some(YAmount::N(t)), Some(YAmount::N(a))) = (ind.targets.get(&2022), ind.results.get(&2022)) {
                expected.push((it.number.clone(), String::new(), *t, *a));
            }
        }
        for ini in &it.initiatives {
            if let (Some(YAmount::N(t)), Some(YAmount::N(a))) = (ini.indicator.targets.get(&2022), ini.indicator.results.get(&2022)) {
                expected.push((it.number.clone(), ini.number.clone(), *t, *a));
            }
        }
    }
    let mut got: Vec<(String, String, f64, f64)> = body
        .iter()
        .map(|row| (cell_text(row.first()), cell_text(row.get(1)), num(row.get(5)).unwrap(), num(row.get(6)).unwrap()))
        .collect();
    expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(got, expected);
    for row in &body {
        let rate = num(row.get(7)).unwrap();
        let (t, a) = (num(row.get(5)).unwrap(), num(row.get(6)).unwrap());
        assert!((rate - a / t * 100.0).abs() < 1e-9, "{row:?}");
    }
}

#[test]
fn summary_workbook_has_a_native_chart_and_filters_on_the_data_sheets() {
    let file = std::fs::File::open(built().out.join("summary.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let chart = names.iter().find(|n| n.starts_with("xl/charts/chart")).expect("a chart part");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(chart).unwrap(), &mut xml).unwrap();
    assert!(xml.contains("<c:barChart>") && xml.contains("<c:grouping val=\"stacked\"/>"), "{xml}");
    assert_eq!(xml.matches("<c:ser>").count(), 5, "one series per grade and 未記入");
    assert!(xml.contains("総括表"), "series refer to the 総括表 cells");
    for sheet in ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"] {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(sheet).unwrap(), &mut xml).unwrap();
        assert!(xml.contains("<autoFilter"), "{sheet}: no filter");
        assert!(xml.contains("state=\"frozen\""), "{sheet}: no frozen pane");
        assert!(!xml.contains("<mergeCell "), "{sheet}: merged cells");
    }
}

/// 一覧 and the CSV hold the same rows; the CSV reads back through Python's csv module with
/// the BOM; the 自己評価 of each initiative and year is the YAML's.
#[test]
fn list_sheet_and_csv_agree_and_match_the_yaml() {
    let (plan, items) = read_yaml();
    let list = sheet("一覧");
    let rows: Vec<Vec<String>> = list.rows().map(|r| r.iter().map(|d| cell_text(Some(d))).collect()).collect();
    let headers = &rows[0];
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("no column {h}"));
    let n_years = 4;
    let n_ini: usize = items.iter().map(|it| it.initiatives.len()).sum();
    assert_eq!(rows.len() - 1, n_ini * n_years);
    for r in &rows[1..] {
        let number = &r[col("取組番号")];
        let year: i32 = r[col("年度")].parse().unwrap();
        let ini = items.iter().flat_map(|it| &it.initiatives).find(|i| &i.number == number).unwrap();
        let grade = ini.years.get(&year).and_then(|y| y.grade.clone()).unwrap_or_default();
        assert_eq!(r[col("自己評価")], grade, "{number} {year}");
        let name = plan.scales.own.get(&grade).cloned().unwrap_or_default();
        assert_eq!(r[col("自己評価名")], name);
        assert!(!r[col("年度(和暦)")].is_empty() && r[col("年度(和暦)")].starts_with("令和"));
        if let Some(YAmount::N(n)) = ini.effect.targets.get(&year) {
            assert_eq!(r[col("効果額 目標(千円)")], n.to_string());
        }
    }
    assert!(matches!(list.get((1, col("年度"))), Some(Data::Float(_)) | Some(Data::Int(_))), "年度 is a number");

    // The CSV through Python's csv module.
    let csv_path = built().out.join("summary.csv");
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "every line break is CRLF");
    let script = "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n    print(json.dumps(list(csv.reader(f)), ensure_ascii=False))\n";
    let o = Command::new("python3").arg("-c").arg(script).arg(&csv_path).output().expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let parsed: Vec<Vec<String>> = serde_json_lite(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(parsed.len(), rows.len());
    assert_eq!(&parsed[0], headers);
    for (a, b) in parsed.iter().zip(&rows) {
        let b: Vec<String> = b.iter().map(|s| s.replace('\n', "\r\n")).collect();
        assert_eq!(a, &b);
    }
    // A field with a comma is quoted (1-2-1's 評価理由 in 2021).
    assert!(text.contains("\"調査が遅れた, 一部未着手\""));
}

/// Parses the JSON array of arrays of strings that the Python snippet prints (no serde_json
/// in the tree): strings with \" \\ \n \r \t and \uXXXX escapes.
fn serde_json_lite(s: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = s.trim().chars().peekable();
    assert_eq!(chars.next(), Some('['));
    let mut row: Option<Vec<String>> = None;
    while let Some(c) = chars.next() {
        match c {
            '[' => row = Some(Vec::new()),
            ']' => {
                if let Some(r) = row.take() {
                    out.push(r);
                }
            }
            '"' => {
                let mut v = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next().unwrap() {
                            'n' => v.push('\n'),
                            'r' => v.push('\r'),
                            't' => v.push('\t'),
                            'u' => {
                                let h: String = (0..4).map(|_| chars.next().unwrap()).collect();
                                v.push(char::from_u32(u32::from_str_radix(&h, 16).unwrap()).unwrap());
                            }
                            o => v.push(o),
                        },
                        o => v.push(o),
                    }
                }
                row.as_mut().unwrap().push(v);
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// --year, --format, determinism

#[test]
fn year_option_chooses_the_evaluation_year_and_rejects_years_outside_the_plan() {
    let tmp = TempDir::new("book-year");
    let out = tmp.join("o");
    let r = shinko(&[
        "build".as_ref(), "--sheets".as_ref(), fixture().as_os_str(), "--out".as_ref(), out.as_os_str(),
        "--format".as_ref(), "summary".as_ref(), "--year".as_ref(), "2021".as_ref(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(files_in(&out), ["summary.csv", "summary.xlsx"]);
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let range = wb.worksheet_range("総括表").unwrap();
    let (headers, body) = table_rows(&range, 1);
    let (plan, items) = read_yaml();
    assert_eq!(headers.len(), 3 + plan.scales.own.len() + 1, "2021 is the first year: no 増減 columns");
    let total = body.last().unwrap();
    let expected = expected_counts(&plan, &items, None, 2021);
    for (k, c) in expected.iter().enumerate() {
        assert_eq!(num(total.get(3 + k)), Some(*c));
    }

    let bad = tmp.join("bad");
    let r = shinko(&[
        "build".as_ref(), "--sheets".as_ref(), fixture().as_os_str(), "--out".as_ref(), bad.as_os_str(),
        "--year".as_ref(), "2030".as_ref(),
    ]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("--year 2030 は計画期間 (令和3年度(2021年度)〜令和6年度(2024年度)) の外です"), "{}", r.stderr);
    assert!(!bad.exists() || files_in(&bad).is_empty(), "nothing written");
}

#[test]
fn book_format_alone_and_identical_bytes_across_runs() {
    let tmp = TempDir::new("book-only");
    let out = tmp.join("o");
    let r = shinko(&[
        "build".as_ref(), "--sheets".as_ref(), fixture().as_os_str(), "--out".as_ref(), out.as_os_str(),
        "--format".as_ref(), "book,summary".as_ref(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(files_in(&out), ["book.pdf", "summary.csv", "summary.xlsx"]);
    for f in ["book.pdf", "summary.csv", "summary.xlsx"] {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), std::fs::read(built().out.join(f)).unwrap(), "{f} differs between runs");
    }
}
