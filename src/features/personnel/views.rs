//! Pages of Personnel: the staff list with the invitation form, and one staff account.

use maud::{Markup, html};

use super::store::Member;
use crate::domain::french_datetime;
use crate::domain::status::Role;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

fn state(m: &Member) -> &'static str {
    match (m.disabled, m.has_password) {
        (true, _) => "Désactivé",
        (false, false) => "Invitation en attente",
        (false, true) => "Actif",
    }
}

fn last_login(m: &Member) -> String {
    m.last_login_at
        .map(french_datetime)
        .unwrap_or_else(|| "Jamais".to_owned())
}

/// The invitation form as typed.
#[derive(Default)]
pub struct InviteForm {
    pub nom: String,
    pub email: String,
    pub role: String,
}

fn role_select(name: &str, chosen: &str, described: Option<String>, invalid: bool) -> Markup {
    // A forged or unknown role shows the default choice, never an unselected list.
    let chosen = Role::from_key(chosen).unwrap_or(Role::Secretariat).key();
    html! {
        // Always one role chosen: `required` would ask HTML for an empty first option.
        select id=(field_id(name)) name=(name) aria-required="true" aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
            @for r in Role::ALL {
                option value=(r.key()) selected[chosen == r.key()] { (r.label()) }
            }
        }
    }
}

pub fn list(
    ctx: &Ctx,
    members: &[Member],
    form: &InviteForm,
    errors: &Errors,
    info: Option<&str>,
) -> Markup {
    layout::form_page(
        ctx,
        "Personnel",
        errors,
        html! {
            h1 { "Personnel" }
            @if let Some(i) = info { (notice(i)) }
            (error_summary(errors))
            p { "Le secrétariat traite les demandes, les réinscriptions, les paiements, les courriels et les comptes des familles. "
                "Les administrateurs gèrent en plus les réglages de l'école et le personnel. "
                "L'école garde toujours au moins un administrateur actif." }
            (DataTable::new(
                "personnel-legende",
                html! { (members.len()) " compte" @if members.len() > 1 { "s" } " de personnel, par nom" },
                [col("Nom"), col("Identifiant"), col("Rôle"), col("État"), col("Dernière connexion")],
            ).rows(members.iter().map(|m| vec![
                th(html! { a href={ "/gestion/personnel/" (m.account_id) } { (m.name()) } }),
                td(&m.identifier),
                td(m.role.label()),
                td(state(m)),
                td(last_login(m)),
            ])))
            h2 #invitation-titre { "Inviter un membre du personnel" }
            p { "Il reçoit par mail son identifiant et un lien, valable 7 jours et une seule fois, pour choisir son mot de passe." }
            form method="post" action="/gestion/personnel" novalidate aria-labelledby="invitation-titre" {
                (csrf_field(&ctx.csrf))
                (required_legend())
                (field_block("nom", "Prénom et nom").required().hint("Par exemple : Anne DUPONT.").control(errors, |described, invalid| html! {
                    input id=(field_id("nom")) name="nom" type="text" value=(form.nom) required autocomplete="off"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                (field_block("email", "Adresse e-mail").required().control(errors, |described, invalid| html! {
                    input id=(field_id("email")) name="email" type="email" value=(form.email) required autocomplete="off" spellcheck="false"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                (field_block("role", "Rôle").required().control(errors, |described, invalid| {
                    role_select("role", &form.role, described, invalid)
                }))
                div.actions { button type="submit" { "Inviter" } }
            }
        },
    )
}

/// One staff account. `confirm_disable`: the administrator asked to disable their own
/// account, and is asked once more.
pub fn member(
    ctx: &Ctx,
    m: &Member,
    errors: &Errors,
    info: Option<&str>,
    confirm_disable: bool,
) -> Markup {
    let action = format!("/gestion/personnel/{}", m.account_id);
    let state_error = errors.get("etat");
    layout::form_page(
        ctx,
        &if confirm_disable {
            "Désactiver votre compte ? – Personnel".to_owned()
        } else {
            format!("{} – Personnel", m.name())
        },
        errors,
        html! {
            p { a href="/gestion/personnel" { "Tout le personnel" } }
            h1 { (m.name()) }
            @if let Some(i) = info { (notice(i)) }
            (error_summary(errors))
            @if confirm_disable {
                div.notice role="alert" {
                    h2 { "Désactiver votre propre compte ?" }
                    p { "Vous serez déconnecté aussitôt et ne pourrez plus vous connecter. Seul un autre administrateur pourra réactiver ce compte." }
                    form method="post" action=(action) {
                        (csrf_field(&ctx.csrf))
                        input type="hidden" name="confirmer" value="oui";
                        div.actions {
                            button type="submit" name="action" value="desactiver" { "Oui, désactiver mon compte" }
                            a href=(action) { "Non, garder mon compte" }
                        }
                    }
                }
            }
            dl {
                dt { "Identifiant" } dd { (m.identifier) }
                dt { "Adresse e-mail" } dd { (m.email.as_deref().unwrap_or("—")) }
                dt { "Rôle" } dd { (m.role.label()) }
                dt { "État" } dd { (state(m)) }
                dt { "Dernière connexion" } dd { (last_login(m)) }
            }
            h2 { "Rôle" }
            form method="post" action=(action) {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="action" value="role";
                (field_block("role", "Nouveau rôle").control(errors, |described, invalid| {
                    role_select("role", m.role.key(), described, invalid)
                }))
                div.actions { button type="submit" { "Changer le rôle" } }
            }
            h2 { "Accès" }
            form method="post" action=(action) {
                (csrf_field(&ctx.csrf))
                @if let Some(e) = state_error {
                    p.error-message #(format!("{}-erreur", field_id("etat"))) {
                        span.visually-hidden { "Erreur\u{a0}: " } (e)
                    }
                }
                @let described = state_error.map(|_| format!("{}-erreur", field_id("etat")));
                div.actions {
                    @if !m.has_password && !m.disabled {
                        button.secondary type="submit" name="action" value="renvoyer" aria-describedby=[described.clone()] { "Renvoyer l'invitation" }
                    }
                    @if m.disabled {
                        button.secondary #(field_id("etat")) type="submit" name="action" value="reactiver" aria-describedby=[described.clone()] { "Réactiver le compte" }
                    } @else {
                        button.secondary #(field_id("etat")) type="submit" name="action" value="desactiver" aria-describedby=[described] { "Désactiver le compte" }
                    }
                }
                p.hint { "Un compte désactivé ne peut plus se connecter ; ses sessions sont fermées aussitôt." }
            }
        },
    )
}
