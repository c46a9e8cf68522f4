//! The book (`book.pdf`) with krilla: one document drawn from `layout::book::Book`. The 総括表
//! pages and every item page are drawn by `pdf::draw_sheet`, the code that draws the item
//! files (same tables, same tags); this module adds the cover, the 目次 with link
//! annotations, the chart (a tagged Figure whose Alt text states the numbers), page labels and
//! the book's bookmarks.
//!
//! Structure tree: H1 (the plan), P (form, year, organisation), H2 目次 › TOC › TOCI › Link,
//! Sect 総括表 (its H2 and tables, the Figure), then one Sect per item (its heading and tables).

use std::num::NonZeroU16;

use krilla::Document;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, BBox, ContentTag, SpanTag, Tag, TagGroup, TagTree};

use super::pdf::{self, Frame, draw_footer, draw_line, fill, page_settings, stroke};
use crate::layout::book::{Book, BookMark, BookPage, PlacedText};

fn level(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}

fn text_span(s: &mut Surface, t: &PlacedText) -> krilla::tagging::Identifier {
    let id = s.start_tagged(ContentTag::Span(SpanTag::empty()));
    draw_line(s, &t.text, t.weight, t.size, t.x, t.baseline);
    s.end_tagged();
    id
}

fn black() -> rgb::Color {
    rgb::Color::new(0, 0, 0)
}

/// Renders the book to PDF bytes, packed like the item files.
pub fn render(book: &Book) -> Result<Vec<u8>, String> {
    let bytes = render_unpacked(book)?;
    pdf::pack(&bytes)
}

