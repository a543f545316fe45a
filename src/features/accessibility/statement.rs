//! `/accessibilite/declaration`: each school's accessibility statement on the RGAA model,
//! with a form to report a problem (mailed to the school, reply promised within a week);
//! `/gestion/accessibilite`: staff set their school's status, rate, audit and texts.

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use crate::audit::audit;
use crate::db::Pool;
use crate::domain::EmailAddress;
use crate::domain::date::PastDate;
use crate::domain::french_date;
use crate::mail::{self, Outgoing};
use crate::site::sites;
use crate::state::AppState;
use crate::web::components::{
    Errors, Field, csrf_field, error_summary, field_block, notice, required_legend,
};
use crate::web::{AdminUser, AppResult, Ctx, layout, see_other, unprocessable};

/// The date this statement's text (and the product's audit set-up) was written.
const STATEMENT_DATE: &str = "2026-11-29";
const RGAA: &str = "RGAA version 4.1.2";
pub const STATUSES: &[&str] = &[
    "totalement conforme",
    "partiellement conforme",
    "non conforme",
];

#[derive(Clone, Debug, Default, sqlx::FromRow)]
struct SiteStatement {
    name: String,
    contact_email: Option<String>,
    a11y_status: String,
    a11y_rate: Option<i64>,
    a11y_audit_date: Option<String>,
    a11y_audited_by: Option<String>,
    a11y_non_accessible: String,
}

async fn load(pool: &Pool, site_id: i64) -> sqlx::Result<Option<SiteStatement>> {
    sqlx::query_as(
        "select name, contact_email, a11y_status, a11y_rate, a11y_audit_date, a11y_audited_by, \
         a11y_non_accessible from site where site_id = $1",
    )
    .bind(site_id)
    .fetch_optional(pool)
    .await
}

/// The school the visitor belongs to: their account's, the only one hosted, or the one
/// they chose (`?ecole=` on the statement, when several are hosted).
async fn visitor_site(
    state: &AppState,
    ctx: &Ctx,
    chosen: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    if let Some(u) = &ctx.user {
        return Ok(Some(u.site_id));
    }
    let all = sites(&state.pool).await?;
    Ok(match all.as_slice() {
        [only] => Some(only.site_id),
        _ => chosen.and_then(|slug| all.iter().find(|s| s.slug == slug).map(|s| s.site_id)),
    })
}

