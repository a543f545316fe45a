//! `/gestion/preinscriptions`: staff open the window (dates, rule, documents, retention), add
//! the disciplines offered with their places and ages, draw at the close when the rule says
//! so (the seed is recorded and shown), and review the requests discipline by discipline, in
//! rank, with the places left; a request's page accepts it (the family, its people and an
//! invitation are made), puts it on a waiting list or refuses it.

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store::{self, Offer, Ranked, Refusal, Request, Window};
use super::{ACCEPTED, DRAW, FIRST_COME, NEW, REFUSED, WAITING, status_words};
use crate::domain::date::{iso, parse_day, today, today_iso};
use crate::domain::{french_date, french_datetime, kilobytes};
use crate::mail::Outgoing;
use crate::state::AppState;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::files::file_response;
use crate::web::table::{DataTable, col, td, th};
use crate::web::{AppError, AppResult, Ctx, Ids, StaffUser, layout, see_other, unprocessable};

/// Accepts a request for `offer` (taking a place unless it was offered and so already
/// taken), then invites the guardian to the portal and tells the family.
pub async fn accept_and_invite(
    state: &AppState,
    r: &Request,
    offer: i64,
    by: Option<i64>,
    already_taken: bool,
) -> AppResult<Result<(), Refusal>> {
    let guardian = match store::accept(&state.pool, r, offer, by, already_taken).await? {
        Ok(g) => g,
        Err(e) => return Ok(Err(e)),
    };
    match crate::features::accounts::store::invite(
        &state.pool,
        r.site_id,
        guardian,
        by,
        &state.settings.base_url,
    )
    .await
    {
        Ok(_) | Err(crate::features::accounts::store::InviteError::AlreadyHasAccount(_)) => {}
        Err(crate::features::accounts::store::InviteError::NoEmail) => {}
        Err(crate::features::accounts::store::InviteError::Database(e)) => return Err(e.into()),
    }
    Ok(Ok(()))
}

/// A place of `offer` was freed: the next request waiting for it is offered it.
pub async fn offer_freed_place(state: &AppState, site_id: i64, offer: i64) -> anyhow::Result<()> {
    let Some(window) = store::latest_window(&state.pool, site_id).await? else {
        return Ok(());
    };
    let school = crate::site::name(&state.pool, site_id).await?;
    let base = state.settings.base_url.clone();
    store::offer_next(&state.pool, &window, offer, today(), |r, until| Outgoing {
        to: r.email.clone(),
        subject: format!("{school} – une place est disponible ({})", r.reference),
        body: format!(
            "Bonjour,\n\nUne place en {} se libère pour {} (demande {}).\n\n\
             Elle vous est réservée jusqu'au {} inclus. Pour l'accepter ou y renoncer, ouvrez le suivi de \
             votre demande : {base}/preinscription/suivi (avec la référence {} et votre adresse e-mail).\n\n\
             Sans réponse à cette date, la place est proposée à la famille suivante.\n\n{school}\n",
            r.offer.as_deref().unwrap_or(""),
            r.child(),
            r.reference,
            french_date(until),
            r.reference
        ),
    })
    .await?;
    Ok(())
}

/// What keeps the rules true over time: places offered and not confirmed in time are freed
/// and offered to the next family; requests past their retention are anonymised. Run by the
/// hourly task and when staff open the page.
pub async fn housekeeping(state: &AppState) -> anyhow::Result<()> {
    let today_s = today_iso();
    for site in crate::site::sites(&state.pool).await? {
        if let Some(w) = store::latest_window(&state.pool, site.site_id).await? {
            for offer in store::expire_offers(&state.pool, w.window_id, &today_s).await? {
                offer_freed_place(state, site.site_id, offer).await?;
            }
        }
    }
    for w in store::windows_to_purge(&state.pool, &today_s).await? {
        let Some(closed) = crate::domain::date::from_iso(&w.closes_on) else {
            continue;
        };
        let months = w.retention_months.clamp(0, 120) as i32;
        let (y, m) = (closed.year(), u8::from(closed.month()) as i32 - 1 + months);
        let until = time::Date::from_calendar_date(
            y + m / 12,
            time::Month::try_from((m % 12 + 1) as u8).unwrap_or(time::Month::January),
            closed.day().min(28),
        )
        .unwrap_or(closed);
        if today() > until {
            store::purge(&state.pool, &w).await?;
        }
    }
    Ok(())
}

