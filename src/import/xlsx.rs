//! Bounded, sparse reading of an XLSX package: only the parts import needs, each inflated
//! through a size limit, and only the cells asked for.
//!
//! A workbook comes from outside and may be hostile: a zip entry that inflates to gigabytes, a
//! cell at `XFD1048576` (a dense range of the sheet would then be 17 billion cells), a
//! `<dimension>` that claims as much, a DTD with entities. So nothing here allocates by what
//! a file declares:
//!
//! * the file is at most [`MAX_FILE`] bytes and [`MAX_ENTRIES`] entries; every part is read
//!   through a counter that stops at [`MAX_PART`] inflated bytes, and all parts of a book
//!   together at [`MAX_TOTAL`] (the declared sizes in the zip are not trusted);
//! * XML is streamed (quick-xml); a sheet's cells are looked at one by one and only those
//!   asked for are kept, so memory follows the cells wanted, not the cells present or the
//!   largest reference; shared strings are kept in one buffer;
//! * a `<!DOCTYPE>` (and so any entity definition) is refused, and so is a reference to an
//!   entity that XML does not predefine.
//!
//! Each refusal is a Japanese sentence naming the book ([`Refused`]).

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// The largest workbook file read (a collect workbook of a few hundred initiatives is well
/// under 1 MB).
pub const MAX_FILE: u64 = 32 << 20;
/// The most zip entries (a collect workbook has one per sheet plus about ten).
pub const MAX_ENTRIES: usize = 20_000;
/// The most bytes one part may inflate to.
pub const MAX_PART: u64 = 32 << 20;
/// The most bytes all parts read from one workbook may inflate to.
pub const MAX_TOTAL: u64 = 96 << 20;
/// The most cells kept from one sheet when reading a whole column range.
pub const MAX_KEPT: usize = 500_000;

/// Excel's limits: 1,048,576 rows and 16,384 columns (`XFD`).
pub const MAX_ROW: u32 = 1 << 20;
pub const MAX_COL: u32 = 1 << 14;

/// Why a workbook is not read: a whole sentence, without the book's name (the caller puts
/// it in front).
#[derive(Debug)]
pub struct Refused(pub String);

type Res<T> = Result<T, Refused>;

fn refused<T>(msg: impl Into<String>) -> Res<T> {
    Err(Refused(msg.into()))
}

/// How a number cell is shown, as far as import cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFmt {
    General,
    Percent,
    Date,
    Time,
}

/// A cell as stored, before shared strings are looked up.
#[derive(Clone, Debug, PartialEq)]
pub enum RawCell {
    /// `t="s"`: an index into the shared strings.
    Shared(u32),
    /// An inline string, or a formula's string result (`t="str"`).
    Text(String),
    /// A number with how it is formatted.
    Number(f64, NumFmt),
    Bool(bool),
    Error(String),
    /// `t="d"`: an ISO 8601 date.
    Date,
    /// A formula without a cached result.
    Uncached,
    /// A value that is not a number where a number is stored (`<v>abc</v>`).
    Garbled(String),
}

/// The parts of a workbook that import reads.
pub struct Package {
    zip: zip::ZipArchive<std::fs::File>,
    /// Inflated bytes read so far from all parts.
    total: u64,
    /// Sheet name → part name, in workbook order.
    pub sheets: Vec<(String, String)>,
    /// Defined name → its formula text (`'3-2-1'!$B$12`).
    pub names: HashMap<String, String>,
    shared_strings_part: Option<String>,
    styles_part: Option<String>,
    shared: Option<SharedStrings>,
    formats: Option<Vec<NumFmt>>,
}

/// Opens a workbook file: a regular file of at most [`MAX_FILE`] bytes, never a FIFO or a
/// device (opened without blocking, checked before reading).
pub fn open(path: &Path) -> Res<Package> {
    let file = crate::output::open_regular(path).map_err(Refused)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE {
        return refused(format!(
            "ファイルが大きすぎます ({} MB)。記入用ブックは {} MB までです。",
            len >> 20,
            MAX_FILE >> 20
        ));
    }
    Package::new(file)
}

