//! DejaVu Sans embedded as a CID-keyed TrueType subset (Identity-H) with a ToUnicode map.
//! Glyphs are renumbered as they are first used, so the subset holds only what the
//! document shows. Licence of the font files: `static/fonts/LICENSE-DejaVu.txt`.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;

static REGULAR: &[u8] = include_bytes!("../../static/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../static/fonts/DejaVuSans-Bold.ttf");

pub struct Font {
    name: &'static str,
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    remapper: GlyphRemapper,
    /// Original glyph id of each new glyph id.
    old_of_new: Vec<u16>,
    /// The text each new glyph id stands for.
    unicode_of_new: Vec<Option<char>>,
}

impl Font {
    fn load(name: &'static str, data: &'static [u8]) -> Self {
        let face = ttf_parser::Face::parse(data, 0).expect("the embedded font parses");
        let mut font = Font {
            name,
            data,
            face,
            remapper: GlyphRemapper::new(),
            old_of_new: Vec::new(),
            unicode_of_new: Vec::new(),
        };
        // Glyph 0 (.notdef) always keeps id 0.
        font.glyph(0, None);
        font
    }

    pub fn regular() -> Self {
        Self::load("DejaVuSans", REGULAR)
    }

    pub fn bold() -> Self {
        Self::load("DejaVuSans-Bold", BOLD)
    }

    fn glyph(&mut self, old: u16, c: Option<char>) -> u16 {
        let new = self.remapper.remap(old);
        if usize::from(new) == self.old_of_new.len() {
            self.old_of_new.push(old);
            self.unicode_of_new.push(c);
        }
        new
    }

    fn old_glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map(|g| g.0)
            .unwrap_or(0)
    }

    /// The string as two-byte glyph ids of the subset (Identity-H).
    pub fn encode(&mut self, s: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in s.chars() {
            // Characters outside the font become '?' (glyph and text alike): the reader
            // never hears a character that is not printed.
            let old = self.old_glyph(c);
            let shown = if self.face.glyph_index(c).is_some() {
                c
            } else {
                '?'
            };
            let new = self.glyph(old, Some(shown));
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    fn advance(&self, old: u16) -> f32 {
        let units = f32::from(self.face.units_per_em());
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(old))
                .unwrap_or(0),
        ) / units
            * 1000.0
    }

    /// The width of the string in points at `size`.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .map(|c| self.advance(self.old_glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    fn scale(&self, v: i16) -> f32 {
        f32::from(v) / f32::from(self.face.units_per_em()) * 1000.0
    }

    /// Writes the Type0 font, its CID font, descriptor, subset file and ToUnicode map.
    pub fn write(
        &self,
        pdf: &mut Pdf,
        (type0, cid, descriptor, file, cmap): (Ref, Ref, Ref, Ref, Ref),
    ) {
        // A subset tag derived from the glyphs used (six capitals, as PDF asks).
        let tag: String = {
            let mut h: u32 = 2_166_136_261;
            for g in &self.old_of_new {
                h = (h ^ u32::from(*g)).wrapping_mul(16_777_619);
            }
            (0..6)
                .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
                .collect()
        };
        let base = format!("{tag}+{}", self.name);
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);

        {
            let mut c = pdf.cid_font(cid);
            c.subtype(CidFontType::Type2)
                .base_font(Name(base.as_bytes()))
                .system_info(system)
                .font_descriptor(descriptor)
                .default_width(0.0)
                .cid_to_gid_map_predefined(Name(b"Identity"));
            let widths: Vec<f32> = self.old_of_new.iter().map(|g| self.advance(*g)).collect();
            c.widths().consecutive(0, widths);
            c.finish();
        }

        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(Name(base.as_bytes()))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                self.scale(bbox.x_min),
                self.scale(bbox.y_min),
                self.scale(bbox.x_max),
                self.scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(self.scale(self.face.ascender()))
            .descent(self.scale(self.face.descender()))
            .cap_height(self.scale(self.face.capital_height().unwrap_or(self.face.ascender())))
            .stem_v(if self.name.ends_with("Bold") {
                140.0
            } else {
                80.0
            })
            .font_file2(file);

        let subset =
            subsetter::subset(self.data, 0, &self.remapper).expect("DejaVu Sans can be subset");
        let compressed = super::deflate(&subset);
        pdf.stream(file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let map = super::deflate(self.to_unicode().as_bytes());
        pdf.cmap(cmap, &map).filter(Filter::FlateDecode);
    }

    /// The ToUnicode CMap in its canonical form (CMapType 2, Adobe-Identity-UCS), so any
    /// reader can map each glyph back to its text.
    fn to_unicode(&self) -> String {
        let mut pairs = Vec::new();
        for (new, c) in self.unicode_of_new.iter().enumerate() {
            if let Some(c) = c {
                let mut utf16 = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut utf16)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                pairs.push(format!("<{new:04X}> <{hex}>"));
            }
        }
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for chunk in pairs.chunks(100) {
            out.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for p in chunk {
                out.push_str(p);
                out.push('\n');
            }
            out.push_str("endbfchar\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out
    }
}
