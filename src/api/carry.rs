//! Carry graph and framing of a story: computed on first request, stored with a fingerprint of
//! the story's members (so a move, split, merge or a new item makes them stale and the next
//! request recomputes), sentence embeddings cached across stories.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::stories::source_map_for;
use super::{ApiResult, Engine, SourceRef};
use crate::carry::{self, Boilerplate, CarryConfig, CarryEdge, CarryKind, Doc, Prepared};
use crate::embed::MODEL_TAG;
use crate::framing::{self, Framing, LoadedHit, OnlyIn, Term, lexicon::Lexicon};
use crate::model::Lang;
use crate::store::{ItemQuery, StoreError, StoredItem, sentence_key};

/// Bumped when the analysis changes shape or rules, so stored results are recomputed.
const ANALYSIS_VERSION: &str = "carry-v1";
/// Latest items per outlet read to learn its boilerplate.
const BOILERPLATE_SAMPLE: usize = 60;

/// An item of a story as the carry view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct CarryItem {
    pub item_id: i64,
    pub source: SourceRef,
    pub lang: Lang,
    #[ts(type = "string")]
    pub published: DateTime<Utc>,
    pub sentences: Vec<String>,
}

/// One edge with its outlets and a sentence saying it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct CarryLink {
    pub edge: CarryEdge,
    pub origin_source: SourceRef,
    pub carrier_source: SourceRef,
    pub origin_lang: Lang,
    pub carrier_lang: Lang,
    /// "IRNA carries 3 of 5 sentences of Al Mayadeen, translated, +2 h 10 min"
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct StoryCarry {
    pub story_id: i64,
    pub items: Vec<CarryItem>,
    /// Carrier by carrier, in time order.
    pub links: Vec<CarryLink>,
    /// Whether translations were looked for (the embedding model was available).
    pub translations_checked: bool,
    /// Why something could not be computed (no model), for the UI to say.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OutletFramingView {
    pub source: SourceRef,
    pub lang: Lang,
    pub items: u32,
    pub distinctive: Vec<Term>,
    pub loaded: Vec<LoadedHit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct StoryFraming {
    pub story_id: i64,
    pub outlets: Vec<OutletFramingView>,
    pub only_in: Vec<OnlyIn>,
    pub only_in_checked: bool,
    /// The lexicon file used (the user's copy, next to the archive).
    pub lexicon_path: String,
    pub lexicon_entries: u32,
    /// A problem with the user's lexicon file (the bundled one was used).
    pub lexicon_error: Option<String>,
    pub note: Option<String>,
}

/// What is stored per story.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    items: Vec<carry::ItemSentences>,
    edges: Vec<CarryEdge>,
    framing: Framing,
    has_vectors: bool,
}

pub(super) struct Analysis {
    stored: Stored,
    members: Vec<StoredItem>,
    sources: HashMap<String, crate::model::Source>,
    note: Option<String>,
    lexicon_path: PathBuf,
    lexicon_entries: usize,
    lexicon_error: Option<String>,
}

impl Engine {
    /// Who carried whose sentences in a story.
    pub fn story_carry(&self, story_id: i64) -> ApiResult<StoryCarry> {
        let a = self.analyse(story_id)?;
        let item_of: HashMap<i64, &StoredItem> = a.members.iter().map(|i| (i.id, i)).collect();
        let source = |id: i64| -> (SourceRef, Lang) {
            let it = item_of.get(&id);
            let src = it
                .and_then(|i| a.sources.get(&i.item.source_id))
                .map(SourceRef::of)
                .unwrap_or_else(|| {
                    SourceRef::unknown(it.map(|i| i.item.source_id.as_str()).unwrap_or("?"))
                });
            (src, it.map(|i| item_lang(i)).unwrap_or(Lang::Und))
        };
        let items = a
            .stored
            .items
            .iter()
            .map(|s| {
                let (src, lang) = source(s.item_id);
                CarryItem {
                    item_id: s.item_id,
                    source: src,
                    lang,
                    published: item_of
                        .get(&s.item_id)
                        .map(|i| i.item.published)
                        .unwrap_or_default(),
                    sentences: s.sentences.clone(),
                }
            })
            .collect();
        let order: HashMap<i64, usize> = a
            .stored
            .items
            .iter()
            .enumerate()
            .map(|(n, s)| (s.item_id, n))
            .collect();
        let mut links: Vec<CarryLink> = a
            .stored
            .edges
            .iter()
            .map(|e| {
                let (os, ol) = source(e.origin_item);
                let (cs, cl) = source(e.carrier_item);
                CarryLink {
                    summary: describe(e, &os.name, &cs.name),
                    edge: e.clone(),
                    origin_source: os,
                    carrier_source: cs,
                    origin_lang: ol,
                    carrier_lang: cl,
                }
            })
            .collect();
        links.sort_by_key(|l| {
            (
                order.get(&l.edge.carrier_item),
                order.get(&l.edge.origin_item),
            )
        });
        Ok(StoryCarry {
            story_id,
            items,
            links,
            translations_checked: a.stored.has_vectors,
            note: a.note,
        })
    }

