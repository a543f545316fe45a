//! Personnel: the school's staff accounts, each with a name, an e-mail and a role
//! (administrateur, secrétariat). Created by `portee staff invite`; the invitation is the
//! reset flow's single-use link, valid 7 days, to choose a first password.

pub mod store;