impl Package {
    pub fn new(reader: std::fs::File) -> Res<Package> {
        let zip = zip::ZipArchive::new(reader).map_err(|e| {
            Refused(format!(
                "Excel ファイル (.xlsx) として読めません (zip 形式ではないか、壊れています: {})",
                zip_reason(&e)
            ))
        })?;
        if zip.len() > MAX_ENTRIES {
            return refused(format!(
                "Excel ファイル (.xlsx) として読めません (zip の中のファイルが {} 個あり、上限の {MAX_ENTRIES} 個を超えています)",
                zip.len()
            ));
        }
        let mut p = Package {
            zip,
            total: 0,
            sheets: Vec::new(),
            names: HashMap::new(),
            shared_strings_part: None,
            styles_part: None,
            shared: None,
            formats: None,
        };
        p.read_workbook()?;
        Ok(p)
    }

    /// Streams one part through the size limits; `f` reads its events.
    fn with_part<T>(
        &mut self,
        part: &str,
        f: impl FnOnce(&mut Xml<'_>) -> Res<T>,
    ) -> Res<Option<T>> {
        let entry = match self.zip.by_name(part) {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return refused(format!(
                    "Excel ファイル (.xlsx) として読めません ({part} を取り出せません: {})",
                    zip_reason(&e)
                ));
            }
        };
        let limit = MAX_PART.min(MAX_TOTAL.saturating_sub(self.total));
        let mut counted = Counted { inner: entry, read: 0, limit };
        let result = {
            let boxed: Box<dyn Read + '_> = Box::new(&mut counted);
            let mut reader = Reader::from_reader(BufReader::new(boxed));
            let config = reader.config_mut();
            config.trim_text(false);
            config.check_end_names = false;
            config.expand_empty_elements = false;
            let mut xml = Xml { reader, buf: Vec::new(), part };
            f(&mut xml)
        };
        let read = counted.read;
        self.total += read;
        if read <= limit && matches!(&result, Err(Refused(m)) if m.is_empty()) {
            return refused(format!(
                "Excel ファイル (.xlsx) として読めません ({part} を展開できません。zip の中身が壊れています)"
            ));
        }
        if read > limit {
            return refused(if limit < MAX_PART {
                format!(
                    "中身が大きすぎるため読みません (展開すると合わせて {} MB を超えます)。記入用ブックを作り直してください。",
                    MAX_TOTAL >> 20
                )
            } else {
                format!(
                    "中身が大きすぎるため読みません ({part} が展開すると {} MB を超えます)。記入用ブックを作り直してください。",
                    MAX_PART >> 20
                )
            });
        }
        result.map(Some)
    }

    /// `xl/workbook.xml`: sheet names and their parts, defined names.
    fn read_workbook(&mut self) -> Res<()> {
        let rels = self
            .with_part("xl/_rels/workbook.xml.rels", |x| {
                let mut rels: Vec<(String, String, String)> = Vec::new();
                while let Some(ev) = x.next()? {
                    if let XmlEvent::Open(e, _) = ev {
                        if e.local_name().as_ref() == "Relationship" {
                            let id = attr(&e, "Id").unwrap_or_default();
                            let target = attr(&e, "Target").unwrap_or_default();
                            let kind = attr(&e, "Type").unwrap_or_default();
                            rels.push((id, target, kind));
                        }
                    }
                }
                Ok(rels)
            })?
            .unwrap_or_default();
        let target = |t: &str| {
            let t = t.trim_start_matches("./");
            if let Some(abs) = t.strip_prefix('/') {
                abs.to_owned()
            } else {
                format!("xl/{t}")
            }
        };
        for (_, t, kind) in &rels {
            if kind.ends_with("/sharedStrings") {
                self.shared_strings_part = Some(target(t));
            } else if kind.ends_with("/styles") {
                self.styles_part = Some(target(t));
            }
        }
        let (sheets, names) = self
            .with_part("xl/workbook.xml", |x| {
                let mut sheets: Vec<(String, String)> = Vec::new();
                let mut names = HashMap::new();
                while let Some(ev) = x.next()? {
                    let XmlEvent::Open(e, empty) = ev else { continue };
                    match e.local_name().as_ref() {
                        "sheet" => {
                            let name = attr(&e, "name").unwrap_or_default();
                            let rid = e
                                .attributes()
                                .flatten()
                                .find(|a| {
                                    a.key.local_name().as_ref() == "id" && a.key.prefix().is_some()
                                })
                                .map(|a| a.value.into_owned())
                                .unwrap_or_default();
                            if let Some((_, t, _)) = rels.iter().find(|(id, _, _)| *id == rid) {
                                sheets.push((name, target(t)));
                            }
                        }
                        "definedName" if !empty => {
                            let name = attr(&e, "name").unwrap_or_default();
                            let value = x.text_until_end("definedName")?;
                            names.insert(name, value);
                        }
                        _ => {}
                    }
                }
                Ok((sheets, names))
            })?
            .ok_or_else(|| {
                Refused("Excel ファイル (.xlsx) として読めません (xl/workbook.xml がありません)".into())
            })?;
        self.sheets = sheets;
        self.names = names;
        Ok(())
    }

