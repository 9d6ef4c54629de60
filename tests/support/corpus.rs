//! Real news items from `../shared/data`, the raw material of every fixture feed.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use std::io::{BufRead, BufReader};
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
    /// Persian: Hamshahri and Radio Farda feed items (April 2020, no dates).
    pub fa: Vec<RawItem>,
    /// Arabic: Saudi outlets' headlines (July–August 2015).
    pub ar: Vec<RawItem>,
    /// English: Google News headlines with descriptions.
    pub en: Vec<RawItem>,
}

/// `../shared/data` beside the repository (or `$PARALLAX_SHARED/data`), when present.
pub fn shared_data_dir() -> Option<PathBuf> {
    let root = std::env::var_os("PARALLAX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let data = root.join("data");
    data.join("fa-hamshahri-radiofarda-2020")
        .is_dir()
        .then_some(data)
}

impl Corpus {
    /// Load at most `per_lang` items of each language.
    pub fn load(data: &Path, per_lang: usize) -> Result<Corpus, String> {
        Ok(Corpus {
            fa: load_fa(data, per_lang)?,
            ar: load_ar(data, per_lang)?,
            en: load_en(data, per_lang)?,
        })
    }

    /// The corpus from `../shared`, or `None` with a message on stderr (the caller skips).
    pub fn from_shared(per_lang: usize) -> Option<Corpus> {
        let Some(data) = shared_data_dir() else {
            eprintln!("SKIP: ../shared/data is absent; fixture feeds need its real items");
            return None;
        };
        match Corpus::load(&data, per_lang) {
            Ok(c) => Some(c),
            Err(e) => panic!("../shared/data is present but unreadable: {e}"),
        }
    }
}

fn load_fa(data: &Path, per_lang: usize) -> Result<Vec<RawItem>, String> {
    #[derive(serde::Deserialize)]
    struct Fa {
        title: String,
        summary: String,
        link: String,
        #[serde(default)]
        tags: Vec<String>,
    }
    let mut out = Vec::new();
    // Interleave the two outlets so a small slice still has both.
    let mut lists = Vec::new();
    for file in ["radiofarda.json", "hamshahri.json"] {
        let path = data.join("fa-hamshahri-radiofarda-2020").join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let items: Vec<Fa> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        lists.push(items.into_iter());
    }
    'outer: loop {
        let mut any = false;
        for list in &mut lists {
            if let Some(f) = list.next() {
                any = true;
                out.push(RawItem {
                    title: f.title,
                    summary: f.summary.trim().to_owned(),
                    link: Some(f.link),
                    published: None,
                    tags: f.tags,
                });
                if out.len() >= per_lang {
                    break 'outer;
                }
            }
        }
        if !any {
            break;
        }
    }
    Ok(out)
}

fn load_ar(data: &Path, per_lang: usize) -> Result<Vec<RawItem>, String> {
    let path = data.join("ar-saudinewsnet-2015/headlines_all_days.tsv");
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for line in BufReader::new(file).lines().skip(1) {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        let cols: Vec<&str> = line.split('\t').collect();
        let [_, date, source, title, url] = cols[..] else {
            continue;
        };
        let published = NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M:%S")
            .ok()
            .map(|n| Utc.from_utc_datetime(&n));
        out.push(RawItem {
            title: title.trim().to_owned(),
            summary: String::new(),
            link: Some(url.to_owned()),
            published,
            tags: vec![source.to_owned()],
        });
        if out.len() >= per_lang {
            break;
        }
    }
    Ok(out)
}

fn load_en(data: &Path, per_lang: usize) -> Result<Vec<RawItem>, String> {
    #[derive(serde::Deserialize)]
    struct En {
        first_snapshot: String,
        category: Option<String>,
        title: String,
        description: Option<String>,
        url: String,
    }
    let path = data.join("en-gnews-headlines/gnews_us_headlines.jsonl.gz");
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for line in BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        let Ok(en) = serde_json::from_str::<En>(&line) else {
            continue;
        };
        let published = DateTime::parse_from_str(&en.first_snapshot, "%Y-%m-%dT%H:%M%:z")
            .ok()
            .map(|d| d.with_timezone(&Utc));
        out.push(RawItem {
            title: en.title,
            summary: en.description.unwrap_or_default(),
            link: Some(en.url),
            published,
            tags: en.category.into_iter().collect(),
        });
        if out.len() >= per_lang {
            break;
        }
    }
    Ok(out)
}
