//! `Ids<N>`: the route's N numeric ids (`/eleves/:id/cours/:rid`), in order. Anything
//! that is not an id answers 404 like an id that does not exist, before the handler runs.

use poem::web::Path;
use poem::{FromRequest, Request, RequestBody};

use super::AppError;

pub struct Ids<const N: usize>(pub [i64; N]);

impl<'a, const N: usize> FromRequest<'a> for Ids<N> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let not_found = || poem::Error::from(AppError::NotFound);
        let Path(raw) = Path::<Vec<String>>::from_request(req, body)
            .await
            .map_err(|_| not_found())?;
        let parsed: Vec<i64> = raw
            .iter()
            .map(|r| r.parse::<i64>().ok().filter(|n| *n > 0))
            .collect::<Option<_>>()
            .ok_or_else(not_found)?;
        let ids: [i64; N] = parsed.try_into().map_err(|_| not_found())?;
        Ok(Ids(ids))
    }
}

/// One id: `Id(pid): Id`.
pub type Id = Ids<1>;
