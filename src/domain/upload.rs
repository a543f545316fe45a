//! Uploaded documents: at most 2 Mo, JPEG, PNG or PDF recognised from their content (not
//! their name), refused when they look like something else too (polyglots, anywhere in
//! the file) or, for a PDF, when it holds code, actions or a compression bomb
//! (`pdf_check`); and a file name safe to show, whose extension is the detected type's.

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
        FileType::Pdf
    } else {
        return Err(NOT_ACCEPTED.to_owned());
    };
    // A polyglot: a valid image or PDF that a browser could also read as a page or script,
    // wherever in the file it hides.
    if let Some(marker) = polyglot_marker(bytes) {
        tracing::warn!(
            marker,
            "upload refused: it also reads as a page or a script"
        );
        return Err(format!(
            "{NOT_ACCEPTED} Son contenu mêle un autre format (page web ou script)."
        ));
    }
    if kind == FileType::Pdf {
        use super::pdf_check::Refusal;
        let again = "enregistrez-le de nouveau en PDF simple (« Imprimer » › « Enregistrer au format PDF »), puis importez-le.";
        match super::pdf_check::check(bytes) {
            Ok(()) => {}
            Err(Refusal::Active(name)) => {
                return Err(format!(
                    "Ce PDF contient du JavaScript ou une action automatique (/{name}) : {again}"
                ));
            }
            Err(Refusal::Bomb) => {
                return Err(format!(
                    "Ce PDF contient des données compressées démesurées : {again}"
                ));
            }
            Err(Refusal::Encrypted) => {
                return Err(
                    "Ce PDF est protégé par un mot de passe : enregistrez-en une copie sans protection, puis importez-la."
                        .to_owned(),
                );
            }
            Err(Refusal::Unreadable) => {
                return Err(format!("Ce PDF est abîmé et n'a pas pu être lu : {again}"));
            }
        }
    }
    Ok(kind)
}

/// The first tag a browser would read as a page or script, anywhere in the file.
fn polyglot_marker(bytes: &[u8]) -> Option<&'static str> {
    // Each marker is followed by what ends a tag name, so that binary image data, which
    // holds any short run of bytes, is not taken for a tag by chance.
    const MARKERS: &[&str] = &[
        "<html",
        "<script",
        "<svg",
        "<?php",
        "<!doctype",
        "<iframe",
        "<object",
        "<embed",
        "<body",
        "<meta",
        "<?xml-stylesheet",
    ];
    let ends_tag = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace() || b"/>".contains(b));
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'<')
        .find_map(|(i, _)| {
            MARKERS.iter().copied().find(|m| {
                bytes
                    .get(i..i + m.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(m.as_bytes()))
                    && (m.starts_with("<?") || ends_tag(bytes.get(i + m.len())))
            })
        })
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

/// Unicode format characters (general category Cf): bidirectional overrides such as
/// U+202E, which makes `facture\u{202E}gpj.exe` display as "factureexe.jpg", zero-width
/// characters, and the like.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// The name to show for an uploaded file: no folders, no control or format characters
/// (bidirectional overrides), at most 100 characters, never empty, and the extension of
/// the type detected from the content, whatever the name said (`facture.html` →
/// `facture.pdf`). The file itself is never stored under this name.
pub fn display_name(raw: &str, kind: FileType) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control()
                && !is_format(*c)
                && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':')
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    // The name's own extension goes (a short run of letters or digits after the last dot).
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, ext))
            if !stem.trim().is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => cleaned,
    };
    let stem: String = stem.chars().take(95).collect();
    let stem = stem.trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "document" } else { stem };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf() -> Vec<u8> {
        crate::domain::pdf_check::sample("", &[])
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
        // After the first 4 KB too, in an image.
        let mut png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0x42; 8000]].concat();
        png.extend_from_slice(b"<HTML><body onload=alert(1)>");
        png.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
        assert!(check(&png).unwrap_err().contains("page web ou script"));
        // A short run of bytes that merely starts like a tag is not one.
        let mut jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"<svgx <bodyguard"].concat();
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        assert_eq!(check(&jpeg), Ok(FileType::Jpeg));
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
        assert_eq!(
            display_name("../../etc/passwd", FileType::Pdf),
            "passwd.pdf"
        );
        assert_eq!(
            display_name("C:\\Users\\moi\\photo.jpg", FileType::Jpeg),
            "photo.jpg"
        );
        assert_eq!(display_name("a\u{0}b\nc.pdf", FileType::Pdf), "abc.pdf");
        assert_eq!(display_name("..", FileType::Png), "document.png");
        assert_eq!(display_name("", FileType::Pdf), "document.pdf");
    }

    #[test]
    fn the_extension_is_the_detected_types_and_bidi_tricks_go() {
        assert_eq!(display_name("invoice.html", FileType::Pdf), "invoice.pdf");
        assert_eq!(display_name("photo.JPEG", FileType::Jpeg), "photo.jpg");
        assert_eq!(display_name("scan", FileType::Png), "scan.png");
        // Displayed as "factureexe.jpg" with the override; stored as what it is.
        assert_eq!(
            display_name("facture\u{202E}gpj.exe", FileType::Jpeg),
            "facturegpj.jpg"
        );
        assert_eq!(
            display_name("a\u{200B}b\u{2066}c.pdf", FileType::Pdf),
            "abc.pdf"
        );
        assert_eq!(
            display_name("relevé 2026.v2.pdf", FileType::Pdf),
            "relevé 2026.v2.pdf"
        );
        assert_eq!(display_name(".htaccess", FileType::Pdf), "htaccess.pdf");
    }
}
