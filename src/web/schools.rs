//! The schools this deployment hosts, kept per instance while the database has not changed
//! (`cache::Memo`). Every anonymous page names the school (when only one is hosted) and the
//! login pages list them all: with 200 schools that list was most of the login page's cost.

use std::sync::Arc;

use crate::cache::{Memo, Snapshot};
use crate::db::Pool;
use crate::site::{Site, sites};

#[derive(Default)]
pub struct SchoolList {
    kept: Memo<Vec<Site>>,
}

impl SchoolList {
    /// Every hosted school, by name. `now`: the caches' counters (`Caches::snapshot`).
    pub async fn get(&self, pool: &Pool, now: Option<Snapshot>) -> sqlx::Result<Arc<Vec<Site>>> {
        self.kept.get(now, "", sites(pool)).await
    }
}
