//! The schools this deployment hosts, read from the database at most every few seconds per
//! instance. Every anonymous page names the school (when only one is hosted) and the login
//! pages list them all: with 200 schools that list was most of the login page's cost.
//! Any POST handled by this instance forgets the list (a school's settings changed here show
//! at once); a school added by another instance or by `portee import` shows within
//! `FRESH_FOR`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::Pool;
use crate::site::{Site, sites};

/// How long a list read from the database is used.
pub const FRESH_FOR: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct SchoolList {
    kept: Mutex<Option<(Instant, Arc<Vec<Site>>)>>,
    /// Bumped by `forget`: a list read while a POST was changing a school is not kept.
    generation: AtomicU64,
}

impl SchoolList {
    /// Every hosted school, by name.
    pub async fn get(&self, pool: &Pool) -> sqlx::Result<Arc<Vec<Site>>> {
        if let Some((at, list)) = &*self.kept.lock().unwrap_or_else(|e| e.into_inner())
            && at.elapsed() < FRESH_FOR
        {
            return Ok(list.clone());
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let list = Arc::new(sites(pool).await?);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) == generation {
            *kept = Some((Instant::now(), list.clone()));
        }
        Ok(list)
    }

    /// Reads the list again next time.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
