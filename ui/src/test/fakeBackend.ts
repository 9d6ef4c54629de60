// In-memory Backend for Vitest and the browser preview (never shipped): real items from the
// coverage set, grouped by their gold story, so views can be exercised without the Rust engine.
import type { Backend } from "../lib/backend/backend";
import { IpcError } from "../lib/backend/errors";
import type {
  AlertView,
  AliasGroup,
  ArchiveInfo,
  ArticleState,
  ArticleView,
  Change,
  OpenStory,
  Settings,
  SourceView,
  StoryDetail,
  StoryItem,
  StorySummary,
  Watch,
} from "../lib/types";

export interface Row {
  id: string;
  lang: string;
  published?: string;
  source?: string;
  url?: string;
  title: string;
  text?: string;
  story: string;
}

export function fakeBackend(
  rows: Row[],
): Backend & { emit(c: Change): void; announce(a: AlertView[]): void; clickNotification(o: OpenStory): void } {
  const listeners = new Set<(c: Change) => void>();
  const announced = new Set<(a: AlertView[]) => void>();
  const opened = new Set<(o: OpenStory) => void>();
  // "Fetched" articles: the preview has no fetcher, so a fetch stores the row's own text.
  const articles = new Map<number, ArticleState>();
  const items: StoryItem[] = rows.map((r, i) => ({
    id: i + 1,
    source: { id: r.source ?? "unknown", name: r.source ?? "unknown", ownership: "unknown", language: r.lang, country: null },
    lang: r.lang,
    lang_confidence: 0.99,
    title: r.title,
    summary_html: r.text ? `<p>${r.text.replace(/</g, "&lt;").slice(0, 400)}</p>` : "",
    summary_text: r.text ?? "",
    url: r.url ?? null,
    published: new Date(r.published ?? "2020-01-01T00:00:00Z").toISOString(),
    time_estimated: !r.published,
    explanation: { score: 0.71, threshold: 0.4, parts: [{ name: "csls", value: 0.42, weight: 4.5 }, { name: "within_48h", value: 1, weight: 2.2 }], matched_item: 1, runner_up: null, new_story: false, decision: "joined", regroup: null, manual: false, horizon: null },
  }));
  const storyOf = new Map<number, number>();
  const labels = [...new Set(rows.map((r) => r.story))];
  rows.forEach((r, i) => storyOf.set(i + 1, labels.indexOf(r.story) + 1));
  let settings: Settings = { languages: ["ar", "fa", "en"], grouping_window_hours: 168, refresh_minutes: 15, theme: "system", quiet_hours: null };
  let watches: Watch[] = [];
  let aliases: AliasGroup[] = [];
  let alerts: AlertView[] = [];
  let seq = 0;
  let archive: ArchiveInfo = { kind: "local", server: null, token_saved: false, user: null, role: null, error: null };
  const unseen = () => new Set(alerts.filter((a) => !a.seen).map((a) => `${a.watch_id}/${a.story_id}`)).size;
  const articleView = (id: number): ArticleView => {
    const it = items[id - 1];
    if (!it) throw new IpcError("article", { code: "precondition", message: `no item with id ${id}` });
    return { item_id: id, lang: it.lang, link: it.url, can_fetch: it.url !== null, article: articles.get(id) ?? { status: "none" } };
  };
  const sources: SourceView[] = [...new Set(items.map((i) => i.source.id))].map((id) => {
    const it = items.find((i) => i.source.id === id)!;
    return {
      source: { id, name: it.source.name, homepage: null, feeds: [], language: it.lang, country: null, ownership: "unknown", note: null, enabled: true, refresh_secs: 900 },
      health: null,
    };
  });

  const members = (story: number) => items.filter((i) => storyOf.get(i.id) === story);
  const summary = (story: number): StorySummary => {
    const its = members(story).sort((a, b) => Date.parse(a.published) - Date.parse(b.published));
    const langs = [...new Set(its.map((i) => i.lang))];
    return {
      id: story,
      headlines: langs.map((l) => {
        const it = its.find((i) => i.lang === l)!;
        return { lang: l, item_id: it.id, title: it.title, source_id: it.source.id };
      }),
      languages: langs,
      item_count: its.length,
      outlet_count: new Set(its.map((i) => i.source.id)).size,
      first_seen: its[0].published,
      last_seen: its[its.length - 1].published,
      first_source: its[0].source,
      routine: false,
    };
  };
  const fold = (s: string) => s.replace(/ي/g, "ی").replace(/ك/g, "ک").toLowerCase();

  return {
    emit: (c) => listeners.forEach((l) => l(c)),
    announce: (a) => announced.forEach((l) => l(a)),
    status: async () => ({ sources: sources.length, enabled: sources.length, failing: 0, items: items.length, stories: labels.length, last_fetch: null, model: { state: "missing", message: "grouping and search by meaning need the model" } }),
    dataLocation: async () => "/tmp/preview/archive.db",
    listStories: async (f) => {
      let all = labels.map((_, i) => summary(i + 1));
      if (f.ids) {
        const ids = f.ids;
        all = all.filter((s) => ids.includes(s.id));
      }
      if (f.cross_lingual_only) all = all.filter((s) => s.languages.length > 1);
      if (f.languages.length) all = all.filter((s) => s.languages.some((l) => f.languages.includes(l)));
      all.sort((a, b) => b.outlet_count * b.languages.length - a.outlet_count * a.languages.length);
      const off = f.offset ?? 0;
      return all.slice(off, off + (f.limit ?? 500));
    },
    getStory: async (id): Promise<StoryDetail> => {
      const its = members(id).sort((a, b) => Date.parse(a.published) - Date.parse(b.published));
      if (!its.length) throw new IpcError("get_story", { code: "precondition", message: `store: story ${id} not found` });
      const t0 = Date.parse(its[0].published);
      const seen = new Set<string>();
      const propagation = its
        .filter((i) => !seen.has(i.source.id) && seen.add(i.source.id))
        .map((i) => ({ source: i.source, lang: i.lang, item_id: i.id, first_at: i.published, lag_secs: (Date.parse(i.published) - t0) / 1000 }));
      return { summary: summary(id), items: its, propagation };
    },
    relatedStories: async () => ({ stories: [], unavailable: "preview: related stories are found by the engine" }),
    // The preview has no engine: no carry traced, framing without terms.
    storyCarry: async (id) => ({
      story_id: id,
      items: members(id).map((i) => ({ item_id: i.id, source: i.source, lang: i.lang, published: i.published, sentences: [i.title] })),
      links: [],
      translations_checked: false,
      note: "preview: carry tracing runs in the engine",
    }),
    storyFraming: async (id) => ({
      story_id: id,
      outlets: [],
      only_in: [],
      only_in_checked: false,
      lexicon_path: "loaded-terms.toml",
      lexicon_entries: 0,
      lexicon_error: null,
      note: "preview: framing runs in the engine",
    }),
    explainItem: async (id) => [storyOf.get(id) ?? 0, items[id - 1].explanation!],
    search: async (q) => {
      const needle = fold(q.text);
      const hits = items.filter((i) => fold(i.title).includes(needle));
      const byStory = new Map<number, StoryItem[]>();
      for (const h of hits) byStory.set(storyOf.get(h.id)!, [...(byStory.get(storyOf.get(h.id)!) ?? []), h]);
      return [...byStory].map(([s, hs]) => ({ story: summary(s), hits: hs.map((item) => ({ item, kind: "text" as const, score: 1 })) }));
    },
    listSources: async () => sources,
    addSource: async (url) => {
      throw new IpcError("add_source", { code: "network", message: `fetch: could not connect to ${url}: connection refused` });
    },
    setSourceEnabled: async () => {},
    removeSource: async () => {},
    importOpml: async () => ({ added: [], skipped: [] }),
    exportOpml: async () => "<opml/>",
    refresh: async () => {},
    settings: async () => settings,
    updateSettings: async (s) => (settings = s),
    moveItem: async (id, to) => void storyOf.set(id, to),
    splitStory: async (_s, ids) => {
      const n = labels.push(`split-${labels.length}`);
      ids.forEach((i) => storyOf.set(i, n));
      return n;
    },
    mergeStories: async (into, from) => {
      for (const [i, s] of storyOf) if (s === from) storyOf.set(i, into);
    },
    loadDemoArchive: async () => ({ items: 0, new_items: 0, stories: 0, attribution: "" }),
    installModel: async () => ({ state: "loaded" }),
    regroupAll: async () => items.length,
    watches: async () => watches,
    addWatch: async (w) => {
      if (w.rule.kind === "terms" && w.rule.terms.some((t) => t.trim().length < 2)) {
        throw new IpcError("add_watch", { code: "precondition", message: "watch: the term is too short: use at least two letters" });
      }
      const watch: Watch = { id: ++seq, name: w.name ?? (w.rule.kind === "terms" ? w.rule.terms.join(" | ") : w.rule.kind), rule: w.rule, created_at: new Date().toISOString(), created_by: null };
      watches = [...watches, watch];
      let backfilled = 0;
      if (w.rule.kind === "terms") {
        const terms = w.rule.terms.map(fold);
        for (const story of labels.map((_, i) => i + 1)) {
          const hit = members(story).find((i) => terms.some((t) => fold(i.title).includes(t)));
          if (!hit) continue;
          const s = summary(story);
          backfilled++;
          alerts = [
            { id: ++seq, watch_id: watch.id, watch_name: watch.name, story_id: story, title: hit.title, lang: hit.lang, source_name: hit.source.name, reason: watch.name, matches: 1, story_items: s.item_count, story_languages: s.languages, created_at: watch.created_at, updated_at: watch.created_at, due_at: watch.created_at, delivered: true, seen: false },
            ...alerts,
          ];
        }
      }
      return { watch, backfilled };
    },
    removeWatch: async (id) => {
      watches = watches.filter((w) => w.id !== id);
      alerts = alerts.filter((a) => a.watch_id !== id);
    },
    aliases: async () => aliases,
    addAlias: async (spellings) => {
      const g = { id: ++seq, spellings };
      aliases = [...aliases, g];
      return g;
    },
    removeAlias: async (id) => void (aliases = aliases.filter((g) => g.id !== id)),
    alerts: async (limit) => alerts.slice(0, limit),
    markAlertSeen: async (id) => {
      const a = alerts.find((x) => x.id === id);
      if (!a) throw new IpcError("mark_alert_seen", { code: "precondition", message: `store: alert ${id} not found` });
      const marked = a.seen ? 0 : 1;
      alerts = alerts.map((x) => (x.id === id ? { ...x, seen: true } : x));
      return { marked, unseen: unseen() };
    },
    markAllAlertsSeen: async (upTo) => {
      const marked = alerts.filter((a) => !a.seen && (upTo === null || a.id <= upTo)).length;
      alerts = alerts.map((a) => (upTo === null || a.id <= upTo ? { ...a, seen: true } : a));
      return { marked, unseen: unseen() };
    },
    unseenAlertCount: async () => unseen(),
    article: async (id) => articleView(id),
    articleStatuses: async (ids) =>
      ids.filter((id) => items[id - 1]).map((id) => ({ item_id: id, status: articles.get(id)?.status ?? "none" })),
    fetchArticle: async (id) => {
      const it = items[id - 1];
      if (!it?.url) throw new IpcError("fetch_article", { code: "precondition", message: `item ${id} has no link to fetch` });
      const at = new Date().toISOString();
      articles.set(
        id,
        it.summary_text
          ? { status: "text", text: it.summary_text, url: it.url, fetched_at: at }
          : { status: "error", code: "feed_format", message: "no article text found on the page", url: it.url, fetched_at: at },
      );
      return articleView(id);
    },
    exportStory: async (storyId, format) => `/tmp/story-${storyId}.${format}`,
    exportSearch: async () => "/tmp/search.csv",
    archiveInfo: async () => archive,
    // The preview has no server: any `plx_` token "connects" as a reader, anything else is refused
    // the way the shell refuses it.
    connectTeam: async (server, token) => {
      if (!token.startsWith("plx_")) throw new IpcError("connect_team", { code: "precondition", message: "the team server refused the token (unknown API token): ask its admin for a new one" });
      archive = { kind: "team", server, token_saved: true, user: "preview", role: "reader", error: null };
      return archive;
    },
    useLocalArchive: async () => (archive = { ...archive, kind: "local", user: null, role: null }),
    openUrl: async () => {},
    onChange: async (h) => {
      listeners.add(h);
      return () => listeners.delete(h);
    },
    onAlertsAnnounced: async (h) => {
      announced.add(h);
      return () => announced.delete(h);
    },
    onOpenStory: async (h) => {
      opened.add(h);
      return () => opened.delete(h);
    },
    clickNotification: (o) => {
      alerts = alerts.map((a) => (a.id === o.alert_id ? { ...a, seen: true } : a));
      opened.forEach((h) => h(o));
    },
  };
}