/// The hourly task.
pub fn spawn_housekeeping(state: Arc<AppState>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = housekeeping(&state).await {
                tracing::error!(error = format!("{e:#}"), "pre-enrolment housekeeping");
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

#[derive(Deserialize, Default, Clone)]
struct PageQuery {
    discipline: Option<String>,
    info: Option<String>,
}

/// The window form and the offer form, as typed.
#[derive(Deserialize, Default, Clone)]
struct WindowForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    libelle: String,
    #[serde(default)]
    ouverture: String,
    #[serde(default)]
    fermeture: String,
    #[serde(default)]
    regle: String,
    #[serde(default)]
    documents: String,
    #[serde(default)]
    conservation: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    places: String,
    #[serde(default)]
    ne_de: String,
    #[serde(default)]
    ne_a: String,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "fenetre" => "La période de préinscription est enregistrée.",
        "offre" => "La discipline est ajoutée.",
        "tirage" => "Le tirage est fait : chaque demande a son rang, et la graine est affichée.",
        "deja-tire" => "Le tirage avait déjà été fait : il ne se refait pas.",
        "acceptee" => {
            "La demande est acceptée : la famille est créée et son responsable invité au portail."
        }
        "attente" => "La demande est sur liste d'attente ; la famille est prévenue de sa place.",
        "refusee" => "La demande est refusée ; la famille est prévenue, avec le motif.",
        "complet" => {
            "Il ne reste plus de place dans cette discipline : la demande n'est pas acceptée."
        }
        "deja-decidee" => "Cette demande avait déjà été traitée : la première décision est gardée.",
        _ => return None,
    })
}

struct PageData<'a> {
    window: Option<&'a Window>,
    offers: &'a [Offer],
    chosen: Option<(&'a Offer, &'a [Ranked])>,
    form: &'a WindowForm,
    errors: &'a Errors,
    info: Option<&'a str>,
}

fn input(
    name: &'static str,
    label: &'static str,
    value: &str,
    hint: Option<&'static str>,
    required: bool,
    errors: &Errors,
) -> Markup {
    field_block(name, label)
        .required_if(required)
        .hint_if(hint)
        .control(errors, |described, invalid| html! {
            input id=(field_id(name)) name=(name) type="text" value=(value) required[required] autocomplete="off"
                aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
        })
}

