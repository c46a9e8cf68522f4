//! The state of a year's collect (`shinko status`): which departments' workbooks have come
//! back, and which input fields of the year are still empty in the sheets.
//!
//! Pure data, computed from the loaded sheets and the workbooks read by `import::workbook`;
//! `commands::status` prints it and `render::status` writes it as a workbook. The grouping is
//! `collect`'s (`collect::by_department`): one book per department, an initiative of two
//! departments in both, the seven `collect::Field`s of every initiative. A later committee
//! report (members whose committee books have not come back) is another model beside this one.

use std::path::PathBuf;

use crate::collect::{self, Field, FieldValue};
use crate::diag::Diagnostic;
use crate::import::{value, workbook};
use crate::load::SheetSet;
use crate::model::Plan;

/// What became of a department's workbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No workbook for the department was given.
    NotReturned,
    /// A workbook came back holding the values it was made with (nothing entered).
    Untouched,
    /// A workbook came back with at least one input different from what it was made with.
    Filled,
}

impl State {
    /// The word in the table (`提出済 (記入あり)`).
    pub fn label(self) -> &'static str {
        match self {
            State::NotReturned => "未提出",
            State::Untouched => "提出済 (記入なし)",
            State::Filled => "提出済 (記入あり)",
        }
    }
}

/// One workbook given for a department.
#[derive(Clone, Debug)]
pub struct Book {
    pub path: PathBuf,
    /// Whether any input differs from the value the workbook was made with.
    pub filled: bool,
}

/// A department (取組主管課) of the sheets and the workbooks that came back for it.
#[derive(Clone, Debug)]
pub struct Department {
    pub name: String,
    /// The number of initiatives in its workbook.
    pub initiatives: usize,
    pub books: Vec<Book>,
}

impl Department {
    pub fn state(&self) -> State {
        if self.books.is_empty() {
            State::NotReturned
        } else if self.books.iter().any(|b| b.filled) {
            State::Filled
        } else {
            State::Untouched
        }
    }
}

/// An input field of the year still empty in the sheets.
#[derive(Clone, Debug, PartialEq)]
pub struct Empty {
    /// The department; empty for an initiative without one (in no workbook).
    pub department: String,
    pub item: String,
    pub initiative: String,
    pub initiative_name: String,
    pub field: Field,
}

/// The collect of one year.
#[derive(Clone, Debug)]
pub struct Status {
    pub year: i32,
    /// Every department of the sheets, in name order (as `collect` writes their books).
    pub departments: Vec<Department>,
    /// Per department (name order; initiatives without a department last), item and
    /// initiative in file and list order, field in workbook order.
    pub empty: Vec<Empty>,
}

impl Status {
    pub fn returned(&self) -> usize {
        self.departments.iter().filter(|d| d.state() != State::NotReturned).count()
    }
}

/// The word for an initiative without a department, in the tables.
pub const NO_DEPARTMENT: &str = "(取組主管課なし)";

/// Whether a workbook holds an input that differs from what it was made with. A value that
/// does not read (a date, an unknown grade) was typed by someone, so it counts as entered.
fn is_filled(set: &SheetSet, plan: &Plan, book: &workbook::Filled) -> bool {
    book.inputs.iter().any(|input| {
        if input.value == workbook::Cell::Empty {
            return false;
        }
        let ini = set.item(&input.item).and_then(|f| f.item.initiative(&input.initiative));
        let unit = ini.map_or("", |i| i.indicator.unit.trim());
        let current = ini.map_or(FieldValue::Empty, |i| FieldValue::of(i, input.year, input.field));
        match value::read(&input.value, input.field, plan, unit, &current) {
            Ok(None) => false,
            Ok(Some(v)) => v.fingerprint() != input.fingerprint,
            Err(_) => true,
        }
    })
}

/// The status of `year`'s collect. Workbooks of another plan or year, or of a department the
/// sheets no longer have, are not counted: each is a warning.
pub fn compute(set: &SheetSet, plan: &Plan, year: i32, books: &[workbook::Filled]) -> (Status, Vec<Diagnostic>) {
    let (by_dept, without) = collect::by_department(&set.items);
    let mut warnings = Vec::new();
    let mut departments: Vec<Department> = by_dept
        .iter()
        .map(|(name, entries)| Department { name: name.clone(), initiatives: entries.len(), books: Vec::new() })
        .collect();
    for b in books {
        if b.plan != plan.name {
            warnings.push(
                Diagnostic::file(&b.path, format!(
                    "別の計画の記入用ブックです (ブックの計画名「{}」、plan.yaml の計画名「{}」)。提出状況に数えていません",
                    b.plan, plan.name
                ))
                .warning(),
            );
            continue;
        }
        if b.year != year {
            warnings.push(
                Diagnostic::file(&b.path, format!(
                    "{} の記入用ブックです。この一覧は {} のものなので、提出状況に数えていません",
                    crate::era::long_label(b.year),
                    crate::era::long_label(year)
                ))
                .warning(),
            );
            continue;
        }
        let Some(d) = departments.iter_mut().find(|d| d.name == b.department) else {
            warnings.push(
                Diagnostic::file(&b.path, format!(
                    "「{}」の記入用ブックですが、今のシートにその取組主管課はありません。提出状況に数えていません",
                    b.department
                ))
                .warning(),
            );
            continue;
        };
        d.books.push(Book { path: b.path.clone(), filled: is_filled(set, plan, b) });
    }
    let mut empty = Vec::new();
    let groups = by_dept.iter().map(|(d, e)| (d.as_str(), e)).chain(std::iter::once(("", &without)));
    for (department, entries) in groups {
        for e in entries.iter() {
            for field in Field::ALL {
                if FieldValue::of(e.initiative, year, field).is_empty() {
                    empty.push(Empty {
                        department: department.to_owned(),
                        item: e.item.number.value.clone(),
                        initiative: e.initiative.number.value.clone(),
                        initiative_name: e.initiative.name.clone(),
                        field,
                    });
                }
            }
        }
    }
    (Status { year, departments, empty }, warnings)
}
