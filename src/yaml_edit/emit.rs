//! How values are written: plain scalars when safe, double-quoted otherwise, multi-line texts
//! as literal blocks (`|-`), and whole mappings and sequences rendered from a node with the
//! pending changes applied.

use std::fmt::Write as _;

use super::anchors::find_def;
use super::{Editor, Emitted, NewValue, Pending, Seg, key_rank};
use crate::yaml_tree::{Node, Value};

impl<'a> Editor<'a> {
    /// Renders `src` (an existing node, or nothing) with `pend` applied.
    pub(super) fn emit(
        &self,
        src: Option<&'a Node>,
        pend: Option<&Pending>,
        path: &mut Vec<Seg>,
        indent: usize,
        flow: bool,
    ) -> Result<Emitted, String> {
        if let Some(Pending::Set(v)) = pend {
            return Ok(emit_new(v, indent, flow));
        }
        let src = match src {
            Some(n) if n.is_alias() && pend.is_some() => {
                Some(find_def(self.root, n.defined).ok_or_else(|| {
                    format!("{} の別名 (*) の元が見つかりません", self.place(path))
                })?)
            }
            other => other,
        };
        let Some(src) = src else {
            // Nothing written yet: a mapping made of the pending changes.
            return self.emit_map(&[], pend, path, indent, flow);
        };
        if pend.is_none() && src.is_alias() {
            return Ok(Emitted::Inline(
                self.text[src.span.start..src.span.end].to_owned(),
            ));
        }
        match &src.value {
            Value::Map(entries) => self.emit_map(entries, pend, path, indent, flow),
            Value::Null if pend.is_some() => self.emit_map(&[], pend, path, indent, flow),
            Value::Seq(items) if pend.is_none() => {
                if items.is_empty() {
                    return Ok(Emitted::Inline("[]".into()));
                }
                let mut parts = Vec::new();
                for it in items {
                    match self.emit(Some(it), None, path, indent + 2, true)? {
                        Emitted::Inline(s) => {
                            parts.push(if s.is_empty() { "null".into() } else { s })
                        }
                        Emitted::Block { .. } => unreachable!("flow emission is inline"),
                    }
                }
                if flow {
                    Ok(Emitted::Inline(format!("[{}]", parts.join(", "))))
                } else {
                    let pad = " ".repeat(indent);
                    // Block items are re-emitted in block style when they are plain strings.
                    let mut lines = Vec::new();
                    for (it, flow_text) in items.iter().zip(parts) {
                        match (&it.value, it.is_alias()) {
                            (Value::Str(s), false) => match emit_str(s, indent + 2, false) {
                                Emitted::Inline(t) => lines.push(format!("{pad}- {t}")),
                                Emitted::Block { header, lines: ls } => {
                                    lines.push(format!("{pad}- {header}"));
                                    lines.extend(ls);
                                }
                            },
                            _ => lines.push(format!("{pad}- {flow_text}")),
                        }
                    }
                    Ok(Emitted::Block {
                        header: String::new(),
                        lines,
                    })
                }
            }
            Value::Seq(_) => Err(format!(
                "{} はリストなので、その下に値を書けません",
                self.place(path)
            )),
            _ if pend.is_some() => Err(format!(
                "{} は{}なので、その下に値を書けません",
                self.place(path),
                src.type_name()
            )),
            Value::Null => Ok(Emitted::Inline(String::new())),
            Value::Bool(b) => Ok(Emitted::Inline(b.to_string())),
            Value::Int(i) => Ok(Emitted::Inline(i.to_string())),
            Value::Float(f) => Ok(Emitted::Inline(emit_float(*f))),
            Value::Str(s) => Ok(emit_str(s, indent, flow)),
        }
    }

