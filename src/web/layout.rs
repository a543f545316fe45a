//! The page shell: skip link, header with the school's name, main menu, one `main`
//! with one `h1`, footer with the display-mode switch. Error pages live here too.

use maud::{DOCTYPE, Markup, html};
use poem::http::StatusCode;
use poem::{IntoResponse, Response};

use super::Ctx;
use super::assets;
use super::components::{Errors, csrf_field};
use super::htmx::Swap;

pub const PORTAL: &str = "Portail famille";

/// One entry of the main menu, in the order of the manual. Only pages that exist.
struct MenuItem {
    href: &'static str,
    label: &'static str,
    /// The access key (and Ctrl+Shift+digit shortcut) of the entry, listed on /accessibilite.
    key: Option<&'static str>,
    /// Shown to administrators only (the school's settings and staff).
    admin: bool,
}

const FAMILY_MENU: &[MenuItem] = &[
    MenuItem {
        href: "/accueil",
        label: "Accueil",
        key: Some("1"),
        admin: false,
    },
    MenuItem {
        href: "/famille",
        label: "Famille",
        key: Some("4"),
        admin: false,
    },
    MenuItem {
        href: "/eleves",
        label: "Élèves",
        key: Some("5"),
        admin: false,
    },
    MenuItem {
        href: "/emploi-du-temps",
        label: "Emploi du temps",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/facturation",
        label: "Facturation",
        key: Some("6"),
        admin: false,
    },
    MenuItem {
        href: "/messages",
        label: "Messages",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/actualites",
        label: "Actualités",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/accessibilite",
        label: "Accessibilité",
        key: Some("0"),
        admin: false,
    },
    MenuItem {
        href: "/mot-de-passe",
        label: "Mot de passe",
        key: None,
        admin: false,
    },
];

const STAFF_MENU: &[MenuItem] = &[
    MenuItem {
        href: "/gestion",
        label: "Demandes de modification",
        key: Some("1"),
        admin: false,
    },
    MenuItem {
        href: "/gestion/absences",
        label: "Absences",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/messages",
        label: "Messages",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/actualites",
        label: "Actualités",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/comptes",
        label: "Comptes des familles",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/reinscriptions",
        label: "Réinscriptions",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/preinscriptions",
        label: "Préinscriptions",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/paiements",
        label: "Paiements",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/courriels",
        label: "Courriels non remis",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/exports",
        label: "Exports",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/gestion/ecole",
        label: "École",
        key: None,
        admin: true,
    },
    MenuItem {
        href: "/gestion/calendrier",
        label: "Calendrier",
        key: None,
        admin: true,
    },
    MenuItem {
        href: "/gestion/personnel",
        label: "Personnel",
        key: None,
        admin: true,
    },
    MenuItem {
        href: "/accessibilite",
        label: "Accessibilité",
        key: Some("0"),
        admin: false,
    },
    MenuItem {
        href: "/mot-de-passe",
        label: "Mot de passe",
        key: None,
        admin: false,
    },
];

const ANONYMOUS_MENU: &[MenuItem] = &[
    MenuItem {
        href: "/connexion",
        label: "Connexion",
        key: Some("1"),
        admin: false,
    },
    MenuItem {
        href: "/mot-de-passe-perdu",
        label: "Mot de passe perdu",
        key: None,
        admin: false,
    },
    MenuItem {
        href: "/accessibilite",
        label: "Aide – Accessibilité",
        key: Some("0"),
        admin: false,
    },
];

/// The first page of whoever is asking.
pub fn home(ctx: &Ctx) -> &'static str {
    match &ctx.user {
        Some(u) if u.is_staff => "/gestion",
        Some(_) => "/accueil",
        None => "/connexion",
    }
}

/// Is `href` the current page or one of its sub-pages?
fn is_current(path: &str, href: &str) -> bool {
    path == href || (path.starts_with(href) && path[href.len()..].starts_with('/'))
}

