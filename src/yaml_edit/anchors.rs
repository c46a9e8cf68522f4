//! Anchors and aliases: a changed anchored node must not change what its aliases mean.

use super::{Editor, Slot};
use crate::yaml_tree::{Node, SrcSpan, Value};

impl<'a> Editor<'a> {
    /// A changed node that carries an anchor would change every alias of it. The first alias
    /// not already replaced takes the anchor and an explicit copy of the old value; the changed
    /// node loses its anchor; the later aliases keep pointing at the old value.
    pub(super) fn keep_aliases_of_changed_anchors(&mut self) -> Result<(), String> {
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
}

/// The non-alias node written at `span` (the definition an alias refers to).
pub(super) fn find_def(root: &Node, span: SrcSpan) -> Option<&Node> {
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
