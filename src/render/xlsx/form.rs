//! The form sheet (`シート`): the laid-out tables on one Excel grid.
//!
//! The tables of the layout have different columns. The sheet's column grid is the union of
//! all tables' column boundaries (x positions, rounded to whole pixels, the unit Excel lays
//! columns out in), and each cell is merged over the grid columns its span covers. Rows map one
//! to one: the title row, then each table's rows with a blank spacer row between tables.
//!
//! Excel and LibreOffice wrap a cell's text themselves, with their own rounding of glyph
//! advances, and Excel caps a row at 409 pt. So each cell's text is broken again, with the
//! bundled font's metrics, for its XLSX width and a slightly larger size than drawn; a row is
//! as tall as the layout's row or as what that conservative breaking needs, whichever is more.
//! A row that would exceed 409 pt becomes several XLSX rows: a cell whose lines do not fit one
//! row is split over them (its lines in order), and the row's other cells are merged over all
//! of them.
//!
//! The form prints like the PDF: a manual page break where each PDF page starts; above a
//! table's part that the PDF continues on a new page, its caption 「… (続き)」 and a copy of its
//! header rows (so the printed page, and the screen, show what continues); a print scale at
//! which each of those pages fits a printed page.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::font::{self, Weight};
use crate::layout::table_builder::break_paragraphs;
use crate::layout::{Align, Cell, Sheet};

/// Pixels per point on the 96 dpi grid Excel measures columns in.
pub const PX_PER_PT: f32 = 96.0 / 72.0;
/// The tallest row Excel allows, 409 pt, in whole pixels (545 px): Excel stores row heights
/// as whole pixels.
pub const MAX_ROW_HEIGHT: f32 = 408.75;
/// Text is measured as if this much larger than drawn: Excel rounds the font to whole pixels
/// (8 pt is 10.67 px, drawn at 11 px) and hinted advances to whole pixels.
const MEASURE_SCALE: f32 = 1.06;
/// The narrowest a column may render, as a share of its width in pixels. Column widths are
/// stored in digit widths of the default font (BIZ UDGothic 12 pt: 8 px, the same in Excel
/// and LibreOffice, see `xlsx::build`); this leaves room for a renderer that differs.
const NARROWEST: f32 = 0.95;
/// Height of a wrapped line in Excel and LibreOffice, as a multiple of the font size.
/// BIZ UDGothic's ascent + descent is 1.0 em; this leaves room for pixel rounding.
const LINE_FACTOR: f32 = 1.2;
/// The indent of left- and right-aligned cells (Excel's indent level 1), so that text does
/// not touch the cell's border, and the width it takes from the text (points; measured in
/// LibreOffice's print).
const CELL_INDENT: u8 = 1;
const CELL_INDENT_PT: f32 = 9.0;
/// The border colour of every cell (as in the PDF).
const BORDER: u32 = 0x404040;

/// What an XLSX row of the form holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// The sheet title.
    Title,
    /// The blank row between two tables.
    Spacer,
    /// Row `row` of table `table`; `piece` > 0 for the continuation rows of a row taller
    /// than Excel allows.
    Table { table: usize, row: usize, piece: usize },
    /// The caption of a table (`Table::heading`); `continued` above a continued part.
    Caption { table: usize, continued: bool },
    /// A header row of a table repeated where the PDF continues the table on a new page.
    Repeated { table: usize, row: usize },
}

/// An XLSX row of the form.
#[derive(Clone, Debug, PartialEq)]
pub struct FormRow {
    /// Height in points.
    pub height: f32,
    pub kind: RowKind,
}

/// A layout cell (or one part of a split cell) placed on the XLSX grid; rows and columns are
/// 0-based and inclusive.
#[derive(Clone, Debug, PartialEq)]
pub struct FormCell {
    pub table: usize,
    pub cell: usize,
    pub first_row: u32,
    pub last_row: u32,
    pub first_col: u16,
    pub last_col: u16,
    /// The cell's value: its paragraphs joined by line breaks (for a split cell: its part).
    pub text: String,
    /// A copy of a header cell above a continued part of its table.
    pub repeated: bool,
}

