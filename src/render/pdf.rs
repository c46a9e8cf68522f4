//! The PDF renderer (krilla): draws a laid-out sheet with BIZ UDGothic embedded as a subset,
//! tagged for screen readers (tables as Table / THead / TBody / TR / TH / TD, headers with
//! their scope, data cells with the IDs of their headers, `/E` on abbreviations), with the
//! document title, language `ja`, and bookmarks for the item and each 取組内容. PDF/A-2u and
//! PDF/UA-1.

use std::num::{NonZeroU16, NonZeroU32};
use std::sync::OnceLock;

use krilla::Document;
use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, Tag, TableHeaderScope, TagGroup, TagId, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::font::{self, Weight};
use crate::layout::{self, Align, Cell, PageSpec, PlacedCell, Role, Scope, Sheet};

/// krilla's font objects, made once per process (they hash the font data when created).
fn krilla_font(weight: Weight) -> Font {
    static REGULAR: OnceLock<Font> = OnceLock::new();
    static BOLD: OnceLock<Font> = OnceLock::new();
    let cell = match weight {
        Weight::Regular => &REGULAR,
        Weight::Bold => &BOLD,
    };
    cell.get_or_init(|| {
        Font::new(font::face(weight).data.into(), 0).expect("bundled font loads in krilla")
    })
    .clone()
}

fn border() -> rgb::Color {
    rgb::Color::new(0x40, 0x40, 0x40)
}

pub(crate) fn fill(c: rgb::Color) -> Fill {
    Fill { paint: c.into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

pub(crate) fn stroke(width: f32) -> Stroke {
    Stroke { paint: border().into(), width, ..Default::default() }
}

/// Tag groups of one table, filled page by page.
struct TableTags {
    head: Vec<Vec<(usize, TagGroup)>>,
    body: Vec<Vec<(usize, TagGroup)>>,
}

/// Renders a sheet to PDF bytes, packed (see `pdf_pack`).
pub fn render(sheet: &Sheet) -> Result<Vec<u8>, String> {
    let bytes = render_unpacked(sheet)?;
    pack(&bytes)
}

/// The serialisation settings of every PDF: tagged, PDF/A-2u (archives) and PDF/UA-1
/// (accessibility) validated at once; krilla writes the sRGB output intent and the XMP
/// identification with its extension schemas. `compress`: whether
/// krilla deflates each page's content stream as the page is finished; the item files leave
/// them raw for `pdf_pack` (faster in total), the book compresses them at once so that 1,500
/// raw page streams are not held in memory until the end (`pdf_pack` copies compressed
/// streams as they are).
pub(crate) fn settings(compress: bool) -> Result<SerializeSettings, String> {
    let configuration = krilla::configure::ConfigurationBuilder::new()
        .with_archival_validator(krilla::configure::Archival::A2_U)
        .with_accessibility_validator(krilla::configure::Accessibility::UA1)
        .finish()
        .map_err(|e| format!("PDF の設定が不正です: {e:?}"))?;
    // Content streams are compressed by `pdf_pack`, at a faster level than krilla's fixed one.
    Ok(SerializeSettings {
        enable_tagging: true,
        compress_content_streams: compress,
        configuration,
        ..SerializeSettings::default()
    })
}

/// How a sheet's pages are framed in a document: the item files use the sheet's own footers
/// and no page labels; the book replaces the footers and numbers the pages.
#[derive(Clone, Copy)]
pub(crate) struct Frame<'a> {
    /// Footer (left, right) per page of the sheet, instead of the sheet's own.
    pub footers: Option<&'a [(String, String)]>,
    /// Page label per page of the sheet.
    pub labels: Option<&'a [String]>,
    /// Heading level of the sheet's title.
    pub heading: NonZeroU16,
    /// Prefix of the cells' structure IDs, unique per sheet in a document of several.
    pub ids: &'a str,
}

impl Frame<'_> {
    pub(crate) const ITEM_FILE: Frame<'static> = Frame { footers: None, labels: None, heading: NonZeroU16::MIN, ids: "" };
}

