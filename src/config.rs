//! Typed settings read from `PORTEE_*` environment variables (each documented in the README).

use std::net::SocketAddr;
use std::path::PathBuf;

/// How mail leaves the portal.
#[derive(Clone, Debug)]
pub enum MailTransport {
    /// `PORTEE_SMTP_URL`, e.g. `smtp://127.0.0.1:25` or `smtps://user:pass@host`.
    /// Kept out of `Debug` output because it may hold a password.
    Smtp(Secret),
    /// `PORTEE_MAIL_DIR`: each mail written as an `.eml` file in this folder.
    Dir(PathBuf),
}

/// A string that never prints (passwords inside URLs).
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[secret]")
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// `PORTEE_DATABASE_URL`: `sqlite://portee.db?mode=rwc` (default) or `postgres://…`.
    pub database_url: Secret,
    /// `PORTEE_BIND` (or `--bind`): where to listen. Default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `PORTEE_BASE_URL`: the public address used in mailed links. Default `http://BIND`.
    pub base_url: String,
    /// `PORTEE_SMTP_URL` or `PORTEE_MAIL_DIR`: one of them is required by `serve`.
    pub mail: MailTransport,
    /// `PORTEE_MAIL_FROM`: the sender of every mail. Default `Portail famille <portail@localhost>`.
    pub mail_from: String,
    /// `PORTEE_SECURE_COOKIES`: `true` (default) or `false` (only for plain-HTTP demos).
    pub secure_cookies: bool,
    /// `PORTEE_LOGIN_RATE_PER_MINUTE`: POSTs to the forms that check a password or send mail
    /// (`web::rate_limit::STRICT`) allowed per client address (IPv6: per /64) and minute,
    /// per instance. Default 20.
    pub login_rate_per_minute: u32,
    /// `PORTEE_POST_RATE_PER_MINUTE`: every other POST allowed per client address (IPv6:
    /// per /64) and minute, per instance. Default 120.
    pub post_rate_per_minute: u32,
    /// `PORTEE_TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose
    /// `X-Forwarded-For` header names the client. Default none (the header is ignored).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Online payment through PayFiP.
    pub payfip: Payfip,
    /// Bounds on connections and requests (`web::connections`).
    pub http: HttpLimits,
    /// `PORTEE_HTML_COMPRESSION`: `on` (default) compresses pages for requests the portal's
    /// own pages or the user started (see `web::compress`); `off` sends them as they are.
    pub html_compression: bool,
}

/// PayFiP's `saisie`: which of its environments the payment runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayfipMode {
    /// `T`: PayFiP's test environment, no money moves.
    Test,
    /// `X`: activation, the school's real contract before it opens (real cards, checked).
    Activation,
    /// `W`: production.
    Production,
}

impl PayfipMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "test" => Some(PayfipMode::Test),
            "activation" => Some(PayfipMode::Activation),
            "production" => Some(PayfipMode::Production),
            _ => None,
        }
    }

    pub fn saisie(self) -> char {
        match self {
            PayfipMode::Test => 'T',
            PayfipMode::Activation => 'X',
            PayfipMode::Production => 'W',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PayfipMode::Test => "test",
            PayfipMode::Activation => "activation",
            PayfipMode::Production => "production",
        }
    }
}

/// How long clients may take, and how many are served at once.
#[derive(Clone, Debug)]
pub struct HttpLimits {
    /// `PORTEE_HEADER_TIMEOUT_SECONDS`: a request's head must arrive within this. Default 10.
    pub header_timeout: std::time::Duration,
    /// `PORTEE_IDLE_TIMEOUT_SECONDS`: a connection with no traffic either way is closed
    /// (idle keep-alives). Default 30.
    pub idle_timeout: std::time::Duration,
    /// `PORTEE_REQUEST_TIMEOUT_SECONDS`: the longest a request may take, body included
    /// (then 408). Default 120: a 2 Mo upload over a slow phone connection.
    pub request_timeout: std::time::Duration,
    /// `PORTEE_MAX_CONNECTIONS`: connections served at once; the next ones wait in the
    /// listening socket's queue. Default 1024.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: std::time::Duration::from_secs(10),
            idle_timeout: std::time::Duration::from_secs(30),
            request_timeout: std::time::Duration::from_secs(120),
            max_connections: 1024,
        }
    }
}

