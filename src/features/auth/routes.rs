//! Connexion, mot de passe perdu, réinitialisation, mot de passe, déconnexion, and the
//! display-mode switch.

use std::sync::Arc;

use poem::http::header;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

use super::throttle::{self, DeviceCookie};
use super::views::Audience;
use super::{password, store, views};
use crate::domain::{EmailAddress, NewPassword};
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::context::{append_cookie, mark_session_set};
use crate::web::rate_limit::too_many;
use crate::web::session::{self, read_cookie};
use crate::web::{
    AppResult, Ctx, CurrentUser, client_ip, layout, safe_return_path, see_other, unprocessable,
};

/// Confirmation texts reached through `?info=` after a redirect (codes, never free text).
pub fn info_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "deconnexion" => Some("Vous êtes déconnecté. À bientôt\u{a0}!"),
        "mot-de-passe-choisi" => {
            Some("Votre mot de passe est enregistré. Vous pouvez maintenant vous connecter.")
        }
        "mot-de-passe-modifie" => Some("Votre nouveau mot de passe est enregistré."),
        "session-expiree" => Some(
            "Votre session a expiré. Reconnectez-vous : le formulaire que vous envoyiez est conservé, vous pourrez le confirmer.",
        ),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

/// Identifiers are compared trimmed and in lower case; one holding a control character
/// (which no identifier has, and PostgreSQL refuses in text) matches nothing.
fn normalize_identifier(raw: &str) -> String {
    let id = raw.trim().to_lowercase();
    if id.chars().any(char::is_control) {
        return "\u{fffd}".to_owned();
    }
    id
}

/// The school a form names: the only one, or the one chosen in the selector.
fn resolve_site<'a>(
    sites: &'a [crate::site::Site],
    chosen: &str,
) -> Result<&'a crate::site::Site, &'static str> {
    match sites {
        [] => Err("Aucune école n'est encore ouverte sur ce portail."),
        [only] => Ok(only),
        _ if chosen.is_empty() => Err("Choisissez votre école dans la liste."),
        _ => sites
            .iter()
            .find(|s| s.slug == chosen)
            .ok_or("Choisissez une école de la liste."),
    }
}

async fn show_login(
    state: &AppState,
    ctx: &Ctx,
    audience: Audience,
    info: Option<&str>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(see_other(layout::home(ctx)));
    }
    let sites = crate::web::schools::hosted(state).await?;
    let open = crate::features::preenrolment::public::open_schools(state).await?;
    let values = views::LoginValues {
        site: "",
        identifier: "",
        preenrolment: &open,
    };
    Ok(poem::IntoResponse::into_response(views::login(
        ctx,
        audience,
        &sites,
        &values,
        &Errors::new(),
        info_text(info),
    )))
}

#[handler]
pub(crate) async fn login_page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<InfoQuery>,
) -> AppResult<Response> {
    show_login(&state, &ctx, Audience::Family, q.info.as_deref()).await
}

#[handler]
pub(crate) async fn staff_login_page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<InfoQuery>,
) -> AppResult<Response> {
    show_login(&state, &ctx, Audience::Staff, q.info.as_deref()).await
}

#[handler]
pub(crate) async fn staff_login_submit(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    req: &Request,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    log_in(&state, &ctx, req, form, Audience::Staff).await
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    identifiant: String,
    #[serde(default)]
    mot_de_passe: String,
}

#[handler]
pub(crate) async fn login_submit(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    req: &Request,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    log_in(&state, &ctx, req, form, Audience::Family).await
}

