//! The laid-out sheet: tables of cells whose text is already broken into lines, rows with
//! measured heights, and pages with every cell fragment placed. Renderers only draw this.
//!
//! Units are PDF points (1/72 inch); y grows downwards from the top of the page.

use crate::font::Weight;

/// Whether a cell is a header (label) or data cell; drives PDF tags (TH / TD) and fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Header,
    Data,
}

/// What a header cell labels: the column(s) below it (header rows) or the row(s) beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Column,
    Row,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One printed line of a cell, with its indent from the cell's text origin (for the
/// continuation lines of a bullet point).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub text: String,
    pub indent: f32,
}

/// A cell of a table grid, possibly spanning rows and columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub row_span: usize,
    pub col_span: usize,
    pub role: Role,
    pub weight: Weight,
    pub size: f32,
    pub align: Align,
    /// Background fill (RGB), for label cells.
    pub fill: Option<[u8; 3]>,
    /// The source paragraphs, as written (for XLSX cell values).
    pub paragraphs: Vec<String>,
    /// The paragraphs broken into lines that fit the cell width.
    pub lines: Vec<Line>,
    /// A check box drawn checked: which `□` of the cell's text (0 for the first), wherever
    /// its lines break.
    pub checked_box: Option<usize>,
    /// For a header cell: what it labels (`None` for data cells).
    pub scope: Option<Scope>,
    /// For a data cell: the header cells (indices into the table's `cells`) that label it, so
    /// that it is announced with its own labels only: the run of header cells to its left in
    /// its block (outermost first), then the header-row cell above it when one covers all of
    /// its columns. PDF `/Headers` and HTML `headers` are made from this.
    pub headers: Vec<usize>,
    /// The expanded form of an abbreviated label (`R3` → `令和3年度`): PDF `/E`, HTML `<abbr>`.
    pub expansion: Option<String>,
    /// For a label: its text with 「(続き)」, broken into lines, drawn on every later page
    /// that a row split between lines reaches (empty for data cells).
    pub continued_lines: Vec<Line>,
}

/// The identifier of a cell, unique in a sheet: PDF structure-element ID and HTML `id`.
pub fn cell_id(table: usize, cell: usize) -> String {
    format!("t{}c{}", table + 1, cell + 1)
}

impl Cell {
    /// The cell's text as one string, lines joined by line breaks (for XLSX).
    pub fn value(&self) -> String {
        self.paragraphs.join("\n")
    }

    /// The paragraphs with a checked box shown as `☑` (XLSX values and HTML, which are not
    /// drawn with the bundled font).
    pub fn paragraphs_with_state(&self) -> Vec<String> {
        let mut before = 0;
        self.paragraphs
            .iter()
            .map(|p| {
                let shown = self.with_state(p, before, '☑').into_owned();
                before += p.matches('□').count();
                shown
            })
            .collect()
    }

    /// A part of the cell's text (a line, a paragraph, the whole value) with the checked box
    /// shown as `mark`; `before`: how many `□` the cell's text has before this part.
    pub fn with_state<'t>(&self, text: &'t str, before: usize, mark: char) -> std::borrow::Cow<'t, str> {
        let Some(n) = self.checked_box.and_then(|k| k.checked_sub(before)) else { return text.into() };
        if text.matches('□').count() <= n {
            return text.into();
        }
        let mut seen = 0;
        text.chars()
            .map(|c| {
                if c != '□' {
                    return c;
                }
                seen += 1;
                if seen == n + 1 { mark } else { c }
            })
            .collect::<String>()
            .into()
    }
}

/// A row of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub height: f32,
    /// Running text (the continuation of a long text under its table): split between lines
    /// to fill a page rather than moved whole to the next one.
    pub flows: bool,
}

/// A table: columns, rows, cells. The first `header_rows` rows are repeated at the top of every
/// page the table continues on.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// What the table is, for tags and bookmarks (`指標`, `3-2-1. 施策等に…`).
    pub caption: String,
    /// The visible caption printed above the table (`3-2-1 施策等に…`), and with 「(続き)」
    /// above each continued part; `None` for tables without one.
    pub heading: Option<String>,
    /// Whether the table gets a bookmark of its own.
    pub bookmark: bool,
    /// Whether the table starts on a new page.
    pub page_break_before: bool,
    pub columns: Vec<f32>,
    pub rows: Vec<Row>,
    pub cells: Vec<Cell>,
    pub header_rows: usize,
}

