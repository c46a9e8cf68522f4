//! The HTML renderer: one accessible page per item (`{項目}.html`) with the same content as its
//! PDF, drawn from the same layout, an index of the plan (`index.html`: 柱 › 項目) and one shared
//! style sheet (`style.css`).
//!
//! Tables are semantic: `<caption>`, `<thead>`/`<tbody>`, `<th scope>` (col for header rows,
//! row for labels), `headers` on every data cell listing its own labels (`Cell::headers`, the
//! relation the PDF's `/Headers` are made from), `<abbr>` for abbreviated labels. No
//! JavaScript; every link is relative, so the pages work from the file system and from any web
//! server. Pages live in `{out}/html/`, the files they link to in `{out}/`.

use std::fmt::Write;

use crate::layout::{self, Align, Cell, Role, Scope, Sheet, Table};
use crate::model::{Item, Plan};

/// The shared style sheet, written as `html/style.css`.
pub const STYLE: &str = include_str!("html/style.css");

/// A file offered for download beside a page: `PDF`, `../3-2.pdf`, its size in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    pub kind: &'static str,
    pub href: String,
    pub bytes: u64,
}

/// One item as the index lists it.
#[derive(Clone, Debug)]
pub struct IndexEntry<'a> {
    pub item: &'a Item,
    /// The page's file name without `.html` (see `output::file_stem`).
    pub stem: String,
    pub downloads: Vec<Download>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A file size as people read it: `812 バイト`, `142 KB`, `1.4 MB`.
pub fn format_size(bytes: u64) -> String {
    const K: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} バイト")
    } else if b < K * K {
        format!("{} KB", (b / K).round() as u64)
    } else {
        format!("{:.1} MB", b / K / K)
    }
}

/// A link path segment: the stem with the characters that have a meaning in a URL escaped.
fn href_segment(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '%' | '#' | '?' | ' ' | '"' | '<' | '>' | '&' | '\'' | '\\' | '/' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The link from a page in `html/` to an output file in the folder above it.
pub fn download_href(file_name: &str) -> String {
    format!("../{}", href_segment(file_name))
}

/// The link from one page to another in `html/`.
pub fn page_href(stem: &str) -> String {
    format!("{}.html", href_segment(stem))
}

fn head(out: &mut String, title: &str) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    out.push_str("<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n");
    out.push_str("<a class=\"skip\" href=\"#main\">本文へ移動</a>\n");
}

fn downloads_list(out: &mut String, label: &str, downloads: &[Download]) {
    if downloads.is_empty() {
        return;
    }
    let _ = writeln!(out, "<ul class=\"downloads\" aria-label=\"{}\">", escape(label));
    for d in downloads {
        let _ = writeln!(
            out,
            "<li><a href=\"{}\">{} 形式</a> ({})</li>",
            escape(&d.href),
            d.kind,
            format_size(d.bytes)
        );
    }
    out.push_str("</ul>\n");
}

