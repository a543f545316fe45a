//! `/gestion/paiements`: staff record a payment received at the desk and follow the
//! school's online payments.

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store::{self, Attempt, NewReceipt};
use crate::domain::date::{PastDate, today};
use crate::domain::money::{euros, parse_positive};
use crate::domain::{french_date, french_datetime};
use crate::state::AppState;
use crate::web::components::{
    Errors, Field, csrf_field, error_summary, field_block, notice, required_legend,
};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{AppResult, Ctx, StaffUser, layout, see_other, unprocessable};

/// Modes a desk payment can have (online ones are recorded by PayFiP's return).
const DESK_MODES: &[&str] = &["cheque", "especes", "carte", "virement", "cheque-vacances"];

#[derive(Deserialize, Default, Clone)]
struct DeskForm {
    #[serde(default)]
    facture: String,
    #[serde(default)]
    montant: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reference: String,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    recu: Option<String>,
}

fn view(
    ctx: &Ctx,
    form: &DeskForm,
    errors: &Errors,
    attempts: &[Attempt],
    reviews: &[Attempt],
    recorded: Option<&str>,
) -> Markup {
    layout::form_page(
        ctx,
        "Paiements",
        errors,
        html! {
            h1 { "Paiements" }
            @if let Some(n) = recorded { (notice(&format!("Le règlement est enregistré sous le n° {n}. La famille le voit dans sa facturation."))) }
            (error_summary(errors))
            @if !reviews.is_empty() {
                section #a-regulariser aria-labelledby="a-regulariser-titre" {
                    h2 #a-regulariser-titre { "Paiements en ligne à régulariser" }
                    p { "Ces paiements ont été reçus par PayFiP mais n'ont réglé aucune facture. "
                        "Remboursez la famille, ou enregistrez le règlement ci-dessous sur la facture qu'il doit régler." }
                    ul {
                        @for a in reviews {
                            li { (euros(a.amount_cents)) " pour la facture " (a.invoice_number) ", référence PayFiP " (a.refdet)
                                @if let Some(n) = &a.authorisation { ", autorisation " (n) }
                                " : " (a.review_reason.as_deref().unwrap_or("à vérifier")) "." }
                        }
                    }
                }
            }
            h2 #guichet { "Enregistrer un règlement reçu à l'accueil" }
            (required_legend())
            form method="post" action="/gestion/paiements" novalidate aria-labelledby="guichet" {
                (csrf_field(&ctx.csrf))
                (Field { name: "facture", label: "Numéro de la facture", kind: "text", value: &form.facture,
                    autocomplete: "off", hint: Some("Tel qu'il figure sur la facture, par exemple 26FC00412."), required: true }.render(errors))
                (Field { name: "montant", label: "Montant reçu, en euros", kind: "text", value: &form.montant,
                    autocomplete: "off", hint: Some("Par exemple 84,00."), required: true }.render(errors))
                (field_block("mode", "Mode de règlement").required().control(errors, |described, invalid| html! {
                    select #champ-mode name="mode" required aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                        option value="" selected[form.mode.is_empty()] { "Choisissez…" }
                        @for m in DESK_MODES {
                            option value=(m) selected[form.mode == *m] { (store::mode_label(m)) }
                        }
                    }
                }))
                (Field { name: "date", label: "Date de réception", kind: "text", value: &form.date,
                    autocomplete: "off", hint: Some("jj/mm/aaaa, par exemple 19/11/2012."), required: true }.render(errors))
                (Field { name: "reference", label: "Référence (numéro de chèque…)", kind: "text", value: &form.reference,
                    autocomplete: "off", hint: None, required: false }.render(errors))
                div.actions { button type="submit" { "Enregistrer le règlement" } }
            }
            h2 { "Paiements en ligne" }
            @if attempts.is_empty() {
                p { "Aucun paiement en ligne pour l'instant." }
            } @else {
                (DataTable::new(
                    "en-ligne-legende",
                    "Les 50 derniers paiements en ligne, du plus récent au plus ancien",
                    [col("Commencé le"), col("Facture"), col("Référence PayFiP"), col("Montant"), col("État"), col("Autorisation")],
                ).rows(attempts.iter().map(|a| vec![
                    td(french_datetime(a.created_at)),
                    th(&a.invoice_number),
                    td(&a.refdet),
                    td(euros(a.amount_cents)).num(),
                    td(a.status().label()),
                    td(a.authorisation.as_deref().unwrap_or("")),
                ])))
            }
        },
    )
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Markup> {
    let attempts = store::site_attempts(&state.pool, user.site_id, 50).await?;
    let reviews = store::site_reviews(&state.pool, user.site_id).await?;
    let today = today();
    let form = DeskForm {
        date: french_date(&format!(
            "{:04}-{:02}-{:02}",
            today.year(),
            u8::from(today.month()),
            today.day()
        )),
        ..DeskForm::default()
    };
    // Only a receipt number is echoed (letters and digits).
    let recorded = q
        .recu
        .filter(|r| r.len() <= 20 && r.chars().all(|c| c.is_ascii_alphanumeric()));
    Ok(view(
        &ctx,
        &form,
        &Errors::new(),
        &attempts,
        &reviews,
        recorded.as_deref(),
    ))
}

