//! `/eleves` and `/eleves/{id}`.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{IntoResponse, Response, Route, get, handler};

use super::{store, views};
use crate::app::AppState;
use crate::web::{AppResult, Ctx, CurrentUser};

pub fn routes(route: Route) -> Route {
    route
        .at("/eleves", get(list))
        .at("/eleves/:id", get(record))
}

#[handler]
async fn list(state: Data<&Arc<AppState>>, ctx: Ctx, user: CurrentUser) -> AppResult<maud::Markup> {
    let students = match user.family_id {
        Some(f) => store::of_family(&state.pool, f).await?,
        None => Vec::new(),
    };
    Ok(views::list(&ctx, &students))
}

#[handler]
async fn record(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    // Another family's student and a student that does not exist look the same: 404.
    let (Some(family), Ok(id)) = (user.family_id, id.parse::<i64>()) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    match store::one(&state.pool, family, id).await? {
        Some(s) => Ok(views::record(&ctx, &s).into_response()),
        None => Ok(StatusCode::NOT_FOUND.into_response()),
    }
}
