//! Filling shinko's workbooks as another program would: the sheet XML of named input cells
//! rewritten with inline strings or numbers.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

pub fn read_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            (f.name().unwrap().into_owned(), buf)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

pub fn part<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let bytes = &entries.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1;
    std::str::from_utf8(bytes).unwrap()
}

fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let key = format!(" {attr}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

fn unescape(s: &str) -> String {
    s.replace("&apos;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// Defined names of workbook.xml: name -> (sheet, cell).
pub fn defined_names(entries: &[(String, Vec<u8>)]) -> BTreeMap<String, (String, String)> {
    let xml = part(entries, "xl/workbook.xml");
    let mut out = BTreeMap::new();
    for chunk in xml.split("<definedName ").skip(1) {
        let name = attr(&format!(" {chunk}"), "name").unwrap().to_owned();
        let body = unescape(&chunk[chunk.find('>').unwrap() + 1..chunk.find("</definedName>").unwrap()]);
        let (sheet, cell) = body.rsplit_once('!').unwrap();
        out.insert(name, (sheet.trim_matches('\'').replace("''", "'"), cell.replace('$', "")));
    }
    out
}

/// Sheet name -> its part (xl/worksheets/sheetN.xml).
pub fn sheet_parts(entries: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let wb = part(entries, "xl/workbook.xml");
    let rels = part(entries, "xl/_rels/workbook.xml.rels");
    wb.split("<sheet ")
        .skip(1)
        .map(|chunk| {
            let tag = format!(" {}", &chunk[..chunk.find('>').unwrap()]);
            let rid = attr(&tag, "r:id").unwrap();
            let rel = rels.split("<Relationship ").find(|r| attr(&format!(" {r}"), "Id") == Some(rid)).unwrap();
            (unescape(attr(&tag, "name").unwrap()), format!("xl/{}", attr(&format!(" {rel}"), "Target").unwrap()))
        })
        .collect()
}

fn cell_element(xml: &str, cell: &str) -> (usize, usize) {
    let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("no cell {cell}"));
    let open_end = start + xml[start..].find('>').unwrap();
    let end = if xml.as_bytes()[open_end - 1] == b'/' { open_end + 1 } else { start + xml[start..].find("</c>").unwrap() + 4 };
    (start, end)
}

/// Writes `dst`: `src` with the named cells set to the given strings.
pub fn fill(src: &Path, dst: &Path, values: &[(&str, &str)]) {
    let mut entries = read_zip(src);
    let names = defined_names(&entries);
    let sheets = sheet_parts(&entries);
    for (name, v) in values {
        let (sheet, cell) = names.get(*name).unwrap_or_else(|| panic!("no name {name}"));
        let part_name = &sheets.iter().find(|(n, _)| n == sheet).unwrap().1;
        let idx = entries.iter().position(|(n, _)| n == part_name).unwrap();
        let xml = String::from_utf8(entries[idx].1.clone()).unwrap();
        let (s, e) = cell_element(&xml, cell);
        let style = attr(&xml[s..e], "s").map(|st| format!(" s=\"{st}\"")).unwrap_or_default();
        let text = v.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let new = format!("<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t xml:space=\"preserve\">{text}</t></is></c>");
        entries[idx].1 = format!("{}{new}{}", &xml[..s], &xml[e..]).into_bytes();
    }
    write_zip(dst, &entries);
}
