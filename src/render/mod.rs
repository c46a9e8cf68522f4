//! Renderers: each turns the one layout into an output format.

pub mod pdf;
pub mod xlsx;
