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

pub fn page(
    ctx: &Ctx,
    f: &SettingsForm,
    errors: &Errors,
    instance_mode: PayfipMode,
    default_sender: &str,
    info: Option<&str>,
) -> Markup {
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
