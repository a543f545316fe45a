//! What a PDF sent by a family may not hold: anything a reader would run or open
//! (JavaScript, launch and submit actions, embedded files, an action on opening) and
//! compressed data that inflates without bound. Three passes:
//!
//! 1. Every stream is inflated (Flate, LZW, ASCII85, up to `MAX_LAYERS` layers) into a
//!    counting sink, within `STREAM_BUDGET` per stream and `FILE_BUDGET` per file: a file
//!    that would inflate beyond is refused. Nothing is ever inflated beyond these bounds,
//!    here or in pass 3 (which inflates a subset of what pass 1 did).
//! 2. The names of the raw file and of every inflated stream (object streams included) are
//!    read with their `#xx` escapes decoded (`/J#61vaScript` is `/JavaScript`).
//! 3. The file is parsed with lopdf: every object, object streams included, is walked;
//!    `/OpenAction` is refused when it is an action (a destination is fine).

use std::io::Read;

use lopdf::{Document, Object};

/// The most a single stream may inflate to (a scanned A4 page in colour is about 26 MB).
pub const STREAM_BUDGET: usize = 64 * 1024 * 1024;
/// The most all streams of a file together may inflate to.
pub const FILE_BUDGET: usize = 256 * 1024 * 1024;
/// Inflated data kept to look into (its names, another layer): larger is only counted.
const KEEP: usize = 8 * 1024 * 1024;
/// Filters applied on top of each other, at most.
const MAX_LAYERS: usize = 4;

/// Names that mean code, an external program, a form sent somewhere, or an attachment.
const FORBIDDEN_NAMES: &[&str] = &[
    "JavaScript",
    "JS",
    "Launch",
    "AA",
    "SubmitForm",
    "ImportData",
    "GoToR",
    "GoToE",
    "RichMedia",
    "RichMediaExecute",
    "EmbeddedFile",
    "EmbeddedFiles",
    "XFA",
    "Rendition",
];

/// Why a PDF is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Code or an action (its name).
    Active(String),
    /// Inflates beyond the bounds.
    Bomb,
    Encrypted,
    Unreadable,
}

/// Checks a PDF (at most 2 Mo, already known to start with `%PDF-`).
pub fn check(bytes: &[u8]) -> Result<(), Refusal> {
    let mut budget = FILE_BUDGET;
    let mut inflated: Vec<Vec<u8>> = Vec::new();
    let streams = stream_starts(bytes);
    for &start in &streams {
        probe(&bytes[start..], 1, &mut budget, &mut inflated)?;
    }
    // The file's syntax (stream data left out: binary data holds anything), and what
    // inflated to text (object streams; images and fonts are binary).
    let mut syntax: Vec<&[u8]> = Vec::new();
    let mut from = 0;
    for &start in &streams {
        if start < from {
            continue;
        }
        syntax.push(&bytes[from..start]);
        from = find(&bytes[start..], b"endstream").map_or(bytes.len(), |e| start + e);
    }
    syntax.push(&bytes[from..]);
    let texts = inflated.iter().map(Vec::as_slice).filter(|d| is_text(d));
    for data in syntax.into_iter().chain(texts) {
        if let Some(name) = names(data).find(|n| FORBIDDEN_NAMES.contains(&n.as_str())) {
            return Err(Refusal::Active(name));
        }
    }
    structure(bytes)
}

/// Pass 3: the parsed document, every object (object streams' included) walked.
fn structure(bytes: &[u8]) -> Result<(), Refusal> {
    let doc = Document::load_mem(bytes).map_err(|_| Refusal::Unreadable)?;
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        return Err(Refusal::Encrypted);
    }
    for object in doc.objects.values() {
        walk(&doc, object, 0)?;
    }
    Ok(())
}

/// Does this look like PDF syntax rather than binary data (its first 4 KB printable)?
fn is_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(4096)];
    let printable = head
        .iter()
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    printable * 100 >= head.len() * 95
}

