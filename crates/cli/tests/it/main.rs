//! The cli integration tests: the real `guarantor` binary, one module per subcommand.

mod attribute;
mod audit;
mod ingest;
mod replay;
