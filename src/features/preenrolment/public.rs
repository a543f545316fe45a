//! `/preinscription…`: the public pre-enrolment form, without an account. Three steps (the
//! guardian; the children and their wishes; documents and consent), one plain form each: every
//! step sends what the other steps hold in hidden fields, so nothing typed is lost moving back
//! and forth or after an error, and it all works without JavaScript. Against robots, without
//! a CAPTCHA: the per-address limit of the forms that send mail, a field people never see
//! (a honeypot), a minimum time between the first step and the last, and the address confirmed
//! by a link before a request counts. One request per child: the same child sent again with
//! the same address is the same request.

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Form, Multipart, Path, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store::{self, NewRequest, Offer, Request, Submitted, Window};
use super::{MAX_CHILDREN, MAX_WISHES, MIN_SECONDS, status_words};
use crate::domain::date::{iso, parse_day, today, today_iso};
use crate::domain::{EmailAddress, PhoneNumber, PostalCode, french_date};
use crate::mail::Outgoing;
use crate::state::AppState;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::multipart::{self, CheckedFile};
use crate::web::{AppError, AppResult, Ctx, layout, see_other, unprocessable};

/// One child as typed.
#[derive(Clone, Default, Debug)]
struct Child {
    nom: String,
    prenom: String,
    naissance: String,
    voeux: [String; MAX_WISHES],
}

/// Everything the form holds, as typed, whatever the step.
#[derive(Clone, Default, Debug)]
struct Draft {
    etape: u8,
    debut: String,
    civilite: String,
    nom: String,
    prenom: String,
    email: String,
    telephone: String,
    adresse: String,
    code_postal: String,
    ville: String,
    enfants: Vec<Child>,
    consentement: bool,
}

impl Draft {
    fn from_fields(f: &multipart::UploadForm) -> Draft {
        let n: usize = f
            .field("enfants")
            .parse()
            .unwrap_or(1)
            .clamp(1, MAX_CHILDREN);
        Draft {
            etape: f.field("etape").parse().unwrap_or(1).clamp(1, 3),
            debut: f.field("debut").to_owned(),
            civilite: f.field("civilite").to_owned(),
            nom: f.field("nom").to_owned(),
            prenom: f.field("prenom").to_owned(),
            email: f.field("email").to_owned(),
            telephone: f.field("telephone").to_owned(),
            adresse: f.field("adresse").to_owned(),
            code_postal: f.field("code_postal").to_owned(),
            ville: f.field("ville").to_owned(),
            enfants: (0..n)
                .map(|i| Child {
                    nom: f.field(&format!("enfant{i}_nom")).to_owned(),
                    prenom: f.field(&format!("enfant{i}_prenom")).to_owned(),
                    naissance: f.field(&format!("enfant{i}_naissance")).to_owned(),
                    voeux: std::array::from_fn(|k| {
                        f.field(&format!("enfant{i}_voeu{}", k + 1)).to_owned()
                    }),
                })
                .collect(),
            consentement: f.field("consentement") == "oui",
        }
    }

    /// The fields of the steps other than `step`, as hidden inputs.
    fn hidden(&self, step: u8) -> Markup {
        html! {
            input type="hidden" name="debut" value=(self.debut);
            input type="hidden" name="enfants" value=(self.enfants.len().max(1));
            @if step != 1 {
                @for (name, value) in [("civilite", &self.civilite), ("nom", &self.nom), ("prenom", &self.prenom),
                    ("email", &self.email), ("telephone", &self.telephone), ("adresse", &self.adresse),
                    ("code_postal", &self.code_postal), ("ville", &self.ville)] {
                    input type="hidden" name=(name) value=(value);
                }
            }
            @if step != 2 {
                @for (i, c) in self.enfants.iter().enumerate() {
                    input type="hidden" name={ "enfant" (i) "_nom" } value=(c.nom);
                    input type="hidden" name={ "enfant" (i) "_prenom" } value=(c.prenom);
                    input type="hidden" name={ "enfant" (i) "_naissance" } value=(c.naissance);
                    @for (k, v) in c.voeux.iter().enumerate() {
                        input type="hidden" name={ "enfant" (i) "_voeu" (k + 1) } value=(v);
                    }
                }
            }
            @if step != 3 && self.consentement {
                input type="hidden" name="consentement" value="oui";
            }
        }
    }
}

/// The first step's time, signed so it cannot be set back: `seconds.signature`.
async fn started_stamp(state: &AppState) -> AppResult<String> {
    let secret = crate::db::shared_secret(&state.pool, "preinscription").await?;
    let now = crate::db::now();
    Ok(format!(
        "{now}.{}",
        crate::tokens::hash_token(&format!("{now}:{secret}"))
    ))
}

/// Seconds since the signed first step (None: missing or forged).
async fn seconds_since(state: &AppState, stamp: &str) -> AppResult<Option<i64>> {
    let secret = crate::db::shared_secret(&state.pool, "preinscription").await?;
    let Some((at, sig)) = stamp.split_once('.') else {
        return Ok(None);
    };
    let expected = crate::tokens::hash_token(&format!("{at}:{secret}"));
    if !crate::tokens::constant_time_eq(&expected, sig) {
        return Ok(None);
    }
    Ok(at.parse::<i64>().ok().map(|t| crate::db::now() - t))
}

