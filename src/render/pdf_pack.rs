//! Packing a finished PDF: every object that is not a stream moves into compressed object
//! streams, the cross-reference table becomes a cross-reference stream (PDF 1.5+), and the
//! page content streams and ToUnicode CMaps, which krilla is asked to leave raw, are
//! compressed.
//!
//! krilla writes each structure element (one per table cell) as a plain object; packed, they
//! take a fraction of the space (the 3-2 sheet: 192 KB → 140 KB). krilla would deflate the
//! content streams with zlib at a fixed level 6; libdeflate at level 1 does it about three
//! times faster for ~9 % more content bytes. Other streams (fonts, the XMP metadata) are
//! copied byte for byte. The packer reads only the cross-reference table that krilla writes
//! and the dictionaries of streams, never the contents of other objects. Deterministic:
//! object numbers and order are kept, and the output depends only on the input.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Write;

use libdeflater::{CompressionLvl, Compressor};

/// How many objects one object stream holds.
const PER_STREAM: usize = 200;
/// libdeflate level of every stream the packer compresses. Level 1 is about three times as
/// fast as zlib at level 6 on page contents, for ~9 % more content bytes; on the object
/// streams level 6 would save ~1 % of the file for ~2 % of a build's instructions
/// (BENCHMARKS.md).
const LEVEL: i32 = 1;

/// Packs `pdf`; returns `None` when the file is not laid out as expected (then it is used as
/// it is: valid, only larger).
pub fn pack(pdf: &[u8]) -> Option<Vec<u8>> {
    let xref_at = last_number_after(pdf, b"startxref")?;
    let table = pdf.get(xref_at..)?;
    if !table.starts_with(b"xref") {
        return None;
    }
    let trailer_at = xref_at + find(table, b"trailer")?;
    let offsets = read_xref(&pdf[xref_at..trailer_at])?;
    let trailer = &pdf[trailer_at..];
    let root = dict_value(trailer, b"/Root")?;
    let info = dict_value(trailer, b"/Info");
    let id = dict_value(trailer, b"/ID");

    // Each object's bytes run from its offset to the next object (or the table).
    let mut order: Vec<(usize, u32)> = offsets.iter().map(|(n, o)| (*o, *n)).collect();
    order.sort_unstable();
    let first_object = order.first()?.0;
    let mut kept: Vec<(u32, Cow<[u8]>)> = Vec::new(); // streams, copied whole or compressed
    let mut packed: Vec<(u32, Vec<u8>)> = Vec::new(); // other objects: their bodies
    for (i, (start, num)) in order.iter().enumerate() {
        let end = order.get(i + 1).map(|(o, _)| *o).unwrap_or(xref_at);
        let raw = pdf.get(*start..end)?;
        let header = format!("{num} 0 obj");
        if !raw.starts_with(header.as_bytes()) {
            return None;
        }
        let body = trim(raw[header.len()..].strip_suffix(b"\n").unwrap_or(&raw[header.len()..]));
        let body = trim(body.strip_suffix(b"endobj")?);
        if body.ends_with(b"endstream") {
            kept.push((*num, compress_plain_stream(*num, body).map_or(Cow::Borrowed(raw), Cow::Owned)));
        } else {
            packed.push((*num, without_suspects(body)));
        }
    }

    let size = offsets.keys().max()? + 1;
    let streams = packed.len().div_ceil(PER_STREAM) as u32;
    let xref_num = size + streams;
    let mut out = Vec::with_capacity(pdf.len());
    out.extend_from_slice(&pdf[..first_object]);
    let mut entries: Vec<(u8, u32, u16)> = vec![(0, 0, 0xFFFF); (xref_num + 1) as usize];
    for (num, raw) in &kept {
        entries[*num as usize] = (1, out.len() as u32, 0);
        out.extend_from_slice(raw);
    }
    for (k, chunk) in packed.chunks(PER_STREAM).enumerate() {
        let stream_num = size + k as u32;
        let mut head = String::new();
        let mut data = Vec::new();
        for (i, (num, body)) in chunk.iter().enumerate() {
            head.push_str(&format!("{num} {} ", data.len()));
            data.extend_from_slice(body);
            data.push(b'\n');
            entries[*num as usize] = (2, stream_num, i as u16);
        }
        let mut content = head.into_bytes();
        let first = content.len();
        content.extend_from_slice(&data);
        let compressed = deflate(&content)?;
        entries[stream_num as usize] = (1, out.len() as u32, 0);
        write!(
            out,
            "{stream_num} 0 obj\n<</Type/ObjStm/N {}/First {first}/Filter/FlateDecode/Length {}>>\nstream\n",
            chunk.len(),
            compressed.len()
        )
        .ok()?;
        out.extend_from_slice(&compressed);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    // The cross-reference stream: type (1 byte), offset or object stream (4), index (2).
    let xref_offset = out.len();
    entries[xref_num as usize] = (1, xref_offset as u32, 0);
    let mut rows = Vec::with_capacity(entries.len() * 7);
    for (t, a, b) in &entries {
        rows.push(*t);
        rows.extend_from_slice(&a.to_be_bytes());
        rows.extend_from_slice(&b.to_be_bytes());
    }
    let compressed = deflate(&rows)?;
    write!(out, "{xref_num} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]/Root ", xref_num + 1).ok()?;
    out.extend_from_slice(root);
    if let Some(info) = info {
        out.extend_from_slice(b"/Info ");
        out.extend_from_slice(info);
    }
    if let Some(id) = id {
        out.extend_from_slice(b"/ID");
        out.extend_from_slice(id);
    }
    write!(out, "/Filter/FlateDecode/Length {}>>\nstream\n", compressed.len()).ok()?;
    out.extend_from_slice(&compressed);
    write!(out, "\nendstream\nendobj\nstartxref\n{xref_offset}\n%%EOF\n").ok()?;
    Some(out)
}

/// zlib-wrapped deflate (what `/FlateDecode` reads) with libdeflate. A compressor holds
/// large tables that the C allocator would map and zero afresh each time: each thread keeps
/// one.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        static COMPRESSOR: RefCell<Option<Compressor>> = const { RefCell::new(None) };
    }
    COMPRESSOR.with_borrow_mut(|c| {
        let c = match c {
            Some(c) => c,
            None => c.insert(Compressor::new(CompressionLvl::new(LEVEL).ok()?)),
        };
        let mut out = vec![0; c.zlib_compress_bound(data.len())];
        let n = c.zlib_compress(data, &mut out).ok()?;
        out.truncate(n);
        Some(out)
    })
}