#[derive(Deserialize, Default, Clone)]
struct ReportForm {
    #[serde(default)]
    ecole: String,
    #[serde(default)]
    nom: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
    /// The school whose statement a visitor reads, when several are hosted.
    ecole: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    form: &ReportForm,
    errors: &Errors,
    info: Option<&str>,
    chosen: Option<&str>,
) -> AppResult<Markup> {
    let site = match visitor_site(state, ctx, chosen).await? {
        Some(id) => load(&state.pool, id).await?,
        None => None,
    };
    let schools = if site.is_none() {
        sites(&state.pool).await?
    } else {
        Vec::new()
    };
    let s = site.clone().unwrap_or_else(|| SiteStatement {
        name: "chaque école".into(),
        a11y_status: "non conforme".into(),
        ..SiteStatement::default()
    });
    let who = &s.name;
    Ok(layout::form_page(
        ctx,
        "Déclaration d'accessibilité",
        errors,
        html! {
            h1 { "Déclaration d'accessibilité" }
            @if ctx.user.as_ref().is_some_and(|u| u.is_staff) {
                p { a href="/gestion/accessibilite" { "Modifier la déclaration de votre école" } }
            }
            @if info == Some("signalement-envoye") {
                (notice("Votre signalement est transmis à l'école. Elle vous répondra par courriel dans un délai d'une semaine."))
            }
            (error_summary(errors))
            @if site.is_some() {
                p { (who) " s'engage à rendre son portail famille accessible, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005." }
                p { "Cette déclaration d'accessibilité s'applique au portail famille de l'école « " (who) " » (" (state.settings.base_url) ")." }
            } @else {
                p { "Chaque école s'engage à rendre son portail famille accessible, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005." }
                p { "Cette déclaration d'accessibilité s'applique au portail famille de chacune des écoles qu'il sert (" (state.settings.base_url) ")\u{a0}; choisissez la vôtre ci-dessous pour lire la sienne." }
            }
            h2 { "État de conformité" }
            @if site.is_some() {
                p { "Le portail famille de l'école « " (who) " » est " strong { (s.a11y_status) } " avec le référentiel général d'amélioration de l'accessibilité (" (RGAA) ")." }
            } @else {
                // Several schools, each with its own audit: each one's state, and its statement.
                p { "Ce portail sert plusieurs écoles\u{a0}; chacune a son propre état de conformité avec le référentiel général d'amélioration de l'accessibilité (" (RGAA) ")\u{a0}:" }
                ul {
                    @for sch in &schools {
                        li { a href={ "/accessibilite/declaration?ecole=" (sch.slug) } { (sch.name) } "\u{a0}: " strong { (sch.a11y_status) } }
                    }
                }
            }
            h3 { "Résultats des tests" }
            @if site.is_none() {
                p { "Chaque école publie le résultat de son audit dans sa propre déclaration (liste ci-dessus)." }
            } @else if let (Some(rate), Some(date)) = (s.a11y_rate, s.a11y_audit_date.as_deref()) {
                p { "L'audit de conformité réalisé le " (french_date(date))
                    @if let Some(by) = s.a11y_audited_by.as_deref().filter(|b| !b.is_empty()) { " par " (by) }
                    " révèle que " strong { (rate) "\u{a0}%" } " des critères du " (RGAA) " sont respectés." }
            } @else {
                p { "Aucun audit de conformité au RGAA n'a encore été réalisé sur ce portail : l'état est donc « non conforme » tant qu'un audit ne l'a pas établi." }
            }
            p { "À chaque version, toutes les pages du portail (visiteur, famille, personnel ; mode standard et mode accessible ; chaque formulaire en erreur) sont contrôlées automatiquement "
                "avec HTML_CodeSniffer et axe-core (niveau AA des WCAG), sans aucune erreur tolérée, et chaque duplicata PDF est vérifié avec poppler (balisage, polices intégrées, texte extractible). "
                "Ces contrôles automatiques ne remplacent pas un audit RGAA." }
            h2 { "Contenus non accessibles" }
            @if s.a11y_non_accessible.trim().is_empty() {
                ul {
                    li { "Les documents que les familles importent (photos, PDF) ne sont pas vérifiés : leur accessibilité dépend de leur auteur." }
                    li { "Les duplicatas PDF sont balisés (PDF/UA visé) mais n'ont pas encore été vérifiés avec un validateur PDF/UA ; la version HTML de chaque facture et reçu en est l'alternative accessible." }
                    li { "La page de paiement de PayFiP appartient à la Direction générale des Finances publiques, qui publie sa propre déclaration." }
                }
            } @else {
                @for line in s.a11y_non_accessible.lines().filter(|l| !l.trim().is_empty()) { p { (line) } }
            }
            h2 { "Établissement de cette déclaration" }
            p { "Cette déclaration a été établie le " (french_date(STATEMENT_DATE)) "."
                @if let Some(d) = s.a11y_audit_date.as_deref() { " Elle a été mise à jour après l'audit du " (french_date(d)) "." } }
            h3 { "Technologies utilisées" }
            ul { li { "HTML" } li { "CSS" } li { "WAI-ARIA" } li { "JavaScript (facultatif : chaque page fonctionne sans)" } li { "PDF" } }
            h3 { "Environnement de test" }
            p { "Chromium (Debian) sans interface, en mode standard et en mode accessible. Les vérifications avec lecteurs d'écran (NVDA, JAWS, VoiceOver) font partie de l'audit à venir." }
            h3 { "Outils pour évaluer l'accessibilité" }
            ul { li { "pa11y avec HTML_CodeSniffer et axe-core" } li { "poppler (pdfinfo, pdffonts, pdftotext)" } }
            h3 { "Pages du site ayant fait l'objet de la vérification" }
            ul {
                li { "Connexion, mot de passe perdu, réinitialisation" }
                li { "Accueil, Famille, Élèves et chaque onglet d'un élève (Identité, Cours, Historique, Répertoire, Réinscription)" }
                li { "Emploi du temps, Facturation (deux onglets, chaque facture et reçu), paiement en ligne" }
                li { "Aide – Accessibilité, plan du site, cette déclaration" }
                li { "Pages du personnel (demandes, comptes, réinscriptions, paiements, courriels)" }
            }
            h2 #signalement { "Retour d'information et contact" }
            p { "Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez-nous : nous vous répondrons dans un délai d'une semaine, "
                "et vous orienterons vers une alternative accessible ou vous transmettrons le contenu sous une autre forme." }
            (required_legend())
            form method="post" action="/accessibilite/signalement" novalidate aria-labelledby="signalement" {
                (csrf_field(&ctx.csrf))
                // A visitor reading one school's statement reports to that school.
                @if let (None, Some(slug), true) = (&ctx.user, chosen, site.is_some()) {
                    input type="hidden" name="ecole" value=(slug);
                }
                @if !schools.is_empty() {
                    (field_block("ecole", "École").required().control(errors, |described, invalid| html! {
                        select #champ-ecole name="ecole" required aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                            option value="" { "Choisissez votre école…" }
                            @for sch in &schools { option value=(sch.slug) selected[form.ecole == sch.slug] { (sch.name) } }
                        }
                    }))
                }
                (Field { name: "nom", label: "Votre nom", kind: "text", value: &form.nom, autocomplete: "name", hint: None, required: false }.render(errors))
                (Field { name: "email", label: "Votre adresse e-mail", kind: "email", value: &form.email, autocomplete: "email",
                    hint: Some("Pour vous répondre ; elle ne sert à rien d'autre."), required: true }.render(errors))
                (Field { name: "page", label: "Page concernée", kind: "text", value: &form.page, autocomplete: "off",
                    hint: Some("Son nom ou son adresse, par exemple Facturation."), required: false }.render(errors))
                (field_block("message", "Le problème rencontré").required().hint("Ce que vous cherchiez à faire, et ce qui vous en a empêché (outil utilisé, si vous le souhaitez).").control(errors, |described, invalid| html! {
                    textarea #champ-message name="message" rows="6" required aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (form.message) }
                }))
                div.actions { button type="submit" { "Envoyer le signalement" } }
            }
            h2 { "Voies de recours" }
            p { "Si vous nous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez :" }
            ul {
                li { "écrire un message au Défenseur des droits (formulaire en ligne sur le site du Défenseur des droits, defenseurdesdroits.fr) ;" }
                li { "contacter le délégué du Défenseur des droits dans votre région ;" }
                li { "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07." }
            }
        },
    ))
}

