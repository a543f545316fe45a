//! `/facturation…` (families), the PayFiP return, the demo's PayFiP stand-in.

use std::sync::Arc;

use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{IntoResponse, Response, Route, get, handler, post};
use serde::Deserialize;

use super::document::Duplicate;
use super::payfip::{self, Request as PayfipRequest};
use super::store::{self, Entry, Ledger, Outcome};
use super::views::{self, LedgerPage};
use crate::app::AppState;
use crate::config::Payfip;
use crate::domain::french_date;
use crate::domain::money::{euros, number};
use crate::web::{AppError, AppResult, Ctx, FamilyUser, clean_search, matches_search, see_other};

pub fn routes(route: Route) -> Route {
    route
        .at("/facturation", get(index))
        .at("/facturation/:ledger", get(ledger))
        .at("/facturation/documents/:id", get(document))
        .at(
            "/facturation/documents/:id/duplicata.pdf",
            get(document_pdf),
        )
        .at("/facturation/documents/:id/payer", post(pay))
        .at("/facturation/paiement/retour", get(payment_return))
        .at("/facturation/paiements/:id", get(payment_outcome))
        .at(Payfip::DOUBLE_PATH, get(payfip_double))
}

fn not_found() -> AppError {
    AppError::response(StatusCode::NOT_FOUND)
}

fn id(raw: &str) -> AppResult<i64> {
    raw.parse().map_err(|_| not_found())
}

#[handler]
fn index() -> Response {
    see_other("/facturation/cotisations")
}

#[derive(Deserialize, Default)]
struct Search {
    #[serde(default)]
    q: String,
    info: Option<String>,
}

/// Everything a search can match in a row: date, mode, number, label, amounts.
fn haystack(e: &Entry) -> String {
    let mut h = format!(
        "{} {} {} {} {}",
        french_date(&e.entry_date),
        e.mode_label(),
        e.number,
        e.label,
        e.document_name()
    );
    for cents in [e.debit_cents, e.credit_cents, e.discount_cents] {
        if cents != 0 {
            let n = number(cents);
            h.push(' ');
            h.push_str(&n.replace('\u{202f}', ""));
            h.push_str(" €");
        }
    }
    h.to_lowercase()
}

/// Can this school's families pay online?
fn payable_school(school: &store::School) -> bool {
    school
        .payfip_numcli
        .as_deref()
        .is_some_and(payfip::valid_numcli)
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "deja-reglee" => "Cette facture est déjà réglée : il n'y a rien à payer.",
        _ => return None,
    })
}

#[handler]
async fn ledger(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Path(key): Path<String>,
    Query(search): Query<Search>,
) -> AppResult<maud::Markup> {
    let ledger = Ledger::from_key(&key).ok_or_else(not_found)?;
    let entries = store::entries(&state.pool, user.1, ledger).await?;
    let school = store::school(&state.pool, user.0.site_id).await?;
    let balance: i64 = entries
        .iter()
        .map(|e| e.debit_cents - e.credit_cents - e.discount_cents)
        .sum();
    let q = clean_search(&search.q);
    let kept: Vec<&Entry> = entries
        .iter()
        .filter(|e| matches_search(&haystack(e), &q))
        .collect();
    Ok(views::ledger(
        &ctx,
        &LedgerPage {
            ledger,
            entries: &kept,
            all: entries.len(),
            balance,
            q: &q,
            payable: payable_school(&school),
            info: info_text(search.info.as_deref()),
        },
    ))
}

/// Everything a duplicate shows, for a document of the family.
struct Loaded {
    school: store::School,
    addressee: store::Addressee,
    entry: Entry,
    lines: Vec<store::Line>,
    receipts: Vec<Entry>,
    invoice: Option<Entry>,
}

impl Loaded {
    fn duplicate(&self) -> Duplicate<'_> {
        Duplicate {
            school: &self.school,
            addressee: &self.addressee,
            entry: &self.entry,
            lines: &self.lines,
            receipts: &self.receipts,
            invoice: self.invoice.as_ref(),
        }
    }
}