    /// What each outlet chose to say: distinctive terms, loaded terms, "only in" sentences.
    pub fn story_framing(&self, story_id: i64) -> ApiResult<StoryFraming> {
        let a = self.analyse(story_id)?;
        let outlets = a
            .stored
            .framing
            .outlets
            .iter()
            .map(|o| OutletFramingView {
                source: a
                    .sources
                    .get(&o.outlet)
                    .map(SourceRef::of)
                    .unwrap_or_else(|| SourceRef::unknown(&o.outlet)),
                lang: o.lang.clone(),
                items: o.items,
                distinctive: o.distinctive.clone(),
                loaded: o.loaded.clone(),
            })
            .collect();
        Ok(StoryFraming {
            story_id,
            outlets,
            only_in: a.stored.framing.only_in.clone(),
            only_in_checked: a.stored.framing.only_in_checked,
            lexicon_path: a.lexicon_path.display().to_string(),
            lexicon_entries: a.lexicon_entries as u32,
            lexicon_error: a.lexicon_error,
            note: a.note,
        })
    }

    /// The user's lexicon file: next to the archive (the data directory by default).
    pub fn lexicon_path(&self) -> PathBuf {
        self.db_path()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(|d| d.join(framing::lexicon::FILE_NAME))
            .unwrap_or_else(|| PathBuf::from(framing::lexicon::FILE_NAME))
    }

    /// Whether the story's carry and framing are stored for its current members (prepared in
    /// the background or computed by an earlier view), so opening it reads them back.
    pub fn story_analysis_ready(&self, story_id: i64) -> ApiResult<bool> {
        let (members, _) = self.analysis_members(story_id)?;
        let fp = fingerprint(
            &members,
            self.model_path().is_file(),
            &lexicon_text(&self.lexicon_path()),
        );
        Ok(self
            .with_store(|s| s.story_analysis(story_id, &fp))?
            .is_some())
    }

    /// A story's items (oldest first) and their sources; `NotFound` for an unknown story.
    pub(super) fn analysis_members(
        &self,
        story_id: i64,
    ) -> ApiResult<(Vec<StoredItem>, HashMap<String, crate::model::Source>)> {
        self.with_store(|s| {
            s.story(story_id)?
                .ok_or_else(|| StoreError::NotFound(format!("story {story_id}")))?;
            let ids = s.story_members(story_id)?;
            let members = s.items(&ItemQuery {
                ids: Some(ids),
                ascending: true,
                ..Default::default()
            })?;
            let sources = source_map_for(s, members.iter().map(|i| i.item.source_id.as_str()))?;
            Ok((members, sources))
        })
    }

    pub(super) fn analyse(&self, story_id: i64) -> ApiResult<Analysis> {
        let (members, sources) = self.analysis_members(story_id)?;
        let lexicon_path = self.lexicon_path();
        let (lexicon, lexicon_error) = Lexicon::load_or_init(&lexicon_path);
        // An installed model counts; it is only loaded when something must be embedded.
        let fp = fingerprint(
            &members,
            self.model_path().is_file(),
            &lexicon_text(&lexicon_path),
        );
        let cached = self.with_store(|s| s.story_analysis(story_id, &fp))?;
        let stored = match cached.and_then(|b| serde_json::from_str::<Stored>(&b).ok()) {
            Some(s) => s,
            None => {
                let stored = self.compute(&members, &lexicon)?;
                let body = serde_json::to_string(&stored).map_err(|e| {
                    super::ApiError::new(crate::error::Code::Internal, e.to_string())
                })?;
                self.with_store(|s| s.put_story_analysis(story_id, &fp, &body))?;
                stored
            }
        };
        let languages: std::collections::BTreeSet<Lang> = members.iter().map(item_lang).collect();
        let note = (!stored.has_vectors && languages.len() > 1).then(|| {
            "the embedding model is not installed: translations and \"only in\" sentences are not traced (parallax model install)".to_string()
        });
        Ok(Analysis {
            stored,
            members,
            sources,
            note,
            lexicon_path,
            lexicon_entries: lexicon.entries.len(),
            lexicon_error,
        })
    }