/// Checks the credentials; an account of the other audience fails like a wrong password.
async fn log_in(
    state: &AppState,
    ctx: &Ctx,
    req: &Request,
    form: LoginForm,
    audience: Audience,
) -> AppResult<Response> {
    let sites = crate::web::schools::hosted(state).await?;
    let mut errors = Errors::new();
    let site = resolve_site(&sites, &form.site)
        .map_err(|m| errors.add("site", m))
        .ok();
    let identifier = normalize_identifier(&form.identifiant);
    if identifier.is_empty() {
        errors.add("identifiant", "Saisissez votre identifiant.");
    }
    if form.mot_de_passe.is_empty() {
        errors.add("mot_de_passe", "Saisissez votre mot de passe.");
    }
    let open = crate::features::preenrolment::public::open_schools(state).await?;
    let values = views::LoginValues {
        site: &form.site,
        identifier: form.identifiant.trim(),
        preenrolment: &open,
    };
    let (Some(site), true) = (site, errors.is_empty()) else {
        return Ok(unprocessable(views::login(
            ctx, audience, &sites, &values, &errors, None,
        )));
    };
    let account = store::login_account(&state.pool, site.site_id, &identifier).await?;
    let cookies = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A browser that logged in to this very account before is counted on its own.
    let device = account.as_ref().and_then(|a| {
        read_cookie(cookies, state.cookies.device)
            .and_then(|v| DeviceCookie::nonce(&state.device_secret, v, a.account_id))
    });
    let keys = throttle::Keys::new(
        audience,
        site.site_id,
        &identifier,
        device,
        client_ip(req, &state.settings.trusted_proxies),
    );
    if let Some(wait) = keys.delay(&state.pool).await? {
        return Ok(too_many(ctx, wait as u64));
    }
    let ok = password::verify(
        account.as_ref().and_then(|a| a.password_hash.clone()),
        form.mot_de_passe.clone(),
    )
    .await?;
    let right_audience = |a: &store::LoginAccount| (a.is_staff) == (audience == Audience::Staff);
    let account = match (ok, account) {
        (true, Some(a)) if right_audience(&a) => a,
        (_, account) => {
            keys.record_failure(&state.pool).await?;
            crate::audit::audit_pool(
                &state.pool,
                Some(site.site_id),
                account.map(|a| a.account_id),
                "login_failed",
                "",
            )
            .await?;
            errors.add(
                "identifiant",
                "Identifiant ou mot de passe incorrect. Vérifiez les deux, puis recommencez.",
            );
            return Ok(unprocessable(views::login(
                ctx, audience, &sites, &values, &errors, None,
            )));
        }
    };

    // A fresh session id at every login (no fixation); the old one, if any, ends.
    if let Some(old) = &ctx.session_token {
        session::destroy(&state.pool, old).await?;
    }
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = session::create(&state.pool, account.account_id, user_agent).await?;
    // A display mode chosen on the login page survives login and is kept on the account.
    let chosen_mode = read_cookie(cookies, state.cookies.mode).map(|v| v == "accessible");
    store::record_login(&state.pool, account.account_id, chosen_mode).await?;
    keys.clear(&state.pool).await?;
    crate::audit::audit_pool(
        &state.pool,
        Some(site.site_id),
        Some(account.account_id),
        "login",
        "",
    )
    .await?;

    // A form kept when the previous session expired is offered first.
    let resume = crate::web::resume::after_login(state, req, account.account_id).await;
    let mut resp = see_other(resume.unwrap_or(if audience == Audience::Staff {
        "/gestion"
    } else {
        "/accueil"
    }));
    append_cookie(
        &mut resp,
        &session::set_cookie(
            state.cookies.session,
            &token,
            state.settings.secure_cookies,
            None,
        ),
    );
    // This browser is now known to this account (see `throttle`).
    append_cookie(
        &mut resp,
        &session::set_cookie(
            state.cookies.device,
            &DeviceCookie::issue(&state.device_secret, account.account_id),
            state.settings.secure_cookies,
            Some(throttle::DEVICE_SECONDS),
        ),
    );
    mark_session_set(&mut resp);
    Ok(resp)
}

#[handler]
pub(crate) async fn lost_page(state: Data<&Arc<AppState>>, ctx: Ctx) -> AppResult<maud::Markup> {
    let sites = crate::web::schools::hosted(&state).await?;
    let values = views::LostValues {
        site: "",
        identifier: "",
        email: "",
    };
    Ok(views::lost(&ctx, &sites, &values, &Errors::new()))
}

#[derive(Deserialize)]
struct LostForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    identifiant: String,
    #[serde(default)]
    email: String,
}

