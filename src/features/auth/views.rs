//! Pages of the auth feature.

use maud::{Markup, html};

use crate::domain::password::POLICY_TEXT;
use crate::site::Site;
use crate::web::components::{
    Errors, Field, csrf_field, error_summary, field_id, notice, required_legend,
};
use crate::web::{Ctx, layout};

/// The school selector, shown only when the deployment hosts more than one school.
fn site_select(sites: &[Site], chosen: &str, errors: &Errors) -> Markup {
    if sites.len() < 2 {
        return html! {};
    }
    let id = field_id("site");
    let error = errors.get("site");
    html! {
        div.field.field-error[error.is_some()] {
            label for=(id) { "École " abbr.required title="obligatoire" aria-hidden="true" { "*" } }
            @if let Some(e) = error {
                p.error-message id="champ-site-erreur" { span.visually-hidden { "Erreur\u{a0}: " } (e) }
            }
            select id=(id) name="site" required
                aria-describedby=[error.map(|_| "champ-site-erreur")]
                aria-invalid=[error.map(|_| "true")] {
                option value="" selected[chosen.is_empty()] { "Choisissez votre école" }
                @for s in sites {
                    option value=(s.slug) selected[s.slug == chosen] { (s.name) }
                }
            }
        }
    }
}

pub struct LoginValues<'a> {
    pub site: &'a str,
    pub identifier: &'a str,
    /// Schools whose pre-enrolment is open today: (slug, name), linked for new families.
    pub preenrolment: &'a [(String, String)],
}

/// Who a login form is for: families (`/connexion`) or the school's staff (`/gestion/connexion`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Family,
    Staff,
}

impl Audience {
    pub fn action(self) -> &'static str {
        match self {
            Audience::Family => "/connexion",
            Audience::Staff => "/gestion/connexion",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Audience::Family => "Connexion",
            Audience::Staff => "Connexion du personnel",
        }
    }
}

pub fn login(
    ctx: &Ctx,
    audience: Audience,
    sites: &[Site],
    v: &LoginValues,
    errors: &Errors,
    info: Option<&str>,
) -> Markup {
    layout::form_page(
        ctx,
        audience.title(),
        errors,
        html! {
            h1 { (audience.title()) }
            @if audience == Audience::Staff {
                p { "Cet accès est réservé au personnel de l'école. Les familles se connectent depuis la page " a href="/connexion" { "Connexion" } "." }
            }
            @if let Some(i) = info { (notice(i)) }
            (error_summary(errors))
            form.stacked method="post" action=(audience.action()) novalidate {
                (csrf_field(&ctx.csrf))
                (required_legend())
                (site_select(sites, v.site, errors))
                (Field { name: "identifiant", label: "Identifiant", kind: "text", value: v.identifier,
                         autocomplete: "username",
                         hint: (audience == Audience::Family).then_some("L'identifiant personnel reçu par mail de l'école, par exemple abarre1."),
                         required: true }
                    .render(errors))
                (Field { name: "mot_de_passe", label: "Mot de passe", kind: "password", value: "",
                         autocomplete: "current-password", hint: None, required: true }
                    .render(errors))
                div.actions { button type="submit" { "Se connecter" } }
            }
            @if audience == Audience::Family && !v.preenrolment.is_empty() {
                h2 { "Nouvelle famille" }
                p {
                    "La préinscription est ouverte"
                    @if let [(_, name)] = v.preenrolment { " à " (name) } ". Elle se fait sans compte\u{a0}: "
                    a href="/preinscription" { "faire une demande de préinscription" } "."
                }
            }
            ul.links {
                li { a href="/mot-de-passe-perdu" { "Mot de passe perdu ou première connexion" } }
                li { a href="/accessibilite" { "Aide – Accessibilité" } }
                @if audience == Audience::Family {
                    li { a href="/gestion/connexion" { "Accès du personnel de l'école" } }
                }
            }
        },
    )
}

pub struct LostValues<'a> {
    pub site: &'a str,
    pub identifier: &'a str,
    pub email: &'a str,
}