fn page(ctx: &Ctx, p: &PageData) -> Markup {
    let f = p.form;
    layout::form_page(
        ctx,
        "Préinscriptions",
        p.errors,
        html! {
            h1 { "Préinscriptions" }
            @if let Some(i) = p.info { (notice(i)) }
            (error_summary(p.errors))
            @if let Some(w) = p.window {
                p {
                    (w.label) " : du " (french_date(&w.opens_on)) " au " (french_date(&w.closes_on)) ", "
                    @if w.rule == DRAW { "ordre par tirage au sort à la clôture" } @else { "premier arrivé, premier servi (à la confirmation de l'adresse)" }
                    @if w.is_open(&today_iso()) { ". Le formulaire public est ouvert : " a href="/preinscription" { "/preinscription" } "." } @else { "." }
                }
                @if w.rule == DRAW {
                    @if let (Some(seed), Some(at)) = (w.seed, w.drawn_at) {
                        p { "Tirage fait le " (french_datetime(at)) " avec la graine " strong { (seed) } " : le même tirage se refait à l'identique avec cette graine." }
                    } @else if today_iso() > w.closes_on {
                        form method="post" action="/gestion/preinscriptions" {
                            (csrf_field(&ctx.csrf))
                            button type="submit" name="action" value="tirage" { "Faire le tirage au sort" }
                        }
                    } @else {
                        p { "Le tirage au sort se fait après la clôture, le " (french_date(&w.closes_on)) "." }
                    }
                }
                h2 { "Disciplines proposées" }
                @if p.offers.is_empty() {
                    p { "Aucune discipline pour l'instant : ajoutez-en ci-dessous." }
                } @else {
                    (DataTable::new("offres-legende", "Disciplines, places et listes d'attente",
                        [col("Discipline"), col("Âges"), col("Places"), col("Prises"), col("Restantes"), col("Liste d'attente"), col("Demandes")])
                        .rows(p.offers.iter().map(|o| vec![
                            th(&o.label),
                            td(o.ages().unwrap_or_else(|| "Tous".to_owned())),
                            td(o.places),
                            td(o.taken),
                            td(o.left()),
                            td(o.waiting),
                            td(html! { a href={ "/gestion/preinscriptions?discipline=" (o.offer_id) "#classement" } { "Voir le classement" span.visually-hidden { " – " (o.label) } } }),
                        ])))
                }
                @if let Some((o, list)) = p.chosen {
                    h2 #classement { "Classement – " (o.label) " (" (o.left()) " place" @if o.left() > 1 { "s" } " restante" @if o.left() > 1 { "s" } ")" }
                    @if list.is_empty() {
                        p { "Aucune demande confirmée pour cette discipline." }
                    } @else {
                        (DataTable::new("classement-legende", html! { "Demandes pour " (o.label) ", par rang" },
                            [col("Rang"), col("Référence"), col("Enfant"), col("Naissance"), col("Vœu"), col("État")])
                            .rows(list.iter().enumerate().map(|(i, r)| vec![
                                td(i + 1),
                                th(html! { a href={ "/gestion/preinscriptions/demandes/" (r.request_id) } { (r.reference) } }),
                                td(&r.child),
                                td(french_date(&r.child_birth_date)),
                                td(format!("n° {}", r.preference)),
                                td(html! {
                                    (status_words(&r.status))
                                    @if r.offer_id.is_some_and(|x| x != o.offer_id) && [ACCEPTED, WAITING, super::OFFERED].contains(&r.status.as_str()) { " (autre discipline)" }
                                }),
                            ])))
                    }
                }
            }
            h2 #periode { @if p.window.is_some() { "Modifier la période" } @else { "Ouvrir une période de préinscription" } }
            form.stacked method="post" action="/gestion/preinscriptions" novalidate aria-labelledby="periode" {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="action" value="fenetre";
                (required_legend())
                (input("libelle", "Nom de la période", &f.libelle, Some("Par exemple « Rentrée 2027 »."), true, p.errors))
                (input("ouverture", "Premier jour", &f.ouverture, Some("jj/mm/aaaa"), true, p.errors))
                (input("fermeture", "Dernier jour", &f.fermeture, Some("jj/mm/aaaa"), true, p.errors))
                (field_block("regle", "Ordre des demandes").control(p.errors, |described, invalid| html! {
                    select id=(field_id("regle")) name="regle" aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                        option value=(FIRST_COME) selected[f.regle != DRAW] { "Premier arrivé, premier servi" }
                        option value=(DRAW) selected[f.regle == DRAW] { "Tirage au sort à la clôture" }
                    }
                }))
                (field_block("documents", "Documents demandés (facultatif)").hint("Un par ligne, six au plus ; par exemple « Justificatif de domicile ».").control(p.errors, |described, invalid| html! {
                    textarea id=(field_id("documents")) name="documents" rows="3" aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (f.documents) }
                }))
                (input("conservation", "Conservation des demandes non acceptées (mois)", &f.conservation, Some("Après la clôture, de 1 à 36 mois : elles sont ensuite anonymisées et leurs documents supprimés."), true, p.errors))
                div.actions { button type="submit" { "Enregistrer la période" } }
            }
            @if p.window.is_some() {
                h2 #ajouter { "Ajouter une discipline" }
                form.stacked method="post" action="/gestion/preinscriptions" novalidate aria-labelledby="ajouter" {
                    (csrf_field(&ctx.csrf))
                    input type="hidden" name="action" value="offre";
                    (required_legend())
                    (input("discipline", "Discipline", &f.discipline, None, true, p.errors))
                    (input("places", "Nombre de places", &f.places, None, true, p.errors))
                    (input("ne_de", "Enfants nés à partir de (année, facultatif)", &f.ne_de, Some("aaaa"), false, p.errors))
                    (input("ne_a", "Enfants nés jusqu'en (année, facultatif)", &f.ne_a, Some("aaaa"), false, p.errors))
                    div.actions { button type="submit" { "Ajouter la discipline" } }
                }
            }
        },
    )
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    site_id: i64,
    q: &PageQuery,
    form: &WindowForm,
    errors: &Errors,
) -> AppResult<Markup> {
    let window = store::latest_window(&state.pool, site_id).await?;
    let offers = match &window {
        Some(w) => store::offers(&state.pool, w.window_id).await?,
        None => Vec::new(),
    };
    let chosen_offer = q
        .discipline
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok())
        .and_then(|d| offers.iter().find(|o| o.offer_id == d));
    let ranked = match (&window, chosen_offer) {
        (Some(w), Some(o)) => store::ranked(&state.pool, w, o.offer_id).await?,
        _ => Vec::new(),
    };
    let mut typed = form.clone();
    if typed.libelle.is_empty()
        && typed.action.is_empty()
        && let Some(w) = &window
    {
        typed.libelle = w.label.clone();
        typed.ouverture = french_date(&w.opens_on);
        typed.fermeture = french_date(&w.closes_on);
        typed.regle = w.rule.clone();
        typed.documents = w.documents.clone();
        typed.conservation = w.retention_months.to_string();
    }
    if typed.conservation.is_empty() {
        typed.conservation = "6".to_owned();
    }
    Ok(page(
        ctx,
        &PageData {
            window: window.as_ref(),
            offers: &offers,
            chosen: chosen_offer.map(|o| (o, ranked.as_slice())),
            form: &typed,
            errors,
            info: info_text(q.info.as_deref()),
        },
    ))
}

