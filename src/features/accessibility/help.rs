//! The help's text, once: rendered as the Accessibilité page and as a tagged PDF.

/// A keyboard shortcut: the digit pressed with Ctrl+Shift (or as the browser's access key)
/// and where it leads.
pub struct Shortcut {
    pub digit: &'static str,
    pub target: &'static str,
}

/// The shortcuts of a family's account (staff and visitors have the ones whose page exists
/// for them: 0, 1, 2, 3).
pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut {
        digit: "1",
        target: "Accueil",
    },
    Shortcut {
        digit: "2",
        target: "Contenu principal de la page",
    },
    Shortcut {
        digit: "3",
        target: "Plan du site",
    },
    Shortcut {
        digit: "4",
        target: "Famille (fiche famille)",
    },
    Shortcut {
        digit: "5",
        target: "Élèves",
    },
    Shortcut {
        digit: "6",
        target: "Facturation",
    },
    Shortcut {
        digit: "0",
        target: "Aide – Accessibilité",
    },
];

/// How the access keys are pressed without JavaScript, per browser.
pub const ACCESS_KEYS: &[(&str, &str)] = &[
    ("Chrome, Edge (Windows, Linux)", "Alt + chiffre"),
    ("Firefox (Windows, Linux)", "Alt + Maj + chiffre"),
    ("Safari, Chrome, Firefox (macOS)", "Ctrl + Option + chiffre"),
];

/// What was checked before choosing Ctrl + Maj + chiffre (shown on the page and in the PDF).
pub const WHY: &[&str] = &[
    "Ctrl + chiffre change d'onglet dans Chrome, Edge et Firefox (Windows, Linux) : ce n'est donc pas repris tel quel de l'ancien extranet.",
    "Ctrl + Alt correspond à AltGr sur les claviers AZERTY (AltGr + 2 donne ~, AltGr + 0 donne @) et, sur macOS, Ctrl + Option est la touche VoiceOver : ces combinaisons sont écartées.",
    "Ctrl + Maj + chiffre n'est utilisé ni par Chrome, Edge, Firefox ou Safari, ni par NVDA et JAWS (qui utilisent Insert ou Verr. Maj), ni par VoiceOver (Ctrl + Option). Sur AZERTY, les chiffres se tapent déjà avec Maj : le geste est naturel.",
    "Le chiffre est reconnu par sa touche, quelle que soit la disposition du clavier (AZERTY, QWERTY, BÉPO).",
    "Les raccourcis ne se déclenchent jamais pendant la saisie dans un champ, et chacun peut les désactiver sur son navigateur (page Aide – Accessibilité du portail).",
];

/// Leaving a table or a form with common screen readers.
pub const SCREEN_READERS: &[(&str, &[&str])] = &[
    (
        "NVDA (Windows)",
        &[
            "T et Maj + T : tableau suivant ou précédent ; Ctrl + Alt + flèches : cellule voisine.",
            "Virgule : sortir du tableau (aller après sa fin) ; Maj + virgule : revenir à son début.",
            "Échap : quitter le mode formulaire pour revenir au mode navigation.",
        ],
    ),
    (
        "JAWS (Windows)",
        &[
            "T et Maj + T : tableau suivant ou précédent ; Ctrl + Alt + flèches : cellule voisine.",
            "Virgule : aller à la fin du tableau ; Maj + virgule : à son début.",
            "Échap ou Pavé num + : quitter le mode formulaire.",
        ],
    ),
    (
        "VoiceOver (macOS)",
        &[
            "Ctrl + Option + Cmd + T : tableau suivant.",
            "Ctrl + Option + Maj + flèche bas : entrer dans le tableau ; Ctrl + Option + Maj + flèche haut : en sortir.",
            "Tab et Maj + Tab : passer d'un champ de formulaire à l'autre.",
        ],
    ),
];

