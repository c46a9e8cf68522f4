//! Reading the source text: line starts and ends, columns, the colon after a key, where a
//! value ends, matching brackets of flow collections.

use super::Editor;
use crate::yaml_tree::{Node, Value};

impl<'a> Editor<'a> {
    pub(super) fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The column (bytes from the line start) of a position.
    pub(super) fn column(&self, at: usize) -> usize {
        at - self.line_start(at)
    }

    /// The line break of the source (`\r\n` for a file written so, `\n` otherwise).
    pub(super) fn nl(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The end of the line holding `at`: the position of its `\r\n` or `\n`, or the text's end.
    pub(super) fn eol(&self, at: usize) -> usize {
        let end = self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i);
        if end > at && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// The end of the line holding `at` and what stands between `at` and it when that is only
    /// blanks and a comment.
    pub(super) fn rest_of_line(&self, at: usize) -> (usize, &'a str) {
        let end = self.eol(at);
        let rest = &self.text[at..end];
        let t = rest.trim_start();
        if t.is_empty() {
            (end, "")
        } else if t.starts_with('#') {
            (end, rest.trim_end())
        } else {
            (at, "")
        }
    }

    pub(super) fn colon_after(&self, key: &Node) -> Result<usize, String> {
        let rest = &self.text[key.span.end..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if rest[skipped..].starts_with(':') {
            Ok(key.span.end + skipped)
        } else {
            Err(format!(
                "キー「{}」の後ろの「:」が見つかりません (行 {})",
                key.key_text(),
                key.span.line
            ))
        }
    }

    pub(super) fn is_flow_collection(&self, node: &Node) -> bool {
        matches!(node.value, Value::Map(_) | Value::Seq(_))
            && !node.is_alias()
            && matches!(
                self.text.as_bytes().get(node.span.start),
                Some(b'{') | Some(b'[')
            )
    }

    /// A scalar whose span covers exactly its text (plain or quoted, not a block scalar).
    pub(super) fn is_scalar_text(&self, node: &Node) -> bool {
        !matches!(node.value, Value::Map(_) | Value::Seq(_))
            && node.span.end > node.span.start
            && !matches!(
                self.text.as_bytes().get(node.span.start),
                Some(b'|') | Some(b'>')
            )
    }

    /// Where the value of `key` ends in the text (exclusive).
    pub(super) fn value_end(&self, key: &Node, value: &Node, flow: bool) -> Result<usize, String> {
        if value.is_alias() {
            return Ok(value.span.end);
        }
        if self.is_flow_collection(value) {
            return self.match_bracket(value.span.start);
        }
        let colon = self.colon_after(key)?;
        if flow {
            return Ok(
                if matches!(value.value, Value::Null) && value.span.end <= colon {
                    colon + 1
                } else {
                    value.span.end.max(colon + 1)
                },
            );
        }
        // What stands on the key's line after the colon.
        let line_end = self.eol(colon);
        let on_line = self.text[colon + 1..line_end].trim_start();
        let simple = !on_line.is_empty()
            && !on_line.starts_with('#')
            && !on_line.starts_with(['|', '>', '&', '!']);
        if simple && self.is_scalar_text(value) && value.span.start > colon {
            return Ok(value.span.end);
        }
        if simple && matches!(value.value, Value::Null) {
            // `~` or `null` on the key's line.
            let token = on_line.split_whitespace().next().unwrap_or("");
            let at = colon + 1 + (self.text[colon + 1..line_end].len() - on_line.len());
            return Ok(at + token.len());
        }
        // A block value: the lines below that are indented deeper than the key (a block
        // sequence may also stand at the key's own indentation).
        let key_col = self.column(key.span.start);
        let is_seq = matches!(value.value, Value::Seq(_));
        let mut last_content_end = if on_line.is_empty() || on_line.starts_with('#') {
            colon + 1
        } else {
            line_end
        };
        // `at`: the `\n` ending the line before.
        let mut at = self.text[colon..]
            .find('\n')
            .map_or(self.text.len(), |i| colon + i);
        while at < self.text.len() {
            let start = at + 1;
            let end = self.text[start..]
                .find('\n')
                .map_or(self.text.len(), |i| start + i);
            let line = &self.text[start..end];
            let body = line.trim_start_matches(' ');
            let col = line.len() - body.len();
            if body.trim().is_empty() {
                at = end;
                continue;
            }
            let inside = col > key_col
                || (is_seq && col == key_col && (body.starts_with("- ") || body.trim_end() == "-"));
            if !inside {
                break;
            }
            if !body.starts_with('#') {
                last_content_end = start + line.trim_end().len();
            }
            at = end;
        }
        Ok(last_content_end)
    }

    /// The position just after the bracket closing the flow collection opened at `open`.
    pub(super) fn match_bracket(&self, open: usize) -> Result<usize, String> {
        let b = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = open;
        while i < b.len() {
            match b[i] {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(i + 1);
                    }
                }
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                b'\'' if i == 0 || matches!(b[i - 1], b' ' | b'{' | b'[' | b',' | b':') => {
                    i += 1;
                    while i < b.len() {
                        if b[i] == b'\'' {
                            if b.get(i + 1) == Some(&b'\'') {
                                i += 1;
                            } else {
                                break;
                            }
                        }
                        i += 1;
                    }
                }
                b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Err("「{」または「[」が閉じていません".into())
    }
}