pub fn lost(ctx: &Ctx, sites: &[Site], v: &LostValues, errors: &Errors) -> Markup {
    layout::form_page(
        ctx,
        "Mot de passe perdu",
        errors,
        html! {
            h1 { "Mot de passe perdu ou première connexion" }
            p { "Saisissez l'identifiant reçu par mail de l'école et l'adresse e-mail transmise lors de l'inscription. "
                "S'ils correspondent à un compte, vous recevrez un lien pour choisir votre mot de passe." }
            (error_summary(errors))
            form.stacked method="post" action="/mot-de-passe-perdu" novalidate {
                (csrf_field(&ctx.csrf))
                (required_legend())
                (site_select(sites, v.site, errors))
                (Field { name: "identifiant", label: "Identifiant", kind: "text", value: v.identifier,
                         autocomplete: "username", hint: None, required: true }.render(errors))
                (Field { name: "email", label: "E-mail", kind: "email", value: v.email,
                         autocomplete: "email", hint: Some("Par exemple prenom.nom@exemple.fr"), required: true }.render(errors))
                div.actions {
                    button type="submit" { "Valider" }
                    a href="/connexion" { "Retour" }
                }
            }
        },
    )
}

pub fn lost_sent(ctx: &Ctx) -> Markup {
    layout::page(
        ctx,
        "Demande envoyée",
        html! {
            h1 { "Demande envoyée" }
            (notice("Votre demande a été prise en compte."))
            p { "Si l'identifiant et l'adresse e-mail correspondent à un compte, un message vient de vous être envoyé avec un lien pour choisir votre mot de passe." }
            p { "Ce lien est valable 30\u{a0}minutes et ne sert qu'une fois. Tant que vous ne l'avez pas utilisé, votre mot de passe actuel reste valable. "
                "Si le message n'arrive pas, regardez dans le dossier des indésirables." }
            p { a href="/connexion" { "Retour à la connexion" } }
        },
    )
}

/// The two new-password fields, with the policy stated before typing.
fn new_password_fields(errors: &Errors) -> Markup {
    html! {
        (Field { name: "nouveau", label: "Saisir le nouveau mot de passe", kind: "password", value: "",
                 autocomplete: "new-password", hint: Some(POLICY_TEXT), required: true }.render(errors))
        (Field { name: "confirmation", label: "Ressaisir le nouveau mot de passe", kind: "password", value: "",
                 autocomplete: "new-password", hint: None, required: true }.render(errors))
    }
}

pub fn reset_form(ctx: &Ctx, token: &str, errors: &Errors) -> Markup {
    layout::form_page(
        ctx,
        "Choisir un mot de passe",
        errors,
        html! {
            h1 { "Choisir un mot de passe" }
            (error_summary(errors))
            form.stacked method="post" action={ "/reinitialisation?jeton=" (token) } novalidate {
                (csrf_field(&ctx.csrf))
                (required_legend())
                (new_password_fields(errors))
                div.actions { button type="submit" { "Enregistrer" } }
            }
        },
    )
}

pub fn reset_invalid(ctx: &Ctx) -> Markup {
    layout::page(
        ctx,
        "Lien expiré ou déjà utilisé",
        html! {
            h1 { "Lien expiré ou déjà utilisé" }
            p { "Ce lien pour choisir un mot de passe n'est plus valable : il a déjà servi, il date de plus de 30\u{a0}minutes, ou il est incomplet." }
            p { "Vous pouvez demander un nouveau lien ; votre mot de passe actuel, s'il existe, reste valable en attendant." }
            p { a.button href="/mot-de-passe-perdu" { "Demander un nouveau lien" } }
            p { a href="/connexion" { "Retour à la connexion" } }
        },
    )
}

pub fn change(ctx: &Ctx, errors: &Errors, info: Option<&str>) -> Markup {
    layout::form_page(
        ctx,
        "Mot de passe",
        errors,
        html! {
            h1 { "Mot de passe" }
            @if let Some(i) = info { (notice(i)) }
            (error_summary(errors))
            form.stacked method="post" action="/mot-de-passe" novalidate {
                (csrf_field(&ctx.csrf))
                (required_legend())
                (Field { name: "actuel", label: "Mot de passe actuel", kind: "password", value: "",
                         autocomplete: "current-password", hint: None, required: true }.render(errors))
                (new_password_fields(errors))
                div.actions {
                    button type="submit" { "Enregistrer" }
                    a href=(layout::home(ctx)) { "Annuler" }
                }
            }
            h2 { "Vos sessions" }
            p { "Changer le mot de passe termine vos sessions ouvertes sur d'autres navigateurs. "
                a href="/sessions" { "Voir les sessions ouvertes" } " pour en terminer une sans changer de mot de passe." }
        },
    )
}