/// The accessible mode, in a few sentences.
pub const MODE: &[&str] = &[
    "Le mode accessible affiche le portail en fort contraste, avec un texte plus grand et plus espacé, des liens toujours soulignés, un repère de focus épais, une seule colonne, sans animation.",
    "Il recharge chaque page entièrement au lieu de mettre à jour une partie de la page (certains lecteurs d'écran le préfèrent).",
    "Le choix est retenu par ce navigateur et, une fois connecté, par votre compte. Il s'active dès la page de connexion, par le bouton en bas de chaque page.",
];

pub const PAGES: &[&str] = &[
    "Le premier lien de chaque page, « Aller au contenu », mène directement au contenu principal.",
    "Le menu principal est une liste de liens ; la page en cours y est signalée.",
    "Chaque page a un seul titre de niveau 1 ; les sections ont des titres de niveau 2.",
    "Quand un formulaire contient une erreur, la liste des erreurs s'affiche en haut, chaque erreur étant un lien vers le champ à corriger ; le titre de la page commence par « Erreur ».",
    "Chaque facture et chaque reçu s'ouvre en page web ; le duplicata PDF est balisé (titres, tableau avec en-têtes, langue française) et son texte peut être lu à voix haute.",
    "Le plan du site donne accès à toutes les pages, en plus du menu.",
];

/// The whole help as a tagged PDF (same text as the page).
pub fn pdf(school: &str) -> Vec<u8> {
    crate::pdf::render(&document(school))
}

/// The help PDF's size in bytes (rendered once per school name).
pub fn pdf_size(school: &str) -> usize {
    crate::pdf::rendered_size(&document(school))
}

fn document(school: &str) -> crate::pdf::Document {
    use crate::pdf::{Block, Document, Row, Table};
    let mut blocks = vec![Block::Title(format!(
        "Aide – Accessibilité du portail famille – {school}"
    ))];
    blocks.push(Block::Heading("Le mode accessible".into()));
    blocks.extend(MODE.iter().map(|p| Block::Paragraph((*p).into())));
    blocks.push(Block::Heading("Raccourcis clavier".into()));
    blocks.push(Block::Table(Table {
        headers: vec![
            "Raccourci".into(),
            "Touche d'accès".into(),
            "Destination".into(),
        ],
        widths: vec![3.0, 2.0, 5.0],
        numeric: vec![false, false, false],
        rows: SHORTCUTS
            .iter()
            .map(|s| Row {
                cells: vec![
                    format!("Ctrl + Maj + {}", s.digit),
                    s.digit.into(),
                    s.target.into(),
                ],
                row_header: false,
            })
            .collect(),
    }));
    // The same structure as the page: its h3 are H3, its lists L › LI.
    blocks.push(Block::Paragraph(
        "Sans JavaScript, les mêmes chiffres sont des touches d'accès\u{a0}:".into(),
    ));
    blocks.push(Block::List(
        ACCESS_KEYS
            .iter()
            .map(|(b, k)| format!("{b}\u{a0}: {k}"))
            .collect(),
    ));
    blocks.push(Block::SubHeading(
        "Comment ces raccourcis ont été choisis".into(),
    ));
    blocks.push(Block::List(WHY.iter().map(|p| (*p).to_owned()).collect()));
    blocks.push(Block::Heading(
        "Sortir d'un tableau ou d'un formulaire".into(),
    ));
    for (reader, tips) in SCREEN_READERS {
        blocks.push(Block::SubHeading((*reader).to_owned()));
        blocks.push(Block::List(tips.iter().map(|t| (*t).to_owned()).collect()));
    }
    blocks.push(Block::Heading("Se déplacer dans les pages".into()));
    blocks.push(Block::List(PAGES.iter().map(|p| (*p).to_owned()).collect()));
    Document {
        title: format!("Aide – Accessibilité – {school}"),
        author: school.to_owned(),
        subject: "Aide à l'accessibilité du portail famille".into(),
        blocks,
    }
}
