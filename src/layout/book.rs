//! The annual book (冊子): cover, 目次, the 総括表 pages, a chart page, then every item's sheet
//! grouped by 柱 in natural order. Pure like the rest of the layout: the items' laid-out sheets
//! and the 総括表 in, every book page placed out. The PDF renderer draws the item pages with
//! the same code as the item files.
//!
//! Page numbers: the cover is unnumbered (label 表紙); the 目次 is page 1 and the count runs
//! on to the end, so the printed number of a page is its index in the file. The footer of an
//! item page has the item with its own `n / N` on the left and the book's page number on the
//! right.

use super::grid::{Bookmark, PageSpec, Sheet, Table};
use super::paginate;
use super::table_builder::{Look, TableBuilder};
use crate::era;
use crate::font::{self, Weight};
use crate::model::Plan;
use crate::summary::{self, Column, Summary};

/// Fill colours of the 自己評価 grades in the chart (PDF and XLSX), then 未記入 (grey).
/// Chosen to stay apart for common colour-vision deficiencies (Okabe–Ito).
pub const GRADE_COLORS: [[u8; 3]; 7] = [
    [0x00, 0x72, 0xB2],
    [0x56, 0xB4, 0xE9],
    [0xE6, 0x9F, 0x00],
    [0xD5, 0x5E, 0x00],
    [0xCC, 0x79, 0xA7],
    [0x00, 0x9E, 0x73],
    [0xBB, 0xBB, 0xBB],
];

/// The colour of grade `g` of `n` grades (the last, 未記入, is grey).
pub fn grade_color(g: usize, n_with_blank: usize) -> [u8; 3] {
    if g + 1 == n_with_blank { GRADE_COLORS[6] } else { GRADE_COLORS[g % 6] }
}

/// A line of text placed on a page.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedText {
    pub text: String,
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub weight: Weight,
}

/// An entry of the 目次: its lines, the page number at the right, and the page it links to.
#[derive(Clone, Debug, PartialEq)]
pub struct TocEntry {
    pub lines: Vec<PlacedText>,
    pub number: PlacedText,
    /// The end of the entry's last line and the start of the number: the dotted leader.
    pub leader: (f32, f32, f32),
    /// The clickable rectangle (x, y, w, h).
    pub rect: (f32, f32, f32, f32),
    /// Book page index of the target.
    pub target: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TocPage {
    pub heading: Option<PlacedText>,
    pub entries: Vec<TocEntry>,
}

/// One bar segment of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub color: [u8; 3],
}

/// The 自己評価 chart: horizontal stacked bars, one per 柱.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub heading: PlacedText,
    pub bars: Vec<Bar>,
    /// Axis and grid lines: (x1, y1, x2, y2).
    pub lines: Vec<(f32, f32, f32, f32)>,
    /// Category labels, tick numbers, legend names (black).
    pub texts: Vec<PlacedText>,
    /// The counts written in the bars, with their colour (white on dark bars).
    pub bar_texts: Vec<(PlacedText, [u8; 3])>,
    /// Legend swatches.
    pub swatches: Vec<Bar>,
    /// The figure's bounding box (x, y, w, h).
    pub bbox: (f32, f32, f32, f32),
    /// The Alt text: the numbers in words.
    pub alt: String,
}

/// What is on a book page.
#[derive(Clone, Debug, PartialEq)]
pub enum BookPage {
    Cover,
    Toc(usize),
    /// Page `n` of the 総括表 sheet.
    Summary(usize),
    Chart,
    /// Page `page` of item sheet `sheet` (index into `Book::sheets`).
    Item { sheet: usize, page: usize },
}

/// A bookmark of the book: title, page, y, children.
#[derive(Clone, Debug, PartialEq)]
pub struct BookMark {
    pub title: String,
    pub page: usize,
    pub y: f32,
    pub children: Vec<BookMark>,
}

/// The laid-out book.
pub struct Book<'a> {
    pub spec: PageSpec,
    pub document_title: String,
    pub cover: Vec<PlacedText>,
    pub toc: Vec<TocPage>,
    /// The 総括表 tables, paginated like a sheet (footers set for the book).
    pub summary: Sheet,
    pub chart: Chart,
    /// The item sheets in book order.
    pub sheets: Vec<&'a Sheet>,
    pub pages: Vec<BookPage>,
    /// Per page: the printed label (`表紙`, `1`, `2`…) and the footer (left, right).
    pub labels: Vec<String>,
    pub footers: Vec<(String, String)>,
    pub bookmarks: Vec<BookMark>,
}

