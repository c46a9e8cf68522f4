//! The layout, checked directly: every line fits its cell, every cell its page; kinsoku;
//! long texts flow onto the next page with the table's header row repeated.

use std::path::{Path, PathBuf};

use shinko::diag::Diagnostics;
use shinko::font::{self};
use shinko::layout::{self, Sheet};
use shinko::linebreak::{break_lines, is_no_end, is_no_start};
use shinko::{load, validate};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sheets_of(dir: &Path) -> Vec<Sheet> {
    let mut diags = Diagnostics::default();
    let set = load::load_dir(dir, &mut diags).unwrap();
    validate::validate(&set, &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.list);
    let plan = set.plan.as_ref().unwrap();
    set.items.iter().map(|f| layout::lay_out(plan, &f.item)).collect()
}

/// Lays out an item given as YAML text, with the reference plan.
fn sheet_from_yaml(item: &str) -> Sheet {
    let plan = std::fs::read(root().join("sheets/plan.yaml")).unwrap();
    let mut diags = Diagnostics::default();
    let set = load::load_files(
        vec![(PathBuf::from("plan.yaml"), plan), (PathBuf::from("9-9.yaml"), item.as_bytes().to_vec())],
        &mut diags,
    );
    validate::validate(&set, &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.list);
    layout::lay_out(set.plan.as_ref().unwrap(), &set.items[0].item)
}

/// No line wider than its cell, no line below its piece, no piece outside the page body,
/// every line of every cell drawn exactly once.
fn assert_geometry(sheet: &Sheet) {
    let spec = &sheet.spec;
    let mut drawn = std::collections::HashMap::new();
    for (pi, page) in sheet.pages.iter().enumerate() {
        for pc in &page.cells {
            let cell = &sheet.tables[pc.table].cells[pc.cell];
            let face = font::face(cell.weight);
            let lh = spec.line_height(cell.size);
            let inner_w = pc.w - 2.0 * spec.pad_x;
            let lines = if pc.continued { &cell.continued_lines } else { &cell.lines };
            for line in &lines[pc.first_line..pc.end_line] {
                let w = face.width(&line.text, cell.size) + line.indent;
                assert!(w <= inner_w + 0.01, "page {}: line {:?} is {w:.1} pt wide in a {inner_w:.1} pt cell", pi + 1, line.text);
            }
            let used = (pc.end_line - pc.first_line) as f32 * lh + 2.0 * spec.pad_y;
            assert!(used <= pc.h + 0.01, "page {}: {} lines need {used:.1} pt in a {:.1} pt piece", pi + 1, pc.end_line - pc.first_line, pc.h);
            assert!(pc.y >= spec.margin - 0.01 && pc.y + pc.h <= spec.content_bottom() + 0.01, "page {}: piece outside the page body", pi + 1);
            assert!(pc.x >= spec.margin - 0.01 && pc.x + pc.w <= spec.width - spec.margin + 0.01);
            if !pc.repeated {
                *drawn.entry((pc.table, pc.cell)).or_insert(0) += pc.end_line - pc.first_line;
            }
        }
    }
    for (ti, t) in sheet.tables.iter().enumerate() {
        for (ci, c) in t.cells.iter().enumerate() {
            assert_eq!(drawn.get(&(ti, ci)).copied().unwrap_or(0), c.lines.len(), "table {} cell {ci} ({:?}) not drawn exactly once", t.caption, c.paragraphs);
        }
    }
}

#[test]
fn reference_sheet_fits_its_cells_and_pages() {
    for sheet in sheets_of(&root().join("sheets")) {
        assert_geometry(&sheet);
        assert_eq!(sheet.pages.last().unwrap().footer_right, format!("{0} / {0}", sheet.pages.len()));
        assert_eq!(sheet.pages[0].footer_left, "3-2 多様な主体との協働・連携の推進");
    }
}

#[test]
fn other_plan_fits_and_has_four_year_columns() {
    let sheets = sheets_of(&root().join("tests/fixtures/other-plan"));
    let sheet = &sheets[0];
    assert_geometry(sheet);
    let year_table = sheet.tables.iter().find(|t| t.caption == "年度別の取組").unwrap();
    assert_eq!(year_table.columns.len(), 1 + 4);
    let headers: Vec<String> = year_table.cells.iter().filter(|c| c.row == 0).map(|c| c.value()).collect();
    assert_eq!(headers, ["", "平成30年度(2018年度)", "令和元年度(2019年度)", "令和2年度(2020年度)", "令和3年度(2021年度)"]);
    let ind = sheet.tables.iter().find(|t| t.caption == "指標").unwrap();
    let headers: Vec<String> = ind.cells.iter().filter(|c| c.row == 0).map(|c| c.value()).collect();
    assert_eq!(headers, ["", "指標", "", "H30", "R1", "R2", "R3", "計"]);
}

