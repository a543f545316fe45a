//! What every request shares: the pool, the settings, the secrets and the in-memory
//! helpers. Features and `web/` depend on this module; it depends on none of them.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::Settings;
use crate::db::Pool;
use crate::web::session::CookieNames;

/// Shared by every request.
pub struct AppState {
    pub pool: Pool,
    pub settings: Settings,
    /// Binds anonymous CSRF tokens to their pre-session cookie (shared by all instances).
    pub csrf_secret: String,
    /// Signs device cookies (`features::auth::throttle`), shared by all instances.
    pub device_secret: String,
    pub cookies: CookieNames,
    /// Wakes the outbox worker as soon as a mail is queued.
    pub mail_wakeup: Arc<Notify>,
    /// The hosted schools, kept while no data changes (read through `web::schools::hosted`).
    pub schools: crate::cache::Memo<Vec<crate::site::Site>>,
    /// The schools whose pre-enrolment is open today (linked from the login pages).
    pub open_preenrolment: crate::cache::Memo<Vec<(String, String)>>,
    /// Outgoing HTTP (PayFiP's web service), with timeouts.
    pub http: reqwest::Client,
    /// Live sessions and the family pages they were shown (`cache`).
    pub caches: crate::cache::Caches<crate::web::context::SessionRow>,
}
