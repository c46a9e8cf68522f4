//! Reading filled department workbooks back into the YAML sheets.
//!
//! Every workbook is read (`workbook`), every input checked (`value`), and all of them are
//! compared with each other and with the current YAML before anything is written:
//!
//! * an empty cell, or a cell still holding the value the workbook was made with (same
//!   fingerprint), changes nothing; nor does a value this book already imported (`log`);
//! * a corrected book (the same book sent again) replaces the values it imported before, as
//!   long as the YAML still holds them (the import log says which book wrote what);
//! * two workbooks giving different values for one field (in one run, or a book against the
//!   value another book imported before), a workbook of another plan or year, a value that
//!   does not validate, or a field whose YAML value changed since the workbook was made or
//!   since the book's own earlier import (a hand edit) is an error, and nothing is written;
//! * the remaining changes are spliced into each YAML source in place (`yaml_edit`), and the
//!   edited text is loaded again to check that it is valid and holds exactly the new values.

pub mod committee;
pub mod log;
pub mod value;
pub mod workbook;
pub mod xlsx;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::collect::{Field, FieldValue};
use crate::diag::{Diagnostic, Diagnostics, Place};
use crate::load::{self, SheetSet};
use crate::validate;
use crate::yaml_edit::{self, Change, Seg};
use crate::yaml_tree::Node;
use log::{BookRef, ImportLog};
use workbook::{Filled, Input};
use crate::schema::word;

/// One value to change, for the recheck of the edited YAML.
#[derive(Clone, Debug)]
pub struct FieldChange {
    pub initiative: String,
    pub year: i32,
    pub field: Field,
    pub old: FieldValue,
    pub new: FieldValue,
}

impl FieldChange {
    /// `3-2-1 / 2022 / 実績: "" → "…"`.
    pub fn line(&self) -> String {
        format!(
            "{} / {} / {}: {} → {}",
            self.initiative,
            self.year,
            self.field.label(),
            shorten(&self.old.display()),
            shorten(&self.new.display())
        )
    }
}

pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…\"")
    }
}

/// A value as the preview shows it: grades with their names (`B：概ね計画どおり`), texts quoted
/// and shortened.
fn shown(plan: &crate::model::Plan, field: Field, v: &FieldValue) -> String {
    match (v, field.kind()) {
        (FieldValue::Grade(g), crate::collect::FieldKind::Grade(kind)) => plan.scale(kind).label(g),
        _ => shorten(&v.display()),
    }
}

/// `3-2-1 / 令和4年度 / 実績`: an input as the preview names it.
fn what(i: &Input) -> String {
    format!("{} / {} / {}", i.initiative, crate::era::era_label(i.year), i.field.label())
}

/// The new text of one YAML file.
#[derive(Clone, Debug)]
pub struct FileEdit {
    pub path: PathBuf,
    pub changes: Vec<FieldChange>,
    pub text: String,
}

/// What a line of the preview says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A value that changes (listed under the first book giving it).
    Change,
    /// The same change given by another book of the run too.
    SameChange,
    /// A field the book left blank while the YAML has a value: nothing changes.
    Blank,
    /// A field the book's earlier import wrote that the book now holds otherwise, kept.
    Kept,
}

/// One line of the preview: the YAML file it is about and the text.
#[derive(Clone, Debug)]
pub struct Line {
    pub yaml: PathBuf,
    pub kind: LineKind,
    pub text: String,
}

/// The preview's lines of one book, in the order of its inputs.
#[derive(Clone, Debug)]
pub struct BookLines {
    /// The book as given on the command line.
    pub path: PathBuf,
    pub book: BookRef,
    pub lines: Vec<Line>,
}

/// What an import would do: the edited files, the import log after it, and the preview.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub edits: Vec<FileEdit>,
    pub log: ImportLog,
    pub books: Vec<BookLines>,
}

impl Prepared {
    pub fn changes(&self) -> usize {
        self.edits.iter().map(|e| e.changes.len()).sum()
    }

    pub fn count(&self, kind: LineKind) -> usize {
        self.books.iter().flat_map(|b| &b.lines).filter(|l| l.kind == kind).count()
    }
}