/// The object `num` with body `body` (`<<dict>> stream … endstream`), its data deflated, when
/// it is a stream krilla left uncompressed: the page content streams and the ToUnicode CMaps
/// (krilla is asked not to compress them, as it would with zlib at a fixed level 6). Streams
/// already filtered, and the XMP metadata (which stays readable as plain text), are left alone.
fn compress_plain_stream(num: u32, body: &[u8]) -> Option<Vec<u8>> {
    let dict_end = find(body, b">>\nstream\n")?;
    let dict = body.get(..dict_end)?.strip_prefix(b"<<")?;
    if find(dict, b"/Filter").is_some() || find(dict, b"/Metadata").is_some() {
        return None;
    }
    let data = body[dict_end + b">>\nstream\n".len()..].strip_suffix(b"endstream")?;
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    // krilla writes the length first: `/Length 942/Type/CMap/WMode 0`.
    let after = dict.strip_prefix(b"/Length ")?;
    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
    let length: usize = std::str::from_utf8(&after[..digits]).ok()?.parse().ok()?;
    let rest = &after[digits..];
    if length != data.len() || rest.first().is_some_and(|b| !matches!(b, b'/' | b' ')) {
        return None;
    }
    let compressed = deflate(data)?;
    let mut out = Vec::with_capacity(compressed.len() + 100);
    write!(out, "{num} 0 obj\n<</Length {}/Filter/FlateDecode", compressed.len()).ok()?;
    out.extend_from_slice(rest);
    out.extend_from_slice(b">>\nstream\n");
    out.extend_from_slice(&compressed);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    Some(out)
}

