//! The SOAP messages of PayFiP's secure web service, written and read with quick-xml.
//! Both sides are here: the portal writes requests and reads answers (`client.rs`); the
//! demo's stand-in reads requests and writes answers (`double.rs`), so each message has
//! one definition and the tests read back what was written.
//!
//! The messages are flat: an operation element holding one wrapper (`arg0` in requests,
//! `return` in answers) of text leaves. Reading is by local name (namespace prefixes vary
//! between implementations), refuses a document type declaration (no entity expansion),
//! and keeps the first occurrence of each leaf.

use std::collections::HashMap;
use std::io::Cursor;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// The namespace of PayFiP's `PaiementSecuriseService`.
pub const NAMESPACE: &str = "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService";
const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

pub const CREATE: &str = "creerPaiementSecurise";
pub const DETAILS: &str = "recupererDetailPaiementSecurise";

/// The largest message either side reads.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// A message read back: which operation (or answer, or `Fault`), and its leaves.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// The local name of the first element inside `Body`: `creerPaiementSecurise`,
    /// `recupererDetailPaiementSecuriseResponse`, `Fault`…
    pub operation: String,
    /// For a fault: the local name of the element inside `detail`
    /// (`FonctionnelleErreur`, `TechDysfonctionnementErreur`…).
    pub fault_kind: Option<String>,
    pub values: HashMap<String, String>,
}

impl Message {
    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
}

/// A request: `<pai:OPERATION><arg0>…</arg0></pai:OPERATION>`.
pub fn request(operation: &str, fields: &[(&str, &str)]) -> String {
    envelope("soapenv", |w| {
        w.create_element(format!("pai:{operation}"))
            .with_attribute(("xmlns:pai", NAMESPACE))
            .write_inner_content(|w| leaves(w, "arg0", fields))?;
        Ok(())
    })
}

/// An answer: `<ns2:OPERATIONResponse><return>…</return></ns2:OPERATIONResponse>`.
pub fn response(operation: &str, fields: &[(&str, &str)]) -> String {
    envelope("S", |w| {
        w.create_element(format!("ns2:{operation}Response"))
            .with_attribute(("xmlns:ns2", NAMESPACE))
            .write_inner_content(|w| leaves(w, "return", fields))?;
        Ok(())
    })
}

