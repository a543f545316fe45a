//! Tagged PDF documents (meant for PDF/UA-1) made with pdf-writer: invoices, receipts and
//! the accessibility help. A document is a list of blocks (headings, paragraphs, tables,
//! rules); this module lays them out on A4 pages and writes the structure tree that screen
//! readers follow: Document › H1/H2/H3/P/L › LI › Lbl + LBody/Table › TR › TH (with /Scope) / TD. Decorative rules are
//! artifacts. Text uses DejaVu Sans, embedded as a subset with a ToUnicode map so it can be
//! copied and read aloud. Every stream is deflated.

mod font;

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{ArtifactType, StructRole, TabOrder, TableHeaderScope};
use pdf_writer::writers::StructTreeRoot;
use pdf_writer::{Content, Filter, Name, Pdf, Rect, Ref, Str, TextStr};

use font::Font;

/// One block of a document, in reading order.
#[derive(Clone, Debug)]
pub enum Block {
    /// The document's main heading (one per document).
    Title(String),
    /// A section heading.
    Heading(String),
    /// A sub-section heading (H3).
    SubHeading(String),
    /// A bulleted list (L › LI › Lbl + LBody).
    List(Vec<String>),
    /// A paragraph; `\n` starts a new line within it (an address).
    Paragraph(String),
    /// A table with one header row; `numeric` columns are right-aligned.
    Table(Table),
    /// A horizontal rule (decorative: an artifact).
    Rule,
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column headers (TH with /Scope /Column).
    pub headers: Vec<String>,
    /// Relative column widths (any unit; same length as `headers`).
    pub widths: Vec<f32>,
    /// Right-aligned columns (amounts).
    pub numeric: Vec<bool>,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub cells: Vec<String>,
    /// The first cell heads its row (TH with /Scope /Row), e.g. "Total".
    pub row_header: bool,
}

/// A document to render.
#[derive(Debug)]
pub struct Document {
    /// Shown by viewers in the window title (`DisplayDocTitle`) and in the metadata.
    pub title: String,
    pub author: String,
    pub subject: String,
    pub blocks: Vec<Block>,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const CELL_PAD: f32 = 4.0;

/// A node of the structure tree.
struct Elem {
    role: StructRole,
    parent: usize,
    kids: Vec<Kid>,
    scope: Option<TableHeaderScope>,
}

enum Kid {
    Elem(usize),
    Content { page: usize, mcid: i32 },
}

struct Page {
    content: Content,
    /// Structure element of each marked-content id of the page, in order.
    mcids: Vec<usize>,
}

struct Writer {
    regular: Font,
    bold: Font,
    elems: Vec<Elem>,
    pages: Vec<Page>,
    y: f32,
}

#[derive(Clone, Copy)]
enum Face {
    Regular,
    Bold,
}

impl Writer {
    fn new() -> Self {
        let mut w = Writer {
            regular: Font::regular(),
            bold: Font::bold(),
            elems: vec![Elem {
                role: StructRole::Document,
                parent: usize::MAX,
                kids: Vec::new(),
                scope: None,
            }],
            pages: Vec::new(),
            y: 0.0,
        };
        w.new_page();
        w
    }

    fn new_page(&mut self) {
        self.pages.push(Page {
            content: Content::new(),
            mcids: Vec::new(),
        });
        self.y = PAGE_H - MARGIN;
    }

