//! Uploaded documents: at most 2 Mo, JPEG, PNG or PDF recognised from their content (not
//! their name), refused when they look like something else too (polyglots), and a file
//! name safe to show.

/// The largest document accepted: 2 Mo (2 × 1 048 576 bytes).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
const MEGABYTE: f64 = 1_048_576.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Pdf => "application/pdf",
        }
    }

    pub fn from_content_type(ct: &str) -> Option<Self> {
        match ct {
            "image/jpeg" => Some(FileType::Jpeg),
            "image/png" => Some(FileType::Png),
            "application/pdf" => Some(FileType::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Pdf => "pdf",
        }
    }
}

pub const NOT_ACCEPTED: &str = "Ce fichier n'est pas une image JPEG ou PNG ni un PDF.";

fn tail(bytes: &[u8], n: usize) -> &[u8] {
    &bytes[bytes.len().saturating_sub(n)..]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// What the file is, from its bytes. Refuses empty files, other types, truncated files and
/// files that are also something a browser would run (HTML, script, SVG, PHP).
pub fn check(bytes: &[u8]) -> Result<FileType, String> {
    if bytes.is_empty() {
        return Err("Le fichier est vide.".to_owned());
    }
    if bytes.len() > MAX_BYTES {
        return Err(too_big(bytes.len()));
    }
    let kind = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        if !tail(bytes, 1024).windows(2).any(|w| w == [0xFF, 0xD9]) {
            return Err("Cette image JPEG est incomplète : envoyez-la de nouveau.".to_owned());
        }
        FileType::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        if !contains(tail(bytes, 64), b"IEND") {
            return Err("Cette image PNG est incomplète : envoyez-la de nouveau.".to_owned());
        }
        FileType::Png
    } else if bytes.starts_with(b"%PDF-") {
        if !contains(tail(bytes, 2048), b"%%EOF") {
            return Err("Ce PDF est incomplet : envoyez-le de nouveau.".to_owned());
        }
        if contains(bytes, b"/JavaScript") || contains(bytes, b"/JS ") || contains(bytes, b"/JS(") {
            return Err(
                "Ce PDF contient du JavaScript : enregistrez-le de nouveau en PDF simple (« Imprimer » › « Enregistrer au format PDF »)."
                    .to_owned(),
            );
        }
        FileType::Pdf
    } else {
        return Err(NOT_ACCEPTED.to_owned());
    };
    // A polyglot: a valid image or PDF that a browser could also read as a page or script.
    let head = &bytes[..bytes.len().min(4096)];
    for marker in [&b"<html"[..], b"<script", b"<svg", b"<?php", b"<!doctype"] {
        if contains(head, marker) {
            return Err(format!(
                "{NOT_ACCEPTED} Son contenu mêle un autre format (page web ou script)."
            ));
        }
    }
    Ok(kind)
}

/// "Le fichier fait 2,4 Mo ; la taille maximale est 2 Mo." (rounded up, so 2 Mo and one
/// byte never reads "2,0 Mo").
pub fn too_big(size: usize) -> String {
    let tenths = ((size as f64) * 10.0 / MEGABYTE).ceil() as u64;
    format!(
        "Le fichier fait {},{} Mo ; la taille maximale est 2 Mo.",
        tenths / 10,
        tenths % 10
    )
}

/// A size in Mo with two decimals, French style: 367 001 bytes → "0,35".
pub fn megabytes(size: i64) -> String {
    let hundredths = ((size as f64) * 100.0 / MEGABYTE).round() as i64;
    format!("{},{:02}", hundredths / 100, hundredths % 100)
}

/// The name to show for an uploaded file: no folders, no control characters, at most 100
/// characters, never empty. The file itself is never stored under this name.
pub fn display_name(raw: &str, kind: FileType) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut name: String = cleaned.chars().take(100).collect();
    if name.is_empty() {
        name = format!("document.{}", kind.extension());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf() -> Vec<u8> {
        b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec()
    }

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(check(&pdf()), Ok(FileType::Pdf));
        let png = [
            b"\x89PNG\r\n\x1a\n".as_slice(),
            b"....IHDR....",
            b"\0\0\0\0IEND\xaeB`\x82",
        ]
        .concat();
        assert_eq!(check(&png), Ok(FileType::Png));
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"JFIF data", &[0xFF, 0xD9]].concat();
        assert_eq!(check(&jpeg), Ok(FileType::Jpeg));
        assert_eq!(check(b"hello, I am text").unwrap_err(), NOT_ACCEPTED);
        assert_eq!(check(b"").unwrap_err(), "Le fichier est vide.");
        assert!(
            check(b"%PDF-1.4 truncated")
                .unwrap_err()
                .contains("incomplet")
        );
    }

    #[test]
    fn polyglots_and_scripted_pdfs_are_refused() {
        let mut p = pdf();
        p.splice(9..9, b"<script>alert(1)</script>".iter().copied());
        assert!(check(&p).unwrap_err().contains("page web ou script"));
        let js =
            b"%PDF-1.7\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF".to_vec();
        assert!(check(&js).unwrap_err().contains("JavaScript"));
    }

    #[test]
    fn sizes_are_said_in_mo() {
        assert_eq!(
            too_big(2_500_000),
            "Le fichier fait 2,4 Mo ; la taille maximale est 2 Mo."
        );
        assert_eq!(
            too_big(MAX_BYTES + 1),
            "Le fichier fait 2,1 Mo ; la taille maximale est 2 Mo."
        );
        assert_eq!(megabytes(367_001), "0,35");
        assert_eq!(megabytes(2_097_152), "2,00");
    }

    #[test]
    fn names_lose_their_folders_and_controls() {
        assert_eq!(display_name("../../etc/passwd", FileType::Pdf), "passwd");
        assert_eq!(
            display_name("C:\\Users\\moi\\photo.jpg", FileType::Jpeg),
            "photo.jpg"
        );
        assert_eq!(display_name("a\u{0}b\nc.pdf", FileType::Pdf), "abc.pdf");
        assert_eq!(display_name("..", FileType::Png), "document.png");
        assert_eq!(display_name("", FileType::Pdf), "document.pdf");
    }
}
