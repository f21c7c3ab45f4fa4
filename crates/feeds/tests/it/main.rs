//! The feeds integration tests: one binary, one module per format.

mod ais;
mod asterix;
mod cot;
mod sbs;
mod stix;