#[handler]
pub(crate) async fn overview(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Markup> {
    housekeeping(&state).await.map_err(AppError::Internal)?;
    render(
        &state,
        &ctx,
        user.site_id,
        &q,
        &WindowForm::default(),
        &Errors::new(),
    )
    .await
}

#[handler]
pub(crate) async fn act(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Form(f): Form<WindowForm>,
) -> AppResult<Response> {
    let site = user.site_id;
    let window = store::latest_window(&state.pool, site).await?;
    let mut errors = Errors::new();
    match f.action.as_str() {
        "fenetre" => {
            let label = match crate::domain::text::line(&f.libelle, "Le nom", 80) {
                Ok(l) if l.is_empty() => {
                    errors.add("libelle", "Nom de la période : saisissez-le.");
                    l
                }
                Ok(l) => l,
                Err(e) => {
                    errors.add("libelle", format!("Nom de la période : {e}"));
                    String::new()
                }
            };
            let mut day =
                |key: &'static str, label: &str, raw: &str| match parse_day(raw, 2000..=2100) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.add(key, format!("{label} : {e}"));
                        None
                    }
                };
            let opens = day("ouverture", "Premier jour", &f.ouverture);
            let closes = day("fermeture", "Dernier jour", &f.fermeture);
            if let (Some(a), Some(b)) = (opens, closes)
                && b < a
            {
                errors.add("fermeture", "Dernier jour : il précède le premier jour.");
            }
            let rule = if f.regle == DRAW { DRAW } else { FIRST_COME };
            if window
                .as_ref()
                .is_some_and(|w| w.seed.is_some() && w.rule != rule)
            {
                errors.add(
                    "regle",
                    "Ordre des demandes : le tirage est déjà fait ; l'ordre ne change plus.",
                );
            }
            let docs: Vec<&str> = f
                .documents
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            if docs.len() > 6 {
                errors.add(
                    "documents",
                    format!(
                        "Documents demandés : six au plus (vous en avez saisi {}).",
                        docs.len()
                    ),
                );
            }
            if let Some(bad) = docs
                .iter()
                .find(|d| crate::domain::text::line(d, "Un document", 80).is_err())
            {
                errors.add("documents", format!("Documents demandés : « {bad} » dépasse 80 caractères ou contient un caractère invisible."));
            }
            let months = match f.conservation.trim().parse::<i64>() {
                Ok(m) if (1..=36).contains(&m) => m,
                _ => {
                    errors.add(
                        "conservation",
                        format!(
                            "Conservation : « {} » n'est pas un nombre de mois de 1 à 36.",
                            f.conservation.trim()
                        ),
                    );
                    0
                }
            };
            if !errors.is_empty() {
                let refused =
                    render(&state, &ctx, site, &PageQuery::default(), &f, &errors).await?;
                return Ok(unprocessable(refused));
            }
            let (Some(opens), Some(closes)) = (opens, closes) else {
                return Err(AppError::BadRequest);
            };
            // A window over: a new one is made; otherwise the latest is changed.
            let keep = window
                .as_ref()
                .filter(|w| w.closes_on >= today_iso())
                .map(|w| w.window_id);
            store::save_window(
                &state.pool,
                keep,
                &store::NewWindow {
                    site_id: site,
                    account_id: user.account_id,
                    label: &label,
                    opens_on: &iso(opens),
                    closes_on: &iso(closes),
                    rule,
                    documents: &docs.join("\n"),
                    retention_months: months,
                },
            )
            .await?;
            Ok(see_other("/gestion/preinscriptions?info=fenetre"))
        }
        "offre" => {
            let Some(w) = window else {
                return Err(AppError::BadRequest);
            };
            let label = match crate::domain::text::line(&f.discipline, "La discipline", 80) {
                Ok(l) if l.is_empty() => {
                    errors.add("discipline", "Discipline : saisissez-la.");
                    l
                }
                Ok(l) => l,
                Err(e) => {
                    errors.add("discipline", format!("Discipline : {e}"));
                    String::new()
                }
            };
            let places = match f.places.trim().parse::<i64>() {
                Ok(n) if (1..=500).contains(&n) => n,
                _ => {
                    errors.add(
                        "places",
                        format!(
                            "Nombre de places : « {} » n'est pas un nombre de 1 à 500.",
                            f.places.trim()
                        ),
                    );
                    0
                }
            };
            let year =
                |key: &'static str, label: &str, raw: &str, errors: &mut Errors| -> Option<i64> {
                    let t = raw.trim();
                    if t.is_empty() {
                        return None;
                    }
                    match t.parse::<i64>() {
                        Ok(y) if (1900..=2100).contains(&y) => Some(y),
                        _ => {
                            errors.add(
                                key,
                                format!("{label} : « {t} » n'est pas une année (aaaa)."),
                            );
                            None
                        }
                    }
                };
            let from = year("ne_de", "Nés à partir de", &f.ne_de, &mut errors);
            let to = year("ne_a", "Nés jusqu'en", &f.ne_a, &mut errors);
            if let (Some(a), Some(b)) = (from, to)
                && b < a
            {
                errors.add("ne_a", "Nés jusqu'en : cette année précède la première.");
            }
            if !errors.is_empty() {
                let refused =
                    render(&state, &ctx, site, &PageQuery::default(), &f, &errors).await?;
                return Ok(unprocessable(refused));
            }
            store::add_offer(
                &state.pool,
                site,
                user.account_id,
                w.window_id,
                (&label, places, from, to),
            )
            .await?;
            Ok(see_other("/gestion/preinscriptions?info=offre"))
        }
        "tirage" => {
            let Some(w) = window.filter(|w| w.rule == DRAW && today_iso() > w.closes_on) else {
                return Err(AppError::BadRequest);
            };
            let seed: u64 = rand::random::<u64>() >> 1;
            let done = store::record_draw(&state.pool, &w, user.account_id, seed).await?;
            Ok(see_other(if done {
                "/gestion/preinscriptions?info=tirage"
            } else {
                "/gestion/preinscriptions?info=deja-tire"
            }))
        }
        _ => Err(AppError::BadRequest),
    }
}

