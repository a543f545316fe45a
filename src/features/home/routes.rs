//! Handlers of Accueil.

use std::sync::Arc;

use poem::web::{Data, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::views;
use crate::features::auth::info_text;
use crate::features::students::store as students;
use crate::state::AppState;
use crate::web::{AppResult, Ctx, FamilyUser, layout, see_other};

#[handler]
pub(crate) fn root(ctx: Ctx) -> Response {
    see_other(layout::home(&ctx))
}

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

#[handler]
pub(crate) async fn home(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    FamilyUser {
        account: user,
        family_id: family,
    }: FamilyUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<maud::Markup> {
    let list = students::of_family(&state.pool, family).await?;
    let info = info_text(q.info.as_deref());
    Ok(views::home(&ctx, &user.display_name(), &list, info))
}