    /// Starts a new page unless `height` points fit above the bottom margin.
    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.new_page();
        }
    }

    fn elem(&mut self, role: StructRole, parent: usize) -> usize {
        let i = self.elems.len();
        self.elems.push(Elem {
            role,
            parent,
            kids: Vec::new(),
            scope: None,
        });
        self.elems[parent].kids.push(Kid::Elem(i));
        i
    }

    fn font(&mut self, face: Face) -> &mut Font {
        match face {
            Face::Regular => &mut self.regular,
            Face::Bold => &mut self.bold,
        }
    }

    /// Draws one line of text at `(x, y)` as marked content belonging to `elem`.
    fn text(&mut self, elem: usize, face: Face, size: f32, (x, y): (f32, f32), s: &str) {
        let encoded = self.font(face).encode(s);
        let page_index = self.pages.len() - 1;
        let page = &mut self.pages[page_index];
        let mcid = page.mcids.len() as i32;
        page.mcids.push(elem);
        let tag = role_tag(self.elems[elem].role);
        let content = &mut page.content;
        content
            .begin_marked_content_with_properties(Name(tag))
            .properties()
            .identify(mcid);
        content.begin_text();
        content.set_font(
            Name(match face {
                Face::Regular => b"F1",
                Face::Bold => b"F2",
            }),
            size,
        );
        content.next_line(x, y);
        content.show(Str(&encoded));
        content.end_text();
        content.end_marked_content();
        self.elems[elem].kids.push(Kid::Content {
            page: page_index,
            mcid,
        });
    }

    fn width(&self, face: Face, size: f32, s: &str) -> f32 {
        match face {
            Face::Regular => self.regular.width(s, size),
            Face::Bold => self.bold.width(s, size),
        }
    }

    /// Splits `s` into lines no wider than `max` (words longer than a line are cut).
    fn wrap(&self, face: Face, size: f32, s: &str, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in s.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(face, size, &candidate) <= max || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_owned();
                }
                // A single word wider than the line: cut it by characters.
                while self.width(face, size, &line) > max && line.chars().count() > 1 {
                    let mut head = String::new();
                    for c in line.chars() {
                        let next = format!("{head}{c}");
                        if self.width(face, size, &next) > max && !head.is_empty() {
                            break;
                        }
                        head = next;
                    }
                    let rest = line[head.len()..].to_owned();
                    lines.push(head);
                    line = rest;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// A heading or paragraph: wrapped lines, one structure element.
    fn flow(&mut self, role: StructRole, face: Face, size: f32, s: &str, before: f32) {
        let leading = size * 1.35;
        let lines = self.wrap(face, size, s, PAGE_W - 2.0 * MARGIN);
        self.y -= before;
        self.ensure(leading);
        let elem = self.elem(role, 0);
        for line in lines {
            self.ensure(leading);
            self.y -= size;
            if !line.is_empty() {
                self.text(elem, face, size, (MARGIN, self.y), &line);
            }
            self.y -= leading - size;
        }
    }

    /// A bulleted list: each item an LI holding its bullet (Lbl) and its text (LBody).
    fn list(&mut self, items: &[String]) {
        const SIZE: f32 = 10.0;
        const INDENT: f32 = 14.0;
        let leading = SIZE * 1.35;
        let list = self.elem(StructRole::L, 0);
        self.y -= 2.0;
        for item in items {
            let lines = self.wrap(Face::Regular, SIZE, item, PAGE_W - 2.0 * MARGIN - INDENT);
            self.y -= 3.0;
            self.ensure(leading);
            let li = self.elem(StructRole::LI, list);
            let label = self.elem(StructRole::Lbl, li);
            let body = self.elem(StructRole::LBody, li);
            for (i, line) in lines.iter().enumerate() {
                self.ensure(leading);
                self.y -= SIZE;
                if i == 0 {
                    self.text(label, Face::Regular, SIZE, (MARGIN + 2.0, self.y), "•");
                }
                if !line.is_empty() {
                    self.text(body, Face::Regular, SIZE, (MARGIN + INDENT, self.y), line);
                }
                self.y -= leading - SIZE;
            }
        }
    }

    fn rule(&mut self) {
        self.y -= 6.0;
        self.ensure(2.0);
        let y = self.y;
        self.artifact_line(MARGIN, y, PAGE_W - MARGIN, 0.8);
        self.y -= 6.0;
    }

    /// A decorative line, marked as a layout artifact (not read, not in the structure).
    fn artifact_line(&mut self, x1: f32, y: f32, x2: f32, width: f32) {
        let content = &mut self.pages.last_mut().expect("a page").content;
        content
            .begin_marked_content_with_properties(Name(b"Artifact"))
            .properties()
            .artifact()
            .kind(ArtifactType::Layout);
        content.set_line_width(width);
        content.set_stroke_gray(0.35);
        content.move_to(x1, y);
        content.line_to(x2, y);
        content.stroke();
        content.end_marked_content();
    }

    fn table(&mut self, t: &Table) {
        const SIZE: f32 = 9.0;
        let leading = SIZE * 1.3;
        let total: f32 = t.widths.iter().sum::<f32>().max(1.0);
        let avail = PAGE_W - 2.0 * MARGIN;
        let widths: Vec<f32> = t.widths.iter().map(|w| w / total * avail).collect();
        let table = self.elem(StructRole::Table, 0);
        let mut rows: Vec<(Vec<String>, bool, bool)> = Vec::new();
        rows.push((t.headers.clone(), true, false));
        for r in &t.rows {
            rows.push((r.cells.clone(), false, r.row_header));
        }
        self.y -= 8.0;
        for (index, (cells, header_row, row_header)) in rows.iter().enumerate() {
            let face_of = |column: usize| {
                if *header_row || (*row_header && column == 0) {
                    Face::Bold
                } else {
                    Face::Regular
                }
            };
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .enumerate()
                .map(|(c, s)| self.wrap(face_of(c), SIZE, s, widths[c] - 2.0 * CELL_PAD))
                .collect();
            let height =
                wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * leading + 2.0 * CELL_PAD;
            self.ensure(height);
            let tr = self.elem(StructRole::TR, table);
            let top = self.y;
            let mut x = MARGIN;
            for (c, lines) in wrapped.iter().enumerate() {
                let is_header = *header_row || (*row_header && c == 0);
                let cell = self.elem(
                    if is_header {
                        StructRole::TH
                    } else {
                        StructRole::TD
                    },
                    tr,
                );
                if is_header {
                    self.elems[cell].scope = Some(if *header_row {
                        TableHeaderScope::Column
                    } else {
                        TableHeaderScope::Row
                    });
                }
                let mut y = top - CELL_PAD;
                for line in lines {
                    y -= SIZE;
                    let w = self.width(face_of(c), SIZE, line);
                    let tx = if t.numeric.get(c).copied().unwrap_or(false) {
                        x + widths[c] - CELL_PAD - w
                    } else {
                        x + CELL_PAD
                    };
                    if !line.is_empty() {
                        self.text(cell, face_of(c), SIZE, (tx, y), line);
                    }
                    y -= leading - SIZE;
                }
                x += widths[c];
            }
            self.y = top - height;
            let weight = if index == 0 { 0.9 } else { 0.3 };
            let y = self.y;
            self.artifact_line(MARGIN, y, PAGE_W - MARGIN, weight);
        }
        self.y -= 4.0;
    }
}

