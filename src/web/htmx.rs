//! What an htmx request swaps, so that it gets only that: the design's "semantic maud
//! fragments that htmx swaps into place". Without JavaScript (and in the accessible mode,
//! which loads no htmx) every request is a plain one and gets the whole page.
//!
//! - A boosted link of the menu (`HX-Boosted`) swaps `main`'s content: it gets that, with
//!   the new title and, out of band, the menu (its current entry) and the display switch's
//!   return address (`layout::shell`).
//! - A live search (`HX-Target: operations`) gets its results region alone (the views
//!   that have one ask `Ctx::swaps`).
//! - A history restore (`HX-History-Restore-Request`, sent with `HX-Request` by htmx 2)
//!   gets the whole page: htmx puts it in place of the body.
//!
//! Responses vary on these headers (`Vary`, set by the context middleware), and pages are
//! never stored (`Cache-Control: no-store`), so a fragment never stands for a page.

use poem::Request;

/// The headers a page's answer depends on.
pub const VARY: &str = "HX-Request, HX-Boosted, HX-Target, HX-History-Restore-Request";

/// What the request will put in place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Swap {
    /// A plain request, or a history restore: the whole page.
    #[default]
    Page,
    /// A boosted link: `main`'s content.
    Main,
    /// The element with this id (a live search's results).
    Target(String),
}

fn flag(req: &Request, name: &str) -> bool {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "true")
}

/// What `req` swaps, from htmx's headers.
pub fn swap_of(req: &Request) -> Swap {
    if !flag(req, "HX-Request") || flag(req, "HX-History-Restore-Request") {
        return Swap::Page;
    }
    if flag(req, "HX-Boosted") {
        return Swap::Main;
    }
    match req.headers().get("HX-Target").and_then(|v| v.to_str().ok()) {
        Some(id) if !id.is_empty() => Swap::Target(id.to_owned()),
        _ => Swap::Page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder();
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.finish()
    }

    #[test]
    fn each_kind_of_htmx_request_gets_what_it_swaps() {
        assert_eq!(swap_of(&req(&[])), Swap::Page);
        assert_eq!(
            swap_of(&req(&[("HX-Request", "true"), ("HX-Boosted", "true")])),
            Swap::Main
        );
        assert_eq!(
            swap_of(&req(&[("HX-Request", "true"), ("HX-Target", "operations")])),
            Swap::Target("operations".into())
        );
        // A history restore is a whole page, whatever else it says.
        assert_eq!(
            swap_of(&req(&[
                ("HX-Request", "true"),
                ("HX-Boosted", "true"),
                ("HX-History-Restore-Request", "true")
            ])),
            Swap::Page
        );
        // Without HX-Request, the other headers mean nothing.
        assert_eq!(swap_of(&req(&[("HX-Boosted", "true")])), Swap::Page);
    }
}
