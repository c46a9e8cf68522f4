//! Replacing a node's text and inserting a new key into a mapping.

use super::emit::emit_key;
use super::{Editor, Emitted, Pending, Seg, Slot, key_rank};
use crate::yaml_tree::Node;

impl<'a> Editor<'a> {
    /// Replaces the text of `node` (its value as held by `slot`) by the emission of `src`
    /// (defaulting to the node itself) with `pend` applied.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn replace_node(
        &mut self,
        node: &'a Node,
        src: Option<&'a Node>,
        pend: Option<&Pending>,
        path: &mut Vec<Seg>,
        slot: Slot<'a>,
        flow: bool,
        anchor: Option<&str>,
    ) -> Result<(), String> {
        let src = src.or(if node.is_alias() { None } else { Some(node) });
        let with_anchor = |e: Emitted| match (anchor, e) {
            (None, e) => e,
            (Some(a), Emitted::Inline(s)) => Emitted::Inline(if s.is_empty() {
                format!("&{a}")
            } else {
                format!("&{a} {s}")
            }),
            (Some(a), Emitted::Block { header, lines }) => Emitted::Block {
                header: if header.is_empty() {
                    format!("&{a}")
                } else {
                    format!("&{a} {header}")
                },
                lines,
            },
        };
        match slot {
            Slot::MapValue {
                key,
                flow: parent_flow,
            } => {
                let colon = self.colon_after(key)?;
                let end = self.value_end(key, node, parent_flow)?;
                let indent = self.column(key.span.start) + 2;
                let emitted =
                    with_anchor(self.emit(src, pend, path, indent, parent_flow || flow)?);
                let (end, rest) = if parent_flow {
                    (end, "")
                } else {
                    self.rest_of_line(end)
                };
                // A comment on the key's line above a block value (`key: # note`) stays.
                let key_line_end = self.eol(colon);
                let lead = self.text[colon + 1..key_line_end.max(colon + 1)].trim();
                let lead = if end > key_line_end && lead.starts_with('#') {
                    format!(" {lead}")
                } else {
                    String::new()
                };
                let text = match emitted {
                    Emitted::Inline(s) if s.is_empty() => format!("{lead}{rest}"),
                    Emitted::Inline(s) => format!(" {s}{lead}{rest}"),
                    Emitted::Block { header, lines } => {
                        let mut t = String::new();
                        if !header.is_empty() {
                            t.push(' ');
                            t.push_str(&header);
                        }
                        t.push_str(&lead);
                        t.push_str(rest);
                        for l in lines {
                            t.push_str(self.nl());
                            t.push_str(&l);
                        }
                        t
                    }
                };
                self.splices.push((colon + 1, end, text));
                Ok(())
            }
            Slot::SeqItem | Slot::Root => {
                if !node.is_alias() && matches!(slot, Slot::Root) {
                    return Err("文書全体は置き換えられません".into());
                }
                let end = if node.is_alias() || self.is_scalar_text(node) {
                    node.span.end
                } else if self.is_flow_collection(node) {
                    self.match_bracket(node.span.start)?
                } else {
                    return Err(format!(
                        "{} のリストの要素は置き換えられません (ブロック形式)",
                        self.place(path)
                    ));
                };
                // An item of a sequence is rewritten in flow style on its own line.
                let emitted = with_anchor(self.emit(src, pend, path, 0, true)?);
                let Emitted::Inline(s) = emitted else {
                    unreachable!("flow emission is inline")
                };
                self.splices.push((
                    node.span.start,
                    end,
                    if s.is_empty() { "null".into() } else { s },
                ));
                Ok(())
            }
        }
    }

    /// Inserts `key` with the emission of `pend` into the mapping `map`.
    pub(super) fn insert_key(
        &mut self,
        map: &'a Node,
        entries: &'a [(Node, Node)],
        key: &str,
        pend: &Pending,
        path: &mut Vec<Seg>,
        flow: bool,
    ) -> Result<(), String> {
        let rank = |k: &str| key_rank(self.order, path, k);
        let new_rank = rank(key);
        let before = entries
            .iter()
            .find(|(k, _)| match (&new_rank, rank(&k.key_text())) {
                (Some(a), Some(b)) => b > *a,
                _ => false,
            });
        let key_text = emit_key(key);
        path.push(Seg::Key(key.to_owned()));
        let result = if self.is_flow_collection(map) {
            let emitted = self.emit(None, Some(pend), path, 0, true)?;
            let Emitted::Inline(v) = emitted else {
                unreachable!("flow emission is inline")
            };
            let entry = if v.is_empty() {
                format!("{key_text}:")
            } else {
                format!("{key_text}: {v}")
            };
            match before {
                Some((k, _)) => {
                    self.splices
                        .push((k.span.start, k.span.start, format!("{entry}, ")))
                }
                None => match entries.last() {
                    Some((k, v)) => {
                        let end = self.value_end(k, v, true)?;
                        self.splices.push((end, end, format!(", {entry}")));
                    }
                    None => self
                        .splices
                        .push((map.span.start + 1, map.span.start + 1, entry)),
                },
            }
            Ok(())
        } else {
            let Some((first_key, _)) = entries.first() else {
                return Err(format!(
                    "{} に値を書き足せません (空の対応表)",
                    self.place(path)
                ));
            };
            let indent = self.column(first_key.span.start);
            let emitted = self.emit(None, Some(pend), path, indent + 2, flow)?;
            let pad = " ".repeat(indent);
            let entry = match emitted {
                Emitted::Inline(v) if v.is_empty() => format!("{key_text}:"),
                Emitted::Inline(v) => format!("{key_text}: {v}"),
                Emitted::Block { header, lines } => {
                    let mut t = format!("{key_text}:");
                    if !header.is_empty() {
                        t.push(' ');
                        t.push_str(&header);
                    }
                    for l in lines {
                        t.push_str(self.nl());
                        t.push_str(&l);
                    }
                    t
                }
            };
            let nl = self.nl();
            match before {
                Some((k, _)) => {
                    self.splices
                        .push((k.span.start, k.span.start, format!("{entry}{nl}{pad}")))
                }
                None => {
                    let (k, v) = entries.last().expect("not empty");
                    let end = self.value_end(k, v, false)?;
                    let (line_end, _) = self.rest_of_line(end);
                    self.splices
                        .push((line_end, line_end, format!("{nl}{pad}{entry}")));
                }
            }
            Ok(())
        };
        path.pop();
        result
    }
}
