//! Handlers of `/gestion/ecole`: the school's settings, shown and saved.

use std::sync::Arc;

use maud::Markup;
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::views::{self, ExchangesForm, SchoolPage, SettingsForm};
use crate::config::PayfipMode;
use crate::domain::email::EmailAddress;
use crate::domain::phone::PhoneNumber;
use crate::domain::postal::PostalCode;
use crate::domain::text;
use crate::features::billing::payfip;
use crate::site::{self, Settings};
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::{AdminUser, AppResult, Ctx, see_other, unprocessable};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "enregistre" => "Les réglages de l'école sont enregistrés.",
        "echanges-enregistres" => "Les réglages des échanges avec les familles sont enregistrés.",
        "inchange" => "Aucun réglage n'a changé.",
        _ => return None,
    })
}

fn form_of(s: &Settings) -> SettingsForm {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    SettingsForm {
        nom: s.name.clone(),
        adresse: v(&s.address),
        code_postal: v(&s.postal_code),
        ville: v(&s.city),
        telephone: s
            .phone
            .as_deref()
            .map(crate::domain::phone::display_phone)
            .unwrap_or_default(),
        email: v(&s.contact_email),
        expediteur: v(&s.sender_name),
        numcli: v(&s.payfip_numcli),
        mode: v(&s.payfip_mode),
    }
}

/// The instance's sender name (PORTEE_MAIL_FROM's display name, else its address).
fn default_sender(state: &AppState) -> String {
    state
        .settings
        .mail_from
        .parse::<lettre::message::Mailbox>()
        .ok()
        .and_then(|m| m.name)
        .unwrap_or_else(|| state.settings.sender_address())
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let school = site::school(&state.pool, user.site_id).await?;
    let exchanges = exchanges_form(&site::exchanges(&state.pool, user.site_id).await?);
    Ok(views::page(
        &ctx,
        &SchoolPage {
            form: &form_of(&Settings::of(&school)),
            exchanges: &exchanges,
            errors: &Errors::new(),
            instance_mode: state.settings.payfip.mode,
            default_sender: &default_sender(&state),
            info: info_text(q.info.as_deref()),
        },
    ))
}

fn exchanges_form(x: &site::Exchanges) -> ExchangesForm {
    ExchangesForm {
        delai: x.absence_report_hours.to_string(),
        texte: if x.mail_message_text { "1" } else { "" }.to_owned(),
    }
}

#[derive(Deserialize)]
struct Fields {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    adresse: String,
    #[serde(default)]
    code_postal: String,
    #[serde(default)]
    ville: String,
    #[serde(default)]
    telephone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    expediteur: String,
    #[serde(default)]
    numcli: String,
    #[serde(default)]
    mode: String,
}

/// Every value checked by its domain type; all errors at once, each naming its field.
fn parse(f: &Fields, errors: &mut Errors) -> Option<Settings> {
    let optional = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
    let line =
        |errors: &mut Errors, key: &'static str, v: &str, what: &str, max: usize| match text::line(
            v, what, max,
        ) {
            Ok(t) if t.is_empty() => None,
            Ok(t) => Some(t),
            Err(e) => {
                errors.add(key, e);
                None
            }
        };
    // In the order of the form, so the error summary reads as the page does.
    let name = line(errors, "nom", &f.nom, "Le nom de l'école", 120);
    if name.is_none() && f.nom.trim().is_empty() {
        errors.add("nom", "Le nom de l'école est obligatoire.");
    }
    let address = line(errors, "adresse", &f.adresse, "L'adresse", 200);
    let postal_code = optional(&f.code_postal).and_then(|v| {
        PostalCode::parse(&v, "")
            .map(|p| p.as_str().to_owned())
            .map_err(|e| errors.add("code_postal", format!("Le code postal : {e}")))
            .ok()
    });
    let city = line(errors, "ville", &f.ville, "La ville", 80);
    let phone = optional(&f.telephone).and_then(|v| {
        PhoneNumber::parse(&v)
            .map(|p| p.as_str().to_owned())
            .map_err(|e| errors.add("telephone", format!("Le téléphone : {e}")))
            .ok()
    });
    let contact_email = optional(&f.email).and_then(|v| {
        EmailAddress::parse(&v)
            .map(|e| e.as_str().to_owned())
            .map_err(|e| errors.add("email", format!("L'adresse e-mail de contact : {e}")))
            .ok()
    });
    let sender = line(
        errors,
        "expediteur",
        &f.expediteur,
        "Le nom d'expéditeur",
        80,
    );
    if let Some(c) = sender.as_deref().and_then(|s| {
        s.chars()
            .find(|c| matches!(c, '<' | '>' | '"' | '@' | '\\'))
    }) {
        errors.add(
            "expediteur",
            format!("Le nom d'expéditeur ne peut pas contenir « {c} »."),
        );
    }
    let numcli = optional(&f.numcli);
    if let Some(n) = &numcli
        && !payfip::valid_numcli(n)
    {
        errors.add(
            "numcli",
            format!("Le numéro de client PayFiP « {n} » doit compter 6 chiffres."),
        );
    }
    let mode = optional(&f.mode);
    if let Some(m) = &mode
        && PayfipMode::parse(m).is_none()
    {
        errors.add(
            "mode",
            "Choisissez un mode PayFiP : test, activation ou production.",
        );
    }
    if !errors.is_empty() {
        return None;
    }
    Some(Settings {
        name: name?,
        address,
        postal_code,
        city,
        phone,
        contact_email,
        sender_name: sender,
        payfip_numcli: numcli,
        payfip_mode: mode,
    })
}

