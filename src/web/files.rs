//! Files families and staff send (documents, attachments), served back: always as a
//! download, with the type their content was checked to be, never sniffed nor run.

use poem::http::header;
use poem::{IntoResponse, Response};

/// A file kept in the database (at most 2 Mo: every instance serves it).
#[derive(Debug, sqlx::FromRow)]
pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    #[sqlx(rename = "content")]
    pub bytes: Vec<u8>,
}

/// A stored file: always a download, with its checked type, never sniffed or run.
pub fn file_response(file: StoredFile) -> Response {
    // RFC 6266: an ASCII fallback, and the real name percent-encoded (RFC 8187).
    const ATTR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    let ascii: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(&file.file_name, ATTR);
    file.bytes
        .with_content_type(file.content_type)
        .with_header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        )
        .with_header(header::CACHE_CONTROL, "private, no-store")
        .with_header("content-security-policy", "sandbox; default-src 'none'")
        .into_response()
}