/// A proposal of one workbook cell.
struct Proposal<'a> {
    /// The book's index in the run (and in `books`), and the input's in the book.
    book: usize,
    index: usize,
    filled: &'a Filled,
    input: &'a Input,
    value: FieldValue,
}

impl Proposal<'_> {
    fn place(&self) -> Place {
        place(self.filled, self.input)
    }
}

/// The input's cell: `book.xlsx シート「3-2-1」のセル B12 (3-2-1 / 2022 / 実績)`.
fn place(f: &Filled, i: &Input) -> Place {
    Place::Cell {
        book: f.path.clone(),
        sheet: i.sheet.clone(),
        cell: i.cell.clone(),
        what: format!("{} / {} / {}", i.initiative, i.year, i.field.label()),
    }
}

/// `YAML: sheets/3-2.yaml:98`, a note that says where the field is in the sheets.
fn yaml_note(set: &SheetSet, i: &Input) -> Option<String> {
    field_place(set, i).map(|p| format!("YAML: {p}"))
}

/// Where a field is written in the YAML (`sheets/3-2.yaml:98`), or where its year or
/// initiative is when the field is not written yet.
pub(crate) fn yaml_place(set: &SheetSet, file: usize, root: &Node, path: &[Seg]) -> String {
    let mut node = root;
    let mut line = node.span.line;
    for seg in path {
        let next = match (seg, &node.value) {
            (Seg::Key(k), _) => node.get(k),
            (Seg::Index(i), crate::yaml_tree::Value::Seq(items)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(n) => {
                node = n;
                if n.span.is_known() {
                    line = n.span.line;
                }
            }
            None => break,
        }
    }
    format!("{}:{line}", set.files[file].path.display())
}

/// The path of an input's field from the document root, with its item file.
fn field_path<'s>(set: &'s SheetSet, i: &Input) -> Option<(&'s crate::model::ItemFile, Vec<Seg>)> {
    let item_file = set.item(&i.item)?;
    let index = initiative_index(&item_file.root, &i.initiative)?;
    let mut path = vec![Seg::key(word::INITIATIVES), Seg::Index(index)];
    path.extend(i.field.path(i.year));
    Some((item_file, written_keys(&item_file.root, path)))
}

/// The path with each year key spelt as the YAML writes it (`2022`, `"2022"`, `2022年度`), so
/// an existing year is found rather than added a second time.
pub(crate) fn written_keys(root: &Node, path: Vec<Seg>) -> Vec<Seg> {
    let mut node = Some(root);
    let mut out = Vec::with_capacity(path.len());
    for seg in path {
        let seg = match (&seg, node) {
            (Seg::Key(k), Some(n))
                if n.get(k).is_none() && k.bytes().all(|b| b.is_ascii_digit()) =>
            {
                n.as_map()
                    .and_then(|m| {
                        m.iter()
                            .map(|(key, _)| key.key_text())
                            .find(|t| t.trim().trim_end_matches("年度").trim() == k)
                    })
                    .map_or(seg, Seg::Key)
            }
            _ => seg,
        };
        node = match (&seg, node) {
            (Seg::Key(k), Some(n)) => n.get(k),
            (Seg::Index(i), Some(n)) => match &n.value {
                crate::yaml_tree::Value::Seq(items) => items.get(*i),
                _ => None,
            },
            _ => None,
        };
        out.push(seg);
    }
    out
}

/// Where an input's field is (or would be) in the YAML.
fn field_place(set: &SheetSet, i: &Input) -> Option<String> {
    let (item_file, path) = field_path(set, i)?;
    Some(yaml_place(set, item_file.file, &item_file.root, &path))
}

/// The index of an initiative in its item's `取組内容` list.
fn initiative_index(root: &Node, number: &str) -> Option<usize> {
    match &root.get(word::INITIATIVES)?.value {
        crate::yaml_tree::Value::Seq(items) => items
            .iter()
            .position(|n| n.get(word::NUMBER).map(|k| k.key_text()) == Some(number.to_owned())),
        _ => None,
    }
}

/// The order of keys in the sheets (as the loader knows them), for placing a new key among
/// existing ones.
fn key_order(parent: &[Seg], key: &str) -> Option<usize> {
    crate::schema::order_at(parent, key)
}

