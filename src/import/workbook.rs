//! Reading a filled department workbook: the hidden `_shinko` sheet (plan, year, inputs and
//! their fingerprints) and the value of each input cell, found through its defined name, never
//! through a fixed address (Excel and LibreOffice re-save files their own way).
//!
//! The package is read by `import::xlsx`, bounded and sparse: only `_shinko`'s first columns
//! and the named input cells are kept, whatever else the sheets hold.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::xlsx::{self, Value};
use crate::collect::{
    Field, META_DEPARTMENT, META_MAGIC, META_PLAN, META_SHEET, META_TABLE_ROW, META_YEAR,
};

/// A cell's value as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A number shown with a % format (`50%` typed in Excel is stored as 0.5).
    Percent(f64),
    /// A formula whose result the file does not hold (saved by a program that does not
    /// calculate).
    Uncached,
    /// Something no input accepts (a date, a truth value, an error such as #N/A), described.
    Other(String),
}

impl From<Option<&Value>> for Cell {
    fn from(v: Option<&Value>) -> Cell {
        match v {
            None => Cell::Empty,
            Some(Value::Text(s)) => Cell::Text(s.clone()),
            Some(Value::Number(n)) => Cell::Number(*n),
            Some(Value::Percent(n)) => Cell::Percent(*n),
            Some(Value::Uncached) => Cell::Uncached,
            Some(Value::Other(o)) => Cell::Other(o.clone()),
        }
    }
}

/// One input cell of a workbook.
#[derive(Clone, Debug)]
pub struct Input {
    /// The input's defined name (`shinko_3_2_1_y2022_result`), as `_shinko` lists it.
    pub name: String,
    pub item: String,
    pub initiative: String,
    pub year: i32,
    pub field: Field,
    /// The fingerprint of the field's value when the workbook was made.
    pub fingerprint: String,
    pub sheet: String,
    /// The cell's address, `B12`.
    pub cell: String,
    pub value: Cell,
}

/// A filled workbook.
#[derive(Clone, Debug)]
pub struct Filled {
    pub path: PathBuf,
    pub plan: String,
    pub year: i32,
    pub department: String,
    pub inputs: Vec<Input>,
}

impl Filled {
    /// The workbook's file name, for messages.
    pub fn name(&self) -> String {
        display_name(&self.path)
    }

    /// The book's identity: a hash of what `_shinko` says it was made from (plan, year,
    /// department, and each input's name, place and original fingerprint). Copies of one
    /// collected book, re-saved by Excel or LibreOffice or renamed, share it; books of two
    /// departments, or of two collects made from different YAML, do not.
    pub fn identity(&self) -> String {
        let mut s = String::new();
        for part in [META_MAGIC, &self.plan, &self.year.to_string(), &self.department] {
            s.push_str(part);
            s.push('\u{1f}');
        }
        for i in &self.inputs {
            for part in [&i.name, &i.item, &i.initiative, &i.year.to_string(), i.field.code(), &i.fingerprint] {
                s.push_str(part);
                s.push('\u{1f}');
            }
            s.push('\u{1e}');
        }
        format!("{:016x}", crate::collect::fnv1a(s.as_bytes()))
    }

    /// The book as the import log records it: identity, file name, `行政経営課 令和4年度`.
    pub fn book_ref(&self) -> super::log::BookRef {
        super::log::BookRef {
            id: self.identity(),
            file: self.path.file_name().map_or_else(|| self.name(), |n| n.to_string_lossy().into_owned()),
            label: format!("{} {}", self.department, crate::era::era_label(self.year)),
        }
    }
}

pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

fn text_of(d: Option<&Value>) -> String {
    match d {
        Some(Value::Text(s)) => s.trim().to_owned(),
        Some(Value::Number(f)) => crate::collect::format_number(*f),
        _ => String::new(),
    }
}

/// The columns of `_shinko` that hold its table (name, item, initiative, year, field,
/// fingerprint).
const META_COLUMNS: u32 = 6;

