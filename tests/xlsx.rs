//! The XLSX workbook, read back: the data sheet's values (calamine), the form sheet's labels,
//! merged ranges and styles against the layout (calamine), row heights and print setup (the
//! sheet XML), determinism, and LibreOffice as an outside oracle for printing.

mod common;

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use shinko::layout::{self, Sheet};
use shinko::yaml_tree::{self, Node, Value};
use shinko::render;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The layout and the workbook of one item of a sheets folder (which must have no problems).
fn build_item(dir: &Path, number: &str) -> (Sheet, Vec<u8>) {
    let (set, diags) = shinko::commands::load_checked(dir).expect("sheets folder readable");
    assert!(diags.is_empty(), "unexpected problems: {:?}", diags.list);
    let plan = set.plan.as_ref().unwrap();
    let item = &set.item(number).unwrap().item;
    let sheet = layout::lay_out(plan, item);
    let bytes = render::xlsx::render(plan, item, &sheet).unwrap();
    (sheet, bytes)
}

fn reference() -> (Sheet, Vec<u8>) {
    build_item(&root().join("sheets"), "3-2")
}

fn other_plan() -> (Sheet, Vec<u8>) {
    build_item(&root().join("tests/fixtures/other-plan"), "2-1")
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook")
}

/// A part of the XLSX package, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}")).read_to_string(&mut s).unwrap();
    s
}

/// The value of an attribute in an XML start tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let tag = format!(" {tag}");
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    Some(tag[start..].split('"').next()?.to_owned())
}

/// Row heights of a sheet (0-based row -> points), from its XML (15 pt, the default, where
/// a row has no height of its own).
fn row_heights(sheet_xml: &str) -> Vec<(u32, f64)> {
    sheet_xml
        .split("<row ")
        .skip(1)
        .filter_map(|t| {
            let tag = t.split('>').next()?;
            let r: u32 = attr(tag, "r")?.parse().ok()?;
            let ht: f64 = attr(tag, "ht").and_then(|h| h.parse().ok()).unwrap_or(15.0);
            Some((r - 1, ht))
        })
        .collect()
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

// ---------------------------------------------------------------------------------------------
// The data sheet

/// A row of the data sheet as read back.
#[derive(Debug, Clone)]
struct DataRow {
    item: String,
    initiative: String,
    section: String,
    name: String,
    field: String,
    year: Option<f64>,
    value: Data,
    unit: String,
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn data_rows(bytes: &[u8]) -> Vec<DataRow> {
    let mut wb = open(bytes);
    let range = wb.worksheet_range("データ").expect("sheet データ");
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header, ["項目", "取組番号", "区分", "名称", "欄", "年度", "値", "単位"]);
    rows[1..]
        .iter()
        .map(|r| DataRow {
            item: text(&r[0]),
            initiative: text(&r[1]),
            section: text(&r[2]),
            name: text(&r[3]),
            field: text(&r[4]),
            year: match &r[5] {
                Data::Float(f) => Some(*f),
                Data::Int(i) => Some(*i as f64),
                Data::Empty => None,
                other => panic!("年度 is a number or blank, got {other:?}"),
            },
            value: r[6].clone(),
            unit: r.get(7).map(text).unwrap_or_default(),
        })
        .collect()
}

/// A yearly value expected in the data sheet, from the YAML.
#[derive(Debug)]
struct Expected {
    initiative: String,
    section: String,
    field: &'static str,
    year: f64,
    value: Data,
    unit: String,
}

fn amount(node: &Node) -> Data {
    match &node.value {
        Value::Int(i) => Data::Float(*i as f64),
        Value::Float(f) => Data::Float(*f),
        Value::Str(s) => Data::String(s.clone()),
        other => panic!("not an amount: {other:?}"),
    }
}

/// Every 目標 / 実績 value of an item YAML (indicators, 効果額, initiative 指標).
fn yearly_values(doc: &Node) -> Vec<Expected> {
    let mut out = Vec::new();
    let mut push = |initiative: &str, section: &str, m: &Node, unit: String| {
        for field in ["目標", "実績"] {
            for (k, v) in m.get(field).and_then(Node::as_map).unwrap_or_default() {
                out.push(Expected {
                    initiative: initiative.to_owned(),
                    section: section.to_owned(),
                    field,
                    year: k.key_text().parse().unwrap(),
                    value: amount(v),
                    unit: unit.clone(),
                });
            }
        }
    };
    let seq = |n: Option<&Node>| -> Vec<Node> {
        match n.map(|n| &n.value) {
            Some(Value::Seq(v)) => v.clone(),
            _ => Vec::new(),
        }
    };
    for kind in ["活動指標", "成果指標"] {
        for ind in seq(doc.get("指標").and_then(|n| n.get(kind))) {
            let unit = ind.get("単位").and_then(Node::as_str).unwrap_or("").to_owned();
            push("", kind, &ind, unit);
        }
    }
    for ini in seq(doc.get("取組内容")) {
        let number = ini.get("番号").unwrap().key_text();
        if let Some(m) = ini.get("効果額") {
            push(&number, "効果額", m, "千円".to_owned());
        }
        if let Some(m) = ini.get("指標") {
            let unit = m.get("単位").and_then(Node::as_str).unwrap_or("").to_owned();
            push(&number, "指標", m, unit);
        }
    }
    out
}

/// Every string value (not key) of a YAML tree.
fn strings(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Str(s) => out.push(s.clone()),
        Value::Seq(v) => v.iter().for_each(|n| strings(n, out)),
        Value::Map(m) => m.iter().for_each(|(_, v)| strings(v, out)),
        _ => {}
    }
}