    /// The part of a sheet, by its name.
    pub fn sheet_part(&self, sheet: &str) -> Option<String> {
        self.sheets.iter().find(|(n, _)| n == sheet).map(|(_, p)| p.clone())
    }

    /// How each cell format (`s` attribute) shows numbers, from `xl/styles.xml`.
    fn formats(&mut self) -> Res<&[NumFmt]> {
        if self.formats.is_none() {
            let formats = match self.styles_part.clone() {
                None => Vec::new(),
                Some(part) => self
                    .with_part(&part, |x| {
                        let mut custom: HashMap<u32, NumFmt> = HashMap::new();
                        let mut xfs = Vec::new();
                        let mut in_cell_xfs = false;
                        while let Some(ev) = x.next()? {
                            match ev {
                                XmlEvent::Open(e, empty) => match e.local_name().as_ref() {
                                    "numFmt" => {
                                        let id = attr(&e, "numFmtId").and_then(|v| v.parse().ok());
                                        let code = attr(&e, "formatCode").unwrap_or_default();
                                        if let Some(id) = id {
                                            custom.insert(id, classify_format(&code));
                                        }
                                    }
                                    "cellXfs" if !empty => in_cell_xfs = true,
                                    "xf" if in_cell_xfs => {
                                        let id: u32 = attr(&e, "numFmtId")
                                            .and_then(|v| v.parse().ok())
                                            .unwrap_or(0);
                                        xfs.push(id);
                                    }
                                    _ => {}
                                },
                                XmlEvent::Close(name) if name == "cellXfs" => in_cell_xfs = false,
                                _ => {}
                            }
                        }
                        Ok(xfs
                            .into_iter()
                            .map(|id| custom.get(&id).copied().unwrap_or_else(|| builtin_format(id)))
                            .collect())
                    })?
                    .unwrap_or_default(),
            };
            self.formats = Some(formats);
        }
        Ok(self.formats.as_deref().unwrap_or_default())
    }

    /// The shared strings, read once.
    fn shared(&mut self) -> Res<&SharedStrings> {
        if self.shared.is_none() {
            let strings = match self.shared_strings_part.clone() {
                None => SharedStrings::default(),
                Some(part) => self.with_part(&part, read_shared_strings)?.unwrap_or_default(),
            };
            self.shared = Some(strings);
        }
        Ok(self.shared.as_ref().expect("just read"))
    }

