//! Watchlists and alerts: managing watches and the alias list, matching what arrives, and
//! handing due alerts to whoever announces them (the app's notifications, `parallax watch`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult, Change, Engine};
use crate::model::Lang;
use crate::store::{AlertChange, AlertHit, AlertRecord, ItemQuery, Store, StoreError};
use crate::watch::{
    CompiledWatch, ItemFacts, ItemText, StoryFacts, Watch, WatchRule, validate_term,
};

/// A watch to add. `backfill` also runs it over the archive already stored (those alerts are
/// listed, not announced).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewWatch {
    pub name: Option<String>,
    pub rule: WatchRule,
    #[serde(default)]
    pub backfill: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct WatchAdded {
    pub watch: Watch,
    /// Alerts raised over the stored archive.
    pub backfilled: u32,
}

/// Spellings of one name that should match each other (Soleimani = سليماني = سلیمانی).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AliasGroup {
    pub id: i64,
    pub spellings: Vec<String>,
}

/// An alert as the list and notifications show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AlertView {
    pub id: i64,
    pub watch_id: i64,
    pub watch_name: String,
    /// The story the alert is about, as it is now (stories merge).
    pub story_id: i64,
    /// The headline of the item that raised the alert.
    pub title: String,
    pub lang: Lang,
    pub source_name: String,
    /// What matched ("Putin", "Soleimani (سلیمانی)", "3 languages (ar, en, fa)").
    pub reason: String,
    /// Items of the story that matched so far.
    pub matches: u32,
    pub story_items: u32,
    pub story_languages: Vec<Lang>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    /// When it may be announced (the end of quiet hours, or when it was raised).
    #[ts(type = "string")]
    pub due_at: DateTime<Utc>,
    pub delivered: bool,
    /// Marked seen (in the app's list or by `parallax alerts seen`); kept in the archive.
    pub seen: bool,
}

/// What marking alerts seen did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SeenReport {
    /// Alerts newly marked seen (0 when they were seen already).
    pub marked: u32,
    /// Alerts still unseen, one per watch and story (the app's badge).
    pub unseen: u32,
}

/// Items per batch when a new watch runs over the archive.
const BACKFILL_BATCH: usize = 500;

impl Engine {
    pub fn watches(&self) -> ApiResult<Vec<Watch>> {
        self.with_store(|s| s.watches())
    }

