// The one interface the views talk to. `tauri.ts` implements it over IPC; tests use a fake.
import type {
  AlertView,
  ArchiveInfo,
  AliasGroup,
  ArticleBrief,
  ArticleView,
  OpenStory,
  RelatedStories,
  SeenReport,
  Change,
  ExportFormat,
  NewWatch,
  Watch,
  WatchAdded,
  DemoReport,
  Explanation,
  ImportReport,
  ModelState,
  SearchGroup,
  SearchQuery,
  Settings,
  Source,
  SourceView,
  StatusLine,
  StoryCarry,
  StoryDetail,
  StoryFilter,
  StoryFraming,
  StorySummary,
} from "../types";

export interface Backend {
  status(): Promise<StatusLine>;
  /** Where the archive lives (Settings shows it). */
  dataLocation(): Promise<string>;
  listStories(filter: StoryFilter): Promise<StorySummary[]>;
  getStory(storyId: number): Promise<StoryDetail>;
  /** Who carried whose sentences in a story (may embed sentences the first time). */
  storyCarry(storyId: number): Promise<StoryCarry>;
  /** Other happenings of the story's topic, oldest first (by meaning: needs the model). */
  relatedStories(storyId: number, limit: number): Promise<RelatedStories>;
  /** Distinctive and loaded terms per outlet, "only in" sentences per language. */
  storyFraming(storyId: number): Promise<StoryFraming>;
  /** The story the item is in now, and why. */
  explainItem(itemId: number): Promise<[number, Explanation]>;
  search(query: SearchQuery): Promise<SearchGroup[]>;
  listSources(): Promise<SourceView[]>;
  addSource(url: string): Promise<Source>;
  setSourceEnabled(sourceId: string, enabled: boolean): Promise<void>;
  removeSource(sourceId: string): Promise<void>;
  importOpml(text: string): Promise<ImportReport>;
  exportOpml(): Promise<string>;
  refresh(sourceId: string | null): Promise<void>;
  settings(): Promise<Settings>;
  updateSettings(settings: Settings): Promise<Settings>;
  moveItem(itemId: number, toStory: number): Promise<void>;
  splitStory(storyId: number, itemIds: number[]): Promise<number>;
  mergeStories(into: number, from: number): Promise<void>;
  loadDemoArchive(): Promise<DemoReport>;
  /** Download, verify and load the embedding model (progress arrives as `task` changes). */
  installModel(): Promise<ModelState>;
  /** Group the whole archive again (corrections stay); returns the number of items grouped. */
  regroupAll(): Promise<number>;
  watches(): Promise<Watch[]>;
  /** Add a watch; with `backfill` it also runs over the stored archive (listed, not announced). */
  addWatch(watch: NewWatch): Promise<WatchAdded>;
  removeWatch(id: number): Promise<void>;
  aliases(): Promise<AliasGroup[]>;
  addAlias(spellings: string[]): Promise<AliasGroup>;
  removeAlias(id: number): Promise<void>;
  /** Alerts, newest first. */
  alerts(limit: number): Promise<AlertView[]>;
  /** Mark an alert seen, in the archive. */
  markAlertSeen(id: number): Promise<SeenReport>;
  /** Mark every alert up to alert `upTo` seen (`null`: all). */
  markAllAlertsSeen(upTo: number | null): Promise<SeenReport>;
  /** Alerts not marked seen, one per watch and story. */
  unseenAlertCount(): Promise<number>;
  /** An item's stored article text, or why it has none. */
  article(itemId: number): Promise<ArticleView>;
  /** Which of these items have their article text stored. */
  articleStatuses(itemIds: number[]): Promise<ArticleBrief[]>;
  /** Fetch an item's article now (robots.txt respected); a failed page comes back as an error state. */
  fetchArticle(itemId: number): Promise<ArticleView>;
  /** Ask where to save (the system's save dialog), then write the story there. `null`: cancelled. */
  exportStory(storyId: number, format: ExportFormat): Promise<string | null>;
  /** The same for a search result, as CSV. */
  exportSearch(query: SearchQuery): Promise<string | null>;
  /** Which archive is shown: the local one or a team server's. */
  archiveInfo(): Promise<ArchiveInfo>;
  /** Check the server and token, then show the team archive (an empty token reuses the saved one). */
  connectTeam(server: string, token: string): Promise<ArchiveInfo>;
  /** Show the local archive again (the server and token stay saved). */
  useLocalArchive(): Promise<ArchiveInfo>;
  openUrl(url: string): Promise<void>;
  /** Subscribe to engine changes; returns the unsubscribe function. */
  onChange(handler: (change: Change) => void): Promise<() => void>;
  /** Alerts the shell has just announced as desktop notifications; returns the unsubscribe function. */
  onAlertsAnnounced(handler: (alerts: AlertView[]) => void): Promise<() => void>;
  /** The user clicked an alert's desktop notification; returns the unsubscribe function. */
  onOpenStory(handler: (open: OpenStory) => void): Promise<() => void>;
}

export function defaultFilter(): StoryFilter {
  return {
    languages: [],
    cross_lingual_only: false,
    include_routine: false,
    source_id: null,
    ownership: null,
    since: null,
    until: null,
    ids: null,
    limit: 500,
    offset: 0,
  };
}