    /// Reads the cells of a sheet that `want` accepts (0-based row, column), sparsely, with
    /// shared strings looked up. At most [`MAX_KEPT`] cells are kept.
    pub fn cells(
        &mut self,
        sheet: &str,
        want: impl Fn(u32, u32) -> bool,
    ) -> Res<HashMap<(u32, u32), Value>> {
        let Some(part) = self.sheet_part(sheet) else {
            return refused(format!("シート「{sheet}」がありません"));
        };
        let raw = self
            .with_part(&part, |x| read_sheet(x, &want))?
            .ok_or_else(|| Refused(format!("シート「{sheet}」の中身 ({part}) がありません")))?;
        let formats = self.formats()?.to_vec();
        let needs_strings = raw.values().any(|(c, _)| matches!(c, RawCell::Shared(_)));
        let mut out = HashMap::with_capacity(raw.len());
        for (at, (cell, style)) in raw {
            let value = match cell {
                RawCell::Shared(i) => {
                    debug_assert!(needs_strings);
                    match self.shared()?.get(i) {
                        Some(s) => Value::Text(s.to_owned()),
                        None => Value::Other("壊れた文字列の参照".into()),
                    }
                }
                RawCell::Text(s) => Value::Text(s),
                RawCell::Number(n, _) => {
                    let fmt = formats.get(style as usize).copied().unwrap_or(NumFmt::General);
                    match fmt {
                        NumFmt::General => Value::Number(n),
                        NumFmt::Percent => Value::Percent(n),
                        NumFmt::Date => Value::Other("日付".into()),
                        NumFmt::Time => Value::Other("時刻・時間".into()),
                    }
                }
                RawCell::Bool(b) => Value::Other(format!("真偽値 {}", if b { "TRUE" } else { "FALSE" })),
                RawCell::Error(e) => Value::Other(format!("エラー値 {e}")),
                RawCell::Date => Value::Other("日付".into()),
                RawCell::Uncached => Value::Uncached,
                RawCell::Garbled(v) => Value::Other(format!("数値として読めない値「{}」", shorten(&v))),
            };
            out.insert(at, value);
        }
        Ok(out)
    }
}

/// A cell's value as the clerk saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    /// A number shown with a % format: 0.5 is shown as 50%.
    Percent(f64),
    /// A formula whose result is not stored in the file.
    Uncached,
    /// Something no input accepts (a date, a truth value, an error such as #N/A), described.
    Other(String),
}

fn shorten(s: &str) -> String {
    let head: String = s.chars().take(20).collect();
    if head.len() < s.len() { format!("{head}…") } else { head }
}

/// Counts the inflated bytes read and stops after `limit` (one byte more is let through, so
/// that the caller can tell "exactly at the limit" from "over it").
struct Counted<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.limit {
            return Err(std::io::Error::other("size limit"));
        }
        let room = (self.limit + 1 - self.read).min(buf.len() as u64) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.read += n as u64;
        Ok(n)
    }
}

fn zip_reason(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError::*;
    match e {
        Io(io) => crate::output::io_reason(io),
        InvalidArchive(_) => "zip の構造が正しくありません".into(),
        UnsupportedArchive(_) | CompressionMethodNotSupported(_) => {
            "対応していない zip 形式か、パスワードで暗号化されています".into()
        }
        InvalidPassword => "パスワードで暗号化されています".into(),
        FileNotFound => "必要なファイルがありません".into(),
        _ => "zip として読めません".into(),
    }
}

/// One event of interest.
enum XmlEvent {
    /// A start tag, and whether it is empty (`<c/>`).
    Open(BytesStart<'static>, bool),
    Close(String),
    Text(String),
}

/// A streaming reader of one part: refuses DTDs and unknown entities, turns XML errors into
/// a message naming the part.
struct Xml<'p> {
    reader: Reader<BufReader<Box<dyn Read + 'p>>>,
    buf: Vec<u8>,
    part: &'p str,
}

