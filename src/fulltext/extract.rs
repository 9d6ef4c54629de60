//! Main-text extraction with `dom_smoothie` (a Rust port of Mozilla's Readability.js).
//! Chosen over `readabilityrs` on the committed ar/fa/en article pages: see the README's
//! "Full-text articles" section for the numbers.

use super::FulltextError;

/// An article's main text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// Plain text, paragraphs separated by blank lines (no markup survives).
    pub text: String,
    /// The direction the page declares (`rtl`, `ltr`), when it does.
    pub dir: Option<String>,
}

/// Extract the main text of `html`; `url` resolves relative links (not fetched).
pub fn extract(html: &str, url: Option<&str>) -> Result<Extracted, FulltextError> {
    let cfg = dom_smoothie::Config {
        // Block-level breaks kept as newlines, so paragraphs survive as paragraphs.
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let mut readability = dom_smoothie::Readability::new(html, url, Some(cfg))
        .map_err(|e| FulltextError::Html(e.to_string()))?;
    let article = match readability.parse() {
        Ok(a) => a,
        // "No content" is the usual failure; any other is reported as it is.
        Err(dom_smoothie::ReadabilityError::GrabFailed) => return Err(FulltextError::NoText),
        Err(e) => return Err(FulltextError::Html(e.to_string())),
    };
    let text = paragraphs(&article.text_content);
    if text.is_empty() {
        return Err(FulltextError::NoText);
    }
    Ok(Extracted {
        text,
        dir: article.dir,
    })
}

/// Lines trimmed, runs of spaces collapsed, empty lines dropped, paragraphs joined by a blank line.
fn paragraphs(raw: &str) -> String {
    raw.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_is_left_out() {
        let body = "<p>The ministry said on Tuesday that talks would resume next week in Muscat, after two rounds ended without agreement on the sequencing of sanctions relief.</p>"
            .repeat(4);
        let html = format!(
            "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav><article><h1>Talks</h1>{body}</article><footer>Copyright 2024 Example News</footer></body></html>"
        );
        let got = extract(&html, Some("https://example.org/a")).unwrap();
        assert!(got.text.contains("talks would resume next week in Muscat"));
        assert!(!got.text.contains("Copyright"), "{}", got.text);
        assert!(!got.text.contains("<p>"));
    }

    #[test]
    fn a_page_without_text_is_an_error() {
        let e = extract("<html><body></body></html>", None).unwrap_err();
        assert!(matches!(e, FulltextError::NoText), "{e:?}");
    }
}
