//! A YAML document as a tree of nodes that each remember where they were written.
//!
//! serde stops at the first type error, so the loader does not deserialize the sheet straight
//! into typed structs. It reads the document into this loose tree (every scalar, sequence and
//! mapping with its source span) and then builds the model by hand, collecting every problem.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

/// Where a node stands in its file. Lines and columns are 1-based and count characters;
/// `start..end` is the byte range of the node's text in the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SrcSpan {
    pub line: u32,
    pub column: u32,
    pub start: usize,
    pub end: usize,
}

impl SrcSpan {
    fn from_location(loc: &Location) -> Self {
        let span = loc.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        SrcSpan {
            line: loc.line() as u32,
            column: loc.column() as u32,
            start,
            end: start + len,
        }
    }

    /// A span is known when the parser reported a position for it.
    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

/// One YAML node with its source span.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the node is used (for an alias `*a`: the alias itself).
    pub span: SrcSpan,
    /// Where its value is written (for an alias: the anchored definition).
    pub defined: SrcSpan,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Whether this node was reached through an alias (`*name`).
    pub fn is_alias(&self) -> bool {
        self.span != self.defined
    }

    /// A short Japanese name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "空の値",
            Value::Bool(_) => "真偽値",
            Value::Int(_) | Value::Float(_) => "数値",
            Value::Str(_) => "文字列",
            Value::Seq(_) => "リスト",
            Value::Map(_) => "対応表(キー: 値)",
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The node as a mapping key: strings as they are, numbers in their decimal form.
    pub fn key_text(&self) -> String {
        match &self.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            Value::Seq(_) | Value::Map(_) => String::from("?"),
        }
    }

    /// Looks a key up in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.key_text() == key)
            .map(|(_, v)| v)
    }
}

enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v).map(Raw::Int).unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map(Raw::Int).unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map(Raw::Int).unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Node>()? {
            let v = map.next_value::<Node>()?;
            entries.push((k, v));
        }
        Ok(Raw::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Raw>::deserialize(d)?;
        let value = match s.value {
            Raw::Null => Value::Null,
            Raw::Bool(b) => Value::Bool(b),
            Raw::Int(i) => Value::Int(i),
            Raw::Float(f) => Value::Float(f),
            Raw::Str(s) => Value::Str(s),
            Raw::Seq(v) => Value::Seq(v),
            Raw::Map(m) => Value::Map(m),
        };
        Ok(Node {
            value,
            span: SrcSpan::from_location(&s.referenced),
            defined: SrcSpan::from_location(&s.defined),
        })
    }
}

/// A YAML syntax error, with the place the parser reported.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// What is wrong, in Japanese, for the common mistakes; a general sentence otherwise.
    pub message: String,
    /// How to fix it, when the mistake is a common one.
    pub hint: Option<&'static str>,
    /// The parser's own (English) wording, without its `line N column M` prefix.
    pub detail: String,
    pub span: Option<SrcSpan>,
}

/// Parses a whole document into a node tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| {
        let e = e.without_snippet();
        let span = e
            .location()
            .and_then(|l| span_at(text, l.line() as usize, l.column() as usize));
        let detail = parser_detail(&e.to_string());
        let (mut message, mut hint) = explain(&detail);
        let mut span = span;
        if let Some(at) = span {
            let d = detail.to_ascii_lowercase();
            if d.contains("tab") {
                // The parser reports the start of the value; point at the tab itself.
                if let Some(off) = text[at.start..].find('\t') {
                    span = Some(span_of(text, at.start + off));
                }
            } else if let Some(q) = [("after double-quoted", '"'), ("after single-quoted", '\'')]
                .iter()
                .find(|(m, _)| d.contains(m))
                .map(|(_, q)| *q)
                && let Some(open) = opening_quote(text, at.start, q)
            {
                // A quote left open runs on to the next quote, often lines further down:
                // point at where it was opened.
                let opened = span_of(text, open);
                if opened.line < at.line {
                    message = format!(
                        "{} 行目の引用符 ({q}) で始めた文字列が閉じられておらず、{} 行目の引用符まで続いています",
                        opened.line, at.line
                    );
                    span = Some(opened);
                    hint = Some("文字列の終わりにも同じ引用符を書いてください。");
                }
            }
        }
        // A full-width space (U+3000) where YAML wants a space, in the indentation or after a
        // `:`, is a character to YAML: the line stops making sense. Point at it.
        if let Some(at) = span {
            let line_start = text[..at.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
            let prev_start = text[..line_start.saturating_sub(1)].rfind('\n').map_or(0, |i| i + 1);
            for start in [line_start, prev_start] {
                let line = text[start..].split('\n').next().unwrap_or("");
                let indent_or_after_colon = line
                    .char_indices()
                    .find(|(i, c)| *c == '\u{3000}' && (line[..*i].trim_start_matches([' ', '\u{3000}']).is_empty() || line[..*i].ends_with(':')));
                if let Some((off, _)) = indent_or_after_colon {
                    message = "全角スペースが使われています (字下げや「:」の後のスペースは半角で書きます)".to_owned();
                    hint = Some("この全角スペースを半角スペースに置き換えてください。");
                    span = Some(span_of(text, start + off));
                    break;
                }
            }
        }
        SyntaxError { message, hint, detail, span }
    })
}

/// The span of the character at byte `offset` of `text` (1-based line, column in characters).
pub fn span_of(text: &str, offset: usize) -> SrcSpan {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let end = text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    SrcSpan { line: before.matches('\n').count() as u32 + 1, column: column as u32, start: offset, end }
}