/// The school of `/preinscription/{ecole}` and its open window.
async fn school_window(
    state: &AppState,
    slug: &str,
) -> AppResult<(crate::site::Site, Option<Window>)> {
    let site = crate::site::sites(&state.pool)
        .await?
        .into_iter()
        .find(|s| s.slug == slug)
        .ok_or(AppError::NotFound)?;
    let window = store::open_window(&state.pool, site.site_id, &today_iso()).await?;
    Ok((site, window))
}

/// `/preinscription`: the schools whose window is open (straight to the only one).
#[handler]
pub(crate) async fn index(state: Data<&Arc<AppState>>, ctx: Ctx) -> AppResult<Response> {
    let mut open = Vec::new();
    for s in crate::site::sites(&state.pool).await? {
        if let Some(w) = store::open_window(&state.pool, s.site_id, &today_iso()).await? {
            open.push((s, w));
        }
    }
    if let [(s, _)] = open.as_slice() {
        return Ok(see_other(&format!("/preinscription/{}", s.slug)));
    }
    Ok(poem::IntoResponse::into_response(layout::page(
        &ctx,
        "Préinscription",
        html! {
            h1 { "Préinscription" }
            @if open.is_empty() {
                p { "Aucune école n'ouvre de préinscription en ce moment." }
            } @else {
                p { "Choisissez l'école :" }
                ul {
                    @for (s, w) in &open {
                        li { a href={ "/preinscription/" (s.slug) } { (s.name) } " – " (w.label) ", jusqu'au " (french_date(&w.closes_on)) }
                    }
                }
            }
            p { a href="/preinscription/suivi" { "Suivre une demande déjà envoyée" } }
        },
    )))
}

/// The schools with a window open today, (slug, name): the login page links to them.
pub async fn open_schools(state: &AppState) -> sqlx::Result<std::sync::Arc<Vec<(String, String)>>> {
    let today = today_iso();
    state
        .open_preenrolment
        .get(
            state.caches.snapshot(),
            &today,
            store::open_schools(&state.pool, &today),
        )
        .await
}

struct StepPage<'a> {
    site: &'a crate::site::Site,
    window: &'a Window,
    offers: &'a [Offer],
    draft: &'a Draft,
    errors: &'a Errors,
    contact: Option<&'a str>,
}

fn text_input(
    name: &'static str,
    label: &'static str,
    value: &str,
    kind: &str,
    autocomplete: &str,
    errors: &Errors,
) -> Markup {
    field_block(name, label)
        .required()
        .control(errors, |described, invalid| {
            html! {
                input id=(field_id(name)) name=(name) type=(kind) value=(value) required
                    autocomplete=(autocomplete) aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
            }
        })
}

fn steps_nav(current: u8) -> Markup {
    const STEPS: [&str; 3] = ["Responsable légal", "Enfants et vœux", "Documents et envoi"];
    html! {
        ol.steps {
            @for (i, s) in STEPS.iter().enumerate() {
                @let n = i as u8 + 1;
                li aria-current=[(n == current).then_some("step")] {
                    @if n == current { strong { "Étape " (n) " sur 3\u{a0}: " (s) } } @else { "Étape " (n) "\u{a0}: " (s) }
                }
            }
        }
    }
}