/// An item's page: the same tables, labels and values as its PDF.
pub fn item_page(plan: &Plan, item: &Item, sheet: &Sheet, downloads: &[Download]) -> String {
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, &sheet.document_title);
    out.push_str("<header class=\"site\">\n<nav aria-label=\"現在位置\">\n<ol class=\"crumbs\">\n");
    let _ = writeln!(out, "<li><a href=\"index.html\">{}</a></li>", escape(&format!("{} {}", plan.name, plan.form_name)));
    let _ = writeln!(out, "<li aria-current=\"page\">{}</li>", escape(&item.number.value));
    out.push_str("</ol>\n</nav>\n</header>\n<main id=\"main\">\n");
    let _ = writeln!(out, "<p class=\"form\">{}</p>", escape(&sheet.title));
    let _ = writeln!(out, "<h1>{}</h1>", escape(&format!("{} {}", item.number.value, item.name)));
    downloads_list(&mut out, "この項目のファイル", downloads);
    for (ti, t) in sheet.tables.iter().enumerate() {
        // The first table (the item's own header band) sits under the H1; every other table,
        // each 取組内容 included, gets a heading of its own.
        let heading = (ti > 0).then(|| format!("h-t{}", ti + 1));
        if let Some(id) = &heading {
            let _ = writeln!(out, "<h2 id=\"{id}\">{}</h2>", escape(&t.caption));
        }
        table(&mut out, ti, t);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// One table of the layout as an HTML table inside a box that scrolls on narrow screens.
fn table(out: &mut String, ti: usize, t: &Table) {
    let caption_id = format!("c-t{}", ti + 1);
    let _ = writeln!(out, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"{caption_id}\" tabindex=\"0\">");
    let class = if t.columns.len() <= 4 { "sheet band" } else { "sheet" };
    let _ = writeln!(out, "<table class=\"{class}\">");
    let _ = writeln!(out, "<caption id=\"{caption_id}\">{}</caption>", escape(&t.caption));
    out.push_str("<colgroup>");
    let total = t.width().max(1.0);
    for w in &t.columns {
        let _ = write!(out, "<col style=\"width:{:.1}%\">", w / total * 100.0);
    }
    out.push_str("</colgroup>\n");

    // Which grid slot each cell starts at, and which slots spanning cells cover.
    let ncols = t.columns.len();
    let nrows = t.rows.len();
    let mut start = vec![vec![None; ncols]; nrows];
    let mut covered = vec![vec![false; ncols]; nrows];
    for (ci, c) in t.cells.iter().enumerate() {
        if c.row < nrows && c.col < ncols {
            start[c.row][c.col] = Some(ci);
        }
        for row in covered.iter_mut().skip(c.row).take(c.row_span) {
            for slot in row.iter_mut().skip(c.col).take(c.col_span) {
                *slot = true;
            }
        }
    }
    for r in 0..nrows {
        if r == 0 && t.header_rows > 0 {
            out.push_str("<thead>\n");
        }
        if r == t.header_rows {
            out.push_str("<tbody>\n");
        }
        out.push_str("<tr>");
        for c in 0..ncols {
            match start[r][c] {
                Some(ci) => cell(out, ti, ci, &t.cells[ci]),
                // A slot no cell covers (the layout leaves none): an empty cell keeps the grid.
                None if !covered[r][c] => out.push_str("<td></td>"),
                None => {}
            }
        }
        out.push_str("</tr>\n");
        if r + 1 == t.header_rows {
            out.push_str("</thead>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

fn cell(out: &mut String, ti: usize, ci: usize, c: &Cell) {
    let paragraphs = c.paragraphs_with_state();
    let header = c.role == Role::Header && !paragraphs.is_empty();
    let mut attrs = String::new();
    if header {
        let _ = write!(attrs, " id=\"{}\"", layout::cell_id(ti, ci));
        let scope = match c.scope {
            Some(Scope::Column) => "col",
            _ => "row",
        };
        let _ = write!(attrs, " scope=\"{scope}\"");
    } else if !c.headers.is_empty() {
        let ids: Vec<String> = c.headers.iter().map(|&h| layout::cell_id(ti, h)).collect();
        let _ = write!(attrs, " headers=\"{}\"", ids.join(" "));
    }
    if c.row_span > 1 {
        let _ = write!(attrs, " rowspan=\"{}\"", c.row_span);
    }
    if c.col_span > 1 {
        let _ = write!(attrs, " colspan=\"{}\"", c.col_span);
    }
    let mut classes = Vec::new();
    if c.role == Role::Header && c.fill.is_none() {
        classes.push("name");
    }
    match c.align {
        Align::Right => classes.push("num"),
        Align::Center => classes.push("center"),
        Align::Left => {}
    }
    if !classes.is_empty() {
        let _ = write!(attrs, " class=\"{}\"", classes.join(" "));
    }
    let tag = if header { "th" } else { "td" };
    let _ = write!(out, "<{tag}{attrs}>");
    match &c.expansion {
        Some(full) => {
            let _ = write!(out, "<abbr title=\"{}\">{}</abbr>", escape(full), escape(&paragraphs.join("")));
        }
        None => content(out, &paragraphs),
    }
    let _ = write!(out, "</{tag}>");
}

/// A cell's paragraphs: one plain paragraph as bare text; otherwise paragraphs as `<p>` and
/// runs of `・` bullets as lists.
fn content(out: &mut String, paragraphs: &[String]) {
    if let [one] = paragraphs
        && !one.starts_with('・')
    {
        out.push_str(&escape(one));
        return;
    }
    let mut in_list = false;
    for p in paragraphs {
        match p.strip_prefix('・') {
            Some(rest) => {
                if !in_list {
                    out.push_str("<ul>");
                    in_list = true;
                }
                let _ = write!(out, "<li>{}</li>", escape(rest));
            }
            None => {
                if in_list {
                    out.push_str("</ul>");
                    in_list = false;
                }
                let _ = write!(out, "<p>{}</p>", escape(p));
            }
        }
    }
    if in_list {
        out.push_str("</ul>");
    }
}

/// Orders item numbers as people count them: `2-1` < `2-10` < `10-1`.
pub fn number_key(number: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut digits = String::new();
    let mut other = String::new();
    for c in number.chars() {
        if c.is_ascii_digit() {
            if !other.is_empty() {
                key.push((u64::MAX, std::mem::take(&mut other)));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((digits.parse().unwrap_or(u64::MAX), String::new()));
                digits.clear();
            }
            other.push(c);
        }
    }
    if !digits.is_empty() {
        key.push((digits.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !other.is_empty() {
        key.push((u64::MAX, other));
    }
    key
}

/// The plan's index: 柱 › 項目 with links to each item's page and files, the plan's own files,
/// and the 総括表.
///
/// `summary` is the place of the 総括表 of the evaluation year: an HTML fragment of tables made
/// from the whole-plan summary (the summary module builds the numbers; its HTML tables are
/// passed here by `commands::build`). `None` leaves the section out.
pub fn index_page(plan: &Plan, entries: &[IndexEntry], plan_downloads: &[Download], summary: Option<&str>) -> String {
    let title = format!("{} {}", plan.name, plan.form_name);
    let mut out = String::with_capacity(16 * 1024);
    head(&mut out, &title);
    out.push_str("<main id=\"main\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    if !plan.organization.is_empty() {
        let _ = writeln!(out, "<p class=\"form\">{}</p>", escape(&plan.organization));
    }
    downloads_list(&mut out, "計画全体のファイル", plan_downloads);
    let mut sorted: Vec<&IndexEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| number_key(&a.item.number.value).cmp(&number_key(&b.item.number.value)).then(a.item.number.value.cmp(&b.item.number.value)));
    out.push_str("<nav aria-labelledby=\"items-h\">\n<h2 id=\"items-h\">改革の柱と項目</h2>\n");
    for (n, name) in &plan.pillars {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&format!("{n} {name}")));
        let items: Vec<&&IndexEntry> = sorted.iter().filter(|e| e.item.pillar.value == *n).collect();
        if items.is_empty() {
            out.push_str("<p>この柱の項目はありません。</p>\n");
            continue;
        }
        out.push_str("<ul class=\"items\">\n");
        for e in items {
            let _ = write!(
                out,
                "<li><a href=\"{}\">{}</a>",
                escape(&page_href(&e.stem)),
                escape(&format!("{} {}", e.item.number.value, e.item.name))
            );
            if !e.downloads.is_empty() {
                out.push_str(" <span class=\"files\">(");
                for (i, d) in e.downloads.iter().enumerate() {
                    if i > 0 {
                        out.push('、');
                    }
                    let _ = write!(
                        out,
                        "<a href=\"{}\" aria-label=\"{}\">{}</a> {}",
                        escape(&d.href),
                        escape(&format!("{} {} 形式", e.item.number.value, d.kind)),
                        d.kind,
                        format_size(d.bytes)
                    );
                }
                out.push_str(")</span>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</nav>\n");
    // The 総括表 (see the doc comment): the marked place for the whole-plan summary.
    if let Some(summary) = summary {
        out.push_str("<section aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">総括表</h2>\n");
        out.push_str(summary);
        out.push_str("\n</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The 総括表 of the evaluation year as HTML tables, from the same description the book and
/// summary.xlsx draw (`Summary::tables`): a caption, column headers, the first column as row
/// headers, numbers right-aligned.
pub fn summary_section(summary: &crate::summary::Summary) -> String {
    use crate::summary::{Column, shown};
    let mut out = String::new();
    let _ = writeln!(out, "<p>{}の状況です。</p>", escape(&crate::era::long_label(summary.year)));
    for (ti, t) in summary.tables().iter().enumerate() {
        let id = format!("s-t{}", ti + 1);
        let _ = writeln!(out, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"{id}\" tabindex=\"0\">");
        let _ = writeln!(out, "<table class=\"summary\">\n<caption id=\"{id}\">{}</caption>", escape(&t.caption));
        out.push_str("<thead><tr>");
        for h in &t.headers {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &t.rows {
            out.push_str("<tr>");
            for (ci, (v, col)) in row.iter().zip(&t.columns).enumerate() {
                let text = escape(&shown(v, *col));
                let num = !matches!(col, Column::Text);
                if ci == 0 {
                    let _ = write!(out, "<th scope=\"row\">{text}</th>");
                } else if num {
                    let _ = write!(out, "<td class=\"num\">{text}</td>");
                } else {
                    let _ = write!(out, "<td>{text}</td>");
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_escapes() {
        assert_eq!(format_size(812), "812 バイト");
        assert_eq!(format_size(145_000), "142 KB");
        assert_eq!(format_size(1_468_006), "1.4 MB");
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        assert_eq!(download_href("3-2.pdf"), "../3-2.pdf");
        assert_eq!(page_href("a#b"), "a%23b.html");
    }

    #[test]
    fn numbers_sort_as_counted() {
        let mut v = vec!["10-1", "2-10", "2-1", "3-2"];
        v.sort_by_key(|s| number_key(s));
        assert_eq!(v, ["2-1", "2-10", "3-2", "10-1"]);
    }
}