#[derive(Deserialize, Default, Clone)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    motif: String,
}

/// A request with what its page shows beside it.
#[derive(Clone, Copy)]
struct RequestView<'a> {
    r: &'a Request,
    wishes: &'a [(i64, String)],
    offers: &'a [Offer],
    docs: &'a [store::Document],
}

fn request_page(ctx: &Ctx, v: &RequestView, motif: &str, errors: &Errors) -> Markup {
    let RequestView {
        r,
        wishes,
        offers,
        docs,
    } = *v;
    let decidable = r.status == NEW || r.status == WAITING;
    let action = format!("/gestion/preinscriptions/demandes/{}", r.request_id);
    layout::form_page(
        ctx,
        &format!("Demande {} – Préinscriptions", r.reference),
        errors,
        html! {
            p { a href="/gestion/preinscriptions" { "Toutes les préinscriptions" } }
            h1 { "Demande " (r.reference) }
            (error_summary(errors))
            dl.record {
                dt { "État" } dd { (status_words(&r.status)) @if let Some(o) = &r.offer { " (" (o) ")" } }
                dt { "Enfant" } dd { (r.child()) }
                dt { "Date de naissance" } dd { (french_date(&r.child_birth_date)) }
                dt { "Responsable" } dd { (match r.civility.as_str() { "M" => "Monsieur ", "MME" => "Madame ", _ => "" }) (r.last_name) " " (r.first_name) }
                dt { "Adresse e-mail" } dd { (r.email) }
                dt { "Téléphone" } dd { (crate::domain::phone::display_phone(&r.phone)) }
                dt { "Adresse" } dd { (r.address) ", " (r.postal_code) " " (r.city) }
                dt { "Envoyée le" } dd { (french_datetime(r.created_at)) }
                dt { "Adresse confirmée le" } dd { @match r.confirmed_at { Some(t) => (french_datetime(t)), None => "pas encore" } }
                @if let Some(rank) = r.draw_rank { dt { "Rang au tirage" } dd { (rank) } }
                @if let Some(reason) = &r.decision_reason { dt { "Motif" } dd { (reason) } }
            }
            h2 { "Documents" }
            @if docs.is_empty() { p { "Aucun document." } } @else {
                ul { @for (id, label, name, size, kind) in docs {
                    li { (label) "\u{a0}: " a href={ "/gestion/preinscriptions/documents/" (id) } type=(kind) download { (name) " (" (kilobytes((*size).max(0) as usize)) ")" } }
                } }
            }
            @if decidable {
                h2 #decider { "Décider" }
                form method="post" action=(action) aria-labelledby="decider" {
                    (csrf_field(&ctx.csrf))
                    @for (i, (offer_id, label)) in wishes.iter().enumerate() {
                        @let left = offers.iter().find(|o| o.offer_id == *offer_id).map_or(0, Offer::left);
                        p {
                            "Vœu " (i + 1) "\u{a0}: " strong { (label) } " – " (left) " place" @if left > 1 { "s" } " restante" @if left > 1 { "s" } " "
                            @if left > 0 {
                                button type="submit" name="decision" value={ "accepter:" (offer_id) } { "Accepter en " (label) }
                                " "
                            }
                            button type="submit" name="decision" value={ "attente:" (offer_id) } { "Liste d'attente en " (label) }
                        }
                    }
                }
                form.stacked method="post" action=(action) novalidate aria-labelledby="refuser" {
                    (csrf_field(&ctx.csrf))
                    h3 #refuser { "Refuser la demande" }
                    input type="hidden" name="decision" value="refuser";
                    (field_block("motif", "Motif du refus").required().hint("Envoyé à la famille.").control(errors, |described, invalid| html! {
                        textarea id=(field_id("motif")) name="motif" rows="2" maxlength="500" required
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (motif) }
                    }))
                    div.actions { button type="submit" { "Refuser" } }
                }
            }
        },
    )
}