fn reference_yaml() -> Node {
    yaml_tree::parse(&std::fs::read_to_string(root().join("sheets/3-2.yaml")).unwrap()).unwrap()
}

#[test]
fn data_sheet_has_every_number_with_its_year_and_unit() {
    let rows = data_rows(&reference().1);
    let expected = yearly_values(&reference_yaml());
    assert!(expected.len() >= 15, "the reference has many yearly values: {expected:?}");
    for e in &expected {
        let found = rows.iter().any(|r| {
            r.item == "3-2"
                && r.initiative == e.initiative
                && r.section == e.section
                && r.field == e.field
                && r.year == Some(e.year)
                && r.value == e.value
                && r.unit == e.unit
        });
        assert!(found, "{e:?} not in データ");
    }
    // Numbers are numbers: every numeric value is one of the YAML's numbers (or the pillar).
    let numeric = rows.iter().filter(|r| matches!(r.value, Data::Float(_) | Data::Int(_))).count();
    let yaml_numbers = expected.iter().filter(|e| matches!(e.value, Data::Float(_))).count();
    assert_eq!(numeric, yaml_numbers + 1, "numbers: the yearly values and 改革の柱");
    let pillar = rows.iter().find(|r| r.field == "改革の柱").unwrap();
    assert_eq!(pillar.value, Data::Float(3.0));
    // The text value 60団体以上 stays text, with the unit column still stating the unit.
    assert!(rows.iter().any(|r| r.value == Data::String("60団体以上".into()) && r.year == Some(2025.0) && r.unit == "団体"));
}

#[test]
fn data_sheet_has_every_text_of_the_yaml() {
    let rows = data_rows(&reference().1);
    let hay: String = rows
        .iter()
        .flat_map(|r| [r.item.clone(), r.initiative.clone(), r.name.clone(), r.unit.clone(), text_of(&r.value)])
        .collect::<Vec<_>>()
        .join("\u{0}");
    let mut all = Vec::new();
    strings(&reference_yaml(), &mut all);
    assert!(all.len() > 80);
    for s in all {
        let s = s.trim();
        if !s.is_empty() {
            assert!(hay.contains(s), "{s:?} not in データ");
        }
    }
}

fn text_of(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        _ => String::new(),
    }
}

