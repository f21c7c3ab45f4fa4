//! One module per subcommand.

pub mod attribute;
pub mod audit;
pub mod bench;
pub mod chain;
pub mod check;
pub mod demo;
pub mod explain;
pub mod ingest;
pub mod ledger;
pub mod pipeline;
pub mod readiness;
pub mod replay;
pub mod schema;
pub mod serve;
pub mod sim;
pub mod track;
pub mod version;
