//! Every URL of the portal with its handler, in the order of the menus: this is the file
//! to read to find which module answers an address (the README has the same table).
//! Paths are built with `crate::paths`; ids are parsed by `web::Ids`, which answers 404.

use poem::{EndpointExt, Route, get, post};

use crate::features::absences::routes as absences;
use crate::features::absences::staff as absences_staff;
use crate::features::accessibility::pages as a11y;
use crate::features::accessibility::statement;
use crate::features::accounts::routes as accounts;
use crate::features::auth::routes as auth;
use crate::features::auth::sessions;
use crate::features::billing::payfip::double as payfip_double;
use crate::features::billing::routes as billing;
use crate::features::billing::staff as payments;
use crate::features::calendar::routes as calendar;
use crate::features::exports::routes as exports;
use crate::features::family::routes as family;
use crate::features::home::routes as home;
use crate::features::messages::routes as messages;
use crate::features::news::routes as news;
use crate::features::news::staff as news_staff;
use crate::features::pedagogy::routes as pedagogy;
use crate::features::personnel::routes as personnel;
use crate::features::preenrolment::public as preenrolment;
use crate::features::preenrolment::staff as preenrolment_staff;
use crate::features::reenrolment::routes as reenrolment;
use crate::features::reenrolment::staff as reenrolment_staff;
use crate::features::school::routes as school;
use crate::features::staff::routes as requests;
use crate::features::students::routes as students;
use crate::features::timetable;
use crate::web::resume;

