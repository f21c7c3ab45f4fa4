//! The feeds integration tests: one binary, one module per format.

mod ais;
mod sbs;
mod cot;
mod stix;
mod asterix;
