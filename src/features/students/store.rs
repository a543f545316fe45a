//! SQL of the students feature. Every query is scoped by the session's family.

use crate::db::Pool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Student {
    pub person_id: i64,
    pub civility: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Option<String>,
}

impl Student {
    /// "ABARRE Irina", as the manual lists students.
    pub fn name(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
    }
}

/// The students of one family, in a stable order.
pub async fn of_family(pool: &Pool, family_id: i64) -> sqlx::Result<Vec<Student>> {
    sqlx::query_as(
        "select person_id, civility, last_name, first_name, birth_date from person \
         where family_id = $1 and is_student = 1 order by first_name, person_id",
    )
    .bind(family_id)
    .fetch_all(pool)
    .await
}

/// One student, only if they belong to `family_id`.
pub async fn one(pool: &Pool, family_id: i64, person_id: i64) -> sqlx::Result<Option<Student>> {
    sqlx::query_as(
        "select person_id, civility, last_name, first_name, birth_date from person \
         where family_id = $1 and person_id = $2 and is_student = 1",
    )
    .bind(family_id)
    .bind(person_id)
    .fetch_optional(pool)
    .await
}