/// A table caption on its own row, merged across the sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct FormCaption {
    pub table: usize,
    pub row: u32,
    pub text: String,
    pub continued: bool,
}

/// The form sheet, mapped onto the XLSX grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    /// Column widths in pixels.
    pub columns: Vec<u32>,
    pub rows: Vec<FormRow>,
    pub cells: Vec<FormCell>,
    pub captions: Vec<FormCaption>,
    /// Rows that start a printed page: where the PDF starts a page (before the row that
    /// starts it, or before the caption and header rows repeated above a continued part).
    pub page_breaks: Vec<u32>,
    /// Print scale in percent: the largest that fits the widest row and the tallest of the
    /// printed pages (so that every page break is the PDF's, none added).
    pub print_scale: u16,
}

/// A line of a cell's text for XLSX.
pub(crate) struct XLine {
    text: String,
    /// A bullet's continuation line (indented under the bullet's text).
    indent: bool,
}

/// A height rounded up to whole pixels (Excel would round it to the nearest).
fn whole_px(h: f32) -> f32 {
    (h * PX_PER_PT - 1e-3).ceil() / PX_PER_PT
}

/// Paragraphs broken into lines as Excel or LibreOffice may wrap them in a column `width_px`
/// wide with `pad` points of padding on each side: conservatively, for the narrowest the
/// column may render and glyphs measured larger than drawn.
pub(crate) fn wrap(paragraphs: &[String], width_px: u32, pad: f32, weight: Weight, size: f32) -> Vec<XLine> {
    let inner = (width_px as f32 * NARROWEST / PX_PER_PT - 2.0 * pad).max(1.0);
    let mut out = Vec::new();
    for p in paragraphs {
        let lines = break_paragraphs(std::slice::from_ref(p), inner, weight, size * MEASURE_SCALE);
        out.extend(lines.into_iter().map(|l| XLine { indent: l.indent > 0.0, text: l.text }));
    }
    out
}

/// Height of `n` wrapped lines of text at `size`, with `pad` points above and below.
pub(crate) fn lines_height(n: usize, size: f32, pad: f32) -> f32 {
    n.max(1) as f32 * size * LINE_FACTOR + 2.0 * pad
}

/// Joins lines into a cell value, each line ended by a line break: Excel and LibreOffice
/// then show the lines broken as measured, with our kinsoku (LibreOffice's own wrapping
/// may start a line with 「、」), and the rows measured for them hold exactly those lines.
/// (The lines are measured narrower than the cell, so neither wraps them again.) A bullet's
/// continuation lines are indented with a full-width space, the width the measure left them.
fn join_lines(lines: &[XLine]) -> String {
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if l.indent {
            s.push('\u{3000}');
        }
        s.push_str(&l.text);
    }
    s
}

/// A cell's value, its lines as measured for Excel, with a checked box shown as `☑`.
fn cell_value(cell: &Cell, lines: &[XLine]) -> String {
    let mut value = join_lines(lines);
    // The line breaks count as characters: a text near Excel's cell limit (which `check`
    // lets through) would pass it with one per line. Such a cell is written as its lines run
    // on, a break kept only before a bullet, and Excel wraps it itself.
    if value.chars().count() > crate::schema::limits::CELL_CHARS {
        value = String::new();
        for (i, l) in lines.iter().enumerate() {
            if i > 0 && l.text.starts_with('・') {
                value.push('\n');
            }
            value.push_str(&l.text);
        }
    }
    cell.with_state(&value, 0, '☑').into_owned()
}