#[handler]
pub(crate) async fn record(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Form(form): Form<DeskForm>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    let number = form.facture.trim().to_uppercase();
    let invoice = if number.is_empty() {
        errors.add("facture", "Le numéro de la facture est obligatoire.");
        None
    } else {
        let found = store::invoice_by_number(&state.pool, user.site_id, &number).await?;
        match &found {
            None => errors.add(
                "facture",
                format!("Aucune facture n° {number} dans votre école : vérifiez le numéro."),
            ),
            Some(i) if i.due_cents() == 0 => errors.add(
                "facture",
                format!("La facture n° {number} est déjà réglée."),
            ),
            _ => {}
        }
        found
    };
    let amount = match parse_positive(&form.montant) {
        Ok(a) => Some(a),
        Err(e) => {
            errors.add("montant", e);
            None
        }
    };
    if let (Some(i), Some(a)) = (&invoice, amount)
        && i.due_cents() > 0
        && a > i.due_cents()
    {
        errors.add(
            "montant",
            format!(
                "Le montant dépasse le reste à payer de la facture n° {} ({}).",
                i.number,
                euros(i.due_cents())
            ),
        );
    }
    if !DESK_MODES.contains(&form.mode.as_str()) {
        errors.add("mode", "Choisissez le mode de règlement.");
    }
    let date = match PastDate::parse(&form.date, today()) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add("date", e);
            None
        }
    };
    let reference = form.reference.trim();
    if let Err(e) = crate::domain::text::line(reference, "La référence", 60)
        && reference.chars().count() <= 60
    {
        errors.add("reference", e);
    }
    if reference.chars().count() > 60 {
        errors.add(
            "reference",
            format!(
                "La référence compte {} caractères ; 60 au plus.",
                reference.chars().count()
            ),
        );
    }
    if let (Some(invoice), Some(amount), Some(date)) = (&invoice, amount, &date)
        && errors.is_empty()
    {
        let label = if reference.is_empty() {
            format!("REGLEMENT FACTURE {}", invoice.number)
        } else {
            reference.to_owned()
        };
        let receipt = store::record_desk_payment(
            &state.pool,
            user.account_id,
            &NewReceipt {
                invoice,
                date: &date.iso(),
                mode: &form.mode,
                label: &label,
                amount_cents: amount,
            },
        )
        .await?;
        match receipt {
            Some(receipt) => return Ok(see_other(&format!("/gestion/paiements?recu={receipt}"))),
            // An online payment settled part of it since the page was read.
            None => errors.add(
                "montant",
                format!(
                    "Le montant dépasse ce qui reste à payer sur la facture n° {} : un paiement vient d'y être enregistré.",
                    invoice.number
                ),
            ),
        }
    }
    let attempts = store::site_attempts(&state.pool, user.site_id, 50).await?;
    let reviews = store::site_reviews(&state.pool, user.site_id).await?;
    Ok(unprocessable(view(
        &ctx, &form, &errors, &attempts, &reviews, None,
    )))
}