#[handler]
pub(crate) async fn statement(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    render(
        &state,
        &ctx,
        &ReportForm::default(),
        &Errors::new(),
        q.info.as_deref(),
        q.ecole.as_deref(),
    )
    .await
}

#[handler]
pub(crate) async fn report(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    let site_id = match visitor_site(&state, &ctx, None).await? {
        Some(id) => Some(id),
        None => {
            let found = sites(&state.pool)
                .await?
                .into_iter()
                .find(|s| s.slug == form.ecole);
            if found.is_none() {
                errors.add("ecole", "Choisissez votre école.");
            }
            found.map(|s| s.site_id)
        }
    };
    let email = match EmailAddress::parse(&form.email) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.add("email", e);
            None
        }
    };
    let message = form.message.trim();
    if message.is_empty() {
        errors.add("message", "Décrivez le problème rencontré.");
    } else if message.chars().count() > 4000 {
        errors.add(
            "message",
            format!(
                "Votre message compte {} caractères ; 4 000 au plus.",
                message.chars().count()
            ),
        );
    } else if let Err(e) = crate::domain::text::paragraph(message, "Le message", 4000) {
        errors.add("message", e);
    }
    for (field, value, max) in [("nom", &form.nom, 100), ("page", &form.page, 200)] {
        if value.chars().count() > max {
            errors.add(
                field,
                format!("{} caractères ; {max} au plus.", value.chars().count()),
            );
        }
        if value.chars().any(char::is_control) {
            errors.add(field, "Ce texte contient un caractère de contrôle.");
        }
    }
    let (Some(site_id), Some(email), true) = (site_id, email, errors.is_empty()) else {
        let page = render(&state, &ctx, &form, &errors, None, None).await?;
        return Ok(unprocessable(page));
    };
    let site = load(&state.pool, site_id).await?.unwrap_or_default();
    let to = site
        .contact_email
        .clone()
        .unwrap_or_else(|| state.settings.sender_address());
    let name = form.nom.trim();
    let page = form.page.trim();
    let to_school = Outgoing {
        to,
        subject: format!("{} – signalement d'accessibilité", site.name),
        body: format!(
            "Un signalement d'accessibilité a été envoyé depuis le portail famille.\n\n\
             Nom : {}\nAdresse e-mail : {}\nPage : {}\n\n{message}\n\n\
             La déclaration d'accessibilité promet une réponse dans un délai d'une semaine.\n",
            if name.is_empty() {
                "(non précisé)"
            } else {
                name
            },
            email.as_str(),
            if page.is_empty() {
                "(non précisée)"
            } else {
                page
            },
        ),
    };
    let mut tx = crate::db::begin(&state.pool).await?;
    // Only the school's own address receives what a visitor typed: an acknowledgement
    // mailed to the address typed in the form would let anyone send text, in the school's
    // name, to anyone. The page acknowledges instead.
    mail::enqueue(&mut tx, Some(site_id), &to_school).await?;
    audit(
        &mut tx,
        Some(site_id),
        ctx.user.as_ref().map(|u| u.account_id),
        "a11y_report",
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(
        "/accessibilite/declaration?info=signalement-envoye#signalement",
    ))
}

