//! Reading a filled department workbook with calamine: the hidden `_shinko` sheet (plan, year,
//! inputs and their fingerprints) and the value of each input cell, found through its defined
//! name, never through a fixed address (Excel and LibreOffice re-save files their own way).

use std::path::{Path, PathBuf};

use calamine::{Data, Range, Reader, Xlsx, open_workbook};

use crate::collect::{
    Field, META_DEPARTMENT, META_MAGIC, META_PLAN, META_SHEET, META_TABLE_ROW, META_YEAR,
};

/// A cell's value as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// Something no input accepts (a date, a truth value, an error such as #N/A), described.
    Other(String),
}

/// One input cell of a workbook.
#[derive(Clone, Debug)]
pub struct Input {
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
}

pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

fn text_of(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.trim().to_owned(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) => crate::collect::format_number(*f),
        _ => String::new(),
    }
}

fn cell(d: Option<&Data>) -> Cell {
    match d {
        None | Some(Data::Empty) => Cell::Empty,
        Some(Data::String(s)) => Cell::Text(s.clone()),
        Some(Data::Int(i)) => Cell::Number(*i as f64),
        Some(Data::Float(f)) => Cell::Number(*f),
        Some(Data::Bool(b)) => Cell::Other(format!("真偽値 {}", if *b { "TRUE" } else { "FALSE" })),
        Some(Data::DateTime(_)) | Some(Data::DateTimeIso(_)) => Cell::Other("日付".into()),
        Some(Data::DurationIso(_)) => Cell::Other("時間".into()),
        Some(Data::Error(e)) => Cell::Other(format!("エラー値 {e}")),
    }
}

/// `'3-2-1'!$B$12` → (sheet, row, col), 0-based.
pub fn parse_reference(formula: &str) -> Option<(String, u32, u32)> {
    let f = formula.trim().trim_start_matches('=');
    let (sheet, addr) = f.rsplit_once('!')?;
    let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(q) => q.replace("''", "'"),
        None => sheet.to_owned(),
    };
    let addr = addr.replace('$', "");
    let split = addr.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = addr.split_at(split);
    if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    let col = letters
        .to_ascii_uppercase()
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1));
    Some((sheet, row.checked_sub(1)?, col - 1))
}

pub fn address(row: u32, col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    format!("{}{}", String::from_utf8(s).unwrap_or_default(), row + 1)
}

/// Reads a workbook made by `collect`. Errors name the file.
pub fn read(path: &Path) -> Result<Filled, String> {
    let name = display_name(path);
    let mut wb: Xlsx<_> = open_workbook(path)
        .map_err(|e| format!("{name}: Excel ファイル (.xlsx) として読めません ({e})"))?;
    let not_ours = || {
        format!(
            "{name}: shinko collect で作った記入用ブックではありません (シート「{META_SHEET}」がありません)"
        )
    };
    if !wb.sheet_names().iter().any(|s| s == META_SHEET) {
        return Err(not_ours());
    }
    let meta: Range<Data> = wb
        .worksheet_range(META_SHEET)
        .map_err(|e| format!("{name}: シート「{META_SHEET}」を読めません ({e})"))?;
    let at = |r: u32, c: u32| meta.get_value((r, c));
    if text_of(at(0, 0)) != META_MAGIC {
        return Err(not_ours());
    }
    let label_ok = text_of(at(1, 0)) == META_PLAN
        && text_of(at(2, 0)) == META_YEAR
        && text_of(at(3, 0)) == META_DEPARTMENT;
    let year: Option<i32> = text_of(at(2, 1)).parse().ok();
    let (true, Some(year)) = (label_ok, year) else {
        return Err(format!(
            "{name}: シート「{META_SHEET}」が壊れています (計画名・年度が読めません)。記入用ブックを作り直してください。"
        ));
    };
    let plan = text_of(at(1, 1));
    let department = text_of(at(3, 1));

    let names: Vec<(String, String)> = wb.defined_names().to_vec();
    let mut inputs = Vec::new();
    let mut sheets: Vec<(String, Range<Data>)> = Vec::new();
    let mut row = META_TABLE_ROW;
    loop {
        let cell_name = text_of(at(row, 0));
        if cell_name.is_empty() {
            break;
        }
        let bad = || {
            format!(
                "{name}: シート「{META_SHEET}」の {} 行目が壊れています。記入用ブックを作り直してください。",
                row + 1
            )
        };
        let field = Field::from_code(&text_of(at(row, 4))).ok_or_else(bad)?;
        let input_year: i32 = text_of(at(row, 3)).parse().map_err(|_| bad())?;
        let item = text_of(at(row, 1));
        let initiative = text_of(at(row, 2));
        let fingerprint = text_of(at(row, 5));
        let formula = names
            .iter()
            .find(|(n, _)| *n == cell_name)
            .map(|(_, f)| f.clone())
            .ok_or_else(|| format!("{name}: 入力欄の名前「{cell_name}」({initiative} / {input_year} / {}) がブックにありません。シートや行を削除しませんでしたか。記入用ブックを作り直してください。", field.label()))?;
        let (sheet, r, c) = parse_reference(&formula)
            .ok_or_else(|| format!("{name}: 入力欄の名前「{cell_name}」の参照先「{formula}」を読めません (セルが削除された可能性があります)"))?;
        if !sheets.iter().any(|(s, _)| *s == sheet) {
            let range = wb
                .worksheet_range(&sheet)
                .map_err(|e| format!("{name}: シート「{sheet}」を読めません ({e})"))?;
            sheets.push((sheet.clone(), range));
        }
        let range = &sheets
            .iter()
            .find(|(s, _)| *s == sheet)
            .expect("just read")
            .1;
        inputs.push(Input {
            item,
            initiative,
            year: input_year,
            field,
            fingerprint,
            sheet,
            cell: address(r, c),
            value: cell(range.get_value((r, c))),
        });
        row += 1;
    }
    Ok(Filled {
        path: path.to_owned(),
        plan,
        year,
        department,
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
