//! Reading committee members' workbooks (評価用ブック) back into the items' 外部評価意見.
//!
//! The books are read by the department reader (`workbook::read_raw`, bounded, through defined
//! names) and checked like department books: nothing is written on any error; a book of
//! another plan or year, of a member not in plan.yaml, two books of one member that disagree,
//! a bad grade are refused.
//!
//! A member's grade and opinion under a year are written only by that member's book, so a
//! corrected book the member sends again must replace what their first book wrote, while a
//! hand edit by the secretariat after the import must not be overwritten. Each import
//! records, per (item, year, member, field), the fingerprint of the value it wrote, in
//! `{sheets}/.shinko.committee-imports.tsv` (written in the same batch as the YAML). A cell
//! that differs from the value its book was made with is accepted when the YAML still holds
//! the value the book was made from, or the value the member's earlier book wrote (the
//! recorded fingerprint): a corrected re-sent book. Otherwise the YAML was changed by someone
//! else: after an import (recorded value differs) it is a conflict, without a record the book
//! is stale (made from other values).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::workbook::{self, Cell, RawBook};
use super::{shorten, value, written_keys, yaml_place};
use crate::collect::{FieldValue, format_number};
use crate::committee::{self, Field, META_MAGIC, META_MEMBER};
use crate::diag::{Diagnostic, Diagnostics, Place};
use crate::load::{self, SheetSet};
use crate::model::Plan;
use crate::validate;
use crate::yaml_edit::{self, Change};

/// The record of what committee imports wrote, in the sheets folder.
pub const LOG_FILE: &str = ".shinko.committee-imports.tsv";

/// (item, year, member, field code) → fingerprint of the value an import wrote.
pub type Log = BTreeMap<(String, i32, String, String), String>;

/// Reads a member's workbook.
pub fn read(path: &Path) -> Result<RawBook, String> {
    let name = workbook::display_name(path);
    workbook::read_raw(path, META_MAGIC, META_MEMBER).map_err(|super::xlsx::Refused(m)| format!("{name}: {m}"))
}

pub fn log_path(sheets: &Path) -> PathBuf {
    sheets.join(LOG_FILE)
}

/// Reads the record (absent: empty). Lines that do not parse are ignored.
pub fn read_log(sheets: &Path) -> Result<Log, Diagnostic> {
    let path = log_path(sheets);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Log::new()),
        Err(e) => return Err(Diagnostic::file(&path, format!("{} を読めません: {}", path.display(), crate::diag::io_reason(&e)))),
    };
    let mut log = Log::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        if let [item, year, member, code, fp] = f[..]
            && let Ok(y) = year.parse()
        {
            log.insert((item.into(), y, member.into(), code.into()), fp.into());
        }
    }
    Ok(log)
}

/// The record as written: a comment line, then one sorted line per field.
pub fn log_text(log: &Log) -> String {
    let mut s = String::from("# shinko import が外部評価委員のブックから書き込んだ値の指紋です。消したり書き換えたりしないでください。\n");
    for ((item, year, member, code), fp) in log {
        s.push_str(&format!("{item}\t{year}\t{member}\t{code}\t{fp}\n"));
    }
    s
}

/// The new text of one YAML file, with a line per change for the report.
pub struct Edit {
    pub path: PathBuf,
    pub lines: Vec<String>,
    pub text: String,
}

fn place(b: &RawBook, i: &workbook::RawInput, field: Option<Field>) -> Place {
    Place::Cell {
        book: b.path.clone(),
        sheet: i.sheet.clone(),
        cell: i.cell.clone(),
        what: format!("{} / {} / {}", i.item, i.year, match field {
            Some(f) => f.key().to_owned(),
            None => i.code.clone(),
        }),
    }
}

