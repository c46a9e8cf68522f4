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

/// The pieces of a cell, page by page: (page, first line, end line, continued label).
fn pieces(sheet: &Sheet, ti: usize, ci: usize) -> Vec<(usize, usize, usize, bool)> {
    let mut out = Vec::new();
    for (p, page) in sheet.pages.iter().enumerate() {
        for c in page.cells.iter().filter(|c| c.table == ti && c.cell == ci) {
            out.push((p, c.first_line, c.end_line, c.continued));
        }
    }
    out
}

/// Checks a long text cut at `row` of table `ti`: the cell keeps its beginning and ends with
/// the note, the rest is in a full-width row under the table labelled 「{label} の続き」, and
/// that label is on every page the rest reaches (with 「(続き)」 after the first). Returns
/// the text of both parts, joined.
fn assert_spilled(sheet: &Sheet, ti: usize, label: &str, continued: &str) -> String {
    let t = &sheet.tables[ti];
    let row = t.rows.iter().position(|r| r.flows).expect("a row of running text under the table");
    assert_eq!(row, t.rows.len() - 1, "the rest goes under the table");
    let label_ci = t.cells.iter().position(|c| c.row == row && c.col == 0).unwrap();
    let text_ci = t.cells.iter().position(|c| c.row == row && c.col > 0).unwrap();
    assert_eq!(t.cells[label_ci].value(), label);
    assert_eq!(t.cells[text_ci].col + t.cells[text_ci].col_span, t.columns.len(), "the rest is as wide as the table");
    let kept = t.cells.iter().find(|c| c.paragraphs.last().map(String::as_str) == Some(layout::table_builder::SPILL_NOTE)).expect("the cut cell ends with the note");
    assert!(kept.lines.len() <= 2 * layout::table_builder::LONG_TEXT_KEEP_LINES, "{} lines kept", kept.lines.len());
    let text_pages: Vec<usize> = pieces(sheet, ti, text_ci).iter().filter(|p| p.2 > p.1).map(|p| p.0).collect();
    let label_pieces = pieces(sheet, ti, label_ci);
    for (k, p) in text_pages.iter().enumerate() {
        let on_page: Vec<_> = label_pieces.iter().filter(|l| l.0 == *p && l.2 > l.1).collect();
        assert_eq!(on_page.len(), 1, "page {}: the label of the rest is not there", p + 1);
        let expect = if k == 0 { label } else { continued };
        let lines = if on_page[0].3 { &t.cells[label_ci].continued_lines } else { &t.cells[label_ci].lines };
        let drawn: String = lines[on_page[0].1..on_page[0].2].iter().map(|l| l.text.as_str()).collect();
        let no_space = |s: &str| s.replace(' ', "");
        assert_eq!(no_space(&drawn), no_space(expect), "page {}", p + 1);
    }
    let mut all = kept.paragraphs[..kept.paragraphs.len() - 1].concat();
    all.push_str(&t.cells[text_ci].value());
    all
}

#[test]
fn a_text_longer_than_a_page_goes_on_under_its_table_over_pages() {
    let long: String = (1..=400).map(|i| format!("第{i}項の取組について、関係部署と連携して着実に進める。")).collect();
    let item = format!("項目: \"9-9\"\n項目名: 長い文章\n改革の柱: 3\n年度別:\n  2022:\n    活動実績: \"{long}\"\n  2021:\n    活動実績: 短い文。\n");
    let sheet = sheet_from_yaml(&item);
    assert_geometry(&sheet);
    assert_page_economy(&sheet);
    let ti = sheet.tables.iter().position(|t| t.caption == "年度別の取組").unwrap();
    let text = assert_spilled(&sheet, ti, "活動実績 (令和4年度) の続き", "活動実績 (令和4年度) (続き)");
    assert_eq!(text, long, "every character kept, in order");
    let t = &sheet.tables[ti];
    let text_ci = t.cells.iter().position(|c| c.row == t.rows.len() - 1 && c.col > 0).unwrap();
    let p = pieces(&sheet, ti, text_ci);
    assert!(p.len() >= 2, "the rest should run over pages: {p:?}");
    for w in p.windows(2) {
        assert_eq!(w[0].2, w[1].1, "lines continue where the previous page stopped");
    }
    // On each later page the year header is repeated above the rest.
    for &(page, ..) in &p[1..] {
        let header: Vec<String> = sheet.pages[page].cells.iter().filter(|c| c.table == ti && c.repeated && !c.continued).map(|c| t.cells[c.cell].value()).collect();
        assert!(header.contains(&"令和4年度(2022年度)".to_owned()), "page {}: {header:?}", page + 1);
    }
}

#[test]
fn a_long_reason_in_one_year_keeps_the_sheet_short() {
    let dir = root().join("tests/fixtures/long-text");
    let sheets = sheets_of(&dir);
    let sheet = &sheets[0];
    assert_geometry(sheet);
    assert_page_economy(sheet);
    assert!(sheet.pages.len() <= 9, "{} pages: {:?}", sheet.pages.len(), filled(sheet));
    let ti = sheet.tables.iter().position(|t| t.caption.starts_with("3-2-1.")).unwrap();
    let text = assert_spilled(sheet, ti, "評価理由 (令和3年度) の続き", "評価理由 (令和3年度) (続き)");
    let mut diags = Diagnostics::default();
    let set = load::load_dir(&dir, &mut diags).unwrap();
    let reason = set.items[0].item.initiatives[0].years[&2021].value.reason.paragraphs().concat();
    assert!(reason.chars().count() >= 2900);
    assert_eq!(text, reason);
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
            // (Running text under a table is split between lines to fill a page.)
            let flows = end == start + 1 && t.rows[start].flows;
            if !flows && h + header_h + sheet.spec.caption_height() <= body {
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
                t.rows.len() == t.header_rows
                    || page.cells.iter().filter(|c| c.table == ti && !c.repeated).any(|c| t.cells[c.cell].row >= t.header_rows),
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