impl Xml<'_> {
    fn broken(&self, what: &str) -> Refused {
        Refused(format!(
            "Excel ファイル (.xlsx) として読めません ({} の XML が壊れています: {what}、{} バイト目付近)",
            self.part,
            self.reader.buffer_position()
        ))
    }

    fn next(&mut self) -> Res<Option<XmlEvent>> {
        loop {
            self.buf.clear();
            let ev = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev.into_owned(),
                Err(quick_xml::Error::Io(_)) => return Err(Refused(String::new())), // reported by `with_part`
                Err(quick_xml::Error::Encoding(_)) => return Err(self.broken("文字コードの誤り")),
                Err(_) => return Err(self.broken("構文の誤り")),
            };
            return Ok(Some(match ev {
                Event::Start(e) => XmlEvent::Open(e, false),
                Event::Empty(e) => XmlEvent::Open(e, true),
                Event::End(e) => XmlEvent::Close(e.local_name().as_ref().to_owned()),
                Event::Text(t) => XmlEvent::Text(t.xml10_content().into_owned()),
                Event::CData(t) => XmlEvent::Text(t.xml10_content().into_owned()),
                Event::GeneralRef(r) => XmlEvent::Text(self.entity(&r)?),
                Event::DocType(_) => {
                    return refused(format!(
                        "{} に DTD (<!DOCTYPE>) があります。外部のファイルを読み込ませる仕掛け (XML 外部エンティティ) に使われるため、安全のため読みません。記入用ブックを作り直してください。",
                        self.part
                    ));
                }
                Event::Eof => return Ok(None),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            }));
        }
    }

    fn entity(&self, r: &BytesRef<'_>) -> Res<String> {
        if let Some(c) = r.resolve_char_ref().map_err(|_| self.broken("文字参照の誤り"))? {
            return Ok(c.to_string());
        }
        Ok(match r.as_ref() {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            other => {
                return refused(format!(
                    "{} に定義されていない実体参照「&{};」があります。安全のため読みません。",
                    self.part,
                    shorten(other)
                ));
            }
        }
        .to_owned())
    }

    /// The text up to the end tag `name` (nested tags' text included).
    fn text_until_end(&mut self, name: &str) -> Res<String> {
        let mut text = String::new();
        let mut depth = 0usize;
        while let Some(ev) = self.next()? {
            match ev {
                XmlEvent::Text(t) => text.push_str(&t),
                XmlEvent::Open(_, false) => depth += 1,
                XmlEvent::Close(n) if depth == 0 && n == name => return Ok(text),
                XmlEvent::Close(_) => depth = depth.saturating_sub(1),
                XmlEvent::Open(_, true) => {}
            }
        }
        Err(self.broken("終わりのタグがありません"))
    }

    /// Skips to the end tag of the element just opened (`name`: its full, prefixed name),
    /// keeping nothing.
    fn skip_to_end(&mut self, name: &str) -> Res<()> {
        self.buf.clear();
        match self.reader.read_to_end_into(quick_xml::name::QName(name), &mut self.buf) {
            Ok(_) => Ok(()),
            Err(quick_xml::Error::Io(_)) => Err(Refused(String::new())), // reported by `with_part`
            Err(_) => Err(self.broken("終わりのタグがありません")),
        }
    }
}

/// The `r`, `t` and `s` attributes of a `<c>`, in one pass (their values never hold entities).
fn cell_attrs(e: &BytesStart<'_>) -> (Option<String>, String, u32) {
    let (mut r, mut t, mut s) = (None, String::new(), 0);
    for a in e.attributes().flatten() {
        match a.key.as_ref() {
            "r" => r = Some(a.value.into_owned()),
            "t" => t = a.value.into_owned(),
            "s" => s = a.value.trim().parse().unwrap_or(0),
            _ => {}
        }
    }
    (r, t, s)
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// OOXML escapes characters XML cannot hold as `_xHHHH_` (`_x000D_` for a carriage return,
/// `_x005F_` for a literal `_`).
pub fn unescape_ooxml(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hex = tail.get(2..6).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match (hex, tail.as_bytes().get(6)) {
            (Some(h), Some(b'_')) => {
                if let Some(c) = u32::from_str_radix(h, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
                rest = &tail[7..];
            }
            _ => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// All shared strings in one buffer (memory: the text plus 4 bytes a string, whatever the
/// number of strings).
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: u32) -> Option<&str> {
        let i = i as usize;
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }
}

fn read_shared_strings(x: &mut Xml<'_>) -> Res<SharedStrings> {
    let mut s = SharedStrings::default();
    while let Some(ev) = x.next()? {
        if let XmlEvent::Open(e, empty) = ev {
            if e.local_name().as_ref() == "si" {
                if !empty {
                    let t = rich_text(x, "si")?;
                    s.text.push_str(&unescape_ooxml(&t));
                }
                s.ends.push(s.text.len() as u32);
            }
        }
    }
    Ok(s)
}

/// The text of a string item (`<si>`, `<is>`): its `<t>` elements, plain or in rich-text
/// runs, without the phonetic guides (`<rPh>`: furigana Excel stores beside Japanese text).
fn rich_text(x: &mut Xml<'_>, end: &str) -> Res<String> {
    let mut text = String::new();
    while let Some(ev) = x.next()? {
        match ev {
            XmlEvent::Open(e, false) => match e.local_name().as_ref() {
                "rPh" => x.skip_to_end(e.name().as_ref())?,
                "t" => text.push_str(&x.text_until_end("t")?),
                _ => {}
            },
            XmlEvent::Close(n) if n == end => return Ok(text),
            _ => {}
        }
    }
    Err(x.broken("終わりのタグがありません"))
}

/// `B12` → (11, 1), 0-based; `None` beyond Excel's limits or when malformed.
pub fn parse_cell_ref(r: &str) -> Option<(u32, u32)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1));
    (row >= 1 && row <= MAX_ROW && col >= 1 && col <= MAX_COL).then(|| (row - 1, col - 1))
}