/// `'3-2-1'!$B$12` → (sheet, row, col), 0-based.
pub fn parse_reference(formula: &str) -> Option<(String, u32, u32)> {
    let f = formula.trim().trim_start_matches('=');
    let (sheet, addr) = f.rsplit_once('!')?;
    let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(q) => q.replace("''", "'"),
        None => sheet.to_owned(),
    };
    let (row, col) = xlsx::parse_cell_ref(&addr.replace('$', ""))?;
    Some((sheet, row, col))
}

pub fn address(row: u32, col: u32) -> String {
    rust_xlsxwriter::utility::row_col_to_cell(row, col as u16)
}

/// Reads a workbook made by `collect`. Errors are whole sentences naming the file.
pub fn read(path: &Path) -> Result<Filled, String> {
    let name = display_name(path);
    let raw = read_raw(path, META_MAGIC, META_DEPARTMENT).map_err(|xlsx::Refused(msg)| format!("{name}: {msg}"))?;
    let mut inputs = Vec::with_capacity(raw.inputs.len());
    for i in raw.inputs {
        let field = Field::from_code(&i.code).ok_or_else(|| {
            format!("{name}: シート「{META_SHEET}」の欄「{}」を読めません。記入用ブックを作り直してください。", i.code)
        })?;
        inputs.push(Input {
            name: i.name,
            item: i.item,
            initiative: i.initiative,
            year: i.year,
            field,
            fingerprint: i.fingerprint,
            sheet: i.sheet,
            cell: i.cell,
            value: i.value,
        });
    }
    Ok(Filled { path: raw.path, plan: raw.plan, year: raw.year, department: raw.owner, inputs })
}

/// An input cell as the meta sheet names it, with its field's code not yet interpreted.
#[derive(Clone, Debug)]
pub struct RawInput {
    /// The input's defined name, as `_shinko` lists it.
    pub name: String,
    pub item: String,
    pub initiative: String,
    pub year: i32,
    pub code: String,
    pub fingerprint: String,
    pub sheet: String,
    pub cell: String,
    pub value: Cell,
}

/// A workbook of shinko's (department or committee member), as its meta sheet describes it.
#[derive(Clone, Debug)]
pub struct RawBook {
    pub path: PathBuf,
    pub plan: String,
    pub year: i32,
    /// The department or the member the workbook was made for.
    pub owner: String,
    pub inputs: Vec<RawInput>,
}

/// The magic in the first cell of a workbook's meta sheet, when it has one (to tell a
/// department workbook from a committee member's).
pub fn magic(path: &Path) -> Result<Option<String>, String> {
    let name = display_name(path);
    let mut wb = xlsx::open(path).map_err(|xlsx::Refused(m)| format!("{name}: {m}"))?;
    if wb.sheet_part(META_SHEET).is_none() {
        return Ok(None);
    }
    let meta: HashMap<(u32, u32), Value> =
        wb.cells(META_SHEET, |r, c| r == 0 && c == 0).map_err(|xlsx::Refused(m)| format!("{name}: {m}"))?;
    Ok(Some(text_of(meta.get(&(0, 0)))).filter(|m| !m.is_empty()))
}