fn step_page(ctx: &Ctx, p: &StepPage) -> Markup {
    let d = p.draft;
    let step = d.etape;
    let action = format!("/preinscription/{}?csrf_token={}", p.site.slug, ctx.csrf);
    let titles = ["Responsable légal", "Enfants et vœux", "Documents et envoi"];
    let title = titles[usize::from(step - 1)];
    layout::form_page(
        ctx,
        &format!("{title} – Préinscription"),
        p.errors,
        html! {
            h1 { "Préinscription – " (p.window.label) }
            p { (p.site.name) " reçoit les demandes jusqu'au " (french_date(&p.window.closes_on)) ". "
                "Une demande par enfant ; vous recevez par courriel un lien pour confirmer votre adresse, puis la référence de chaque demande." }
            (steps_nav(step))
            h2 #etape { (title) }
            (error_summary(p.errors))
            form.stacked method="post" enctype="multipart/form-data" action=(action) novalidate aria-labelledby="etape" {
                input type="hidden" name="etape" value=(step);
                (d.hidden(step))
                (required_legend())
                @match step {
                    1 => {
                        fieldset.radio-group aria-describedby=[p.errors.get("civilite").map(|_| "champ-civilite-erreur")] {
                            legend { "Civilité" span.required aria-hidden="true" { " *" } }
                            @if let Some(e) = p.errors.get("civilite") {
                                p.error-message #champ-civilite-erreur { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                            }
                            div.radio { input #champ-civilite type="radio" name="civilite" value="MME" checked[d.civilite == "MME"] required; label for="champ-civilite" { "Madame" } }
                            div.radio { input #champ-civilite-m type="radio" name="civilite" value="M" checked[d.civilite == "M"] required; label for="champ-civilite-m" { "Monsieur" } }
                        }
                        (text_input("nom", "Nom", &d.nom, "text", "family-name", p.errors))
                        (text_input("prenom", "Prénom", &d.prenom, "text", "given-name", p.errors))
                        (text_input("email", "Adresse e-mail", &d.email, "email", "email", p.errors))
                        (text_input("telephone", "Téléphone", &d.telephone, "tel", "tel", p.errors))
                        (text_input("adresse", "Adresse", &d.adresse, "text", "address-line1", p.errors))
                        (text_input("code_postal", "Code postal", &d.code_postal, "text", "postal-code", p.errors))
                        (text_input("ville", "Ville", &d.ville, "text", "address-level2", p.errors))
                        div.actions { button type="submit" name="action" value="suivant" { "Continuer" } }
                    }
                    2 => {
                        @for (i, c) in d.enfants.iter().enumerate() {
                            @let n = i + 1;
                            fieldset.child {
                                legend { "Enfant " (n) }
                                (child_fields(i, c, p.offers, p.errors))
                                @if d.enfants.len() > 1 {
                                    button.link-button type="submit" name="action" value={ "retirer-" (i) } { "Retirer l'enfant " (n) }
                                }
                            }
                        }
                        @if d.enfants.len() < MAX_CHILDREN {
                            p { button type="submit" name="action" value="ajouter" { "Ajouter un enfant" } }
                        }
                        div.actions {
                            button type="submit" name="action" value="precedent" { "Étape précédente" }
                            button type="submit" name="action" value="suivant" { "Continuer" }
                        }
                    }
                    _ => {
                        @let docs = p.window.documents();
                        @if docs.is_empty() {
                            p { "Aucun document n'est demandé." }
                        }
                        @for (j, label) in docs.iter().enumerate() {
                            @let name: &'static str = DOC_FIELDS[j.min(DOC_FIELDS.len() - 1)];
                            (field_block(name, label).required().hint("Image JPEG ou PNG, ou PDF ; 2 Mo au plus. Après une erreur, choisissez de nouveau le fichier.").control(p.errors, |described, invalid| html! {
                                input id=(field_id(name)) name=(name) type="file" required
                                    accept=".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
                                    aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                            }))
                        }
                        (privacy_notice(p.site, p.window, p.contact))
                        div.field.checkbox.field-error[p.errors.get("consentement").is_some()] {
                            @if let Some(e) = p.errors.get("consentement") {
                                p.error-message #champ-consentement-erreur { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                            }
                            input #champ-consentement type="checkbox" name="consentement" value="oui" required checked[d.consentement]
                                aria-describedby={ "rgpd" @if p.errors.get("consentement").is_some() { " champ-consentement-erreur" } };
                            label for="champ-consentement" { "J'accepte que l'école traite ces données pour examiner ma demande, comme expliqué ci-dessus." span.required aria-hidden="true" { " *" } }
                        }
                        // People never see this field: robots fill it in.
                        div.hp {
                            label for="champ-site-web" { "Ne remplissez pas ce champ" }
                            input #champ-site-web type="text" name="site_web" value="" autocomplete="off" tabindex="-1";
                        }
                        div.actions {
                            button type="submit" name="action" value="precedent" { "Étape précédente" }
                            button type="submit" name="action" value="envoyer" { "Envoyer la demande" }
                        }
                    }
                }
            }
            p { a href="/preinscription/suivi" { "Suivre une demande déjà envoyée" } }
        },
    )
}

/// The names of the document fields (the window asks for a few documents at most).
const DOC_FIELDS: [&str; 6] = [
    "document1",
    "document2",
    "document3",
    "document4",
    "document5",
    "document6",
];

fn privacy_notice(site: &crate::site::Site, w: &Window, contact: Option<&str>) -> Markup {
    html! {
        section #rgpd aria-labelledby="rgpd-titre" {
            h3 #rgpd-titre { "Vos données" }
            p { "Responsable du traitement\u{a0}: " (site.name) ". Finalité\u{a0}: examiner votre demande de préinscription, vous répondre et, si elle est acceptée, créer le dossier de votre famille. "
                "Base légale\u{a0}: votre consentement." }
            p { "Durée de conservation\u{a0}: une demande acceptée devient le dossier de la famille ; une demande non acceptée est anonymisée "
                (w.retention_months) " mois après la fin de la période de préinscription (le " (french_date(&w.closes_on)) "), ses documents supprimés." }
            p { "Vos droits\u{a0}: accès, rectification, effacement, retrait du consentement (en retirant la demande depuis son suivi), limitation et opposition, "
                "en écrivant à l'école"
                @if let Some(c) = contact { " (" a href={ "mailto:" (c) } { (c) } ")" }
                ". Vous pouvez aussi saisir la CNIL (cnil.fr)." }
        }
    }
}

fn child_fields(i: usize, c: &Child, offers: &[Offer], errors: &Errors) -> Markup {
    let key = |f: &str| -> &'static str { leak_key(i, f) };
    html! {
        (field_block(key("nom"), "Nom").required().control(errors, |described, invalid| html! {
            input id=(field_id(key("nom"))) name=(key("nom")) type="text" value=(c.nom) required autocomplete="off"
                aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
        }))
        (field_block(key("prenom"), "Prénom").required().control(errors, |described, invalid| html! {
            input id=(field_id(key("prenom"))) name=(key("prenom")) type="text" value=(c.prenom) required autocomplete="off"
                aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
        }))
        (field_block(key("naissance"), "Date de naissance").required().hint("jj/mm/aaaa").control(errors, |described, invalid| html! {
            input id=(field_id(key("naissance"))) name=(key("naissance")) type="text" inputmode="numeric" value=(c.naissance) required autocomplete="off"
                aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
        }))
        @for k in 0..MAX_WISHES {
            @let name = key(["voeu1", "voeu2", "voeu3"][k]);
            @let label = ["Premier vœu", "Deuxième vœu (facultatif)", "Troisième vœu (facultatif)"][k];
            (field_block(name, label).required_if(k == 0).control(errors, |described, invalid| html! {
                select id=(field_id(name)) name=(name) required[k == 0] aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                    option value="" { @if k == 0 { "Choisissez une discipline" } @else { "Aucun" } }
                    @for o in offers {
                        @let v = o.offer_id.to_string();
                        option value=(v) selected[c.voeux[k] == v] {
                            (o.label) @if let Some(a) = o.ages() { " (" (a) ")" }
                        }
                    }
                }
            }))
        }
    }
}

/// Field names of child `i` (`enfant0_nom`…), as the `'static` keys `Errors` wants: a fixed
/// table (six children, seven fields each).
fn leak_key(i: usize, field: &str) -> &'static str {
    const FIELDS: [&str; 6] = ["nom", "prenom", "naissance", "voeu1", "voeu2", "voeu3"];
    const KEYS: [[&str; 6]; MAX_CHILDREN] = [
        [
            "enfant0_nom",
            "enfant0_prenom",
            "enfant0_naissance",
            "enfant0_voeu1",
            "enfant0_voeu2",
            "enfant0_voeu3",
        ],
        [
            "enfant1_nom",
            "enfant1_prenom",
            "enfant1_naissance",
            "enfant1_voeu1",
            "enfant1_voeu2",
            "enfant1_voeu3",
        ],
        [
            "enfant2_nom",
            "enfant2_prenom",
            "enfant2_naissance",
            "enfant2_voeu1",
            "enfant2_voeu2",
            "enfant2_voeu3",
        ],
        [
            "enfant3_nom",
            "enfant3_prenom",
            "enfant3_naissance",
            "enfant3_voeu1",
            "enfant3_voeu2",
            "enfant3_voeu3",
        ],
        [
            "enfant4_nom",
            "enfant4_prenom",
            "enfant4_naissance",
            "enfant4_voeu1",
            "enfant4_voeu2",
            "enfant4_voeu3",
        ],
        [
            "enfant5_nom",
            "enfant5_prenom",
            "enfant5_naissance",
            "enfant5_voeu1",
            "enfant5_voeu2",
            "enfant5_voeu3",
        ],
    ];
    let f = FIELDS.iter().position(|x| *x == field).unwrap_or(0);
    KEYS[i.min(MAX_CHILDREN - 1)][f]
}

/// The guardian, checked: (civility, last, first, email, phone, address, postal code, city).
type Guardian = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn check_guardian(d: &Draft, errors: &mut Errors) -> Option<Guardian> {
    if d.civilite != "M" && d.civilite != "MME" {
        errors.add("civilite", "Civilité : choisissez Madame ou Monsieur.");
    }
    let mut line = |key: &'static str, label: &str, raw: &str, max: usize| -> String {
        match crate::domain::text::line(raw, label, max) {
            Ok(v) if v.is_empty() => {
                errors.add(key, format!("{label} : saisissez-le."));
                v
            }
            Ok(v) => v,
            Err(e) => {
                errors.add(key, format!("{label} : {e}"));
                String::new()
            }
        }
    };
    let nom = line("nom", "Nom", &d.nom, 100);
    let prenom = line("prenom", "Prénom", &d.prenom, 100);
    let adresse = line("adresse", "Adresse", &d.adresse, 200);
    let ville = line("ville", "Ville", &d.ville, 100);
    let email = match EmailAddress::parse(&d.email) {
        Ok(e) => Some(e.as_str().to_lowercase()),
        Err(e) => {
            errors.add("email", format!("Adresse e-mail : {e}"));
            None
        }
    };
    let phone = match PhoneNumber::parse(&d.telephone) {
        Ok(p) => Some(p.as_str().to_owned()),
        Err(e) => {
            errors.add("telephone", format!("Téléphone : {e}"));
            None
        }
    };
    let postal = match PostalCode::parse(&d.code_postal, "") {
        Ok(p) => Some(p.as_str().to_owned()),
        Err(e) => {
            errors.add("code_postal", format!("Code postal : {e}"));
            None
        }
    };
    if !errors.is_empty() {
        return None;
    }
    Some((
        d.civilite.clone(),
        nom,
        prenom,
        email?,
        phone?,
        adresse,
        postal?,
        ville,
    ))
}