async fn load(state: &AppState, user: &FamilyUser, raw: &str) -> AppResult<Loaded> {
    let entry = store::entry(&state.pool, user.1, id(raw)?)
        .await?
        .ok_or_else(not_found)?;
    let school = store::school(&state.pool, user.0.site_id).await?;
    let addressee = store::addressee(&state.pool, user.1)
        .await?
        .ok_or_else(not_found)?;
    let lines = store::lines(&state.pool, entry.ledger_entry_id).await?;
    let receipts = if entry.is_invoice() {
        store::receipts_of(&state.pool, entry.ledger_entry_id).await?
    } else {
        Vec::new()
    };
    let invoice = match entry.settles_entry_id {
        Some(i) => store::entry(&state.pool, user.1, i).await?,
        None => None,
    };
    Ok(Loaded {
        school,
        addressee,
        entry,
        lines,
        receipts,
        invoice,
    })
}

#[handler]
async fn document(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Path(raw): Path<String>,
) -> AppResult<maud::Markup> {
    let l = load(&state, &user, &raw).await?;
    let d = l.duplicate();
    let pdf_size = d.pdf_size();
    let payable = payable_school(&l.school) && l.entry.due_cents() > 0;
    Ok(views::document_page(&ctx, &d, pdf_size, payable, None))
}

#[handler]
async fn document_pdf(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let l = load(&state, &user, &raw).await?;
    let bytes = l.duplicate().pdf();
    Ok(bytes
        .with_content_type("application/pdf")
        .with_header(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}.pdf\"", l.entry.number),
        )
        .with_header(header::CACHE_CONTROL, "private, no-store")
        .into_response())
}

/// "Payer en ligne": records a pending attempt and sends the browser to PayFiP.
#[handler]
async fn pay(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let l = load(&state, &user, &raw).await?;
    let doc = format!("/facturation/documents/{}", l.entry.ledger_entry_id);
    let Some(numcli) = l
        .school
        .payfip_numcli
        .clone()
        .filter(|n| payfip::valid_numcli(n))
    else {
        return Ok(see_other(&doc));
    };
    if !l.entry.is_invoice() || l.entry.due_cents() == 0 {
        return Ok(see_other(&format!(
            "/facturation/{}?info=deja-reglee",
            l.entry.ledger
        )));
    }
    let refdet = payfip::new_refdet(&l.entry.number);
    store::create_attempt(&state.pool, &l.entry, user.0.account_id, &refdet).await?;
    let request = PayfipRequest {
        numcli,
        exer: l.entry.entry_date.get(..4).unwrap_or("2026").to_owned(),
        refdet,
        objet: payfip::objet(&format!(
            "Facture {} {}",
            l.entry.number, l.addressee.last_name
        )),
        montant: l.entry.due_cents(),
        mel: l.addressee.email.clone().unwrap_or_default(),
        urlcl: format!("{}/facturation/paiement/retour", state.settings.base_url),
        saisie: state.settings.payfip.saisie(),
    };
    tracing::info!(invoice = %l.entry.number, "online payment started");
    Ok(see_other(&request.url(&state.settings.payfip.url)))
}

/// What PayFiP sends back to `urlcl`.
#[derive(Deserialize, Default)]
struct Return {
    #[serde(default)]
    numcli: String,
    #[serde(default)]
    refdet: String,
    #[serde(default)]
    montant: String,
    #[serde(default)]
    resultrans: String,
    #[serde(default)]
    numauto: String,
    #[serde(default)]
    dattrans: String,
    #[serde(default)]
    heurtrans: String,
}

fn refused(ctx: &Ctx, reason: &str) -> Response {
    views::return_refused(ctx, reason)
        .with_status(StatusCode::BAD_REQUEST)
        .into_response()
}