/// Maps the laid-out sheet onto the XLSX grid.
pub fn form(sheet: &Sheet) -> Form {
    let spec = &sheet.spec;
    let px = |x: f32| (x * PX_PER_PT).round() as u32;

    // The column grid: every table's column boundaries, in whole pixels.
    let mut bounds: Vec<u32> = sheet
        .tables
        .iter()
        .flat_map(|t| (0..=t.columns.len()).map(move |i| px(t.col_x(i))))
        .collect();
    bounds.push(0);
    bounds.sort_unstable();
    bounds.dedup();
    let grid_col = |x: f32| bounds.binary_search(&px(x)).expect("every boundary is in the grid") as u16;
    let columns: Vec<u32> = bounds.windows(2).map(|w| w[1] - w[0]).collect();

    let mut rows = vec![FormRow { height: whole_px(spec.title_size * 2.0), kind: RowKind::Title }];
    let mut cells = Vec::new();
    let mut captions = Vec::new();
    let mut page_breaks = Vec::new();
    let starts = pdf_page_starts(sheet);
    let caption_h = whole_px(spec.caption_height());

    for (ti, t) in sheet.tables.iter().enumerate() {
        if ti > 0 {
            rows.push(FormRow { height: whole_px(spec.gap), kind: RowKind::Spacer });
        }
        if starts.get(&(ti, 0)) == Some(&false) {
            page_breaks.push(rows.len() as u32);
        }
        if let Some(heading) = &t.heading {
            captions.push(FormCaption { table: ti, row: rows.len() as u32, text: heading.clone(), continued: false });
            rows.push(FormRow { height: caption_h, kind: RowKind::Caption { table: ti, continued: false } });
        }
        let line_h = |c: &Cell| c.size * LINE_FACTOR;
        let need = |c: &Cell, n: usize| lines_height(n, c.size, spec.pad_y);
        let width_px = |c: &Cell| {
            let a = grid_col(t.col_x(c.col)) as usize;
            let b = grid_col(t.col_x(c.col + c.col_span)) as usize;
            bounds[b].saturating_sub(bounds[a])
        };
        // The layout's padding is kept, plus the cells' indent (Excel and LibreOffice pad
        // less than the PDF; the indent keeps text off the left border).
        let pad = spec.pad_x + CELL_INDENT_PT / 2.0;
        let lines: Vec<Vec<XLine>> = t.cells.iter().map(|c| wrap(&c.paragraphs, width_px(c), pad, c.weight, c.size)).collect();

        // Row heights: the layout's, or what Excel's wrapping needs, whichever is more.
        let mut heights: Vec<f32> = t.rows.iter().map(|r| r.height).collect();
        for (c, l) in t.cells.iter().zip(&lines) {
            if c.row_span == 1 {
                heights[c.row] = heights[c.row].max(need(c, l.len()));
            }
        }
        let mut spanning: Vec<usize> = (0..t.cells.len()).filter(|&i| t.cells[i].row_span > 1).collect();
        spanning.sort_by_key(|&i| t.cells[i].row + t.cells[i].row_span);
        for i in spanning {
            let c = &t.cells[i];
            let have: f32 = heights[c.row..c.row + c.row_span].iter().sum();
            let needed = need(c, lines[i].len());
            if have < needed {
                heights[c.row + c.row_span - 1] += needed - have;
            }
        }

        // Rows over Excel's limit: split into pieces. `split[i]`: the line chunks of cell i
        // when it is split over the pieces of its row.
        let mut split: Vec<Option<Vec<std::ops::Range<usize>>>> = vec![None; t.cells.len()];
        let mut pieces: Vec<Vec<f32>> = Vec::with_capacity(t.rows.len());
        for (r, &h) in heights.iter().enumerate() {
            if h <= MAX_ROW_HEIGHT {
                pieces.push(vec![h]);
                continue;
            }
            let mut k = (h / MAX_ROW_HEIGHT).ceil() as usize;
            for (i, c) in t.cells.iter().enumerate() {
                if c.row != r || c.row_span != 1 {
                    continue;
                }
                let per_row = ((MAX_ROW_HEIGHT - 2.0 * spec.pad_y) / line_h(c)).floor().max(1.0) as usize;
                let n = lines[i].len();
                if n > per_row {
                    let chunks: Vec<_> = (0..n).step_by(per_row).map(|s| s..(s + per_row).min(n)).collect();
                    k = k.max(chunks.len());
                    split[i] = Some(chunks);
                }
            }
            let even = (h / k as f32).min(MAX_ROW_HEIGHT);
            let mut hs = vec![even; k];
            for (i, c) in t.cells.iter().enumerate() {
                // Only this row's cells: a split cell of an earlier row may have more chunks
                // than this row has pieces.
                if c.row != r {
                    continue;
                }
                if let Some(chunks) = &split[i] {
                    for (j, ch) in chunks.iter().enumerate() {
                        hs[j] = hs[j].max(need(c, ch.len())).min(MAX_ROW_HEIGHT);
                    }
                }
            }
            pieces.push(hs);
        }

        // XLSX rows of the table; where the PDF continues it on a new page, a page break,
        // the caption 「… (続き)」 and copies of the header rows.
        let mut first_xrow = Vec::with_capacity(t.rows.len());
        let mut copies = Vec::new();
        for (r, hs) in pieces.iter().enumerate() {
            if r > 0 && starts.get(&(ti, r)) == Some(&true) {
                page_breaks.push(rows.len() as u32);
                if let Some(heading) = &t.heading {
                    let text = format!("{heading} (続き)");
                    captions.push(FormCaption { table: ti, row: rows.len() as u32, text, continued: true });
                    rows.push(FormRow { height: caption_h, kind: RowKind::Caption { table: ti, continued: true } });
                }
                copies.push(rows.len() as u32);
                for (hr, hp) in pieces.iter().enumerate().take(t.header_rows) {
                    let height = whole_px(hp.iter().sum::<f32>()).min(MAX_ROW_HEIGHT);
                    rows.push(FormRow { height, kind: RowKind::Repeated { table: ti, row: hr } });
                }
            }
            first_xrow.push(rows.len() as u32);
            for (j, &h) in hs.iter().enumerate() {
                let height = whole_px(h).min(MAX_ROW_HEIGHT);
                rows.push(FormRow { height, kind: RowKind::Table { table: ti, row: r, piece: j } });
            }
        }
        let last_xrow = |r: usize| first_xrow[r] + pieces[r].len() as u32 - 1;

        for (i, c) in t.cells.iter().enumerate() {
            let first_col = grid_col(t.col_x(c.col));
            // (A column narrower than half a pixel has no grid column of its own.)
            let last_col = grid_col(t.col_x(c.col + c.col_span)).saturating_sub(1).max(first_col);
            match &split[i] {
                Some(chunks) => {
                    let n = chunks.len();
                    for (j, ch) in chunks.iter().enumerate() {
                        // The last part also covers any pieces after it.
                        let last_row = if j + 1 == n { last_xrow(c.row) } else { first_xrow[c.row] + j as u32 };
                        cells.push(FormCell {
                            table: ti,
                            cell: i,
                            first_row: first_xrow[c.row] + j as u32,
                            last_row,
                            first_col,
                            last_col,
                            text: join_lines(&lines[i][ch.clone()]),
                            repeated: false,
                        });
                    }
                }
                None => cells.push(FormCell {
                    table: ti,
                    cell: i,
                    first_row: first_xrow[c.row],
                    last_row: last_xrow(c.row + c.row_span - 1),
                    first_col,
                    last_col,
                    text: cell_value(c, &lines[i]),
                    repeated: false,
                }),
            }
        }
        // The repeated header rows: the header cells again (header cells span header rows only).
        for &base in &copies {
            for (i, c) in t.cells.iter().enumerate().filter(|(_, c)| c.row < t.header_rows) {
                let first_col = grid_col(t.col_x(c.col));
                let last_col = grid_col(t.col_x(c.col + c.col_span)).saturating_sub(1).max(first_col);
                let last = (c.row + c.row_span).min(t.header_rows) - 1;
                cells.push(FormCell {
                    table: ti,
                    cell: i,
                    first_row: base + c.row as u32,
                    last_row: base + last as u32,
                    first_col,
                    last_col,
                    text: cell_value(c, &lines[i]),
                    repeated: true,
                });
            }
        }
    }

    let print_scale = print_scale(spec, &columns, &rows, &page_breaks);
    Form { columns, rows, cells, captions, page_breaks, print_scale }
}

