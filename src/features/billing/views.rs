//! Pages of the Facturation menu: the two ledgers, a document's HTML view, the outcome
//! of an online payment.

use maud::{Markup, html};

use super::document::{self, Duplicate};
use super::store::{Attempt, AttemptStatus, Entry, Ledger};
use crate::domain::french_date;
use crate::domain::money::{euros, spoken};
use crate::web::components::{csrf_field, notice};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

fn tabs(current: Ledger) -> Markup {
    html! {
        nav.tabs aria-label="Comptes de facturation" {
            ul {
                @for l in [Ledger::Tuition, Ledger::Rentals] {
                    li {
                        a href={ "/facturation/" (l.key()) } aria-current=[(l == current).then_some("page")] { (l.title()) }
                    }
                }
            }
        }
    }
}

/// The balance in a sentence (figure and words), the first thing read after the heading.
pub fn balance_sentence(balance: i64) -> Markup {
    html! {
        @if balance > 0 {
            "Reste à payer sur ce compte\u{a0}: " strong { (euros(balance)) } " (" (spoken(balance)) ")."
        } @else if balance < 0 {
            "Vous disposez d'un avoir de " strong { (euros(-balance)) } " (" (spoken(-balance)) ")."
        } @else {
            "Ce compte est à jour\u{a0}: il n'y a rien à payer."
        }
    }
}

fn amount_cell(cents: i64) -> Markup {
    html! { @if cents != 0 { (euros(cents)) } }
}

/// The ledger's operations, newest first. « Payer en ligne » has a cell of its own, so
/// that the row's header stays the document's number alone.
fn ledger_table(p: &LedgerPage) -> DataTable<'static> {
    let mut columns = vec![
        col("Date"),
        col("Mode de règlement"),
        col("Numéro d'opération"),
        col("Libellé"),
        col("Débit"),
        col("Crédit"),
        col("Remise"),
        col("Duplicata"),
    ];
    if p.payable {
        columns.push(col("Paiement"));
    }
    DataTable::new(
        "operations-legende",
        "Factures et règlements, du plus récent au plus ancien\u{a0}; chaque numéro ouvre le document",
        columns,
    )
    .rows(p.entries.iter().map(|e| {
        let mut cells = vec![
            td(french_date(&e.entry_date)),
            td(e.mode_label()),
            th(html! {
                a href=(crate::paths::document(e.ledger_entry_id)) {
                    span.visually-hidden { (e.document_name()) " " }
                    (e.number)
                }
            }),
            td(&e.label),
            td(amount_cell(e.debit_cents)).num(),
            td(amount_cell(e.credit_cents)).num(),
            td(amount_cell(e.discount_cents)).num(),
            td(html! {
                a href=(crate::paths::duplicate(e.ledger_entry_id)) type="application/pdf" {
                    "PDF" span.visually-hidden { " : " (e.document_name()) " " (e.number) }
                }
            }),
        ];
        if p.payable {
            cells.push(td(html! {
                @if e.due_cents() > 0 {
                    a href={ (crate::paths::document(e.ledger_entry_id)) "#paiement" } {
                        "Payer en ligne" span.visually-hidden { " la facture " (e.number) }
                    }
                }
            }));
        }
        cells
    }))
}

/// An invoice's lines, with its discount and total in the foot.
fn invoice_lines(d: &Duplicate) -> DataTable<'static> {
    let e = d.entry;
    let mut lines = DataTable::new(
        "lignes-legende",
        html! { "Lignes de la facture " (e.number) },
        [col("Élève"), col("Désignation"), col("Montant")],
    )
    .rows(d.lines.iter().map(|l| {
        vec![
            td(&l.beneficiary),
            td(&l.description),
            td(euros(l.amount_cents)).num(),
        ]
    }));
    if e.discount_cents != 0 {
        lines = lines.foot(vec![
            th("Remise"),
            td(""),
            td(html! { "-" (euros(e.discount_cents)) }).num(),
        ]);
    }
    lines.foot(vec![
        th("Total"),
        td(""),
        td(euros(e.debit_cents - e.discount_cents)).num(),
    ])
}

pub struct LedgerPage<'a> {
    pub ledger: Ledger,
    pub entries: &'a [&'a Entry],
    pub all: usize,
    pub balance: i64,
    pub q: &'a str,
    pub payable: bool,
    pub info: Option<&'a str>,
}

