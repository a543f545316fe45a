//! Cross-cutting HTTP: the request context (session, CSRF), the page shell, form
//! components, security headers, rate limits, static assets and error pages.

pub mod assets;
pub mod components;
pub mod context;
pub mod errors;
pub mod headers;
pub mod layout;
pub mod log;
pub mod rate_limit;
pub mod session;

pub use context::{Ctx, CurrentUser, FamilyUser, StaffUser};
pub use errors::{AppError, AppResult};

use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};

/// Post/redirect/get: the answer to a successful POST.
pub fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .finish()
}

/// A page re-rendered after a failed POST keeps what was typed and says why.
pub fn unprocessable(page: maud::Markup) -> Response {
    page.with_status(StatusCode::UNPROCESSABLE_ENTITY)
        .into_response()
}

/// A local path safe to redirect to (no scheme, no `//host`, no backslash tricks).
pub fn safe_return_path(raw: &str) -> &str {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control);
    if ok { raw } else { "/" }
}
