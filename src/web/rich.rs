//! Plain text written by families and staff (messages, the school's news) shown as HTML:
//! a blank line starts a paragraph, a line break stays one, and `http://` or `https://`
//! addresses become links. Never raw HTML: every character is escaped by maud, and a link's
//! address is only ever one that starts with `http://` or `https://`.

use maud::{Markup, html};

/// The paragraphs of `text`, with their links.
pub fn paragraphs(text: &str) -> Markup {
    let text = text.replace("\r\n", "\n");
    html! {
        @for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p.rich {
                @for (i, line) in para.lines().enumerate() {
                    @if i > 0 { br; }
                    (linked(line))
                }
            }
        }
    }
}

/// One line, its web addresses made links.
fn linked(line: &str) -> Markup {
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut rest = line;
    while let Some(start) = find_url(rest) {
        let (before, from) = rest.split_at(start);
        let end = from.find(char::is_whitespace).unwrap_or(from.len());
        let mut url = &from[..end];
        // Punctuation that ends a sentence is not part of the address.
        while let Some(c) = url.chars().last() {
            let unmatched_paren = c == ')' && url.matches('(').count() < url.matches(')').count();
            if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '»' | '"' | '\'') || unmatched_paren
            {
                url = &url[..url.len() - c.len_utf8()];
            } else {
                break;
            }
        }
        if !before.is_empty() {
            parts.push((false, before));
        }
        let scheme_only = url == "http://" || url == "https://";
        parts.push((!scheme_only, url));
        rest = &from[url.len()..];
    }
    if !rest.is_empty() {
        parts.push((false, rest));
    }
    html! {
        @for (link, s) in parts {
            @if link { a href=(s) rel="noopener noreferrer nofollow" { (s) } } @else { (s) }
        }
    }
}

fn find_url(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    [lower.find("https://"), lower.find("http://")]
        .into_iter()
        .flatten()
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_line_breaks() {
        let html = paragraphs("Bonjour,\nles cours reprennent.\n\n\nÀ bientôt").into_string();
        assert_eq!(
            html,
            "<p class=\"rich\">Bonjour,<br>les cours reprennent.</p><p class=\"rich\">À bientôt</p>"
        );
    }

    #[test]
    fn addresses_become_links_without_their_final_punctuation() {
        let html = paragraphs("Voir https://ecole.example/concert?x=1&y=2. Merci").into_string();
        assert!(html.contains(
            "<a href=\"https://ecole.example/concert?x=1&amp;y=2\" rel=\"noopener noreferrer nofollow\">https://ecole.example/concert?x=1&amp;y=2</a>. Merci"
        ), "{html}");
        let html = paragraphs("(voir http://a.example/b)").into_string();
        assert!(html.contains(">http://a.example/b</a>)"), "{html}");
    }

    #[test]
    fn html_is_text_and_other_schemes_are_not_links() {
        let html = paragraphs("<script>alert(1)</script> javascript:alert(1) <a href=x>y</a>")
            .into_string();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<a "), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let html = paragraphs("\"https://x.example/\"onmouseover=\"alert(1)").into_string();
        assert!(!html.contains("onmouseover=\"alert"), "{html}");
    }
}