/// Where PayFiP is and in which mode the portal talks to it. The client number is per
/// school (`site.payfip_numcli`): a school without one offers no online payment.
#[derive(Clone, Debug)]
pub struct Payfip {
    /// `PORTEE_PAYFIP_SERVICE_URL`: PayFiP's SOAP web service (`creerPaiementSecurise`,
    /// `recupererDetailPaiementSecurise`). Default `https://www.payfip.gouv.fr/tpa/services/securite`.
    pub service_url: String,
    /// `PORTEE_PAYFIP_URL`: PayFiP's payment page, where families are sent with `?idop=`.
    /// Default `https://www.payfip.gouv.fr/tpa/paiementws.web`.
    pub payment_url: String,
    /// `PORTEE_PAYFIP_MODE`: `test` (default; `saisie=T`, no money moves), `activation`
    /// (`X`, the school's contract being opened) or `production` (`W`).
    pub mode: PayfipMode,
    /// The demo's stand-in for PayFiP under `/payfip-demo/`. Only `portee demo` turns it
    /// on; `serve` answers 404 there whatever the environment says.
    pub test_double: bool,
}

impl Payfip {
    pub const DEFAULT_SERVICE_URL: &'static str =
        "https://www.payfip.gouv.fr/tpa/services/securite";
    pub const DEFAULT_PAYMENT_URL: &'static str = "https://www.payfip.gouv.fr/tpa/paiementws.web";
    /// Where the demo's stand-in (`features::billing::payfip::double`) answers.
    pub const STAND_IN_SERVICE_PATH: &'static str = "/payfip-demo/services/securite";
    pub const STAND_IN_PAGE_PATH: &'static str = "/payfip-demo/paiementws.web";

    /// The demo's settings: PayFiP played by the portal itself at `base_url`.
    pub fn stand_in(base_url: &str) -> Self {
        Payfip {
            service_url: format!("{base_url}{}", Self::STAND_IN_SERVICE_PATH),
            payment_url: format!("{base_url}{}", Self::STAND_IN_PAGE_PATH),
            mode: PayfipMode::Test,
            test_double: true,
        }
    }
}

impl Settings {
    /// The bare address of `mail_from` (without its display name).
    pub fn sender_address(&self) -> String {
        self.mail_from
            .parse::<lettre::message::Mailbox>()
            .map(|m| m.email.to_string())
            .unwrap_or_else(|_| self.mail_from.clone())
    }
}

/// A configuration error: names the variable and says what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

/// `PORTEE_CACHE_MB`: the memory an instance may use to keep sessions and family pages
/// (`cache`), in MiB. Default 64; 0 keeps nothing.
pub fn cache_bytes() -> Result<u64, ConfigError> {
    match var("PORTEE_CACHE_MB") {
        None => Ok(64 << 20),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|mb| *mb <= 65_536)
            .map(|mb| mb << 20)
            .ok_or(ConfigError {
                variable: "PORTEE_CACHE_MB",
                message: format!("expected a number of MiB from 0 to 65536, got {v:?}"),
            }),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(ConfigError {
            variable,
            message: format!("expected true or false, got {other:?}"),
        }),
    }
}

/// What differs between `serve` and `demo` when a variable is not set.
pub struct Defaults {
    pub database_url: &'static str,
    pub mail_dir: Option<&'static str>,
    /// `None`: secure unless the base URL is plain HTTP.
    pub secure_cookies: Option<bool>,
}