    /// Add a watch (refused with a reason when it would match everything or nothing).
    pub fn add_watch(&self, w: &NewWatch) -> ApiResult<WatchAdded> {
        let mut rule = w.rule.clone();
        if let WatchRule::Terms { terms } = &mut rule {
            terms.iter_mut().for_each(|t| *t = t.trim().to_string());
        }
        rule.validate()
            .map_err(|e| ApiError::precondition(e.to_string()))?;
        if let WatchRule::Outlets { sources } = &rule {
            for id in sources {
                if self.with_store(|s| s.source(id))?.is_none() {
                    return Err(ApiError::precondition(format!("no source with id {id:?}")));
                }
            }
        }
        let name = w
            .name
            .clone()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| rule.describe());
        let watch = self.with_store(|s| s.insert_watch(&name, &rule, Utc::now()))?;
        let backfilled = if w.backfill {
            self.backfill_watch(&watch)?
        } else {
            0
        };
        Ok(WatchAdded { watch, backfilled })
    }

    pub fn remove_watch(&self, id: i64) -> ApiResult<()> {
        self.with_store(|s| s.delete_watch(id))
    }

    pub fn aliases(&self) -> ApiResult<Vec<AliasGroup>> {
        Ok(self
            .with_store(|s| s.aliases())?
            .into_iter()
            .map(|(id, spellings)| AliasGroup { id, spellings })
            .collect())
    }

    /// Add a group of spellings of one name; they then match each other in every watch.
    pub fn add_alias(&self, spellings: &[String]) -> ApiResult<AliasGroup> {
        let mut clean: Vec<String> = Vec::new();
        for s in spellings {
            let s = s.trim().to_string();
            validate_term(&s).map_err(|e| ApiError::precondition(e.to_string()))?;
            if !clean.contains(&s) {
                clean.push(s);
            }
        }
        if clean.len() < 2 {
            return Err(ApiError::precondition(
                "an alias group needs at least two different spellings",
            ));
        }
        let id = self.with_store(|s| s.insert_alias(&clean))?;
        Ok(AliasGroup {
            id,
            spellings: clean,
        })
    }

    pub fn remove_alias(&self, id: i64) -> ApiResult<()> {
        self.with_store(|s| s.delete_alias(id))
    }

    /// Alerts, newest first (`since`: raised or extended since then).
    pub fn alerts(&self, since: Option<DateTime<Utc>>, limit: usize) -> ApiResult<Vec<AlertView>> {
        self.alerts_where(since, false, limit)
    }

    /// Alerts not marked seen yet, newest first.
    pub fn unseen_alerts(
        &self,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> ApiResult<Vec<AlertView>> {
        self.alerts_where(since, true, limit)
    }

    /// Mark one alert seen (with any alert it shows as after two stories merged).
    pub fn mark_alert_seen(&self, id: i64) -> ApiResult<SeenReport> {
        let marked = self.with_store(|s| s.mark_alert_seen(id, Utc::now()))?;
        self.seen_report(marked)
    }

    /// Mark every alert seen, or those up to alert `up_to` (the newest the user was shown, so
    /// one raised meanwhile stays new).
    pub fn mark_all_alerts_seen(&self, up_to: Option<i64>) -> ApiResult<SeenReport> {
        let marked = self.with_store(|s| s.mark_all_alerts_seen(up_to, Utc::now()))?;
        self.seen_report(marked)
    }

    /// Alerts not marked seen, one per watch and story.
    pub fn unseen_alert_count(&self) -> ApiResult<u32> {
        Ok(self
            .with_store(|s| s.unseen_alert_count())?
            .min(u32::MAX as u64) as u32)
    }

    fn seen_report(&self, marked: u64) -> ApiResult<SeenReport> {
        Ok(SeenReport {
            marked: marked.min(u32::MAX as u64) as u32,
            unseen: self.unseen_alert_count()?,
        })
    }

    fn alerts_where(
        &self,
        since: Option<DateTime<Utc>>,
        unseen_only: bool,
        limit: usize,
    ) -> ApiResult<Vec<AlertView>> {
        let all = self.with_store(|s| {
            let records = s.alerts(since, unseen_only, limit)?;
            views(s, records)
        })?;
        // Two stories that each had an alert may since have merged: one alert per story still,
        // the earliest, counting both alerts' items.
        let mut out: Vec<AlertView> = Vec::with_capacity(all.len());
        for a in all.into_iter().rev() {
            match out
                .iter_mut()
                .find(|x| x.watch_id == a.watch_id && x.story_id == a.story_id)
            {
                Some(x) => {
                    x.matches += a.matches;
                    x.updated_at = x.updated_at.max(a.updated_at);
                    x.seen &= a.seen;
                }
                None => out.push(a),
            }
        }
        out.reverse();
        Ok(out)
    }

    /// Claim the alerts due now (quiet hours over) and not yet announced: the caller announces
    /// them. Each alert is handed out once, to one process.
    pub fn take_due_alerts(&self) -> ApiResult<Vec<AlertView>> {
        self.with_store(|s| {
            let records = s.claim_due_alerts(Utc::now())?;
            views(s, records)
        })
    }

    /// The watches, compiled with the alias list.
    pub fn compiled_watches(&self) -> ApiResult<Vec<CompiledWatch>> {
        self.with_store(|s| {
            let watches = s.watches()?;
            if watches.is_empty() {
                return Ok(Vec::new());
            }
            let aliases: Vec<Vec<String>> = s.aliases()?.into_iter().map(|(_, a)| a).collect();
            Ok(watches
                .into_iter()
                .map(|w| CompiledWatch::new(w, &aliases))
                .collect())
        })
    }

    /// Match newly grouped items against every watch; announce new alerts. Called wherever
    /// items are grouped (refresh, `parallax watch`, demo, regroup). `moved` are earlier items a
    /// re-check placed in another story: matched again so that story gets its alert too, which
    /// is listed but not announced (their match was announced when they arrived).
    pub(super) fn apply_watches(&self, item_ids: &[i64], moved: &[i64]) -> ApiResult<Vec<i64>> {
        let watches = self.compiled_watches()?;
        if watches.is_empty() || (item_ids.is_empty() && moved.is_empty()) {
            return Ok(Vec::new());
        }
        if !moved.is_empty() {
            self.match_and_record(&watches, moved, true)?;
        }
        if item_ids.is_empty() {
            return Ok(Vec::new());
        }
        let regrouping = self
            .inner
            .pipeline
            .regrouping
            .load(std::sync::atomic::Ordering::Relaxed);
        let raised = self.match_and_record(&watches, item_ids, regrouping)?;
        if !raised.is_empty() && !regrouping {
            self.emit(Change::AlertsRaised {
                ids: raised.clone(),
            });
        }
        Ok(raised)
    }

    /// Run one new watch over every grouped item in the archive.
    fn backfill_watch(&self, watch: &Watch) -> ApiResult<u32> {
        let aliases: Vec<Vec<String>> = self
            .with_store(|s| s.aliases())?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let compiled = [CompiledWatch::new(watch.clone(), &aliases)];
        let mut after = 0i64;
        let mut raised = 0u32;
        loop {
            let batch = self.with_store(|s| s.grouped_items_after(after, BACKFILL_BATCH))?;
            let Some(&last) = batch.last() else { break };
            after = last;
            raised += self.match_and_record(&compiled, &batch, true)?.len() as u32;
        }
        Ok(raised)
    }

    /// Match `item_ids` (already in stories) against `watches`; returns the new alerts.
    fn match_and_record(
        &self,
        watches: &[CompiledWatch],
        item_ids: &[i64],
        backfill: bool,
    ) -> ApiResult<Vec<i64>> {
        let now = Utc::now();
        let due_at = match self.settings()?.quiet_hours {
            Some(q) => q.due_at(now, &chrono::Local),
            None => now,
        };
        self.with_store(|s| {
            let items = s.items(&ItemQuery {
                ids: Some(item_ids.to_vec()),
                ascending: true,
                ..Default::default()
            })?;
            let story_of: HashMap<i64, i64> = s
                .assignments(item_ids)?
                .into_iter()
                .map(|a| (a.item_id, a.story_id))
                .collect();
            let ownership: HashMap<String, crate::model::Ownership> = s
                .sources()?
                .into_iter()
                .map(|x| (x.id, x.ownership))
                .collect();
            let mut reasons: Vec<(i64, i64, i64, String)> = Vec::new();
            let item_watches: Vec<&CompiledWatch> = watches
                .iter()
                .filter(|w| !w.watch.rule.is_story_rule())
                .collect();
            // The newest item of each touched story answers for the story rules.
            let mut newest: BTreeMap<i64, i64> = BTreeMap::new();
            for it in &items {
                let Some(&story) = story_of.get(&it.id) else {
                    continue;
                };
                let e = newest.entry(story).or_insert(it.id);
                *e = (*e).max(it.id);
                if item_watches.is_empty() {
                    continue;
                }
                let text = ItemText::new(&it.item.title, it.body_text());
                let facts = ItemFacts {
                    text: &text,
                    lang: it.lang.as_ref().unwrap_or(&Lang::Und),
                    source_id: &it.item.source_id,
                    ownership: ownership.get(&it.item.source_id).copied(),
                };
                for w in &item_watches {
                    if let Some(r) = w.match_item(&facts) {
                        reasons.push((w.watch.id, story, it.id, r));
                    }
                }
            }
            let story_watches: Vec<&CompiledWatch> = watches
                .iter()
                .filter(|w| w.watch.rule.is_story_rule())
                .collect();
            if !story_watches.is_empty() {
                for (&story, &item_id) in &newest {
                    let facts = story_facts(s, story)?;
                    let facts = StoryFacts { items: &facts };
                    for w in &story_watches {
                        if let Some(r) = w.match_story(&facts) {
                            reasons.push((w.watch.id, story, item_id, r));
                        }
                    }
                }
            }
            let hits: Vec<AlertHit<'_>> = reasons
                .iter()
                .map(|(watch_id, story_id, item_id, reason)| AlertHit {
                    watch_id: *watch_id,
                    story_id: *story_id,
                    item_id: *item_id,
                    reason,
                    now,
                    due_at,
                    backfill,
                })
                .collect();
            let changes = s.record_alerts(&hits)?;
            Ok(changes
                .into_iter()
                .filter_map(|c| match c {
                    AlertChange::Raised(id) => Some(id),
                    _ => None,
                })
                .collect())
        })
    }
}