/// The quote that opened the quoted value which ends just before `end`: the unescaped `q`
/// before the closing one.
fn opening_quote(text: &str, end: usize, q: char) -> Option<usize> {
    let close = text[..end].rfind(q)?;
    let mut i = close;
    while let Some(p) = text[..i].rfind(q) {
        let escaped = q == '"' && text[..p].ends_with('\\') && !text[..p].ends_with("\\\\");
        if !escaped {
            return Some(p);
        }
        i = p;
    }
    None
}

/// The span of the character at a 1-based line and column (in characters). A column just
/// past the end of the line (where the parser stops at a line end or at the end of the text)
/// gives an empty span there.
fn span_at(text: &str, line: usize, column: usize) -> Option<SrcSpan> {
    if line == 0 || column == 0 {
        return None;
    }
    let mut line_start = 0;
    for _ in 1..line {
        line_start += text[line_start..].find('\n')? + 1;
    }
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    let offset = line_text
        .char_indices()
        .nth(column - 1)
        .map(|(i, _)| i)
        .unwrap_or(line_text.len());
    let start = line_start + offset;
    let end = text[start..].chars().next().filter(|c| *c != '\n').map_or(start, |c| start + c.len_utf8());
    let column = line_text[..offset].chars().count() + 1;
    Some(SrcSpan { line: line as u32, column: column as u32, start, end })
}

/// The parser's message without serde-saphyr's `error: line N column M: ` prefix and without
/// advice meant for programmers (`set DuplicateKeyPolicy …`).
fn parser_detail(s: &str) -> String {
    let mut s = s.lines().next().unwrap_or(s).trim();
    s = s.strip_prefix("error: ").unwrap_or(s);
    if let Some(rest) = s.strip_prefix("line ")
        && let Some((_, rest)) = rest.split_once(": ")
    {
        s = rest;
    }
    let s = s.split(", set DuplicateKeyPolicy").next().unwrap_or(s);
    let s = s.split("; use from_str_multiple").next().unwrap_or(s);
    let s = match s.rfind(" at line ") {
        Some(i) if s[i..].contains(", column ") => &s[..i],
        _ => s,
    };
    s.to_owned()
}

/// A Japanese explanation of the parser's message for the mistakes people make when editing
/// a sheet by hand, with a hint on how to fix it.
fn explain(detail: &str) -> (String, Option<&'static str>) {
    let d = detail.to_ascii_lowercase();
    let has = |p: &str| d.contains(p);
    if let Some(key) = detail.strip_prefix("duplicate mapping key: ") {
        return (
            format!("同じキー「{key}」が 2 回書かれています"),
            Some("同じ階層に同じキーは 1 回しか書けません。どちらかを消すか、まとめてください。"),
        );
    }
    let (message, hint): (&str, &'static str) = if has("tab") {
        ("字下げ (インデント) にタブ文字が使われています", "字下げは半角スペースで書いてください。")
    } else if has("unclosed quote") || (has("quoted scalar") && has("end of stream")) {
        ("引用符 (\" または ') で始めた文字列が閉じられていません", "文字列の終わりにも同じ引用符を書いてください。")
    } else if has("unknown escape") {
        ("\"…\" の中に使えない「\\」の書き方があります", "「\\」をそのまま書くときは '…' で囲むか、「\\\\」と 2 つ重ねてください。")
    } else if has("unclosed bracket") || has("expected ',' or ']'") || has("expected ',' or '}'") || (has("flow") && has("end of stream")) {
        ("[ … ] や { … } が閉じられていないか、要素の区切りの「,」がありません", "[ と ]、{ と } の数をそろえ、要素は「, 」で区切ってください。")
    } else if has("mapping values are not allowed") || has("illegal placement of ':'") {
        ("この位置に「:」は書けません", "値の中に「: 」を含めるときは、値全体を \"…\" で囲んでください。字下げがずれていないかも確かめてください。")
    } else if has("did not find expected key") || has("did not find expected '-'") || has("indent") {
        ("字下げ (インデント) がそろっていません", "同じ階層のキーや「- 」は、同じ数の半角スペースで字下げしてください。")
    } else if has("expected ':'") {
        ("キーの後に「:」がありません", "「キー: 値」のように、キーの後に「:」と半角スペースを書いてください。")
    } else if has("unknown anchor") {
        ("定義されていない別名 (*名前) が使われています", "「*」で始まる文章は \"…\" で囲んでください。別名なら、*名前 で参照する前に &名前 で値に名前を付けてください。")
    } else if has("recursion limit") || has("depth") {
        ("入れ子 (字下げや [ { の階層) が深すぎます", "階層を浅くしてください。[ や { の閉じ忘れがないかも確かめてください。")
    } else if has("recursive") || has("alias") || has("budget") || has("limit") {
        ("別名 (&名前 / *名前) の使い方に誤りがあります (自分自身の参照、または展開が大きすぎます)", "別名を使わずに値を直接書いてください。")
    } else if has("multiple yaml documents") || has("document") {
        ("1 つのファイルに複数の YAML 文書 (--- で区切られたもの) があります", "1 つのファイルには 1 つの項目だけを書いてください。")
    } else if has("comment intercepting") {
        ("複数行の値の途中に # のコメントがあります", "コメントは値の前か後の行に書いてください。")
    } else if has("unexpected character") || has("reserved") {
        ("値の先頭に使えない文字 (@ や ` など) があります", "値全体を \"…\" で囲んでください。")
    } else {
        ("YAML の書き方に誤りがあります", "下の詳細と、示した行の前後の字下げ・引用符・「:」を確かめてください。")
    };
    (message.to_owned(), Some(hint))
}