/// The return from PayFiP. Accepted only for a payment attempt of this family with the
/// same amount; the first return resolves it, any later one changes nothing.
#[handler]
async fn payment_return(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Query(r): Query<Return>,
) -> AppResult<Response> {
    if !payfip::valid_refdet(&r.refdet) {
        return Err(not_found());
    }
    let attempt = store::attempt_by_refdet(&state.pool, user.1, &r.refdet)
        .await?
        .ok_or_else(not_found)?;
    let school = store::school(&state.pool, user.0.site_id).await?;
    if !r.numcli.is_empty() && school.payfip_numcli.as_deref() != Some(r.numcli.as_str()) {
        tracing::warn!(refdet = %r.refdet, "PayFiP return for another client number");
        return Ok(refused(
            &ctx,
            "Ce retour de paiement ne concerne pas votre école.",
        ));
    }
    let Some(result) = payfip::Result::parse(&r.resultrans) else {
        return Ok(refused(
            &ctx,
            "Ce retour de paiement ne dit pas si le paiement a abouti.",
        ));
    };
    let amount = r.montant.trim().parse::<i64>().ok();
    if amount != Some(attempt.amount_cents) {
        tracing::warn!(refdet = %r.refdet, "PayFiP return with another amount");
        return Ok(refused(
            &ctx,
            &format!(
                "Le montant de ce retour ne correspond pas au paiement demandé ({}).",
                euros(attempt.amount_cents)
            ),
        ));
    }
    let outcome_url = format!("/facturation/paiements/{}", attempt.payment_attempt_id);
    if attempt.status != "pending" {
        // A replayed or duplicated return: the first one decided.
        return Ok(see_other(&outcome_url));
    }
    let numauto: String = r
        .numauto
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(30)
        .collect();
    let addressee = store::addressee(&state.pool, user.1).await?;
    let mail = addressee
        .as_ref()
        .and_then(|a| a.email.clone())
        .filter(|_| result.status() == "paid")
        .map(|to| {
            crate::mail::templates::payment_received(
                &to,
                &school.name,
                &attempt.invoice_number,
                &euros(attempt.amount_cents),
                &state.settings.base_url,
            )
        });
    let resolved = store::resolve_attempt(
        &state.pool,
        &attempt,
        &Outcome {
            status: result.status(),
            code: result.code(),
            authorisation: (!numauto.is_empty()).then_some(numauto.as_str()),
            paid_on: payfip::paid_on(&r.dattrans, &r.heurtrans),
        },
        mail,
    )
    .await?;
    if resolved && result.status() == "paid" {
        state.mail_wakeup.notify_one();
    }
    Ok(see_other(&outcome_url))
}

#[handler]
async fn payment_outcome(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Path(raw): Path<String>,
) -> AppResult<maud::Markup> {
    let a = store::attempt(&state.pool, user.1, id(&raw)?)
        .await?
        .ok_or_else(not_found)?;
    Ok(views::outcome(&ctx, &a, a.invoice_entry_id))
}

/// The demo's PayFiP: checks the request as PayFiP would and offers each outcome.
#[handler]
async fn payfip_double(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Query(fields): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    if !state.settings.payfip.test_double {
        return Err(not_found());
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut problems = Vec::new();
    if !payfip::valid_numcli(get("numcli")) {
        problems.push("numcli doit compter 6 chiffres.".to_owned());
    }
    if !(get("exer").len() == 4 && get("exer").bytes().all(|b| b.is_ascii_digit())) {
        problems.push("exer doit être une année sur 4 chiffres.".to_owned());
    }
    if !payfip::valid_refdet(get("refdet")) {
        problems.push("refdet doit compter de 6 à 30 lettres ou chiffres.".to_owned());
    }
    let objet = get("objet");
    if objet.is_empty()
        || objet.len() >= 100
        || !objet.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
    {
        problems.push(
            "objet doit être un texte de moins de 100 caractères sans accents ni ponctuation."
                .to_owned(),
        );
    }
    if !get("montant").parse::<i64>().is_ok_and(|m| m > 0) {
        problems.push("montant doit être un nombre entier de centimes.".to_owned());
    }
    if !get("mel").contains('@') {
        problems.push("mel doit être une adresse électronique.".to_owned());
    }
    if !get("urlcl").starts_with(&state.settings.base_url) {
        problems.push("urlcl doit être l'adresse de retour du portail.".to_owned());
    }
    if !matches!(get("saisie"), "T" | "X") {
        problems.push("saisie doit valoir T (test) ou X (production).".to_owned());
    }
    let page = views::payfip_double(&ctx, &fields, &problems);
    Ok(if problems.is_empty() {
        page.into_response()
    } else {
        page.with_status(StatusCode::BAD_REQUEST).into_response()
    })
}
