//! The Réinscription tab of a student, and the staff's pages.

use crate::domain::status::{DocumentStatus, RequestStatus};
use maud::{Markup, html};

use super::store::{Campaign, CampaignDoc, Offer, Provided, Request};
use crate::domain::upload::megabytes;
use crate::domain::{french_date, french_datetime};
use crate::features::students::views::tabs;
use crate::web::components::{Errors, csrf_field, error_summary, field_block, field_id, notice};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

pub struct Page<'a> {
    pub name: &'a str,
    pub person_id: i64,
    pub campaign: &'a Campaign,
    pub offers: &'a [Offer],
    pub request: Option<&'a Request>,
    pub chosen: &'a [i64],
    pub docs: &'a [CampaignDoc],
    pub provided: &'a [Provided],
    pub info: Option<&'a str>,
    pub errors: &'a Errors,
    /// What was typed in the comment box (kept after an error).
    pub comment: &'a str,
    /// The document picked in the upload form (kept after an error).
    pub picked: Option<i64>,
}

pub fn status_label(status: DocumentStatus) -> &'static str {
    match status {
        DocumentStatus::Provided => "Fourni",
        DocumentStatus::Accepted => "Accepté",
        DocumentStatus::Refused => "Refusé",
    }
}

pub fn page(ctx: &Ctx, p: &Page) -> Markup {
    let base = crate::paths::reenrolment(p.person_id);
    let status = p.request.map(|r| r.status);
    let editable = matches!(status, None | Some(RequestStatus::Draft));
    let has_choice = p.request.is_some_and(|r| r.administrative) || !p.chosen.is_empty();
    let administrative = p.request.is_some_and(|r| r.administrative);
    let holder_of = |d: &CampaignDoc| {
        if d.per_student {
            Some(p.person_id)
        } else {
            None
        }
    };
    let file_of = |d: &CampaignDoc| {
        p.provided.iter().find(|f| {
            f.campaign_document_id == d.campaign_document_id && f.person_id == holder_of(d)
        })
    };
    layout::form_page(
        ctx,
        &format!("Réinscription – {}", p.name),
        p.errors,
        html! {
            p { a href="/eleves" { "Tous les élèves" } }
            h1 { (p.name) }
            (tabs(ctx, p.person_id, "reinscription"))
            @if let Some(i) = p.info { (notice(i)) }
            (error_summary(p.errors))
            h2 { "Réinscription pour l'année " (p.campaign.year_label) }
            p { "La réinscription en ligne est ouverte jusqu'au " (french_date(&p.campaign.closes_on)) " inclus. "
                "Cochez vos choix, joignez les documents demandés, puis validez." }
            @match status {
                Some(RequestStatus::Submitted) => { p.status-line { strong { "Réinscription en attente de validation." } " L'équipe administrative vous répondra par courriel." } }
                Some(RequestStatus::Accepted) => { p.status-line { strong { "Réinscription acceptée" } " par l'équipe administrative." } }
                Some(RequestStatus::Refused) => { p.status-line { strong { "Réinscription refusée" } @if let Some(r) = p.request.and_then(|r| r.decision_reason.as_deref()) { "\u{a0}: " (r) } "." } }
                _ => {}
            }

            h3 #choix-titre { "1. Cursus et cours" }
            form method="post" action={ (base) "/choix" } aria-labelledby="choix-titre" {
                (csrf_field(&ctx.csrf))
                fieldset {
                    legend { "Votre choix de réinscription" }
                    // A fieldset of checkboxes (not a `field_block`): its error comes first.
                    @if let Some(e) = p.errors.get("choix") {
                        p.error-message #champ-choix-erreur { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                    }
                    div.checkbox {
                        input #champ-choix type="checkbox" name="administrative" value="1" checked[administrative] disabled[!editable]
                            aria-describedby=(if p.errors.get("choix").is_some() { "choix-aide champ-choix-erreur" } else { "choix-aide" });
                        label for="champ-choix" { "Réinscription administrative (tous les cours ci-dessous)" }
                    }
                    p.hint #choix-aide { "Ou cochez seulement les cours que l'élève poursuit." }
                    @if p.offers.is_empty() {
                        p { "Aucun cours cette année : cochez la réinscription administrative." }
                    } @else {
                        (DataTable::new(
                            "cours-legende",
                            "Cursus et cours de cette année",
                            [
                                col("Réinscrire"), col("Cursus"), col("Cours"), col("Horaires aménagés").abbr("Ha"),
                                col("Enseignant"), col("Cycle"), col("Actif"),
                            ],
                        ).rows(p.offers.iter().map(|o| vec![
                            td(html! {
                                input id={ "cours-" (o.course_record_id) } type="checkbox" name="cours" value=(o.course_record_id)
                                    checked[p.chosen.contains(&o.course_record_id)] disabled[!editable];
                                label.visually-hidden for={ "cours-" (o.course_record_id) } { "Réinscrire en " (o.course) }
                            }),
                            td(&o.department),
                            th(&o.course),
                            td(if o.horaires_amenages { "Oui" } else { "Non" }),
                            td(o.teacher.as_deref().unwrap_or("")),
                            td(o.cycle.as_deref().unwrap_or("")),
                            td(match o.activity_status.as_deref().unwrap_or("ACTIF") {
                                "ACTIF" => "Oui",
                                other => other,
                            }),
                        ])))
                    }
                }
                @if editable { div.actions { button type="submit" { "Enregistrer le choix" } } }
            }

            h3 #documents-titre { "2. Documents à fournir" }
            (DataTable::new(
                "documents-legende",
                "Documents demandés par l'école",
                [
                    col("Document"), col("Nom du fichier"), col("Date"), col("Heure"), col("Taille (Mo)"),
                    col("État"), col("Actions"),
                ],
            ).rows(p.docs.iter().map(|d| {
                let head = th(html! {
                    (d.name)
                    span.doc-scope { @if d.per_student { " (pour l'élève" } @else { " (pour la famille" } @if d.required { ", obligatoire)" } @else { ", facultatif)" } }
                });
                match file_of(d) {
                    Some(f) => {
                        let at = french_datetime(f.uploaded_at);
                        let (day, hour) = at.split_once(" à ").unwrap_or((at.as_str(), ""));
                        vec![
                            head,
                            td(&f.file_name),
                            td(day),
                            td(hour),
                            td(megabytes(f.size_bytes)).num(),
                            td(html! { (status_label(f.status)) @if let Some(r) = &f.refusal_reason { "\u{a0}: " (r) } }),
                            td(html! {
                                a href={ (base) "/documents/" (f.provided_document_id) } type=(f.content_type) { "Consulter" span.visually-hidden { " " (d.name) } }
                                // Until staff accept it, and while the re-enrolment is not sent (a
                                // refused file can always be replaced or removed).
                                @if f.status == DocumentStatus::Refused || (f.status != DocumentStatus::Accepted && editable) {
                                    form.inline-action method="post" action={ (base) "/documents/" (f.provided_document_id) "/supprimer" } {
                                        (csrf_field(&ctx.csrf))
                                        button.link-button type="submit" { "Supprimer" span.visually-hidden { " " (d.name) } }
                                    }
                                }
                            }),
                        ]
                    }
                    None => vec![head, td(""), td(""), td(""), td(""), td("À fournir"), td("")],
                }
            })))
            @let open_docs: Vec<&CampaignDoc> = p.docs.iter().filter(|d| match file_of(d) {
                Some(f) => f.status == DocumentStatus::Refused || (f.status != DocumentStatus::Accepted && editable),
                None => editable,
            }).collect();
            @if !open_docs.is_empty() {
                form #envoi method="post" enctype="multipart/form-data" action={ (base) "/documents?csrf_token=" (ctx.csrf) } aria-labelledby="envoi-titre" {
                    h4 #envoi-titre { "Importer un document" }
                    @if !has_choice {
                        p.note #envoi-avant { "Cochez d'abord un choix de réinscription ci-dessus (et enregistrez-le) : un document ne peut être importé qu'après." }
                    }
                    (field_block("document", "Nom du document").control(p.errors, |described, invalid| html! {
                        select #champ-document name="document" aria-describedby=[described]
                            aria-invalid=[invalid.then_some("true")] {
                            @for d in &open_docs {
                                option value=(d.campaign_document_id) selected[p.picked == Some(d.campaign_document_id)] { (d.name) }
                            }
                        }
                    }))
                    (field_block("fichier", "Fichier").hint("Image JPEG ou PNG, ou PDF ; 2 Mo au plus. Un nouveau fichier remplace le précédent.").control(p.errors, |described, invalid| html! {
                        // Before any choice, the note above the form says why nothing can be sent.
                        input #champ-fichier type="file" name="fichier" accept=".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
                            aria-describedby=[described.map(|d| if has_choice { d } else { d + " envoi-avant" })]
                            aria-invalid=[invalid.then_some("true")];
                    }))
                    div.actions {
                        button type="submit" { "Importer" }
                        progress #envoi-progression max="100" value="0" hidden aria-label="Progression de l'envoi" {}
                    }
                }
            }

            h3 #validation-titre { "3. Demandes complémentaires et validation" }
            form method="post" action={ (base) "/valider" } aria-labelledby="validation-titre" {
                (csrf_field(&ctx.csrf))
                (field_block("commentaire", "Demandes complémentaires (facultatif)").control(p.errors, |described, invalid| html! {
                    textarea #champ-commentaire name="commentaire" rows="4" maxlength="2000" disabled[!editable]
                        aria-describedby=[described]
                        aria-invalid=[invalid.then_some("true")] {
                        @if editable { (p.comment) } @else { (p.request.map(|r| r.comment.as_str()).unwrap_or("")) }
                    }
                }))
                @if status == Some(RequestStatus::Submitted) {
                    p.status-line { strong { "Réinscription en attente de validation" } }
                }
                @if editable { div.actions { button type="submit" { "Valider" } } }
            }
            p { a href="/eleves" { "Retour" } }
        },
    )
}