/// krilla page settings of a page with an optional printed label (`表紙`, `12`).
pub(crate) fn page_settings(width: f32, height: f32, label: Option<&str>) -> Result<PageSettings, String> {
    let settings = PageSettings::from_wh(width, height).ok_or("用紙サイズが不正です")?;
    Ok(match label {
        None => settings,
        Some(l) => match l.parse::<u32>().ok().and_then(NonZeroU32::new) {
            Some(n) => settings.with_page_label(PageLabel::new(Some(NumberingStyle::Arabic), None, Some(n))),
            None => settings.with_page_label(PageLabel::new(None, Some(l.to_owned()), None)),
        },
    })
}

/// Renders a sheet to PDF bytes as krilla writes them.
pub fn render_unpacked(sheet: &Sheet) -> Result<Vec<u8>, String> {
    let mut doc = Document::new_with(settings(false)?);
    let groups = draw_sheet(&mut doc, sheet, Frame::ITEM_FILE)?;
    let mut tree = TagTree::new();
    for g in groups {
        tree.push(g);
    }
    doc.set_tag_tree(tree);

    let mut outline = Outline::new();
    let item_title = sheet.pages.first().map(|p| p.footer_left.clone()).unwrap_or_default();
    let mut item = OutlineNode::new(item_title, XyzDestination::new(0, Point::from_xy(0.0, 0.0))).with_open(true);
    for b in &sheet.bookmarks {
        item.push_child(OutlineNode::new(b.title.clone(), XyzDestination::new(b.page, Point::from_xy(0.0, b.y))));
    }
    outline.push_child(item);
    doc.set_outline(outline);
    doc.set_metadata(
        Metadata::new()
            .title(sheet.document_title.clone())
            .language("ja".into())
            .creator("shinko".into())
            .creation_date(fixed_date()),
    );
    doc.finish().map_err(|e| format!("PDF を作れませんでした: {e:?}"))
}

/// PDF/A needs a creation date. A fixed one keeps the bytes a function of the input (the
/// XLSX files do the same); the content's date is the sheet itself.
pub(crate) fn fixed_date() -> DateTime {
    DateTime::new(2000).month(1).day(1).hour(0).minute(0).second(0).utc_offset_hour(0).utc_offset_minute(0)
}

