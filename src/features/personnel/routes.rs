//! Handlers of `/gestion/personnel` (administrators only): the staff list, invitations, and
//! each account's role and access.

use std::sync::Arc;

use maud::Markup;
use poem::web::{Data, Form, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::store::{self, Change, ChangeBy, ChangeError, Delivery, StaffInviteError};
use super::views::{self, InviteForm};
use crate::domain::email::EmailAddress;
use crate::domain::status::Role;
use crate::domain::text::Name;
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::{AdminUser, AppError, AppResult, Ctx, Ids, see_other, unprocessable};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "invitation-envoyee" => "Le compte est créé et l'invitation envoyée par mail.",
        "invitation-renvoyee" => {
            "Une nouvelle invitation est envoyée ; les liens précédents ne fonctionnent plus."
        }
        "compte-desactive" => "Le compte est désactivé ; ses sessions sont fermées.",
        "compte-reactive" => "Le compte est réactivé.",
        "role-change" => "Le rôle est changé.",
        "inchange" => "Rien n'a changé : le compte était déjà ainsi.",
        _ => return None,
    })
}

#[handler]
pub(crate) async fn list(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let members = store::members(&state.pool, user.site_id).await?;
    Ok(views::list(
        &ctx,
        &members,
        &InviteForm::default(),
        &Errors::new(),
        info_text(q.info.as_deref()),
    ))
}

#[derive(Deserialize)]
struct InviteFields {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[handler]
pub(crate) async fn invite(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Form(f): Form<InviteFields>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    let name = match Name::parse(&f.nom, "Le prénom et nom", 120) {
        Ok(n) => Some(n),
        Err(e) => {
            errors.add("nom", e);
            None
        }
    };
    let email = if f.email.trim().is_empty() {
        errors.add("email", "L'adresse e-mail est obligatoire.");
        None
    } else {
        EmailAddress::parse(&f.email)
            .map_err(|e| errors.add("email", format!("L'adresse e-mail : {e}")))
            .ok()
    };
    let role = Role::from_key(&f.role);
    if role.is_none() {
        errors.add(
            "role",
            "Choisissez un rôle : administrateur ou secrétariat.",
        );
    }
    let typed = InviteForm {
        nom: f.nom.clone(),
        email: f.email.clone(),
        role: f.role.clone(),
    };
    if let (Some(name), Some(email), Some(role)) = (&name, &email, role) {
        let invited = store::invite(
            &state.pool,
            store::StaffInvitation {
                site_id: user.site_id,
                email,
                name,
                role,
                by: Some(user.account_id),
                base_url: &state.settings.base_url,
                delivery: Delivery::Mail,
            },
        )
        .await;
        match invited {
            Ok(_) => return Ok(see_other("/gestion/personnel?info=invitation-envoyee")),
            Err(StaffInviteError::EmailTaken(address, identifier)) => errors.add(
                "email",
                format!("L'adresse e-mail : {address} est déjà celle du compte « {identifier} »."),
            ),
            Err(StaffInviteError::Database(e)) => return Err(e.into()),
        }
    }
    let members = store::members(&state.pool, user.site_id).await?;
    Ok(unprocessable(views::list(
        &ctx, &members, &typed, &errors, None,
    )))
}

#[handler]
pub(crate) async fn member(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Ids([id]): Ids<1>,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let m = store::member(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(views::member(
        &ctx,
        &m,
        &Errors::new(),
        info_text(q.info.as_deref()),
        false,
    ))
}

#[derive(Deserialize)]
struct ActionFields {
    #[serde(default)]
    action: String,
    #[serde(default)]
    role: String,
    /// « oui » once an administrator confirmed disabling their own account.
    #[serde(default)]
    confirmer: String,
}

#[handler]
pub(crate) async fn act(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Ids([id]): Ids<1>,
    Form(f): Form<ActionFields>,
) -> AppResult<Response> {
    let m = store::member(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::new();
    if f.action == "desactiver" && id == user.account_id && f.confirmer != "oui" {
        // Disabling one's own account ends one's session: asked once more, in plain HTML.
        return Ok(views::member(&ctx, &m, &errors, None, true).into_response());
    }
    let (change, done, field) = match f.action.as_str() {
        "renvoyer" => (Some(Change::Resend), "invitation-renvoyee", "etat"),
        "desactiver" => (Some(Change::Disable), "compte-desactive", "etat"),
        "reactiver" => (Some(Change::Enable), "compte-reactive", "etat"),
        "role" => match Role::from_key(&f.role) {
            Some(r) => (Some(Change::SetRole(r)), "role-change", "role"),
            None => {
                errors.add(
                    "role",
                    "Choisissez un rôle : administrateur ou secrétariat.",
                );
                (None, "", "role")
            }
        },
        _ => return Err(AppError::BadRequest),
    };
    if let Some(change) = change {
        let by = ChangeBy {
            site_id: user.site_id,
            admin: user.account_id,
            base_url: &state.settings.base_url,
        };
        match store::apply(&state.pool, &by, id, change).await {
            Ok(true) if change == Change::Disable && id == user.account_id => {
                // Their own session ended with the others.
                return Ok(see_other("/gestion/connexion"));
            }
            Ok(changed) => {
                let done = if changed { done } else { "inchange" };
                return Ok(see_other(&format!("/gestion/personnel/{id}?info={done}")));
            }
            Err(ChangeError::NotFound) => return Err(AppError::NotFound),
            Err(ChangeError::LastAdministrator) => errors.add(
                if field == "role" { "role" } else { "etat" },
                "Ce compte est le dernier administrateur actif de l'école : nommez d'abord un autre administrateur.",
            ),
            Err(ChangeError::NoEmail) => errors.add(
                "etat",
                "Ce compte n'a pas d'adresse e-mail : aucune invitation ne peut lui être envoyée.",
            ),
            Err(ChangeError::NoInvitation) => errors.add(
                "etat",
                "Ce compte n'attend pas d'invitation : il est désactivé, ou son mot de passe est déjà choisi (en cas d'oubli, « Mot de passe oublié » sur la page de connexion du personnel).",
            ),
            Err(ChangeError::Database(e)) => return Err(e.into()),
        }
    }
    Ok(unprocessable(views::member(&ctx, &m, &errors, None, false)))
}
