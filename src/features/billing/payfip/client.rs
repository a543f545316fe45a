//! The portal's side of PayFiP's web service: `creerPaiementSecurise` and
//! `recupererDetailPaiementSecurise`, over HTTPS (rustls) with timeouts and a bounded answer.

use super::soap::{self, CREATE, DETAILS};
use super::{CreateRequest, Details};

/// Why PayFiP gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A functional error (`FonctionnelleErreur`…): `P5` means the payment has no result yet.
    #[error("PayFiP refused ({kind} {code}): {libelle}")]
    Fault {
        kind: String,
        code: String,
        libelle: String,
    },
    #[error("PayFiP could not be reached: {0}")]
    Transport(String),
    #[error("PayFiP answered something unreadable: {0}")]
    Malformed(String),
}

impl ServiceError {
    /// PayFiP does not know the result yet (the payer is still on its page, or left it
    /// without finishing): ask again later.
    pub fn is_pending(&self) -> bool {
        matches!(self, ServiceError::Fault { code, .. } if code == "P5")
    }
}

/// Creates the payment at PayFiP and returns its `idOp`.
pub async fn create(
    http: &reqwest::Client,
    service_url: &str,
    request: &CreateRequest,
) -> Result<String, ServiceError> {
    let fields = request.fields();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = call(http, service_url, &soap::request(CREATE, &fields)).await?;
    let idop = answer.get("idOp");
    if !super::valid_idop(idop) {
        return Err(ServiceError::Malformed(format!(
            "{} without a valid idOp",
            answer.operation
        )));
    }
    Ok(idop.to_owned())
}

/// Asks PayFiP what became of an operation.
pub async fn details(
    http: &reqwest::Client,
    service_url: &str,
    idop: &str,
) -> Result<Details, ServiceError> {
    let answer = call(
        http,
        service_url,
        &soap::request(DETAILS, &[("idOp", idop)]),
    )
    .await?;
    let expected = format!("{DETAILS}Response");
    if answer.operation != expected {
        return Err(ServiceError::Malformed(format!(
            "{} instead of {expected}",
            answer.operation
        )));
    }
    let g = |k: &str| answer.get(k).to_owned();
    Ok(Details {
        idop: g("idOp"),
        numcli: g("numcli"),
        exer: g("exer"),
        refdet: g("refdet"),
        objet: g("objet"),
        montant: g("montant"),
        mel: g("mel"),
        saisie: g("saisie"),
        resultrans: g("resultrans"),
        numauto: g("numauto"),
        dattrans: g("dattrans"),
        heurtrans: g("heurtrans"),
    })
}

/// Posts one SOAP request and reads the answer (a fault becomes `ServiceError::Fault`).
async fn call(
    http: &reqwest::Client,
    service_url: &str,
    body: &str,
) -> Result<soap::Message, ServiceError> {
    let mut resp = http
        .post(service_url)
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", "\"\"")
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| ServiceError::Transport(without_url(&e)))?;
    let status = resp.status();
    // Read at most MAX_MESSAGE_BYTES, whatever the server says its length is.
    let mut bytes = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ServiceError::Transport(without_url(&e)))?
    {
        if bytes.len() + chunk.len() > soap::MAX_MESSAGE_BYTES {
            return Err(ServiceError::Malformed(format!(
                "an answer over {} bytes",
                soap::MAX_MESSAGE_BYTES
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| ServiceError::Malformed("an answer that is not UTF-8".into()))?;
    let message = soap::parse(&text)
        .map_err(|e| ServiceError::Malformed(format!("HTTP {}: {e}", status.as_u16())))?;
    if message.operation == "Fault" {
        return Err(ServiceError::Fault {
            kind: message.fault_kind.clone().unwrap_or_else(|| "Fault".into()),
            code: message.get("code").to_owned(),
            libelle: message.get("libelle").to_owned(),
        });
    }
    if !status.is_success() {
        return Err(ServiceError::Malformed(format!(
            "HTTP {} with {}",
            status.as_u16(),
            message.operation
        )));
    }
    Ok(message)
}

/// A transport error without the URL (logs stay free of configuration details).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}