/// Draws every page of a sheet as the next pages of `doc` and returns the sheet's structure
/// (its title heading, then one `Table` group per table) for the caller's tag tree.
pub(crate) fn draw_sheet(doc: &mut Document, sheet: &Sheet, frame: Frame) -> Result<Vec<TagGroup>, String> {
    let spec = &sheet.spec;

    // One TH/TD group per cell, keyed by table and cell index, in row order.
    let mut tables: Vec<TableTags> = sheet
        .tables
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let mut head = vec![Vec::new(); t.header_rows];
            let mut body = vec![Vec::new(); t.rows.len() - t.header_rows];
            for (ci, c) in t.cells.iter().enumerate() {
                let group = cell_group(frame.ids, ti, ci, c);
                if c.row < t.header_rows {
                    head[c.row].push((ci, group));
                } else {
                    body[c.row - t.header_rows].push((ci, group));
                }
            }
            TableTags { head, body }
        })
        .collect();
    let mut title_id: Option<Identifier> = None;
    let mut caption_ids: Vec<Option<Identifier>> = vec![None; sheet.tables.len()];

    for (pi, page) in sheet.pages.iter().enumerate() {
        let label = frame.labels.and_then(|l| l.get(pi)).map(String::as_str);
        let mut p = doc.start_page_with(page_settings(spec.width, spec.height, label)?);
        let mut s = p.surface();
        // Backgrounds and borders: layout artifacts, one path per fill colour and one for
        // all borders (one path per cell would triple the content stream).
        s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)));
        let mut fills: std::collections::BTreeMap<[u8; 3], PathBuilder> = std::collections::BTreeMap::new();
        let mut borders = PathBuilder::new();
        for pc in &page.cells {
            let Some(rect) = Rect::from_xywh(pc.x, pc.y, pc.w, pc.h) else { continue };
            if let Some(c) = sheet.tables[pc.table].cells[pc.cell].fill {
                fills.entry(c).or_default().push_rect(rect);
            }
            borders.push_rect(rect);
        }
        s.set_stroke(None);
        for (c, pb) in fills {
            if let Some(path) = pb.finish() {
                s.set_fill(Some(fill(rgb::Color::new(c[0], c[1], c[2]))));
                s.draw_path(&path);
            }
        }
        if let Some(path) = borders.finish() {
            s.set_fill(None);
            s.set_stroke(Some(stroke(0.5)));
            s.draw_path(&path);
        }
        s.end_tagged();
        s.set_stroke(None);
        s.set_fill(Some(fill(rgb::Color::new(0, 0, 0))));

        if let Some(t) = &page.title {
            let id = s.start_tagged(ContentTag::Span(SpanTag::empty()));
            draw_line(&mut s, &t.text, Weight::Bold, t.size, t.x, t.baseline);
            s.end_tagged();
            title_id = Some(id);
        }

        // Table captions: a heading (H2) where the table starts, a pagination artifact above
        // each continued part.
        for c in &page.captions {
            if c.continued {
                s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::PaginationOther)));
                draw_line(&mut s, &c.text, Weight::Regular, c.size, c.x, c.baseline);
                s.end_tagged();
            } else {
                let id = s.start_tagged(ContentTag::Span(SpanTag::empty()));
                draw_line(&mut s, &c.text, Weight::Regular, c.size, c.x, c.baseline);
                s.end_tagged();
                caption_ids[c.table] = Some(id);
            }
        }

        for pc in &page.cells {
            let cell = &sheet.tables[pc.table].cells[pc.cell];
            if pc.repeated {
                s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::PaginationOther)));
                draw_cell(&mut s, sheet, cell, pc);
                s.end_tagged();
                continue;
            }
            let id = s.start_tagged(ContentTag::Span(SpanTag::empty()));
            draw_cell(&mut s, sheet, cell, pc);
            s.end_tagged();
            let t = &sheet.tables[pc.table];
            let tags = &mut tables[pc.table];
            let rowgroups = if cell.row < t.header_rows {
                &mut tags.head[cell.row]
            } else {
                &mut tags.body[cell.row - t.header_rows]
            };
            if let Some((_, g)) = rowgroups.iter_mut().find(|(ci, _)| *ci == pc.cell) {
                g.push(id);
            }
        }

        // Footer: the item and the page number.
        let (left, right) = match frame.footers.and_then(|f| f.get(pi)) {
            Some((l, r)) => (l.as_str(), r.as_str()),
            None => (page.footer_left.as_str(), page.footer_right.as_str()),
        };
        draw_footer(&mut s, spec, left, right);
        s.finish();
        p.finish();
    }

    // The structure: title, then each table.
    let mut out = Vec::new();
    if let Some(id) = title_id {
        let mut h = TagGroup::new(Tag::Hn(frame.heading, Some(sheet.title.clone())));
        h.push(id);
        out.push(h);
    }
    for ((t, tags), caption_id) in sheet.tables.iter().zip(tables).zip(caption_ids) {
        if let (Some(id), Some(heading)) = (caption_id, &t.heading) {
            let mut h = TagGroup::new(Tag::Hn(NonZeroU16::new(2).expect("2 is not 0"), Some(heading.clone())));
            h.push(id);
            out.push(h);
        }
        let mut table = TagGroup::new(Tag::Table.with_summary(Some(t.caption.clone())));
        let rows = |rows: Vec<Vec<(usize, TagGroup)>>| {
            rows.into_iter().map(|cells| {
                let mut tr = TagGroup::new(Tag::TR);
                for (_, g) in cells {
                    tr.push(g);
                }
                tr
            })
        };
        if !tags.head.is_empty() {
            let mut head = TagGroup::new(Tag::THead);
            for tr in rows(tags.head) {
                head.push(tr);
            }
            table.push(head);
        }
        let mut body = TagGroup::new(Tag::TBody);
        for tr in rows(tags.body) {
            body.push(tr);
        }
        table.push(body);
        out.push(table);
    }
    Ok(out)
}

/// The footer: left and right texts, a footer artifact.
pub(crate) fn draw_footer(s: &mut Surface, spec: &PageSpec, left: &str, right: &str) {
    s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Footer)));
    let base = spec.height - spec.margin - spec.footer_size * 0.3;
    draw_line(s, left, Weight::Regular, spec.footer_size, spec.margin, base);
    let w = font::face(Weight::Regular).width(right, spec.footer_size);
    draw_line(s, right, Weight::Regular, spec.footer_size, spec.width - spec.margin - w, base);
    s.end_tagged();
}

