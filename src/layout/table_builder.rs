//! Building a table: place cells on a grid, break their text into lines for their width, and
//! measure the rows so that every cell's lines fit.

use super::grid::{Align, Cell, Line, PageSpec, Role, Row, Table};
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
    /// A data cell.
    pub const DATA: Look = Look { role: Role::Data, weight: Weight::Regular, align: Align::Left, fill: None };
    /// A numeric data cell.
    pub const NUMBER: Look = Look { role: Role::Data, weight: Weight::Regular, align: Align::Right, fill: None };
}

pub struct TableBuilder<'s> {
    spec: &'s PageSpec,
    table: Table,
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
            self.table.rows.push(Row { height: 0.0 });
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

    /// Marks a `□` of a cell's first line as checked.
    pub fn check(&mut self, cell: usize, char_index: usize) {
        self.table.cells[cell].checked_box = Some((0, char_index));
    }

    /// Measures rows so that every cell fits, and returns the table.
    pub fn finish(mut self) -> Table {
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