// ---- staff settings ----

#[derive(Deserialize, Default, Clone)]
struct SettingsForm {
    #[serde(default)]
    statut: String,
    #[serde(default)]
    taux: String,
    #[serde(default)]
    date_audit: String,
    #[serde(default)]
    auditeur: String,
    #[serde(default)]
    non_accessible: String,
    #[serde(default)]
    email_contact: String,
}

fn settings_view(ctx: &Ctx, f: &SettingsForm, errors: &Errors, saved: bool) -> Markup {
    layout::form_page(
        ctx,
        "Déclaration d'accessibilité – réglages",
        errors,
        html! {
            h1 { "Déclaration d'accessibilité – réglages" }
            @if saved { (notice("La déclaration est mise à jour ; le pied de chaque page affiche le nouvel état.")) }
            (error_summary(errors))
            p { "Ces réglages alimentent la " a href="/accessibilite/declaration" { "déclaration d'accessibilité" } " de votre école et l'état affiché en pied de page. "
                "Un état autre que « non conforme » suppose un audit RGAA : indiquez-en la date et le taux de critères respectés." }
            (required_legend())
            form method="post" action="/gestion/accessibilite" novalidate {
                (csrf_field(&ctx.csrf))
                (field_block("statut", "État de conformité").required().control(errors, |described, invalid| html! {
                    select #champ-statut name="statut" aria-required="true" aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                        @for s in STATUSES { option value=(s) selected[f.statut == *s] { (s) } }
                    }
                }))
                (Field { name: "taux", label: "Taux de critères RGAA respectés (%)", kind: "text", value: &f.taux, autocomplete: "off",
                    hint: Some("Un nombre de 0 à 100, tiré de l'audit."), required: false }.render(errors))
                (Field { name: "date_audit", label: "Date de l'audit", kind: "text", value: &f.date_audit, autocomplete: "off",
                    hint: Some("jj/mm/aaaa"), required: false }.render(errors))
                (Field { name: "auditeur", label: "Audit réalisé par", kind: "text", value: &f.auditeur, autocomplete: "off",
                    hint: None, required: false }.render(errors))
                (field_block("non_accessible", "Contenus non accessibles").hint("Une ligne par contenu. Laissé vide, le texte par défaut du portail s'affiche.").control(errors, |described, invalid| html! {
                    textarea #champ-non_accessible name="non_accessible" rows="5" aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (f.non_accessible) }
                }))
                (Field { name: "email_contact", label: "Adresse qui reçoit les signalements", kind: "email", value: &f.email_contact, autocomplete: "off",
                    hint: Some("Laissée vide, les signalements vont à l'adresse d'envoi du portail."), required: false }.render(errors))
                div.actions { button type="submit" { "Enregistrer" } }
            }
        },
    )
}

