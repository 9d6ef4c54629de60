// The one interface the views talk to. `tauri.ts` implements it over IPC; tests use a fake.
import type {
  AppStatus,
  Change,
  Explanation,
  ImportReport,
  SearchHit,
  SearchQuery,
  Settings,
  Source,
  SourceHealth,
  StoryDetail,
  StoryFilter,
  StorySummary,
} from "../types";

export interface Backend {
  status(): Promise<AppStatus>;
  listStories(filter: StoryFilter): Promise<StorySummary[]>;
  getStory(storyId: number): Promise<StoryDetail>;
  explainItem(itemId: number): Promise<Explanation>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  listSources(): Promise<SourceHealth[]>;
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
  loadDemoArchive(): Promise<void>;
  openUrl(url: string): Promise<void>;
  /** Subscribe to engine changes; returns the unsubscribe function. */
  onChange(handler: (change: Change) => void): Promise<() => void>;
}

export function defaultFilter(): StoryFilter {
  return {
    languages: [],
    cross_lingual_only: false,
    source_id: null,
    ownership: null,
    since: null,
    until: null,
    limit: 500,
    offset: 0,
  };
}
