//! Building a table: place cells on a grid, break their text into lines for their width, and
//! measure the rows so that every cell's lines fit.

use super::grid::{Align, Cell, Line, PageSpec, Role, Row, Scope, Table};
use crate::font::{self, Weight};
use crate::linebreak;

/// Fill of label cells and header rows.
pub const LABEL_FILL: [u8; 3] = [0xE8, 0xEE, 0xF4];

/// How a cell looks.
#[derive(Clone, Copy, Debug)]
pub struct Look {
    pub role: Role,
    pub weight: Weight,
    pub align: Align,
    pub fill: Option<[u8; 3]>,
}

impl Look {
    /// A label (header) cell: shaded. (Regular weight: a bold subset would add ~20 KB a file.)
    pub const LABEL: Look = Look { role: Role::Header, weight: Weight::Regular, align: Align::Left, fill: Some(LABEL_FILL) };
    /// A column header (year labels): shaded, centred.
    pub const COLUMN: Look = Look { role: Role::Header, weight: Weight::Regular, align: Align::Center, fill: Some(LABEL_FILL) };
    /// A row label that is a value of the sheet (an indicator's name): a header, not shaded.
    pub const NAME: Look = Look { role: Role::Header, weight: Weight::Regular, align: Align::Left, fill: None };
    /// A data cell.
    pub const DATA: Look = Look { role: Role::Data, weight: Weight::Regular, align: Align::Left, fill: None };
    /// A numeric data cell.
    pub const NUMBER: Look = Look { role: Role::Data, weight: Weight::Regular, align: Align::Right, fill: None };
}

/// A cell keeps at least this many lines before a long text spills under the table.
pub const LONG_TEXT_KEEP_LINES: usize = 12;

/// The note that ends a cell whose text goes on under the table.
pub const SPILL_NOTE: &str = "(続きは下欄)";

/// The rest of a long text, printed in a full-width row under its table.
struct Spill {
    label: String,
    continued_label: String,
    paragraphs: Vec<String>,
}

pub struct TableBuilder<'s> {
    spec: &'s PageSpec,
    table: Table,
    spills: Vec<Spill>,
    /// Columns of a spill row: the label spans `0..spill_label_cols`, the text the rest.
    spill_label_cols: usize,
}

impl<'s> TableBuilder<'s> {
    pub fn new(spec: &'s PageSpec, caption: impl Into<String>, columns: Vec<f32>) -> Self {
        TableBuilder {
            spec,
            table: Table {
                caption: caption.into(),
                heading: None,
                bookmark: false,
                page_break_before: false,
                columns,
                rows: Vec::new(),
                cells: Vec::new(),
                header_rows: 0,
            },
            spills: Vec::new(),
            spill_label_cols: 1,
        }
    }

    pub fn bookmark(mut self, on: bool) -> Self {
        self.table.bookmark = on;
        self
    }

    /// The visible caption printed above the table.
    pub fn heading(mut self, text: impl Into<String>) -> Self {
        self.table.heading = Some(text.into());
        self
    }

    pub fn page_break_before(mut self, on: bool) -> Self {
        self.table.page_break_before = on;
        self
    }

    pub fn header_rows(&mut self, n: usize) {
        self.table.header_rows = n;
    }

    /// Index the next added row will have.
    pub fn next_row(&self) -> usize {
        self.table.rows.len()
    }

    /// Adds `n` empty rows; returns the index of the first.
    pub fn add_rows(&mut self, n: usize) -> usize {
        let first = self.table.rows.len();
        for _ in 0..n {
            self.table.rows.push(Row { height: 0.0, flows: false });
        }
        first
    }

    /// Places a cell with paragraphs of text.
    pub fn cell(&mut self, row: usize, col: usize, row_span: usize, col_span: usize, look: Look, paragraphs: Vec<String>) -> usize {
        let width: f32 = self.table.columns[col..col + col_span].iter().sum();
        let inner = (width - 2.0 * self.spec.pad_x).max(1.0);
        let size = self.spec.body_size;
        let lines = break_paragraphs(&paragraphs, inner, look.weight, size);
        let continued_lines = if look.role == Role::Header && !paragraphs.is_empty() {
            break_paragraphs(&[format!("{} (続き)", paragraphs.join(""))], inner, look.weight, size)
        } else {
            Vec::new()
        };
        self.table.cells.push(Cell {
            row,
            col,
            row_span,
            col_span,
            role: look.role,
            weight: look.weight,
            size,
            align: look.align,
            fill: look.fill,
            paragraphs,
            lines,
            checked_box: None,
            scope: None,
            headers: Vec::new(),
            expansion: None,
            continued_lines,
        });
        self.table.cells.len() - 1
    }

    /// Places a cell with one line of text (which may still wrap).
    pub fn text(&mut self, row: usize, col: usize, row_span: usize, col_span: usize, look: Look, text: impl Into<String>) -> usize {
        let t = text.into();
        let paras = if t.is_empty() { Vec::new() } else { vec![t] };
        self.cell(row, col, row_span, col_span, look, paras)
    }

