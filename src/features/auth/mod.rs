//! Connexion, mot de passe perdu / première connexion, réinitialisation, mot de passe,
//! déconnexion and the display-mode switch.

pub mod password;
pub mod routes;
pub mod sessions;
pub mod store;
pub mod throttle;
pub mod views;

pub use routes::info_text;
