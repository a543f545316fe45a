//! The demo's PayFiP: a real stand-in over real HTTP, so that the whole exchange can be
//! tried and tested offline. It plays the three parts of PayFiP:
//!
//! - the SOAP service (`POST /payfip-demo/services/securite`): `creerPaiementSecurise`
//!   checks every field as PayFiP would (and that `urlnotif` and `urlredirect` have the
//!   portal's origin) and answers an `idOp`; `recupererDetailPaiementSecurise` answers the
//!   result, `P5` while there is none, `P1` for an `idOp` it never made;
//! - the payment page (`/payfip-demo/paiementws.web?idop=…`): pay by card, by debit, a
//!   refusal or an abandon, and how the notification should behave (at once, never,
//!   twice, late) so that each case can be seen;
//! - the notification: a server-to-server `POST urlnotif` with `idop`, then the browser is
//!   sent to `urlredirect`.
//!
//! Only `portee demo` (and the tests) turn it on; `serve` answers 404 on every address.
//! Operations live in memory (at most `MAX_OPERATIONS`, the oldest forgotten first).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use maud::html;
use poem::http::{Method, StatusCode};
use poem::web::{Data, Form, Query};
use poem::{Body, IntoResponse, Response, handler};
use serde::Deserialize;

use super::soap::{self, CREATE, DETAILS};
use super::{CreateRequest, Details, MAX_CENTS, MIN_CENTS};
use crate::domain::money::euros;
use crate::state::AppState;
use crate::web::components::csrf_field;
use crate::web::{AppError, AppResult, Ctx, layout, see_other};

pub const SERVICE_PATH: &str = crate::config::Payfip::STAND_IN_SERVICE_PATH;
pub const PAGE_PATH: &str = crate::config::Payfip::STAND_IN_PAGE_PATH;
const MAX_OPERATIONS: usize = 10_000;
/// How long a "late" notification waits.
pub const LATE_NOTIFICATION: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
struct Outcome {
    resultrans: char,
    numauto: String,
    dattrans: String,
    heurtrans: String,
}

#[derive(Clone, Debug)]
struct Operation {
    request: CreateRequest,
    created: Instant,
    outcome: Option<Outcome>,
}

/// The stand-in's memory (one per running portal).
#[derive(Default)]
pub struct Double {
    operations: Mutex<HashMap<String, Operation>>,
}

impl Double {
    pub fn new() -> Arc<Self> {
        Arc::new(Double::default())
    }

    fn get(&self, idop: &str) -> Option<Operation> {
        self.operations
            .lock()
            .expect("double's lock")
            .get(idop)
            .cloned()
    }
}

/// The stand-in's memory, when `portee demo` (or a test) turned it on; 404 otherwise.
fn double<'a>(state: &AppState, memory: &'a Arc<Double>) -> AppResult<&'a Double> {
    if state.settings.payfip.test_double {
        Ok(memory)
    } else {
        Err(AppError::NotFound)
    }
}

fn soap_answer(status: StatusCode, xml: String) -> Response {
    xml.with_content_type("text/xml; charset=utf-8")
        .with_status(status)
        .into_response()
}

fn soap_fault(code: &str, libelle: &str) -> Response {
    soap_answer(
        StatusCode::INTERNAL_SERVER_ERROR,
        soap::fault(code, libelle),
    )
}

/// `scheme://host:port` of a URL, or None.
fn origin(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}

/// What PayFiP would refuse in a `creerPaiementSecurise`.
fn problems(req: &CreateRequest, portal_origin: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if !super::valid_numcli(&req.numcli) {
        out.push("numcli doit compter 6 chiffres".to_owned());
    }
    if !(req.exer.len() == 4 && req.exer.bytes().all(|b| b.is_ascii_digit())) {
        out.push("exer doit être une année sur 4 chiffres".to_owned());
    }
    if !super::valid_refdet(&req.refdet) {
        out.push("refdet doit compter de 6 à 30 lettres ou chiffres".to_owned());
    }
    if req.objet.is_empty()
        || req.objet.len() >= 100
        || !req
            .objet
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ')
    {
        out.push("objet doit compter moins de 100 lettres, chiffres ou espaces".to_owned());
    }
    if !(MIN_CENTS..=MAX_CENTS).contains(&req.montant) {
        out.push("montant doit être compris entre 100 et 9999999 centimes".to_owned());
    }
    if crate::domain::EmailAddress::parse(&req.mel).is_err() {
        out.push("mel doit être une adresse électronique".to_owned());
    }
    if !matches!(req.saisie, 'T' | 'X' | 'W') {
        out.push("saisie doit valoir T, X ou W".to_owned());
    }
    for (name, url) in [
        ("urlnotif", &req.urlnotif),
        ("urlredirect", &req.urlredirect),
    ] {
        // The origin, compared whole: a prefix would let `https://portail.example.org.evil`
        // pass for `https://portail.example.org`.
        if origin(url).is_none() || origin(url).as_deref() != portal_origin {
            out.push(format!("{name} doit être une adresse du portail"));
        }
    }
    out
}