/// The menu entry of the current page: the most specific one that matches.
fn current_entry<'a>(path: &str, menu: &[&'a MenuItem]) -> Option<&'a str> {
    menu.iter()
        .filter(|m| is_current(path, m.href))
        .max_by_key(|m| m.href.len())
        .map(|m| m.href)
}

/// `aria-current` of a link to `href` that is current: "page" on that very page, "true"
/// on one of its sub-pages (the link is then where one is, not what one reads).
pub fn current_kind(path: &str, href: &str) -> &'static str {
    if path == href { "page" } else { "true" }
}

/// A full page. `title` is the page's own part; the portal and school are appended.
pub fn page(ctx: &Ctx, title: &str, content: Markup) -> Markup {
    shell(ctx, title, false, content)
}

/// A page holding a form: its title starts with « Erreur : » while `errors` is not empty,
/// so that the first thing a screen reader says after a refused submission is that it was.
pub fn form_page(ctx: &Ctx, title: &str, errors: &Errors, content: Markup) -> Markup {
    shell(ctx, title, !errors.is_empty(), content)
}

/// The longest title a browser tab, a bookmark or a screen reader's window list shows whole.
const TITLE_MAX: usize = 70;

/// "Évaluations – FM 2C4 – ABARRE Irina – École municipale de musique…": the page's own
/// part first, whole; then the portal and the school, the portal's name dropped and the
/// school's name shortened (at a word, with « … ») when the title would pass 70 characters.
fn full_title(title: &str, school: Option<&str>, has_errors: bool) -> String {
    let title = if has_errors {
        format!("Erreur\u{a0}: {title}")
    } else {
        title.to_owned()
    };
    let len = |s: &str| s.chars().count();
    let Some(school) = school else {
        return format!("{title} – {PORTAL}");
    };
    let whole = format!("{title} – {PORTAL} – {school}");
    if len(&whole) <= TITLE_MAX {
        return whole;
    }
    for head in [format!("{title} – {PORTAL}"), title.clone()] {
        // Room left for the school's name after " – ".
        let room = TITLE_MAX.saturating_sub(len(&head) + 3);
        if len(school) <= room {
            return format!("{head} – {school}");
        }
        if let Some(short) = shorten(school, room) {
            return format!("{head} – {short}");
        }
    }
    title
}

/// The first words of `name` that fit in `room` characters with « … », ending on a word
/// of more than three letters, and at least 12 characters long (« École… » names no
/// school): else nothing.
fn shorten(name: &str, room: usize) -> Option<String> {
    let mut words: Vec<&str> = Vec::new();
    for word in name.split_whitespace() {
        let next =
            words.iter().map(|w| w.chars().count() + 1).sum::<usize>() + word.chars().count();
        if next + 1 > room {
            break;
        }
        words.push(word);
    }
    while words.last().is_some_and(|w| w.chars().count() <= 3) {
        words.pop();
    }
    let out = words.join(" ");
    let out = out.trim_end_matches([',', ';', ':']);
    (out.chars().count() >= 12).then(|| format!("{out}…"))
}

