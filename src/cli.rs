//! The command line: `portee serve`, `portee demo`, `portee migrate`, the setup commands
//! (`schools`, `staff`, `accounts`), `import` and `backup`.

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
    /// Create and list the schools this portal hosts.
    #[command(subcommand)]
    Schools(SchoolsCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
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
    /// Write what staff accepted that no export held yet (modifications.csv,
    /// reinscriptions.csv, paiements.csv) into DIR, for the school's management software.
    /// The export is kept: /gestion/exports offers it again.
    Export {
        /// The school's short name.
        #[arg(long)]
        site: String,
        /// AAAA-MM-JJ: everything decided since that day instead (a repeat export, which
        /// changes what the next export holds in no way).
        #[arg(long)]
        depuis: Option<String>,
        /// The folder to write the three files into (created if missing).
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
pub enum SchoolsCommand {
    /// Create a school. Every value is checked; on any error nothing is written.
    Add {
        /// The school's short name: lower-case letters, digits and hyphens (e.g. valognes).
        /// Families choose it on the login page; the commands take it as --site.
        #[arg(long)]
        slug: String,
        /// The school's name, as every page and mail shows it.
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        postal_code: Option<String>,
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Where families' questions go (the contact address of the school).
        #[arg(long)]
        email: Option<String>,
    },
    /// List the schools: short name, name, city, families and active staff accounts.
    List,
}

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Create a staff account and mail its identifier and a single-use link, valid 7 days,
    /// to choose a password.
    Invite {
        /// The school's short name.
        #[arg(long)]
        site: String,
        /// The staff member's e-mail address (invitation, lost password).
        #[arg(long)]
        email: String,
        /// « Prénom NOM ».
        #[arg(long)]
        name: String,
        /// administrateur (also the settings and the staff) or secretariat (the queues).
        #[arg(long, default_value = "administrateur")]
        role: String,
        /// Print the identifier and the link instead of mailing them (a first installation
        /// whose mail is not set up yet).
        #[arg(long)]
        print_link: bool,
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
        Command::Export { site, depuis, dir } => {
            let since = match depuis
                .as_deref()
                .map(|d| crate::domain::date::parse_day(d, 2000..=2100))
            {
                None => None,
                Some(Ok(d)) => Some(crate::domain::date::iso(d)),
                Some(Err(e)) => refuse(&[("--depuis", e)]),
            };
            let pool = offline_pool().await?;
            db::migrate(&pool).await?;
            let Some(site_id) = crate::site::by_slug(&pool, site.trim()).await? else {
                refuse(&[(
                    "--site",
                    format!(
                        "aucune école n'a le nom court « {} » (voir portee schools list).",
                        site.trim()
                    ),
                )])
            };
            if let Err(e) = std::fs::create_dir_all(&dir) {
                refuse(&[("DIR", format!("{} : {e}", dir.display()))]);
            }
            let scope = match &since {
                Some(d) => crate::export::Scope::Since(d),
                None => crate::export::Scope::New,
            };
            // The files are written (each to a temporary name, then renamed) before the
            // export is recorded: a folder that cannot take them records nothing.
            let unwritable = std::cell::Cell::new(false);
            let write = |files: &[(&'static str, usize, String)]| {
                let failed = |e: std::io::Error| {
                    unwritable.set(true);
                    anyhow::anyhow!("{} : {e}", dir.display())
                };
                for (name, _, content) in files {
                    std::fs::write(dir.join(format!(".{name}.part")), content).map_err(failed)?;
                }
                for (name, _, _) in files {
                    std::fs::rename(dir.join(format!(".{name}.part")), dir.join(name))
                        .map_err(failed)?;
                }
                Ok(())
            };
            match crate::export::run(&pool, site_id, None, scope, write).await {
                Ok(Some(export)) => {
                    for (name, rows, _) in &export.files {
                        println!("{}: {rows} line(s)", dir.join(name).display());
                    }
                    println!(
                        "Export n° {} recorded (/gestion/exports offers it again).",
                        export.number
                    );
                }
                Ok(None) => println!(
                    "Nothing to export: no change, re-enrolment or payment {}. No file written, no export recorded.",
                    if since.is_some() {
                        "decided since that day"
                    } else {
                        "since the last export"
                    }
                ),
                Err(e) if unwritable.get() => {
                    for name in crate::export::FILES {
                        let _ = std::fs::remove_file(dir.join(format!(".{name}.part")));
                    }
                    refuse(&[(
                        "DIR",
                        format!(
                            "{e} (rien n'est enregistré : l'export suivant reprendra ces lignes)"
                        ),
                    )])
                }
                Err(e) => return Err(e),
            }
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
        Command::Schools(SchoolsCommand::Add {
            slug,
            name,
            address,
            postal_code,
            city,
            phone,
            email,
        }) => {
            let school = checked(parse_school(SchoolArgs {
                slug: &slug,
                name: &name,
                address: address.as_deref(),
                postal_code: postal_code.as_deref(),
                city: city.as_deref(),
                phone: phone.as_deref(),
                email: email.as_deref(),
            }));
            let pool = offline_pool().await?;
            db::migrate(&pool).await?;
            match crate::site::add(&pool, &school).await {
                Ok(_) => println!(
                    "School « {} » created (short name {}).",
                    school.name,
                    school.slug.as_str()
                ),
                Err(crate::site::AddSchoolError::SlugTaken(_)) => refuse(&[(
                    "--slug",
                    format!(
                        "le nom court « {} » est déjà celui d'une école : choisissez-en un autre.",
                        school.slug.as_str()
                    ),
                )]),
                Err(e) => return Err(e.into()),
            }
        }
        Command::Schools(SchoolsCommand::List) => {
            let pool = offline_pool().await?;
            db::migrate(&pool).await?;
            let schools = crate::site::list(&pool).await?;
            if schools.is_empty() {
                println!("No school yet: create one with portee schools add --slug … --name …");
            }
            for s in schools {
                println!(
                    "{}\t{}\t{}\t{} famil{}\t{} staff account{}",
                    s.slug,
                    s.name,
                    s.city.unwrap_or_default(),
                    s.families,
                    if s.families == 1 { "y" } else { "ies" },
                    s.staff,
                    if s.staff == 1 { "" } else { "s" },
                );
            }
        }
        Command::Staff(StaffCommand::Invite {
            site,
            email,
            name,
            role,
            print_link,
        }) => {
            let mut problems = Vec::new();
            let email = crate::domain::email::EmailAddress::parse(&email)
                .map_err(|e| problems.push(("--email", e)))
                .ok();
            let name = crate::domain::text::Name::parse(&name, "Le nom", 120)
                .map_err(|e| problems.push(("--name", e)))
                .ok();
            let typed_role = role.trim();
            // « secrétariat » as typed with its accent, or « Administrateur ».
            let role = crate::domain::status::Role::from_key(
                &crate::domain::text::fold_ascii(typed_role).to_lowercase(),
            );
            if role.is_none() {
                problems.push((
                    "--role",
                    format!("« {typed_role} » n'est pas un rôle : administrateur ou secretariat."),
                ));
            }
            let (Some(email), Some(name), Some(role)) = (email, name, role) else {
                refuse(&problems)
            };
            // Mail is only needed when it is sent.
            let settings = if print_link {
                Settings::from_env(
                    &Defaults {
                        mail_dir: Some("."),
                        ..SERVE
                    },
                    None,
                )?
            } else {
                match Settings::from_env(&SERVE, None) {
                    Ok(s) => s,
                    Err(e) if e.variable == "PORTEE_SMTP_URL" => refuse(&[(
                        "PORTEE_SMTP_URL",
                        "le courrier n'est pas configuré (PORTEE_SMTP_URL ou PORTEE_MAIL_DIR) : \
                         configurez-le, ou ajoutez --print-link pour afficher le lien ici."
                            .to_owned(),
                    )]),
                    Err(e) => return Err(e.into()),
                }
            };
            let pool = db::connect(&settings.database_url.0).await?;
            db::migrate(&pool).await?;
            let Some(site_id) = crate::site::by_slug(&pool, site.trim()).await? else {
                refuse(&[(
                    "--site",
                    format!(
                        "aucune école n'a le nom court « {} » (voir portee schools list).",
                        site.trim()
                    ),
                )])
            };
            use crate::features::personnel::store::{self as personnel, Delivery};
            let invited = match personnel::invite(
                &pool,
                personnel::StaffInvitation {
                    site_id,
                    email: &email,
                    name: &name,
                    role,
                    by: None,
                    base_url: &settings.base_url,
                    delivery: if print_link {
                        Delivery::Print
                    } else {
                        Delivery::Mail
                    },
                },
            )
            .await
            {
                Ok(i) => i,
                Err(personnel::StaffInviteError::EmailTaken(_, identifier)) => refuse(&[(
                    "--email",
                    format!(
                        "{} est déjà l'adresse du compte de personnel « {identifier} » de cette école.",
                        email.as_str()
                    ),
                )]),
                Err(e) => return Err(e.into()),
            };
            if print_link {
                println!("Identifiant : {}", invited.identifier);
                println!("Lien pour choisir le mot de passe (valable 7 jours, une seule fois) :");
                println!("{}", invited.link);
            } else {
                let mailer = crate::mail::Mailer::new(&settings)?;
                let sent = crate::mail::send_due(&pool, &mailer).await?;
                println!(
                    "Staff account {} created ({}); invitation {} to {}.",
                    invited.identifier,
                    role.label(),
                    if sent > 0 { "sent" } else { "queued" },
                    email.as_str()
                );
            }
        }
        Command::Migrate => {
            let pool = offline_pool().await?;
            db::migrate(&pool).await?;
            println!("Migrations applied.");
        }
    }
    Ok(())
}

/// Prints each problem, naming its option, and exits with status 1: nothing was written.
fn refuse(problems: &[(&str, String)]) -> ! {
    for (option, message) in problems {
        eprintln!("{option} : {message}");
    }
    eprintln!("Nothing was written.");
    std::process::exit(1)
}

fn checked<T>(parsed: Result<T, Vec<(&'static str, String)>>) -> T {
    parsed.unwrap_or_else(|problems| refuse(&problems))
}

/// The options of `portee schools add`, as typed.
struct SchoolArgs<'a> {
    slug: &'a str,
    name: &'a str,
    address: Option<&'a str>,
    postal_code: Option<&'a str>,
    city: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

/// Checks every option with the domain types; all problems at once, each with its option.
fn parse_school(a: SchoolArgs) -> Result<crate::site::NewSchool, Vec<(&'static str, String)>> {
    use crate::domain::{
        email::EmailAddress, phone::PhoneNumber, postal::PostalCode, slug::Slug, text,
    };
    let mut problems = Vec::new();
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let slug = Slug::parse(a.slug)
        .map_err(|e| problems.push(("--slug", e)))
        .ok();
    let name = match text::line(a.name, "Le nom de l'école", 120) {
        Ok(n) if n.is_empty() => {
            problems.push(("--name", "le nom de l'école est vide.".to_owned()));
            None
        }
        Ok(n) => Some(n),
        Err(e) => {
            problems.push(("--name", e));
            None
        }
    };
    let mut line = |v: Option<&str>, option: &'static str, what: &str, max: usize| {
        given(v).and_then(|v| {
            text::line(v, what, max)
                .map_err(|e| problems.push((option, e)))
                .ok()
        })
    };
    let address = line(a.address, "--address", "L'adresse", 200);
    let city = line(a.city, "--city", "La ville", 80);
    let postal_code = given(a.postal_code).and_then(|v| {
        PostalCode::parse(v, "")
            .map_err(|e| problems.push(("--postal-code", e)))
            .ok()
    });
    let phone = given(a.phone).and_then(|v| {
        PhoneNumber::parse(v)
            .map_err(|e| problems.push(("--phone", e)))
            .ok()
    });
    let email = given(a.email).and_then(|v| {
        EmailAddress::parse(v)
            .map_err(|e| problems.push(("--email", e)))
            .ok()
    });
    match (slug, name) {
        (Some(slug), Some(name)) if problems.is_empty() => Ok(crate::site::NewSchool {
            slug,
            name,
            address,
            postal_code,
            city,
            phone,
            email,
        }),
        _ => Err(problems),
    }
}