#[handler]
pub(crate) async fn lost_submit(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Form(form): Form<LostForm>,
) -> AppResult<Response> {
    let sites = crate::web::schools::hosted(&state).await?;
    let mut errors = Errors::new();
    let site = resolve_site(&sites, &form.site)
        .map_err(|m| errors.add("site", m))
        .ok();
    let identifier = normalize_identifier(&form.identifiant);
    if identifier.is_empty() {
        errors.add("identifiant", "Saisissez votre identifiant.");
    }
    let email = if form.email.trim().is_empty() {
        errors.add("email", "Saisissez votre adresse e-mail.");
        None
    } else {
        EmailAddress::parse(&form.email)
            .map_err(|m| errors.add("email", m))
            .ok()
    };
    let (Some(site), Some(email), true) = (site, email, errors.is_empty()) else {
        let values = views::LostValues {
            site: &form.site,
            identifier: form.identifiant.trim(),
            email: form.email.trim(),
        };
        return Ok(unprocessable(views::lost(&ctx, &sites, &values, &errors)));
    };
    // The same answer whether or not the pair matches an account, at the same moment:
    // the lookup, the link and its mail happen after the answer is sent, so neither its
    // content nor its timing tells a correct pair apart.
    let state = Arc::clone(&state);
    let site_id = site.site_id;
    tokio::spawn(async move {
        if let Err(e) = send_reset(&state, site_id, &identifier, &email).await {
            tracing::error!(error = format!("{e:#}"), "a lost-password request failed");
        }
    });
    Ok(see_other("/mot-de-passe-perdu/envoye"))
}

/// The work of a lost-password request: a link and its mail when the pair matches.
async fn send_reset(
    state: &AppState,
    site_id: i64,
    identifier: &str,
    email: &EmailAddress,
) -> anyhow::Result<()> {
    let Some(target) = store::reset_target(&state.pool, site_id, identifier).await? else {
        return Ok(());
    };
    let matches = target
        .email
        .as_deref()
        .is_some_and(|stored| email.matches(stored));
    if matches {
        let to = target.email.clone().unwrap_or_default();
        if store::create_reset(&state.pool, &target, &to, &state.settings.base_url).await? {
            state.mail_wakeup.notify_one();
        }
    } else {
        crate::audit::audit_pool(
            &state.pool,
            Some(site_id),
            Some(target.account_id),
            "reset_email_mismatch",
            "",
        )
        .await?;
    }
    Ok(())
}

#[handler]
pub(crate) fn lost_sent(ctx: Ctx) -> maud::Markup {
    views::lost_sent(&ctx)
}

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    jeton: String,
}

#[handler]
pub(crate) async fn reset_page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    use poem::IntoResponse;
    if q.jeton.is_empty() || store::valid_reset(&state.pool, &q.jeton).await?.is_none() {
        return Ok(views::reset_invalid(&ctx)
            .with_status(poem::http::StatusCode::GONE)
            .into_response());
    }
    Ok(views::reset_form(&ctx, &q.jeton, &Errors::new()).into_response())
}

#[derive(Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    actuel: String,
    #[serde(default)]
    nouveau: String,
    #[serde(default)]
    confirmation: String,
}

/// Checks the two new-password fields; returns the accepted password.
fn check_new_password(form: &NewPasswordForm, errors: &mut Errors) -> Option<NewPassword> {
    if form.nouveau.is_empty() {
        errors.add("nouveau", "Saisissez le nouveau mot de passe.");
        return None;
    }
    let accepted = NewPassword::parse(&form.nouveau)
        .map_err(|m| errors.add("nouveau", m))
        .ok();
    if form.confirmation.is_empty() {
        errors.add("confirmation", "Ressaisissez le nouveau mot de passe.");
        return None;
    }
    if form.confirmation != form.nouveau {
        errors.add(
            "confirmation",
            "Les deux saisies du nouveau mot de passe sont différentes.",
        );
        return None;
    }
    accepted
}

