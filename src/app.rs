//! Builds the poem application from every feature's routes and binds the listener.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::middleware::CatchPanic;
use poem::{EndpointExt, Route, Server, get};
use tokio::sync::Notify;

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::mail;
use crate::state::AppState;
use crate::web::rate_limit::IpLimiter;
use crate::web::session::CookieNames;
use crate::web::{assets, context, headers, health, rate_limit};

pub struct Application {
    addr: SocketAddr,
    acceptor: crate::web::connections::Bounded<TcpAcceptor>,
    state: Arc<AppState>,
}

impl Application {
    /// Connects, migrates, starts the mail worker and binds (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = db::connect(&settings.database_url.0).await?;
        db::migrate(&pool).await?;
        Self::build_with_pool(settings, pool).await
    }

    pub async fn build_with_pool(mut settings: Settings, pool: Pool) -> anyhow::Result<Self> {
        let csrf_secret = db::shared_secret(&pool, "csrf").await?;
        let device_secret = db::shared_secret(&pool, "device").await?;
        let mailer = mail::Mailer::new(&settings)?;
        let wakeup = Arc::new(Notify::new());
        mail::spawn_worker(pool.clone(), mailer, wakeup.clone());
        let acceptor = TcpListener::bind(settings.bind.to_string())
            .into_acceptor()
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .ok_or_else(|| anyhow::anyhow!("the listener has no address"))?;
        // Tests bind port 0 and learn their address only now: an empty base URL means this
        // listener's own address, and the stand-in's addresses, given as paths, live under it.
        if settings.base_url.is_empty() {
            settings.base_url = format!("http://{addr}");
        }
        for url in [
            &mut settings.payfip.service_url,
            &mut settings.payfip.payment_url,
        ] {
            if url.starts_with('/') {
                *url = format!("{}{url}", settings.base_url);
            }
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Portee/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let caches = Self::caches(&settings, &pool).await?;
        let state = Arc::new(AppState {
            caches,
            pool,
            cookies: CookieNames::new(settings.secure_cookies),
            settings,
            csrf_secret,
            device_secret,
            mail_wakeup: wakeup,
            schools: Default::default(),
            open_preenrolment: Default::default(),
            http,
        });
        crate::features::preenrolment::staff::spawn_housekeeping(state.clone());
        let acceptor = crate::web::connections::Bounded::new(
            acceptor,
            state.settings.http.max_connections,
            state.settings.http.header_timeout,
        );
        Ok(Application {
            addr,
            acceptor,
            state,
        })
    }

    /// The instance's caches, and what tells them the database changed: SQLite's hooks
    /// (and a poll for other processes), or PostgreSQL's triggers and this instance's
    /// listener (see `cache`).
    async fn caches(
        settings: &Settings,
        pool: &Pool,
    ) -> anyhow::Result<crate::cache::Caches<crate::web::context::SessionRow>> {
        use crate::cache::{Caches, Generations, postgres, sqlite};
        let bytes = crate::config::cache_bytes()?;
        let url = settings.database_url.0.clone();
        if bytes == 0 {
            // Nothing kept: nothing to invalidate.
            return Ok(Caches::new(Arc::new(Generations::untrusted()), 0));
        }
        if db::is_postgres(pool) {
            postgres::install_triggers(pool).await?;
            let generations = Arc::new(Generations::untrusted());
            let fence = Arc::new(postgres::Fence::new(generations.clone(), url.clone()));
            postgres::spawn_listener(url, fence.clone());
            let mut caches = Caches::new(generations, bytes);
            caches.fence = Some(fence);
            return Ok(caches);
        }
        Ok(match db::sqlite_wal_file(pool).await? {
            Some(file) => {
                let generations = sqlite::generations_of(&file);
                sqlite::spawn_poll(url, generations.clone());
                Caches::new(generations, bytes)
            }
            None => {
                tracing::info!("no write-ahead log: sessions and pages are not kept in memory");
                Caches::new(Arc::new(Generations::untrusted()), bytes)
            }
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The settings as the running application uses them (its base URL filled in).
    pub fn settings(&self) -> &Settings {
        &self.state.settings
    }

    pub fn pool(&self) -> Pool {
        self.state.pool.clone()
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests (30 s at most).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let limiter = Arc::new(rate_limit::Limiters {
            strict: IpLimiter::new(self.state.settings.login_rate_per_minute),
            other: IpLimiter::new(self.state.settings.post_rate_per_minute),
        });
        let pages = crate::routes::pages()
            .with(CatchPanic::new())
            .around(rate_limit::middleware)
            .around(crate::web::limits::middleware)
            .around(context::middleware);
        // Assets and probes need no session: they skip the context middleware (and its
        // database reads), so a page's stylesheet and scripts cost no query.
        let app = Route::new()
            .at("/static/:version/:name", get(assets::serve))
            .at("/healthz", get(health::healthz))
            .at("/readyz", get(health::readyz))
            .nest_no_strip("/", pages)
            .around(crate::web::compress::middleware)
            .around(headers::middleware)
            .around(crate::web::connections::request_timeout)
            .data(limiter)
            .data(crate::web::connections::RequestTimeout(
                self.state.settings.http.request_timeout,
            ))
            .data(self.state.clone())
            .around(crate::web::log::middleware);
        Server::new_with_acceptor(self.acceptor)
            .idle_timeout(self.state.settings.http.idle_timeout)
            .run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(30)))
            .await
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down: finishing requests in flight; unsent mail stays queued");
}