// ---- staff ----

pub fn request_status(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Submitted => "En attente",
        RequestStatus::Accepted => "Acceptée",
        RequestStatus::Refused => "Refusée",
        RequestStatus::Draft => "Brouillon",
    }
}

pub struct StaffList<'a> {
    pub campaign: Option<&'a Campaign>,
    pub docs: &'a [CampaignDoc],
    pub requests: &'a [Request],
    pub filter: &'a str,
    pub errors: &'a Errors,
    pub form: &'a [(&'a str, String)],
    pub info: Option<&'a str>,
}

pub fn staff_list(ctx: &Ctx, l: &StaffList) -> Markup {
    let StaffList {
        campaign,
        docs,
        requests,
        filter,
        errors,
        form,
        info,
    } = *l;
    let value = |k: &str| {
        form.iter()
            .find(|(f, _)| *f == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let field =
        |name: &'static str, label: &str, hint: &str| {
            field_block(name, label).required().hint(hint).control(errors, |described, invalid| {
                html! {
                    input id=(field_id(name)) name=(name) type="text" value=(value(name)) required
                        aria-describedby=[described]
                        aria-invalid=[invalid.then_some("true")];
                }
            })
        };
    layout::form_page(
        ctx,
        "Réinscriptions",
        errors,
        html! {
            h1 { "Réinscriptions" }
            @if let Some(i) = info { (notice(i)) }
            (error_summary(errors))
            h2 #campagne-titre { "Campagne" }
            @if let Some(c) = campaign {
                p { "Réinscription pour " strong { (c.year_label) } ", du " (french_date(&c.opens_on)) " au " (french_date(&c.closes_on)) " inclus." }
            } @else {
                p { "Aucune campagne : créez-la pour ouvrir l'onglet Réinscription aux familles." }
            }
            form method="post" action="/gestion/reinscriptions/campagne" aria-labelledby="campagne-titre" {
                (csrf_field(&ctx.csrf))
                (field("annee", "Année de réinscription", "Par exemple 2027/2028."))
                (field("ouverture", "Ouverture", "jj/mm/aaaa : premier jour où les familles peuvent se réinscrire."))
                (field("fermeture", "Fermeture", "jj/mm/aaaa : dernier jour."))
                div.actions { button type="submit" { @if campaign.is_some() { "Modifier la campagne" } @else { "Créer la campagne" } } }
            }
            @if campaign.is_some() {
                h2 #documents-titre { "Documents demandés" }
                @if docs.is_empty() { p { "Aucun document demandé." } } @else {
                    ul {
                        @for d in docs {
                            li {
                                (d.name) " – " @if d.per_student { "par élève" } @else { "par famille" } ", "
                                @if d.required { "obligatoire" } @else { "facultatif" }
                                form.inline-action method="post" action="/gestion/reinscriptions/documents/supprimer" {
                                    (csrf_field(&ctx.csrf))
                                    input type="hidden" name="document" value=(d.campaign_document_id);
                                    button.link-button type="submit" { "Retirer" span.visually-hidden { " " (d.name) } }
                                }
                            }
                        }
                    }
                }
                form method="post" action="/gestion/reinscriptions/documents" aria-labelledby="ajout-titre" {
                    h3 #ajout-titre { "Demander un document" }
                    (csrf_field(&ctx.csrf))
                    (field_block("nom", "Nom du document").required().control(errors, |described, invalid| html! {
                        input #champ-nom name="nom" type="text" value=(value("nom")) required
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                    }))
                    fieldset {
                        legend { "Pour qui" }
                        div.radio { input #pour-famille type="radio" name="pour" value="famille" checked[value("pour") != "eleve"]; label for="pour-famille" { "Un par famille" } }
                        div.radio { input #pour-eleve type="radio" name="pour" value="eleve" checked[value("pour") == "eleve"]; label for="pour-eleve" { "Un par élève" } }
                    }
                    div.checkbox { input #champ-obligatoire type="checkbox" name="obligatoire" value="1" checked[value("obligatoire") == "1"]; label for="champ-obligatoire" { "Obligatoire" } }
                    div.actions { button type="submit" { "Ajouter ce document" } }
                }
                h2 #demandes-titre { "Demandes des familles" }
                nav.tabs aria-label="Filtrer les demandes" {
                    ul {
                        @for (key, label) in [("submitted", "En attente"), ("accepted", "Acceptées"), ("refused", "Refusées")] {
                            li { a href={ "/gestion/reinscriptions?etat=" (key) } aria-current=[(filter == key).then_some("page")] { (label) } }
                        }
                    }
                }
                @if requests.is_empty() {
                    p { "Aucune demande " (request_status(RequestStatus::from_key(filter).unwrap_or(RequestStatus::Submitted)).to_lowercase()) "." }
                } @else {
                    (DataTable::new(
                        "demandes-legende",
                        html! { "Demandes " (request_status(RequestStatus::from_key(filter).unwrap_or(RequestStatus::Submitted)).to_lowercase()) ", de la plus ancienne à la plus récente" },
                        [col("Élève"), col("Envoyée le"), col("Choix"), col("État")],
                    ).rows(requests.iter().map(|r| vec![
                        th(html! { a href={ "/gestion/reinscriptions/" (r.request_id) } { (r.student) } }),
                        td(r.submitted_at.map(french_datetime).unwrap_or_default()),
                        td(if r.administrative { "Réinscription administrative" } else { "Cours choisis" }),
                        td(request_status(r.status)),
                    ])))
                }
            }
        },
    )
}

pub struct StaffRequest<'a> {
    pub request: &'a Request,
    pub offers: &'a [Offer],
    pub chosen: &'a [i64],
    pub docs: &'a [CampaignDoc],
    pub provided: &'a [Provided],
    pub errors: &'a Errors,
    pub reason: &'a str,
    pub info: Option<&'a str>,
}

pub fn staff_request(ctx: &Ctx, s: &StaffRequest) -> Markup {
    let r = s.request;
    let base = format!("/gestion/reinscriptions/{}", r.request_id);
    let name_of = |id: i64| {
        s.docs
            .iter()
            .find(|d| d.campaign_document_id == id)
            .map(|d| d.name.as_str())
            .unwrap_or("Document")
    };
    layout::form_page(
        ctx,
        &format!("Réinscription de {}", r.student),
        s.errors,
        html! {
            p { a href="/gestion/reinscriptions" { "Toutes les demandes" } }
            h1 { "Réinscription de " (r.student) }
            @if let Some(i) = s.info { (notice(i)) }
            (error_summary(s.errors))
            p { "État\u{a0}: " strong { (request_status(r.status)) } @if let Some(x) = &r.decision_reason { " (" (x) ")" } "." }
            h2 { "Choix" }
            @if r.administrative {
                p { "Réinscription administrative (tous les cours)." }
            } @else {
                ul { @for o in s.offers.iter().filter(|o| s.chosen.contains(&o.course_record_id)) { li { (o.department) " – " (o.course) } } }
            }
            h2 { "Demandes complémentaires" }
            p { @if r.comment.trim().is_empty() { "Aucune." } @else { (r.comment) } }
            h2 { "Documents" }
            @if s.provided.is_empty() { p { "Aucun document fourni." } } @else {
                (DataTable::new(
                    "pieces-legende",
                    "Documents fournis",
                    [col("Document"), col("Fichier"), col("Taille (Mo)"), col("État"), col("Décision")],
                ).rows(s.provided.iter().map(|f| {
                    let name = name_of(f.campaign_document_id);
                    vec![
                        th(name),
                        td(html! { a href={ "/gestion/reinscriptions/documents/" (f.provided_document_id) } type=(f.content_type) { (f.file_name) } }),
                        td(megabytes(f.size_bytes)).num(),
                        td(html! { (status_label(f.status)) @if let Some(x) = &f.refusal_reason { "\u{a0}: " (x) } }),
                        td(html! {
                            form.inline-action method="post" action={ (base) "/documents/" (f.provided_document_id) } {
                                (csrf_field(&ctx.csrf))
                                button.link-button type="submit" name="decision" value="accepter" { "Accepter" span.visually-hidden { " " (name) } }
                                " "
                                button.link-button type="submit" name="decision" value="refuser" { "Refuser" span.visually-hidden { " " (name) } }
                                label.visually-hidden for={ "motif-" (f.provided_document_id) } { "Motif du refus de " (name) }
                                input id={ "motif-" (f.provided_document_id) } type="text" name="motif" placeholder="Motif du refus";
                            }
                        }),
                    ]
                })))
            }
            @if r.status == RequestStatus::Submitted {
                h2 #decision-titre { "Décision" }
                form method="post" action={ (base) "/decision" } aria-labelledby="decision-titre" {
                    (csrf_field(&ctx.csrf))
                    (field_block("motif", "Motif (obligatoire pour refuser)").control(s.errors, |described, invalid| html! {
                        textarea #champ-motif name="motif" rows="3" aria-describedby=[described]
                            aria-invalid=[invalid.then_some("true")] { (s.reason) }
                    }))
                    div.actions {
                        button type="submit" name="decision" value="accepter" { "Accepter la réinscription" }
                        button type="submit" name="decision" value="refuser" { "Refuser la réinscription" }
                    }
                }
            }
        },
    )
}