#[test]
fn data_sheet_rows_say_where_and_when() {
    let rows = data_rows(&reference().1);
    let find = |ini: &str, section: &str, field: &str, year: Option<f64>| -> Vec<&DataRow> {
        rows.iter().filter(|r| r.initiative == ini && r.section == section && r.field == field && r.year == year).collect()
    };
    let one = |ini, section, field, year| {
        let v = find(ini, section, field, year);
        assert_eq!(v.len(), 1, "{ini} {section} {field} {year:?}: {v:?}");
        v[0].clone()
    };
    assert_eq!(one("3-2-1", "年度別", "自己評価", Some(2021.0)).value, Data::String("C：遅れている".into()));
    assert_eq!(one("3-2-1", "年度別", "次年度以降", Some(2021.0)).value, Data::String("A：継続実施".into()));
    assert_eq!(one("", "年度別", "内部評価", Some(2021.0)).value, Data::String("B：進行強化".into()));
    assert_eq!(one("3-2-2", "指標", "集計", None).value, Data::String("最新".into()));
    assert_eq!(one("3-2-3", "取組内容", "区分", None).value, Data::String("継続".into()));
    let depts: Vec<String> = find("3-2-4", "取組内容", "取組主管課", None).iter().map(|r| text_of(&r.value)).collect();
    assert_eq!(depts, ["情報指令課", "消防総務課"], "one department per row");
    let goals = find("3-2-4", "年度別", "取組目標", Some(2025.0));
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0].name, "秦野市・伊勢原市消防指令業務の共同運用");
    let ind = one("", "活動指標", "目標", Some(2023.0));
    assert_eq!((ind.name.as_str(), &ind.value, ind.unit.as_str()), ("取組の進捗(%)", &Data::Float(70.0), "%"));
    // Years are 西暦 numbers within the plan; values that are not by year have none.
    for r in &rows {
        assert_eq!(r.item, "3-2");
        assert!(!r.section.is_empty() && !r.field.is_empty() && !r.name.is_empty(), "{r:?}");
        if let Some(y) = r.year {
            assert!((2021.0..=2025.0).contains(&y) && y.fract() == 0.0, "{r:?}");
        }
        assert_ne!(r.value, Data::Empty, "no empty values: {r:?}");
    }
    assert!(one("", "項目", "概要", None).year.is_none());
}

#[test]
fn data_sheet_is_flat_filtered_and_frozen() {
    let bytes = reference().1;
    let mut wb = open(&bytes);
    assert!(wb.merge_cells_by_sheet_name("データ").unwrap().is_empty(), "no merged cells in データ");
    let n = data_rows(&bytes).len();
    let xml = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(xml.contains(&format!("<autoFilter ref=\"A1:H{}\"", n + 1)), "autofilter over the table");
    assert!(xml.contains("ySplit=\"1\"") && xml.contains("state=\"frozen\""), "header row frozen");
    let styles = wb.worksheet_style("データ").unwrap();
    let font = styles.get((1, 6)).and_then(|s| s.font.as_ref()).and_then(|f| f.name.clone());
    assert_eq!(font.as_deref(), Some("BIZ UDゴシック"));
}

// ---------------------------------------------------------------------------------------------
// The form sheet

/// The value a layout cell shows: its paragraphs, a checked box as ☑.
fn shown(c: &layout::Cell) -> String {
    let v = c.paragraphs.join("\n");
    // The n-th □ of the text (whatever its line breaks) is the checked one.
    let mut boxes = 0;
    v.chars()
        .map(|ch| {
            if ch != '□' {
                return ch;
            }
            boxes += 1;
            if Some(boxes - 1) == c.checked_box { '☑' } else { ch }
        })
        .collect()
}

