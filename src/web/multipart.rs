//! Upload forms (`multipart/form-data`) read in one place: their text fields, each bounded,
//! and one file, read in chunks, kept up to `domain::upload::MAX_BYTES` and counted up to
//! `HARD_CAP` (the body limit of `limits.rs` stops anything larger). The file's content is
//! then checked off the async workers (`checked_file`). The CSRF token of an upload form
//! travels in its action's query string and is checked before the body is read.

use std::collections::HashMap;

use poem::web::Multipart;
use tokio::io::AsyncReadExt;

use crate::domain::upload::{self, FileType, MAX_BYTES};

/// Past this, the rest of a file is not even counted: it is refused as "over 20 Mo".
pub const HARD_CAP: usize = 20 * 1024 * 1024;
/// The largest text field of an upload form (a message, a reason).
pub const FIELD_BYTES: usize = 16 * 1024;

const INTERRUPTED: &str = "L'envoi a été interrompu : recommencez.";

/// A file as sent.
#[derive(Default)]
pub struct FilePart {
    /// The name the browser gave (for display, once made safe).
    pub name: String,
    /// The first `MAX_BYTES` bytes.
    pub bytes: Vec<u8>,
    /// The bytes sent, counted up to `HARD_CAP`.
    pub size: usize,
    /// Over `HARD_CAP`: the rest was not read.
    pub truncated: bool,
}

/// What an upload form sent.
#[derive(Default)]
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    /// The file field, when the form had one (possibly empty: no file chosen).
    pub file: Option<FilePart>,
}

impl UploadForm {
    /// A text field, or "" when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Reads an upload form whose file is the field `file_field`.
pub async fn read(multipart: Multipart, file_field: &str) -> Result<UploadForm, String> {
    let (mut form, mut files) = read_all(multipart, |name| name == file_field).await?;
    form.file = files.pop().map(|(_, part)| part);
    Ok(form)
}

/// Reads an upload form with several file fields (each name for which `is_file` holds),
/// returned in the order sent.
pub async fn read_files(
    multipart: Multipart,
    is_file: impl Fn(&str) -> bool,
) -> Result<(UploadForm, Vec<(String, FilePart)>), String> {
    read_all(multipart, is_file).await
}

async fn read_all(
    mut multipart: Multipart,
    is_file: impl Fn(&str) -> bool,
) -> Result<(UploadForm, Vec<(String, FilePart)>), String> {
    let mut out = UploadForm::default();
    let mut files = Vec::new();
    let mut total = 0usize;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| INTERRUPTED.to_owned())?
    {
        let name = field.name().unwrap_or("").to_owned();
        if is_file(&name) {
            let mut part = FilePart {
                name: field.file_name().unwrap_or("").to_owned(),
                ..FilePart::default()
            };
            let mut reader = field.into_async_read();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = reader
                    .read(&mut buf)
                    .await
                    .map_err(|_| INTERRUPTED.to_owned())?;
                if n == 0 {
                    break;
                }
                part.size += n;
                if part.size <= MAX_BYTES {
                    part.bytes.extend_from_slice(&buf[..n]);
                }
                if part.size > HARD_CAP {
                    part.truncated = true;
                    break;
                }
            }
            total += part.size;
            // All files together are bounded as one would be.
            part.truncated |= total > HARD_CAP;
            let truncated = part.truncated;
            files.push((name, part));
            if truncated {
                break;
            }
        } else {
            let mut text = Vec::new();
            field
                .into_async_read()
                .take(FIELD_BYTES as u64 + 1)
                .read_to_end(&mut text)
                .await
                .map_err(|_| INTERRUPTED.to_owned())?;
            if text.len() > FIELD_BYTES {
                return Err("Envoi illisible : un champ du formulaire est trop long.".to_owned());
            }
            out.fields
                .insert(name, String::from_utf8_lossy(&text).into_owned());
        }
    }
    Ok((out, files))
}

/// A file that passed every check: its type, a name safe to show, its bytes.
pub struct CheckedFile {
    pub kind: FileType,
    pub display_name: String,
    pub bytes: Vec<u8>,
}

/// The optional file of a form, checked as the re-enrolment's documents are (2 Mo, JPEG, PNG
/// or PDF by content, no polyglot, no active PDF): `Ok(None)` when no file was chosen, the
/// reason (in French, for the field) when it is refused.
pub async fn checked_file(part: Option<FilePart>) -> Result<Option<CheckedFile>, String> {
    let Some(part) = part else {
        return Ok(None);
    };
    if part.size == 0 && part.name.is_empty() {
        return Ok(None);
    }
    if part.truncated {
        return Err("Le fichier dépasse 20 Mo ; la taille maximale est 2 Mo.".to_owned());
    }
    if part.size > MAX_BYTES {
        return Err(upload::too_big(part.size));
    }
    // Parsing a PDF and bounding its streams is CPU work: off the async workers.
    let FilePart { name, bytes, .. } = part;
    let (kind, bytes) = tokio::task::spawn_blocking(move || (upload::check(&bytes), bytes))
        .await
        .map_err(|_| INTERRUPTED.to_owned())?;
    let kind = kind?;
    Ok(Some(CheckedFile {
        kind,
        display_name: upload::display_name(&name, kind),
        bytes,
    }))
}