/// Each workbook must be of this plan and of the run's year: the one asked for (`--year`) or
/// the one all workbooks share.
fn check_books(plan: &crate::model::Plan, filled: &[Filled], year: Option<i32>) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let years: Vec<i32> = {
        let mut y: Vec<i32> = filled.iter().map(|f| f.year).collect();
        y.sort();
        y.dedup();
        y
    };
    let run_year = year.or_else(|| (years.len() == 1).then(|| years[0]));
    for f in filled {
        if f.plan != plan.name {
            errors.push(Diagnostic::file(&f.path, format!(
                "別の計画の記入用ブックです (ブックの計画名「{}」、plan.yaml の計画名「{}」)",
                f.plan,
                plan.name
            )));
        }
        if f.year < plan.first_year || f.year > plan.last_year {
            errors.push(Diagnostic::file(&f.path, format!(
                "{} 年度の記入用ブックですが、計画期間は {}〜{} 年度です",
                f.year,
                plan.first_year,
                plan.last_year
            )));
        }
        match run_year {
            Some(y) if y != f.year => errors.push(Diagnostic::file(&f.path, format!(
                "{} 年度の記入用ブックです。この取り込みは {y} 年度のものです{}",
                f.year,
                if year.is_some() { " (--year の指定)" } else { "" }
            ))),
            None => errors.push(Diagnostic::file(&f.path, format!(
                "{} 年度の記入用ブックです。年度の違うブックは一度に取り込めません (含まれる年度: {})",
                f.year,
                years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("、")
            ))),
            _ => {}
        }
        for i in &f.inputs {
            if i.year != f.year {
                errors.push(Diagnostic::at(place(f, i), format!("ブックの年度 {} と入力欄の年度が違います。記入用ブックを作り直してください。", f.year)));
            }
        }
    }
    errors
}

/// The field's current value in the sheets, when its initiative still exists.
fn current_of(set: &SheetSet, i: &Input) -> Option<FieldValue> {
    let ini = set.item(&i.item)?.item.initiative(&i.initiative)?;
    Some(FieldValue::of(ini, i.year, i.field))
}

/// The YAML file of an input's item.
fn yaml_of(set: &SheetSet, i: &Input) -> PathBuf {
    set.item(&i.item).map(|f| set.files[f.file].path.clone()).unwrap_or_default()
}