/// Checks the form sheet against the layout: every cell's value and position on the grid
/// made of all tables' column boundaries, every merged range, fonts, fills and borders; the
/// captions and, where the PDF continues a table on a new page, a page break, the caption
/// 「… (続き)」 and the header rows again. Assumes no row is taller than Excel allows (one XLSX
/// row per layout row).
fn check_form(sheet: &Sheet, bytes: &[u8]) {
    let px = |x: f32| (x * 96.0 / 72.0).round() as u32;
    let mut bounds: Vec<u32> = sheet.tables.iter().flat_map(|t| (0..=t.columns.len()).map(move |i| px(t.col_x(i)))).collect();
    bounds.push(0);
    bounds.sort_unstable();
    bounds.dedup();
    let col = |x: f32| bounds.binary_search(&px(x)).expect("boundary on the grid") as u32;

    let mut wb = open(bytes);
    let merged: Vec<((u32, u32), (u32, u32))> =
        wb.merge_cells_by_sheet_name("シート").unwrap().iter().map(|d| (d.start, d.end)).collect();
    let range = wb.worksheet_range("シート").unwrap();
    let styles = wb.worksheet_style("シート").unwrap();
    let value = |r: u32, c: u32| range.get_value((r, c)).map(text).unwrap_or_default();
    let xml = part(bytes, "xl/worksheets/sheet1.xml");
    let breaks: Vec<u32> = xml
        .split("<rowBreaks")
        .nth(1)
        .map(|s| s.split("</rowBreaks>").next().unwrap().split("<brk ").skip(1).map(|b| attr(b, "id").unwrap().parse().unwrap()).collect())
        .unwrap_or_default();

    // Where the PDF's pages start: (table, first row placed there), continued or not.
    let mut starts = std::collections::BTreeMap::new();
    for page in sheet.pages.iter().skip(1) {
        let top = page.cells.iter().filter(|c| !c.repeated).map(|c| c.y).fold(f32::MAX, f32::min);
        let first = page.cells.iter().filter(|c| !c.repeated && (c.y - top).abs() < 0.01).min_by_key(|c| c.table).unwrap();
        if first.first_line == 0 {
            let continued = page.cells.iter().any(|c| c.table == first.table && c.repeated && !c.continued);
            starts.insert((first.table, sheet.tables[first.table].cells[first.cell].row), continued);
        }
    }

    let last_col = bounds.len() as u32 - 2;
    let mut expected_merges = vec![((0, 0), (0, last_col))];
    let mut expected_breaks = Vec::new();
    assert_eq!(value(0, 0), sheet.title);
    let mut row = 1;
    // (XLSX row, layout row height) for every layout row, and every repeated header row.
    let mut rows = Vec::new();
    let mut spacers = Vec::new();
    let check_cell = |t: &layout::Table, c: &layout::Cell, r0: u32, expected_merges: &mut Vec<_>| {
        let c0 = col(t.col_x(c.col));
        let (r1, c1) = (r0 + c.row_span as u32 - 1, col(t.col_x(c.col + c.col_span)) - 1);
        // The form's values are the lines as measured for Excel, each ended by a line break.
        assert_eq!(strip_ws(&value(r0, c0)), strip_ws(&shown(c)), "({}) cell at row {} col {}", t.caption, c.row, c.col);
        if (r0, c0) != (r1, c1) {
            expected_merges.push(((r0, c0), (r1, c1)));
        }
        let style = styles.get((r0, c0)).unwrap_or_else(|| panic!("style at {r0},{c0}"));
        let font = style.font.as_ref().unwrap();
        assert_eq!(font.name.as_deref(), Some("BIZ UDゴシック"));
        assert_eq!(font.size, Some(f64::from(c.size)));
        let fill = style.fill.as_ref().filter(|f| f.is_visible()).and_then(|f| f.foreground_color.or(f.background_color));
        let want = c.fill.map(|[r, g, b]| calamine::Color::rgb(r, g, b));
        assert_eq!(fill.map(|c| c.to_argb() & 0xFF_FFFF), want.map(|c| c.to_argb() & 0xFF_FFFF), "fill of {:?}", c.paragraphs);
        let b = style.borders.as_ref().expect("borders");
        for side in [&b.left, &b.right, &b.top, &b.bottom] {
            assert!(side.is_visible(), "cell {:?} has all four borders", c.paragraphs);
        }
    };
    let check_caption = |r: u32, text: &str, expected_merges: &mut Vec<_>| {
        assert_eq!(value(r, 0), text, "caption row {r}");
        expected_merges.push(((r, 0), (r, last_col)));
    };
    for (ti, t) in sheet.tables.iter().enumerate() {
        if ti > 0 {
            spacers.push(row);
            row += 1; // the spacer row
            for c in 0..=last_col {
                assert_eq!(value(row - 1, c), "", "spacer row {} is blank", row - 1);
            }
        }
        if starts.get(&(ti, 0)) == Some(&false) {
            expected_breaks.push(row);
        }
        if let Some(h) = &t.heading {
            check_caption(row, h, &mut expected_merges);
            rows.push((row, sheet.spec.caption_height()));
            row += 1;
        }
        let mut first = Vec::new();
        for r in 0..t.rows.len() {
            if r > 0 && starts.get(&(ti, r)) == Some(&true) {
                expected_breaks.push(row);
                if let Some(h) = &t.heading {
                    check_caption(row, &format!("{h} (続き)"), &mut expected_merges);
                    rows.push((row, sheet.spec.caption_height()));
                    row += 1;
                }
                for c in t.cells.iter().filter(|c| c.row < t.header_rows) {
                    check_cell(t, c, row + c.row as u32, &mut expected_merges);
                }
                for hr in 0..t.header_rows {
                    rows.push((row, t.rows[hr].height));
                    row += 1;
                }
            }
            first.push(row);
            rows.push((row, t.rows[r].height));
            row += 1;
        }
        for c in &t.cells {
            check_cell(t, c, first[c.row], &mut expected_merges);
        }
    }
    let mut got = merged.clone();
    got.sort();
    expected_merges.sort();
    assert_eq!(got, expected_merges, "merged ranges are the layout's spans on the column grid");
    assert_eq!(breaks, expected_breaks, "page breaks where the PDF's pages start");

    // Rows at least as tall as the layout's and within Excel's limit.
    let heights = row_heights(&xml);
    assert_eq!(heights.len() as u32, row, "rows: title, captions, tables, repeated headers, spacers");
    for r in spacers {
        assert!((heights[r as usize].1 - f64::from(sheet.spec.gap)).abs() <= 0.75, "spacer row {r}: {:?}", heights[r as usize]);
    }
    for (r, h) in rows {
        let (_, ht) = heights[r as usize];
        assert!(ht + 0.01 >= f64::from(h) && ht <= 409.0, "row {r}: {ht} for a layout row of {h}");
    }
}

