//! Input errors: each names the input, the record and what was expected.

/// A readiness input (deliveries, tempo, catalogue, contracts, records) that
/// cannot be used. Each variant names the file and the record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    #[error("{input}: cannot parse: {message}")]
    Parse { input: String, message: String },
    #[error("{input}: {record}: unknown item `{item}` (known: {known})")]
    UnknownItem {
        input: String,
        record: String,
        item: String,
        known: String,
    },
    #[error("{input}: {record}: unknown {what} `{name}`")]
    UnknownName {
        input: String,
        record: String,
        what: &'static str,
        name: String,
    },
    #[error("{input}: {record}: negative quantity {quantity}; a delivery counts what arrived")]
    NegativeQuantity {
        input: String,
        record: String,
        quantity: f64,
    },
    #[error(
        "{input}: {record}: dated {date}, before the previous record's {previous}; records must be in date order"
    )]
    OutOfOrder {
        input: String,
        record: String,
        date: String,
        previous: String,
    },
    #[error("{input}: {record}: ends {to}, before it starts {from}")]
    EndsBeforeStart {
        input: String,
        record: String,
        from: String,
        to: String,
    },
    #[error("{input}: {record}: {message}")]
    Invalid {
        input: String,
        record: String,
        message: String,
    },
    #[error("{input}: more than {max} {what}")]
    TooMany {
        input: String,
        what: &'static str,
        max: usize,
    },
}