/// The cells of a sheet part that `want` accepts, with their style index.
fn read_sheet(
    x: &mut Xml<'_>,
    want: &impl Fn(u32, u32) -> bool,
) -> Res<HashMap<(u32, u32), (RawCell, u32)>> {
    let mut cells = HashMap::new();
    // Rows and cells without `r` follow the previous one (the format allows leaving it out).
    let mut row: u32 = 0;
    let mut next_row: u32 = 0;
    let mut next_col: u32 = 0;
    while let Some(ev) = x.next()? {
        let XmlEvent::Open(e, empty) = ev else { continue };
        match e.local_name().as_ref() {
            "row" => {
                row = match attr(&e, "r") {
                    Some(r) => match r.parse::<u32>() {
                        Ok(n) if (1..=MAX_ROW).contains(&n) => n - 1,
                        _ => return Err(x.broken(&format!("行番号「{}」が Excel の範囲外です", shorten(&r)))),
                    },
                    None => next_row,
                };
                next_row = row + 1;
                next_col = 0;
            }
            "c" => {
                let (at, kind, style) = cell_attrs(&e);
                let (r, c) = match at {
                    Some(a) => parse_cell_ref(&a).ok_or_else(|| {
                        x.broken(&format!("セル参照「{}」が読めないか Excel の範囲外です", shorten(&a)))
                    })?,
                    None => (row, next_col),
                };
                next_col = c + 1;
                if !want(r, c) {
                    if !empty {
                        x.skip_to_end(e.name().as_ref())?;
                    }
                    continue;
                }
                if cells.len() >= MAX_KEPT {
                    return refused(format!(
                        "シートのセルが多すぎるため読みません (上限 {MAX_KEPT} 個)。記入用ブックを作り直してください。"
                    ));
                }
                let cell = if empty { None } else { Some(read_cell(x, &kind)?) };
                let cell = match cell {
                    None | Some((None, false, None)) => continue,
                    Some((v, formula, inline)) => cell_value(&kind, v, formula, inline),
                };
                cells.insert((r, c), (cell, style));
            }
            _ => {}
        }
    }
    Ok(cells)
}

/// The `<v>` text, whether there is an `<f>`, and the inline string of a `<c>` element.
fn read_cell(x: &mut Xml<'_>, _kind: &str) -> Res<(Option<String>, bool, Option<String>)> {
    let (mut v, mut formula, mut inline) = (None, false, None);
    while let Some(ev) = x.next()? {
        match ev {
            XmlEvent::Open(e, empty) => match e.local_name().as_ref() {
                "v" if !empty => v = Some(x.text_until_end("v")?),
                "f" => {
                    formula = true;
                    if !empty {
                        x.skip_to_end(e.name().as_ref())?;
                    }
                }
                "is" if !empty => inline = Some(unescape_ooxml(&rich_text(x, "is")?)),
                _ if !empty => x.skip_to_end(e.name().as_ref())?,
                _ => {}
            },
            XmlEvent::Close(n) if n == "c" => return Ok((v, formula, inline)),
            _ => {}
        }
    }
    Err(x.broken("セルの終わりのタグがありません"))
}

fn cell_value(kind: &str, v: Option<String>, formula: bool, inline: Option<String>) -> RawCell {
    match kind {
        "inlineStr" => match inline {
            Some(s) => RawCell::Text(s),
            None if formula => RawCell::Uncached,
            None => RawCell::Text(String::new()),
        },
        _ if v.is_none() && formula => RawCell::Uncached,
        "s" => match v.as_deref().map(str::trim).and_then(|s| s.parse::<u32>().ok()) {
            Some(i) => RawCell::Shared(i),
            None => RawCell::Garbled(v.unwrap_or_default()),
        },
        "str" => RawCell::Text(unescape_ooxml(&v.unwrap_or_default())),
        "b" => RawCell::Bool(v.as_deref().map(str::trim) == Some("1")),
        "e" => RawCell::Error(v.unwrap_or_default()),
        "d" => RawCell::Date,
        _ => {
            let v = v.unwrap_or_default();
            match v.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => RawCell::Number(n, NumFmt::General),
                _ => RawCell::Garbled(v),
            }
        }
    }
}