#[test]
fn form_matches_the_layout() {
    let (sheet, bytes) = reference();
    check_form(&sheet, &bytes);
    let mut wb = open(&bytes);
    assert_eq!(wb.sheet_names(), ["シート", "データ"]);
    // The labels of design/sheet-layout.md, as whole cell values.
    let range = wb.worksheet_range("シート").unwrap();
    // (Values are the lines as measured for Excel, joined by line breaks.)
    let values: Vec<String> = range.used_cells().map(|(_, _, d)| strip_ws(&text(d))).collect();
    for label in [
        "項目", "改革の柱", "概要(目指す姿)", "指標", "活動指標", "成果指標", "目標", "実績", "計",
        "取組目標", "活動実績", "成果実績", "内部評価(結果要因、次年度課題等)", "外部評価", "取組内容", "項目名",
        "取組主管課", "区分", "関係計画等", "効果額", "説明", "概要(目指すもの)", "その他効果", "取組内容(活動)",
        "自己評価", "評価理由", "次年度以降", "次年度以降の取組の方向性・課題等", "R3", "R7",
        "令和3年度(2021年度)", "令和7年度(2025年度)", "☑新規 □継続", "□新規 ☑継続", "50団体", "60団体以上",
    ] {
        assert!(values.iter().any(|v| *v == strip_ws(label)), "{label} is not a cell of the form");
    }
}

#[test]
fn form_print_setup() {
    let (sheet, bytes) = reference();
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    let setup = xml.split("<pageSetup ").nth(1).unwrap().split("/>").next().unwrap();
    assert_eq!(attr(setup, "paperSize").as_deref(), Some("9"), "A4");
    assert_eq!(attr(setup, "orientation").as_deref(), Some("landscape"));
    // A print scale (Excel ignores manual page breaks under fit-to-page), no print titles.
    let scale: u32 = attr(setup, "scale").unwrap().parse().unwrap();
    assert!((50..=100).contains(&scale), "scale {scale}");
    assert!(!xml.contains("fitToPage"));
    let footer = xml.split("<oddFooter>").nth(1).unwrap().split("</oddFooter>").next().unwrap();
    assert!(footer.contains("&amp;P") && footer.contains("&amp;N"), "page numbers: {footer}");
    assert!(footer.contains("3-2 多様な主体との協働・連携の推進"), "the item: {footer}");
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(!workbook.contains("Print_Titles\" localSheetId=\"0\""), "{workbook}");
    // A page break where each PDF page after the first starts (check_form checks where).
    let breaks = xml.split("<rowBreaks").nth(1).map(|s| s.split("</rowBreaks>").next().unwrap().matches("<brk ").count()).unwrap_or(0);
    assert_eq!(breaks, sheet.pages.len() - 1);
    // Cells are indented off their borders (left- and right-aligned; centred ones need not).
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("indent=\"1\""), "no indented cell format");
}

#[test]
fn fonts_are_biz_udgothic_only() {
    let bytes = reference().1;
    let styles = part(&bytes, "xl/styles.xml");
    let names: Vec<String> = styles.split("<name ").skip(1).filter_map(|t| attr(t, "val")).collect();
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n == "BIZ UDゴシック"), "{names:?}");
}

// ---------------------------------------------------------------------------------------------
// Other plans, tall rows, determinism