/// Where each stream's data starts: after `stream` and its end of line.
fn stream_starts(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = find(&bytes[i..], b"stream") {
        let at = i + pos;
        let after = at + b"stream".len();
        // Not the end of `endstream`.
        let is_end = at >= 3 && &bytes[at - 3..at] == b"end";
        if !is_end {
            match bytes.get(after..after + 2) {
                Some(b"\r\n") => out.push(after + 2),
                Some([b'\n', _]) | Some([b'\r', _]) => out.push(after + 1),
                _ => {}
            }
        }
        i = after;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Tries every decoder on `data`; what decodes is counted against the budgets, kept when
/// small enough, and tried again (another layer).
fn probe(
    data: &[u8],
    layer: usize,
    budget: &mut usize,
    inflated: &mut Vec<Vec<u8>>,
) -> Result<(), Refusal> {
    let decoders: [fn(&[u8], &mut Sink) -> bool; 3] = [inflate, lzw, ascii85];
    for decode in decoders {
        let mut sink = Sink::new((*budget).min(STREAM_BUDGET));
        let decoded = decode(data, &mut sink);
        if sink.over {
            return Err(Refusal::Bomb);
        }
        if !decoded || sink.total < 16 {
            continue;
        }
        *budget -= sink.total;
        if layer >= MAX_LAYERS {
            // A fifth layer that still decodes: nothing a PDF writer makes.
            return Err(Refusal::Bomb);
        }
        match sink.kept {
            Some(kept) => {
                probe(&kept, layer + 1, budget, inflated)?;
                inflated.push(kept);
            }
            // Too large to keep: it may not be compressed once more.
            None if sink.head.starts_with(&[0x78]) => return Err(Refusal::Bomb),
            None => {}
        }
    }
    Ok(())
}

/// Where decoded bytes go: counted, kept up to `KEEP`, refused beyond `limit`.
struct Sink {
    limit: usize,
    total: usize,
    kept: Option<Vec<u8>>,
    head: Vec<u8>,
    over: bool,
}

impl Sink {
    fn new(limit: usize) -> Self {
        Sink {
            limit,
            total: 0,
            kept: Some(Vec::new()),
            head: Vec::new(),
            over: false,
        }
    }

    /// Takes decoded bytes; false once over the limit (the decoder stops).
    fn take(&mut self, bytes: &[u8]) -> bool {
        self.total += bytes.len();
        if self.head.len() < 2 {
            self.head.extend(bytes.iter().take(2 - self.head.len()));
        }
        if self.total > self.limit {
            self.over = true;
            self.kept = None;
            return false;
        }
        if self.total > KEEP {
            self.kept = None;
        } else if let Some(k) = self.kept.as_mut() {
            k.extend_from_slice(bytes);
        }
        true
    }
}

/// zlib (`/FlateDecode`): only data with a zlib header is tried.
fn inflate(data: &[u8], sink: &mut Sink) -> bool {
    let header_ok = data.len() >= 2
        && data[0] & 0x0f == 8
        && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
    if !header_ok {
        return false;
    }
    let mut decoder = flate2::read::ZlibDecoder::new(data);
    let mut buf = vec![0u8; 64 * 1024];
    let mut any = false;
    loop {
        match decoder.read(&mut buf) {
            Ok(0) => return any,
            Ok(n) => {
                any = true;
                if !sink.take(&buf[..n]) {
                    return true;
                }
            }
            // A truncated or corrupt stream: what came out still counts.
            Err(_) => return any,
        }
    }
}

/// `/LZWDecode` (PDF's default: MSB first, early change).
fn lzw(data: &[u8], sink: &mut Sink) -> bool {
    let mut decoder = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    let mut buf = vec![0u8; 64 * 1024];
    let mut input = data;
    let mut any = false;
    loop {
        let r = decoder.decode_bytes(input, &mut buf);
        input = &input[r.consumed_in..];
        if r.consumed_out > 0 {
            any = true;
            if !sink.take(&buf[..r.consumed_out]) {
                return true;
            }
        }
        match r.status {
            Ok(weezl::LzwStatus::Ok) if r.consumed_in > 0 || r.consumed_out > 0 => {}
            _ => return any,
        }
    }
}

/// `/ASCII85Decode`: only data that is ASCII85 from its first byte is tried.
fn ascii85(data: &[u8], sink: &mut Sink) -> bool {
    let mut group = [0u32; 5];
    let mut n = 0;
    let mut out = Vec::with_capacity(4096);
    let mut any = false;
    for &b in data {
        match b {
            b'~' => break,
            b if b.is_ascii_whitespace() => continue,
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = u32::from(b - b'!');
                n += 1;
                if n == 5 {
                    let v = group.iter().fold(0u64, |acc, d| acc * 85 + u64::from(*d));
                    out.extend_from_slice(&(v as u32).to_be_bytes());
                    n = 0;
                }
            }
            _ => return false,
        }
        if out.len() >= 4096 {
            any = true;
            if !sink.take(&out) {
                return true;
            }
            out.clear();
        }
    }
    if !out.is_empty() {
        any = true;
        sink.take(&out);
    }
    any
}

/// Every name (`/Name`) in `data`, its `#xx` escapes decoded.
fn names(data: &[u8]) -> impl Iterator<Item = String> + '_ {
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%\0".contains(&b);
    data.iter().enumerate().filter_map(move |(i, &b)| {
        if b != b'/' {
            return None;
        }
        let raw: Vec<u8> = data[i + 1..]
            .iter()
            .take(128)
            .take_while(|c| !delimiter(**c))
            .copied()
            .collect();
        if raw.is_empty() {
            return None;
        }
        let mut name = Vec::with_capacity(raw.len());
        let mut j = 0;
        while j < raw.len() {
            if raw[j] == b'#'
                && let Some(hex) = raw.get(j + 1..j + 3)
                && let Ok(v) = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("zz"), 16)
            {
                name.push(v);
                j += 3;
            } else {
                name.push(raw[j]);
                j += 1;
            }
        }
        Some(String::from_utf8_lossy(&name).into_owned())
    })
}