/// A story's items as (outlet, time, language), oldest first.
fn story_facts(s: &Store, story: i64) -> Result<Vec<(String, DateTime<Utc>, Lang)>, StoreError> {
    let ids = s.story_members(story)?;
    let mut out: Vec<(String, DateTime<Utc>, Lang)> = s
        .items(&ItemQuery {
            ids: Some(ids),
            ascending: true,
            ..Default::default()
        })?
        .into_iter()
        .map(|i| {
            (
                i.item.source_id,
                i.item.published,
                i.lang.unwrap_or(Lang::Und),
            )
        })
        .collect();
    out.sort_by_key(|(_, t, _)| *t);
    Ok(out)
}

fn views(s: &Store, records: Vec<AlertRecord>) -> Result<Vec<AlertView>, StoreError> {
    let names: HashMap<i64, String> = s.watches()?.into_iter().map(|w| (w.id, w.name)).collect();
    let items: HashMap<i64, crate::store::StoredItem> = s
        .items(&ItemQuery {
            ids: Some(records.iter().map(|r| r.first_item_id).collect()),
            ..Default::default()
        })?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let story = s.story(r.story_id)?;
        let item = items.get(&r.first_item_id);
        let source_name = match item {
            Some(i) => s
                .source(&i.item.source_id)?
                .map(|x| x.name)
                .unwrap_or_else(|| i.item.source_id.clone()),
            None => String::new(),
        };
        out.push(AlertView {
            id: r.id,
            watch_id: r.watch_id,
            watch_name: names.get(&r.watch_id).cloned().unwrap_or_default(),
            story_id: r.story_id,
            title: item.map(|i| i.item.title.clone()).unwrap_or_default(),
            lang: item.and_then(|i| i.lang.clone()).unwrap_or(Lang::Und),
            source_name,
            reason: r.reason,
            matches: r.matches,
            story_items: story.as_ref().map(|x| x.item_count).unwrap_or(0),
            story_languages: story.map(|x| x.languages).unwrap_or_default(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            due_at: r.due_at,
            delivered: r.delivered_at.is_some(),
            seen: r.seen_at.is_some(),
        });
    }
    Ok(out)
}
