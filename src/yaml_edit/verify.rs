//! The safety net: the new text is parsed again and compared with the old document plus the
//! intended changes.

use super::{Change, NewValue, Seg};
use crate::yaml_tree::{self, Node, Value};

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
pub(super) fn verify(old_root: &Node, new_text: &str, changes: &[Change]) -> Result<(), String> {
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
