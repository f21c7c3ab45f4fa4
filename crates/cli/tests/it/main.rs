//! The cli integration tests: the real `guarantor` binary, one module per subcommand.

mod attribute;
mod ingest;
mod replay;