async fn load(
    state: &AppState,
    site: i64,
    id: i64,
) -> AppResult<(Request, Vec<(i64, String)>, Vec<Offer>)> {
    let r = store::request(&state.pool, site, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let wishes = store::wishes(&state.pool, r.request_id).await?;
    let offers = store::offers(&state.pool, r.window_id).await?;
    Ok((r, wishes, offers))
}

#[handler]
pub(crate) async fn request_detail(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Markup> {
    let (r, wishes, offers) = load(&state, user.site_id, id).await?;
    let docs = store::documents(&state.pool, r.request_id).await?;
    Ok(request_page(
        &ctx,
        &RequestView {
            r: &r,
            wishes: &wishes,
            offers: &offers,
            docs: &docs,
        },
        "",
        &Errors::new(),
    ))
}

#[handler]
pub(crate) async fn decide(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let (r, wishes, offers) = load(&state, user.site_id, id).await?;
    let school = crate::site::name(&state.pool, user.site_id).await?;
    let base = state.settings.base_url.clone();
    let here = format!("/gestion/preinscriptions/demandes/{id}");
    let (verb, offer) = f
        .decision
        .split_once(':')
        .unwrap_or((f.decision.as_str(), ""));
    let offer: Option<i64> = offer
        .parse()
        .ok()
        .filter(|o| wishes.iter().any(|(w, _)| w == o));
    let label = offer
        .and_then(|o| wishes.iter().find(|(w, _)| *w == o))
        .map(|(_, l)| l.clone())
        .unwrap_or_default();
    let follow = format!(
        "Pour suivre votre demande : {base}/preinscription/suivi (avec la référence {} et votre adresse e-mail).",
        r.reference
    );
    match (verb, offer) {
        ("accepter", Some(o)) => {
            let info = match accept_and_invite(&state, &r, o, Some(user.account_id), false).await? {
                Ok(()) => {
                    let mail = Outgoing {
                        to: r.email.clone(),
                        subject: format!("{school} – demande {} acceptée", r.reference),
                        body: format!(
                            "Bonjour,\n\nLa demande de préinscription de {} en {label} est acceptée.\n\n\
                             Vous recevez dans un autre courriel votre identifiant du portail famille et un lien pour choisir \
                             votre mot de passe.\n\n{school}\n",
                            r.child()
                        ),
                    };
                    let mut conn = state.pool.acquire().await?;
                    crate::mail::enqueue(&mut conn, Some(r.site_id), &mail).await?;
                    "acceptee"
                }
                Err(Refusal::Full) => "complet",
                Err(Refusal::Decided) => "deja-decidee",
            };
            Ok(see_other(&format!(
                "/gestion/preinscriptions?discipline={o}&info={info}#classement"
            )))
        }
        ("attente", Some(o)) => {
            // Its place on the list once on it: counted after the update.
            let window = store::latest_window(&state.pool, r.site_id).await?;
            let mut after = r.clone();
            after.status = WAITING.to_owned();
            after.offer_id = Some(o);
            let position = match &window {
                Some(w) => {
                    let list = store::ranked(&state.pool, w, o).await?;
                    let mut n = 0;
                    for x in &list {
                        if x.request_id == r.request_id {
                            n += 1;
                            break;
                        }
                        if x.status == WAITING && x.offer_id == Some(o) {
                            n += 1;
                        }
                    }
                    n
                }
                None => 1,
            };
            let mail = Outgoing {
                to: r.email.clone(),
                subject: format!("{school} – demande {} sur liste d'attente", r.reference),
                body: format!(
                    "Bonjour,\n\nLa demande de préinscription de {} en {label} est sur liste d'attente, \
                     à la place {position}.\n\nSi une place se libère, elle vous sera proposée par courriel, \
                     avec une date pour l'accepter.\n\n{follow}\n\n{school}\n",
                    r.child()
                ),
            };
            let done = store::decide(
                &state.pool,
                &r,
                user.account_id,
                (WAITING, Some(o), None),
                Some(&mail),
            )
            .await?;
            Ok(see_other(&format!(
                "/gestion/preinscriptions?discipline={o}&info={}#classement",
                if done { "attente" } else { "deja-decidee" }
            )))
        }
        ("refuser", _) => {
            let motif = match crate::domain::text::paragraph(&f.motif, "Le motif", 500) {
                Ok(m) if m.is_empty() => {
                    let mut errors = Errors::new();
                    errors.add(
                        "motif",
                        "Motif du refus : saisissez-le ; il est envoyé à la famille.",
                    );
                    let docs = store::documents(&state.pool, r.request_id).await?;
                    return Ok(unprocessable(request_page(
                        &ctx,
                        &RequestView {
                            r: &r,
                            wishes: &wishes,
                            offers: &offers,
                            docs: &docs,
                        },
                        &f.motif,
                        &errors,
                    )));
                }
                Ok(m) => m,
                Err(e) => {
                    let mut errors = Errors::new();
                    errors.add("motif", format!("Motif du refus : {e}"));
                    let docs = store::documents(&state.pool, r.request_id).await?;
                    return Ok(unprocessable(request_page(
                        &ctx,
                        &RequestView {
                            r: &r,
                            wishes: &wishes,
                            offers: &offers,
                            docs: &docs,
                        },
                        &f.motif,
                        &errors,
                    )));
                }
            };
            let mail = Outgoing {
                to: r.email.clone(),
                subject: format!("{school} – demande {} refusée", r.reference),
                body: format!(
                    "Bonjour,\n\nLa demande de préinscription de {} n'a pas pu être acceptée.\n\nMotif : {motif}\n\n{school}\n",
                    r.child()
                ),
            };
            let done = store::decide(
                &state.pool,
                &r,
                user.account_id,
                (REFUSED, None, Some(&motif)),
                Some(&mail),
            )
            .await?;
            Ok(see_other(&format!(
                "{here}?info={}",
                if done { "refusee" } else { "deja-decidee" }
            )))
        }
        _ => Err(AppError::BadRequest),
    }
}

#[handler]
pub(crate) async fn document(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    let file = store::document(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}