    fn compute(&self, members: &[StoredItem], lexicon: &Lexicon) -> ApiResult<Stored> {
        let docs: Vec<Doc> = members
            .iter()
            .map(|it| Doc {
                id: it.id,
                outlet: it.item.source_id.clone(),
                lang: item_lang(it),
                published: it.item.published,
                sentences: carry::sentences_of(&it.item.title, &it.item.summary_text),
            })
            .collect();
        let boilerplate = self.boilerplate(members)?;
        let mut p = Prepared::new(docs, &boilerplate);
        let which = p.needing_vectors();
        if !which.is_empty()
            && let Ok(m) = self.model()
        {
            let texts: Vec<&str> = which.iter().map(|&i| p.embedding_text(i)).collect();
            let vectors = self.sentence_vectors(&m, &texts)?;
            p.set_vectors(&which, vectors);
        }
        let cfg = CarryConfig::default();
        Ok(Stored {
            items: p.item_sentences(),
            edges: p.trace(&cfg),
            framing: framing::lens(&p, lexicon, &cfg),
            has_vectors: p.has_vectors,
        })
    }

    /// Boilerplate of the story's outlets, learnt from their latest items.
    fn boilerplate(&self, members: &[StoredItem]) -> ApiResult<Boilerplate> {
        let outlets: std::collections::BTreeSet<&str> =
            members.iter().map(|i| i.item.source_id.as_str()).collect();
        let samples: Vec<(String, i64, chrono::NaiveDate, Vec<String>)> = self.with_store(|s| {
            let mut out = Vec::new();
            for o in &outlets {
                for it in s.items(&ItemQuery {
                    source: Some(o.to_string()),
                    limit: Some(BOILERPLATE_SAMPLE),
                    ..Default::default()
                })? {
                    out.push((
                        it.item.source_id.clone(),
                        it.id,
                        it.item.published.date_naive(),
                        carry::sentence::split(&it.item.summary_text),
                    ));
                }
            }
            Ok(out)
        })?;
        Ok(Boilerplate::learn(
            samples
                .iter()
                .map(|(o, id, d, s)| (o.as_str(), *id, *d, s.as_slice())),
        ))
    }

    /// Embeddings of `texts`, from the cache or the model (and then cached).
    fn sentence_vectors(
        &self,
        model: &crate::embed::Model,
        texts: &[&str],
    ) -> ApiResult<Vec<Vec<f32>>> {
        let keys: Vec<_> = texts.iter().map(|t| sentence_key(MODEL_TAG, t)).collect();
        let mut have = self.with_store(|s| s.sentence_vectors(&keys))?;
        let missing: BTreeMap<_, &str> = keys
            .iter()
            .zip(texts)
            .filter(|(k, _)| !have.contains_key(*k))
            .map(|(k, t)| (*k, *t))
            .collect();
        if !missing.is_empty() {
            let batch: Vec<&str> = missing.values().copied().collect();
            let v = model
                .embed(&batch)
                .map_err(|e| super::ApiError::new(e.code(), e.to_string()))?;
            let rows: Vec<_> = missing.keys().copied().zip(v).collect();
            self.with_store(|s| s.put_sentence_vectors(&rows))?;
            have.extend(rows);
        }
        Ok(keys
            .iter()
            .map(|k| have.get(k).cloned().unwrap_or_default())
            .collect())
    }
}

pub(super) fn item_lang(it: &StoredItem) -> Lang {
    it.lang
        .clone()
        .or(it.item.declared_lang.clone())
        .unwrap_or(Lang::Und)
}

fn lexicon_text(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Changes with the story's members, their text and language, the model's presence, the
/// lexicon and the rules' version.
fn fingerprint(members: &[StoredItem], has_model: bool, lexicon: &str) -> String {
    let mut h = Sha256::new();
    h.update(ANALYSIS_VERSION.as_bytes());
    h.update([has_model as u8]);
    h.update(lexicon.as_bytes());
    let mut rows: Vec<_> = members
        .iter()
        .map(|i| (i.id, &i.item.content_hash, item_lang(i), i.item.published))
        .collect();
    rows.sort_by_key(|r| r.0);
    for (id, hash, lang, t) in rows {
        h.update(format!("{id}|{hash}|{lang}|{t}\n").as_bytes());
    }
    hex::encode(h.finalize())
}

/// "IRNA carries 3 of 5 sentences of Al Mayadeen, translated, +2 h 10 min"
pub fn describe(e: &CarryEdge, origin: &str, carrier: &str) -> String {
    let how = match e.kind {
        CarryKind::Verbatim => "verbatim",
        CarryKind::Edited => "edited",
        CarryKind::Translated => "translated",
    };
    let noun = if e.origin_sentences == 1 {
        "sentence"
    } else {
        "sentences"
    };
    format!(
        "{carrier} carries {} of {} {noun} of {origin}, {how}, +{}",
        e.carried,
        e.origin_sentences,
        fmt_lag(e.lag_secs)
    )
}

pub fn fmt_lag(secs: i64) -> String {
    let m = secs.max(0) / 60;
    let (d, h, m) = (m / 1440, (m % 1440) / 60, m % 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}