/// Checks every workbook against the sheets, the import log and each other, and computes the
/// new text of every YAML file that changes and the log after the import. Errors are all
/// collected; any error means no edit.
pub fn prepare(
    set: &SheetSet,
    filled: &[Filled],
    year: Option<i32>,
    log: &ImportLog,
) -> Result<Prepared, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(plan) = &set.plan else {
        return Err(vec![Diagnostic::run("plan.yaml を読めませんでした")]);
    };
    errors.extend(check_books(plan, filled, year));
    if !errors.is_empty() {
        return Err(errors);
    }
    let books: Vec<BookRef> = filled.iter().map(Filled::book_ref).collect();
    // (book, input, line) for the preview, sorted into each book's input order at the end.
    let mut lines: Vec<(usize, usize, Line)> = Vec::new();
    let mut line = |b: usize, n: usize, i: &Input, kind: LineKind, text: String| {
        lines.push((b, n, Line { yaml: yaml_of(set, i), kind, text: format!("{}: {text}", what(i)) }));
    };

    // Read and check every input.
    let mut proposals: Vec<Proposal> = Vec::new();
    for (b, f) in filled.iter().enumerate() {
        let book = &books[b];
        for (n, input) in f.inputs.iter().enumerate() {
            let current = current_of(set, input);
            // Left blank while the YAML has a value: nothing changes, said so.
            let blank = |line: &mut dyn FnMut(usize, usize, &Input, LineKind, String)| {
                if let Some(c) = current.as_ref().filter(|c| !c.is_empty()) {
                    line(b, n, input, LineKind::Blank, format!("空欄: 変更しません (現在の値 {})", shown(plan, input.field, c)));
                }
            };
            // Left as the workbook was made, while this book's earlier import wrote something
            // else that the YAML still holds: kept (a book started again from the copy sent
            // out does not undo its own earlier import).
            let as_made = |line: &mut dyn FnMut(usize, usize, &Input, LineKind, String)| {
                if let (Some(c), Some(claimed)) = (current.as_ref(), log.claim(&book.id, &input.name))
                    && claimed != input.fingerprint
                    && claimed == c.fingerprint()
                {
                    line(b, n, input, LineKind::Kept, format!(
                        "作成時の値のまま: 前回このブックから取り込んだ値 {} を残します",
                        shown(plan, input.field, c)
                    ));
                }
            };
            if input.value == workbook::Cell::Empty {
                blank(&mut line);
                continue;
            }
            // Nothing to take (even for an initiative removed since): a cell left as the
            // workbook was made. Grades are compared by their letter, so a grade renamed in
            // plan.yaml since (the cell holds `A：旧名`) is still as made.
            let untouched = match (input.field.kind(), &input.value) {
                (crate::collect::FieldKind::Grade(kind), workbook::Cell::Text(t)) => value::grade_letter(t, plan.scale(kind))
                    .is_some_and(|g| FieldValue::Grade(g).fingerprint() == input.fingerprint),
                _ => false,
            } || matches!(value::read(&input.value, input.field, plan, "", &FieldValue::Empty),
                    Ok(Some(v)) if v.fingerprint() == input.fingerprint);
            if untouched {
                as_made(&mut line);
                continue;
            }
            let Some(item_file) = set.item(&input.item) else {
                errors.push(Diagnostic::at(
                    place(f, input),
                    format!("項目「{}」が現在のシートにありません (記入用ブックを作った後に削除されたか、番号が変わりました)", input.item),
                ));
                continue;
            };
            let Some(ini) = item_file.item.initiative(&input.initiative) else {
                errors.push(Diagnostic::at(
                    place(f, input),
                    format!(
                        "取組「{}」が項目「{}」のシートにありません (記入用ブックを作った後に削除されたか、番号が変わりました)",
                        input.initiative, input.item
                    ),
                ));
                continue;
            };
            let current = FieldValue::of(ini, input.year, input.field);
            match value::read(
                &input.value,
                input.field,
                plan,
                ini.indicator.unit.trim(),
                &current,
            ) {
                Err(msg) => {
                    let mut d = Diagnostic::at(place(f, input), msg);
                    d.notes.extend(yaml_note(set, input));
                    errors.push(d);
                }
                Ok(None) => blank(&mut line),
                // Left as the workbook was made: the department did not change it.
                Ok(Some(v)) if v.fingerprint() == input.fingerprint => as_made(&mut line),
                // This very book imported this value before (a corrected book re-sent with
                // this field as it was): no new proposal. If the YAML was edited since, that
                // edit stays.
                // (Unless the YAML holds again the value the book was made from, e.g. the file
                // was restored: then the book's value is a first answer once more.)
                Ok(Some(v))
                    if log.claim(&book.id, &input.name) == Some(v.fingerprint().as_str())
                        && current.fingerprint() != input.fingerprint =>
                {
                    if current.canonical() != v.canonical() {
                        line(b, n, input, LineKind::Kept, format!(
                            "前回このブックから取り込んだ値 {} のまま: 取り込んだ後に YAML が {} に書き換えられているため、変更しません",
                            shown(plan, input.field, &v),
                            shown(plan, input.field, &current)
                        ));
                    }
                }
                // An old copy of this book, imported again after its correction: the
                // correction stays.
                Ok(Some(v)) if log.replaced(&book.id, &input.name, &v.fingerprint()) => {
                    if current.canonical() == v.canonical() {
                        continue; // the YAML holds it again anyway
                    }
                    line(b, n, input, LineKind::Kept, format!(
                        "このブックから前に取り込み、その後の訂正で置き換えた古い値 {} です: 変更しません (現在の値 {}。古い値に戻すときは YAML を書き換えてください)",
                        shown(plan, input.field, &v),
                        shown(plan, input.field, &current)
                    ));
                }
                Ok(Some(v)) => proposals.push(Proposal {
                    book: b,
                    index: n,
                    filled: f,
                    input,
                    value: v,
                }),
            }
        }
    }

    // Two workbooks giving different values for one field.
    let mut by_field: BTreeMap<(String, String, i32, Field), Vec<&Proposal>> = BTreeMap::new();
    for p in &proposals {
        let i = p.input;
        by_field
            .entry((i.item.clone(), i.initiative.clone(), i.year, i.field))
            .or_default()
            .push(p);
    }
    let mut conflicting = std::collections::BTreeSet::new();
    for (key, ps) in &by_field {
        let first = ps[0];
        let differing: Vec<&&Proposal> = ps
            .iter()
            .filter(|o| o.value.canonical() != first.value.canonical())
            .collect();
        if differing.is_empty() {
            continue;
        }
        conflicting.insert(key.clone());
        let i = first.input;
        let mut d = Diagnostic::at(first.place(), "同じ欄に別のブックが違う値を書いています");
        for p in ps {
            d.notes.push(format!("{}: {}", p.place().text(&[]), shorten(&p.value.display())));
        }
        d.notes.extend(yaml_note(set, i));
        errors.push(d);
    }

    // Changes per YAML file, checked against what the YAML holds now and who wrote it.
    let mut new_log = log.clone();
    let mut per_file: BTreeMap<usize, (Vec<Change>, Vec<FieldChange>)> = BTreeMap::new();
    for (key, ps) in &by_field {
        if conflicting.contains(key) {
            continue;
        }
        let p = ps[0];
        let i = p.input;
        let Some(item_file) = set.item(&i.item) else {
            continue;
        };
        let Some(ini) = item_file.item.initiative(&i.initiative) else {
            continue;
        };
        let current = FieldValue::of(ini, i.year, i.field);
        let record = |log: &mut ImportLog| {
            for q in ps {
                log.record(&books[q.book], &q.input.name, &q.value.fingerprint());
            }
        };
        if current.canonical() == p.value.canonical() {
            record(&mut new_log); // already so (e.g. the same value from another book)
            continue;
        }
        let Some((_, path)) = field_path(set, i) else {
            errors.push(Diagnostic::at(p.place(), format!("取組「{}」の場所が YAML で見つかりません", i.initiative)));
            continue;
        };
        let yaml_at = yaml_place(set, item_file.file, &item_file.root, &path);
        // The YAML still holds the value some of these books were made from: a first answer.
        let as_made = ps.iter().any(|q| current.fingerprint() == q.input.fingerprint);
        // Otherwise it must hold a value that only these books imported: a correction.
        let holders = log.holders(&i.name, &current.fingerprint());
        let ours = |h: &BookRef| ps.iter().any(|q| books[q.book].id == h.id);
        let others: Vec<&BookRef> = holders.iter().filter(|h| !ours(h)).collect();
        let correction = !as_made && !holders.is_empty() && others.is_empty();
        if !as_made && !others.is_empty() {
            let mut d = Diagnostic::at(
                p.place(),
                format!(
                    "この欄には前に別のブック {} から取り込んだ値が入っています。このブックの値は違います (YAML: {yaml_at}、現在の値 {}、このブックの値 {})",
                    others.iter().map(|h| h.describe()).collect::<Vec<_>>().join("、"),
                    shown(plan, i.field, &current),
                    shown(plan, i.field, &p.value)
                ),
            );
            d.notes.push("どちらの値が正しいか課に確かめ、正しい方のブックだけを直して取り込むか、YAML のこの欄を正しい値に書き換えてください。".into());
            errors.push(d);
            continue;
        }
        if !as_made && !correction {
            let own = ps.iter().any(|q| log.claim(&books[q.book].id, &q.input.name).is_some());
            let d = match own {
                true => Diagnostic::at(
                    p.place(),
                    format!(
                        "このブックを前に取り込んだ後に、YAML のこの欄が書き換えられています (YAML: {yaml_at}、現在の値 {}、このブックの値 {})",
                        shown(plan, i.field, &current),
                        shown(plan, i.field, &p.value)
                    ),
                )
                .note("YAML の書き換えを消さないため、取り込みません。ブックの値が正しければ YAML のこの欄をその値に書き換え、YAML の値が正しければブックのこの欄を空欄にしてから、もう一度取り込んでください。"),
                false => Diagnostic::at(
                    p.place(),
                    format!(
                        "記入用ブックを作った後に、YAML のこの欄が変わっています (YAML: {yaml_at}、現在の値 {}、ブックの値 {})",
                        shown(plan, i.field, &current),
                        shown(plan, i.field, &p.value)
                    ),
                )
                .note("YAML を確かめ、必要なら記入用ブックを作り直してください。"),
            };
            errors.push(d);
            continue;
        }
        let Some(new) = value::new_value(&p.value) else {
            continue;
        };
        record(&mut new_log);
        let entry = per_file.entry(item_file.file).or_default();
        entry.0.push(Change { path, value: new });
        entry.1.push(FieldChange {
            initiative: i.initiative.clone(),
            year: i.year,
            field: i.field,
            old: current.clone(),
            new: p.value.clone(),
        });
        let change = format!("{} → {}", shown(plan, i.field, &current), shown(plan, i.field, &p.value));
        let first = &books[p.book];
        for (k, q) in ps.iter().enumerate() {
            let (kind, text) = match (k, correction) {
                (0, false) => (LineKind::Change, change.clone()),
                (0, true) => (LineKind::Change, format!("{change} (前回このブックから取り込んだ値の訂正)")),
                _ => (LineKind::SameChange, format!("{change} ({} と同じ変更)", first.file)),
            };
            line(q.book, q.index, q.input, kind, text);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let edits = edit_files(set, per_file)?;
    lines.sort_by_key(|(b, n, _)| (*b, *n));
    let mut out: Vec<BookLines> = filled
        .iter()
        .zip(books)
        .map(|(f, book)| BookLines { path: f.path.clone(), book, lines: Vec::new() })
        .collect();
    for (b, _, l) in lines {
        out[b].lines.push(l);
    }
    Ok(Prepared { edits, log: new_log, books: out })
}

/// Edits each file in place and checks the result by loading it again.
fn edit_files(
    set: &SheetSet,
    per_file: BTreeMap<usize, (Vec<Change>, Vec<FieldChange>)>,
) -> Result<Vec<FileEdit>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut edits = Vec::new();
    for (file, (changes, report)) in per_file {
        let item_file = set
            .items
            .iter()
            .find(|it| it.file == file)
            .expect("item of the file");
        let src = &set.files[file];
        let text = match yaml_edit::apply(&src.text, &item_file.root, &changes, &key_order) {
            Ok(t) => t,
            Err(e) => {
                errors.push(Diagnostic::file(&src.path, e));
                continue;
            }
        };
        if let Err(e) = recheck(set, file, &text, &report) {
            errors.push(Diagnostic::file(&src.path, e));
            continue;
        }
        edits.push(FileEdit {
            path: src.path.clone(),
            changes: report,
            text,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(edits)
}

/// Loads the edited text with the plan and checks that it has no problems and holds the new
/// values.
fn recheck(set: &SheetSet, file: usize, text: &str, report: &[FieldChange]) -> Result<(), String> {
    let mut inputs = Vec::new();
    if let Some(p) = set.plan_file {
        inputs.push((
            set.files[p].path.clone(),
            set.files[p].text.clone().into_bytes(),
        ));
    }
    inputs.push((set.files[file].path.clone(), text.as_bytes().to_vec()));
    let mut diags = Diagnostics::default();
    let new_set = load::load_files(inputs, &mut diags);
    validate::validate(&new_set, &mut diags);
    if let Some(d) = diags.list.first() {
        return Err(format!(
            "書き換えた YAML に誤りが出るため中止しました (内部エラー: {})",
            d.message
        ));
    }
    let item = &new_set
        .items
        .first()
        .ok_or("書き換えた YAML を読めません (内部エラー)")?
        .item;
    for c in report {
        let ini = item.initiative(&c.initiative).ok_or("取組が見つかりません (内部エラー)")?;
        let got = FieldValue::of(ini, c.year, c.field);
        if got.canonical() != c.new.canonical() {
            return Err(format!(
                "書き換えた YAML の値が意図と違うため中止しました (内部エラー: {})",
                c.line()
            ));
        }
    }
    Ok(())
}