/// Looks into one object (dictionaries, arrays, stream dictionaries) for forbidden keys,
/// forbidden action types and an action on opening.
fn walk(doc: &Document, object: &Object, depth: usize) -> Result<(), Refusal> {
    if depth > 64 {
        return Ok(());
    }
    match object {
        Object::Dictionary(d) => dictionary(doc, d, depth),
        Object::Stream(s) => dictionary(doc, &s.dict, depth),
        Object::Array(items) => {
            for item in items {
                walk(doc, item, depth + 1)?;
            }
            Ok(())
        }
        Object::Name(n) => forbidden(n),
        _ => Ok(()),
    }
}

fn forbidden(name: &[u8]) -> Result<(), Refusal> {
    let name = String::from_utf8_lossy(name);
    if FORBIDDEN_NAMES.contains(&name.as_ref()) {
        return Err(Refusal::Active(name.into_owned()));
    }
    Ok(())
}

fn dictionary(doc: &Document, d: &lopdf::Dictionary, depth: usize) -> Result<(), Refusal> {
    for (key, value) in d.iter() {
        forbidden(key)?;
        if key.as_slice() == b"OpenAction" {
            let target = match value {
                Object::Reference(id) => doc.get_object(*id).ok(),
                other => Some(other),
            };
            if matches!(target, Some(Object::Dictionary(_))) {
                return Err(Refusal::Active("OpenAction".into()));
            }
        }
        walk(doc, value, depth + 1)?;
    }
    Ok(())
}

