//! The bundled source catalog (`catalog/sources.toml`): parsing, validation, and ids for
//! user-added sources.
//!
//! The catalog is human-edited, so every validation error names the TOML line and the entry's id.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use toml::Spanned;

use crate::model::{Feed, Lang, Ownership, Source};

/// The catalog shipped inside the binary.
const BUNDLED: &str = include_str!("../catalog/sources.toml");

/// Refresh interval used when an entry gives none.
pub const DEFAULT_REFRESH_SECS: u32 = 900;

/// Refresh intervals outside this range are almost certainly typos (seconds vs minutes).
const REFRESH_RANGE: std::ops::RangeInclusive<u32> = 60..=86_400;

const MAX_SLUG_LEN: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The text is not valid TOML or does not have the catalog's shape.
    /// The message from `toml` already names the line and column.
    #[error("catalog: {0}")]
    Syntax(String),
    /// One entry breaks a rule.
    #[error("catalog: line {line}, source `{id}`: {reason}")]
    Invalid {
        line: usize,
        id: String,
        reason: String,
    },
    #[error("catalog: no [[source]] entries")]
    Empty,
}

impl CatalogError {
    pub fn code(&self) -> crate::error::Code {
        crate::error::Code::Precondition
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    homepage: Option<String>,
    language: String,
    #[serde(default)]
    country: Option<String>,
    ownership: Ownership,
    #[serde(default)]
    note: Option<String>,
    #[serde(default = "default_true")]
    enabled: bool,
    #[serde(default)]
    refresh_secs: Option<u32>,
    #[serde(default)]
    feeds: Vec<RawFeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    url: String,
    /// Absent means unverified: a URL nobody checked must not look checked.
    #[serde(default)]
    verified: bool,
    /// Where the URL was seen; documentation for catalog editors only.
    #[serde(default)]
    #[allow(dead_code)]
    evidence: Option<String>,
}

fn default_true() -> bool {
    true
}

/// The bundled catalog, validated.
pub fn bundled() -> Result<Vec<Source>, CatalogError> {
    parse_catalog(BUNDLED)
}

/// Parse and validate a catalog: unique slug ids, http(s) URLs, at least one feed per source,
/// a known language, a two-letter country code.
pub fn parse_catalog(toml_text: &str) -> Result<Vec<Source>, CatalogError> {
    let raw: RawCatalog = toml::from_str(toml_text)
        .map_err(|e| CatalogError::Syntax(e.to_string().trim_end().to_string()))?;
    if raw.source.is_empty() {
        return Err(CatalogError::Empty);
    }
    let mut seen_ids = HashSet::new();
    let mut seen_feeds = HashSet::new();
    let mut out = Vec::with_capacity(raw.source.len());
    for entry in raw.source {
        let line = line_of(toml_text, entry.id.span().start);
        let id = entry.id.get_ref().clone();
        let invalid = |reason: String| CatalogError::Invalid {
            line,
            id: id.clone(),
            reason,
        };
        if !is_slug(&id) {
            return Err(invalid(format!(
                "id must be a slug (lowercase a-z, 0-9 and single hyphens, at most {MAX_SLUG_LEN} characters)"
            )));
        }
        if !seen_ids.insert(id.clone()) {
            return Err(invalid("duplicate id".into()));
        }
        let name = entry.name.trim().to_string();
        if name.is_empty() {
            return Err(invalid("name is empty".into()));
        }
        let language = match Lang::from_tag(&entry.language) {
            Some(Lang::Und) | None => {
                return Err(invalid(format!(
                    "unknown language `{}` (use an ISO 639-1 code such as ar, fa, en)",
                    entry.language
                )));
            }
            Some(lang) => lang,
        };
        let country = match entry.country {
            Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
                Some(c.to_ascii_uppercase())
            }
            Some(c) => {
                return Err(invalid(format!(
                    "country `{c}` is not an ISO 3166-1 alpha-2 code"
                )));
            }
            None => None,
        };
        let homepage = match entry.homepage {
            Some(h) => Some(check_http_url(&h).map_err(|r| invalid(format!("homepage: {r}")))?),
            None => None,
        };
        if entry.feeds.is_empty() {
            return Err(invalid(
                "no feeds (add at least one [[source.feeds]] or feeds = [...])".into(),
            ));
        }
        let mut feeds = Vec::with_capacity(entry.feeds.len());
        for f in entry.feeds {
            let url = check_http_url(&f.url).map_err(|r| invalid(format!("feed: {r}")))?;
            if !seen_feeds.insert(url.clone()) {
                return Err(invalid(format!(
                    "feed `{url}` is listed twice in the catalog"
                )));
            }
            feeds.push(Feed {
                url,
                verified: f.verified,
            });
        }
        let refresh_secs = entry.refresh_secs.unwrap_or(DEFAULT_REFRESH_SECS);
        if !REFRESH_RANGE.contains(&refresh_secs) {
            return Err(invalid(format!(
                "refresh_secs {refresh_secs} is outside {}..={} seconds",
                REFRESH_RANGE.start(),
                REFRESH_RANGE.end()
            )));
        }
        let note = entry
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        out.push(Source {
            id,
            name,
            homepage,
            feeds,
            language,
            country,
            ownership: entry.ownership,
            note,
            enabled: entry.enabled,
            refresh_secs,
        });
    }
    Ok(out)
}