fn role_tag(role: StructRole) -> &'static [u8] {
    match role {
        StructRole::H1 => b"H1",
        StructRole::H2 => b"H2",
        StructRole::H3 => b"H3",
        StructRole::Lbl => b"Lbl",
        StructRole::LBody => b"LBody",
        StructRole::TH => b"TH",
        StructRole::TD => b"TD",
        _ => b"P",
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// Escapes text for the XMP packet (XML).
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Lays out and writes the document. Pure: same input, same bytes.
/// The size in bytes of a document once rendered, remembered by content: a page that links
/// to a PDF states its size (RGAA 6.1) without rendering the PDF at every visit.
pub fn rendered_size(doc: &Document) -> usize {
    use std::collections::HashMap;
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::sync::{Mutex, OnceLock};
    static SIZES: OnceLock<Mutex<HashMap<u64, usize>>> = OnceLock::new();
    let key = {
        let mut h = DefaultHasher::new();
        format!("{doc:?}").hash(&mut h);
        h.finish()
    };
    let sizes = SIZES.get_or_init(Default::default);
    if let Some(n) = sizes.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return *n;
    }
    let n = render(doc).len();
    let mut map = sizes.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= 10_000 {
        map.clear();
    }
    map.insert(key, n);
    n
}

pub fn render(doc: &Document) -> Vec<u8> {
    let mut w = Writer::new();
    for block in &doc.blocks {
        match block {
            Block::Title(s) => w.flow(StructRole::H1, Face::Bold, 16.0, s, 0.0),
            Block::Heading(s) => w.flow(StructRole::H2, Face::Bold, 12.0, s, 12.0),
            Block::SubHeading(s) => w.flow(StructRole::H3, Face::Bold, 11.0, s, 9.0),
            Block::List(items) => w.list(items),
            Block::Paragraph(s) => w.flow(StructRole::P, Face::Regular, 10.0, s, 6.0),
            Block::Table(t) => w.table(t),
            Block::Rule => w.rule(),
        }
    }

    let mut pdf = Pdf::new();
    let mut next = Ref::new(1);
    let catalog_id = next.bump();
    let page_tree_id = next.bump();
    let root_id = next.bump();
    let info_id = next.bump();
    let xmp_id = next.bump();
    let page_ids: Vec<(Ref, Ref, Ref)> = w
        .pages
        .iter()
        .map(|_| (next.bump(), next.bump(), next.bump()))
        .collect(); // (page, content, parent-tree array)
    let elem_ids: Vec<Ref> = w.elems.iter().map(|_| next.bump()).collect();
    let fonts: Vec<(Ref, Ref, Ref, Ref, Ref)> = (0..2)
        .map(|_| {
            (
                next.bump(),
                next.bump(),
                next.bump(),
                next.bump(),
                next.bump(),
            )
        })
        .collect(); // (type0, cid, descriptor, file, tounicode)

    // Catalog: language, tagged, title shown, structure tree, metadata.
    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(page_tree_id);
        catalog.lang(TextStr("fr-FR"));
        catalog.mark_info().marked(true);
        catalog.viewer_preferences().display_doc_title(true);
        catalog.metadata(xmp_id);
        catalog.pair(Name(b"StructTreeRoot"), root_id);
    }
    pdf.document_info(info_id)
        .title(TextStr(&doc.title))
        .author(TextStr(&doc.author))
        .subject(TextStr(&doc.subject))
        .producer(TextStr("Portée"));
    let xmp = format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\
