//! One module per subcommand.

pub mod check;
pub mod demo;
pub mod schema;
pub mod version;