    /// Marks the `n`-th `□` of a cell's text (0 for the first) as checked.
    pub fn check(&mut self, cell: usize, n: usize) {
        self.table.cells[cell].checked_box = Some(n);
    }

    /// Gives a cell's abbreviated label its expanded form.
    pub fn expand(&mut self, cell: usize, expansion: impl Into<String>) {
        self.table.cells[cell].expansion = Some(expansion.into());
    }

    /// The text cells of one row, one per year (`labels`: the years' labels). A text much
    /// longer than its neighbours would run down its narrow column for pages: it keeps its
    /// beginning (at least `LONG_TEXT_KEEP_LINES` lines, as many as its neighbours need, cut
    /// after a sentence where one ends), ending with 「(続きは下欄)」, and the rest goes into a
    /// full-width row 「{label} ({year}) の続き」 under the table.
    pub fn spill_long_texts(&mut self, cells: &[usize], label: &str, labels: &[String]) {
        let mut by_len: Vec<(usize, usize)> = cells.iter().enumerate().map(|(i, &c)| (self.table.cells[c].lines.len(), i)).collect();
        by_len.sort();
        let mut keep = LONG_TEXT_KEEP_LINES;
        for (n, i) in by_len {
            if n <= 2 * keep {
                keep = keep.max(n);
                continue;
            }
            let ci = cells[i];
            let (kept, rest) = self.cut(ci, keep - 1);
            if rest.is_empty() {
                keep = keep.max(n);
                continue;
            }
            let c = &mut self.table.cells[ci];
            c.paragraphs = kept;
            c.paragraphs.push(SPILL_NOTE.to_owned());
            self.relayout(ci);
            self.spills.push(Spill {
                label: format!("{label} ({}) の続き", labels[i]),
                continued_label: format!("{label} ({}) (続き)", labels[i]),
                paragraphs: rest,
            });
        }
    }

    /// Columns the label of a spill row spans (the rest carry the text).
    pub fn spill_label_cols(&mut self, n: usize) {
        self.spill_label_cols = n;
    }

    /// Breaks a cell's lines again after its paragraphs changed.
    fn relayout(&mut self, ci: usize) {
        let c = &self.table.cells[ci];
        let width: f32 = self.table.columns[c.col..c.col + c.col_span].iter().sum();
        let inner = (width - 2.0 * self.spec.pad_x).max(1.0);
        let lines = break_paragraphs(&c.paragraphs, inner, c.weight, c.size);
        self.table.cells[ci].lines = lines;
    }

    /// Splits a cell's paragraphs into what fits in `keep` lines (ending after a sentence
    /// where one ends in reach) and the rest.
    fn cut(&self, ci: usize, keep: usize) -> (Vec<String>, Vec<String>) {
        let c = &self.table.cells[ci];
        let width: f32 = self.table.columns[c.col..c.col + c.col_span].iter().sum();
        let inner = (width - 2.0 * self.spec.pad_x).max(1.0);
        let count = |p: &str| break_paragraphs(&[p.to_owned()], inner, c.weight, c.size).len();
        let mut used = 0;
        for (pi, p) in c.paragraphs.iter().enumerate() {
            let n = count(p);
            if used + n <= keep {
                used += n;
                continue;
            }
            let room = keep - used;
            // The longest prefix ending after a sentence that fits the room left.
            let ends: Vec<usize> = p.char_indices().filter(|(_, ch)| matches!(ch, '。' | '．' | '！' | '？')).map(|(b, ch)| b + ch.len_utf8()).filter(|&b| b < p.len()).collect();
            let mut at = ends.into_iter().rev().find(|&b| count(&p[..b]) <= room);
            if at.is_none() && used == 0 && room > 0 {
                // No sentence ends in reach of the first paragraph: cut where the room's last
                // line ends. (A later paragraph goes on whole under the table.)
                let lines = break_paragraphs(&[p.to_owned()], inner, c.weight, c.size);
                let prefix: String = lines[..room].iter().map(|l| l.text.as_str()).collect();
                if p.starts_with(&prefix) && !prefix.is_empty() {
                    at = Some(prefix.len());
                }
            }
            let mut kept: Vec<String> = c.paragraphs[..pi].to_vec();
            let mut rest = Vec::new();
            match at {
                Some(b) => {
                    kept.push(p[..b].to_owned());
                    rest.push(p[b..].trim_start().to_owned());
                }
                None => rest.push(p.clone()),
            }
            rest.extend(c.paragraphs[pi + 1..].iter().cloned());
            return (kept, rest);
        }
        (c.paragraphs.clone(), Vec::new())
    }