/// Where the PDF's pages after the first start: (table, row) of the first row placed whole at
/// the top of the page, and whether it continues a table begun on an earlier page. (A page
/// that starts inside a row split between lines has no row to break before.)
fn pdf_page_starts(sheet: &Sheet) -> std::collections::BTreeMap<(usize, usize), bool> {
    let mut out = std::collections::BTreeMap::new();
    for page in sheet.pages.iter().skip(1) {
        let top = page.cells.iter().filter(|pc| !pc.repeated).min_by(|a, b| a.y.total_cmp(&b.y).then(a.table.cmp(&b.table)));
        let Some(top) = top else { continue };
        if top.first_line > 0 {
            continue;
        }
        let row = page
            .cells
            .iter()
            .filter(|pc| !pc.repeated && pc.table == top.table && (pc.y - top.y).abs() < 0.01)
            .map(|pc| sheet.tables[pc.table].cells[pc.cell].row)
            .max()
            .unwrap_or(0);
        let continued = page.cells.iter().any(|pc| pc.table == top.table && pc.repeated && !pc.continued);
        out.insert((top.table, row), continued);
    }
    out
}

/// The print scale (percent) at which the sheet is one page wide and each run of rows
/// between two page breaks fits on one page: A4 landscape inside the PDF's margins.
fn print_scale(spec: &crate::layout::PageSpec, columns: &[u32], rows: &[FormRow], breaks: &[u32]) -> u16 {
    let width: f32 = columns.iter().sum::<u32>() as f32 / PX_PER_PT;
    let printable_w = spec.content_width();
    let printable_h = spec.height - PRINT_MARGIN_TOP - PRINT_MARGIN_BOTTOM;
    let mut tallest = 0.0f32;
    let mut start = 0usize;
    for end in breaks.iter().map(|&b| b as usize).chain([rows.len()]) {
        tallest = tallest.max(rows[start.min(rows.len())..end.min(rows.len())].iter().map(|r| r.height).sum());
        start = end;
    }
    let fit = (printable_w / width).min(printable_h / tallest.max(1.0)).min(1.0);
    ((fit * 100.0).floor() as u16).clamp(10, 100)
}

