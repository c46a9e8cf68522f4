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
//!
//! The module is split by concern: this file holds the public API, the tree of pending changes
//! and the walk that decides what to do at each node; `splice` replaces and inserts text,
//! `locate` finds positions in the source (line ends, colons, where a value ends), `emit` writes
//! values (plain, quoted, block), `anchors` keeps anchors and aliases meaning what they meant,
//! and `verify` is the re-parse-and-compare safety net.

mod anchors;
mod emit;
mod locate;
mod splice;
#[cfg(test)]
mod tests;
mod verify;

pub use emit::{double_quoted, plain_safe};

use crate::yaml_tree::{Node, SrcSpan, Value};

use anchors::find_def;
use verify::verify;

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
}

fn key_rank(order: KeyOrder, parent: &[Seg], key: &str) -> Option<usize> {
    // Years (numbers) are ordered by value; other keys by the caller's order.
    match key.parse::<i64>() {
        Ok(n) if (0..100_000).contains(&n) => Some(n as usize),
        _ => order(parent, key),
    }
}