/// Renders the book to PDF bytes as krilla writes them.
pub fn render_unpacked(book: &Book) -> Result<Vec<u8>, String> {
    let spec = &book.spec;
    let mut doc = Document::new_with(pdf::settings(true)?);
    let mut tree = TagTree::new();
    let label = |i: usize| book.labels.get(i).map(String::as_str);
    let mut page_index = 0usize;

    // Cover.
    {
        let mut p = doc.start_page_with(page_settings(spec.width, spec.height, label(0))?);
        let mut s = p.surface();
        s.set_fill(Some(fill(black())));
        for (i, t) in book.cover.iter().enumerate() {
            let id = text_span(&mut s, t);
            let mut g = if i == 0 { TagGroup::new(Tag::Hn(level(1), Some(t.text.clone()))) } else { TagGroup::new(Tag::P) };
            g.push(id);
            tree.push(g);
        }
        s.finish();
        p.finish();
        page_index += 1;
    }

    // 目次.
    let mut toc = TagGroup::new(Tag::TOC);
    for tp in &book.toc {
        let mut p = doc.start_page_with(page_settings(spec.width, spec.height, label(page_index))?);
        let mut entries = Vec::new();
        {
            let mut s = p.surface();
            s.set_fill(Some(fill(black())));
            if let Some(h) = &tp.heading {
                let id = text_span(&mut s, h);
                let mut g = TagGroup::new(Tag::Hn(level(2), Some(h.text.clone())));
                g.push(id);
                tree.push(g);
            }
            for e in &tp.entries {
                let ids: Vec<_> = e.lines.iter().map(|l| text_span(&mut s, l)).collect();
                // The dotted leader: an artifact.
                let (x1, x2, y) = e.leader;
                if x2 > x1 {
                    s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)));
                    let mut pb = PathBuilder::new();
                    let mut x = x1;
                    while x + 0.8 <= x2 {
                        if let Some(r) = Rect::from_xywh(x, y - 0.8, 0.8, 0.8) {
                            pb.push_rect(r);
                        }
                        x += 3.0;
                    }
                    if let Some(path) = pb.finish() {
                        s.draw_path(&path);
                    }
                    s.end_tagged();
                }
                let n = text_span(&mut s, &e.number);
                entries.push((ids, n));
            }
            draw_footer(&mut s, spec, &book.footers[page_index].0, &book.footers[page_index].1);
            s.finish();
        }
        for (e, (ids, n)) in tp.entries.iter().zip(entries) {
            let (x, y, w, h) = e.rect;
            let rect = Rect::from_xywh(x, y, w, h).ok_or("目次の位置が不正です")?;
            let dest = XyzDestination::new(e.target, Point::from_xy(0.0, 0.0));
            let text: Vec<&str> = e.lines.iter().map(|l| l.text.as_str()).collect();
            let alt = format!("{} ({} ページ)", text.join(""), e.number.text);
            let annot = p.add_tagged_annotation(Annotation::new_link(
                LinkAnnotation::new(rect, Target::Destination(dest.into())),
                Some(alt),
            ));
            let mut link = TagGroup::new(Tag::Link);
            for id in ids {
                link.push(id);
            }
            link.push(n);
            link.push(annot);
            let mut item = TagGroup::new(Tag::TOCI);
            item.push(link);
            toc.push(item);
        }
        p.finish();
        page_index += 1;
    }
    tree.push(toc);

    // 総括表 pages, drawn like a sheet; then the chart.
    let n = book.summary.pages.len();
    let frame = Frame {
        footers: Some(&book.footers[page_index..page_index + n]),
        labels: Some(&book.labels[page_index..page_index + n]),
        heading: level(2),
        ids: "s0",
    };
    let mut sect = TagGroup::new(Tag::Section);
    for g in pdf::draw_sheet(&mut doc, &book.summary, frame)? {
        sect.push(g);
    }
    page_index += n;
    {
        let c = &book.chart;
        let mut p = doc.start_page_with(page_settings(spec.width, spec.height, label(page_index))?);
        let mut s = p.surface();
        s.set_fill(Some(fill(black())));
        let hid = text_span(&mut s, &c.heading);
        let mut h = TagGroup::new(Tag::Hn(level(3), Some(c.heading.text.clone())));
        h.push(hid);
        sect.push(h);
        let (bx, by, bw, bh) = c.bbox;
        let bbox = Rect::from_xywh(bx, by, bw, bh).map(|r| BBox::new(page_index, r));
        let mut figure = TagGroup::new(Tag::Figure(Some(c.alt.clone())).with_bbox(bbox));
        let id = s.start_tagged(ContentTag::Other);
        // Grid and axis lines.
        let mut pb = PathBuilder::new();
        for &(x1, y1, x2, y2) in &c.lines {
            pb.move_to(x1, y1);
            pb.line_to(x2, y2);
        }
        if let Some(path) = pb.finish() {
            s.set_fill(None);
            s.set_stroke(Some(stroke(0.4)));
            s.draw_path(&path);
            s.set_stroke(None);
        }
        for b in c.bars.iter().chain(&c.swatches) {
            if let Some(r) = Rect::from_xywh(b.x, b.y, b.w, b.h) {
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(fill(rgb::Color::new(b.color[0], b.color[1], b.color[2]))));
                    s.draw_path(&path);
                }
            }
        }
        s.set_fill(Some(fill(black())));
        for t in &c.texts {
            draw_line(&mut s, &t.text, t.weight, t.size, t.x, t.baseline);
        }
        for (t, ink) in &c.bar_texts {
            s.set_fill(Some(fill(rgb::Color::new(ink[0], ink[1], ink[2]))));
            draw_line(&mut s, &t.text, t.weight, t.size, t.x, t.baseline);
        }
        s.set_fill(Some(fill(black())));
        s.end_tagged();
        figure.push(id);
        sect.push(figure);
        draw_footer(&mut s, spec, &book.footers[page_index].0, &book.footers[page_index].1);
        s.finish();
        p.finish();
        page_index += 1;
    }
    tree.push(sect);

    // The items.
    for (si, sheet) in book.sheets.iter().enumerate() {
        let n = sheet.pages.len();
        let ids = format!("s{}", si + 1);
        let frame = Frame {
            footers: Some(&book.footers[page_index..page_index + n]),
            labels: Some(&book.labels[page_index..page_index + n]),
            heading: level(2),
            ids: &ids,
        };
        let mut sect = TagGroup::new(Tag::Section);
        for g in pdf::draw_sheet(&mut doc, sheet, frame)? {
            sect.push(g);
        }
        tree.push(sect);
        page_index += n;
    }
    debug_assert_eq!(page_index, book.pages.len());
    debug_assert!(matches!(book.pages.last(), Some(BookPage::Item { .. }) | Some(BookPage::Chart)));
    doc.set_tag_tree(tree);

    let mut outline = Outline::new();
    fn node(b: &BookMark) -> OutlineNode {
        let mut n = OutlineNode::new(b.title.clone(), XyzDestination::new(b.page, Point::from_xy(0.0, b.y)));
        for c in &b.children {
            n.push_child(node(c));
        }
        n
    }
    for b in &book.bookmarks {
        outline.push_child(node(b));
    }
    doc.set_outline(outline);
    doc.set_metadata(
        Metadata::new()
            .title(book.document_title.clone())
            .language("ja".into())
            .creator("shinko".into())
            .creation_date(super::pdf::fixed_date()),
    );
    doc.finish().map_err(|e| format!("book.pdf を作れませんでした: {e:?}"))
}
