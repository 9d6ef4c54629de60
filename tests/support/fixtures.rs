//! The catalogue of fixture feeds: real items in every format and encoding, and every way a
//! feed server goes wrong, each with what a correct reader must make of it.

use super::corpus::{Corpus, RawItem};
use super::render::{Channel, DateSpec, Entry, Format, encode, render};
use super::server::{Behaviour, StaticFeed};
use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use encoding_rs::{Encoding, ISO_8859_6, UTF_8, WINDOWS_1256};
use parallax::error::Code;
use std::time::Duration;

/// What reading a fixture must give.
#[derive(Debug, Clone)]
pub enum Expect {
    /// A feed: these entries (as served) become items.
    Items(Vec<Entry>),
    /// A clear error of this category whose message contains `says`.
    Fails { code: Code, says: &'static str },
}

#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: String,
    pub behaviour: Behaviour,
    pub expect: Expect,
}

/// Where `redirected` points: served, but not a source of its own in the ingest tests.
pub const MOVED: &str = "moved/fa-rss2";

/// Items per fixture feed.
const PER_FEED: usize = 12;

/// Dated items for sources that kept no dates (the Persian set): one an hour back from a fixed time.
fn dated(items: &[RawItem]) -> Vec<Entry> {
    let base = Utc
        .with_ymd_and_hms(2020, 4, 20, 8, 0, 0)
        .single()
        .unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(i, it)| Entry::from_raw(it, base - Days::hours(i as i64)))
        .collect()
}

fn channel(title: &str, lang: &str, xml_encoding: Option<&str>) -> Channel {
    Channel {
        title: title.to_owned(),
        site: format!(
            "https://{}.example/",
            title.to_lowercase().replace(' ', "-")
        ),
        lang: lang.to_owned(),
        xml_encoding: xml_encoding.map(str::to_owned),
        ttl_minutes: None,
    }
}

/// Items whose every character exists in `enc` (so they round-trip without references).
fn encodable<'a>(items: &'a [RawItem], enc: &'static Encoding) -> Vec<&'a RawItem> {
    items
        .iter()
        .filter(|it| {
            !enc.encode(&format!("{}{}{}", it.title, it.summary, it.tags.join("")))
                .2
        })
        .collect()
}

fn feed(
    name: &str,
    format: Format,
    ch: &Channel,
    entries: Vec<Entry>,
    enc: &'static Encoding,
    content_type: Option<&str>,
) -> Fixture {
    let text = render(format, ch, &entries);
    let body = if enc == UTF_8 {
        text.into_bytes()
    } else {
        encode(&text, enc).0
    };
    let ct = content_type
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}; charset=utf-8", format.content_type()));
    Fixture {
        name: name.to_owned(),
        behaviour: Behaviour::Feed(StaticFeed::new(body, &ct)),
        expect: Expect::Items(entries),
    }
}

fn raw(
    name: &str,
    body: impl Into<bytes::Bytes>,
    content_type: &str,
    code: Code,
    says: &'static str,
) -> Fixture {
    Fixture {
        name: name.to_owned(),
        behaviour: Behaviour::Feed(StaticFeed::new(body, content_type)),
        expect: Expect::Fails { code, says },
    }
}

fn failing(name: &str, behaviour: Behaviour, code: Code, says: &'static str) -> Fixture {
    Fixture {
        name: name.to_owned(),
        behaviour,
        expect: Expect::Fails { code, says },
    }
}