/// A small valid PDF (one empty page) with `extra` objects numbered from 4 and `catalog`
/// entries added to its catalog: what the tests build their attacks from.
pub fn sample(catalog: &str, extra: &[Vec<u8>]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
    ];
    objects.extend(extra.iter().cloned());
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A stream object holding `content` compressed with zlib.
pub fn deflated_stream(dict: &str, content: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(content).expect("in memory");
    let data = z.finish().expect("in memory");
    let mut out = format!(
        "<< {dict} /Filter /FlateDecode /Length {} >>\nstream\n",
        data.len()
    )
    .into_bytes();
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A stream object whose content is `megabytes` MB of zeros, deflated to a few hundred
/// kilobytes: the compression bomb of the tests.
pub fn bomb(dict: &str, megabytes: usize) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..megabytes {
        z.write_all(&zeros).expect("in memory");
    }
    let data = z.finish().expect("in memory");
    let mut out = format!(
        "<< {dict} /Filter /FlateDecode /Length {} >>\nstream\n",
        data.len()
    )
    .into_bytes();
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_pdf_passes() {
        assert_eq!(check(&sample("", &[])), Ok(()));
        // A destination on opening is not an action.
        assert_eq!(check(&sample("/OpenAction [3 0 R /Fit]", &[])), Ok(()));
        let content = deflated_stream("", b"BT /F1 12 Tf (Bonjour) Tj ET");
        assert_eq!(check(&sample("", &[content])), Ok(()));
    }

    #[test]
    fn escaped_and_hidden_names_are_found() {
        for (catalog, extra) in [
            (
                "/OpenAction 4 0 R",
                b"<< /S /J#61vaScript /JS (app.alert(1)) >>".to_vec(),
            ),
            ("/Names 4 0 R", b"<< /#4A#53 (app.alert(1)) >>".to_vec()),
            (
                "/OpenAction 4 0 R",
                b"<< /S /Launch /F (cmd.exe) >>".to_vec(),
            ),
        ] {
            assert!(matches!(
                check(&sample(catalog, &[extra])),
                Err(Refusal::Active(_))
            ));
        }
        // An action on opening, even a harmless-looking one.
        let uri = b"<< /S /URI /URI (https://example.org/) >>".to_vec();
        assert_eq!(
            check(&sample("/OpenAction 4 0 R", &[uri])),
            Err(Refusal::Active("OpenAction".into()))
        );
    }

    #[test]
    fn javascript_inside_a_compressed_object_stream_is_found() {
        let inner = b"5 0 << /S /JavaScript /JS (app.alert(1)) >>";
        let objstm = deflated_stream("/Type /ObjStm /N 1 /First 4", inner);
        let pdf = sample("/OpenAction 5 0 R", &[objstm]);
        assert!(matches!(check(&pdf), Err(Refusal::Active(_))));
        // The parser alone finds it too (it reads the object stream).
        assert!(
            matches!(structure(&pdf), Err(Refusal::Active(_))),
            "{:?}",
            structure(&pdf)
        );
        let escaped = sample(
            "/OpenAction 4 0 R",
            &[b"<< /S /J#61vaScript /JS (x) >>".to_vec()],
        );
        assert!(matches!(structure(&escaped), Err(Refusal::Active(_))));
    }

    #[test]
    fn a_compression_bomb_is_refused_without_inflating_it() {
        // 300 MB of zeros in a few hundred kilobytes.
        let object = bomb("/Type /ObjStm /N 1 /First 4", 300);
        assert!(object.len() < 2 * 1024 * 1024);
        assert_eq!(
            check(&sample("", std::slice::from_ref(&object))),
            Err(Refusal::Bomb)
        );
        // The same hidden under a second layer of compression.
        let start = find(&object, b"stream\n").unwrap() + 7;
        let end = find(&object, b"\nendstream").unwrap();
        let twice = deflated_stream("/Type /XObject /Subtype /Image", &object[start..end]);
        assert_eq!(check(&sample("", &[twice])), Err(Refusal::Bomb));
    }

    #[test]
    fn unreadable_and_encrypted_files_are_refused() {
        assert_eq!(
            check(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"),
            Err(Refusal::Unreadable)
        );
        let mut enc = sample(
            "",
            &[b"<< /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >>".to_vec()],
        );
        let at = find(&enc, b"/Root 1 0 R").unwrap();
        enc.splice(at..at, b"/Encrypt 4 0 R ".iter().copied());
        assert!(matches!(
            check(&enc),
            Err(Refusal::Encrypted | Refusal::Unreadable)
        ));
    }

    #[test]
    fn names_are_decoded() {
        let found: Vec<String> = names(b"<< /J#61vaScript /#4A#53 /A#2 /Type/Page>>").collect();
        assert_eq!(found, ["JavaScript", "JS", "A#2", "Type", "Page"]);
    }
}
