//! Real news items from the committed text fixtures (`tests/fixtures/text`: NTREX-128 news
//! sentences and Wikipedia "In the news" blurbs, both openly licensed; see their SOURCE.md), the
//! raw material of every fixture feed. Committed, so the tests need no `../shared`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::{Path, PathBuf};

/// One real headline as the source dataset gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawItem {
    pub title: String,
    pub summary: String,
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub tags: Vec<String>,
}

/// Real items per language.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Persian: NTREX sentences (no dates), then ITN blurbs.
    pub fa: Vec<RawItem>,
    /// Arabic: NTREX sentences (dated one an hour apart), then ITN blurbs.
    pub ar: Vec<RawItem>,
    /// English: NTREX sentences (dated one an hour apart), then ITN blurbs.
    pub en: Vec<RawItem>,
}

/// `tests/fixtures/text` in this repository.
pub fn fixture_text_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text")
}

impl Corpus {
    /// At most `per_lang` items of each language from `dir` (a `tests/fixtures/text` layout).
    pub fn load(dir: &Path, per_lang: usize) -> Result<Corpus, String> {
        let itn = itn_rows(dir)?;
        let lang = |code: &str, lang: &str, dated: bool| -> Result<Vec<RawItem>, String> {
            let mut out = ntrex(dir, code, lang, dated)?;
            out.extend(
                itn.iter()
                    .filter(|(l, _)| l == lang)
                    .map(|(_, it)| it.clone()),
            );
            out.truncate(per_lang);
            Ok(out)
        };
        Ok(Corpus {
            fa: lang("fas", "fa", false)?,
            ar: lang("arb", "ar", true)?,
            en: lang("eng-US", "en", true)?,
        })
    }

    /// The committed fixture corpus (a missing or unreadable fixture is a test failure).
    pub fn fixtures(per_lang: usize) -> Corpus {
        Corpus::load(&fixture_text_dir(), per_lang)
            .unwrap_or_else(|e| panic!("committed text fixtures: {e}"))
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// One item per NTREX sentence: the next sentence of the same document as its summary, the
/// document's outlet as its tag. NTREX keeps no dates; `dated` gives one an hour apart.
fn ntrex(dir: &Path, code: &str, lang: &str, dated: bool) -> Result<Vec<RawItem>, String> {
    let d = dir.join("ntrex128");
    let lines = read(&d.join(format!("newstest2019-ref.{code}.txt")))?;
    let ids = read(&d.join("DOCUMENT_IDS.tsv"))?;
    let lines: Vec<&str> = lines.lines().collect();
    let ids: Vec<&str> = ids.lines().collect();
    let base = Utc
        .with_ymd_and_hms(2019, 11, 20, 8, 0, 0)
        .single()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, (line, doc)) in lines.iter().zip(&ids).enumerate() {
        let next_same_doc = ids.get(i + 1) == Some(doc);
        out.push(RawItem {
            title: line.trim().to_owned(),
            summary: if next_same_doc {
                lines
                    .get(i + 1)
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default()
            } else {
                String::new()
            },
            link: Some(format!("https://{lang}.ntrex.example/{doc}/{i}")),
            published: dated.then(|| base - Duration::hours(i as i64)),
            tags: vec![doc.split('.').next().unwrap_or(doc).to_owned()],
        });
    }
    Ok(out)
}

/// (lang, item) of every ITN blurb in the fixture story set.
fn itn_rows(dir: &Path) -> Result<Vec<(String, RawItem)>, String> {
    #[derive(serde::Deserialize)]
    struct Row {
        id: String,
        lang: String,
        published: Option<DateTime<Utc>>,
        url: Option<String>,
        title: String,
        #[serde(default)]
        text: String,
    }
    let path = dir.join("stories/itn-ar-fa-en.jsonl");
    let mut out = Vec::new();
    for (n, line) in read(&path)?.lines().enumerate() {
        let r: Row =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        // Several blurbs link one article: the fragment keeps each item's URL its own.
        let link = r.url.map(|u| format!("{u}#{}", r.id));
        out.push((
            r.lang,
            RawItem {
                title: r.title,
                summary: r.text,
                link,
                published: r.published,
                tags: Vec::new(),
            },
        ));
    }
    Ok(out)
}