    /// Adds the spill rows under the table: a label and the rest of the text, full width.
    fn add_spill_rows(&mut self) {
        let spills = std::mem::take(&mut self.spills);
        let ncols = self.table.columns.len();
        let label_cols = self.spill_label_cols.min(ncols - 1).max(1);
        for s in spills {
            let r = self.add_rows(1);
            self.table.rows[r].flows = true;
            let label = self.text(r, 0, 1, label_cols, Look::LABEL, s.label);
            let c = &self.table.cells[label];
            let width: f32 = self.table.columns[..label_cols].iter().sum();
            let inner = (width - 2.0 * self.spec.pad_x).max(1.0);
            let continued = break_paragraphs(&[s.continued_label], inner, c.weight, c.size);
            self.table.cells[label].continued_lines = continued;
            self.cell(r, label_cols, 1, ncols - label_cols, Look::DATA, s.paragraphs);
        }
    }

    /// Adds the spill rows, measures rows so that every cell fits, puts the cells in reading
    /// order, relates data cells to their headers, and returns the table.
    pub fn finish(mut self) -> Table {
        self.add_spill_rows();
        relate_headers(&mut self.table);
        let lh = self.spec.line_height(self.spec.body_size);
        let need = |c: &Cell| c.lines.len().max(1) as f32 * lh + 2.0 * self.spec.pad_y;
        for c in &self.table.cells {
            if c.row_span == 1 {
                let r = &mut self.table.rows[c.row];
                r.height = r.height.max(need(c));
            }
        }
        let min = lh + 2.0 * self.spec.pad_y;
        for r in &mut self.table.rows {
            r.height = r.height.max(min);
        }
        // Spanning cells: share what is missing evenly among the spanned rows.
        let mut spanning: Vec<&Cell> = self.table.cells.iter().filter(|c| c.row_span > 1).collect();
        spanning.sort_by_key(|c| (c.row + c.row_span, c.row));
        let grow: Vec<(usize, usize, f32)> = spanning.iter().map(|c| (c.row, c.row_span, need(c))).collect();
        for (row, span, needed) in grow {
            let have: f32 = self.table.rows[row..row + span].iter().map(|r| r.height).sum();
            if have < needed {
                let each = (needed - have) / span as f32;
                for r in &mut self.table.rows[row..row + span] {
                    r.height += each;
                }
            }
        }
        self.table
    }
}

/// Sorts the cells into visual (reading) order, row by row and left to right, and fills in
/// `scope` and `headers` (see `Cell::headers`).
fn relate_headers(t: &mut Table) {
    t.cells.sort_by_key(|c| (c.row, c.col));
    let header_rows = t.header_rows;
    let cells = &t.cells;
    let mut related: Vec<(Option<Scope>, Vec<usize>)> = Vec::with_capacity(cells.len());
    for d in cells {
        if d.role == Role::Header {
            related.push((Some(if d.row < header_rows { Scope::Column } else { Scope::Row }), Vec::new()));
            continue;
        }
        let rows = d.row..d.row + d.row_span;
        let overlaps_rows = |c: &Cell| c.row < rows.end && rows.start < c.row + c.row_span;
        // Cells to the left sharing a row, nearest first: first the other values of the
        // cell's own run (the other years), then the block's labels, which end at the value
        // of the block before.
        let mut left: Vec<usize> = (0..cells.len()).filter(|&i| overlaps_rows(&cells[i]) && cells[i].col + cells[i].col_span <= d.col).collect();
        left.sort_by_key(|&i| std::cmp::Reverse((cells[i].col + cells[i].col_span, cells[i].col)));
        let mut headers: Vec<usize> = Vec::new();
        let mut in_labels = false;
        for i in left {
            match cells[i].role {
                Role::Data if in_labels => break,
                Role::Data => {}
                Role::Header => {
                    in_labels = true;
                    if !cells[i].paragraphs.is_empty() {
                        headers.push(i);
                    }
                }
            }
        }
        headers.reverse();
        if d.row >= header_rows {
            let column = (0..cells.len()).find(|&i| {
                let c = &cells[i];
                c.row < header_rows && c.role == Role::Header && !c.paragraphs.is_empty() && c.col <= d.col && d.col + d.col_span <= c.col + c.col_span
            });
            headers.extend(column);
        }
        related.push((None, headers));
    }
    for (c, (scope, headers)) in t.cells.iter_mut().zip(related) {
        c.scope = scope;
        c.headers = headers;
    }
}

/// Breaks paragraphs into lines of at most `width` points. A bullet paragraph (`・…`) has its
/// continuation lines indented under its text.
pub fn break_paragraphs(paragraphs: &[String], width: f32, weight: Weight, size: f32) -> Vec<Line> {
    let face = font::face(weight);
    let measure = |s: &str| face.width(s, size);
    let mut out = Vec::new();
    for p in paragraphs {
        if let Some(rest) = p.strip_prefix('・') {
            let indent = face.char_width('・', size);
            let lines = linebreak::break_lines(rest, width - indent, &measure);
            for (i, l) in lines.into_iter().enumerate() {
                if i == 0 {
                    out.push(Line { text: format!("・{l}"), indent: 0.0 });
                } else {
                    out.push(Line { text: l, indent });
                }
            }
        } else {
            for l in linebreak::break_lines(p, width, &measure) {
                out.push(Line { text: l, indent: 0.0 });
            }
        }
    }
    out
}