/// A stable id for a user-added source, from its name or a URL.
///
/// Names are lowercased to ASCII slugs; URLs use the host (without `www.`/`feeds.`/`rss.`) and the
/// first meaningful path segment. Text with no ASCII letters or digits (an Arabic or Persian name)
/// gets `source-` plus a short hash so it is still stable and unique per input.
pub fn slug_for(name_or_url: &str) -> String {
    let input = name_or_url.trim();
    let basis = match url::Url::parse(input) {
        Ok(u) if matches!(u.scheme(), "http" | "https" | "feed") && u.host_str().is_some() => {
            url_basis(&u)
        }
        _ => input.to_string(),
    };
    let mut slug = slugify(&basis);
    if slug.is_empty() {
        let digest = Sha256::digest(input.as_bytes());
        slug = format!("source-{}", hex::encode(&digest[..4]));
    }
    slug
}

/// Is `s` a valid source id?
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SLUG_LEN
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Path segments that name a feed format rather than a section of the site.
fn is_feed_word(seg: &str) -> bool {
    let s = seg.to_ascii_lowercase();
    let stem = s.split('.').next().unwrap_or("");
    matches!(
        stem,
        "" | "rss"
            | "rss2"
            | "feed"
            | "feeds"
            | "atom"
            | "index"
            | "xml"
            | "rdf"
            | "api"
            | "rss-feed"
    )
}

fn url_basis(u: &url::Url) -> String {
    let host = u.host_str().unwrap_or("");
    let host = ["www.", "feeds.", "rss.", "m."]
        .iter()
        .find_map(|p| host.strip_prefix(p))
        .unwrap_or(host);
    // Drop the TLD (and a second-level `co`/`com` before a country code) to keep ids short.
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels.len() > 1 {
        labels.pop();
        if labels.len() > 1
            && matches!(
                labels.last(),
                Some(&"co" | &"com" | &"org" | &"net" | &"ac")
            )
        {
            labels.pop();
        }
    }
    let mut basis = labels.join("-");
    if let Some(seg) = u
        .path_segments()
        .and_then(|mut s| s.find(|seg| !is_feed_word(seg)))
    {
        basis.push('-');
        basis.push_str(seg);
    }
    basis
}

fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > MAX_SLUG_LEN {
        out.truncate(MAX_SLUG_LEN);
        out = out.trim_end_matches('-').to_string();
    }
    out
}