/// A child, checked: (last, first, birth ISO, wishes).
fn check_children(
    d: &Draft,
    offers: &[Offer],
    errors: &mut Errors,
) -> Vec<(String, String, String, Vec<i64>)> {
    let mut out = Vec::new();
    let this_year = today().year();
    for (i, c) in d.enfants.iter().enumerate() {
        let n = i + 1;
        let mut line = |f: &str, label: &str, raw: &str| -> String {
            match crate::domain::text::line(raw, label, 100) {
                Ok(v) if v.is_empty() => {
                    errors.add(
                        leak_key(i, f),
                        format!("Enfant {n}, {} : saisissez-le.", label.to_lowercase()),
                    );
                    v
                }
                Ok(v) => v,
                Err(e) => {
                    errors.add(
                        leak_key(i, f),
                        format!("Enfant {n}, {} : {e}", label.to_lowercase()),
                    );
                    String::new()
                }
            }
        };
        let nom = line("nom", "Nom", &c.nom);
        let prenom = line("prenom", "Prénom", &c.prenom);
        let birth = if c.naissance.trim().is_empty() {
            errors.add(
                leak_key(i, "naissance"),
                format!("Enfant {n}, date de naissance : saisissez-la (jj/mm/aaaa)."),
            );
            None
        } else {
            match parse_day(&c.naissance, (this_year - 25)..=this_year) {
                Ok(d) if d > today() => {
                    errors.add(
                        leak_key(i, "naissance"),
                        format!("Enfant {n}, date de naissance : cette date est à venir."),
                    );
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    errors.add(
                        leak_key(i, "naissance"),
                        format!("Enfant {n}, date de naissance : {e}"),
                    );
                    None
                }
            }
        };
        let mut wishes = Vec::new();
        for (k, raw) in c.voeux.iter().enumerate() {
            let key = leak_key(i, ["voeu1", "voeu2", "voeu3"][k]);
            let label = ["premier vœu", "deuxième vœu", "troisième vœu"][k];
            if raw.is_empty() {
                if k == 0 {
                    errors.add(
                        key,
                        format!("Enfant {n}, premier vœu : choisissez une discipline."),
                    );
                }
                continue;
            }
            let Some(o) = offers.iter().find(|o| o.offer_id.to_string() == *raw) else {
                errors.add(
                    key,
                    format!("Enfant {n}, {label} : choisissez une discipline de la liste."),
                );
                continue;
            };
            if wishes.contains(&o.offer_id) {
                errors.add(
                    key,
                    format!(
                        "Enfant {n}, {label} : {} est déjà un vœu plus haut.",
                        o.label
                    ),
                );
                continue;
            }
            if let Some(b) = birth
                && !o.admits(i64::from(b.year()))
            {
                errors.add(
                    key,
                    format!(
                        "Enfant {n}, {label} : {} est ouvert aux enfants {} ; choisissez une autre discipline.",
                        o.label,
                        o.ages().unwrap_or_default()
                    ),
                );
                continue;
            }
            wishes.push(o.offer_id);
        }
        if let Some(b) = birth {
            out.push((nom, prenom, iso(b), wishes));
        }
    }
    out
}