/// The header: the school's name, who is logged in, the main menu. `oob`: sent beside a
/// boosted page's content, to replace the one in place (its current entry, who is logged in).
fn site_header(ctx: &Ctx, oob: bool) -> Markup {
    let menu = match &ctx.user {
        Some(u) if u.is_staff => STAFF_MENU,
        Some(_) => FAMILY_MENU,
        None => ANONYMOUS_MENU,
    };
    let admin = ctx.user.as_ref().is_some_and(|u| u.is_admin());
    let menu: Vec<&MenuItem> = menu.iter().filter(|m| admin || !m.admin).collect();
    let current = current_entry(&ctx.path, &menu);
    html! {
        header.site-header #entete data-hx-swap-oob=[oob.then_some("true")] {
            p.school {
                a href=(home(ctx)) {
                    (ctx.school_name.as_deref().unwrap_or(PORTAL))
                }
            }
            @if let Some(u) = &ctx.user {
                p.who { "Connecté\u{a0}: " (u.display_name()) }
            }
            // Its links swap `main`'s content only (`web::htmx`), then the script moves focus
            // to the new heading.
            nav aria-label="Menu principal" data-hx-boost="true" data-hx-target="#contenu"
                data-hx-swap="innerHTML show:window:top" {
                ul.menu {
                    @for item in menu {
                        li {
                            a href=(item.href)
                                accesskey=[item.key.filter(|_| ctx.shortcuts)]
                                aria-current=[(current == Some(item.href)).then(|| current_kind(&ctx.path, item.href))] {
                                (item.label)
                                @if let Some(n) = unread(ctx, item.href) {
                                    " (" (n) " non lu" @if n > 1 { "s" } ")"
                                }
                            }
                        }
                    }
                    @if ctx.user.is_some() {
                        li {
                            form method="post" action="/deconnexion" data-hx-boost="false" {
                                (csrf_field(&ctx.csrf))
                                button.link-button type="submit" { "Déconnexion" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The unread messages shown beside the menu's Messages entry (nothing when none).
fn unread(ctx: &Ctx, href: &str) -> Option<i64> {
    let n = ctx.user.as_ref()?.unread_messages;
    (n > 0 && (href == "/messages" || href == "/gestion/messages")).then_some(n)
}

/// Where the display switch brings the user back: this page.
fn display_return(ctx: &Ctx, oob: bool) -> Markup {
    html! {
        input #retour-affichage type="hidden" name="retour" value=(ctx.here)
            data-hx-swap-oob=[oob.then_some("true")];
    }
}

fn shell(ctx: &Ctx, title: &str, has_errors: bool, content: Markup) -> Markup {
    let full_title = full_title(title, ctx.school_name.as_deref(), has_errors);
    if ctx.swap == Swap::Main {
        // A boosted link: what `main` holds, its title, and out of band the header and the
        // display switch's return address (the rest of the shell does not change).
        return html! {
            title { (full_title) }
            (content)
            (site_header(ctx, true))
            (display_return(ctx, true))
        };
    }
    html! {
        (DOCTYPE)
        html lang="fr" class=[ctx.accessible.then_some("mode-accessible")]
            data-raccourcis=(if ctx.shortcuts { "on" } else { "off" })
            data-session-fin=[ctx.user.as_ref().map(|u| u.session_seconds_left)] {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (full_title) }
                link rel="stylesheet" href=(assets::url("portee.css"));
                link rel="icon" href=(assets::url("favicon.svg")) type="image/svg+xml";
                @if !ctx.accessible {
                    meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"historyCacheSize":0,"allowEval":false}"#;
                    script src=(assets::url("htmx.min.js")) defer {}
                }
                script src=(assets::url("portee.js")) defer {}
            }
            body {
                a.skip-link href="#contenu" accesskey=[ctx.shortcuts.then_some("2")] { "Aller au contenu" }
                (site_header(ctx, false))
                main #contenu tabindex="-1" {
                    (content)
                }
                footer.site-footer {
                    form method="post" action="/affichage" data-hx-boost="false" {
                        (csrf_field(&ctx.csrf))
                        (display_return(ctx, false))
                        button type="submit" {
                            @if ctx.accessible { "Désactiver le mode accessible" }
                            @else { "Activer le mode accessible" }
                        }
                    }
                    p { a href="/accessibilite" { "Aide et accessibilité" } }
                    p { a href="/plan-du-site" accesskey=[ctx.shortcuts.then_some("3")] { "Plan du site" } }
                    p {
                        a href="/accessibilite/declaration" {
                            "Accessibilité\u{a0}: "
                            (ctx.a11y_status.as_deref().unwrap_or("voir l'état de chaque école"))
                        }
                    }
                    p.made-with { (PORTAL) " – Portée" }
                }
            }
        }
    }
}

fn status_text(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "Demande incorrecte",
            "Le navigateur a envoyé une demande que le portail ne comprend pas. Revenez à la page précédente et recommencez.",
        ),
        403 => (
            "Accès refusé",
            "Vous n'avez pas accès à cette page avec ce compte.",
        ),
        404 => (
            "Page introuvable",
            "Cette page n'existe pas ou n'existe plus. Vérifiez l'adresse, ou repartez de l'accueil.",
        ),
        405 => (
            "Action impossible",
            "Cette adresse ne permet pas cette action. Repartez de l'accueil.",
        ),
        413 => (
            "Envoi trop volumineux",
            "Ce que vous avez envoyé dépasse la taille acceptée (64 Ko pour un formulaire, 2 Mo pour un document) : rien n'a été enregistré. Revenez à la page précédente et réduisez votre envoi.",
        ),
        429 => (
            "Trop de tentatives",
            "Vous avez fait trop de tentatives en peu de temps. Patientez une minute, puis recommencez.",
        ),
        _ => (
            "Service momentanément indisponible",
            "Le portail a rencontré un problème. Réessayez dans quelques instants ; si cela se reproduit, prévenez l'école.",
        ),
    }
}

/// A page for a bare error status.
pub fn error_page(ctx: &Ctx, status: StatusCode) -> Markup {
    let (title, text) = status_text(status);
    let home = home(ctx);
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (text) }
            p { a href=(home) { "Retour à l'accueil" } }
        },
    )
}

