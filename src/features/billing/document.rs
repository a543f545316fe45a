//! A duplicate of an invoice or receipt: one set of facts, rendered as a tagged PDF here
//! and as an HTML page in `views` (the accessible alternative).

use super::store::{Addressee, Entry, Ledger, Line, School};
use crate::domain::french_date;
use crate::domain::money::euros;
use crate::pdf::{Block, Document, Row, Table};

pub struct Duplicate<'a> {
    pub school: &'a School,
    pub addressee: &'a Addressee,
    pub entry: &'a Entry,
    pub lines: &'a [Line],
    /// For an invoice: the receipts that paid it.
    pub receipts: &'a [Entry],
    /// For a receipt: the invoice it pays.
    pub invoice: Option<&'a Entry>,
}

/// "Facture n° 12FC01618" / "Reçu n° 12RC01632".
pub fn title(e: &Entry) -> String {
    format!("{} n°\u{a0}{}", e.document_name(), e.number)
}

impl Duplicate<'_> {
    pub fn school_lines(&self) -> Vec<String> {
        let s = self.school;
        let mut out = vec![s.name.clone()];
        if let Some(a) = s.address.as_deref().filter(|a| !a.trim().is_empty()) {
            out.extend(a.lines().map(str::to_owned));
        }
        let town = format!(
            "{} {}",
            s.postal_code.as_deref().unwrap_or(""),
            s.city.as_deref().unwrap_or("")
        );
        if !town.trim().is_empty() {
            out.push(town.trim().to_owned());
        }
        if let Some(p) = s.phone.as_deref().filter(|p| !p.trim().is_empty()) {
            // Stored canonical (+33…), shown as the school writes it.
            out.push(format!(
                "Téléphone\u{a0}: {}",
                crate::domain::phone::display_phone(p)
            ));
        }
        out
    }

    /// The document's facts, label and value, in reading order.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let e = self.entry;
        let ledger = Ledger::from_key(&e.ledger).unwrap_or(Ledger::Tuition);
        let mut out = vec![
            ("Document", format!("{} (duplicata)", title(e))),
            ("Date", french_date(&e.entry_date)),
            ("Compte", ledger.title().to_owned()),
            ("Libellé", e.label.clone()),
        ];
        if !e.is_invoice() {
            out.push(("Mode de règlement", e.mode_label().to_owned()));
            out.push(("Montant reçu", euros(e.credit_cents + e.discount_cents)));
            if let Some(inv) = self.invoice {
                out.push((
                    "En règlement de",
                    format!(
                        "la facture n°\u{a0}{} du {}",
                        inv.number,
                        french_date(&inv.entry_date)
                    ),
                ));
            }
        }
        out
    }

    /// The tagged PDF.
    pub fn pdf(&self) -> Vec<u8> {
        crate::pdf::render(&self.document())
    }

    /// The PDF's size in bytes (rendered only the first time these facts are seen).
    pub fn pdf_size(&self) -> usize {
        crate::pdf::rendered_size(&self.document())
    }

    /// What the PDF is made of.
    fn document(&self) -> Document {
        let e = self.entry;
        let mut blocks = vec![
            Block::Title(format!("{} – duplicata", title(e))),
            Block::Paragraph(self.school_lines().join("\n")),
            Block::Rule,
            Block::Heading("Destinataire".into()),
            Block::Paragraph(self.addressee.lines().join("\n")),
            Block::Heading("Détails".into()),
        ];
        for (k, v) in self.facts() {
            blocks.push(Block::Paragraph(format!("{k}\u{a0}: {v}")));
        }
        if e.is_invoice() {
            blocks.push(Block::Heading("Détail de la facture".into()));
            let mut rows: Vec<Row> = self
                .lines
                .iter()
                .map(|l| Row {
                    cells: vec![
                        l.beneficiary.clone(),
                        l.description.clone(),
                        euros(l.amount_cents),
                    ],
                    row_header: false,
                })
                .collect();
            if e.discount_cents != 0 {
                rows.push(Row {
                    cells: vec![
                        "Remise".into(),
                        String::new(),
                        format!("-{}", euros(e.discount_cents)),
                    ],
                    row_header: true,
                });
            }
            rows.push(Row {
                cells: vec![
                    "Total".into(),
                    String::new(),
                    euros(e.debit_cents - e.discount_cents),
                ],
                row_header: true,
            });
            blocks.push(Block::Table(Table {
                headers: vec!["Élève".into(), "Désignation".into(), "Montant".into()],
                widths: vec![3.0, 6.0, 2.0],
                numeric: vec![false, false, true],
                rows,
            }));
            blocks.push(Block::Heading("Règlements reçus".into()));
            if self.receipts.is_empty() {
                blocks.push(Block::Paragraph(
                    "Aucun règlement reçu pour cette facture.".into(),
                ));
            } else {
                blocks.push(Block::Table(Table {
                    headers: vec![
                        "Date".into(),
                        "Mode de règlement".into(),
                        "Numéro".into(),
                        "Montant".into(),
                    ],
                    widths: vec![2.0, 3.0, 3.0, 2.0],
                    numeric: vec![false, false, false, true],
                    rows: self
                        .receipts
                        .iter()
                        .map(|r| Row {
                            cells: vec![
                                french_date(&r.entry_date),
                                r.mode_label().to_owned(),
                                r.number.clone(),
                                euros(r.credit_cents + r.discount_cents),
                            ],
                            row_header: false,
                        })
                        .collect(),
                }));
            }
            blocks.push(Block::Paragraph(if e.due_cents() > 0 {
                format!("Reste à payer\u{a0}: {}", euros(e.due_cents()))
            } else {
                "Cette facture est réglée.".to_owned()
            }));
        }
        Document {
            title: format!("{} – {}", title(e), self.school.name),
            author: self.school.name.clone(),
            subject: format!("Duplicata pour {}", self.addressee.name()),
            blocks,
        }
    }
}
