//! shinko: YAML sheets in, the 進行管理シート of an administrative-reform plan out (PDF, XLSX).
//!
//! Pipeline: `load` (YAML with source spans) → `validate` → `layout` (one grid of cells, lines
//! broken, rows measured, pages broken) → `render` (PDF, XLSX). See ARCHITECTURE.md.

/// `println!` that never panics: a closed standard output (`shinko import … | head -1`) ends
/// the output, not the program.
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `eprintln!` that never panics (standard error closed or a broken pipe).
#[macro_export]
macro_rules! tell {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

pub mod diag;
pub mod era;
pub mod font;
pub mod layout;
pub mod linebreak;
pub mod load;
pub mod model;
pub mod number;
pub mod schema;
pub mod yaml_tree;
pub mod yaml_edit;
pub mod collect;
pub mod committee;
pub mod import;
pub mod render;
pub mod summary;
pub mod template;
pub mod status;
pub mod validate;
pub mod commands;
pub mod output;
pub mod manifest;