    fn emit_map(
        &self,
        entries: &'a [(Node, Node)],
        pend: Option<&Pending>,
        path: &mut Vec<Seg>,
        indent: usize,
        flow: bool,
    ) -> Result<Emitted, String> {
        let children: &[(Seg, Pending)] = match pend {
            Some(Pending::Map(c)) => c,
            _ => &[],
        };
        // Existing entries in their order, then new keys at their ranked place.
        let mut out: Vec<(String, Emitted)> = Vec::new();
        let mut ranks: Vec<Option<usize>> = Vec::new();
        for (k, v) in entries {
            let name = k.key_text();
            let child = children
                .iter()
                .find(|(s, _)| *s == Seg::Key(name.clone()))
                .map(|(_, p)| p);
            path.push(Seg::Key(name.clone()));
            let e = self.emit(Some(v), child, path, indent + 2, flow)?;
            path.pop();
            ranks.push(key_rank(self.order, path, &name));
            out.push((emit_key(&name), e));
        }
        for (seg, child) in children {
            let Seg::Key(name) = seg else {
                return Err(format!(
                    "{} は対応表なので番号 {seg} では選べません",
                    self.place(path)
                ));
            };
            if entries.iter().any(|(k, _)| k.key_text() == *name) {
                continue;
            }
            path.push(seg.clone());
            let e = self.emit(None, Some(child), path, indent + 2, flow)?;
            path.pop();
            let r = key_rank(self.order, path, name);
            let at = match r {
                Some(r) => ranks
                    .iter()
                    .position(|x| matches!(x, Some(x) if *x > r))
                    .unwrap_or(out.len()),
                None => out.len(),
            };
            ranks.insert(at, r);
            out.insert(at, (emit_key(name), e));
        }
        if flow || out.is_empty() {
            let mut parts = Vec::new();
            for (k, e) in out {
                match e {
                    Emitted::Inline(v) if v.is_empty() => parts.push(format!("{k}:")),
                    Emitted::Inline(v) => parts.push(format!("{k}: {v}")),
                    Emitted::Block { .. } => unreachable!("flow emission is inline"),
                }
            }
            return Ok(Emitted::Inline(format!("{{{}}}", parts.join(", "))));
        }
        let pad = " ".repeat(indent);
        let mut lines = Vec::new();
        for (k, e) in out {
            match e {
                Emitted::Inline(v) if v.is_empty() => lines.push(format!("{pad}{k}:")),
                Emitted::Inline(v) => lines.push(format!("{pad}{k}: {v}")),
                Emitted::Block { header, lines: ls } => {
                    lines.push(if header.is_empty() {
                        format!("{pad}{k}:")
                    } else {
                        format!("{pad}{k}: {header}")
                    });
                    lines.extend(ls);
                }
            }
        }
        Ok(Emitted::Block {
            header: String::new(),
            lines,
        })
    }
}

pub(super) fn emit_key(key: &str) -> String {
    let year_like = key.parse::<i64>().is_ok() && !key.starts_with(['+', '-', '0']) || key == "0";
    if year_like || plain_safe(key, true) {
        key.to_owned()
    } else {
        double_quoted(key)
    }
}

fn emit_new(v: &NewValue, indent: usize, flow: bool) -> Emitted {
    match v {
        NewValue::Str(s) => emit_str(s, indent, flow),
        NewValue::Int(i) => Emitted::Inline(i.to_string()),
        NewValue::Float(f) => Emitted::Inline(emit_float(*f)),
        NewValue::List(items) if items.is_empty() => Emitted::Inline("[]".into()),
        NewValue::List(items) => {
            if flow {
                let parts: Vec<String> = items.iter().map(|s| flow_scalar(s)).collect();
                return Emitted::Inline(format!("[{}]", parts.join(", ")));
            }
            let pad = " ".repeat(indent);
            let mut lines = Vec::new();
            for s in items {
                match emit_str(s, indent + 2, false) {
                    Emitted::Inline(t) => lines.push(format!("{pad}- {t}")),
                    Emitted::Block { header, lines: ls } => {
                        lines.push(format!("{pad}- {header}"));
                        lines.extend(ls);
                    }
                }
            }
            Emitted::Block {
                header: String::new(),
                lines,
            }
        }
    }
}

fn flow_scalar(s: &str) -> String {
    if plain_safe(s, true) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

fn emit_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        }
    } else if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// A string value: plain when safe, a literal block for multi-line text, double-quoted otherwise.
fn emit_str(s: &str, indent: usize, flow: bool) -> Emitted {
    if !s.contains('\n') {
        return Emitted::Inline(if plain_safe(s, flow) {
            s.to_owned()
        } else {
            double_quoted(s)
        });
    }
    if flow || !literal_safe(s) {
        return Emitted::Inline(double_quoted(s));
    }
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let header = match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    };
    let body = s.trim_end_matches('\n');
    let pad = " ".repeat(indent);
    let mut lines: Vec<String> = body
        .split('\n')
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect();
    for _ in 1..trailing {
        lines.push(String::new());
    }
    Emitted::Block {
        header: header.into(),
        lines,
    }
}

fn is_special_char(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Whether a multi-line text can be written as a literal block scalar unchanged.
fn literal_safe(s: &str) -> bool {
    let body = s.trim_end_matches('\n');
    !body.is_empty()
        && !body.chars().any(|c| is_special_char(c) || c == '\t')
        && !body
            .split('\n')
            .next()
            .is_some_and(|first| first.is_empty() || first.starts_with(' '))
        && !body
            .split('\n')
            .any(|l| l.ends_with(' ') && l.trim().is_empty())
}

/// Whether `s` reads back as the same string when written as a plain scalar.
pub fn plain_safe(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s || s.contains('\n') || s.chars().any(|c| is_special_char(c) || c == '\t') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_ascii_digit()
        || matches!(first, '+' | '.' | '~')
    {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
    )
}

/// A double-quoted scalar with YAML escapes.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if is_special_char(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