/// Print margins (points): 10 mm at the top, 16 mm at the bottom (room for the footer).
const PRINT_MARGIN_TOP: f32 = 10.0 / 25.4 * 72.0;
const PRINT_MARGIN_BOTTOM: f32 = 16.0 / 25.4 * 72.0;

/// The cell format of a layout cell.
fn cell_format(cell: &Cell) -> Format {
    let align = match cell.align {
        Align::Left => FormatAlign::Left,
        Align::Center => FormatAlign::Center,
        Align::Right => FormatAlign::Right,
    };
    let mut f = base_format(cell.size, cell.weight)
        .set_text_wrap()
        .set_align(align)
        .set_indent(if cell.align == Align::Center { 0 } else { CELL_INDENT })
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(BORDER));
    if let Some([r, g, b]) = cell.fill {
        f = f.set_background_color(Color::RGB(u32::from_be_bytes([0, r, g, b])));
    }
    f
}

/// BIZ UDGothic at a size. The Japanese family name is the one Excel on Japanese Windows
/// writes; Windows and fontconfig (LibreOffice) resolve the font by either name.
pub fn base_format(size: f32, weight: Weight) -> Format {
    let f = Format::new()
        .set_font_name(font::FAMILY_JA)
        .set_font_size(size)
        .set_font_charset(128) // SHIFTJIS_CHARSET, as Excel writes for Japanese fonts
        .set_font_family(3); // modern (fixed pitch), as Excel writes for BIZ UDゴシック
    if weight == Weight::Bold { f.set_bold() } else { f }
}