impl Table {
    pub fn width(&self) -> f32 {
        self.columns.iter().sum()
    }

    pub fn height(&self) -> f32 {
        self.rows.iter().map(|r| r.height).sum()
    }

    /// x offset of a column from the table's left edge.
    pub fn col_x(&self, col: usize) -> f32 {
        self.columns[..col].iter().sum()
    }

    pub fn span_width(&self, cell: &Cell) -> f32 {
        self.columns[cell.col..cell.col + cell.col_span].iter().sum()
    }
}

/// Paper and text metrics shared by layout and renderers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageSpec {
    pub width: f32,
    pub height: f32,
    pub margin: f32,
    /// Height reserved at the bottom of the page for the footer.
    pub footer_height: f32,
    /// Inner padding of a cell.
    pub pad_x: f32,
    pub pad_y: f32,
    /// Line height as a multiple of the font size.
    pub leading: f32,
    pub body_size: f32,
    pub title_size: f32,
    pub footer_size: f32,
    /// Vertical space between tables.
    pub gap: f32,
    /// Size of the visible caption above a table.
    pub caption_size: f32,
}

impl PageSpec {
    /// A4 landscape, 10 mm margins, 8 pt text.
    pub fn a4_landscape() -> Self {
        PageSpec {
            width: 841.89,
            height: 595.28,
            margin: 28.35,
            footer_height: 16.0,
            pad_x: 3.0,
            pad_y: 2.5,
            leading: 1.3,
            body_size: 8.0,
            title_size: 13.0,
            footer_size: 7.5,
            gap: 8.0,
            caption_size: 9.0,
        }
    }

    pub fn content_width(&self) -> f32 {
        self.width - 2.0 * self.margin
    }

    /// The y where page content ends and the footer begins.
    pub fn content_bottom(&self) -> f32 {
        self.height - self.margin - self.footer_height
    }

    pub fn line_height(&self, size: f32) -> f32 {
        size * self.leading
    }

    /// Height taken by a table caption: its line and a little space below it.
    pub fn caption_height(&self) -> f32 {
        self.caption_size * 1.6
    }

    /// The height of a page's content area (between the top margin and the footer).
    pub fn body_height(&self) -> f32 {
        self.content_bottom() - self.margin
    }
}

/// A piece of a cell placed on a page. A cell split by a page break has several pieces.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedCell {
    pub table: usize,
    pub cell: usize,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// Which of the cell's lines are drawn in this piece.
    pub first_line: usize,
    pub end_line: usize,
    /// A header row repeated on a continuation page (a layout artifact, not new content).
    pub repeated: bool,
    /// A label repeated beside the continued part of a row split between pages: drawn from
    /// the cell's `continued_lines` (「取組目標 (続き)」), lines `first_line..end_line` of
    /// those. Always `repeated` too.
    pub continued: bool,
}

/// The visible caption of a table (`Table::heading`), placed above the table or above a
/// continued part of it (then `continued`, with 「(続き)」 in `text`).
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedCaption {
    pub table: usize,
    pub text: String,
    pub continued: bool,
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
}

/// The title of the sheet, placed on the first page.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedTitle {
    pub text: String,
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
}

/// Where a bookmark points.
#[derive(Clone, Debug, PartialEq)]
pub struct Bookmark {
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// One page of the laid-out sheet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub title: Option<PlacedTitle>,
    /// Table captions on this page, top to bottom.
    pub captions: Vec<PlacedCaption>,
    pub cells: Vec<PlacedCell>,
    /// Footer texts: left (the item) and right (`n / N`).
    pub footer_left: String,
    pub footer_right: String,
}

/// An item's sheet, laid out and paginated.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub spec: PageSpec,
    /// `{計画名} {様式名}`: printed at the top of the first page.
    pub title: String,
    /// `{計画名} {様式名} {項目} {項目名}`: the document title.
    pub document_title: String,
    /// The item number, for file names.
    pub item_number: String,
    pub tables: Vec<Table>,
    pub pages: Vec<Page>,
    pub bookmarks: Vec<Bookmark>,
}
