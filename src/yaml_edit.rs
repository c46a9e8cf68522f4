//! In-place edits of a YAML source: set values at key paths and change only those bytes.
//!
//! The importer must write a department's answers into a hand-written YAML file without
//! disturbing anything else (comments, key order, quoting, blank lines). This module takes the
//! source text, its span-carrying node tree (`yaml_tree`) and a list of changes (a key path and
//! a new value each) and splices new text into the source:
//!
//! * an existing value is replaced between the key's colon and the value's end;
//! * a missing key is inserted as a new line (block mapping, with the mapping's indentation,
//!   at its place in the caller's key order) or as `key: value` inside a flow mapping `{…}`;
//! * a value reached through an alias (`2023: *p321`) is changed at that place only: the alias
//!   is replaced by an explicit copy of the anchored value with the change applied, so the
//!   anchor and its other aliases keep their meaning;
//! * new values are written as plain scalars when that is safe, double-quoted otherwise, and
//!   multi-line texts as literal block scalars (`|-`), or double-quoted in flow context.
//!
//! After splicing, the new text is parsed again and compared with the old tree plus the
//! intended changes: if anything else changed, the edit is refused.

use std::fmt::Write as _;

use crate::yaml_tree::{self, Node, SrcSpan, Value};

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A mapping key, compared with `Node::key_text`.
    Key(String),
    /// An index into a sequence.
    Index(usize),
}

impl Seg {
    pub fn key(k: impl Into<String>) -> Seg {
        Seg::Key(k.into())
    }
}

impl std::fmt::Display for Seg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seg::Key(k) => f.write_str(k),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum NewValue {
    Str(String),
    /// A sequence of strings (bullet points).
    List(Vec<String>),
    Int(i64),
    Float(f64),
}

/// Set `value` at `path` (from the document root).
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub path: Vec<Seg>,
    pub value: NewValue,
}

/// Where a new key goes among a mapping's existing keys: the rank of `key` in the mapping at
/// `parent` (lower first); `None` when the caller has no order for it (appended at the end).
pub type KeyOrder<'a> = &'a dyn Fn(&[Seg], &str) -> Option<usize>;

/// Applies `changes` to `text` (whose parsed tree is `root`) and returns the new text.
/// Errors (in Japanese) when a change cannot be placed or the result would differ from the
/// intended one anywhere else.
pub fn apply(
    text: &str,
    root: &Node,
    changes: &[Change],
    order: KeyOrder,
) -> Result<String, String> {
    if changes.is_empty() {
        return Ok(text.to_owned());
    }
    let mut pending = Pending::Map(Vec::new());
    for c in changes {
        pending.insert(&c.path, c.value.clone())?;
    }
    let mut ed = Editor {
        text,
        root,
        order,
        splices: Vec::new(),
        modified: Vec::new(),
        materialised: Vec::new(),
    };
    let mut path = Vec::new();
    ed.walk(root, &pending, &mut path, Slot::Root, false)?;
    ed.keep_aliases_of_changed_anchors()?;
    let new_text = ed.finish()?;
    verify(root, &new_text, changes)?;
    Ok(new_text)
}

/// The changes still to make below one node: a value to set, or changes under keys.
#[derive(Clone, Debug)]
enum Pending {
    Set(NewValue),
    Map(Vec<(Seg, Pending)>),
}

impl Pending {
    fn insert(&mut self, path: &[Seg], value: NewValue) -> Result<(), String> {
        let Pending::Map(children) = self else {
            return Err("同じ場所への変更が重なっています".into());
        };
        let (first, rest) = path.split_first().ok_or("変更する場所が空です")?;
        let idx = match children.iter().position(|(s, _)| s == first) {
            Some(i) => i,
            None => {
                children.push((
                    first.clone(),
                    if rest.is_empty() {
                        Pending::Set(value.clone())
                    } else {
                        Pending::Map(Vec::new())
                    },
                ));
                if rest.is_empty() {
                    return Ok(());
                }
                children.len() - 1
            }
        };
        if rest.is_empty() {
            return Err(format!("「{first}」への変更が重なっています"));
        }
        children[idx].1.insert(rest, value)
    }
}

/// How a node is held by its parent.
#[derive(Clone, Copy)]
enum Slot<'n> {
    Root,
    /// The value of `key` in a mapping; `flow` when the mapping is a flow mapping.
    MapValue {
        key: &'n Node,
        flow: bool,
    },
    /// An item of a sequence.
    SeqItem,
}