#[handler]
pub(crate) async fn settings_page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let s = load(&state.pool, user.site_id).await?.unwrap_or_default();
    let f = SettingsForm {
        statut: s.a11y_status,
        taux: s.a11y_rate.map(|r| r.to_string()).unwrap_or_default(),
        date_audit: s
            .a11y_audit_date
            .as_deref()
            .map(french_date)
            .unwrap_or_default(),
        auditeur: s.a11y_audited_by.unwrap_or_default(),
        non_accessible: s.a11y_non_accessible,
        email_contact: s.contact_email.unwrap_or_default(),
    };
    Ok(settings_view(
        &ctx,
        &f,
        &Errors::new(),
        q.info.as_deref() == Some("enregistre"),
    ))
}

#[handler]
pub(crate) async fn save_settings(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    if !STATUSES.contains(&f.statut.as_str()) {
        errors.add("statut", "Choisissez l'état de conformité dans la liste.");
    }
    let rate = match f.taux.trim() {
        "" => None,
        t => match t.trim_end_matches('%').trim().parse::<i64>() {
            Ok(r) if (0..=100).contains(&r) => Some(r),
            _ => {
                errors.add(
                    "taux",
                    format!("« {t} » n'est pas un pourcentage de 0 à 100."),
                );
                None
            }
        },
    };
    let date = match f.date_audit.trim() {
        "" => None,
        t => match PastDate::parse(t, crate::domain::date::today()) {
            Ok(d) => Some(d.iso()),
            Err(e) => {
                errors.add("date_audit", e);
                None
            }
        },
    };
    if f.statut != "non conforme" && STATUSES.contains(&f.statut.as_str()) {
        if rate.is_none() && errors.get("taux").is_none() {
            errors.add(
                "taux",
                "Un état autre que « non conforme » suppose un audit : indiquez son taux.",
            );
        }
        if date.is_none() && errors.get("date_audit").is_none() {
            errors.add(
                "date_audit",
                "Un état autre que « non conforme » suppose un audit : indiquez sa date.",
            );
        }
    }
    let contact = match f.email_contact.trim() {
        "" => None,
        t => match EmailAddress::parse(t) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(e) => {
                errors.add("email_contact", e);
                None
            }
        },
    };
    if f.non_accessible.chars().count() > 4000 {
        errors.add("non_accessible", "4 000 caractères au plus.");
    } else if let Err(e) = crate::domain::text::paragraph(&f.non_accessible, "Ce texte", 4000) {
        errors.add("non_accessible", e);
    }
    if f.auditeur.chars().count() > 200 {
        errors.add("auditeur", "200 caractères au plus.");
    } else if let Err(e) = crate::domain::text::line(&f.auditeur, "Ce nom", 200) {
        errors.add("auditeur", e);
    }
    if !errors.is_empty() {
        return Ok(unprocessable(settings_view(&ctx, &f, &errors, false)));
    }
    let mut tx = crate::db::begin(&state.pool).await?;
    sqlx::query(
        "update site set a11y_status = $1, a11y_rate = $2, a11y_audit_date = $3, a11y_audited_by = $4, \
         a11y_non_accessible = $5, contact_email = $6 where site_id = $7",
    )
    .bind(&f.statut)
    .bind(rate)
    .bind(date)
    .bind(Some(f.auditeur.trim()).filter(|a| !a.is_empty()))
    .bind(f.non_accessible.trim())
    .bind(contact)
    .bind(user.site_id)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(user.site_id),
        Some(user.account_id),
        "a11y_statement_saved",
        &f.statut,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/gestion/accessibilite?info=enregistre"))
}