/// Built-in number formats (ECMA-376 part 1, 18.8.30, with the Japanese locale's 27–36 and
/// 50–58, which are dates).
fn builtin_format(id: u32) -> NumFmt {
    match id {
        9 | 10 => NumFmt::Percent,
        14..=17 | 22 | 27..=36 | 50..=58 => NumFmt::Date,
        18..=21 | 45..=47 => NumFmt::Time,
        _ => NumFmt::General,
    }
}

/// A custom format code: a `%` outside quotes and escapes makes it a percentage; date or time
/// letters (`y m d g e h s`, `[h]`) a date or a time.
pub fn classify_format(code: &str) -> NumFmt {
    if code.eq_ignore_ascii_case("general") {
        return NumFmt::General;
    }
    let mut chars = code.chars().peekable();
    let (mut percent, mut date, mut time, mut month) = (false, false, false, false);
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for d in chars.by_ref() {
                    if d == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let mut inner = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    inner.push(d);
                }
                let l = inner.to_ascii_lowercase();
                if !l.is_empty() && l.chars().all(|c| matches!(c, 'h' | 'm' | 's')) {
                    time = true;
                }
            }
            '%' => percent = true,
            'E' | 'e' if matches!(chars.peek(), Some('+') | Some('-')) => {
                chars.next();
            }
            'y' | 'Y' | 'd' | 'D' | 'g' | 'G' | 'e' | 'E' => date = true,
            'h' | 'H' | 's' | 'S' => time = true,
            'm' | 'M' => month = true,
            _ => {}
        }
    }
    if percent {
        NumFmt::Percent
    } else if date {
        NumFmt::Date
    } else if time {
        // `h:mm`: the `m` is minutes.
        NumFmt::Time
    } else if month {
        NumFmt::Date
    } else {
        NumFmt::General
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_are_bounded() {
        assert_eq!(parse_cell_ref("B12"), Some((11, 1)));
        assert_eq!(parse_cell_ref("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_cell_ref("XFE1"), None);
        assert_eq!(parse_cell_ref("A1048577"), None);
        assert_eq!(parse_cell_ref("A0"), None);
        assert_eq!(parse_cell_ref("AAAA1"), None);
        assert_eq!(parse_cell_ref("A99999999999"), None);
        assert_eq!(parse_cell_ref("1A"), None);
    }

    #[test]
    fn formats_are_classified() {
        assert_eq!(classify_format("0%"), NumFmt::Percent);
        assert_eq!(classify_format("0.0%;[Red]-0.0%"), NumFmt::Percent);
        assert_eq!(classify_format("0\"%\""), NumFmt::General);
        assert_eq!(classify_format("0\\%"), NumFmt::General);
        assert_eq!(classify_format("yyyy/m/d"), NumFmt::Date);
        assert_eq!(classify_format("ggge\"年\"m\"月\"d\"日\""), NumFmt::Date);
        assert_eq!(classify_format("[h]:mm"), NumFmt::Time);
        assert_eq!(classify_format("h:mm"), NumFmt::Time);
        assert_eq!(classify_format("0.00E+00"), NumFmt::General);
        assert_eq!(classify_format("#,##0\"千円\""), NumFmt::General);
        assert_eq!(classify_format("[Red]#,##0"), NumFmt::General);
        assert_eq!(classify_format("General"), NumFmt::General);
        assert_eq!(builtin_format(9), NumFmt::Percent);
        assert_eq!(builtin_format(14), NumFmt::Date);
        assert_eq!(builtin_format(3), NumFmt::General);
    }

    #[test]
    fn ooxml_escapes() {
        assert_eq!(unescape_ooxml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_ooxml("a_x005F_x000D_"), "a_x000D_");
        assert_eq!(unescape_ooxml("_x12"), "_x12");
        assert_eq!(unescape_ooxml("plain"), "plain");
    }
}