/// Accept only absolute http(s) URLs; return them trimmed.
pub(crate) fn check_http_url(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let u = url::Url::parse(s).map_err(|e| format!("`{s}` is not a valid URL ({e})"))?;
    if !crate::canonical::is_web(&u) {
        return Err(format!("`{s}` must use http or https"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{s}` has no host"));
    }
    Ok(s.to_string())
}

fn line_of(text: &str, byte_offset: usize) -> usize {
    text.as_bytes()[..byte_offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn bundled_catalog_parses_with_enough_outlets_per_language() {
        let sources = bundled().expect("bundled catalog must be valid");
        assert!(sources.len() >= 45, "only {} outlets", sources.len());
        let mut per_lang: HashMap<&str, usize> = HashMap::new();
        for s in &sources {
            *per_lang.entry(s.language.code()).or_default() += 1;
        }
        for lang in ["ar", "fa", "en"] {
            let n = per_lang.get(lang).copied().unwrap_or(0);
            assert!(n >= 15, "{lang}: only {n} outlets");
        }
    }

    #[test]
    fn bundled_ids_are_unique_slugs_and_entries_complete() {
        let sources = bundled().expect("bundled catalog must be valid");
        let mut ids = HashSet::new();
        for s in &sources {
            assert!(is_slug(&s.id), "{} is not a slug", s.id);
            assert!(ids.insert(s.id.as_str()), "duplicate id {}", s.id);
            assert!(!s.feeds.is_empty(), "{} has no feed", s.id);
            assert!(s.homepage.is_some(), "{} has no homepage", s.id);
            assert!(s.country.is_some(), "{} has no country", s.id);
            assert!(s.note.is_some(), "{} has no note", s.id);
            assert!(
                matches!(s.language, Lang::Ar | Lang::Fa | Lang::En),
                "{}: {}",
                s.id,
                s.language
            );
            assert_eq!(s.refresh_secs, DEFAULT_REFRESH_SECS);
            assert!(s.enabled);
        }
    }

    #[test]
    fn bundled_ownership_values_are_valid_and_varied() {
        // Every value went through serde's enum check; the catalog must also use the distinctions
        // analysts rely on, not lump everything into one bucket.
        let sources = bundled().expect("bundled catalog must be valid");
        let kinds: HashSet<String> = sources
            .iter()
            .map(|s| format!("{:?}", s.ownership))
            .collect();
        for k in [
            "State",
            "PublicBroadcaster",
            "Private",
            "PartyAffiliated",
            "ForeignGovernmentFunded",
        ] {
            assert!(kinds.contains(k), "no outlet with ownership {k}");
        }
        assert!(
            !kinds.contains("Unknown"),
            "catalog entries must state ownership"
        );
        let by_id: HashMap<&str, &Source> = sources.iter().map(|s| (s.id.as_str(), s)).collect();
        assert_eq!(by_id["irna"].ownership, Ownership::State);
        assert_eq!(by_id["bbc-persian"].ownership, Ownership::PublicBroadcaster);
        assert_eq!(by_id["al-manar"].ownership, Ownership::PartyAffiliated);
        assert_eq!(
            by_id["radio-farda"].ownership,
            Ownership::ForeignGovernmentFunded
        );
    }

    #[test]
    fn bundled_feeds_are_http_and_both_verified_and_unverified_exist() {
        let sources = bundled().expect("bundled catalog must be valid");
        let feeds: Vec<&Feed> = sources.iter().flat_map(|s| &s.feeds).collect();
        assert!(
            feeds
                .iter()
                .all(|f| f.url.starts_with("http://") || f.url.starts_with("https://"))
        );
        assert!(feeds.iter().any(|f| f.verified));
        assert!(
            feeds.iter().any(|f| !f.verified),
            "unverifiable outlets must be marked, not dropped"
        );
    }

    /// The registrable part of a host: `feeds.bbci.co.uk` → `bbci.co.uk`, `www.irna.ir` → `irna.ir`.
    fn site(url: &str) -> String {
        let u = url::Url::parse(url).expect("valid url");
        let labels: Vec<&str> = u.host_str().expect("host").split('.').collect();
        let n = labels.len();
        let keep = if n >= 3
            && labels[n - 1].len() == 2
            && ["co", "com", "org", "net", "ac"].contains(&labels[n - 2])
        {
            3
        } else {
            2
        };
        labels[n.saturating_sub(keep)..].join(".")
    }

    #[test]
    fn bundled_feeds_belong_to_their_outlets_site() {
        // Catches a feed pasted under the wrong outlet. Known cases where the feed lives on a
        // sister domain are listed explicitly.
        let sister = [
            ("bbc.com", "bbci.co.uk"),
            ("reuters.com", "reutersagency.com"),
        ];
        for s in bundled().expect("bundled catalog must be valid") {
            let home = site(s.homepage.as_deref().expect("homepage"));
            for f in &s.feeds {
                let feed = site(&f.url);
                assert!(
                    feed == home || sister.contains(&(home.as_str(), feed.as_str())),
                    "{}: feed {} is not on {}",
                    s.id,
                    f.url,
                    home
                );
            }
        }
    }

    const GOOD: &str = r#"
[[source]]
id = "bbc-persian"
name = "BBC Persian"
homepage = "https://www.bbc.com/persian"
language = "fa"
country = "gb"
ownership = "public_broadcaster"
note = "BBC World Service Persian."
feeds = [{ url = "https://feeds.bbci.co.uk/persian/rss.xml", verified = true }]

[[source]]
id = "sana"
name = "SANA"
language = "ar-SY"
ownership = "state"
refresh_secs = 1800
feeds = [{ url = "https://sana.sy/?feed=rss2" }]
"#;

    #[test]
    fn parses_defaults() {
        let s = parse_catalog(GOOD).expect("valid");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].country.as_deref(), Some("GB"));
        assert_eq!(s[0].refresh_secs, 900);
        assert!(s[0].enabled);
        assert!(s[0].feeds[0].verified);
        assert_eq!(s[1].language, Lang::Ar);
        assert_eq!(s[1].refresh_secs, 1800);
        assert!(
            !s[1].feeds[0].verified,
            "verified must default to false in the catalog"
        );
        assert_eq!(s[1].homepage, None);
    }

    fn err_of(text: &str) -> String {
        parse_catalog(text)
            .expect_err("must be rejected")
            .to_string()
    }

    #[test]
    fn duplicate_id_names_line_and_entry() {
        let text = GOOD.replace("id = \"sana\"", "id = \"bbc-persian\"");
        let msg = err_of(&text);
        assert!(
            msg.starts_with("catalog: line 13, source `bbc-persian`"),
            "{msg}"
        );
        assert!(msg.contains("duplicate id"), "{msg}");
    }

    #[test]
    fn bad_ownership_names_line_and_allowed_values() {
        let msg = err_of(&GOOD.replace("ownership = \"state\"", "ownership = \"government\""));
        assert!(msg.contains("line 16"), "{msg}");
        assert!(
            msg.contains("government") && msg.contains("foreign_government_funded"),
            "{msg}"
        );
    }

    #[test]
    fn rejects_bad_entries_with_reason() {
        // (text to replace in GOOD, replacement, expected words in the error)
        let cases = [
            ("\"bbc-persian\"", "\"BBC Persian\"", "slug"),
            (
                "language = \"fa\"",
                "language = \"persian\"",
                "unknown language",
            ),
            (
                "language = \"fa\"",
                "language = \"und\"",
                "unknown language",
            ),
            ("https://sana.sy", "ftp://sana.sy", "http or https"),
            (
                "https://sana.sy/?feed=rss2",
                "sana.sy/rss",
                "not a valid URL",
            ),
            ("country = \"gb\"", "country = \"GBR\"", "alpha-2"),
            ("refresh_secs = 1800", "refresh_secs = 15", "refresh_secs"),
            (
                "feeds = [{ url = \"https://sana.sy/?feed=rss2\" }]",
                "feeds = []",
                "no feeds",
            ),
            (
                "https://sana.sy/?feed=rss2",
                "https://feeds.bbci.co.uk/persian/rss.xml",
                "listed twice",
            ),
        ];
        for (from, to, needle) in cases {
            let msg = err_of(&GOOD.replace(from, to));
            assert!(msg.starts_with("catalog: line "), "{msg}");
            assert!(msg.contains(needle), "expected `{needle}` in: {msg}");
        }
    }

    #[test]
    fn syntax_and_shape_errors_name_the_line() {
        let msg = err_of("[[source]]\nid = \"x\"\nname = \"unterminated\n");
        assert!(msg.starts_with("catalog: "), "{msg}");
        assert!(msg.contains("line 3"), "{msg}");
        let msg = err_of(&GOOD.replace("note = \"BBC", "notes = \"BBC"));
        assert!(msg.contains("notes") && msg.contains("line 9"), "{msg}");
        assert_eq!(err_of("# nothing here\n"), "catalog: no [[source]] entries");
    }

    #[test]
    fn slugs_for_names_and_urls() {
        assert_eq!(slug_for("BBC Persian"), "bbc-persian");
        assert_eq!(slug_for("  Al-Monitor  "), "al-monitor");
        assert_eq!(
            slug_for("Asharq Al-Awsat (English)"),
            "asharq-al-awsat-english"
        );
        assert_eq!(
            slug_for("https://feeds.bbci.co.uk/persian/rss.xml"),
            "bbci-persian"
        );
        assert_eq!(slug_for("https://www.tehrantimes.com/rss"), "tehrantimes");
        assert_eq!(slug_for("https://www.irna.ir/rss"), "irna");
        assert_eq!(slug_for("https://arabic.rt.com/rss/"), "arabic-rt");
        let fa = slug_for("خبرگزاری جمهوری اسلامی");
        assert!(fa.starts_with("source-") && is_slug(&fa), "{fa}");
        assert_eq!(fa, slug_for("خبرگزاری جمهوری اسلامی"), "must be stable");
        assert_ne!(fa, slug_for("الجزيرة"));
        let long = slug_for(&"word ".repeat(40));
        assert!(is_slug(&long) && long.len() <= MAX_SLUG_LEN, "{long}");
    }
}