/// Writes the form sheet.
pub fn write(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    let form = form(sheet);
    for (i, &w) in form.columns.iter().enumerate() {
        ws.set_column_width_pixels(i as u16, w)?;
    }
    for (i, r) in form.rows.iter().enumerate() {
        ws.set_row_height(i as u32, r.height)?;
    }
    let last_col = form.columns.len().saturating_sub(1) as u16;

    let title = base_format(sheet.spec.title_size, Weight::Bold).set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter);
    if last_col > 0 {
        ws.merge_range(0, 0, 0, last_col, &sheet.title, &title)?;
    } else {
        ws.write_string_with_format(0, 0, &sheet.title, &title)?;
    }

    let caption = base_format(sheet.spec.caption_size, Weight::Regular).set_align(FormatAlign::Left).set_align(FormatAlign::VerticalCenter);
    for c in &form.captions {
        if last_col > 0 {
            ws.merge_range(c.row, 0, c.row, last_col, &c.text, &caption)?;
        } else {
            ws.write_string_with_format(c.row, 0, &c.text, &caption)?;
        }
    }

    for fc in &form.cells {
        let cell = &sheet.tables[fc.table].cells[fc.cell];
        let fmt = cell_format(cell);
        if fc.first_row == fc.last_row && fc.first_col == fc.last_col {
            if fc.text.is_empty() {
                ws.write_blank(fc.first_row, fc.first_col, &fmt)?;
            } else {
                ws.write_string_with_format(fc.first_row, fc.first_col, &fc.text, &fmt)?;
            }
        } else {
            ws.merge_range(fc.first_row, fc.first_col, fc.last_row, fc.last_col, &fc.text, &fmt)?;
        }
    }

    // Print: A4 landscape, margins as the PDF's, page breaks where the PDF's are (with the
    // caption and header rows of a continued table repeated above its part), at a scale
    // at which each of those pages fits one printed page; the item and page numbers in the
    // footer. (No print titles: they would repeat one fixed row range, not the headings of
    // the table each page continues; and Excel ignores manual breaks under fit-to-page.)
    let mm = |v: f64| v / 25.4;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_margins(mm(10.0), mm(10.0), mm(10.0), mm(16.0), mm(5.0), mm(6.0));
    ws.set_print_scale(form.print_scale);
    ws.set_print_center_horizontally(true);
    ws.set_page_breaks(&form.page_breaks)?;
    let footer_item = sheet.pages.first().map(|p| p.footer_left.as_str()).unwrap_or("");
    // Size first: a size code followed by the item number's digits would read as one number.
    let font = format!("&{}&\"{},Regular\"", sheet.spec.footer_size.round() as u32, font::FAMILY_JA);
    ws.set_footer(footer(&font, footer_item));
    ws.set_screen_gridlines(false);
    Ok(())
}

/// Escapes `&` in header/footer text (Excel's control character).
fn escape_footer(s: &str) -> String {
    s.replace('&', "&&")
}

/// Excel's limit of a header or footer string (rust_xlsxwriter drops a longer one).
const FOOTER_CHARS: usize = 255;

/// The footer: the item on the left, `n / N` on the right. A long item name is shortened with
/// `…` so that the whole footer stays within Excel's limit (the sheet itself holds the name).
fn footer(font: &str, item: &str) -> String {
    let make = |item: &str| format!("&L{font}{}&R{font}&P / &N", escape_footer(item));
    let whole = make(item);
    if whole.chars().count() <= FOOTER_CHARS {
        return whole;
    }
    let room = FOOTER_CHARS - make("…").chars().count();
    let mut kept = String::new();
    for c in item.chars() {
        if escape_footer(&format!("{kept}{c}")).chars().count() > room {
            break;
        }
        kept.push(c);
    }
    make(&format!("{kept}…"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_item_keeps_the_footer_within_excels_limit() {
        let f = footer("&8&\"BIZ UDゴシック,Regular\"", &"長&".repeat(200));
        assert!(f.chars().count() <= FOOTER_CHARS, "{}", f.chars().count());
        assert!(f.contains("…&R") && f.ends_with("&P / &N"), "{f}");
        assert_eq!(footer("&8", "3-2 項目"), "&L&83-2 項目&R&8&P / &N");
    }
}
