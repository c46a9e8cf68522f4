//! Layout: model + plan + font metrics in, a paginated grid of cells out. Pure: no I/O.
//! Both renderers (PDF, XLSX) draw from this one layout.

pub mod book;
pub mod grid;
pub mod opinions;
pub mod paginate;
pub mod sheet;
pub mod table_builder;

pub use grid::*;

use crate::model::{Item, Plan};

/// Lays out and paginates one item's sheet.
pub fn lay_out(plan: &Plan, item: &Item) -> Sheet {
    let spec = PageSpec::a4_landscape();
    let title = format!("{} {}", plan.name, plan.form_name);
    let item_label = format!("{} {}", item.number.value, item.name);
    let tables = sheet::tables(plan, item, &spec);
    let (pages, bookmarks) = paginate::paginate(&spec, &title, &tables, &item_label);
    Sheet {
        spec,
        document_title: format!("{title} {item_label}"),
        title,
        item_number: item.number.value.clone(),
        tables,
        pages,
        bookmarks,
    }
}
