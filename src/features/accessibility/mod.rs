//! Accessibilité: the help page (accessible mode, keyboard shortcuts, screen-reader tips,
//! the same help as a tagged PDF), the site map, and each school's accessibility statement
//! (RGAA model) with its report form and the staff's settings.

pub mod help;
pub mod pages;
pub mod statement;