impl Book<'_> {
    /// The book page index where item sheet `i` starts.
    pub fn sheet_start(&self, i: usize) -> usize {
        self.pages.iter().position(|p| matches!(p, BookPage::Item { sheet, page: 0 } if *sheet == i)).unwrap_or(0)
    }
}

fn centered(text: &str, size: f32, weight: Weight, baseline: f32, spec: &PageSpec) -> PlacedText {
    let w = font::face(weight).width(text, size);
    PlacedText { text: text.to_owned(), x: (spec.width - w) / 2.0, baseline, size, weight }
}

/// Column widths for a 総括表 table: each column as wide as its widest value or header word,
/// then the text columns shrunk (or the whole table widened) to the content width.
fn summary_columns(t: &summary::SummaryTable, spec: &PageSpec) -> Vec<f32> {
    let face = font::face(Weight::Regular);
    let size = spec.body_size;
    let pad = 2.0 * spec.pad_x + 1.0;
    // Headers wrap: a number column is at most 60 pt wide for its header, a text column 120.
    let mut w: Vec<f32> = t
        .headers
        .iter()
        .zip(&t.columns)
        .map(|(h, c)| (face.width(h, size) + pad).min(if *c == Column::Text { 120.0 } else { 60.0 }).max(34.0))
        .collect();
    for row in &t.rows {
        for (c, v) in row.iter().enumerate() {
            let s = summary::shown(v, t.columns[c]);
            let cw = s.lines().map(|l| face.width(l, size)).fold(0.0, f32::max) + pad;
            w[c] = w[c].max(cw.min(320.0));
        }
    }
    let total: f32 = w.iter().sum();
    let avail = spec.content_width();
    let text_cols: Vec<usize> = (0..w.len()).filter(|&c| t.columns[c] == Column::Text).collect();
    if total > avail {
        // Shrink the text columns proportionally; numbers keep their width.
        let fixed: f32 = (0..w.len()).filter(|c| !text_cols.contains(c)).map(|c| w[c]).sum();
        let text: f32 = text_cols.iter().map(|&c| w[c]).sum();
        if text > 0.0 && avail > fixed {
            let k = (avail - fixed) / text;
            for &c in &text_cols {
                w[c] *= k;
            }
        } else {
            let k = avail / total;
            for x in &mut w {
                *x *= k;
            }
        }
    }
    // A table narrower than the page keeps its natural widths.
    w
}

/// The 総括表 as layout tables: a caption row spanning the table (a header row, repeated on a
/// continuation page), the column headers, the rows.
pub fn summary_tables(s: &Summary, spec: &PageSpec) -> Vec<Table> {
    let mut out = Vec::new();
    for (i, t) in s.tables().iter().enumerate() {
        let caption = format!("{}. {}", i + 1, t.caption);
        let cols = summary_columns(t, spec);
        let n = cols.len();
        let mut b = TableBuilder::new(spec, caption.clone(), cols).bookmark(true);
        let r = b.add_rows(2);
        b.header_rows(2);
        b.text(r, 0, 1, n, Look { fill: None, ..Look::LABEL }, caption);
        for (c, h) in t.headers.iter().enumerate() {
            b.text(r + 1, c, 1, 1, Look::COLUMN, h.clone());
        }
        if t.rows.is_empty() {
            let r = b.add_rows(1);
            b.text(r, 0, 1, n, Look::DATA, "該当なし");
        }
        for (k, row) in t.rows.iter().enumerate() {
            let r = b.add_rows(1);
            let total = t.total_row && k + 1 == t.rows.len();
            for (c, v) in row.iter().enumerate() {
                let mut look = if t.columns[c] == Column::Text { Look::DATA } else { Look::NUMBER };
                if total {
                    look.weight = Weight::Bold;
                }
                if c == 0 && (total || t.columns[0] == Column::Text) {
                    look = Look { role: crate::layout::Role::Header, fill: None, ..look };
                }
                b.text(r, c, 1, 1, look, summary::shown(v, t.columns[c]));
            }
        }
        out.push(b.finish());
    }
    out
}

