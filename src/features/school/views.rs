//! The École page.

use maud::{Markup, html};

use crate::config::PayfipMode;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::{Ctx, layout};

/// The form's values, as stored or as typed.
#[derive(Default, Clone)]
pub struct SettingsForm {
    pub nom: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub telephone: String,
    pub email: String,
    pub expediteur: String,
    pub numcli: String,
    pub mode: String,
}

/// The exchanges form's values, as stored or as typed.
#[derive(Default, Clone)]
pub struct ExchangesForm {
    /// Hours after a lesson's start it may still be reported absent.
    pub delai: String,
    /// "1": a message's text goes in the mail that tells of it.
    pub texte: String,
}

pub struct SchoolPage<'a> {
    pub form: &'a SettingsForm,
    pub exchanges: &'a ExchangesForm,
    /// The errors of the form sent (their keys differ from one form to the other).
    pub errors: &'a Errors,
    pub instance_mode: PayfipMode,
    pub default_sender: &'a str,
    pub info: Option<&'a str>,
}

pub fn page(ctx: &Ctx, p: &SchoolPage) -> Markup {
    let SchoolPage {
        form: f,
        exchanges: x,
        errors,
        instance_mode,
        default_sender,
        info,
    } = *p;
    layout::form_page(
        ctx,
        "École",
        errors,
        html! {
            h1 { "École" }
            @if let Some(i) = info { (notice(i)) }
            p { "Ces informations apparaissent aux familles en tête de chaque page, sur les factures et leurs duplicata PDF, et dans les courriels." }
            (error_summary(errors))
            form method="post" action="/gestion/ecole" novalidate {
                (csrf_field(&ctx.csrf))
                (required_legend())
                fieldset {
                    legend { "Identité et coordonnées" }
                    (field_block("nom", "Nom de l'école").required().control(errors, |described, invalid| html! {
                        input id=(field_id("nom")) name="nom" type="text" value=(f.nom) autocomplete="off" required
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                    }))
                    (field_block("adresse", "Adresse").control(errors, input("adresse", &f.adresse, "text", "off")))
                    (field_block("code_postal", "Code postal").hint("5 chiffres, par exemple 59000.").control(errors, input("code_postal", &f.code_postal, "text", "off")))
                    (field_block("ville", "Ville").control(errors, input("ville", &f.ville, "text", "off")))
                    (field_block("telephone", "Téléphone").hint("Par exemple 03 20 00 00 00.").control(errors, input("telephone", &f.telephone, "tel", "off")))
                    (field_block("email", "Adresse e-mail de contact").hint("Les questions des familles et les avis au personnel y sont envoyés.").control(errors, input("email", &f.email, "email", "off")))
                    (field_block("expediteur", "Nom d'expéditeur des courriels").hint(&format!("Le nom que les familles voient comme expéditeur. Laissé vide : « {default_sender} ».")).control(errors, input("expediteur", &f.expediteur, "text", "off")))
                }
                fieldset {
                    legend { "Paiement en ligne (PayFiP)" }
                    (field_block("numcli", "Numéro de client PayFiP").hint("6 chiffres, donnés par la DGFiP. Laissé vide, les familles ne voient pas « Payer en ligne ».").control(errors, input("numcli", &f.numcli, "text", "off")))
                    (field_block("mode", "Mode PayFiP").hint("Test : aucun argent ne circule. Activation : le contrat réel avant son ouverture. Production : paiements réels.").control(errors, |described, invalid| html! {
                        select id=(field_id("mode")) name="mode" aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                            option value="" selected[f.mode.is_empty()] { "Réglage du portail (" (instance_mode.label()) ")" }
                            @for m in [PayfipMode::Test, PayfipMode::Activation, PayfipMode::Production] {
                                option value=(m.label()) selected[f.mode == m.label()] { (mode_label(m)) }
                            }
                        }
                    }))
                }
                div.actions { button type="submit" { "Enregistrer" } }
            }
            h2 #echanges { "Échanges avec les familles" }
            form method="post" action="/gestion/ecole/echanges" novalidate aria-labelledby="echanges" {
                (csrf_field(&ctx.csrf))
                (field_block("delai", "Délai pour signaler une absence à un cours commencé (heures)")
                    .hint(&format!("De 0 à {} : 0, une absence se signale jusqu'au début du cours ; 24, jusqu'au lendemain de la même heure.", crate::site::MAX_REPORT_HOURS))
                    .control(errors, input("delai", &x.delai, "text", "off")))
                div.field.checkbox {
                    input #champ-texte type="checkbox" name="texte" value="1" checked[x.texte == "1"] aria-describedby="champ-texte-aide";
                    label for="champ-texte" { "Recopier le texte des messages dans les courriels qui les annoncent" }
                    p.hint #champ-texte-aide { "Sinon, le courriel dit seulement qu'un message attend sur le portail, avec un lien : le texte ne quitte pas le portail." }
                }
                div.actions { button type="submit" { "Enregistrer les échanges" } }
            }
        },
    )
}

fn mode_label(m: PayfipMode) -> &'static str {
    match m {
        PayfipMode::Test => "Test",
        PayfipMode::Activation => "Activation",
        PayfipMode::Production => "Production",
    }
}

/// A text-like control of the form. The school's details are not the administrator's own:
/// no autofill from the browser's personal data (`autocomplete="off"`).
fn input<'a>(
    name: &'static str,
    value: &'a str,
    kind: &'static str,
    autocomplete: &'static str,
) -> impl FnOnce(Option<String>, bool) -> Markup + 'a {
    move |described, invalid| {
        html! {
            input id=(field_id(name)) name=(name) type=(kind) value=(value) autocomplete=(autocomplete)
                spellcheck=[(kind != "text").then_some("false")]
                aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
        }
    }
}