/// Packs the PDF with object streams (see `pdf_pack`); a file the packer does not recognise
/// is kept as krilla wrote it.
pub(crate) fn pack(pdf: &[u8]) -> Result<Vec<u8>, String> {
    Ok(super::pdf_pack::pack(pdf).unwrap_or_else(|| pdf.to_vec()))
}

/// The structure-element ID of a cell (see `layout::cell_id`).
/// `ids` prefixes it when several sheets share one document (the book), so that IDs stay unique.
fn tag_id(ids: &str, table: usize, cell: usize) -> TagId {
    TagId::from(format!("{ids}{}", layout::cell_id(table, cell)).into_bytes())
}

/// A TH or TD group for a cell, with its spans: a TH with its scope, its ID and the expansion
/// of an abbreviated label; a TD with the IDs of the headers that label it.
fn cell_group(ids: &str, table: usize, index: usize, c: &Cell) -> TagGroup {
    let rs = NonZeroU32::new(c.row_span as u32).filter(|n| n.get() > 1);
    let cs = NonZeroU32::new(c.col_span as u32).filter(|n| n.get() > 1);
    match c.role {
        Role::Header => {
            let scope = match c.scope {
                Some(Scope::Column) => TableHeaderScope::Column,
                Some(Scope::Row) => TableHeaderScope::Row,
                None => TableHeaderScope::Both,
            };
            TagGroup::new(
                Tag::TH(scope)
                    .with_row_span(rs)
                    .with_col_span(cs)
                    .with_id(Some(tag_id(ids, table, index)))
                    .with_expanded(c.expansion.clone()),
            )
        }
        Role::Data => {
            let headers = (!c.headers.is_empty()).then(|| c.headers.iter().map(|&h| tag_id(ids, table, h)).collect::<Vec<_>>());
            TagGroup::new(Tag::TD.with_row_span(rs).with_col_span(cs).with_headers(headers))
        }
    }
}

/// Draws the lines of a cell piece. A checked box is drawn as `■` (U+25A0, in the font), so
/// that every text extractor reads the state: `■新規 □継続`.
fn draw_cell(s: &mut Surface, sheet: &Sheet, cell: &Cell, pc: &PlacedCell) {
    let spec = &sheet.spec;
    let lh = spec.line_height(cell.size);
    let face = font::face(cell.weight);
    let lines = if pc.continued { &cell.continued_lines } else { &cell.lines };
    for (k, li) in (pc.first_line..pc.end_line).enumerate() {
        let line = &lines[li];
        let top = pc.y + spec.pad_y + k as f32 * lh;
        let baseline = top + (lh - cell.size) / 2.0 + cell.size * 0.86;
        let inner = pc.w - 2.0 * spec.pad_x;
        let text = if pc.continued || cell.checked_box.is_none() {
            std::borrow::Cow::Borrowed(line.text.as_str())
        } else {
            let before = lines[..li].iter().map(|l| l.text.matches('□').count()).sum();
            cell.with_state(&line.text, before, '■')
        };
        let w = face.width(&text, cell.size);
        let x = pc.x
            + spec.pad_x
            + line.indent
            + match cell.align {
                Align::Left => 0.0,
                Align::Center => ((inner - w) / 2.0).max(0.0),
                Align::Right => (inner - line.indent - w).max(0.0),
            };
        draw_line(s, &text, cell.weight, cell.size, x, baseline);
    }
}

/// Draws one line of text with the glyphs and advances the layout measured.
pub(crate) fn draw_line(s: &mut Surface, text: &str, weight: Weight, size: f32, x: f32, baseline: f32) {
    if text.is_empty() {
        return;
    }
    let face = font::face(weight);
    let upem = face.units_per_em();
    let glyphs: Vec<KrillaGlyph> = text
        .char_indices()
        .filter_map(|(i, c)| {
            let g = face.glyph(c)?;
            let adv = face.advance_units(g) as f32 / upem;
            Some(KrillaGlyph::new(GlyphId::new(g.into()), adv, 0.0, 0.0, 0.0, i..i + c.len_utf8(), None))
        })
        .collect();
    s.draw_glyphs(Point::from_xy(x, baseline), &glyphs, krilla_font(weight), text, size, false);
}