/// Every fixture. Names are URL paths.
pub fn catalogue(c: &Corpus) -> Vec<Fixture> {
    let fa = dated(&c.fa);
    let take = |v: &[Entry], from: usize| {
        v.iter()
            .skip(from)
            .take(PER_FEED)
            .cloned()
            .collect::<Vec<_>>()
    };
    let ar_utf8 = entries_of(&c.ar);
    let en = entries_of(&c.en);
    // Disjoint slices per fixture: the store dedupes by URL across sources, and each fixture's
    // items must be its own.
    let entry = |it: &RawItem| Entry::from_raw(it, persian_base_time());
    let ar_1256: Vec<Entry> = encodable(c.ar.get(100..).unwrap_or_default(), WINDOWS_1256)
        .into_iter()
        .map(entry)
        .collect();
    let ar_8859: Vec<Entry> = encodable(c.ar.get(200..).unwrap_or_default(), ISO_8859_6)
        .into_iter()
        .map(entry)
        .collect();

    let mut fa_ttl = channel("NTREX Persian", "fa", Some("UTF-8"));
    fa_ttl.ttl_minutes = Some(45);
    let mut out = vec![
        // Well-formed feeds in every format, UTF-8.
        feed("fa-rss2", Format::Rss2, &fa_ttl, take(&fa, 0), UTF_8, None),
        feed(
            "fa-atom",
            Format::Atom,
            &channel("NTREX Persian Atom", "fa", Some("utf-8")),
            take(&fa, 12),
            UTF_8,
            None,
        ),
        feed(
            "fa-json",
            Format::JsonFeed,
            &channel("NTREX Persian JSON", "fa", None),
            take(&fa, 24),
            UTF_8,
            None,
        ),
        feed(
            "ar-rss2",
            Format::Rss2,
            &channel("NTREX Arabic", "ar", Some("UTF-8")),
            take(&ar_utf8, 0),
            UTF_8,
            None,
        ),
        feed(
            "ar-atom",
            Format::Atom,
            &channel("NTREX Arabic Atom", "ar", Some("UTF-8")),
            take(&ar_utf8, 12),
            UTF_8,
            None,
        ),
        feed(
            "en-rdf",
            Format::Rdf,
            &channel("NTREX English RDF", "en", Some("UTF-8")),
            take(&en, 0),
            UTF_8,
            None,
        ),
        feed(
            "en-json",
            Format::JsonFeed,
            &channel("NTREX English JSON", "en", None),
            take(&en, 12),
            UTF_8,
            None,
        ),
        // Legacy encodings, labelled every way servers label them.
        feed(
            "ar-rss2-1256",
            Format::Rss2,
            &channel("Arabic 1256", "ar", Some("windows-1256")),
            take(&ar_1256, 0),
            WINDOWS_1256,
            Some("application/rss+xml; charset=windows-1256"),
        ),
        feed(
            "ar-rss2-1256-decl-only",
            Format::Rss2,
            &channel("Arabic 1256 decl", "ar", Some("windows-1256")),
            take(&ar_1256, 12),
            WINDOWS_1256,
            Some("application/rss+xml"),
        ),
        feed(
            "ar-atom-1256-unlabelled",
            Format::Atom,
            &channel("Arabic 1256 unlabelled", "ar", None),
            take(&ar_1256, 24),
            WINDOWS_1256,
            Some("application/atom+xml"),
        ),
        feed(
            "ar-rss2-1256-wrong-header",
            Format::Rss2,
            &channel("Arabic 1256 wrong header", "ar", Some("windows-1256")),
            take(&ar_1256, 36),
            WINDOWS_1256,
            Some("application/rss+xml; charset=utf-8"),
        ),
        feed(
            "ar-rdf-1256-says-utf8",
            Format::Rdf,
            &channel("Arabic 1256 says utf8", "ar", Some("UTF-8")),
            take(&ar_1256, 48),
            WINDOWS_1256,
            Some("application/rdf+xml; charset=UTF-8"),
        ),
        feed(
            "ar-rss2-8859-6",
            Format::Rss2,
            &channel("Arabic 8859-6", "ar", Some("ISO-8859-6")),
            take(&ar_8859, 0),
            ISO_8859_6,
            Some("text/xml; charset=ISO-8859-6"),
        ),
        // Persian in windows-1256: characters it lacks (ی, ۰-۹) become numeric references.
        feed(
            "fa-rss2-1256-ncr",
            Format::Rss2,
            &channel("Persian 1256", "fa", Some("windows-1256")),
            take(&fa, 36),
            WINDOWS_1256,
            Some("application/rss+xml; charset=windows-1256"),
        ),
    ];
    // UTF-8 with a BOM under a stale windows-1256 label: the BOM wins.
    {
        let entries = take(&fa, 48);
        let mut body = vec![0xEF, 0xBB, 0xBF];
        body.extend(
            render(
                Format::Rss2,
                &channel("Persian BOM", "fa", Some("windows-1256")),
                &entries,
            )
            .into_bytes(),
        );
        out.push(Fixture {
            name: "fa-rss2-bom".into(),
            behaviour: Behaviour::Feed(StaticFeed::new(
                body,
                "application/rss+xml; charset=windows-1256",
            )),
            expect: Expect::Items(entries),
        });
    }
    // Gzip on the wire, no validators (every fetch is a full fetch).
    {
        let entries = take(&en, 24);
        let body = render(
            Format::Rss2,
            &channel("English gzip", "en", Some("UTF-8")),
            &entries,
        );
        out.push(Fixture {
            name: "en-rss2-gzip".into(),
            behaviour: Behaviour::Feed(
                StaticFeed::new(body, "application/rss+xml")
                    .gzipped()
                    .without_validators(),
            ),
            expect: Expect::Items(entries),
        });
    }
    out.push(feed(
        MOVED,
        Format::Rss2,
        &channel("Moved", "fa", Some("UTF-8")),
        take(&fa, 84),
        UTF_8,
        None,
    ));
    out.push(Fixture {
        name: "redirected".into(),
        behaviour: Behaviour::Redirect { to: MOVED.into() },
        expect: Expect::Items(take(&fa, 84)),
    });

    // Odd but valid feeds.
    out.push(feed(
        "empty",
        Format::Rss2,
        &channel("Empty", "ar", Some("UTF-8")),
        Vec::new(),
        UTF_8,
        None,
    ));
    let mut bare = take(&fa, 60);
    for e in &mut bare {
        e.guid = None;
        e.link = None;
    }
    out.push(feed(
        "no-guid-no-link",
        Format::Rss2,
        &channel("Bare", "fa", Some("UTF-8")),
        bare,
        UTF_8,
        None,
    ));
    let mut dup = take(&ar_utf8, 72);
    let first_guid = dup[0].guid.clone();
    for e in dup.iter_mut().take(4) {
        e.guid = first_guid.clone();
    }
    out.push(feed(
        "duplicate-guids",
        Format::Rss2,
        &channel("Dup", "ar", Some("UTF-8")),
        dup,
        UTF_8,
        None,
    ));
    let mut future = take(&en, 36);
    let far = Utc
        .with_ymd_and_hms(2099, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    for e in &mut future {
        e.date = DateSpec::At(far);
    }
    out.push(feed(
        "future-dates",
        Format::Rss2,
        &channel("Future", "en", Some("UTF-8")),
        future,
        UTF_8,
        None,
    ));
    let mut local_dates = take(&fa, 72);
    for (i, e) in local_dates.iter_mut().enumerate() {
        e.date = DateSpec::Raw(if i % 2 == 0 {
            "۱۳۹۹/۰۲/۰۱ - ۱۲:۳۰".into()
        } else {
            "الأحد، 2 أغسطس 2015 - 10:30 ص".into()
        });
    }
    out.push(feed(
        "local-dates",
        Format::Rss2,
        &channel("Local dates", "fa", Some("UTF-8")),
        local_dates,
        UTF_8,
        None,
    ));

    // Not feeds.
    let first_fa = &fa[0].title;
    out.push(raw(
        "html-page",
        format!("<!DOCTYPE html><html lang=\"fa\"><head><title>{first_fa}</title><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/fa-rss2\"></head><body><h1>{first_fa}</h1></body></html>"),
        "text/html; charset=utf-8",
        Code::FeedFormat,
        "parse",
    ));
    let good = render(
        Format::Rss2,
        &channel("Broken", "ar", Some("UTF-8")),
        &take(&ar_utf8, 84),
    );
    out.push(raw(
        "malformed-xml",
        good.replacen("</title>", "</titel>", 3),
        "application/rss+xml",
        Code::FeedFormat,
        "parse",
    ));
    let cut = good
        .char_indices()
        .nth(good.chars().count() / 2)
        .map(|(i, _)| i)
        .unwrap_or(0);
    out.push(raw(
        "truncated-xml",
        good[..cut].to_owned(),
        "application/rss+xml",
        Code::FeedFormat,
        "parse",
    ));
    out.push(raw(
        "xml-bomb",
        xml_bomb(),
        "application/rss+xml",
        Code::FeedFormat,
        "parse",
    ));

    // Servers misbehaving.
    out.push(failing(
        "endless",
        Behaviour::Endless,
        Code::FeedFormat,
        "larger than",
    ));
    out.push(failing(
        "slow-drip",
        Behaviour::SlowDrip {
            every: Duration::from_millis(200),
        },
        Code::Network,
        "no complete response",
    ));
    out.push(failing(
        "redirect-loop",
        Behaviour::RedirectLoop,
        Code::Network,
        "redirects",
    ));
    out.push(failing(
        "not-found",
        Behaviour::Status {
            code: 404,
            retry_after: None,
        },
        Code::Network,
        "HTTP 404",
    ));
    out.push(failing(
        "server-error",
        Behaviour::Status {
            code: 500,
            retry_after: None,
        },
        Code::Network,
        "HTTP 500",
    ));
    out.push(failing(
        "rate-limited",
        Behaviour::Status {
            code: 429,
            retry_after: Some("120".into()),
        },
        Code::Network,
        "HTTP 429 (retry after 120s)",
    ));
    let later = (Utc::now() + Days::hours(2))
        .to_rfc2822()
        .replace("+0000", "GMT");
    out.push(failing(
        "unavailable",
        Behaviour::Status {
            code: 503,
            retry_after: Some(later),
        },
        Code::Network,
        "HTTP 503 (retry after",
    ));
    out
}

/// "Billion laughs": ten nested entity levels that expand to 10^9 copies if a parser expands them.
fn xml_bomb() -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        s.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    s.push_str("]>\n<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>bomb</guid></item></channel></rss>\n");
    s
}

