//! Messages between a family and its school: a family starts a thread (subject, text, an
//! optional attachment under the upload rules), staff answer in it and close it; each side
//! sees its unread count in the menu and is told by mail (the text only if the school allows
//! it, `site.mail_message_text`). Staff see their own school's threads only.

pub mod routes;
pub mod store;
pub mod views;