/// A value rendered for insertion: on the key's line, or as a block below it.
#[derive(Clone, Debug)]
enum Emitted {
    /// Text that follows `key: ` (empty for a null value: `key:`).
    Inline(String),
    /// A block: an optional header on the key's line (`|-`) and the lines below, indented.
    Block { header: String, lines: Vec<String> },
}

struct Editor<'a> {
    text: &'a str,
    root: &'a Node,
    order: KeyOrder<'a>,
    splices: Vec<(usize, usize, String)>,
    /// Written nodes whose value changes: (node, how it is held, whether it is replaced whole).
    modified: Vec<(&'a Node, Slot<'a>, bool)>,
    /// Aliases replaced by a changed copy.
    materialised: Vec<SrcSpan>,
}

impl<'a> Editor<'a> {
    fn finish(mut self) -> Result<String, String> {
        self.splices.sort_by_key(|(s, e, _)| (*s, *e));
        for w in self.splices.windows(2) {
            if w[0].1 > w[1].0 {
                return Err("変更箇所が重なっています (内部エラー)".into());
            }
        }
        let mut out = String::with_capacity(self.text.len() + 256);
        let mut at = 0;
        for (s, e, t) in &self.splices {
            out.push_str(&self.text[at..*s]);
            out.push_str(t);
            at = *e;
        }
        out.push_str(&self.text[at..]);
        Ok(out)
    }

