//! Page breaking: tables flow down the pages. A table that does not fit in what is left of
//! a page starts there anyway, and breaks between row groups (rows joined by a cell that
//! spans them), when moving it whole to the next page would leave more than a third of this
//! page empty; otherwise it starts on the next page. A row group never breaks while it fits
//! on a page, a table never starts with its header rows alone at a page foot, and a row
//! taller than a page is split between lines (its labels repeated with 「(続き)」). A table's
//! caption and header rows are repeated at the top of every page it continues on.

use std::collections::HashMap;

use super::grid::{Bookmark, Page, PageSpec, PlacedCaption, PlacedCell, PlacedTitle, Role, Table};
use crate::font::{self, Weight};

/// A row, or a part of a split row, placed on a page.
#[derive(Clone, Copy, Debug)]
struct Slice {
    table: usize,
    row: usize,
    y: f32,
    h: f32,
    repeated: bool,
}

struct Flow<'a> {
    spec: &'a PageSpec,
    tables: &'a [Table],
    pages: Vec<Vec<Slice>>,
    y: f32,
    /// Whether anything has been placed on the current page (besides the title).
    used: bool,
    bookmarks: Vec<Bookmark>,
    /// Captions placed, with their page.
    captions: Vec<(usize, PlacedCaption)>,
}

/// The share of a page that may stay empty below a table moved whole to the next page.
const MAX_EMPTY_BEFORE_A_MOVED_TABLE: f32 = 1.0 / 3.0;

impl Flow<'_> {
    fn bottom(&self) -> f32 {
        self.spec.content_bottom()
    }

    fn remaining(&self) -> f32 {
        self.bottom() - self.y
    }

    /// The height a page offers a table: all of the content area.
    fn full(&self) -> f32 {
        self.bottom() - self.spec.margin
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.spec.margin;
        self.used = false;
    }

    fn place(&mut self, table: usize, row: usize, h: f32, repeated: bool) {
        let s = Slice { table, row, y: self.y, h, repeated };
        self.pages.last_mut().expect("a page exists").push(s);
        self.y += h;
        self.used = true;
    }

    fn header_height(&self, t: &Table) -> f32 {
        t.rows[..t.header_rows].iter().map(|r| r.height).sum()
    }

    /// Height of a table's caption, if it has one.
    fn caption_height(&self, t: &Table) -> f32 {
        if t.heading.is_some() { self.spec.caption_height() } else { 0.0 }
    }

    /// Places the table's caption (if any) at the current position.
    fn caption(&mut self, ti: usize, continued: bool) {
        let Some(heading) = &self.tables[ti].heading else { return };
        let spec = self.spec;
        let text = if continued { format!("{heading} (続き)") } else { heading.clone() };
        let size = spec.caption_size;
        let caption = PlacedCaption { table: ti, text, continued, x: spec.margin, baseline: self.y + size, size };
        self.captions.push((self.pages.len() - 1, caption));
        self.y += spec.caption_height();
        self.used = true;
    }

    fn continue_on_new_page(&mut self, ti: usize) {
        self.new_page();
        self.caption(ti, true);
        let t = &self.tables[ti];
        for r in 0..t.header_rows {
            self.place(ti, r, t.rows[r].height, true);
        }
    }

    fn table(&mut self, ti: usize) {
        let t = &self.tables[ti];
        let header_h = self.header_height(t);
        let cap_h = self.caption_height(t);
        let groups = row_groups(t);
        let first_group_h = groups.first().map(|g| group_height(t, g)).unwrap_or(0.0).min(self.full() - header_h - cap_h);
        let gap = if self.used { self.spec.gap } else { 0.0 };
        let whole = cap_h + t.height() + gap;
        // Where the table can start here: its caption, header rows and first row group fit.
        let start_fits = cap_h + header_h + first_group_h + gap <= self.remaining() + 0.01;
        // Moving it whole would leave too much of this page empty: break it here instead.
        let too_empty = self.remaining() > self.full() * MAX_EMPTY_BEFORE_A_MOVED_TABLE;
        let needs_new_page = self.used
            && (t.page_break_before || (whole > self.remaining() + 0.01 && !(start_fits && too_empty)));
        if needs_new_page {
            self.new_page();
        } else if self.used {
            self.y += gap;
        }
        if t.bookmark {
            self.bookmarks.push(Bookmark { title: t.caption.clone(), page: self.pages.len() - 1, y: self.y });
        }
        self.caption(ti, false);
        for r in 0..t.header_rows {
            self.place(ti, r, t.rows[r].height, false);
        }
        for g in groups {
            let gh = group_height(t, &g);
            let flows_on = g.len() == 1 && self.flows_on_here(ti, g.start);
            if gh > self.remaining() + 0.01 && cap_h + header_h + gh <= self.full() && !flows_on {
                self.continue_on_new_page(ti);
            }
            for r in g {
                self.row(ti, r, cap_h + header_h);
            }
        }
    }

    /// Whether a row of running text starts here and goes on on the next page: it does when
    /// a few of its lines fit in what is left.
    fn flows_on_here(&self, ti: usize, r: usize) -> bool {
        const MIN_LINES: f32 = 4.0;
        let spec = self.spec;
        self.tables[ti].rows[r].flows
            && self.remaining() >= 2.0 * spec.pad_y + MIN_LINES * spec.line_height(spec.body_size)
    }

    /// Places one row, moving it to the next page or splitting it between lines.
    fn row(&mut self, ti: usize, r: usize, header_h: f32) {
        let spec = self.spec;
        let lh = spec.line_height(spec.body_size);
        let mut h = self.tables[ti].rows[r].height;
        if h <= self.remaining() + 0.01 {
            self.place(ti, r, h, false);
            return;
        }
        if h + header_h <= self.full() && !self.flows_on_here(ti, r) {
            self.continue_on_new_page(ti);
            self.place(ti, r, h, false);
            return;
        }
        // Taller than a page: split between lines.
        loop {
            let lines_fit = ((self.remaining() - 2.0 * spec.pad_y) / lh + 1e-3).floor();
            if lines_fit < 1.0 {
                self.continue_on_new_page(ti);
                continue;
            }
            let piece = 2.0 * spec.pad_y + lines_fit * lh;
            if h <= self.remaining() + 0.01 {
                self.place(ti, r, h, false);
                return;
            }
            self.place(ti, r, piece, false);
            h -= lines_fit * lh;
            self.continue_on_new_page(ti);
        }
    }
}