#[handler]
pub(crate) async fn start(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (site, window) = school_window(&state, &slug).await?;
    let Some(window) = window else {
        return Ok(poem::IntoResponse::into_response(closed_page(&ctx, &site)));
    };
    let offers = store::offers(&state.pool, window.window_id).await?;
    let contact = crate::site::school(&state.pool, site.site_id)
        .await?
        .contact_email;
    let draft = Draft {
        etape: 1,
        debut: started_stamp(&state).await?,
        enfants: vec![Child::default()],
        ..Draft::default()
    };
    Ok(poem::IntoResponse::into_response(step_page(
        &ctx,
        &StepPage {
            site: &site,
            window: &window,
            offers: &offers,
            draft: &draft,
            errors: &Errors::new(),
            contact: contact.as_deref(),
        },
    )))
}

fn closed_page(ctx: &Ctx, site: &crate::site::Site) -> Markup {
    layout::page(
        ctx,
        "Préinscription",
        html! {
            h1 { "Préinscription" }
            p { (site.name) " n'ouvre pas de préinscription en ce moment." }
            p { a href="/preinscription/suivi" { "Suivre une demande déjà envoyée" } }
        },
    )
}

#[handler]
pub(crate) async fn send_step(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Path(slug): Path<String>,
    body: Multipart,
) -> AppResult<Response> {
    let (site, window) = school_window(&state, &slug).await?;
    let Some(window) = window else {
        return Ok(poem::IntoResponse::into_response(closed_page(&ctx, &site)));
    };
    let offers = store::offers(&state.pool, window.window_id).await?;
    let contact = crate::site::school(&state.pool, site.site_id)
        .await?
        .contact_email;
    let mut errors = Errors::new();
    let (form, files) = match multipart::read_files(body, |n| n.starts_with("document")).await {
        Ok(x) => x,
        Err(e) => {
            errors.add("document1", e);
            (multipart::UploadForm::default(), Vec::new())
        }
    };
    let mut draft = Draft::from_fields(&form);
    if draft.debut.is_empty() {
        draft.debut = started_stamp(&state).await?;
    }
    let action = form.field("action").to_owned();
    let render = |draft: &Draft, errors: &Errors| {
        step_page(
            &ctx,
            &StepPage {
                site: &site,
                window: &window,
                offers: &offers,
                draft,
                errors,
                contact: contact.as_deref(),
            },
        )
    };
    match (draft.etape, action.as_str()) {
        (_, "precedent") => {
            draft.etape = draft.etape.saturating_sub(1).max(1);
            return Ok(poem::IntoResponse::into_response(render(&draft, &errors)));
        }
        (2, "ajouter") => {
            if draft.enfants.len() < MAX_CHILDREN {
                draft.enfants.push(Child::default());
            }
            return Ok(poem::IntoResponse::into_response(render(&draft, &errors)));
        }
        (2, a) if a.starts_with("retirer-") => {
            if let Ok(i) = a["retirer-".len()..].parse::<usize>()
                && i < draft.enfants.len()
                && draft.enfants.len() > 1
            {
                draft.enfants.remove(i);
            }
            return Ok(poem::IntoResponse::into_response(render(&draft, &errors)));
        }
        (1, _) => {
            check_guardian(&draft, &mut errors);
            if errors.is_empty() {
                draft.etape = 2;
                return Ok(poem::IntoResponse::into_response(render(&draft, &errors)));
            }
            return Ok(unprocessable(render(&draft, &errors)));
        }
        (2, _) => {
            check_children(&draft, &offers, &mut errors);
            if errors.is_empty() {
                draft.etape = 3;
                return Ok(poem::IntoResponse::into_response(render(&draft, &errors)));
            }
            return Ok(unprocessable(render(&draft, &errors)));
        }
        _ => {}
    }
    // The last step: everything is checked again (hidden fields are written by the browser).
    let mut g_errors = Errors::new();
    let guardian = check_guardian(&draft, &mut g_errors);
    let children = check_children(&draft, &offers, &mut g_errors);
    if !g_errors.is_empty() {
        // Back to the step that holds the first mistake.
        draft.etape = if guardian.is_none() { 1 } else { 2 };
        return Ok(unprocessable(render(&draft, &g_errors)));
    }
    let docs = window.documents();
    let mut checked: Vec<(String, CheckedFile)> = Vec::new();
    let mut by_name: std::collections::HashMap<String, multipart::FilePart> =
        files.into_iter().collect();
    for (j, label) in docs.iter().enumerate() {
        let field = DOC_FIELDS[j.min(DOC_FIELDS.len() - 1)];
        match multipart::checked_file(by_name.remove(field)).await {
            Ok(Some(f)) => checked.push(((*label).to_owned(), f)),
            Ok(None) => errors.add(field, format!("{label} : choisissez le fichier.")),
            Err(e) => errors.add(field, format!("{label} : {e}")),
        }
    }
    if !draft.consentement {
        errors.add(
            "consentement",
            "Consentement : cochez la case pour que l'école puisse examiner votre demande.",
        );
    }
    if !errors.is_empty() {
        return Ok(unprocessable(render(&draft, &errors)));
    }
    // A robot: the field people never see is filled in, or the form went too fast. It gets the
    // same page as a person, and nothing is stored or sent.
    let elapsed = seconds_since(&state, &draft.debut).await?;
    let robot = !form.field("site_web").is_empty() || elapsed.is_none_or(|s| s < MIN_SECONDS);
    if robot {
        tracing::info!(school = %site.slug, "pre-enrolment form refused as automated");
        return Ok(poem::IntoResponse::into_response(sent_page(
            &ctx,
            &site,
            &[],
        )));
    }
    let Some((civ, nom, prenom, email, phone, adresse, postal, ville)) = guardian else {
        return Err(AppError::BadRequest);
    };
    let documents: Vec<(String, String, &'static str, Vec<u8>)> = checked
        .into_iter()
        .map(|(label, f)| (label, f.display_name, f.kind.content_type(), f.bytes))
        .collect();
    let requests: Vec<NewRequest> = children
        .iter()
        .map(|(cn, cp, birth, wishes)| NewRequest {
            window_id: window.window_id,
            site_id: site.site_id,
            civility: &civ,
            last_name: &nom,
            first_name: &prenom,
            email: &email,
            phone: &phone,
            address: &adresse,
            postal_code: &postal,
            city: &ville,
            child_last_name: cn,
            child_first_name: cp,
            child_birth_date: birth,
            wishes,
            documents: &documents,
        })
        .collect();
    let token = crate::tokens::random_token();
    let link = format!(
        "{}/preinscription/confirmation?jeton={token}",
        state.settings.base_url
    );
    let school = crate::site::school(&state.pool, site.site_id).await?;
    let sent = store::submit(
        &state.pool,
        &requests,
        &crate::tokens::hash_token(&token),
        Some(&|list: &[Submitted]| {
            confirm_mail(
                &email,
                &school.name,
                &window,
                list,
                &link,
                &format!("{}/preinscription/suivi", state.settings.base_url),
            )
        }),
    )
    .await?;
    Ok(poem::IntoResponse::into_response(sent_page(
        &ctx, &site, &sent,
    )))
}

fn confirm_mail(
    to: &str,
    school: &str,
    w: &Window,
    list: &[Submitted],
    link: &str,
    follow: &str,
) -> Outgoing {
    let mut lines = String::new();
    for s in list {
        lines.push_str(&format!(
            "- {} : référence {}{}\n",
            s.child,
            s.reference,
            if s.new {
                ""
            } else {
                " (demande déjà reçue, conservée telle quelle)"
            }
        ));
    }
    let how = if list.iter().any(|s| s.to_confirm) {
        format!(
            "Pour qu'elle soit examinée, confirmez votre adresse e-mail en ouvrant ce lien :\n\n{link}\n\n\
             Tant que l'adresse n'est pas confirmée, la demande n'est pas prise en compte. \
             Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."
        )
    } else {
        "Votre adresse est déjà confirmée : rien de plus à faire.".to_owned()
    };
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – votre demande de préinscription"),
        body: format!(
            "Bonjour,\n\n\
             Nous avons reçu votre demande de préinscription ({}) :\n\n{lines}\n\
             {how}\n\n\
             Pour suivre votre demande : {follow}\n\n{school}\n",
            w.label
        ),
    }
}

