//! URL canonicalisation: one article reached through a feed link, a share link or a newsletter
//! must map to one URL, so dedupe and "who reported first" compare like with like.
//!
//! Rules: resolve against the base, accept only http/https, lowercase scheme and host (the `url`
//! crate does this and IDNA-encodes hosts), drop the default port and the fragment (except `#!`
//! routes, which some sites use as the path), drop known tracking parameters, keep every other
//! parameter in its original order, and upper-case percent escapes so `%d8%a7` and `%D8%A7` agree.

use url::Url;

/// Query parameters that only say how a reader arrived (campaign, click id, newsletter id).
const TRACKING_EXACT: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ref_src",
    "ref_url",
    "ocid",
    "cmpid",
    "xtor",
    "ito",
    "wt.mc_id",
    "ns_mchannel",
    "ns_source",
    "ns_campaign",
    "ns_linkname",
    "ns_fee",
    "s_cid",
    "icid",
];

/// Prefixes of tracking parameters (`utm_source`, BBC's AT Internet `at_medium`, `at_custom1`, ...).
const TRACKING_PREFIXES: &[&str] = &["utm_", "at_", "pk_", "mtm_"];

/// `ref=` is kept unless its value names a traffic channel: on some sites `ref` selects content.
const REF_CHANNEL_VALUES: &[&str] = &[
    "rss",
    "feed",
    "feeds",
    "feedburner",
    "twitter",
    "tw",
    "facebook",
    "fb",
    "social",
    "newsletter",
    "email",
    "mail",
    "share",
    "telegram",
    "whatsapp",
];

fn is_tracking(key: &str, value: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if TRACKING_EXACT.contains(&k.as_str()) || TRACKING_PREFIXES.iter().any(|p| k.starts_with(p)) {
        return true;
    }
    k == "ref" && REF_CHANNEL_VALUES.contains(&value.to_ascii_lowercase().as_str())
}

/// The one check for "a web address": http or https with a host. Everything Parallax fetches,
/// links to or resolves against passes it; `javascript:`, `file:`, `data:` and the rest do not.
pub fn is_web(url: &url::Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
}

/// Canonical form of `url` resolved against `base`; `None` when it is not an http(s) URL
/// (`javascript:`, `mailto:`, garbage) or cannot be resolved.
pub fn canonicalize(url: &str, base: &str) -> Option<String> {
    let raw = url.trim();
    if raw.is_empty() {
        return None;
    }
    let mut parsed = match Url::parse(raw) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            Url::parse(base.trim()).ok()?.join(raw).ok()?
        }
        Err(_) => return None,
    };
    if !is_web(&parsed) {
        return None;
    }
    if parsed.fragment().is_some_and(|f| !f.starts_with('!')) {
        parsed.set_fragment(None);
    }
    if parsed.query().is_some() {
        // Rebuild from the raw pairs (not decoded ones) so kept parameters stay byte-identical.
        let kept: Vec<String> = parsed
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                !is_tracking(k, v)
            })
            .map(str::to_string)
            .collect();
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.set_query(Some(&kept.join("&")));
        }
    }
    Some(upper_percent_escapes(parsed.as_str()))
}

/// `%d8%a7` → `%D8%A7` (RFC 3986 §6.2.2.1: escapes are case-insensitive, uppercase is canonical).
fn upper_percent_escapes(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push('%');
            out.push(bytes[i + 1].to_ascii_uppercase() as char);
            out.push(bytes[i + 2].to_ascii_uppercase() as char);
            i += 3;
        } else {
            // Canonical URLs from `url` are ASCII, so byte-wise copying is exact.
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::canonicalize;

    const BASE: &str = "https://news.example.org/rss";

    fn c(u: &str) -> Option<String> {
        canonicalize(u, BASE)
    }

    #[test]
    fn resolves_relative_links_against_the_base() {
        assert_eq!(
            c("/news/488").as_deref(),
            Some("https://news.example.org/news/488")
        );
        assert_eq!(
            c("news/1?a=1").as_deref(),
            Some("https://news.example.org/news/1?a=1")
        );
        assert_eq!(
            c("//cdn.example.org/x").as_deref(),
            Some("https://cdn.example.org/x")
        );
    }

    #[test]
    fn lowercases_scheme_and_host_and_drops_default_port_and_fragment() {
        assert_eq!(
            c("HTTPS://WWW.BBC.com:443/persian/iran-123#comments").as_deref(),
            Some("https://www.bbc.com/persian/iran-123")
        );
        assert_eq!(
            c("http://Example.org:80/a/B").as_deref(),
            Some("http://example.org/a/B")
        );
    }

    #[test]
    fn keeps_hashbang_routes() {
        assert_eq!(
            c("https://example.org/#!/story/5").as_deref(),
            Some("https://example.org/#!/story/5")
        );
    }

    #[test]
    fn removes_tracking_parameters_and_keeps_meaningful_ones() {
        assert_eq!(
            c("https://www.bbc.com/persian/articles/c1?at_medium=RSS&at_campaign=KARANGA&utm_source=rss").as_deref(),
            Some("https://www.bbc.com/persian/articles/c1")
        );
        assert_eq!(
            c("https://example.org/story.php?id=42&utm_medium=social&fbclid=IwAR0x&page=2&gclid=abc").as_deref(),
            Some("https://example.org/story.php?id=42&page=2")
        );
        assert_eq!(
            c("https://example.org/a?mc_cid=1&mc_eid=2&ref_src=twsrc%5Etfw").as_deref(),
            Some("https://example.org/a")
        );
        // `ref` naming a traffic channel is tracking; a `ref` that selects content stays.
        assert_eq!(
            c("https://example.org/a?ref=rss").as_deref(),
            Some("https://example.org/a")
        );
        assert_eq!(
            c("https://example.org/diff?ref=main&q=x").as_deref(),
            Some("https://example.org/diff?ref=main&q=x")
        );
    }

    #[test]
    fn percent_encodes_persian_paths_identically_whatever_the_input_form() {
        let raw = c("https://news.example.org/news/488/مردم-مقدونیه");
        let lower = c(
            "https://news.example.org/news/488/%d9%85%d8%b1%d8%af%d9%85-%d9%85%d9%82%d8%af%d9%88%d9%86%db%8c%d9%87",
        );
        assert!(raw.is_some());
        assert_eq!(raw, lower);
        assert!(raw.as_deref().is_some_and(|u| u.contains("%D9%85%D8%B1")));
    }

    #[test]
    fn rejects_non_http_schemes_and_garbage() {
        assert_eq!(c("javascript:alert(1)"), None);
        assert_eq!(c("mailto:desk@example.org"), None);
        assert_eq!(c("data:text/html,<script>"), None);
        assert_eq!(c("   "), None);
        assert_eq!(canonicalize("/relative", "not a url"), None);
        assert_eq!(c("http://"), None);
    }

    #[test]
    fn is_idempotent() {
        for u in [
            "https://www.bbc.com/persian/articles/c1?at_medium=RSS",
            "https://news.example.org/home/article/253/رئيس-الوزراء",
            "/news/1?id=3&utm_source=x#frag",
        ] {
            let once = c(u).expect("canonical");
            assert_eq!(c(&once).as_deref(), Some(once.as_str()), "{u}");
        }
    }
}
