// IPC transfer types. Those generated from Rust (ts-rs) are re-exported from ./generated; the rest
// mirror the engine API's planned DTOs until the generated files replace them.
export type { Lang } from "./generated/Lang";
export type { Ownership } from "./generated/Ownership";
export type { Code } from "./generated/Code";
export type { Source } from "./generated/Source";
export type { Feed } from "./generated/Feed";

import type { Lang } from "./generated/Lang";
import type { Ownership } from "./generated/Ownership";
import type { Code } from "./generated/Code";
import type { Source } from "./generated/Source";

export interface ApiError {
  code: Code;
  message: string;
}

export interface StoryFilter {
  languages: Lang[];
  cross_lingual_only: boolean;
  source_id: string | null;
  ownership: Ownership | null;
  /** RFC 3339 lower bound on the story's last update. */
  since: string | null;
  until: string | null;
  limit: number;
  offset: number;
}

export interface Headline {
  lang: Lang;
  title: string;
  source_name: string;
}

export interface StorySummary {
  id: number;
  headlines: Headline[];
  languages: Lang[];
  outlet_count: number;
  item_count: number;
  first_seen: string;
  last_seen: string;
  first_source_name: string;
}

export interface ScorePart {
  name: string;
  value: number;
}

export interface Explanation {
  item_id: number;
  story_id: number;
  /** How the item joined: "seed" (started the story), "grouped", or "manual" (a correction). */
  reason: string;
  score: number;
  threshold: number;
  parts: ScorePart[];
  /** The item it matched best, when grouped. */
  matched_item_id: number | null;
}

export interface StoryItem {
  id: number;
  story_id: number;
  source_id: string;
  source_name: string;
  ownership: Ownership;
  lang: Lang;
  title: string;
  summary_html: string;
  url: string | null;
  published: string;
  time_estimated: boolean;
}

export interface StoryDetail {
  id: number;
  items: StoryItem[];
}

export interface SearchQuery {
  text: string;
  filter: StoryFilter;
  semantic: boolean;
}

export interface SearchHit {
  item: StoryItem;
  score: number;
  /** "text" for a folded full-text match, "semantic" for a match by meaning. */
  kind: "text" | "semantic";
}

export type FetchStatus = "ok" | "not_modified" | "failed" | "never";

export interface SourceHealth {
  source: Source;
  last_fetch: string | null;
  status: FetchStatus;
  items_per_day: number;
  item_count: number;
  last_error: ApiError | null;
}

export interface ImportReport {
  added: number;
  skipped: number;
  errors: ApiError[];
}

export type Theme = "system" | "light" | "dark";

export interface Settings {
  languages: Lang[];
  grouping_window_hours: number;
  refresh_minutes: number;
  data_dir: string;
  theme: Theme;
}

export type Change =
  | { kind: "items_added"; count: number; source_id: string | null }
  | { kind: "stories_updated"; ids: number[] }
  | { kind: "fetch_progress"; done: number; total: number; source_id: string | null }
  | { kind: "source_failed"; source_id: string; code: Code; message: string }
  | { kind: "model_install"; done: number; total: number };

export interface AppStatus {
  /** The database holds no items yet (first run). */
  empty: boolean;
  sources: number;
  sources_failing: number;
  items: number;
  stories: number;
  model_installed: boolean;
  demo_archive: string | null;
}