#[test]
fn another_plan_works_too() {
    let (sheet, bytes) = other_plan();
    check_form(&sheet, &bytes);
    let mut wb = open(&bytes);
    let range = wb.worksheet_range("シート").unwrap();
    assert_eq!(range.get_value((0, 0)), Some(&Data::String("みなと町行財政改革推進プラン 取組状況報告書".into())));
    // (Values are the lines as measured for Excel, joined by line breaks.)
    let values: Vec<String> = range.used_cells().map(|(_, _, d)| strip_ws(&text(d))).collect();
    for v in ["平成30年度(2018年度)", "令和元年度(2019年度)", "令和3年度(2021年度)", "H30", "R1", "2 町民との協働", "II：要改善"] {
        assert!(values.iter().any(|x| x.contains(&strip_ws(v))), "{v} missing from the form");
    }
    assert!(!values.iter().any(|x| x.contains("令和4年度")), "a 4-year plan has four year columns");

    let rows = data_rows(&bytes);
    let doc = yaml_tree::parse(&std::fs::read_to_string(root().join("tests/fixtures/other-plan/2-1.yaml")).unwrap()).unwrap();
    for e in yearly_values(&doc) {
        assert!(
            rows.iter().any(|r| r.initiative == e.initiative && r.section == e.section && r.field == e.field && r.year == Some(e.year) && r.value == e.value && r.unit == e.unit),
            "{e:?} not in データ"
        );
    }
    assert!(rows.iter().any(|r| r.field == "内部評価" && r.year == Some(2018.0) && r.value == Data::String("II：要改善".into())));
    assert!(rows.iter().any(|r| r.section == "効果額" && r.field == "目標" && r.year == Some(2019.0) && r.value == Data::Float(1200.0) && r.unit == "千円"));
    for r in &rows {
        assert_eq!(r.item, "2-1");
        if let Some(y) = r.year {
            assert!((2018.0..=2021.0).contains(&y), "{r:?}");
        }
    }
}

/// The other plan's item with a 2019 取組目標 far taller than Excel's 409 pt row limit.
fn tall_sheets() -> (common::TempDir, Vec<String>) {
    let dir = root().join("tests/fixtures/other-plan");
    let plan = std::fs::read_to_string(dir.join("plan.yaml")).unwrap();
    let item = std::fs::read_to_string(dir.join("2-1.yaml")).unwrap();
    let bullets: Vec<String> =
        (1..=90).map(|i| format!("第{i}回目の点検：町民説明会の運営方法を見直し、参加者の意見を次の取組に反映させる。")).collect();
    let list: String = bullets.iter().map(|b| format!("\n      - {b}")).collect();
    let old = "    取組目標: 説明会の周知方法を見直す。";
    assert!(item.contains(old), "fixture changed: update this test");
    let item = item.replace(old, &format!("    取組目標:{list}"));
    let tmp = common::sheets("xlsx-tall", &[("plan.yaml", plan.as_bytes()), ("2-1.yaml", item.as_bytes())]);
    (tmp, bullets)
}

#[test]
fn a_row_taller_than_excel_allows_is_split_over_rows() {
    let (tmp, bullets) = tall_sheets();
    let (sheet, bytes) = build_item(tmp.path(), "2-1");
    let tallest = sheet.tables.iter().flat_map(|t| &t.rows).map(|r| r.height).fold(0.0, f32::max);
    assert!(tallest > 2.0 * 409.0, "the test needs a tall row: {tallest}");

    let heights = row_heights(&part(&bytes, "xl/worksheets/sheet1.xml"));
    assert!(heights.iter().all(|(_, h)| *h <= 409.0), "every row within Excel's limit");

    // The bullets, in order, over several cells of one column.
    let mut wb = open(&bytes);
    let merged: Vec<_> = wb.merge_cells_by_sheet_name("シート").unwrap().iter().map(|d| (d.start, d.end)).collect();
    let range = wb.worksheet_range("シート").unwrap();
    let mut parts: Vec<(u32, u32, String)> = range
        .used_cells()
        .filter_map(|(r, c, d)| {
            let s = text(d);
            strip_ws(&s).contains("町民説明会の運営方法").then(|| (r as u32 + range.start().unwrap().0, c as u32, s))
        })
        .collect();
    parts.sort();
    // The year's cell keeps the first bullets; the rest goes on in the full-width row under
    // the table (layout::table_builder::spill_long_texts), itself taller than Excel allows.
    let joined: String = parts.iter().map(|p| strip_ws(&p.2.replace(layout::table_builder::SPILL_NOTE, "")).replace('・', "")).collect();
    assert!(parts[0].2.ends_with(layout::table_builder::SPILL_NOTE), "{:?}", parts[0].2);
    let parts: Vec<_> = parts[1..].to_vec();
    assert!(parts.len() >= 3, "split over several rows: {}", parts.len());
    assert!(parts.iter().all(|p| p.1 == parts[0].1), "one column");
    for w in parts.windows(2) {
        assert_eq!(w[1].0, w[0].0 + 1, "consecutive rows");
    }
    let mut at = 0;
    for b in &bullets {
        let pos = joined[at..].find(b.as_str()).unwrap_or_else(|| panic!("{b} missing or out of order"));
        at += pos + b.len();
    }
    // The row's label is merged over all of its parts.
    let (first, last) = (parts[0].0, parts.last().unwrap().0);
    let label = merged
        .iter()
        .find(|(s, e)| s.0 == first && e.0 == last && range.get_value(*s).map(|d| strip_ws(&text(d))).as_deref() == Some("取組目標(令和元年度)の続き"));
    assert!(label.is_some(), "the label merged over rows {first}..={last}: {merged:?}");

    // LibreOffice prints every bullet (nothing cut off).
    let out = common::TempDir::new("xlsx-tall-lo");
    let xlsx = out.join("2-1.xlsx");
    std::fs::write(&xlsx, &bytes).unwrap();
    let pdf = soffice_pdf(&xlsx, out.path());
    let printed = strip_ws(&pdftotext(&pdf));
    for b in &bullets {
        assert!(printed.contains(&strip_ws(b)), "{b} not printed");
    }
}

