//! The application error type. Handlers return `AppResult<T>`: `?` on any database,
//! mail or internal error logs its whole chain and shows the family a calm page (the
//! context middleware renders it in the page shell); `AppError::Response` carries an
//! early answer such as a redirect to the login page.

use poem::{IntoResponse, Response, http::StatusCode};

pub type AppResult<T> = Result<T, AppError>;

pub enum AppError {
    /// Something failed inside; logged, never shown.
    Internal(anyhow::Error),
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
            AppError::Response(resp) => poem::Error::from_response(*resp),
        }
    }
}

impl AppError {
    pub fn response(r: impl IntoResponse) -> Self {
        AppError::Response(Box::new(r.into_response()))
    }
}