#[handler]
pub(crate) async fn save(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    let Some(settings) = parse(&f, &mut errors) else {
        let typed = SettingsForm {
            nom: f.nom,
            adresse: f.adresse,
            code_postal: f.code_postal,
            ville: f.ville,
            telephone: f.telephone,
            email: f.email,
            expediteur: f.expediteur,
            numcli: f.numcli,
            mode: f.mode,
        };
        let exchanges = exchanges_form(&site::exchanges(&state.pool, user.site_id).await?);
        return Ok(unprocessable(views::page(
            &ctx,
            &SchoolPage {
                form: &typed,
                exchanges: &exchanges,
                errors: &errors,
                instance_mode: state.settings.payfip.mode,
                default_sender: &default_sender(&state),
                info: None,
            },
        )));
    };
    let changed =
        site::save_settings(&state.pool, user.site_id, user.account_id, &settings).await?;
    Ok(see_other(if changed.is_empty() {
        "/gestion/ecole?info=inchange"
    } else {
        "/gestion/ecole?info=enregistre"
    }))
}

#[derive(Deserialize)]
struct ExchangesFields {
    #[serde(default)]
    delai: String,
    #[serde(default)]
    texte: String,
}

/// École › Échanges avec les familles: the delay to report a lesson already started, and
/// whether messages' texts go in their mails. Each change audited.
#[handler]
pub(crate) async fn save_exchanges(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Form(f): Form<ExchangesFields>,
) -> AppResult<Response> {
    let hours = f
        .delai
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (0..=site::MAX_REPORT_HOURS).contains(h));
    let Some(hours) = hours else {
        let mut errors = Errors::new();
        errors.add(
            "delai",
            format!(
                "Délai pour signaler une absence : « {} » n'est pas un nombre d'heures de 0 à {}.",
                f.delai.trim(),
                site::MAX_REPORT_HOURS
            ),
        );
        let school = site::school(&state.pool, user.site_id).await?;
        return Ok(unprocessable(views::page(
            &ctx,
            &SchoolPage {
                form: &form_of(&Settings::of(&school)),
                exchanges: &ExchangesForm {
                    delai: f.delai,
                    texte: f.texte,
                },
                errors: &errors,
                instance_mode: state.settings.payfip.mode,
                default_sender: &default_sender(&state),
                info: None,
            },
        )));
    };
    let changed = site::save_exchanges(
        &state.pool,
        user.site_id,
        user.account_id,
        &site::Exchanges {
            absence_report_hours: hours,
            mail_message_text: f.texte == "1",
        },
    )
    .await?;
    Ok(see_other(if changed {
        "/gestion/ecole?info=echanges-enregistres"
    } else {
        "/gestion/ecole?info=inchange"
    }))
}