/// The operations found and their count: the region a live search replaces.
fn operations(p: &LedgerPage, base: &str) -> Markup {
    html! {
        div #operations {
            p.result-count {
                @if p.q.is_empty() {
                    (p.all) " opération" @if p.all > 1 { "s" } "."
                } @else {
                    (p.entries.len()) " opération" @if p.entries.len() > 1 { "s" } " sur " (p.all) " pour « " (p.q) " »."
                }
            }
            // Apart from the count: the count alone is announced after a live search.
            @if !p.q.is_empty() { p { a href=(base) { "Effacer la recherche" } } }
            @if p.entries.is_empty() {
                p { @if p.all == 0 { "Aucune opération sur ce compte." } @else { "Aucune opération ne correspond à cette recherche." } }
            } @else {
                (ledger_table(p))
            }
        }
    }
}

pub fn ledger(ctx: &Ctx, p: &LedgerPage) -> Markup {
    let base = format!("/facturation/{}", p.ledger.key());
    if ctx.swaps("operations") {
        // A live search (htmx) replaces the results alone.
        return operations(p, &base);
    }
    layout::page(
        ctx,
        p.ledger.title(),
        html! {
            h1 { "Facturation" }
            (tabs(p.ledger))
            @if let Some(i) = p.info { (notice(i)) }
            h2 { (p.ledger.title()) }
            p.balance { (balance_sentence(p.balance)) }
            search {
                form.inline method="get" action=(base)
                    data-hx-get=(base) data-hx-trigger="input changed delay:400ms from:#champ-q, search from:#champ-q"
                    data-hx-target="#operations" data-hx-swap="outerHTML" data-hx-push-url="true" {
                    div.field {
                        label for="champ-q" { "Recherche" }
                        input #champ-q type="search" name="q" value=(p.q) autocomplete="off"
                            aria-describedby="champ-q-aide";
                        p.hint #champ-q-aide { "Date (jj/mm/aaaa), numéro d'opération, libellé, mode de règlement ou montant." }
                    }
                    button type="submit" { "Rechercher" }
                }
            }
            (operations(p, &base))
        },
    )
}

/// The HTML view of a document: the same content as its PDF, as a page.
pub fn document_page(
    ctx: &Ctx,
    d: &Duplicate,
    pdf_size: usize,
    payable: bool,
    pending: Option<&Attempt>,
    info: Option<&str>,
) -> Markup {
    let e = d.entry;
    let title = document::title(e);
    layout::page(
        ctx,
        &title,
        html! {
            p { a href={ "/facturation/" (e.ledger) } { "Retour à la facturation" } }
            h1 { (title) }
            @if let Some(i) = info { (notice(i)) }
            p { "Duplicata du " (french_date(&e.entry_date)) ". "
                a href=(crate::paths::duplicate(e.ledger_entry_id)) type="application/pdf" {
                    "Télécharger le duplicata PDF"
                }
                " (PDF balisé, " (crate::domain::kilobytes(pdf_size)) ")."
            }
            h2 { "Émetteur" }
            p { @for (i, l) in d.school_lines().iter().enumerate() { @if i > 0 { br; } (l) } }
            h2 { "Destinataire" }
            p { @for (i, l) in d.addressee.lines().iter().enumerate() { @if i > 0 { br; } (l) } }
            h2 { "Détails" }
            dl.record {
                @for (k, v) in d.facts() { dt { (k) } dd { (v) } }
            }
            @if e.is_invoice() {
                h2 { "Détail de la facture" }
                (invoice_lines(d))
                h2 { "Règlements reçus" }
                @if d.receipts.is_empty() {
                    p { "Aucun règlement reçu pour cette facture." }
                } @else {
                    (DataTable::new(
                        "reglements-legende",
                        html! { "Règlements de la facture " (e.number) },
                        [col("Date"), col("Mode de règlement"), col("Numéro"), col("Montant")],
                    ).rows(d.receipts.iter().map(|r| vec![
                        td(french_date(&r.entry_date)),
                        td(r.mode_label()),
                        th(html! { a href=(crate::paths::document(r.ledger_entry_id)) { (r.number) } }),
                        td(euros(r.credit_cents + r.discount_cents)).num(),
                    ])))
                }
                p.balance {
                    @if e.due_cents() > 0 {
                        "Reste à payer sur cette facture\u{a0}: " strong { (euros(e.due_cents())) } " (" (spoken(e.due_cents())) ")."
                    } @else {
                        "Cette facture est réglée."
                    }
                }
                @if payable {
                    section #paiement aria-labelledby="paiement-titre" {
                        h2 #paiement-titre { "Paiement en ligne" }
                        @if let Some(a) = pending {
                            p { "Un paiement de " (euros(a.amount_cents)) " a été commencé pour cette facture sans que PayFiP nous en donne encore le résultat. "
                                a href=(crate::paths::payment(a.payment_attempt_id)) { "Voir où en est ce paiement" }
                                ". S'il n'a pas abouti, vous pouvez recommencer : le nouveau paiement remplace le précédent." }
                        }
                        p { "Le paiement se fait par carte bancaire ou prélèvement unique sur PayFiP, le service de paiement en ligne de la Direction générale des Finances publiques. "
                            "Vous quittez le portail le temps du paiement, puis vous y revenez pour voir le résultat." }
                        form method="post" action=(crate::paths::pay(e.ledger_entry_id)) data-hx-boost="false" {
                            (csrf_field(&ctx.csrf))
                            button type="submit" { "Payer " (euros(e.due_cents())) " en ligne" }
                        }
                    }
                }
            } @else {
                p.balance { "Montant reçu\u{a0}: " strong { (euros(e.credit_cents + e.discount_cents)) } " (" (spoken(e.credit_cents + e.discount_cents)) ")." }
            }
        },
    )
}

