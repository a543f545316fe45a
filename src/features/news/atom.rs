//! The family's news as an Atom feed (RFC 4287), written with quick-xml (which escapes every
//! text and attribute): a feed reader or a phone's news app follows the school's notices
//! without logging in, at a private address (the token is the key, like the calendar's).

use std::io::Cursor;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use time::format_description::well_known::Rfc3339;

use super::store::Notice;

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// A notice's first day, as Atom's `published` (midnight, Paris time being close enough for
/// a day: the offset is left to UTC).
fn day_start(iso_day: &str) -> String {
    format!("{iso_day}T00:00:00Z")
}

/// The feed of `notices` for a family of `school`; `base_url` makes the links absolute.
pub fn feed(school: &str, base_url: &str, self_link: &str, notices: &[Notice]) -> String {
    let mut w = Writer::new(Cursor::new(Vec::new()));
    let updated = notices
        .iter()
        .map(|n| n.created_at)
        .max()
        .map(rfc3339)
        .unwrap_or_else(|| rfc3339(0));
    let page = format!("{base_url}/actualites");
    let written: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("feed")
            .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
            .with_attribute(("xml:lang", "fr"))
            .write_inner_content(|w| {
                w.create_element("id")
                    .write_text_content(BytesText::new(&page))?;
                w.create_element("title")
                    .write_text_content(BytesText::new(&format!("Actualités – {school}")))?;
                w.create_element("updated")
                    .write_text_content(BytesText::new(&updated))?;
                w.create_element("author").write_inner_content(|w| {
                    w.create_element("name")
                        .write_text_content(BytesText::new(school))?;
                    Ok(())
                })?;
                w.create_element("link")
                    .with_attribute(("rel", "self"))
                    .with_attribute(("href", self_link))
                    .write_empty()?;
                w.create_element("link")
                    .with_attribute(("rel", "alternate"))
                    .with_attribute(("type", "text/html"))
                    .with_attribute(("href", page.as_str()))
                    .write_empty()?;
                for n in notices {
                    let anchor = format!("{page}#actualite-{}", n.notice_id);
                    w.create_element("entry").write_inner_content(|w| {
                        w.create_element("id")
                            .write_text_content(BytesText::new(&anchor))?;
                        w.create_element("title")
                            .write_text_content(BytesText::new(&n.title))?;
                        w.create_element("published")
                            .write_text_content(BytesText::new(&day_start(&n.publish_on)))?;
                        w.create_element("updated")
                            .write_text_content(BytesText::new(&rfc3339(n.created_at)))?;
                        w.create_element("link")
                            .with_attribute(("rel", "alternate"))
                            .with_attribute(("type", "text/html"))
                            .with_attribute(("href", anchor.as_str()))
                            .write_empty()?;
                        if let Some(name) = &n.file_name {
                            let href = format!("{page}/{}/document", n.notice_id);
                            w.create_element("link")
                                .with_attribute(("rel", "enclosure"))
                                .with_attribute(("type", "application/pdf"))
                                .with_attribute(("title", name.as_str()))
                                .with_attribute(("href", href.as_str()))
                                .write_empty()?;
                        }
                        w.create_element("category")
                            .with_attribute(("term", n.audience_words().as_str()))
                            .write_empty()?;
                        // The same safe HTML as the page (escaped once more by the writer).
                        let html = crate::web::rich::paragraphs(&n.body).into_string();
                        w.create_element("content")
                            .with_attribute(("type", "html"))
                            .write_text_content(BytesText::new(&html))?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    written.expect("writing to memory does not fail");
    String::from_utf8(w.into_inner().into_inner()).expect("quick-xml writes UTF-8")
}