    fn place(&self, path: &[Seg]) -> String {
        path.iter()
            .map(Seg::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }

    fn walk(
        &mut self,
        node: &'a Node,
        pend: &Pending,
        path: &mut Vec<Seg>,
        slot: Slot<'a>,
        flow: bool,
    ) -> Result<(), String> {
        if node.is_alias() {
            let def = find_def(self.root, node.defined)
                .ok_or_else(|| format!("{} の別名 (*) の元が見つかりません", self.place(path)))?;
            self.materialised.push(node.span);
            return self.replace_node(node, Some(def), Some(pend), path, slot, flow, None);
        }
        // A flow mapping is written anew when it is `{}`, in flow style; and when it stands in
        // block context and gets a multi-line text or a list, in block style, so the text stays
        // readable.
        let rewrite = match (pend, &node.value) {
            (Pending::Map(children), Value::Map(entries)) if self.is_flow_collection(node) => {
                if entries.is_empty() {
                    Some(true)
                } else {
                    let multi_line = children.iter().any(|(_, p)| match p {
                        Pending::Set(NewValue::Str(s)) => s.contains('\n'),
                        Pending::Set(NewValue::List(l)) => !l.is_empty(),
                        _ => false,
                    });
                    let block_context = !flow && matches!(slot, Slot::MapValue { flow: false, .. });
                    (multi_line && block_context).then_some(false)
                }
            }
            _ => None,
        };
        let replaced = matches!(pend, Pending::Set(_))
            || matches!(node.value, Value::Null)
            || rewrite.is_some();
        self.modified.push((node, slot, replaced));
        if let Some(in_flow) = rewrite {
            return self.replace_node(node, None, Some(pend), path, slot, in_flow, None);
        }
        match (pend, &node.value) {
            (Pending::Set(_), _) => {
                self.replace_node(node, None, Some(pend), path, slot, flow, None)
            }
            (Pending::Map(children), Value::Map(entries)) => {
                let flow_here = flow || self.is_flow_collection(node);
                // New keys that land at the same place go in the caller's order.
                let mut children: Vec<&(Seg, Pending)> = children.iter().collect();
                children.sort_by_key(|(seg, _)| match seg {
                    Seg::Key(k) => key_rank(self.order, path, k).map_or((1, 0), |r| (0, r)),
                    Seg::Index(i) => (0, *i),
                });
                for (seg, child) in children {
                    let Seg::Key(k) = seg else {
                        return Err(format!(
                            "{} は対応表なので番号 {seg} では選べません",
                            self.place(path)
                        ));
                    };
                    path.push(seg.clone());
                    match entries.iter().find(|(key, _)| key.key_text() == *k) {
                        Some((key, value)) => self.walk(
                            value,
                            child,
                            path,
                            Slot::MapValue {
                                key,
                                flow: flow_here,
                            },
                            flow_here,
                        )?,
                        None => {
                            path.pop();
                            self.insert_key(node, entries, k, child, path, flow_here)?;
                            path.push(seg.clone());
                        }
                    }
                    path.pop();
                }
                Ok(())
            }
            (Pending::Map(children), Value::Seq(items)) => {
                let flow_here = flow || self.is_flow_collection(node);
                for (seg, child) in children {
                    let Seg::Index(i) = seg else {
                        return Err(format!(
                            "{} はリストなのでキー {seg} では選べません",
                            self.place(path)
                        ));
                    };
                    let item = items.get(*i).ok_or_else(|| {
                        format!("{} に {} 番目の要素がありません", self.place(path), i + 1)
                    })?;
                    path.push(seg.clone());
                    self.walk(item, child, path, Slot::SeqItem, flow_here)?;
                    path.pop();
                }
                Ok(())
            }
            (Pending::Map(_), Value::Null) => {
                self.replace_node(node, None, Some(pend), path, slot, flow, None)
            }
            (Pending::Map(_), _) => Err(format!(
                "{} は{}なので、その下に値を書けません",
                self.place(path),
                node.type_name()
            )),
        }
    }

    /// Replaces the text of `node` (its value as held by `slot`) by the emission of `src`
    /// (defaulting to the node itself) with `pend` applied.
    #[allow(clippy::too_many_arguments)]
    fn replace_node(
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

    /// A changed node that carries an anchor would change every alias of it. The first alias
    /// not already replaced takes the anchor and an explicit copy of the old value; the changed
    /// node loses its anchor; the later aliases keep pointing at the old value.
    fn keep_aliases_of_changed_anchors(&mut self) -> Result<(), String> {
        let mut aliases = Vec::new();
        self.collect_aliases(self.root, Slot::Root, false, &mut aliases);
        for (node, slot, replaced) in self.modified.clone() {
            let Some((first, first_slot, first_flow)) = aliases
                .iter()
                .find(|(a, _, _)| a.defined == node.span && !self.materialised.contains(&a.span))
                .copied()
            else {
                continue;
            };
            let name = self.text[first.span.start..first.span.end]
                .trim_start_matches('*')
                .to_owned();
            let mut path = Vec::new();
            self.replace_node(
                first,
                Some(node),
                None,
                &mut path,
                first_slot,
                first_flow,
                Some(&name),
            )?;
            if !replaced {
                self.remove_anchor(node, &name, slot)?;
            }
        }
        Ok(())
    }

    /// Every alias of the document in order, with how it is held and whether it is in flow context.
    fn collect_aliases(
        &self,
        node: &'a Node,
        slot: Slot<'a>,
        flow: bool,
        out: &mut Vec<(&'a Node, Slot<'a>, bool)>,
    ) {
        if node.is_alias() {
            out.push((node, slot, flow));
            return;
        }
        let flow = flow || self.is_flow_collection(node);
        match &node.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    self.collect_aliases(v, Slot::MapValue { key: k, flow }, flow, out);
                }
            }
            Value::Seq(items) => items
                .iter()
                .for_each(|v| self.collect_aliases(v, Slot::SeqItem, flow, out)),
            _ => {}
        }
    }

    /// Removes `&name` written before `node`.
    fn remove_anchor(&mut self, node: &Node, name: &str, slot: Slot<'a>) -> Result<(), String> {
        let lower = match slot {
            Slot::MapValue { key, .. } => self.colon_after(key)? + 1,
            _ => self.line_start(self.line_start(node.span.start).saturating_sub(1)),
        };
        let before = &self.text[lower..node.span.start];
        let token = format!("&{name}");
        let found = before.rmatch_indices(&token).find(|(i, _)| {
            let after = &before[i + token.len()..];
            after.starts_with([' ', '\t', '\n', '\r']) || after.is_empty()
        });
        let Some((i, _)) = found else {
            return Err(format!("アンカー「&{name}」の場所が見つかりません"));
        };
        let mut start = lower + i;
        if self.text[..start].ends_with(' ') {
            start -= 1;
        }
        self.splices
            .push((start, lower + i + token.len(), String::new()));
        Ok(())
    }

    /// Inserts `key` with the emission of `pend` into the mapping `map`.
    fn insert_key(
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

    /// Renders `src` (an existing node, or nothing) with `pend` applied.
    fn emit(
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

    // ---- reading the source text ----

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The column (bytes from the line start) of a position.
    fn column(&self, at: usize) -> usize {
        at - self.line_start(at)
    }

    /// The line break of the source (`\r\n` for a file written so, `\n` otherwise).
    fn nl(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The end of the line holding `at`: the position of its `\r\n` or `\n`, or the text's end.
    fn eol(&self, at: usize) -> usize {
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
    fn rest_of_line(&self, at: usize) -> (usize, &'a str) {
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

    fn colon_after(&self, key: &Node) -> Result<usize, String> {
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

    fn is_flow_collection(&self, node: &Node) -> bool {
        matches!(node.value, Value::Map(_) | Value::Seq(_))
            && !node.is_alias()
            && matches!(
                self.text.as_bytes().get(node.span.start),
                Some(b'{') | Some(b'[')
            )
    }

    /// A scalar whose span covers exactly its text (plain or quoted, not a block scalar).
    fn is_scalar_text(&self, node: &Node) -> bool {
        !matches!(node.value, Value::Map(_) | Value::Seq(_))
            && node.span.end > node.span.start
            && !matches!(
                self.text.as_bytes().get(node.span.start),
                Some(b'|') | Some(b'>')
            )
    }

    /// Where the value of `key` ends in the text (exclusive).
    fn value_end(&self, key: &Node, value: &Node, flow: bool) -> Result<usize, String> {
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
    fn match_bracket(&self, open: usize) -> Result<usize, String> {
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

fn key_rank(order: KeyOrder, parent: &[Seg], key: &str) -> Option<usize> {
    // Years (numbers) are ordered by value; other keys by the caller's order.
    match key.parse::<i64>() {
        Ok(n) if (0..100_000).contains(&n) => Some(n as usize),
        _ => order(parent, key),
    }
}

/// The non-alias node written at `span` (the definition an alias refers to).
fn find_def(root: &Node, span: SrcSpan) -> Option<&Node> {
    if !root.is_alias() && root.span == span {
        return Some(root);
    }
    if root.is_alias() {
        return None;
    }
    match &root.value {
        Value::Map(entries) => entries.iter().find_map(|(_, v)| find_def(v, span)),
        Value::Seq(items) => items.iter().find_map(|v| find_def(v, span)),
        _ => None,
    }
}

// ---- emitting values ----

fn emit_key(key: &str) -> String {
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

// ---- checking the result ----

/// A YAML value without spans, for comparing documents.
#[derive(Clone, Debug, PartialEq)]
enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
    Seq(Vec<Plain>),
    Map(Vec<(String, Plain)>),
}

impl Plain {
    fn of(node: &Node) -> Plain {
        match &node.value {
            Value::Null => Plain::Null,
            Value::Bool(b) => Plain::Bool(*b),
            Value::Int(i) => Plain::Int(*i),
            Value::Float(f) => Plain::Float(f.to_bits()),
            Value::Str(s) => Plain::Str(s.clone()),
            Value::Seq(items) => Plain::Seq(items.iter().map(Plain::of).collect()),
            Value::Map(entries) => {
                let mut m: Vec<(String, Plain)> = entries
                    .iter()
                    .map(|(k, v)| (k.key_text(), Plain::of(v)))
                    .collect();
                m.sort_by(|a, b| a.0.cmp(&b.0));
                Plain::Map(m)
            }
        }
    }

    fn of_new(v: &NewValue) -> Plain {
        match v {
            NewValue::Str(s) => Plain::Str(s.clone()),
            NewValue::List(items) => {
                Plain::Seq(items.iter().map(|s| Plain::Str(s.clone())).collect())
            }
            NewValue::Int(i) => Plain::Int(*i),
            NewValue::Float(f) => Plain::Float(f.to_bits()),
        }
    }

    fn set(&mut self, path: &[Seg], value: Plain) -> Result<(), String> {
        let Some((first, rest)) = path.split_first() else {
            *self = value;
            return Ok(());
        };
        if matches!(self, Plain::Null) {
            *self = Plain::Map(Vec::new());
        }
        match (self, first) {
            (Plain::Map(m), Seg::Key(k)) => {
                let idx = match m.iter().position(|(key, _)| key == k) {
                    Some(i) => i,
                    None => {
                        m.push((k.clone(), Plain::Null));
                        m.sort_by(|a, b| a.0.cmp(&b.0));
                        m.iter()
                            .position(|(key, _)| key == k)
                            .expect("just inserted")
                    }
                };
                m[idx].1.set(rest, value)
            }
            (Plain::Seq(items), Seg::Index(i)) => items
                .get_mut(*i)
                .ok_or("リストの要素がありません")?
                .set(rest, value),
            _ => Err("変更先の形が合いません".into()),
        }
    }
}

/// Parses the new text and checks that it equals the old document with exactly the changes.
fn verify(old_root: &Node, new_text: &str, changes: &[Change]) -> Result<(), String> {
    let new_root = yaml_tree::parse(new_text).map_err(|e| {
        format!(
            "書き換えた YAML が読めなくなるため中止しました (内部エラー: {})",
            e.message
        )
    })?;
    let mut expected = Plain::of(old_root);
    for c in changes {
        expected.set(&c.path, Plain::of_new(&c.value))?;
    }
    let got = Plain::of(&new_root);
    if got != expected {
        let place = first_difference(&expected, &got, &mut Vec::new()).unwrap_or_default();
        return Err(format!(
            "書き換えると意図しない値まで変わるため中止しました (内部エラー: {place})"
        ));
    }
    Ok(())
}

fn first_difference(a: &Plain, b: &Plain, path: &mut Vec<String>) -> Option<String> {
    match (a, b) {
        (Plain::Map(x), Plain::Map(y)) => {
            for (k, v) in x {
                path.push(k.clone());
                let d = match y.iter().find(|(k2, _)| k2 == k) {
                    Some((_, w)) => first_difference(v, w, path),
                    None => Some(path.join(".")),
                };
                path.pop();
                if d.is_some() {
                    return d;
                }
            }
            (x.len() != y.len()).then(|| path.join("."))
        }
        (Plain::Seq(x), Plain::Seq(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (v, w))| {
                path.push(format!("[{i}]"));
                let d = first_difference(v, w, path);
                path.pop();
                d
            })
        }
        _ => (a != b).then(|| path.join(".")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(_: &[Seg], key: &str) -> Option<usize> {
        [
            "取組目標",
            "活動",
            "実績",
            "自己評価",
            "評価理由",
            "次年度以降",
            "方向性・課題",
            "説明",
            "目標",
        ]
        .iter()
        .position(|k| *k == key)
    }

    fn edit(text: &str, changes: &[(&[&str], NewValue)]) -> String {
        let root = yaml_tree::parse(text).unwrap();
        let changes: Vec<Change> = changes
            .iter()
            .map(|(p, v)| Change {
                path: p
                    .iter()
                    .map(|s| match s.strip_prefix('#') {
                        Some(i) => Seg::Index(i.parse().unwrap()),
                        None => Seg::key(*s),
                    })
                    .collect(),
                value: v.clone(),
            })
            .collect();
        apply(text, &root, &changes, &order)
            .unwrap_or_else(|e| panic!("{e}\n{}", dbg_apply(text, &root, &changes)))
    }

    fn s(v: &str) -> NewValue {
        NewValue::Str(v.into())
    }

    #[test]
    fn replaces_a_plain_scalar_keeping_comments() {
        let t = "# head\na:\n  b: old # note\n\n  c: 1\n";
        assert_eq!(
            edit(t, &[(&["a", "b"], s("新しい"))]),
            "# head\na:\n  b: 新しい # note\n\n  c: 1\n"
        );
    }

    #[test]
    fn replaces_quoted_and_block_scalars() {
        let t = "a: \"\"\nb: >-\n  long\n  text\nc: x\n";
        let out = edit(t, &[(&["a"], s("3-2")), (&["b"], s("one\ntwo"))]);
        assert_eq!(out, "a: \"3-2\"\nb: |-\n  one\n  two\nc: x\n");
    }

    #[test]
    fn replaces_a_list_by_a_paragraph_and_back() {
        let t = "years:\n  r:\n    - a\n    - b\n  # keep\n  s: t\n";
        let out = edit(
            t,
            &[
                (&["years", "r"], s("p")),
                (
                    &["years", "s"],
                    NewValue::List(vec!["x".into(), "y: z".into()]),
                ),
            ],
        );
        assert_eq!(
            out,
            "years:\n  r: p\n  # keep\n  s:\n    - x\n    - \"y: z\"\n"
        );
    }

    #[test]
    fn inserts_keys_in_order_in_block_mappings() {
        let t = "2022:\n  取組目標: g\n  活動: a\n  方向性・課題: d\n";
        let out = edit(
            t,
            &[(&["2022", "実績"], s("r")), (&["2022", "評価理由"], s("q"))],
        );
        assert_eq!(
            out,
            "2022:\n  取組目標: g\n  活動: a\n  実績: r\n  評価理由: q\n  方向性・課題: d\n"
        );
        let out = edit(t, &[(&["2022", "zz"], s("end"))]);
        assert_eq!(
            out,
            "2022:\n  取組目標: g\n  活動: a\n  方向性・課題: d\n  zz: end\n"
        );
    }

    #[test]
    fn inserts_into_flow_mappings() {
        let t = "m: {取組目標: *x, 活動: b}\ne: {}\nf: {2021: 37}\n";
        let t = format!("x: &x g\n{t}");
        let out = edit(
            &t,
            &[
                (&["m", "実績"], s("a, b")),
                (&["e", "2022"], NewValue::Int(1200)),
                (&["f", "2022"], NewValue::Float(2.5)),
            ],
        );
        assert_eq!(
            out,
            "x: &x g\nm: {取組目標: *x, 活動: b, 実績: \"a, b\"}\ne: {2022: 1200}\nf: {2021: 37, 2022: 2.5}\n"
        );
    }

    #[test]
    fn a_flow_mapping_getting_multi_line_text_becomes_a_block() {
        let t = "g: &g x\nyears:\n  2022: &p {取組目標: *g, 活動: \"a\"} # c\n  2023: *p\n";
        let out = edit(t, &[(&["years", "2022", "実績"], s("one\ntwo"))]);
        assert_eq!(
            out,
            "g: &g x\nyears:\n  2022: # c\n    取組目標: *g\n    活動: a\n    実績: |-\n      one\n      two\n  2023: &p\n    取組目標: *g\n    活動: a\n"
        );
        // Inside a flow context it stays flow.
        let t = "m: {k: {活動: a}}\n";
        let out = edit(
            t,
            &[(&["m", "k", "実績"], NewValue::List(vec!["p".into()]))],
        );
        assert_eq!(out, "m: {k: {活動: a, 実績: [p]}}\n");
    }

    #[test]
    fn materialises_an_alias_for_one_year_only() {
        let t = "years:\n  2022: &p\n    取組目標: g\n    活動: a\n  2023: *p\n  2024: *p\n";
        let out = edit(t, &[(&["years", "2023", "実績"], s("done"))]);
        assert_eq!(
            out,
            "years:\n  2022: &p\n    取組目標: g\n    活動: a\n  2023:\n    取組目標: g\n    活動: a\n    実績: done\n  2024: *p\n"
        );
    }

    #[test]
    fn changing_an_anchored_year_moves_the_anchor_to_the_next_alias() {
        let t = "years:\n  2022: &p\n    取組目標: g\n  2023: *p\n  2024: *p\n";
        let out = edit(t, &[(&["years", "2022", "実績"], s("r"))]);
        assert_eq!(
            out,
            "years:\n  2022:\n    取組目標: g\n    実績: r\n  2023: &p\n    取組目標: g\n  2024: *p\n"
        );
        let t = "a: &x old\nb: *x\nc: *x\n";
        let out = edit(t, &[(&["a"], s("new"))]);
        assert_eq!(out, "a: new\nb: &x old\nc: *x\n");
    }

    #[test]
    fn keeps_inner_aliases_when_copying() {
        let t = "g: &g [a, b]\nyears:\n  2022: &p {取組目標: *g, 活動: x}\n  2023: *p\n";
        let out = edit(t, &[(&["years", "2023", "自己評価"], s("A"))]);
        assert_eq!(
            out,
            "g: &g [a, b]\nyears:\n  2022: &p {取組目標: *g, 活動: x}\n  2023:\n    取組目標: *g\n    活動: x\n    自己評価: A\n"
        );
    }

    #[test]
    fn creates_missing_intermediate_mappings() {
        let t = "ini:\n  - 番号: \"1\"\n    年度別:\n      2021:\n        活動: a\n";
        let out = edit(
            t,
            &[
                (&["ini", "#0", "年度別", "2022", "実績"], s("r")),
                (&["ini", "#0", "年度別", "2022", "自己評価"], s("B")),
            ],
        );
        assert_eq!(
            out,
            "ini:\n  - 番号: \"1\"\n    年度別:\n      2021:\n        活動: a\n      2022:\n        実績: r\n        自己評価: B\n"
        );
    }

    #[test]
    fn fills_a_null_value() {
        let t = "a:\n  b:\n  c: 1\n";
        let out = edit(t, &[(&["a", "b", "2022"], NewValue::Int(5))]);
        assert_eq!(out, "a:\n  b:\n    2022: 5\n  c: 1\n");
    }

    #[test]
    fn keeps_crlf_line_ends() {
        let t = "a:\r\n  b: x # c\r\n  l:\r\n    - 1\r\n  e: {}\r\nz: 1\r\n";
        let out = edit(
            t,
            &[
                (&["a", "b"], s("yy")),
                (&["a", "l"], s("p\nq")),
                (&["a", "m"], s("new")),
                (&["a", "e", "2022"], NewValue::Int(3)),
            ],
        );
        assert_eq!(
            out,
            "a:\r\n  b: yy # c\r\n  l: |-\r\n    p\r\n    q\r\n  e: {2022: 3}\r\n  m: new\r\nz: 1\r\n"
        );
    }

    #[test]
    fn handles_quoted_keys_document_markers_comments_and_no_final_newline() {
        let t = "---\n\"a\": old\n'b': x # keep\nc: # note\n  - 1\n  - 2\nd: |\n  last";
        let out = edit(
            t,
            &[
                (&["a"], s("new")),
                (&["b"], s("yy")),
                (&["c"], s("z")),
                (&["d"], s("end")),
                (&["e"], s("added")),
            ],
        );
        assert_eq!(
            out,
            "---\n\"a\": new\n'b': yy # keep\nc: z # note\nd: end\ne: added"
        );
        let out = edit(
            "c: # note\n  - 1\nd: 2\n",
            &[(&["c"], NewValue::List(vec!["x".into()]))],
        );
        assert_eq!(out, "c: # note\n  - x\nd: 2\n");
    }

    #[test]
    fn quotes_what_would_read_back_differently() {
        for v in [
            "", " x", "true", "No", "123", "-1", "3-2-1", "a: b", "a #b", "#c", "[x]", "*a", "&a",
            "~", "x\ty", "'q'", "@x", "%x",
        ] {
            assert!(!plain_safe(v, false), "{v:?}");
            let text = format!(
                "k: {}\n",
                if plain_safe(v, false) {
                    v.to_owned()
                } else {
                    double_quoted(v)
                }
            );
            let root = yaml_tree::parse(&text).unwrap();
            assert_eq!(root.get("k").and_then(|n| n.as_str()), Some(v), "{text}");
        }
        for v in [
            "計画どおり",
            "A",
            "市民参加手法の活用",
            "令和4年度に実施",
            "a-b",
            "x:y",
        ] {
            assert!(plain_safe(v, false), "{v:?}");
        }
    }

    #[test]
    fn multi_line_text_round_trips() {
        for v in ["a\nb", "a\n\nb\n", " lead\nx", "a\tb\nc", "x\n\n"] {
            let t = "k: old\n";
            let out = edit(t, &[(&["k"], s(v))]);
            let root = yaml_tree::parse(&out).unwrap();
            assert_eq!(root.get("k").and_then(|n| n.as_str()), Some(v), "{out}");
        }
    }

    #[test]
    fn edits_the_reference_sheet_touching_only_the_changed_lines() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sheets/3-2.yaml");
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let out = edit(
            &text,
            &[
                (
                    &["取組内容", "#0", "年度別", "2023", "実績"],
                    s("調査を実施"),
                ),
                (
                    &["取組内容", "#0", "年度別", "2021", "実績"],
                    s("一行目\n二行目"),
                ),
                (&["取組内容", "#1", "年度別", "2022", "実績"], s("複数\n行")),
                (
                    &["取組内容", "#1", "指標", "実績", "2022"],
                    NewValue::Int(40),
                ),
                (
                    &["取組内容", "#1", "年度別", "2021", "評価理由"],
                    s("一つに"),
                ),
                (&["取組内容", "#3", "年度別", "2022", "自己評価"], s("B")),
            ],
        );
        let old: Vec<&str> = text.lines().collect();
        let new: Vec<&str> = out.lines().collect();
        // 3-2-1 2023 gains 3 lines for the copied mapping; 2021 実績 two more lines; 3-2-2 loses
        // two bullet lines and its 2022 flow mapping becomes 6 block lines; 3-2-4 gains one.
        assert_eq!(new.len(), old.len() + 3 + 2 - 2 + 5 + 1, "{out}");
        assert!(
            out.contains(
                "      2023:\n        取組目標: 市民参加手法の活用により協働意識を高める\n"
            ),
            "{out}"
        );
        assert!(out.contains("      2024: *p321\n"));
        assert!(
            out.contains("        実績: |-\n          一行目\n          二行目\n"),
            "{out}"
        );
        assert!(out.contains("      2022:\n        取組目標: *p322\n        活動: 市民活動サポートセンターのあり方の検討\n        実績: |-\n          複数\n          行\n      2023: {"), "{out}");
        assert!(out.contains("      実績: {2021: 37, 2022: 40}"), "{out}");
        assert!(
            out.contains("        自己評価: B\n        方向性・課題: 令和5年9月"),
            "{out}"
        );
        assert!(out.starts_with("# 進行管理シート 3-2"));
    }

    #[test]
    fn every_input_place_of_the_reference_sheet_can_be_set() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sheets/3-2.yaml");
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let root = yaml_tree::parse(&text).unwrap();
        let values = [
            s("一行"),
            s("複数行の\n文章: 記号 # も"),
            NewValue::List(vec!["・a".into(), "b, c".into()]),
            NewValue::Int(1200),
            NewValue::Float(2.5),
        ];
        let mut all = Vec::new();
        for ini in 0..4 {
            for year in 2021..=2025 {
                let y = year.to_string();
                let paths: Vec<Vec<Seg>> = vec![
                    vec![Seg::key("効果額"), Seg::key("実績"), Seg::key(y.clone())],
                    vec![Seg::key("指標"), Seg::key("実績"), Seg::key(y.clone())],
                    vec![Seg::key("年度別"), Seg::key(y.clone()), Seg::key("実績")],
                    vec![
                        Seg::key("年度別"),
                        Seg::key(y.clone()),
                        Seg::key("評価理由"),
                    ],
                    vec![
                        Seg::key("年度別"),
                        Seg::key(y.clone()),
                        Seg::key("自己評価"),
                    ],
                ];
                for (n, p) in paths.into_iter().enumerate() {
                    let mut full = vec![Seg::key("取組内容"), Seg::Index(ini)];
                    full.extend(p);
                    for v in &values {
                        let c = Change {
                            path: full.clone(),
                            value: v.clone(),
                        };
                        let out = apply(&text, &root, std::slice::from_ref(&c), &order);
                        assert!(out.is_ok(), "{:?}: {}", c, out.unwrap_err());
                    }
                    all.push(Change {
                        path: full,
                        value: values[(ini + year as usize + n) % values.len()].clone(),
                    });
                }
            }
        }
        // All at once.
        let out = apply(&text, &root, &all, &order)
            .unwrap_or_else(|e| panic!("{e}\n{}", dbg_apply(&text, &root, &all)));
        assert!(out.starts_with("# 進行管理シート 3-2"));
        assert!(out.contains("      実績: {2021: \"複数行の\\n文章: 記号 # も\", 2022: [・a, \"b, c\"], 2023: 1200, 2024: 2.5, 2025: 一行}\n"), "{out}");
        assert!(out.contains("      2025: {取組目標: *p322, 活動: 市民活動サポートセンターのあり方の検討, 実績: 1200, 自己評価: 一行, 評価理由: 2.5}\n"), "{out}");
    }

    #[test]
    fn refuses_a_change_it_cannot_place() {
        let t = "a: text\n";
        let root = yaml_tree::parse(t).unwrap();
        let change = Change {
            path: vec![Seg::key("a"), Seg::key("b")],
            value: s("x"),
        };
        let err = apply(t, &root, &[change], &order).unwrap_err();
        assert!(err.contains("その下に値を書けません"), "{err}");
    }

    /// The splices and the text before the check, for a failing test's message.
    fn dbg_apply(text: &str, root: &Node, changes: &[Change]) -> String {
        let mut pending = Pending::Map(Vec::new());
        for c in changes {
            pending.insert(&c.path, c.value.clone()).unwrap();
        }
        let mut ed = Editor {
            text,
            root,
            order: &order,
            splices: Vec::new(),
            modified: Vec::new(),
            materialised: Vec::new(),
        };
        ed.walk(root, &pending, &mut Vec::new(), Slot::Root, false)
            .unwrap();
        ed.keep_aliases_of_changed_anchors().unwrap();
        let s = format!("{:?}", ed.splices);
        format!("{s}\n{}", ed.finish().unwrap())
    }
}
