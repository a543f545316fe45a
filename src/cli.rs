//! The command line: `portee serve`, `portee demo`, `portee migrate`.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

use crate::app::Application;
use crate::config::{Defaults, Settings};
use crate::{db, demo};

#[derive(Parser)]
#[command(
    name = "portee",
    version,
    about = "Portée, the family extranet of a music school"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the portal (configuration from PORTEE_* variables, see README).
    Serve {
        /// Address to listen on (overrides PORTEE_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Create the demo school in a SQLite file (once) and serve it on http://127.0.0.1:8080.
    Demo {
        /// Address to listen on (overrides PORTEE_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage families' accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Import the CSV files of DIR (exported from the school's management software) into
    /// the school SLUG. Nothing is written if any file has a problem; the report names the
    /// file, line, column and reason. Importing the same files again changes nothing.
    Import {
        /// The school's short name (e.g. valognes).
        #[arg(long)]
        site: String,
        /// Check everything and report what would change, without writing.
        #[arg(long)]
        dry_run: bool,
        /// The folder holding familles.csv, personnes.csv, … (see README).
        dir: std::path::PathBuf,
    },
    /// Write a consistent copy of the SQLite database (PORTEE_DATABASE_URL) to PATH, while
    /// the portal keeps running.
    Backup {
        /// Where to write the copy (must not exist yet).
        path: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
pub enum AccountsCommand {
    /// Create the account of a guardian (or adult student) found by e-mail, and mail them
    /// their identifier and a link to choose their first password.
    Invite {
        /// The school's short name (e.g. valognes).
        #[arg(long)]
        site: String,
        /// The guardian's e-mail address, as recorded on their record.
        #[arg(long)]
        email: String,
    },
}

const SERVE: Defaults = Defaults {
    database_url: "sqlite://portee.db?mode=rwc",
    mail_dir: None,
    secure_cookies: Some(true),
};

const DEMO: Defaults = Defaults {
    database_url: "sqlite://portee-demo.db?mode=rwc",
    mail_dir: Some("demo-mail"),
    secure_cookies: None,
};

/// A pool for the commands that only use the database (no mail is sent, so no mail
/// transport is required).
async fn offline_pool() -> anyhow::Result<db::Pool> {
    let settings = Settings::from_env(
        &Defaults {
            mail_dir: Some("."),
            ..SERVE
        },
        None,
    )?;
    db::connect(&settings.database_url.0).await
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { bind } => {
            let settings = Settings::from_env(&SERVE, bind)?;
            let app = Application::build(settings).await?;
            println!("Listening on http://{}", app.address());
            app.run_until_stopped().await?;
        }
        Command::Demo { bind } => {
            let mut settings = Settings::from_env(&DEMO, bind)?;
            // The demo plays PayFiP itself so the payment round trip can be tried offline.
            settings.payfip = crate::config::Payfip::stand_in(&settings.base_url);
            let pool = db::connect(&settings.database_url.0).await?;
            db::migrate(&pool).await?;
            let seeded = demo::seed(&pool).await?;
            let mail_note = match &settings.mail {
                crate::config::MailTransport::Dir(d) => {
                    format!("mails are written to {}/", d.display())
                }
                crate::config::MailTransport::Smtp(_) => "mails go to PORTEE_SMTP_URL".to_owned(),
            };
            let app = Application::build_with_pool(settings, pool).await?;
            println!(
                "Portée demo {}.\n\
                 Schools: « {} » and « {} ».\n\
                 Families: abarre1 (Monsieur ABARRE Jérémie, two children), torre1 (Madame TORRE Amélia, adult student)\n\
                 and 48 more; staff: admin. Every demo password is {}.\n\
                 {mail_note}.",
                if seeded {
                    "data created"
                } else {
                    "data already present, reused"
                },
                demo::VALOGNES,
                demo::CONSERVATOIRE,
                demo::DEMO_PASSWORD,
            );
            println!("Listening on http://{}", app.address());
            app.run_until_stopped().await?;
        }
        Command::Import { site, dry_run, dir } => {
            let pool = offline_pool().await?;
            db::migrate(&pool).await?;
            let started = std::time::Instant::now();
            let report = crate::import::run(&pool, &site, &dir, dry_run).await?;
            let seconds = started.elapsed().as_secs_f64();
            if !report.problems.is_empty() {
                eprintln!(
                    "Import refused: {} problem(s); nothing was written.",
                    report.problems.len()
                );
                for p in report.problems.iter().take(500) {
                    eprintln!("  {p}");
                }
                if report.problems.len() > 500 {
                    eprintln!("  … and {} more.", report.problems.len() - 500);
                }
                std::process::exit(1);
            }
            for f in &report.files {
                println!(
                    "{}: {} row(s), {} new, {} already imported (updated in place)",
                    f.file, f.rows, f.created, f.updated
                );
            }
            println!(
                "{} in {seconds:.2} s.",
                if report.written {
                    "Import written"
                } else {
                    "Dry run: nothing written"
                }
            );
        }
        Command::Backup { path } => {
            if path.exists() {
                anyhow::bail!("{} already exists: choose a new file", path.display());
            }
            let pool = offline_pool().await?;
            let started = std::time::Instant::now();
            db::backup_sqlite(&pool, &path.to_string_lossy()).await?;
            println!(
                "Backup written to {} in {:.2} s.",
                path.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Accounts(AccountsCommand::Invite { site, email }) => {
            let settings = Settings::from_env(&SERVE, None)?;
            let pool = db::connect(&settings.database_url.0).await?;
            let Some((site_id, person_id)) =
                crate::features::accounts::store::find_by_email(&pool, &site, &email).await?
            else {
                anyhow::bail!("no guardian with the e-mail {email} at the site {site}");
            };
            let identifier = crate::features::accounts::store::invite(
                &pool,
                site_id,
                person_id,
                None,
                &settings.base_url,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            // Send it now; if the transport is down it stays queued for the running portal.
            let mailer = crate::mail::Mailer::new(&settings)?;
            let sent = crate::mail::send_due(&pool, &mailer).await?;
            println!(
                "Account {identifier} created; invitation {}.",
                if sent > 0 { "sent" } else { "queued" }
            );
        }
        Command::Migrate => {
            let pool = offline_pool().await?;
            db::migrate(&pool).await?;
            println!("Migrations applied.");
        }
    }
    Ok(())
}