const SAMPLE: &str = "全ての取組内容について、着実に取り組み、効果を上げる。「協働・連携」につながる新たな取組みを検討し、ショッピングセンターやチェックリストを活用する。令和３年度は１００件、50団体が加入（予定）。";

#[test]
fn kinsoku_holds_at_every_width() {
    let face = font::face(font::Weight::Regular);
    let measure = |s: &str| face.width(s, 8.0);
    for width in (30..=400).step_by(3) {
        let lines = break_lines(SAMPLE, width as f32, &measure);
        assert_eq!(lines.concat(), SAMPLE, "text lost or changed at width {width}");
        for (i, l) in lines.iter().enumerate() {
            assert!(measure(l) <= width as f32 + 0.01, "line too wide at {width}: {l}");
            if i > 0 {
                let first = l.chars().next().unwrap();
                assert!(!is_no_start(first), "width {width}: line starts with {first}: {lines:?}");
            }
            if i + 1 < lines.len() {
                let last = l.chars().last().unwrap();
                assert!(!is_no_end(last), "width {width}: line ends with {last}: {lines:?}");
            }
        }
        // Numbers and numbers with units are never split.
        if width >= 40 {
            let mut offset = 0;
            for l in &lines[..lines.len() - 1] {
                offset += l.len();
                for token in ["１００件", "50団体", "３年度"] {
                    let at = SAMPLE.find(token).unwrap();
                    assert!(!(offset > at && offset < at + token.len()), "width {width}: {token} split: {lines:?}");
                }
            }
        }
    }
}