impl Settings {
    /// Reads the environment. `bind_override` is the `--bind` flag.
    pub fn from_env(
        defaults: &Defaults,
        bind_override: Option<SocketAddr>,
    ) -> Result<Self, ConfigError> {
        let database_url = var("PORTEE_DATABASE_URL").unwrap_or(defaults.database_url.to_owned());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError {
                variable: "PORTEE_DATABASE_URL",
                message: "expected a sqlite:// or postgres:// URL".into(),
            });
        }
        let bind = match bind_override {
            Some(b) => b,
            None => match var("PORTEE_BIND") {
                Some(v) => v.parse().map_err(|_| ConfigError {
                    variable: "PORTEE_BIND",
                    message: format!("{v:?} is not an address such as 127.0.0.1:8080"),
                })?,
                None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            },
        };
        let base_url = match var("PORTEE_BASE_URL") {
            Some(v) => {
                if !(v.starts_with("http://") || v.starts_with("https://")) {
                    return Err(ConfigError {
                        variable: "PORTEE_BASE_URL",
                        message: format!("{v:?} must start with http:// or https://"),
                    });
                }
                v.trim_end_matches('/').to_owned()
            }
            None => format!("http://{bind}"),
        };
        let mail = if let Some(url) = var("PORTEE_SMTP_URL") {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError {
                    variable: "PORTEE_SMTP_URL",
                    message: "expected an smtp:// or smtps:// URL".into(),
                });
            }
            MailTransport::Smtp(Secret(url))
        } else if let Some(dir) = var("PORTEE_MAIL_DIR").or(defaults.mail_dir.map(str::to_owned)) {
            MailTransport::Dir(PathBuf::from(dir))
        } else {
            return Err(ConfigError {
                variable: "PORTEE_SMTP_URL",
                message: "set PORTEE_SMTP_URL (or PORTEE_MAIL_DIR to write mails to a folder)"
                    .into(),
            });
        };
        let mail_from = var("PORTEE_MAIL_FROM")
            .unwrap_or_else(|| "Portail famille <portail@localhost>".to_owned());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError {
                variable: "PORTEE_MAIL_FROM",
                message: format!("{mail_from:?} is not a mail address"),
            });
        }
        let secure_cookies = match var("PORTEE_SECURE_COOKIES") {
            Some(v) => parse_bool("PORTEE_SECURE_COOKIES", &v)?,
            None => defaults
                .secure_cookies
                .unwrap_or(base_url.starts_with("https://")),
        };
        let per_minute = |variable: &'static str, default: u32| match var(variable) {
            Some(v) => v.parse::<u32>().ok().filter(|n| *n > 0).ok_or(ConfigError {
                variable,
                message: format!("{v:?} is not a positive whole number"),
            }),
            None => Ok(default),
        };
        let login_rate_per_minute = per_minute("PORTEE_LOGIN_RATE_PER_MINUTE", 20)?;
        let defaults_http = HttpLimits::default();
        let seconds = |variable: &'static str, default: std::time::Duration| {
            per_minute(variable, default.as_secs() as u32)
                .map(|n| std::time::Duration::from_secs(u64::from(n)))
        };
        let http = HttpLimits {
            header_timeout: seconds(
                "PORTEE_HEADER_TIMEOUT_SECONDS",
                defaults_http.header_timeout,
            )?,
            idle_timeout: seconds("PORTEE_IDLE_TIMEOUT_SECONDS", defaults_http.idle_timeout)?,
            request_timeout: seconds(
                "PORTEE_REQUEST_TIMEOUT_SECONDS",
                defaults_http.request_timeout,
            )?,
            max_connections: per_minute(
                "PORTEE_MAX_CONNECTIONS",
                defaults_http.max_connections as u32,
            )? as usize,
        };
        let post_rate_per_minute = per_minute("PORTEE_POST_RATE_PER_MINUTE", 120)?;
        let trusted_proxies = match var("PORTEE_TRUSTED_PROXIES") {
            Some(v) => v
                .split(',')
                .map(|p| p.trim().parse())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| ConfigError {
                    variable: "PORTEE_TRUSTED_PROXIES",
                    message: format!("{v:?} is not a comma-separated list of IP addresses"),
                })?,
            None => Vec::new(),
        };
        let payfip_address = |variable: &'static str, default: &str| {
            let v = var(variable).unwrap_or(default.to_owned());
            if url::Url::parse(&v).is_ok_and(|u| matches!(u.scheme(), "https" | "http")) {
                Ok(v)
            } else {
                Err(ConfigError {
                    variable,
                    message: format!("{v:?} is not an https:// address"),
                })
            }
        };
        let payment_url = payfip_address("PORTEE_PAYFIP_URL", Payfip::DEFAULT_PAYMENT_URL)?;
        let service_url = payfip_address("PORTEE_PAYFIP_SERVICE_URL", Payfip::DEFAULT_SERVICE_URL)?;
        let mode = match var("PORTEE_PAYFIP_MODE") {
            None => PayfipMode::Test,
            Some(v) => PayfipMode::parse(&v).ok_or(ConfigError {
                variable: "PORTEE_PAYFIP_MODE",
                message: format!("expected test, activation or production, got {v:?}"),
            })?,
        };
        let html_compression = match var("PORTEE_HTML_COMPRESSION").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError {
                    variable: "PORTEE_HTML_COMPRESSION",
                    message: format!("expected on or off, got {other:?}"),
                });
            }
        };
        Ok(Settings {
            http,
            html_compression,
            payfip: Payfip {
                service_url,
                payment_url,
                mode,
                test_double: false,
            },
            trusted_proxies,
            database_url: Secret(database_url),
            bind,
            base_url,
            mail,
            mail_from,
            secure_cookies,
            login_rate_per_minute,
            post_rate_per_minute,
        })
    }
}
