//! Probes for load balancers and orchestrators.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{IntoResponse, Response, handler};

use crate::db;
use crate::state::AppState;

/// `/healthz`: the process answers.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: the database answers and has every migration this binary expects.
#[handler]
pub async fn readyz(state: Data<&Arc<AppState>>) -> Response {
    match db::applied_migration(&state.pool).await {
        Ok(v) if v >= db::latest_migration() => "ready".into_response(),
        Ok(v) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("migrations behind: {v}"),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}