<dc:format>application/pdf</dc:format>\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>\
<dc:language><rdf:Bag><rdf:li>fr-FR</rdf:li></rdf:Bag></dc:language>\
<pdf:Producer>Portée</pdf:Producer><pdfuaid:part>1</pdfuaid:part>\
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>",
        title = xml(&doc.title),
        author = xml(&doc.author),
    );
    pdf.metadata(xmp_id, xmp.as_bytes())
        .pair(Name(b"Subtype"), Name(b"XML"));

    // Pages.
    pdf.pages(page_tree_id)
        .kids(page_ids.iter().map(|p| p.0))
        .count(page_ids.len() as i32);
    let pages = std::mem::take(&mut w.pages);
    for (index, (page, (page_id, content_id, array_id))) in
        pages.into_iter().zip(page_ids.iter()).enumerate()
    {
        {
            let mut p = pdf.page(*page_id);
            p.parent(page_tree_id);
            p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
            p.contents(*content_id);
            p.struct_parents(index as i32);
            p.tab_order(TabOrder::StructureOrder);
            let mut resources = p.resources();
            let mut f = resources.fonts();
            f.pair(Name(b"F1"), fonts[0].0);
            f.pair(Name(b"F2"), fonts[1].0);
        }
        let data = deflate(&page.content.finish());
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
        pdf.indirect(*array_id)
            .array()
            .items(page.mcids.iter().map(|e| elem_ids[*e]));
    }

    // Structure tree.
    {
        let mut root: StructTreeRoot = pdf.indirect(root_id).start();
        root.child(elem_ids[0]);
        {
            let mut tree = root.parent_tree();
            let mut nums = tree.nums();
            for (index, ids) in page_ids.iter().enumerate() {
                nums.insert(index as i32, ids.2);
            }
        }
        root.parent_tree_next_key(page_ids.len() as i32);
    }
    for (i, elem) in w.elems.iter().enumerate() {
        let mut e = pdf.struct_element(elem_ids[i]);
        e.kind(elem.role);
        e.parent(if i == 0 {
            root_id
        } else {
            elem_ids[elem.parent]
        });
        if i == 0 {
            e.lang(TextStr("fr-FR"));
        }
        if let Some(scope) = elem.scope {
            e.attributes().push().table().scope(scope);
        }
        let mut kids = e.children();
        for kid in &elem.kids {
            match kid {
                Kid::Elem(k) => {
                    kids.struct_element(elem_ids[*k]);
                }
                Kid::Content { page, mcid } => {
                    kids.marked_content_ref()
                        .marked_content_id(*mcid)
                        .page(page_ids[*page].0);
                }
            }
        }
    }

    // Fonts: subset, widths, ToUnicode.
    for (font, ids) in [&w.regular, &w.bold].into_iter().zip(fonts.iter()) {
        font.write(&mut pdf, *ids);
    }

    // A file identifier derived from the content (PDF/UA asks for one).
    let digest = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(doc.title.as_bytes());
        h.update(xmp.as_bytes());
        h.finalize()
    };
    pdf.set_file_id((digest[..16].to_vec(), digest[..16].to_vec()));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        Document {
            title: "Facture 12FC01618".into(),
            author: "École de musique".into(),
            subject: "Duplicata".into(),
            blocks: vec![
                Block::Title("Facture n° 12FC01618".into()),
                Block::Paragraph(
                    "Monsieur ABARRE Jérémie\n12 rue de l’Église\n50700 VALOGNES".into(),
                ),
                Block::Rule,
                Block::Table(Table {
                    headers: vec!["Élève".into(), "Désignation".into(), "Montant".into()],
                    widths: vec![2.0, 4.0, 1.5],
                    numeric: vec![false, false, true],
                    rows: vec![
                        Row {
                            cells: vec!["Irina".into(), "Piano 2C4".into(), "84,00 €".into()],
                            row_header: false,
                        },
                        Row {
                            cells: vec!["Total".into(), String::new(), "84,00 €".into()],
                            row_header: true,
                        },
                    ],
                }),
            ],
        }
    }

    #[test]
    fn renders_a_tagged_compressed_pdf_with_an_embedded_subset() {
        let bytes = render(&sample());
        let text = String::from_utf8_lossy(&bytes);
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(text.contains("/Marked true"));
        assert!(text.contains("/StructTreeRoot"));
        assert!(text.contains("/Scope /Column"));
        assert!(text.contains("/Scope /Row"));
        assert!(text.contains("/FontFile2"));
        assert!(text.contains("/ToUnicode"));
        assert!(text.contains("/FlateDecode"));
        // The subset is much smaller than the 740 KB font.
        assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
        // Deterministic.
        assert_eq!(bytes, render(&sample()));
    }

    #[test]
    fn long_tables_flow_onto_more_pages() {
        let mut doc = sample();
        if let Block::Table(t) = &mut doc.blocks[3] {
            for n in 0..120 {
                t.rows.insert(
                    0,
                    Row {
                        cells: vec![format!("Élève {n}"), "Cours".into(), "1,00 €".into()],
                        row_header: false,
                    },
                );
            }
        }
        let bytes = render(&doc);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/Count 3") || text.contains("/Count 4"),
            "several pages"
        );
    }
}