/// A functional error, as PayFiP reports one (`code`, `libelle`, `descriptif`, `severite`).
pub fn fault(code: &str, libelle: &str) -> String {
    envelope("S", |w| {
        w.create_element("S:Fault").write_inner_content(|w| {
            w.create_element("faultcode")
                .write_text_content(BytesText::new("S:Server"))?;
            w.create_element("faultstring")
                .write_text_content(BytesText::new(libelle))?;
            w.create_element("detail").write_inner_content(|w| {
                w.create_element("ns2:FonctionnelleErreur")
                    .with_attribute(("xmlns:ns2", NAMESPACE))
                    .write_inner_content(|w| {
                        for (k, v) in [
                            ("code", code),
                            ("descriptif", libelle),
                            ("libelle", libelle),
                            ("severite", "2"),
                        ] {
                            w.create_element(k).write_text_content(BytesText::new(v))?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })
}

type W = Writer<Cursor<Vec<u8>>>;

fn envelope(prefix: &str, body: impl FnOnce(&mut W) -> std::io::Result<()>) -> String {
    let mut w = Writer::new(Cursor::new(Vec::new()));
    let written: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element(format!("{prefix}:Envelope"))
            .with_attribute((format!("xmlns:{prefix}").as_str(), ENVELOPE_NS))
            .write_inner_content(|w| {
                w.create_element(format!("{prefix}:Header")).write_empty()?;
                w.create_element(format!("{prefix}:Body"))
                    .write_inner_content(body)?;
                Ok(())
            })?;
        Ok(())
    })();
    written.expect("writing to memory does not fail");
    String::from_utf8(w.into_inner().into_inner()).expect("quick-xml writes UTF-8")
}

fn leaves(w: &mut W, wrapper: &str, fields: &[(&str, &str)]) -> std::io::Result<()> {
    w.create_element(wrapper).write_inner_content(|w| {
        for (k, v) in fields {
            w.create_element(*k).write_text_content(BytesText::new(v))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Reads a message. Errors name what is wrong (for logs; never shown to families).
pub fn parse(xml: &str) -> Result<Message, String> {
    if xml.len() > MAX_MESSAGE_BYTES {
        return Err(format!("message of {} bytes", xml.len()));
    }
    let mut reader = Reader::from_str(xml);
    let mut out = Message::default();
    // Local names of the open elements, and whether each has child elements.
    let mut open: Vec<(String, bool)> = Vec::new();
    let mut text = String::new();
    let mut body_depth = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                let name = local(e.local_name().as_ref())?;
                if let Some(parent) = open.last_mut() {
                    parent.1 = true;
                }
                if body_depth.is_some_and(|d| open.len() == d + 1) && out.operation.is_empty() {
                    out.operation = name.clone();
                }
                if out.operation == "Fault"
                    && out.fault_kind.is_none()
                    && open.last().is_some_and(|p| p.0 == "detail")
                {
                    out.fault_kind = Some(name.clone());
                }
                if name == "Body" && body_depth.is_none() {
                    body_depth = Some(open.len());
                }
                open.push((name, false));
                text.clear();
                if open.len() > 16 {
                    return Err("elements nested too deep".into());
                }
            }
            Event::Empty(e) => {
                if let Some(parent) = open.last_mut() {
                    parent.1 = true;
                }
                let name = local(e.local_name().as_ref())?;
                out.values.entry(name).or_default();
            }
            Event::Text(t) => {
                text.push_str(&t.decode().map_err(|e| format!("text: {e}"))?);
            }
            Event::CData(t) => {
                text.push_str(&t.decode().map_err(|e| format!("CDATA: {e}"))?);
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r
                    .resolve_char_ref()
                    .map_err(|e| format!("reference: {e}"))?
                {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| format!("reference: {e}"))?;
                    let resolved = resolve_predefined_entity(&name)
                        .ok_or_else(|| format!("unknown entity &{name};"))?;
                    text.push_str(resolved);
                }
            }
            Event::End(_) => {
                let Some((name, has_children)) = open.pop() else {
                    return Err("unbalanced end tag".into());
                };
                if !has_children {
                    out.values
                        .entry(name)
                        .or_insert_with(|| text.trim().to_owned());
                }
                text.clear();
            }
            Event::DocType(_) => return Err("a document type declaration".into()),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if out.operation.is_empty() {
        return Err("no SOAP body".into());
    }
    Ok(out)
}

fn local(name: &[u8]) -> Result<String, String> {
    std::str::from_utf8(name)
        .map(str::to_owned)
        .map_err(|_| "an element name that is not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reads_back_with_its_escaped_values() {
        let xml = request(
            CREATE,
            &[
                ("exer", "2026"),
                ("mel", "a&b@example.org"),
                ("objet", "FACTURE <26FC00412>"),
            ],
        );
        assert!(xml.contains("<pai:creerPaiementSecurise xmlns:pai=\"http://securite.service.tpa.cp.finances.gouv.fr/"));
        assert!(xml.contains("<arg0><exer>2026</exer><mel>a&amp;b@example.org</mel>"));
        let m = parse(&xml).unwrap();
        assert_eq!(m.operation, CREATE);
        assert_eq!(m.get("mel"), "a&b@example.org");
        assert_eq!(m.get("objet"), "FACTURE <26FC00412>");
        assert_eq!(m.get("absent"), "");
    }

    #[test]
    fn answers_and_faults_read_back() {
        let m = parse(&response(CREATE, &[("idOp", "abc-123")])).unwrap();
        assert_eq!(m.operation, "creerPaiementSecuriseResponse");
        assert_eq!(m.get("idOp"), "abc-123");
        let f = parse(&fault("P5", "Résultat de la transaction non connu")).unwrap();
        assert_eq!(f.operation, "Fault");
        assert_eq!(f.fault_kind.as_deref(), Some("FonctionnelleErreur"));
        assert_eq!(f.get("code"), "P5");
        assert_eq!(f.get("libelle"), "Résultat de la transaction non connu");
    }

    #[test]
    fn other_prefixes_are_read_by_local_name() {
        let xml = "<?xml version='1.0'?><soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'>\
                   <soap:Body><x:recupererDetailPaiementSecuriseResponse xmlns:x='urn:x'><return>\
                   <resultrans>P</resultrans><montant>31200</montant><numauto/></return>\
                   </x:recupererDetailPaiementSecuriseResponse></soap:Body></soap:Envelope>";
        let m = parse(xml).unwrap();
        assert_eq!(m.operation, "recupererDetailPaiementSecuriseResponse");
        assert_eq!((m.get("resultrans"), m.get("montant")), ("P", "31200"));
        assert!(m.values.contains_key("numauto"));
    }

    #[test]
    fn hostile_documents_are_refused() {
        let xxe = "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>\
                   <S:Envelope xmlns:S='s'><S:Body><r><v>&e;</v></r></S:Body></S:Envelope>";
        assert!(parse(xxe).is_err());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("not xml at all").is_err());
        let deep = format!("{}{}", "<a>".repeat(40), "</a>".repeat(40));
        assert!(parse(&deep).is_err());
        assert!(parse(&"x".repeat(MAX_MESSAGE_BYTES + 1)).is_err());
    }
}
