//! Integration tests of the simulator: one binary, modules by topic.