/// The outcome of an online payment, after PayFiP sent the family back: what the portal
/// learnt from PayFiP itself.
pub fn outcome(ctx: &Ctx, a: &Attempt, invoice_id: i64) -> Markup {
    let (title, text): (&str, Markup) = match a.status() {
        AttemptStatus::Paid => (
            "Paiement accepté",
            html! {
                "Votre paiement de " (euros(a.amount_cents)) " pour la facture " (a.invoice_number) " est enregistré"
                @if let Some(n) = &a.authorisation { " (autorisation " (n) ")" }
                ". Un reçu figure désormais dans votre facturation et une confirmation vous est envoyée par courriel."
            },
        ),
        AttemptStatus::Review => (
            "Paiement reçu, à régulariser",
            html! {
                "Votre paiement de " (euros(a.amount_cents)) " est bien reçu"
                @if let Some(n) = &a.authorisation { " (autorisation " (n) ")" }
                ", mais la facture " (a.invoice_number) " était déjà réglée quand il est arrivé. "
                "L'école en est informée : elle vous remboursera ou l'affectera à une autre facture, et vous recontactera."
            },
        ),
        AttemptStatus::Refused => (
            "Paiement refusé",
            html! {
                "Le paiement de " (euros(a.amount_cents)) " pour la facture " (a.invoice_number)
                " a été refusé par la banque. Aucune somme n'a été prélevée. Vous pouvez réessayer, ou payer à l'accueil de l'école."
            },
        ),
        AttemptStatus::Cancelled => (
            "Paiement abandonné",
            html! {
                "Le paiement de la facture " (a.invoice_number) " a été abandonné avant sa fin. Aucune somme n'a été prélevée. "
                "La facture reste à payer."
            },
        ),
        AttemptStatus::Failed => (
            "Paiement non commencé",
            html! {
                "PayFiP n'a pas pu créer ce paiement de la facture " (a.invoice_number) ". Aucune somme n'a été prélevée."
            },
        ),
        AttemptStatus::Pending | AttemptStatus::Superseded => (
            "Paiement en cours de traitement",
            html! {
                "PayFiP ne nous a pas encore donné le résultat du paiement de " (euros(a.amount_cents))
                " pour la facture " (a.invoice_number) ". Si vous avez payé, il sera enregistré dès que PayFiP le confirmera ; "
                "rien n'est prélevé deux fois. "
                a href=(crate::paths::payment(a.payment_attempt_id)) { "Voir à nouveau où en est ce paiement" }
            },
        ),
    };
    layout::page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (text) }
            p { "Référence du paiement : " (a.refdet) "." }
            p { a href=(crate::paths::document(invoice_id)) { "Voir la facture " (a.invoice_number) } }
            p { a href="/facturation/cotisations" { "Retour à la facturation" } }
        },
    )
}

/// PayFiP's service did not create the payment: nothing happened, try later.
pub fn payment_unavailable(ctx: &Ctx, invoice: &Entry) -> Markup {
    layout::page(
        ctx,
        "Paiement en ligne indisponible",
        html! {
            h1 { "Paiement en ligne indisponible" }
            p { "Le service de paiement PayFiP ne répond pas pour le moment : le paiement de la facture " (invoice.number)
                " n'a pas commencé et aucune somme n'a été prélevée. Réessayez dans quelques minutes, ou réglez la facture à l'accueil de l'école." }
            p { a href=(crate::paths::document(invoice.ledger_entry_id)) { "Retour à la facture " (invoice.number) } }
        },
    )
}