/// The chart page's figure.
fn chart(s: &Summary, spec: &PageSpec) -> Chart {
    let heading = centered(
        &format!("自己評価の分布 (柱別、取組数、{})", era::long_label(s.year)),
        spec.title_size,
        Weight::Bold,
        spec.margin + spec.title_size,
        spec,
    );
    let face = font::face(Weight::Regular);
    let size = 9.0;
    let headers = s.grade_headers();
    let label_w = s
        .pillars
        .iter()
        .map(|p| face.width(&format!("柱{}", p.label), size))
        .fold(60.0, f32::max)
        .min(260.0);
    let x0 = spec.margin + label_w + 10.0;
    let x1 = spec.width - spec.margin - 20.0;
    let top = spec.margin + spec.title_size * 3.0;
    let bar_h = 26.0;
    let gap = 14.0;
    let max = s.pillars.iter().map(|p| p.counts.total()).max().unwrap_or(0).max(1);
    // Ticks: a step of 1, 2, 5, 10, … giving at most 10 intervals.
    let step = [1usize, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
        .into_iter()
        .find(|st| max.div_ceil(*st) <= 10)
        .unwrap_or(10000);
    let axis_max = max.div_ceil(step) * step;
    let scale = (x1 - x0) / axis_max as f32;
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    let mut bar_texts = Vec::new();
    let mut lines = Vec::new();
    let bottom = top + s.pillars.len() as f32 * (bar_h + gap);
    for k in 0..=axis_max / step {
        let x = x0 + (k * step) as f32 * scale;
        lines.push((x, top - 4.0, x, bottom));
        let t = (k * step).to_string();
        let w = face.width(&t, size);
        texts.push(PlacedText { text: t, x: x - w / 2.0, baseline: bottom + size + 4.0, size, weight: Weight::Regular });
    }
    let unit = "取組数";
    texts.push(PlacedText {
        text: unit.to_owned(),
        x: x1 - face.width(unit, size),
        baseline: bottom + 2.0 * size + 10.0,
        size,
        weight: Weight::Regular,
    });
    for (i, p) in s.pillars.iter().enumerate() {
        let y = top + i as f32 * (bar_h + gap);
        let label = format!("柱{}", p.label);
        let lines_of = crate::layout::table_builder::break_paragraphs(&[label], label_w, Weight::Regular, size);
        let lh = size * 1.2;
        let ly = y + bar_h / 2.0 - (lines_of.len() as f32 * lh) / 2.0 + size * 0.86;
        for (k, l) in lines_of.into_iter().enumerate() {
            let w = face.width(&l.text, size);
            texts.push(PlacedText { text: l.text, x: x0 - 8.0 - w, baseline: ly + k as f32 * lh, size, weight: Weight::Regular });
        }
        let mut x = x0;
        let all = p.counts.all();
        for (g, c) in all.iter().enumerate() {
            if *c == 0 {
                continue;
            }
            let w = *c as f32 * scale;
            bars.push(Bar { x, y, w, h: bar_h, color: grade_color(g, all.len()) });
            let t = c.to_string();
            let tw = face.width(&t, size);
            if tw + 4.0 <= w {
                let color = grade_color(g, all.len());
                let luminance = 0.2126 * f32::from(color[0]) + 0.7152 * f32::from(color[1]) + 0.0722 * f32::from(color[2]);
                let ink = if luminance < 140.0 { [0xFF, 0xFF, 0xFF] } else { [0, 0, 0] };
                let placed = PlacedText { text: t, x: x + (w - tw) / 2.0, baseline: y + bar_h / 2.0 + size * 0.36, size, weight: Weight::Bold };
                bar_texts.push((placed, ink));
            }
            x += w;
        }
    }
    lines.push((x0, top - 4.0, x0, bottom));
    // Legend: a swatch and the grade's name, in a row.
    let ly = bottom + 2.0 * size + 30.0;
    let mut lx = x0;
    let mut swatches = Vec::new();
    for (g, h) in headers.iter().enumerate() {
        swatches.push(Bar { x: lx, y: ly - size * 0.86, w: size, h: size, color: grade_color(g, headers.len()) });
        texts.push(PlacedText { text: h.clone(), x: lx + size + 4.0, baseline: ly, size, weight: Weight::Regular });
        lx += size + 4.0 + face.width(h, size) + 16.0;
    }
    let bbox = (spec.margin, top - 6.0, spec.content_width(), ly + 6.0 - (top - 6.0));
    Chart { heading, bars, lines, texts, bar_texts, swatches, bbox, alt: s.chart_description() }
}

/// Lays out the book. `sheets` are the item sheets with their item's 柱, in any order; they
/// are put in book order (柱 in plan order, items in natural order).
pub fn lay_out<'a>(plan: &Plan, summary: &Summary, sheets: &[(i64, &'a Sheet)]) -> Book<'a> {
    let spec = PageSpec::a4_landscape();
    let rank = |p: i64| plan.pillars.iter().position(|(n, _)| *n == p).unwrap_or(usize::MAX);
    let mut ordered: Vec<(i64, &Sheet)> = sheets.to_vec();
    ordered.sort_by(|a, b| {
        rank(a.0).cmp(&rank(b.0)).then(a.0.cmp(&b.0)).then_with(|| summary::natural_cmp(&a.1.item_number, &b.1.item_number))
    });
    let year_label = era::long_label(summary.year);

    // Cover.
    let h = spec.height;
    let cover = vec![
        centered(&plan.name, 22.0, Weight::Bold, h * 0.36, &spec),
        centered(&plan.form_name, 16.0, Weight::Regular, h * 0.36 + 40.0, &spec),
        centered(&year_label, 16.0, Weight::Regular, h * 0.36 + 80.0, &spec),
        centered(&plan.organization, 16.0, Weight::Regular, h * 0.72, &spec),
    ];

    // 総括表 pages.
    let summary_title = format!("総括表 {year_label}");
    let tables = summary_tables(summary, &spec);
    let (s_pages, s_marks) = paginate::paginate(&spec, &summary_title, &tables, &summary_title);
    let summary_sheet = Sheet {
        spec,
        title: summary_title.clone(),
        document_title: summary_title.clone(),
        item_number: String::new(),
        tables,
        pages: s_pages,
        bookmarks: s_marks,
    };
    let chart = chart(summary, &spec);

    // 目次 entries: 総括表, 自己評価の分布, then each 柱 and its items. Their pages are known
    // once the number of 目次 pages is: lay the entries out first, then number.
    struct Entry {
        level: usize,
        text: String,
        target: Target,
    }
    enum Target {
        Summary,
        Chart,
        Sheet(usize),
    }
    let mut entries = vec![
        Entry { level: 0, text: summary_title.clone(), target: Target::Summary },
        Entry { level: 1, text: "自己評価の分布 (柱別)".to_owned(), target: Target::Chart },
    ];
    let mut last_pillar = None;
    for (i, (p, sh)) in ordered.iter().enumerate() {
        if last_pillar != Some(*p) {
            let name = plan.pillar_name(*p).unwrap_or_default();
            entries.push(Entry { level: 0, text: format!("柱{p} {name}").trim_end().to_owned(), target: Target::Sheet(i) });
            last_pillar = Some(*p);
        }
        let label = sh.pages.first().map(|pg| pg.footer_left.clone()).unwrap_or_else(|| sh.item_number.clone());
        entries.push(Entry { level: 1, text: label, target: Target::Sheet(i) });
    }
    let size = 10.0;
    let lh = size * 1.6;
    let face = font::face(Weight::Regular);
    let number_w = face.width("0000", size);
    let right = spec.width - spec.margin;
    /// An entry placed on a 目次 page: its index, its lines (x, text, weight), the y of its top.
    type Placed = (usize, Vec<(f32, String, Weight)>, f32);
    let mut toc_layout: Vec<Vec<Placed>> = vec![Vec::new()];
    let first_y = spec.margin + spec.title_size * 3.0;
    let mut y = first_y;
    for (k, e) in entries.iter().enumerate() {
        let indent = spec.margin + 16.0 * e.level as f32;
        let weight = if e.level == 0 { Weight::Bold } else { Weight::Regular };
        let avail = right - number_w - 24.0 - indent;
        let broken = crate::layout::table_builder::break_paragraphs(std::slice::from_ref(&e.text), avail, weight, size);
        let need = broken.len() as f32 * lh + if e.level == 0 { 6.0 } else { 0.0 };
        if y + need > spec.content_bottom() {
            toc_layout.push(Vec::new());
            y = spec.margin;
        }
        if e.level == 0 && y > first_y {
            y += 6.0;
        }
        let lines = broken.into_iter().map(|l| (indent + l.indent, l.text, weight)).collect();
        toc_layout.last_mut().expect("a page").push((k, lines, y));
        y += need - if e.level == 0 { 6.0 } else { 0.0 };
    }
    let toc_pages = toc_layout.len();

    // Page order.
    let mut pages = vec![BookPage::Cover];
    pages.extend((0..toc_pages).map(BookPage::Toc));
    let summary_start = pages.len();
    pages.extend((0..summary_sheet.pages.len()).map(BookPage::Summary));
    let chart_page = pages.len();
    pages.push(BookPage::Chart);
    let mut sheet_start = Vec::new();
    for (i, (_, sh)) in ordered.iter().enumerate() {
        sheet_start.push(pages.len());
        pages.extend((0..sh.pages.len()).map(|page| BookPage::Item { sheet: i, page }));
    }
    let target_page = |t: &Target| match t {
        Target::Summary => summary_start,
        Target::Chart => chart_page,
        Target::Sheet(i) => sheet_start[*i],
    };

    let toc = toc_layout
        .into_iter()
        .enumerate()
        .map(|(pi, placed)| TocPage {
            heading: (pi == 0).then(|| centered("目次", spec.title_size, Weight::Bold, spec.margin + spec.title_size, &spec)),
            entries: placed
                .into_iter()
                .map(|(k, lines, y)| {
                    let e = &entries[k];
                    let target = target_page(&e.target);
                    let n = target.to_string();
                    let last_base = y + lines.len().saturating_sub(1) as f32 * lh + size;
                    let nw = face.width(&n, size);
                    let end = lines.last().map(|(x, t, w)| x + font::face(*w).width(t, size)).unwrap_or(spec.margin);
                    TocEntry {
                        lines: lines
                            .iter()
                            .enumerate()
                            .map(|(i, (x, t, w))| PlacedText { text: t.clone(), x: *x, baseline: y + i as f32 * lh + size, size, weight: *w })
                            .collect(),
                        number: PlacedText { text: n, x: right - nw, baseline: last_base, size, weight: Weight::Regular },
                        leader: (end + 6.0, right - nw - 6.0, last_base - 1.0),
                        rect: (lines.first().map_or(spec.margin, |l| l.0), y - 2.0, right - lines.first().map_or(spec.margin, |l| l.0), lines.len() as f32 * lh),
                        target,
                    }
                })
                .collect(),
        })
        .collect();

    // Labels and footers.
    let n_pages = pages.len();
    let labels: Vec<String> = (0..n_pages).map(|i| if i == 0 { "表紙".to_owned() } else { i.to_string() }).collect();
    let footers = pages
        .iter()
        .enumerate()
        .map(|(i, p)| match p {
            BookPage::Cover => (String::new(), String::new()),
            BookPage::Toc(_) => ("目次".to_owned(), i.to_string()),
            BookPage::Summary(_) | BookPage::Chart => (summary_title.clone(), i.to_string()),
            BookPage::Item { sheet, page } => {
                let sh = ordered[*sheet].1;
                let left = &sh.pages[*page].footer_left;
                (format!("{left} ({}/{})", page + 1, sh.pages.len()), i.to_string())
            }
        })
        .collect();

    // Bookmarks: 目次, 総括表 (its tables, the chart), 柱 › 項目 › 取組.
    let mut bookmarks = vec![BookMark { title: "目次".to_owned(), page: 1, y: 0.0, children: Vec::new() }];
    let mut sum_mark = BookMark { title: summary_title.clone(), page: summary_start, y: 0.0, children: Vec::new() };
    for b in &summary_sheet.bookmarks {
        sum_mark.children.push(BookMark { title: b.title.clone(), page: summary_start + b.page, y: b.y, children: Vec::new() });
    }
    sum_mark.children.push(BookMark { title: "自己評価の分布 (柱別)".to_owned(), page: chart_page, y: 0.0, children: Vec::new() });
    bookmarks.push(sum_mark);
    let mut last_pillar = None;
    for (i, (p, sh)) in ordered.iter().enumerate() {
        if last_pillar != Some(*p) {
            let name = plan.pillar_name(*p).unwrap_or_default();
            bookmarks.push(BookMark { title: format!("柱{p} {name}").trim_end().to_owned(), page: sheet_start[i], y: 0.0, children: Vec::new() });
            last_pillar = Some(*p);
        }
        let title = sh.pages.first().map(|pg| pg.footer_left.clone()).unwrap_or_default();
        let children = sh
            .bookmarks
            .iter()
            .map(|b: &Bookmark| BookMark { title: b.title.clone(), page: sheet_start[i] + b.page, y: b.y, children: Vec::new() })
            .collect();
        bookmarks.last_mut().expect("a pillar").children.push(BookMark { title, page: sheet_start[i], y: 0.0, children });
    }

    Book {
        spec,
        document_title: format!("{} {} {}", plan.name, plan.form_name, year_label),
        cover,
        toc,
        summary: summary_sheet,
        chart,
        sheets: ordered.into_iter().map(|(_, s)| s).collect(),
        pages,
        labels,
        footers,
        bookmarks,
    }
}