/// When even the session could not be read (database down): no shell data at all.
pub fn error_page_bare(status: StatusCode) -> Response {
    let (title, text) = status_text(status);
    html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (PORTAL) }
                link rel="stylesheet" href=(assets::url("portee.css"));
            }
            body { main { h1 { (title) } p { (text) } } }
        }
    }
    .with_status(status)
    .with_header("Retry-After", "30")
    .into_response()
}

/// A POST whose CSRF token is missing or wrong.
pub fn csrf_refused(ctx: &Ctx) -> Markup {
    page(
        ctx,
        "Formulaire expiré",
        html! {
            h1 { "Formulaire expiré" }
            p { "Ce formulaire a expiré, ou votre navigateur n'a pas envoyé le cookie de sécurité du portail. Rien n'a été enregistré." }
            p { "Revenez à la page, rechargez-la, puis recommencez. Si le problème persiste, vérifiez que votre navigateur accepte les cookies de ce site." }
            p { a href=(crate::web::safe_return_path(&ctx.here)) { "Revenir à la page" } }
        },
    )
}

#[cfg(test)]
mod title_tests {
    use super::full_title;

    #[test]
    fn a_title_keeps_its_own_part_whole_and_stays_within_seventy_characters() {
        let school = "École municipale de musique et de danse de Saint-Jean-de-la-Ruelle";
        assert_eq!(
            full_title("Accueil", Some("Conservatoire"), false),
            "Accueil – Portail famille – Conservatoire"
        );
        let t = full_title("Évaluations – FM 2C4 – ABARRE Irina", Some(school), false);
        assert_eq!(
            t,
            "Évaluations – FM 2C4 – ABARRE Irina – École municipale de musique…"
        );
        assert!(t.chars().count() <= 70);
        let t = full_title("Facturation", Some(school), true);
        assert_eq!(
            t,
            "Erreur\u{a0}: Facturation – Portail famille – École municipale de musique…"
        );
        assert!(t.chars().count() <= 70, "{t}");
        // A page's own part longer than the limit is never cut.
        let long = "Fiche de suivi d'un cours au nom très long – Élève au nom très long aussi";
        assert_eq!(full_title(long, Some(school), false), long);
        assert_eq!(
            full_title("Connexion", None, false),
            "Connexion – Portail famille"
        );
    }
}
