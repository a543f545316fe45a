//! Handlers of Accueil: the family's dashboard. Each block reads what it shows; a block with
//! nothing to say is left out.

use std::sync::Arc;

use poem::web::{Data, Query};
use poem::{Response, handler};
use serde::Deserialize;
use time::Duration;

use super::store;
use super::views::{self, Dashboard, Enrolment, WeekLesson};
use crate::features::auth::info_text;
use crate::features::messages::store::{self as messages, Reader, Shown};
use crate::features::pedagogy::store as pedagogy;
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
    let pool = &state.pool;
    let site = user.site_id;
    let today = crate::domain::date::today();
    let today_iso = crate::domain::date::iso(today);
    let list = students::of_family(pool, family).await?;

    let unpaid = store::unpaid(pool, family).await?;
    let balance = store::balance(pool, family).await?;
    let waiting = store::waiting(pool, family).await?;

    // The re-enrolment, while a campaign is open: where each student stands.
    let mut enrolment = Vec::new();
    let campaign = if user.reenrolment_open {
        crate::features::reenrolment::store::open_campaign(pool, site, &today_iso).await?
    } else {
        None
    };
    if let Some(c) = &campaign {
        for s in &list {
            let r = crate::features::reenrolment::store::request(
                pool,
                c.campaign_id,
                family,
                s.person_id,
            )
            .await?;
            enrolment.push(Enrolment {
                person_id: s.person_id,
                student: s.first_name.clone(),
                status: r.map(|r| r.status),
            });
        }
    }

    // This week's lessons, Monday to Sunday, days without lessons marked.
    let monday = today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
    let mut week = Vec::new();
    if let Some(y) = pedagogy::current_year(pool, site, &today_iso).await? {
        let lessons = pedagogy::lessons(pool, family, y.school_year_id).await?;
        if !lessons.is_empty() {
            let off = crate::features::calendar::store::days_off(pool, site, &y).await?;
            for l in lessons {
                let day = monday + Duration::days(l.weekday - 1);
                let in_year =
                    crate::domain::date::from_iso(&y.ends_on).is_none_or(|end| day <= end);
                if !in_year {
                    continue;
                }
                let off_label = off
                    .iter()
                    .find(|d| d.first <= day && day <= d.last)
                    .map(|d| d.label.clone());
                week.push(WeekLesson {
                    day,
                    lesson: l,
                    off: off_label,
                });
            }
            week.sort_by(|a, b| (a.day, &a.lesson.start_time).cmp(&(b.day, &b.lesson.start_time)));
        }
    }

    // What is new since the last visit (the login before this one).
    let since = store::previous_login(pool, user.account_id).await?;
    let recent = match since {
        Some(at) => {
            let day = crate::domain::date::paris(
                time::OffsetDateTime::from_unix_timestamp(at)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
            )
            .date();
            store::recent(pool, family, &crate::domain::date::iso(day)).await?
        }
        None => Vec::new(),
    };

    let unread: Vec<_> = messages::list(pool, Reader::Family(family), "", Shown::All)
        .await?
        .into_iter()
        .filter(|t| t.unread > 0)
        .collect();
    let mut notices =
        crate::features::news::store::for_family(pool, family, site, &today_iso).await?;
    notices.truncate(3);

    let info = info_text(q.info.as_deref());
    Ok(views::home(
        &ctx,
        &Dashboard {
            name: &user.display_name(),
            students: &list,
            info,
            balance,
            unpaid: &unpaid,
            waiting: &waiting,
            campaign: campaign.as_ref().map(|c| c.year_label.as_str()),
            enrolment: &enrolment,
            week: &week,
            monday,
            recent: &recent,
            since,
            unread: &unread,
            notices: &notices,
        },
    ))
}