#[test]
fn no_cell_line_starts_with_a_forbidden_character() {
    let item = format!(
        "項目: \"9-9\"\n項目名: 禁則の確認\n改革の柱: 3\n概要: \"{SAMPLE}\"\n年度別:\n  2021:\n    取組目標: [\"{SAMPLE}\", \"{SAMPLE}\"]\n    成果実績: \"{SAMPLE}{SAMPLE}\"\n"
    );
    let sheet = sheet_from_yaml(&item);
    assert_geometry(&sheet);
    let mut checked = 0;
    for t in &sheet.tables {
        for c in &t.cells {
            for w in c.lines.windows(2) {
                // A bullet's own first line starts with `・` by design.
                let bullet_start = w[1].indent == 0.0 && w[1].text.starts_with('・');
                let first = w[1].text.chars().next();
                if let Some(first) = first.filter(|_| !bullet_start) {
                    assert!(!is_no_start(first), "line starts with {first}: {:?}", c.lines);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10, "the sample should wrap in several cells");
}

#[test]
fn a_text_longer_than_a_page_flows_on_with_the_header_repeated() {
    let long: String = (1..=120).map(|i| format!("第{i}項の取組について、関係部署と連携して着実に進める。")).collect();
    let item = format!("項目: \"9-9\"\n項目名: 長い文章\n改革の柱: 3\n年度別:\n  2022:\n    活動実績: \"{long}\"\n");
    let sheet = sheet_from_yaml(&item);
    assert_geometry(&sheet);
    let ti = sheet.tables.iter().position(|t| t.caption == "年度別の取組").unwrap();
    let pages_with_table: Vec<usize> = (0..sheet.pages.len())
        .filter(|&p| sheet.pages[p].cells.iter().any(|c| c.table == ti && !c.repeated))
        .collect();
    assert!(pages_with_table.len() >= 2, "the year table should span pages: {pages_with_table:?}");
    for &p in &pages_with_table[1..] {
        let page = &sheet.pages[p];
        let top = page.cells.iter().filter(|c| c.table == ti).map(|c| c.y).fold(f32::MAX, f32::min);
        let header: Vec<String> = page
            .cells
            .iter()
            .filter(|c| c.table == ti && c.repeated && (c.y - top).abs() < 0.01)
            .map(|c| sheet.tables[ti].cells[c.cell].value())
            .collect();
        assert!(header.contains(&"令和4年度(2022年度)".to_owned()), "page {}: header not repeated at the top: {header:?}", p + 1);
    }
    // The long cell's lines are spread over the pages, in order.
    let cell = sheet.tables[ti].cells.iter().position(|c| c.value() == long).unwrap();
    let pieces: Vec<(usize, usize)> = sheet.pages.iter().flat_map(|p| p.cells.iter()).filter(|c| c.table == ti && c.cell == cell).map(|c| (c.first_line, c.end_line)).collect();
    assert!(pieces.len() >= 2);
    for w in pieces.windows(2) {
        assert_eq!(w[0].1, w[1].0, "lines continue where the previous page stopped");
    }
}

/// How much of each page's content area is filled, from its top margin to the lowest cell.
fn filled(sheet: &Sheet) -> Vec<f32> {
    let spec = &sheet.spec;
    sheet
        .pages
        .iter()
        .map(|p| {
            let bottom = p.cells.iter().map(|c| c.y + c.h).fold(spec.margin, f32::max);
            (bottom - spec.margin) / spec.body_height()
        })
        .collect()
}

/// The page economy rules: no page but the last less than half full; a row group that fits
/// a page is never broken; no table leaves its header rows alone at a page foot; every
/// continued part of a captioned table starts with its caption 「… (続き)」 and its header rows.
fn assert_page_economy(sheet: &Sheet) {
    let fill = filled(sheet);
    for (i, f) in fill.iter().enumerate().take(fill.len() - 1) {
        assert!(*f >= 0.5, "page {} of {} is only {:.0}% full: {fill:?}", i + 1, fill.len(), f * 100.0);
    }
    let body = sheet.spec.body_height();
    for (ti, t) in sheet.tables.iter().enumerate() {
        let pages: Vec<usize> = (0..sheet.pages.len()).filter(|&p| sheet.pages[p].cells.iter().any(|c| c.table == ti && !c.repeated)).collect();
        assert!(!pages.is_empty(), "{} is not drawn", t.caption);
        let header_h: f32 = t.rows[..t.header_rows].iter().map(|r| r.height).sum();
        // Row groups (rows joined by a spanning cell) that fit a page are on one page.
        let mut reach: Vec<usize> = (0..t.rows.len()).map(|r| r + 1).collect();
        for c in &t.cells {
            reach[c.row] = reach[c.row].max(c.row + c.row_span);
        }
        let mut start = t.header_rows;
        while start < t.rows.len() {
            let mut end = reach[start];
            let mut r = start;
            while r < end {
                end = end.max(reach[r]);
                r += 1;
            }
            let h: f32 = t.rows[start..end].iter().map(|r| r.height).sum();
            if h + header_h + sheet.spec.caption_height() <= body {
                let on: std::collections::BTreeSet<usize> = (0..sheet.pages.len())
                    .filter(|&p| {
                        sheet.pages[p].cells.iter().filter(|c| c.table == ti && !c.repeated).any(|c| {
                            let row = t.cells[c.cell].row;
                            row >= start && row < end
                        })
                    })
                    .collect();
                assert_eq!(on.len(), 1, "{}: rows {start}..{end} broken over pages {on:?}", t.caption);
            }
            start = end;
        }
        for (k, &p) in pages.iter().enumerate() {
            let page = &sheet.pages[p];
            // Something of the table's body is on every page it is on.
            assert!(
                page.cells.iter().filter(|c| c.table == ti && !c.repeated).any(|c| t.cells[c.cell].row >= t.header_rows),
                "page {}: {} has only its header rows there",
                p + 1,
                t.caption
            );
            let Some(heading) = &t.heading else { continue };
            let caption = page.captions.iter().find(|c| c.table == ti).unwrap_or_else(|| panic!("page {}: no caption for {heading}", p + 1));
            if k == 0 {
                assert!(!caption.continued);
                assert_eq!(&caption.text, heading);
            } else {
                assert!(caption.continued);
                assert_eq!(caption.text, format!("{heading} (続き)"));
                // The header rows are repeated right under it.
                let top = page.cells.iter().filter(|c| c.table == ti).map(|c| c.y).fold(f32::MAX, f32::min);
                assert!(caption.baseline < top, "page {}: caption below the table", p + 1);
                let header: Vec<String> = page
                    .cells
                    .iter()
                    .filter(|c| c.table == ti && c.repeated && !c.continued && (c.y - top).abs() < 0.01)
                    .map(|c| t.cells[c.cell].value())
                    .collect();
                assert!(header.iter().any(|h| h.contains("年度")), "page {}: header rows not repeated: {header:?}", p + 1);
            }
        }
    }
}

#[test]
fn the_reference_sheet_fills_its_pages() {
    let sheets = sheets_of(&root().join("sheets"));
    let sheet = &sheets[0];
    assert_page_economy(sheet);
    let fill = filled(sheet);
    assert!(sheet.pages.len() <= 6, "{} pages: {fill:?}", sheet.pages.len());
    // The sheet's tables do not all fit whole: some continue, with their captions.
    let continued: Vec<&str> = sheet.pages.iter().flat_map(|p| &p.captions).filter(|c| c.continued).map(|c| c.text.as_str()).collect();
    assert!(!continued.is_empty(), "no table continues on a later page: {fill:?}");
    // Every initiative has its caption, once not continued.
    for t in sheet.tables.iter().filter(|t| t.bookmark) {
        let heading = t.heading.as_deref().unwrap();
        let n = sheet.pages.iter().flat_map(|p| &p.captions).filter(|c| !c.continued && c.text == heading).count();
        assert_eq!(n, 1, "{heading}");
    }
}

#[test]
fn the_other_plan_fills_its_pages() {
    for sheet in sheets_of(&root().join("tests/fixtures/other-plan")) {
        assert_geometry(&sheet);
        assert_page_economy(&sheet);
    }
}