fn sent_page(ctx: &Ctx, site: &crate::site::Site, sent: &[Submitted]) -> Markup {
    layout::page(
        ctx,
        "Demande envoyée – Préinscription",
        html! {
            h1 { "Demande envoyée" }
            (notice("Votre demande est enregistrée. Un courriel vient de vous être envoyé : ouvrez le lien qu'il contient pour confirmer votre adresse ; la demande n'est examinée qu'ensuite."))
            @let fresh: Vec<_> = sent.iter().filter(|s| s.new).collect();
            @if !fresh.is_empty() {
                h2 { "Références de vos demandes" }
                ul {
                    @for s in fresh { li { (s.child) "\u{a0}: " strong { (s.reference) } } }
                }
                p { "Gardez ces références : avec votre adresse e-mail, elles permettent de suivre chaque demande." }
            }
            @if sent.iter().any(|s| !s.new) {
                p { "Une demande existait déjà pour un enfant avec cette adresse : elle est conservée telle quelle, et sa référence est rappelée dans le courriel." }
            }
            p { (site.name) }
            p { a href="/preinscription/suivi" { "Suivre une demande" } }
        },
    )
}

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    jeton: String,
}

/// The link of the confirmation mail: the requests now count.
#[handler]
pub(crate) async fn confirm(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> AppResult<Markup> {
    let list = if q.jeton.len() == 43 {
        store::confirm(&state.pool, &crate::tokens::hash_token(&q.jeton)).await?
    } else {
        Vec::new()
    };
    Ok(layout::page(
        &ctx,
        "Adresse confirmée – Préinscription",
        html! {
            @if list.is_empty() {
                h1 { "Lien inconnu" }
                p { "Ce lien de confirmation n'est pas valable (il a peut-être été mal copié). Ouvrez-le de nouveau depuis le courriel reçu." }
            } @else {
                h1 { "Adresse confirmée" }
                p { "Vos demandes sont prises en compte :" }
                ul {
                    @for r in &list { li { (r.child()) "\u{a0}: référence " strong { (r.reference) } " – " (status_words(&r.status)) } }
                }
                p { "L'école vous écrira à chaque étape. " a href="/preinscription/suivi" { "Suivre une demande" } }
            }
        },
    ))
}

#[derive(Deserialize, Default)]
struct FollowForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    email: String,
}

