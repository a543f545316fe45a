use reqwest::StatusCode;

use crate::helpers::*;
use crate::school::{TestFamily, TestSchool, spawn_empty_app};

/// An app with one school and one family, logged in as that family.
async fn logged_in_family() -> (TestApp, TestSchool, TestFamily) {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let family = school.add_family(&app, "ROSSIGNOL").await;
    assert_redirect(
        &app.family_login(&app.client, &school, &family.account)
            .await,
        "/accueil",
    );
    (app, school, family)
}

#[tokio::test]
async fn the_policy_is_stated_before_typing() {
    let (app, _, _) = logged_in_family().await;
    let html = app.get_html(&app.client, "/mot-de-passe").await;
    assert!(html.contains("Entre 8 et 128 caractères, avec au moins une lettre majuscule, une lettre minuscule et un chiffre"));
    assert!(html.contains("aria-describedby=\"champ-nouveau-aide\""));
    assert!(html.contains(">Enregistrer</button>"));
    assert!(html.contains(">Annuler</a>"));
}

async fn change(app: &TestApp, current: &str, new: &str, again: &str) -> reqwest::Response {
    app.post_form(
        &app.client,
        "/mot-de-passe",
        "/mot-de-passe",
        &[
            ("actuel", current),
            ("nouveau", new),
            ("confirmation", again),
        ],
    )
    .await
}

#[tokio::test]
async fn each_broken_rule_gets_its_own_message() {
    let (app, school, family) = logged_in_family().await;
    let current = family.account.password.as_str();
    let cases = [
        (
            "court1A",
            "il doit compter entre 8 et 128 caractères (il en compte 7)",
        ),
        (
            "toutenminuscule1",
            "il doit contenir au moins une lettre majuscule",
        ),
        (
            "TOUTENMAJUSCULE1",
            "il doit contenir au moins une lettre minuscule",
        ),
        ("SansAucunChiffre", "il doit contenir au moins un chiffre"),
        (
            "Une phrase de passe beaucoup, beaucoup trop longue pour tenir dans la limite de cent vingt-huit caractères, même en comptant large 1",
            "(il en compte 132)",
        ),
        (
            "Azerty2026",
            "il fait partie des mots de passe les plus courants",
        ),
    ];
    for (new, expected) in cases {
        let resp = change(&app, current, new, new).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains(expected), "{new}: expected {expected:?}");
    }
    let html = change(&app, current, "Nouveau2027", "Nouveau2028")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Les deux saisies du nouveau mot de passe sont différentes."));
    let html = change(&app, "Mauvais2026", "Nouveau2027", "Nouveau2027")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Le mot de passe actuel est incorrect."));
    let html = change(&app, "", "", "").await.text().await.unwrap();
    assert!(html.contains("Le formulaire contient 2 erreurs"));
    // Nothing changed.
    let other = new_client();
    assert_redirect(
        &app.family_login(&other, &school, &family.account).await,
        "/accueil",
    );
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let (app, school, family) = logged_in_family().await;
    let phone = new_client();
    app.family_login(&phone, &school, &family.account).await;
    let resp = change(&app, &family.account.password, "Nouveau2027", "Nouveau2027").await;
    assert_redirect(&resp, "/accueil?info=mot-de-passe-modifie");
    let html = app
        .get_html(&app.client, "/accueil?info=mot-de-passe-modifie")
        .await;
    assert!(html.contains("Votre nouveau mot de passe est enregistré."));
    assert_redirect(&app.get_with(&phone, "/accueil").await, "/connexion");
    let fresh = new_client();
    let id = family.account.identifier.as_str();
    assert_eq!(
        app.login_at(&fresh, "/connexion", &school, id, &family.account.password)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_redirect(
        &app.login_at(&fresh, "/connexion", &school, id, "Nouveau2027")
            .await,
        "/accueil",
    );
    // The holder is told by mail, without the password.
    let to = family.guardian.email.as_deref().unwrap();
    let mails = app.wait_for_mails(to, 1).await;
    assert!(mails[0].contains("vient d'être modifié"));
    assert!(!mails[0].contains("Nouveau2027"));
}
