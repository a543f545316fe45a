//! The `site` table (one row a school): the one store that reads a school's identity. The
//! accessibility statement's settings are read and written by their own feature.

use crate::db::Pool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Site {
    pub site_id: i64,
    pub slug: String,
    pub name: String,
    /// « non conforme », « partiellement conforme »… (every footer shows it).
    pub a11y_status: String,
}

/// Every hosted school, by name (pages use the copy kept in `web::schools`).
pub async fn sites(pool: &Pool) -> sqlx::Result<Vec<Site>> {
    sqlx::query_as("select site_id, slug, name, a11y_status from site order by name")
        .fetch_all(pool)
        .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct School {
    pub name: String,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub payfip_numcli: Option<String>,
    /// Where families' questions (and staff notices) go.
    pub contact_email: Option<String>,
}

pub async fn school(pool: &Pool, site_id: i64) -> sqlx::Result<School> {
    sqlx::query_as(
        "select name, address, postal_code, city, phone, payfip_numcli, contact_email from site where site_id = $1",
    )
    .bind(site_id)
    .fetch_one(pool)
    .await
}

/// A school's name.
pub async fn name(pool: &Pool, site_id: i64) -> sqlx::Result<String> {
    let (name,): (String,) = sqlx::query_as("select name from site where site_id = $1")
        .bind(site_id)
        .fetch_one(pool)
        .await?;
    Ok(name)
}

/// The school of a short name (`portee import --site`, `portee accounts invite --site`).
pub async fn by_slug(pool: &Pool, slug: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("select site_id from site where slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.0))
}