/// Reads a workbook whose meta sheet starts with `magic` and names its owner under
/// `owner_label`: the plan, the year, and every input cell through its defined name.
pub fn read_raw(path: &Path, magic: &str, owner_label: &str) -> Result<RawBook, xlsx::Refused> {
    let refuse = |msg: String| xlsx::Refused(msg);
    let mut wb = xlsx::open(path)?;
    let not_ours = || {
        refuse(format!(
            "shinko collect で作った記入用ブックではありません (シート「{META_SHEET}」がありません)"
        ))
    };
    if wb.sheet_part(META_SHEET).is_none() {
        return Err(not_ours());
    }
    let meta: HashMap<(u32, u32), Value> = wb.cells(META_SHEET, |_, c| c < META_COLUMNS)?;
    let at = |r: u32, c: u32| meta.get(&(r, c));
    if text_of(at(0, 0)) != magic {
        return Err(not_ours());
    }
    let label_ok = text_of(at(1, 0)) == META_PLAN
        && text_of(at(2, 0)) == META_YEAR
        && text_of(at(3, 0)) == owner_label;
    let year: Option<i32> = text_of(at(2, 1)).parse().ok();
    let (true, Some(year)) = (label_ok, year) else {
        return Err(refuse(format!(
            "シート「{META_SHEET}」が壊れています (計画名・年度が読めません)。記入用ブックを作り直してください。"
        )));
    };
    let plan = text_of(at(1, 1));
    let owner = text_of(at(3, 1));

    // The table of inputs, then the cells it names, each sheet read once.
    struct Wanted {
        name: String,
        item: String,
        initiative: String,
        year: i32,
        code: String,
        fingerprint: String,
        sheet: String,
        row: u32,
        col: u32,
    }
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut row = META_TABLE_ROW;
    loop {
        let cell_name = text_of(at(row, 0));
        if cell_name.is_empty() {
            break;
        }
        let bad = || {
            refuse(format!(
                "シート「{META_SHEET}」の {} 行目が壊れています。記入用ブックを作り直してください。",
                row + 1
            ))
        };
        let code = text_of(at(row, 4));
        if code.is_empty() {
            return Err(bad());
        }
        let input_year: i32 = text_of(at(row, 3)).parse().map_err(|_| bad())?;
        let item = text_of(at(row, 1));
        let initiative = text_of(at(row, 2));
        let fingerprint = text_of(at(row, 5));
        let what = if initiative.is_empty() { &item } else { &initiative };
        let formula = wb.names.get(&cell_name).ok_or_else(|| refuse(format!("入力欄の名前「{cell_name}」({what} / {input_year}) がブックにありません。シートや行を削除しませんでしたか。記入用ブックを作り直してください。")))?;
        let (sheet, r, c) = parse_reference(formula).ok_or_else(|| {
            refuse(format!("入力欄の名前「{cell_name}」の参照先「{formula}」を読めません (セルが削除された可能性があります)。記入用ブックを作り直してください。"))
        })?;
        if wb.sheet_part(&sheet).is_none() {
            return Err(refuse(format!(
                "入力欄の名前「{cell_name}」の参照先のシート「{sheet}」がありません。記入用ブックを作り直してください。"
            )));
        }
        wanted.push(Wanted { name: cell_name.clone(), item, initiative, year: input_year, code, fingerprint, sheet, row: r, col: c });
        row += 1;
    }
    let mut sheets: Vec<&str> = wanted.iter().map(|w| w.sheet.as_str()).collect();
    sheets.sort_unstable();
    sheets.dedup();
    let mut values: HashMap<&str, HashMap<(u32, u32), Value>> = HashMap::new();
    for sheet in sheets {
        let cells: std::collections::HashSet<(u32, u32)> = wanted
            .iter()
            .filter(|w| w.sheet == sheet)
            .map(|w| (w.row, w.col))
            .collect();
        let read = wb
            .cells(sheet, |r, c| cells.contains(&(r, c)))
            .map_err(|xlsx::Refused(m)| refuse(format!("シート「{sheet}」: {m}")))?;
        values.insert(sheet, read);
    }
    let inputs = wanted
        .iter()
        .map(|w| RawInput {
            name: w.name.clone(),
            item: w.item.clone(),
            initiative: w.initiative.clone(),
            year: w.year,
            code: w.code.clone(),
            fingerprint: w.fingerprint.clone(),
            sheet: w.sheet.clone(),
            cell: address(w.row, w.col),
            value: Cell::from(values.get(w.sheet.as_str()).and_then(|v| v.get(&(w.row, w.col)))),
        })
        .collect();
    Ok(RawBook {
        path: path.to_owned(),
        plan,
        year,
        owner,
        inputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        assert_eq!(
            parse_reference("'3-2-1'!$B$12"),
            Some(("3-2-1".into(), 11, 1))
        );
        assert_eq!(
            parse_reference("='it''s'!$AB$1"),
            Some(("it's".into(), 0, 27))
        );
        assert_eq!(parse_reference("Sheet1!C3"), Some(("Sheet1".into(), 2, 2)));
        assert_eq!(parse_reference("#REF!"), None);
        assert_eq!(address(11, 1), "B12");
        assert_eq!(address(0, 27), "AB1");
    }
}