/// The SOAP service.
#[handler]
pub(crate) async fn service(
    state: Data<&Arc<AppState>>,
    memory: Data<&Arc<Double>>,
    method: Method,
    body: Body,
) -> AppResult<Response> {
    let double = double(&state, &memory)?;
    if method != Method::POST {
        return Err(AppError::response(StatusCode::METHOD_NOT_ALLOWED));
    }
    let Ok(bytes) = body.into_bytes_limit(soap::MAX_MESSAGE_BYTES).await else {
        return Ok(soap_fault("P0", "Message trop long ou illisible"));
    };
    let Ok(message) = soap::parse(&String::from_utf8_lossy(&bytes)) else {
        return Ok(soap_fault("P0", "Message SOAP illisible"));
    };
    match message.operation.as_str() {
        CREATE => {
            let request = CreateRequest {
                exer: message.get("exer").to_owned(),
                mel: message.get("mel").to_owned(),
                montant: message.get("montant").parse().unwrap_or(-1),
                numcli: message.get("numcli").to_owned(),
                objet: message.get("objet").to_owned(),
                refdet: message.get("refdet").to_owned(),
                saisie: message.get("saisie").chars().next().unwrap_or(' '),
                urlnotif: message.get("urlnotif").to_owned(),
                urlredirect: message.get("urlredirect").to_owned(),
            };
            let found = problems(&request, origin(&state.settings.base_url).as_deref());
            if !found.is_empty() {
                return Ok(soap_fault("P2", &found.join(" ; ")));
            }
            // PayFiP's operation ids look like UUIDs.
            let r: u128 = rand::random();
            let h = format!("{r:032x}");
            let idop = format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            );
            let mut ops = double.operations.lock().expect("double's lock");
            if ops.values().any(|o| o.request.refdet == request.refdet) {
                return Ok(soap_fault("P3", "refdet déjà utilisé"));
            }
            if ops.len() >= MAX_OPERATIONS
                && let Some(oldest) = ops
                    .iter()
                    .min_by_key(|(_, o)| o.created)
                    .map(|(k, _)| k.clone())
            {
                ops.remove(&oldest);
            }
            ops.insert(
                idop.clone(),
                Operation {
                    request,
                    created: Instant::now(),
                    outcome: None,
                },
            );
            Ok(soap_answer(
                StatusCode::OK,
                soap::response(CREATE, &[("idOp", &idop)]),
            ))
        }
        DETAILS => {
            let idop = message.get("idOp");
            let Some(op) = double.get(idop) else {
                return Ok(soap_fault("P1", "IdOp incorrect"));
            };
            let Some(outcome) = op.outcome else {
                return Ok(soap_fault("P5", "Résultat de la transaction non connu"));
            };
            let r = &op.request;
            let details = Details {
                idop: idop.to_owned(),
                numcli: r.numcli.clone(),
                exer: r.exer.clone(),
                refdet: r.refdet.clone(),
                objet: r.objet.clone(),
                montant: r.montant.to_string(),
                mel: r.mel.clone(),
                saisie: r.saisie.to_string(),
                resultrans: outcome.resultrans.to_string(),
                numauto: outcome.numauto,
                dattrans: outcome.dattrans,
                heurtrans: outcome.heurtrans,
            };
            Ok(soap_answer(
                StatusCode::OK,
                soap::response(DETAILS, &details.fields()),
            ))
        }
        _ => Ok(soap_fault("P0", "Opération inconnue")),
    }
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    idop: String,
}

const CHOICES: [(&str, &str); 4] = [
    ("P", "Payer par carte (paiement accepté)"),
    ("V", "Payer par prélèvement unique (accepté)"),
    ("R", "Simuler un refus de la banque"),
    ("A", "Abandonner le paiement"),
];

const NOTIFICATIONS: [(&str, &str); 4] = [
    (
        "immediate",
        "PayFiP prévient le portail avant de vous y renvoyer (le cas habituel)",
    ),
    (
        "aucune",
        "La notification se perd : le portail interroge PayFiP à votre retour",
    ),
    ("double", "PayFiP prévient le portail deux fois"),
    (
        "tardive",
        "La notification arrive après votre retour sur le portail",
    ),
];