/// A cell's value as the field's canonical value (None: empty).
fn read_cell(cell: &Cell, field: Field, plan: &Plan) -> Result<Option<FieldValue>, String> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Other(what) => return Err(format!("{what} は入力できません")),
        Cell::Uncached => return Err("数式の計算結果がブックに保存されていません。値を直接入力してください".into()),
        Cell::Number(n) => format_number(*n),
        Cell::Percent(n) => format!("{}%", format_number(value::percent_of(*n))),
        Cell::Text(s) => value::clean_text(s),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    match field {
        Field::Grade => value::parse_grade(&text, &plan.external, &plan.external.grades.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>()).map(|g| Some(FieldValue::Grade(g))).ok_or_else(|| {
            format!("評価「{}」は {} にありません (使える値: {})", text.trim(), crate::schema::word::EXTERNAL, plan.external.listing())
        }),
        Field::Opinion => Ok(Some(FieldValue::Text(value::text_value(&text)))),
    }
}

/// Checks every member book and computes the new YAML texts and the new record. Any error
/// means no edit.
pub fn prepare(set: &SheetSet, books: &[RawBook], year: Option<i32>, log: &Log) -> Result<(Vec<Edit>, Log), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(plan) = &set.plan else {
        return Err(vec![Diagnostic::run("plan.yaml を読めませんでした")]);
    };
    let mut years: Vec<i32> = books.iter().map(|b| b.year).collect();
    years.sort();
    years.dedup();
    let run_year = year.or_else(|| (years.len() == 1).then(|| years[0]));
    for b in books {
        if b.plan != plan.name {
            errors.push(Diagnostic::file(&b.path, format!("別の計画の評価用ブックです (ブックの計画名「{}」、plan.yaml の計画名「{}」)", b.plan, plan.name)));
        }
        if run_year != Some(b.year) {
            errors.push(Diagnostic::file(&b.path, format!("{} 年度の評価用ブックです。年度の違うブックは一度に取り込めません (含まれる年度: {})", b.year,
                years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("、"))));
        }
        if plan.member(&b.owner).is_none() {
            let known: Vec<&str> = plan.members.iter().map(|m| m.name.value.as_str()).collect();
            errors.push(Diagnostic::file(&b.path, format!("委員「{}」の評価用ブックですが、plan.yaml の {} にいません", b.owner, crate::schema::word::MEMBERS))
                .note(format!("委員: {}", known.join("、"))));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Each cell's value, by (item, year, member, field).
    type Key = (String, i32, String, Field);
    let mut proposals: BTreeMap<Key, Vec<(&RawBook, &workbook::RawInput, FieldValue)>> = BTreeMap::new();
    for b in books {
        for i in &b.inputs {
            let Some(field) = Field::from_code(&i.code) else {
                errors.push(Diagnostic::at(place(b, i, None), "評価用ブックの欄を読めません。評価用ブックを作り直してください。"));
                continue;
            };
            let v = match read_cell(&i.value, field, plan) {
                Err(msg) => {
                    errors.push(Diagnostic::at(place(b, i, Some(field)), msg));
                    continue;
                }
                Ok(None) => continue,
                Ok(Some(v)) => v,
            };
            if v.fingerprint() == i.fingerprint {
                continue; // left as the book was made
            }
            if set.item(&i.item).is_none() {
                errors.push(Diagnostic::at(place(b, i, Some(field)), format!("項目「{}」が現在のシートにありません (評価用ブックを作った後に削除されたか、番号が変わりました)", i.item)));
                continue;
            }
            proposals.entry((i.item.clone(), i.year, b.owner.clone(), field)).or_default().push((b, i, v));
        }
    }

    let mut new_log = log.clone();
    let mut per_file: BTreeMap<usize, (Vec<Change>, Vec<String>, Vec<(String, i32, String, Field, FieldValue)>)> = BTreeMap::new();
    for ((item, year, member, field), ps) in &proposals {
        let (b, i, v) = &ps[0];
        if ps.iter().any(|(_, _, o)| o.canonical() != v.canonical()) {
            let mut d = Diagnostic::at(place(b, i, Some(*field)), format!("委員「{member}」の 2 つのブックが同じ欄に違う値を書いています"));
            for (b2, i2, v2) in ps {
                d.notes.push(format!("{}: {}", place(b2, i2, Some(*field)).text(&[]), shorten(&v2.display())));
            }
            errors.push(d);
            continue;
        }
        let Some(f) = set.item(item) else { continue };
        let current = committee::value_of(&f.item, *year, member, *field);
        let log_key = (item.clone(), *year, member.clone(), field.code().to_owned());
        if current.canonical() == v.canonical() {
            continue; // already so (imported before)
        }
        let path = written_keys(&f.root, field.path(*year, member));
        let made_from_current = ps.iter().any(|(_, i, _)| i.fingerprint == current.fingerprint());
        let recorded = log.get(&log_key);
        if !made_from_current && recorded != Some(&current.fingerprint()) {
            let at = yaml_place(set, f.file, &f.root, &path);
            let (message, note) = match recorded {
                Some(_) => (
                    format!("委員のブックを取り込んだ後に、YAML のこの欄が書き換えられています (YAML: {at}、現在の値 {}、ブックの値 {})", shorten(&current.display()), shorten(&v.display())),
                    "事務局の書き換えを残すなら、このブックは取り込まないでください。ブックの値にするなら、YAML のこの欄を消してから取り込んでください。",
                ),
                None => (
                    format!("評価用ブックを作った後に、YAML のこの欄が変わっています (YAML: {at}、現在の値 {}、ブックの値 {})", shorten(&current.display()), shorten(&v.display())),
                    "YAML を確かめ、必要なら評価用ブックを作り直してください。",
                ),
            };
            errors.push(Diagnostic::at(place(b, i, Some(*field)), message).note(note));
            continue;
        }
        let Some(new) = value::new_value(v) else { continue };
        new_log.insert(log_key, v.fingerprint());
        let e = per_file.entry(f.file).or_default();
        e.0.push(Change { path, value: new });
        e.1.push(format!("{item} / {year} / {member} / {}: {} → {}", field.key(), shorten(&current.display()), shorten(&v.display())));
        e.2.push((item.clone(), *year, member.clone(), *field, v.clone()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut edits = Vec::new();
    for (file, (changes, lines, expect)) in per_file {
        let item_file = set.items.iter().find(|it| it.file == file).expect("item of the file");
        let src = &set.files[file];
        // New members' entries go in plan.yaml's order of 外部評価委員.
        let order = |parent: &[crate::yaml_edit::Seg], key: &str| {
            crate::schema::order_at(parent, key).or_else(|| {
                matches!(parent.last(), Some(crate::yaml_edit::Seg::Key(k)) if k == crate::schema::word::OPINIONS)
                    .then(|| plan.members.iter().position(|m| m.name.value == key))
                    .flatten()
            })
        };
        let text = match yaml_edit::apply(&src.text, &item_file.root, &changes, &order) {
            Ok(t) => t,
            Err(e) => {
                errors.push(Diagnostic::file(&src.path, e));
                continue;
            }
        };
        if let Err(e) = recheck(set, file, &text, &expect) {
            errors.push(Diagnostic::file(&src.path, e));
            continue;
        }
        edits.push(Edit { path: src.path.clone(), lines, text });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((edits, new_log))
}

/// Loads the edited text with the plan: no problems, and it holds the new values.
fn recheck(set: &SheetSet, file: usize, text: &str, expect: &[(String, i32, String, Field, FieldValue)]) -> Result<(), String> {
    let mut inputs = Vec::new();
    if let Some(p) = set.plan_file {
        inputs.push((set.files[p].path.clone(), set.files[p].text.clone().into_bytes()));
    }
    inputs.push((set.files[file].path.clone(), text.as_bytes().to_vec()));
    let mut diags = Diagnostics::default();
    let new_set = load::load_files(inputs, &mut diags);
    validate::validate(&new_set, &mut diags);
    if let Some(d) = diags.list.iter().find(|d| d.severity == crate::diag::Severity::Error) {
        return Err(format!("書き換えた YAML に誤りが出るため中止しました: {}", d.message));
    }
    let item = &new_set.items.first().ok_or("書き換えた YAML を読めません (内部エラー)")?.item;
    for (_, year, member, field, v) in expect {
        if committee::value_of(item, *year, member, *field).canonical() != v.canonical() {
            return Err(format!("書き換えた YAML の値が意図と違うため中止しました (内部エラー: {member} / {})", field.key()));
        }
    }
    Ok(())
}
