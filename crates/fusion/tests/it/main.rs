//! Integration tests of the fusion crate (one binary, modules by topic).

mod classify;
mod score;
mod tracker;
