//! Every bound on what the decoders hold, in one place.

/// Bytes of a rejected record kept for the quarantine file.
#[allow(non_upper_case_globals)]
pub const quarantine_record_bytes_max: usize = 4096;
