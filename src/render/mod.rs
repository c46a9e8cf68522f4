//! Renderers: each turns the one layout into an output format.

pub mod html;
pub mod pdf;
pub mod pdf_pack;
pub mod xlsx;
pub mod book;
pub mod summary;
pub mod status;