/// The time the Persian fixtures' first item carries.
pub fn persian_base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 4, 20, 8, 0, 0)
        .single()
        .unwrap_or_default()
}

/// `n` well-formed feeds of real items for the fetch benchmark, named `bench/{i}`: languages and
/// XML formats rotate (no JSON Feed: newsboat, the comparison, does not read it), 25 items each.
pub fn bench_feeds(c: &Corpus, n: usize) -> Vec<(String, Behaviour)> {
    const ITEMS: usize = 25;
    let langs: [(&str, Vec<Entry>); 3] = [
        ("fa", dated(&c.fa)),
        ("ar", entries_of(&c.ar)),
        ("en", entries_of(&c.en)),
    ];
    let formats = [Format::Rss2, Format::Atom, Format::Rdf];
    (0..n)
        .map(|i| {
            let (lang, items) = &langs[i % 3];
            // Disjoint items per feed while the corpus lasts (Persian wraps after ~99 feeds).
            let start = (i / 3 * ITEMS) % items.len().saturating_sub(ITEMS).max(1);
            let entries: Vec<Entry> = items.iter().skip(start).take(ITEMS).cloned().collect();
            let ch = channel(&format!("Bench {i}"), lang, Some("UTF-8"));
            let format = formats[(i / 3) % 3];
            let feed = StaticFeed::new(
                render(format, &ch, &entries),
                &format!("{}; charset=utf-8", format.content_type()),
            );
            (format!("bench/{i}"), Behaviour::Feed(feed))
        })
        .collect()
}

fn entries_of(items: &[RawItem]) -> Vec<Entry> {
    let fallback = persian_base_time();
    items
        .iter()
        .map(|it| Entry::from_raw(it, fallback))
        .collect()
}