#[test]
fn same_item_twice_in_one_process_is_byte_identical() {
    assert_eq!(reference().1, reference().1);
    assert_eq!(other_plan().1, other_plan().1);
}

#[test]
fn build_writes_the_chosen_formats_and_identical_files_each_run() {
    let sheets = root().join("sheets");
    let tmp = common::TempDir::new("xlsx-formats");
    let run = |out: &str, format: Option<&str>| {
        let out = tmp.join(out);
        let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref(), "--sheets".as_ref(), sheets.as_os_str(), "--out".as_ref(), out.as_os_str()];
        if let Some(f) = format {
            args.extend::<[&std::ffi::OsStr; 2]>(["--format".as_ref(), f.as_ref()]);
        }
        let r = common::shinko(&args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        out
    };
    let both = run("both", None);
    assert_eq!(common::files_in(&both), ["3-2.pdf", "3-2.xlsx", "book.pdf", "html", "summary.csv", "summary.xlsx"]);
    assert_eq!(common::files_in(&both.join("html")), ["3-2.html", "index.html", "style.css"]);
    let pdf = run("pdf", Some("pdf"));
    assert_eq!(common::files_in(&pdf), ["3-2.pdf"]);
    let xlsx = run("xlsx", Some("xlsx"));
    assert_eq!(common::files_in(&xlsx), ["3-2.xlsx"]);
    let read = |dir: &Path| std::fs::read(dir.join("3-2.xlsx")).unwrap();
    assert_eq!(read(&both), read(&xlsx), "two runs, identical bytes");
    assert_eq!(read(&both), reference().1, "the binary writes what the library renders");
    let help = common::shinko(&["build".as_ref(), "--help".as_ref()]);
    assert!(help.stdout.contains("xlsx"), "{}", help.stdout);
}

// ---------------------------------------------------------------------------------------------
// LibreOffice as an outside oracle (CI installs libreoffice-calc-nogui and poppler-utils)

