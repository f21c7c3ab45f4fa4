//! Handlers by resource. Each is thin: read the state, shape a view, or pass an act to the
//! engine and the ledger.

pub mod acts;
pub mod ledger;
pub mod live;
pub mod meta;
pub mod picture;
pub mod supply;

use serde::Deserialize;

use crate::limits::PAGE_ROWS_MAX;

/// `?limit=N`: newest rows first, at most `PAGE_ROWS_MAX`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub limit: Option<usize>,
}

impl Page {
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(PAGE_ROWS_MAX).min(PAGE_ROWS_MAX)
    }
}
