//! The schools this deployment hosts, kept per instance while the database has not changed
//! (`cache::Memo`). Every anonymous page names the school (when only one is hosted) and the
//! login pages list them all: with 200 schools that list was most of the login page's cost.

use std::sync::Arc;

use crate::site::{Site, sites};
use crate::state::AppState;

/// Every hosted school, by name.
pub async fn hosted(state: &AppState) -> sqlx::Result<Arc<Vec<Site>>> {
    state
        .schools
        .get(state.caches.snapshot(), "", sites(&state.pool))
        .await
}
