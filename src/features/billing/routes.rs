//! `/facturation…` (families), the PayFiP return, the demo's PayFiP stand-in.

use anyhow::Context;
use std::sync::Arc;

use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Body, IntoResponse, Response, handler};
use serde::Deserialize;

use super::document::Duplicate;
use super::payfip::{self, CreateRequest, client};
use super::store::{self, Attempt, Entry, Ledger};
use super::views::{self, LedgerPage};
use crate::domain::french_date;
use crate::domain::money::{euros, number};
use crate::mail::templates;
use crate::state::AppState;
use crate::web::{
    AppError, AppResult, Ctx, FamilyUser, Ids, clean_search, matches_search, see_other,
};

#[handler]
pub(crate) fn index() -> Response {
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
        "montant-hors-limites" => {
            "Ce montant ne peut pas être payé en ligne (PayFiP accepte de 1,00 € à 99 999,99 €) : réglez-le à l'accueil de l'école."
        }
        "sans-courriel" => {
            "Le paiement en ligne demande une adresse e-mail : ajoutez-la à votre fiche Famille, puis recommencez."
        }
        _ => return None,
    })
}

#[handler]
pub(crate) async fn ledger(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Path(key): Path<String>,
    Query(search): Query<Search>,
) -> AppResult<maud::Markup> {
    let ledger = Ledger::from_key(&key).ok_or(AppError::NotFound)?;
    let entries = store::entries(&state.pool, user.family_id, ledger).await?;
    let school = store::school(&state.pool, user.account.site_id).await?;
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

async fn load(state: &AppState, user: &FamilyUser, id: i64) -> AppResult<Loaded> {
    let entry = store::entry(&state.pool, user.family_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let school = store::school(&state.pool, user.account.site_id).await?;
    let addressee = store::addressee(&state.pool, user.family_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = store::lines(&state.pool, entry.ledger_entry_id).await?;
    let receipts = if entry.is_invoice() {
        store::receipts_of(&state.pool, entry.ledger_entry_id).await?
    } else {
        Vec::new()
    };
    let invoice = match entry.settles_entry_id {
        Some(i) => store::entry(&state.pool, user.family_id, i).await?,
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
pub(crate) async fn document(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([doc]): Ids<1>,
    Query(q): Query<Search>,
) -> AppResult<maud::Markup> {
    let l = load(&state, &user, doc).await?;
    let d = l.duplicate();
    let pdf_size = d.pdf_size();
    let payable = payable_school(&l.school) && l.entry.due_cents() > 0;
    let open = if payable {
        store::open_attempt(&state.pool, user.family_id, l.entry.ledger_entry_id).await?
    } else {
        None
    };
    Ok(views::document_page(
        &ctx,
        &d,
        pdf_size,
        payable,
        open.as_ref(),
        info_text(q.info.as_deref()),
    ))
}

#[handler]
pub(crate) async fn document_pdf(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Ids([doc]): Ids<1>,
) -> AppResult<Response> {
    let l = load(&state, &user, doc).await?;
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

/// "Payer en ligne": records an attempt, has PayFiP create the operation and sends the
/// browser to PayFiP's page. Nothing about the payment is decided here.
#[handler]
pub(crate) async fn pay(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([doc]): Ids<1>,
) -> AppResult<Response> {
    let l = load(&state, &user, doc).await?;
    let doc = crate::paths::document(l.entry.ledger_entry_id);
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
    if !(payfip::MIN_CENTS..=payfip::MAX_CENTS).contains(&l.entry.due_cents()) {
        return Ok(see_other(&format!("{doc}?info=montant-hors-limites")));
    }
    let Some(mel) = l
        .addressee
        .email
        .clone()
        .filter(|m| crate::domain::EmailAddress::parse(m).is_ok())
    else {
        return Ok(see_other(&format!("{doc}?info=sans-courriel")));
    };
    let refdet = payfip::new_refdet(&l.entry.number);
    let attempt_id =
        store::create_attempt(&state.pool, &l.entry, user.account.account_id, &refdet).await?;
    let base = &state.settings.base_url;
    let request = CreateRequest {
        exer: l.entry.entry_date.get(..4).unwrap_or("2026").to_owned(),
        mel,
        montant: l.entry.due_cents(),
        numcli,
        objet: payfip::objet(&format!(
            "Facture {} {}",
            l.entry.number, l.addressee.last_name
        )),
        refdet,
        saisie: l.school.payfip_mode(state.settings.payfip.mode).saisie(),
        urlnotif: format!("{base}{NOTIFICATION_PATH}"),
        urlredirect: format!("{base}{}", crate::paths::payment_return(attempt_id)),
    };
    match client::create(&state.http, &state.settings.payfip.service_url, &request).await {
        Ok(idop) => {
            store::attempt_created(&state.pool, attempt_id, &idop).await?;
            tracing::info!(invoice = %l.entry.number, "online payment started");
            let page = &state.settings.payfip.payment_url;
            let sep = if page.contains('?') { '&' } else { '?' };
            Ok(see_other(&format!("{page}{sep}idop={idop}")))
        }
        Err(e) => {
            tracing::error!(error = %e, invoice = %l.entry.number, "PayFiP did not create the payment");
            store::attempt_failed(&state.pool, attempt_id, l.entry.site_id, &e.to_string()).await?;
            Ok(views::payment_unavailable(&ctx, &l.entry)
                .with_status(StatusCode::SERVICE_UNAVAILABLE)
                .into_response())
        }
    }
}

/// Where PayFiP calls the portal, server to server, when a payment ends.
pub const NOTIFICATION_PATH: &str = "/payfip/notification";

#[derive(Deserialize, Default)]
struct Notified {
    #[serde(default, alias = "idOp", alias = "IDOP")]
    idop: String,
}

/// PayFiP's notification. It names an operation and nothing else is read from it: the
/// result is asked back from PayFiP's service. An `idOp` that is not one of ours, or that
/// is already resolved, changes nothing. The answer is the same in every case.
#[handler]
pub(crate) async fn notification(
    state: Data<&Arc<AppState>>,
    Query(q): Query<Notified>,
    body: Body,
) -> AppResult<Response> {
    let body = body.into_bytes_limit(4096).await.unwrap_or_default();
    let from_body = serde_urlencoded::from_bytes::<Notified>(&body).unwrap_or_default();
    let idop = if from_body.idop.is_empty() {
        q.idop
    } else {
        from_body.idop
    };
    if !payfip::valid_idop(&idop) {
        return Err(AppError::BadRequest);
    }
    match store::attempt_by_idop(&state.pool, &idop).await? {
        Some(attempt) => settle(&state, &attempt).await?,
        None => tracing::warn!("PayFiP notification for an operation that is not ours"),
    }
    Ok("OK"
        .with_content_type("text/plain; charset=utf-8")
        .into_response())
}

/// Asks PayFiP what became of an attempt and applies its answer: the only way a result
/// is ever recorded. When PayFiP has no result yet (`P5`), or cannot be reached, the
/// attempt stays as it is and the next notification or visit asks again.
async fn settle(state: &AppState, attempt: &Attempt) -> AppResult<()> {
    let Some(idop) = attempt
        .idop
        .as_deref()
        .filter(|_| attempt.status().is_open())
    else {
        return Ok(());
    };
    let details = match client::details(&state.http, &state.settings.payfip.service_url, idop).await
    {
        Ok(d) => d,
        Err(e) if e.is_pending() => return Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, refdet = %attempt.refdet, "PayFiP's result could not be read");
            return Ok(());
        }
    };
    let school = store::school(&state.pool, attempt.site_id).await?;
    let about_this = (details.idop.is_empty() || details.idop == idop)
        && details.refdet == attempt.refdet
        && (details.numcli.is_empty()
            || school.payfip_numcli.as_deref() == Some(details.numcli.as_str()));
    if !about_this {
        tracing::error!(refdet = %attempt.refdet, "PayFiP's answer is about another payment: ignored");
        return Ok(());
    }
    let Some(code) = payfip::Resultrans::parse(&details.resultrans) else {
        tracing::warn!(refdet = %attempt.refdet, resultrans = %details.resultrans, "PayFiP gave no known result");
        return Ok(());
    };
    let family_mail = store::addressee(&state.pool, attempt.family_id)
        .await?
        .and_then(|a| a.email)
        .filter(|e| !e.trim().is_empty());
    let amount = euros(attempt.amount_cents);
    let base = &state.settings.base_url;
    let staff_to = school
        .contact_email
        .clone()
        .unwrap_or_else(|| state.settings.sender_address());
    let authorisation = details.authorisation();
    let mails = store::ResultMails {
        paid: family_mail.as_deref().map(|to| {
            templates::payment_received(to, &school.name, &attempt.invoice_number, &amount, base)
        }),
        review_family: family_mail.as_deref().map(|to| {
            templates::payment_to_review_family(to, &school.name, &attempt.invoice_number, &amount)
        }),
        review_staff: Some(templates::payment_to_review_staff(
            &staff_to,
            &templates::ConfirmedPayment {
                school: &school.name,
                invoice: &attempt.invoice_number,
                amount: &amount,
                refdet: &attempt.refdet,
                authorisation: authorisation.as_deref().unwrap_or("—"),
            },
            base,
        )),
    };
    let applied = store::apply_result(
        &state.pool,
        attempt,
        &store::Answer {
            code: code.code().chars().next().unwrap_or('A'),
            paid_cents: details.amount_cents(),
            authorisation: authorisation.as_deref(),
            paid_on: payfip::paid_on(&details.dattrans, &details.heurtrans),
        },
        mails,
    )
    .await
    .with_context(|| format!("applying PayFiP's answer to payment {}", attempt.refdet))?;
    if let store::Applied::Resolved(status) = applied {
        tracing::info!(refdet = %attempt.refdet, status = status.key(), "online payment resolved");
        state.mail_wakeup.notify_one();
    }
    Ok(())
}

/// PayFiP sends the browser back here (GET or POST). It only leads to the attempt's page,
/// which shows where it stands; whatever the request carries is ignored.
#[handler]
pub(crate) fn payment_return(Ids([attempt_id]): Ids<1>) -> AppResult<Response> {
    Ok(see_other(&crate::paths::payment(attempt_id)))
}

#[handler]
pub(crate) async fn payment_outcome(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([attempt_id]): Ids<1>,
) -> AppResult<maud::Markup> {
    let mut a = store::attempt(&state.pool, user.family_id, attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.status().is_open() {
        // The notification may be late, or lost: ask PayFiP now.
        settle(&state, &a).await?;
        a = store::attempt(&state.pool, user.family_id, attempt_id)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    Ok(views::outcome(&ctx, &a, a.invoice_entry_id))
}