fn follow_form_page(ctx: &Ctx, f: &FollowForm, errors: &Errors, sent: bool) -> Markup {
    layout::form_page(
        ctx,
        "Suivre une demande – Préinscription",
        errors,
        html! {
            h1 #suivre { "Suivre une demande de préinscription" }
            @if sent {
                (notice("Si cette référence et cette adresse correspondent à une demande, un courriel vient d'y être envoyé avec un lien vers son suivi, valable 24 heures."))
            }
            (error_summary(errors))
            form.stacked method="post" action="/preinscription/suivi" novalidate aria-labelledby="suivre" {
                (csrf_field(&ctx.csrf))
                (required_legend())
                (field_block("reference", "Référence de la demande").required().hint("Par exemple P-7K3QX2, dans le courriel reçu.").control(errors, |described, invalid| html! {
                    input id=(field_id("reference")) name="reference" type="text" value=(f.reference) required autocomplete="off"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                (field_block("email", "Adresse e-mail donnée dans la demande").required().control(errors, |described, invalid| html! {
                    input id=(field_id("email")) name="email" type="email" value=(f.email) required autocomplete="email"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                div.actions { button type="submit" { "Recevoir le lien de suivi" } }
            }
        },
    )
}

#[handler]
pub(crate) async fn follow_page(ctx: Ctx) -> Markup {
    follow_form_page(&ctx, &FollowForm::default(), &Errors::new(), false)
}

/// Mails the follow-up link when the reference and the address match; the same page either
/// way (no one learns whether a request exists).
#[handler]
pub(crate) async fn follow_request(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Form(f): Form<FollowForm>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    let reference = f.reference.trim().to_uppercase();
    if reference.is_empty() {
        errors.add("reference", "Référence de la demande : saisissez-la.");
    }
    let email = match EmailAddress::parse(&f.email) {
        Ok(e) => Some(e.as_str().to_lowercase()),
        Err(e) => {
            errors.add("email", format!("Adresse e-mail : {e}"));
            None
        }
    };
    if !errors.is_empty() {
        return Ok(unprocessable(follow_form_page(&ctx, &f, &errors, false)));
    }
    if let Some(r) =
        store::by_reference(&state.pool, &reference, email.as_deref().unwrap_or("")).await?
    {
        let token = crate::tokens::random_token();
        let school = crate::site::name(&state.pool, r.site_id).await?;
        let link = format!("{}/preinscription/suivi/{token}", state.settings.base_url);
        let mail = Outgoing {
            to: r.email.clone(),
            subject: format!("{school} – suivi de votre demande {}", r.reference),
            body: format!(
                "Bonjour,\n\nVoici le lien vers le suivi de la demande {} ({}), valable 24 heures :\n\n{link}\n\n\
                 Si vous n'avez pas demandé ce lien, ignorez ce message.\n\n{school}\n",
                r.reference,
                r.child()
            ),
        };
        store::set_follow(
            &state.pool,
            r.request_id,
            &crate::tokens::hash_token(&token),
            86_400,
            &mail,
            r.site_id,
        )
        .await?;
    }
    Ok(poem::IntoResponse::into_response(follow_form_page(
        &ctx,
        &FollowForm {
            reference,
            email: f.email.clone(),
        },
        &Errors::new(),
        true,
    )))
}

async fn followed(state: &AppState, token: &str) -> AppResult<Request> {
    if token.len() != 43 {
        return Err(AppError::NotFound);
    }
    store::by_follow_token(&state.pool, &crate::tokens::hash_token(token))
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

/// The request's page: its state, its place on the waiting list, a place offered to confirm,
/// and « Retirer la demande ».
#[handler]
pub(crate) async fn followed_page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let r = followed(&state, &token).await?;
    let window = store::latest_window(&state.pool, r.site_id).await?;
    let position = match &window {
        Some(w) if w.window_id == r.window_id => {
            store::waiting_position(&state.pool, w, &r).await?
        }
        _ => None,
    };
    let wishes = store::wishes(&state.pool, r.request_id).await?;
    let info = match q.info.as_deref() {
        Some("retiree") => Some("Votre demande est retirée."),
        Some("confirmee") => Some(
            "Vous avez accepté la place : l'école crée le dossier de votre famille, et vous recevez un courriel pour choisir votre mot de passe du portail.",
        ),
        Some("trop-tard") => Some("Cette place n'est plus disponible."),
        _ => None,
    };
    let here = format!("/preinscription/suivi/{token}");
    Ok(layout::page(
        &ctx,
        &format!("Demande {} – Préinscription", r.reference),
        html! {
            h1 { "Demande " (r.reference) }
            @if let Some(i) = info { (notice(i)) }
            dl.record {
                dt { "Enfant" } dd { (r.child()) }
                dt { "Vœux" } dd { @for (i, (_, w)) in wishes.iter().enumerate() { @if i > 0 { ", " } (i + 1) ". " (w) } }
                dt { "État" } dd { (status_words(&r.status)) @if let Some(o) = &r.offer { " (" (o) ")" } }
                @if let Some(p) = position { dt { "Place sur la liste d'attente" } dd { (p) } }
                @if let Some(reason) = &r.decision_reason { dt { "Motif" } dd { (reason) } }
            }
            @if r.status == super::OFFERED {
                @if let Some(until) = &r.offered_until {
                    p { "Une place en " (r.offer.as_deref().unwrap_or("")) " vous est proposée jusqu'au " strong { (french_date(until)) } " inclus." }
                }
                form method="post" action=(here) {
                    (csrf_field(&ctx.csrf))
                    button type="submit" name="action" value="accepter" { "Accepter la place" }
                }
            }
            @if [super::UNCONFIRMED, super::NEW, super::WAITING, super::OFFERED, super::ACCEPTED].contains(&r.status.as_str()) {
                form method="post" action=(here) {
                    (csrf_field(&ctx.csrf))
                    p { "Retirer la demande libère la place pour une autre famille ; cela ne peut pas être annulé." }
                    button type="submit" name="action" value="retirer" { "Retirer la demande" }
                }
            }
        },
    ))
}

#[derive(Deserialize, Default)]
struct FollowAction {
    #[serde(default)]
    action: String,
}

#[handler]
pub(crate) async fn followed_act(
    state: Data<&Arc<AppState>>,
    Path(token): Path<String>,
    Form(f): Form<FollowAction>,
) -> AppResult<Response> {
    let r = followed(&state, &token).await?;
    let here = format!("/preinscription/suivi/{token}");
    match f.action.as_str() {
        "retirer" => {
            let (_, freed) = store::withdraw(&state.pool, &r).await?;
            if let Some(offer) = freed {
                super::staff::offer_freed_place(&state, r.site_id, offer).await?;
            }
            Ok(see_other(&format!("{here}?info=retiree")))
        }
        "accepter" if r.status == super::OFFERED => {
            let Some(offer) = r.offer_id else {
                return Err(AppError::BadRequest);
            };
            match super::staff::accept_and_invite(&state, &r, offer, None, true).await? {
                Ok(()) => Ok(see_other(&format!("{here}?info=confirmee"))),
                Err(_) => Ok(see_other(&format!("{here}?info=trop-tard"))),
            }
        }
        _ => Ok(see_other(&here)),
    }
}