#[handler]
pub(crate) async fn reset_submit(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
    Form(form): Form<NewPasswordForm>,
) -> AppResult<Response> {
    use poem::IntoResponse;
    if q.jeton.is_empty() || store::valid_reset(&state.pool, &q.jeton).await?.is_none() {
        return Ok(views::reset_invalid(&ctx)
            .with_status(poem::http::StatusCode::GONE)
            .into_response());
    }
    let mut errors = Errors::new();
    let Some(new) = check_new_password(&form, &mut errors) else {
        return Ok(unprocessable(views::reset_form(&ctx, &q.jeton, &errors)));
    };
    let hash = password::hash(new.expose().to_owned()).await?;
    let Some(by) = store::use_reset(&state.pool, &q.jeton, &hash, &state.settings.base_url).await?
    else {
        return Ok(views::reset_invalid(&ctx)
            .with_status(poem::http::StatusCode::GONE)
            .into_response());
    };
    Ok(see_other(match by {
        store::ResetBy::Family => "/connexion?info=mot-de-passe-choisi",
        store::ResetBy::Staff => "/gestion/connexion?info=mot-de-passe-choisi",
    }))
}

#[handler]
pub(crate) fn change_page(ctx: Ctx, _user: CurrentUser) -> maud::Markup {
    views::change(&ctx, &Errors::new(), None)
}

#[handler]
pub(crate) async fn change_submit(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: CurrentUser,
    Form(form): Form<NewPasswordForm>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    // Guessing the current password from an open session is slowed like a login.
    let key = throttle::password_page_key(user.account_id);
    let current_ok = if form.actuel.is_empty() {
        errors.add("actuel", "Saisissez votre mot de passe actuel.");
        false
    } else {
        if let Some(wait) = throttle::delay(&state.pool, &key, throttle::FREE_FAILURES).await? {
            return Ok(too_many(&ctx, wait as u64));
        }
        let stored = store::password_hash(&state.pool, user.account_id).await?;
        let ok = password::verify(stored, form.actuel.clone()).await?;
        if ok {
            throttle::clear(&state.pool, &key).await?;
        } else {
            throttle::record_failure(&state.pool, &key).await?;
            errors.add("actuel", "Le mot de passe actuel est incorrect.");
        }
        ok
    };
    let new = check_new_password(&form, &mut errors);
    if new.as_ref().is_some_and(|n| n.expose() == form.actuel) && current_ok {
        errors.add(
            "nouveau",
            "Le nouveau mot de passe doit être différent de l'actuel.",
        );
    }
    let (Some(new), true) = (new, errors.is_empty()) else {
        return Ok(unprocessable(views::change(&ctx, &errors, None)));
    };
    let hash = password::hash(new.expose().to_owned()).await?;
    let token = ctx.session_token.clone().unwrap_or_default();
    store::change_password(
        &state.pool,
        user.account_id,
        &hash,
        &token,
        &state.settings.base_url,
    )
    .await?;
    Ok(see_other(&format!(
        "{}?info=mot-de-passe-modifie",
        layout::home(&ctx)
    )))
}

#[handler]
pub(crate) async fn logout(state: Data<&Arc<AppState>>, ctx: Ctx) -> AppResult<Response> {
    if let (Some(token), Some(user)) = (&ctx.session_token, &ctx.user) {
        session::destroy(&state.pool, token).await?;
        crate::audit::audit_pool(
            &state.pool,
            Some(user.site_id),
            Some(user.account_id),
            "logout",
            "",
        )
        .await?;
    }
    let mut resp = see_other("/connexion?info=deconnexion");
    append_cookie(
        &mut resp,
        &session::clear_cookie(state.cookies.session, state.settings.secure_cookies),
    );
    Ok(resp)
}

#[derive(Deserialize)]
struct DisplayForm {
    #[serde(default)]
    retour: String,
}

/// Switches the accessible mode: a cookie before login, the account after.
#[handler]
pub(crate) async fn toggle_display(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    Form(form): Form<DisplayForm>,
) -> AppResult<Response> {
    let on = !ctx.accessible;
    if let Some(user) = &ctx.user {
        store::set_accessible_mode(&state.pool, user.account_id, on).await?;
    }
    let mut resp = see_other(safe_return_path(&form.retour));
    append_cookie(
        &mut resp,
        &session::set_cookie(
            state.cookies.mode,
            if on { "accessible" } else { "standard" },
            state.settings.secure_cookies,
            Some(365 * 24 * 3600),
        ),
    );
    Ok(resp)
}