/// Every page and form (each request gets the session context: see `app.rs`).
pub fn pages() -> Route {
    let stand_in = payfip_double::Double::new();
    Route::new()
        // Accueil
        .at("/", get(home::root))
        .at("/accueil", get(home::home))
        // Connexion, mot de passe, déconnexion, affichage
        .at("/connexion", get(auth::login_page).post(auth::login_submit))
        .at(
            "/gestion/connexion",
            get(auth::staff_login_page).post(auth::staff_login_submit),
        )
        .at(
            "/mot-de-passe-perdu",
            get(auth::lost_page).post(auth::lost_submit),
        )
        .at("/mot-de-passe-perdu/envoye", get(auth::lost_sent))
        .at(
            "/reinitialisation",
            get(auth::reset_page).post(auth::reset_submit),
        )
        .at(
            "/mot-de-passe",
            get(auth::change_page).post(auth::change_submit),
        )
        .at("/deconnexion", post(auth::logout))
        .at("/affichage", post(auth::toggle_display))
        // Sessions ouvertes
        .at("/sessions", get(sessions::page))
        .at("/sessions/autres/fin", post(sessions::end_others))
        .at("/sessions/:id/fin", post(sessions::end_one))
        // Famille
        .at("/famille", get(family::show).post(family::save))
        // Élèves › Identité
        .at("/eleves", get(students::list))
        .at("/eleves/choisir", get(students::choose))
        .at("/eleves/:id", get(students::student_root))
        .at(
            "/eleves/:id/identite",
            get(students::identity).post(students::save_identity),
        )
        // Élèves › Cours, Historique, Répertoire
        .at("/eleves/:id/cours", get(pedagogy::courses))
        .at("/eleves/:id/cours/:rid", get(pedagogy::record_summary))
        .at(
            "/eleves/:id/cours/:rid/evaluations",
            get(pedagogy::record_evaluations),
        )
        .at(
            "/eleves/:id/cours/:rid/evaluations/:eid",
            get(pedagogy::record_evaluation),
        )
        .at(
            "/eleves/:id/cours/:rid/absences",
            get(pedagogy::record_absences),
        )
        .at(
            "/eleves/:id/cours/:rid/absences/:aid",
            get(pedagogy::record_absence),
        )
        // Élèves › Absences : signaler, retirer, justifier
        .at(
            "/eleves/:id/absences",
            get(absences::page).post(absences::report),
        )
        .at(
            "/eleves/:id/absences/signalements/:rid/retirer",
            post(absences::withdraw),
        )
        .at(
            "/eleves/:id/absences/:aid/justification",
            get(absences::justify_page).post(absences::justify),
        )
        .at("/eleves/:id/historique", get(pedagogy::history))
        .at("/eleves/:id/historique/:rid", get(pedagogy::history_record))
        .at("/eleves/:id/repertoire", get(pedagogy::repertoire))
        // Emploi du temps et calendrier
        .at("/emploi-du-temps", get(timetable::page))
        .at("/emploi-du-temps/lien", post(timetable::renew_link))
        .at("/calendrier/:file", get(timetable::feed))
        // Facturation et paiement en ligne (PayFiP)
        .at("/facturation", get(billing::index))
        .at("/facturation/:ledger", get(billing::ledger))
        .at("/facturation/documents/:id", get(billing::document))
        .at(
            "/facturation/documents/:id/duplicata.pdf",
            get(billing::document_pdf),
        )
        .at("/facturation/documents/:id/payer", post(billing::pay))
        .at("/facturation/paiements/:id", get(billing::payment_outcome))
        .at(
            "/facturation/paiements/:id/retour",
            get(billing::payment_return).post(billing::payment_return),
        )
        .at("/payfip/notification", post(billing::notification))
        // Messages
        .at("/messages", get(messages::family_list))
        .at(
            "/messages/nouveau",
            get(messages::new_page).post(messages::start),
        )
        .at(
            "/messages/:id",
            get(messages::family_thread).post(messages::family_answer),
        )
        .at(
            "/messages/:id/pieces/:mid",
            get(messages::family_attachment),
        )
        // Actualités
        .at("/actualites", get(news::page))
        .at("/actualites/lien", post(news::renew_feed))
        .at("/actualites/:id/document", get(news::document))
        .at("/actualites/flux/:file", get(news::feed))
        // Personnel › Paiements
        .at(
            "/gestion/paiements",
            get(payments::page).post(payments::record),
        )
        // La simulation de PayFiP (démonstration seulement ; 404 sous `serve`)
        .at(
            "/payfip-demo/services/securite",
            get(payfip_double::service)
                .post(payfip_double::service)
                .data(stand_in.clone()),
        )
        .at(
            "/payfip-demo/paiementws.web",
            get(payfip_double::page)
                .post(payfip_double::choose)
                .data(stand_in.clone()),
        )
        // Élèves › Réinscription
        .at("/eleves/:id/reinscription", get(reenrolment::page))
        .at("/eleves/:id/reinscription/choix", post(reenrolment::choose))
        .at(
            "/eleves/:id/reinscription/documents",
            post(reenrolment::upload_document),
        )
        .at(
            "/eleves/:id/reinscription/documents/:did",
            get(reenrolment::download),
        )
        .at(
            "/eleves/:id/reinscription/documents/:did/supprimer",
            post(reenrolment::remove),
        )
        .at(
            "/eleves/:id/reinscription/valider",
            post(reenrolment::submit),
        )
        // Personnel › Réinscriptions
        .at("/gestion/reinscriptions", get(reenrolment_staff::list))
        .at(
            "/gestion/reinscriptions/campagne",
            post(reenrolment_staff::save_campaign),
        )
        .at(
            "/gestion/reinscriptions/documents",
            post(reenrolment_staff::add_document),
        )
        .at(
            "/gestion/reinscriptions/documents/supprimer",
            post(reenrolment_staff::remove_document),
        )
        .at(
            "/gestion/reinscriptions/documents/:did",
            get(reenrolment_staff::download),
        )
        .at(
            "/gestion/reinscriptions/:id",
            get(reenrolment_staff::detail),
        )
        .at(
            "/gestion/reinscriptions/:id/documents/:did",
            post(reenrolment_staff::decide_document),
        )
        .at(
            "/gestion/reinscriptions/:id/decision",
            post(reenrolment_staff::decide),
        )
        // Personnel › Demandes de modification, courriels non remis
        .at("/gestion", get(requests::queue))
        .at("/gestion/demandes/:id", get(requests::request))
        .at("/gestion/demandes/:id/decision", post(requests::decide))
        .at(
            "/gestion/courriels",
            get(requests::mails).post(requests::retry_mail),
        )
        // Personnel › Absences
        .at("/gestion/absences", get(absences_staff::list))
        .at(
            "/gestion/absences/justifications/:id",
            post(absences_staff::decide),
        )
        .at(
            "/gestion/absences/justifications/:id/document",
            get(absences_staff::document),
        )
        // Personnel › Messages
        .at("/gestion/messages", get(messages::staff_list))
        .at(
            "/gestion/messages/:id",
            get(messages::staff_thread).post(messages::staff_answer),
        )
        .at("/gestion/messages/:id/etat", post(messages::set_state))
        .at(
            "/gestion/messages/:id/pieces/:mid",
            get(messages::staff_attachment),
        )
        // Personnel › Préinscriptions
        .at(
            "/gestion/preinscriptions",
            get(preenrolment_staff::overview).post(preenrolment_staff::act),
        )
        .at(
            "/gestion/preinscriptions/demandes/:id",
            get(preenrolment_staff::request_detail).post(preenrolment_staff::decide),
        )
        .at(
            "/gestion/preinscriptions/documents/:id",
            get(preenrolment_staff::document),
        )
        // Personnel › Actualités
        .at(
            "/gestion/actualites",
            get(news_staff::page).post(news_staff::publish),
        )
        .at("/gestion/actualites/:id/envoi", post(news_staff::send))
        .at(
            "/gestion/actualites/:id/retrait",
            post(news_staff::withdraw),
        )
        .at(
            "/gestion/actualites/:id/document",
            get(news_staff::document),
        )
        // Personnel › Comptes des familles
        .at("/gestion/comptes", get(accounts::list).post(accounts::act))
        .at("/gestion/ecole", get(school::page).post(school::save))
        .at("/gestion/ecole/echanges", post(school::save_exchanges))
        .at("/gestion/exports", get(exports::page).post(exports::make))
        .at("/gestion/exports/:id/:fichier", get(exports::download))
        .at(
            "/gestion/calendrier",
            get(calendar::page).post(calendar::act),
        )
        .at(
            "/gestion/personnel",
            get(personnel::list).post(personnel::invite),
        )
        .at(
            "/gestion/personnel/:id",
            get(personnel::member).post(personnel::act),
        )
        // Préinscription (sans compte)
        .at("/preinscription", get(preenrolment::index))
        .at(
            "/preinscription/suivi",
            get(preenrolment::follow_page).post(preenrolment::follow_request),
        )
        .at(
            "/preinscription/suivi/:jeton",
            get(preenrolment::followed_page).post(preenrolment::followed_act),
        )
        .at("/preinscription/confirmation", get(preenrolment::confirm))
        .at(
            "/preinscription/:ecole",
            get(preenrolment::start).post(preenrolment::send_step),
        )
        // Session : prolonger, formulaire conservé
        .at("/reprise", get(crate::features::records::reprise::page))
        .at("/reprise/abandon", post(resume::abandon))
        .at("/session/prolonger", post(resume::extend))
        // Aide – Accessibilité, raccourcis, plan du site
        .at("/accessibilite", get(a11y::page))
        .at("/accessibilite/aide.pdf", get(a11y::help_pdf))
        .at("/raccourcis", post(a11y::toggle_shortcuts))
        .at("/plan-du-site", get(a11y::site_map))
        // Déclaration d'accessibilité
        .at("/accessibilite/declaration", get(statement::statement))
        .at(
            "/accessibilite/signalement",
            get(statement::statement).post(statement::report),
        )
        .at(
            "/gestion/accessibilite",
            get(statement::settings_page).post(statement::save_settings),
        )
}