/// Converts a workbook to PDF with LibreOffice (a private profile, so tests can run at once).
/// fontconfig is given the repository's `fonts/` besides the system's, as a city PC has
/// BIZ UDゴシック installed.
fn soffice_pdf(xlsx: &Path, out: &Path) -> PathBuf {
    let profile = out.join("lo-profile");
    // LibreOffice finds the bundled BIZ UDGothic through fontconfig, as it finds the font on a
    // city PC (Windows ships it); nothing is installed into the system.
    let fonts_conf = out.join("fonts.conf");
    std::fs::write(
        &fonts_conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n  <dir>{}</dir>\n  <cachedir>{}</cachedir>\n</fontconfig>\n",
            root().join("fonts").display(),
            out.join("fontcache").display()
        ),
    )
    .unwrap();
    let status = Command::new("soffice")
        .env("FONTCONFIG_FILE", &fonts_conf)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out)
        .arg(xlsx)
        .output()
        .expect("soffice (LibreOffice) installed");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let pdf = out.join(xlsx.with_extension("pdf").file_name().unwrap());
    assert!(pdf.is_file(), "LibreOffice wrote no PDF: {}", String::from_utf8_lossy(&status.stderr));
    pdf
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout", "-enc", "UTF-8"]).arg(pdf).arg("-").output().expect("pdftotext");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn libreoffice_prints_a4_landscape_one_page_wide_with_every_seed_segment() {
    let tmp = common::TempDir::new("xlsx-lo");
    let r = common::shinko(&[
        "build".as_ref(), "--sheets".as_ref(), root().join("sheets").as_os_str(),
        "--out".as_ref(), tmp.path().as_os_str(), "--format".as_ref(), "xlsx".as_ref(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let pdf = soffice_pdf(&tmp.join("3-2.xlsx"), tmp.path());

    let info = Command::new("pdfinfo").args(["-f", "1", "-l", "999"]).arg(&pdf).output().unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    let sizes: Vec<&str> = info.lines().filter(|l| l.starts_with("Page") && l.contains(" size:")).collect();
    assert!(!sizes.is_empty(), "{info}");
    for s in &sizes {
        assert!(s.contains("841.89 x 595.3"), "A4 landscape: {s}");
    }

    // The form prints on as many pages as the PDF (±1), each one page wide and holding a
    // year heading (the tables' header rows, repeated above every continued part); then
    // the data sheet's pages.
    let (layout_sheet, _) = reference();
    let text = pdftotext(&pdf);
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), sizes.len());
    let form_pages: Vec<&str> = pages.iter().copied().take_while(|p| !(p.contains("取組番号") && p.contains("単位"))).collect();
    assert!(pages[form_pages.len()..].iter().all(|p| p.contains("取組番号") && p.contains("単位")), "form pages after the data sheet's");
    let n = form_pages.len() as i64;
    let pdf_pages = layout_sheet.pages.len() as i64;
    assert!((n - pdf_pages).abs() <= 1, "LibreOffice prints the form on {n} pages, the PDF has {pdf_pages}");
    for (i, p) in form_pages.iter().enumerate() {
        assert!(p.contains("令和3年度(2021年度)") || p.contains("R3"), "page {}: no year heading:\n{p}", i + 1);
        assert!(p.contains("3-2 多様な主体との協働・連携の推進"), "page {}: no footer", i + 1);
    }
    assert!(form_pages[0].contains("はだの行政サービス改革基本方針実行計画 進行管理シート"));
    let continued = form_pages.iter().filter(|p| p.contains("(続き)")).count();
    assert!(continued >= 1, "no continued table caption printed");

    let shared = root().join("../shared");
    let out = Command::new("python3")
        .arg(shared.join("tools/fidelity.py"))
        .arg(shared.join("seeds/000_e37e4a880967cc03.txt"))
        .arg(&pdf)
        .arg("--show-missing")
        .output()
        .expect("python3");
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("105/105"), "{out}");

    let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    assert!(fonts.contains("BIZUDGothic-Regular") && fonts.contains("BIZUDGothic-Bold"), "{fonts}");
}

/// A 21-year plan: 21 narrow year columns, where Excel's wrapping needs many more lines than
/// the PDF's and rows go over Excel's limit. The workbook is written (no panic), every row
/// within the limit, every text of the item in the form.
#[test]
fn a_21_year_plan_writes_its_form() {
    let dir = root().join("tests/fixtures/other-plan");
    let plan = std::fs::read_to_string(dir.join("plan.yaml")).unwrap();
    let plan = plan.replace("終了年度: 2021", "終了年度: 2038");
    assert!(plan.contains("終了年度: 2038"), "fixture changed: update this test");
    let item = std::fs::read_to_string(dir.join("2-1.yaml")).unwrap();
    let long = "説明会を定期的に開催し、町民の意見を聞き取り、次の取組に反映させるための仕組みを整える。".repeat(3);
    let old = "    取組目標: 説明会の周知方法を見直す。";
    assert!(item.contains(old), "fixture changed: update this test");
    let item = item.replace(old, &format!("    取組目標: {long}"));
    let tmp = common::sheets("xlsx-21-years", &[("plan.yaml", plan.as_bytes()), ("2-1.yaml", item.as_bytes())]);
    let (sheet, bytes) = build_item(tmp.path(), "2-1");
    let year_table = sheet.tables.iter().find(|t| t.caption == "年度別の取組").unwrap();
    assert_eq!(year_table.columns.len(), 1 + 21);
    let heights = row_heights(&part(&bytes, "xl/worksheets/sheet1.xml"));
    assert!(heights.iter().all(|(_, h)| *h <= 409.0), "every row within Excel's limit");
    let mut wb = open(&bytes);
    let range = wb.worksheet_range("シート").unwrap();
    let all: String = range.used_cells().map(|(_, _, d)| strip_ws(&text(d))).collect();
    assert!(all.contains(&strip_ws(&long)) || all.matches("説明会を定期的に開催し").count() >= 3, "the long 取組目標 is in the form");
    assert!(all.contains("令和20年度(2038年度)"));
}
