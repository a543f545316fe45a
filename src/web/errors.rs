//! The application error type. Handlers return `AppResult<T>`: `?` on any database,
//! mail or internal error logs its whole chain and shows the family a calm page (the
//! context middleware renders it in the page shell); `AppError::Response` carries an
//! early answer such as a redirect to the login page; `NotFound` and `BadRequest` are the
//! two statuses handlers answer themselves (rendered as pages by the context middleware).
//!
//! Which error where: stores return `sqlx::Result`; handlers and the functions they call
//! return `AppResult`, adding context (`anyhow::Context`) to what fails inside so that a
//! log line says what was being done.

use poem::{IntoResponse, Response, http::StatusCode};

pub type AppResult<T> = Result<T, AppError>;

pub enum AppError {
    /// Something failed inside; logged, never shown.
    Internal(anyhow::Error),
    /// No such page, or not this user's (the same answer, so nothing is revealed).
    NotFound,
    /// A request no form of the portal sends.
    BadRequest,
    /// A complete answer to send as is.
    Response(Box<Response>),
}

impl<E: Into<anyhow::Error>> From<E> for AppError {
    fn from(e: E) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<AppError> for poem::Error {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "request failed");
                poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR)
            }
            AppError::NotFound => poem::Error::from_status(StatusCode::NOT_FOUND),
            AppError::BadRequest => poem::Error::from_status(StatusCode::BAD_REQUEST),
            AppError::Response(resp) => poem::Error::from_response(*resp),
        }
    }
}

impl AppError {
    pub fn response(r: impl IntoResponse) -> Self {
        AppError::Response(Box::new(r.into_response()))
    }
}