/// Body rows grouped so that no cell spans two groups.
fn row_groups(t: &Table) -> Vec<std::ops::Range<usize>> {
    let mut reach: Vec<usize> = (0..t.rows.len()).map(|r| r + 1).collect();
    for c in &t.cells {
        let end = c.row + c.row_span;
        reach[c.row] = reach[c.row].max(end);
    }
    let mut groups = Vec::new();
    let mut start = t.header_rows;
    while start < t.rows.len() {
        let mut end = start + 1;
        let mut r = start;
        while r < end {
            end = end.max(reach[r]);
            r += 1;
        }
        groups.push(start..end);
        start = end;
    }
    groups
}

fn group_height(t: &Table, g: &std::ops::Range<usize>) -> f32 {
    t.rows[g.clone()].iter().map(|r| r.height).sum()
}

/// Paginates the tables of one sheet and places every cell piece.
pub fn paginate(spec: &PageSpec, title: &str, tables: &[Table], footer_left: &str) -> (Vec<Page>, Vec<Bookmark>) {
    let mut flow =
        Flow { spec, tables, pages: Vec::new(), y: 0.0, used: false, bookmarks: Vec::new(), captions: Vec::new() };
    flow.new_page();
    let title_w = font::face(Weight::Bold).width(title, spec.title_size);
    let placed_title = PlacedTitle {
        text: title.to_owned(),
        x: (spec.width - title_w) / 2.0,
        baseline: spec.margin + spec.title_size,
        size: spec.title_size,
    };
    flow.y = spec.margin + spec.title_size * 2.0;
    for ti in 0..tables.len() {
        flow.table(ti);
    }
    let Flow { pages: slices, bookmarks, captions, .. } = flow;
    let n = slices.len();
    let mut lines_done: HashMap<(usize, usize), usize> = HashMap::new();
    let pages = slices
        .iter()
        .enumerate()
        .map(|(pi, page_slices)| Page {
            title: (pi == 0).then(|| placed_title.clone()),
            captions: captions.iter().filter(|(p, _)| *p == pi).map(|(_, c)| c.clone()).collect(),
            cells: place_cells(spec, tables, page_slices, &mut lines_done),
            footer_left: footer_left.to_owned(),
            footer_right: format!("{} / {}", pi + 1, n),
        })
        .collect();
    (pages, bookmarks)
}

/// Turns the row slices of one page into cell pieces. `lines_done` carries, across pages, how
/// many lines of each (table, cell) have been drawn.
fn place_cells(
    spec: &PageSpec,
    tables: &[Table],
    slices: &[Slice],
    lines_done: &mut HashMap<(usize, usize), usize>,
) -> Vec<PlacedCell> {
    let lh = spec.line_height(spec.body_size);
    let mut out = Vec::new();
    // Runs of consecutive slices of the same table and kind.
    let mut i = 0;
    while i < slices.len() {
        let (ti, rep) = (slices[i].table, slices[i].repeated);
        let mut j = i;
        while j < slices.len() && slices[j].table == ti && slices[j].repeated == rep {
            j += 1;
        }
        let run = &slices[i..j];
        let t = &tables[ti];
        let x0 = spec.margin;
        for (ci, c) in t.cells.iter().enumerate() {
            let mine: Vec<&Slice> = run.iter().filter(|s| s.row >= c.row && s.row < c.row + c.row_span).collect();
            let Some(first) = mine.first() else { continue };
            let h: f32 = mine.iter().map(|s| s.h).sum();
            let y = first.y;
            // Is this the cell's last piece? Its last row is here and not continued on a later page.
            let last_row = c.row + c.row_span - 1;
            let full_last_row = mine.iter().any(|s| s.row == last_row && (s.h - t.rows[last_row].height).abs() < 0.01);
            let cap = ((h - 2.0 * spec.pad_y) / lh + 1e-3).floor().max(0.0) as usize;
            let mut continued = false;
            let (first_line, end_line) = if rep {
                (0, c.lines.len())
            } else {
                let done = lines_done.entry((ti, ci)).or_insert(0);
                let start = *done;
                if start > 0 && start >= c.lines.len() && c.role == Role::Header && !c.continued_lines.is_empty() {
                    // A label whose row goes on from an earlier page: 「… (続き)」 again.
                    continued = true;
                    (0, c.continued_lines.len().min(cap))
                } else {
                    let end = if full_last_row { c.lines.len() } else { (start + cap).min(c.lines.len()) };
                    *done = end;
                    (start, end)
                }
            };
            out.push(PlacedCell {
                table: ti,
                cell: ci,
                x: x0 + t.col_x(c.col),
                y,
                w: t.span_width(c),
                h,
                first_line,
                end_line,
                repeated: rep || continued,
                continued,
            });
        }
        i = j;
    }
    out
}