/// The payment page.
#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    memory: Data<&Arc<Double>>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let double = double(&state, &memory)?;
    let Some(op) = double.get(&q.idop) else {
        let markup = layout::page(
            &ctx,
            "Opération inconnue – PayFiP (démonstration)",
            html! {
                h1 { "Opération inconnue" }
                p { "PayFiP ne connaît pas cette opération. Recommencez le paiement depuis le portail famille." }
            },
        );
        return Ok(markup.with_status(StatusCode::NOT_FOUND).into_response());
    };
    let r = &op.request;
    let markup = layout::page(
        &ctx,
        "PayFiP – simulation de démonstration",
        html! {
            h1 { "PayFiP – simulation de démonstration" }
            p { "Cette page remplace PayFiP dans la démonstration : aucune carte n'est demandée et aucun argent ne circule. "
                "Elle n'existe pas sur un portail en service." }
            dl.record {
                dt { "Client (numcli)" } dd { (r.numcli) }
                dt { "Exercice" } dd { (r.exer) }
                dt { "Référence (refdet)" } dd { (r.refdet) }
                dt { "Objet" } dd { (r.objet) }
                dt { "Montant" } dd { (euros(r.montant)) }
                dt { "Courriel" } dd { (r.mel) }
                dt { "Environnement" } dd { (match r.saisie { 'W' => "production", 'X' => "activation", _ => "test" }) }
            }
            @if op.outcome.is_some() {
                p { "Cette opération est terminée. " a href=(r.urlredirect) { "Revenir au portail famille" } }
            } @else {
                form method="post" action=(PAGE_PATH) {
                    (csrf_field(&ctx.csrf))
                    input type="hidden" name="idop" value=(q.idop);
                    fieldset {
                        legend { "Notification au portail" }
                        @for (i, (code, label)) in NOTIFICATIONS.iter().enumerate() {
                            div.choice {
                                input type="radio" name="notification" value=(code) id={ "notification-" (code) } checked[i == 0];
                                label for={ "notification-" (code) } { (label) }
                            }
                        }
                    }
                    ul.choices {
                        @for (code, label) in CHOICES {
                            li { button type="submit" name="resultat" value=(code) { (label) } }
                        }
                    }
                }
            }
        },
    );
    Ok(markup.into_response())
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    idop: String,
    #[serde(default)]
    resultat: String,
    #[serde(default)]
    notification: String,
}

/// The payer's choice: the result is decided once, PayFiP notifies the portal (as asked),
/// and the browser goes back to `urlredirect`.
#[handler]
pub(crate) async fn choose(
    state: Data<&Arc<AppState>>,
    memory: Data<&Arc<Double>>,
    Form(c): Form<Choice>,
) -> AppResult<Response> {
    let double = double(&state, &memory)?;
    let Some(resultrans) = c
        .resultat
        .chars()
        .next()
        .filter(|r| c.resultat.len() == 1 && "PVRA".contains(*r))
    else {
        return Err(AppError::BadRequest);
    };
    let op = {
        let mut ops = double.operations.lock().expect("double's lock");
        let Some(op) = ops.get_mut(&c.idop) else {
            return Err(AppError::NotFound);
        };
        if op.outcome.is_none() {
            let now = time::OffsetDateTime::now_utc();
            op.outcome = Some(Outcome {
                resultrans,
                numauto: if matches!(resultrans, 'P' | 'V') {
                    format!("DEMO{:04}", rand::random::<u16>() % 10_000)
                } else {
                    String::new()
                },
                dattrans: format!("{:02}{:02}{}", now.day(), u8::from(now.month()), now.year()),
                heurtrans: format!("{:02}{:02}", now.hour(), now.minute()),
            });
        }
        op.clone()
    };
    let (http, url, idop) = (
        state.http.clone(),
        op.request.urlnotif.clone(),
        c.idop.clone(),
    );
    match c.notification.as_str() {
        "aucune" => {}
        "double" => {
            notify(&http, &url, &idop).await;
            notify(&http, &url, &idop).await;
        }
        "tardive" => {
            tokio::spawn(async move {
                tokio::time::sleep(LATE_NOTIFICATION).await;
                notify(&http, &url, &idop).await;
            });
        }
        _ => notify(&http, &url, &idop).await,
    }
    Ok(see_other(&op.request.urlredirect))
}

/// PayFiP's server-to-server call to `urlnotif`.
async fn notify(http: &reqwest::Client, url: &str, idop: &str) {
    match http.post(url).form(&[("idop", idop)]).send().await {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => tracing::warn!(
            status = r.status().as_u16(),
            "the portal refused PayFiP's notification"
        ),
        Err(e) => tracing::warn!(error = %e, "PayFiP's notification did not reach the portal"),
    }
}