/// `/Suspects false` is the default; poppler (pdfinfo, pdftotext) wrongly reports a present
/// `false` as a syntax error, so the key is left out of the catalog's MarkInfo.
fn without_suspects(body: &[u8]) -> Vec<u8> {
    match find(body, b"/Suspects false") {
        Some(i) if find(body, b"/MarkInfo").is_some() => [&body[..i], &body[i + b"/Suspects false".len()..]].concat(),
        _ => body.to_vec(),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

/// The number after the last occurrence of `key` (for `startxref`).
fn last_number_after(pdf: &[u8], key: &[u8]) -> Option<usize> {
    let tail_start = pdf.len().saturating_sub(64);
    let tail = &pdf[tail_start..];
    let at = tail.windows(key.len()).rposition(|w| w == key)? + key.len();
    let digits: String = tail[at..]
        .iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(|c| c.is_ascii_digit())
        .map(|c| *c as char)
        .collect();
    digits.parse().ok()
}

/// In-use objects of a classic cross-reference table: number -> offset. Only generation 0.
fn read_xref(table: &[u8]) -> Option<std::collections::BTreeMap<u32, usize>> {
    let text = std::str::from_utf8(table).ok()?;
    let mut lines = text.split(['\r', '\n']).filter(|l| !l.trim().is_empty());
    if lines.next()?.trim() != "xref" {
        return None;
    }
    let mut out = std::collections::BTreeMap::new();
    let mut next: Option<(u32, u32)> = None; // (current number, remaining in subsection)
    for line in lines {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match (next, parts.as_slice()) {
            (None | Some((_, 0)), [first, count]) => next = Some((first.parse().ok()?, count.parse().ok()?)),
            (Some((num, left)), [offset, generation, kind]) if left > 0 => {
                if *kind == "n" {
                    if *generation != "00000" {
                        return None;
                    }
                    out.insert(num, offset.parse().ok()?);
                }
                next = Some((num + 1, left - 1));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The raw value of a key in the trailer dictionary: `628 0 R`, or `[…]` for /ID.
fn dict_value<'a>(trailer: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = find(trailer, key)? + key.len();
    let rest = &trailer[at..];
    let rest = &rest[rest.iter().position(|c| !c.is_ascii_whitespace())?..];
    if rest.starts_with(b"[") {
        let end = rest.iter().position(|c| *c == b']')?;
        return Some(&rest[..=end]);
    }
    let end = find(rest, b"R")?;
    Some(trim(&rest[..=end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_classic_table() {
        let t = b"xref\n0 3\n0000000000 65535 f\r\n0000000016 00000 n\r\n0000000117 00000 n\r\n";
        let m = read_xref(t).unwrap();
        assert_eq!(m.into_iter().collect::<Vec<_>>(), vec![(1, 16), (2, 117)]);
        assert!(read_xref(b"xref\n0 2\n0000000000 65535 f\r\n0000000016 00001 n\r\n").is_none());
    }

    #[test]
    fn trailer_values() {
        let t = b"trailer\n<</Size 629/Root 628 0 R/Info 626 0 R/ID[(a)(b)]>>\nstartxref\n1\n%%EOF";
        assert_eq!(dict_value(t, b"/Root").unwrap(), b"628 0 R");
        assert_eq!(dict_value(t, b"/Info").unwrap(), b"626 0 R");
        assert_eq!(dict_value(t, b"/ID").unwrap(), b"[(a)(b)]");
    }

    #[test]
    fn suspects_left_out_of_mark_info() {
        let b = b"<</Type/Catalog/MarkInfo<</Marked true/Suspects false>>>>";
        assert_eq!(without_suspects(b), b"<</Type/Catalog/MarkInfo<</Marked true>>>>".to_vec());
    }
}
