use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_policy_is_stated_before_typing() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
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
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
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
        let resp = change(&app, PASSWORD, new, new).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains(expected), "{new}: expected {expected:?}");
    }
    let html = change(&app, PASSWORD, "Nouveau2027", "Nouveau2028")
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
        &app.login_with(&other, "abarre1", PASSWORD).await,
        "/accueil",
    );
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let phone = new_client();
    app.login_with(&phone, "abarre1", PASSWORD).await;
    let resp = change(&app, PASSWORD, "Nouveau2027", "Nouveau2027").await;
    assert_redirect(&resp, "/accueil?info=mot-de-passe-modifie");
    let html = app
        .get_html(&app.client, "/accueil?info=mot-de-passe-modifie")
        .await;
    assert!(html.contains("Votre nouveau mot de passe est enregistré."));
    assert_redirect(&app.get_with(&phone, "/accueil").await, "/connexion");
    let fresh = new_client();
    assert_eq!(
        app.login_with(&fresh, "abarre1", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_redirect(
        &app.login_with(&fresh, "abarre1", "Nouveau2027").await,
        "/accueil",
    );
    // The holder is told by mail, without the password.
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 1).await;
    assert!(mails[0].contains("vient d'être modifié"));
    assert!(!mails[0].contains("Nouveau2027"));
}
