//! One module per subcommand.

pub mod attribute;
pub mod bench;
pub mod check;
pub mod demo;
pub mod explain;
pub mod ingest;
pub mod ledger;
pub mod readiness;
pub mod pipeline;
pub mod replay;
pub mod schema;
pub mod serve;
pub mod sim;
pub mod track;
pub mod version;
