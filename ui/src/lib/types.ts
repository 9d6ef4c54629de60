// IPC transfer types, generated from Rust by ts-rs into ./generated (`cargo test -p parallax
// export_bindings`); views import them from here.
//
// ts-rs 10 writes Rust's i64/u64 as `bigint`, but serde_json sends them as plain JSON numbers and
// JSON.parse yields `number`: `Wire<T>` states the type the webview really receives.
import type { Lang as GLang } from "./generated/Lang";
import type { Ownership as GOwnership } from "./generated/Ownership";
import type { Code as GCode } from "./generated/Code";
import type { Source as GSource } from "./generated/Source";
import type { Feed as GFeed } from "./generated/Feed";
import type { ApiError as GApiError } from "./generated/ApiError";
import type { DemoReport as GDemoReport } from "./generated/DemoReport";
import type { Change as GChange } from "./generated/Change";
import type { StoryFilter as GStoryFilter } from "./generated/StoryFilter";
import type { Headline as GHeadline } from "./generated/Headline";
import type { SourceRef as GSourceRef } from "./generated/SourceRef";
import type { StorySummary as GStorySummary } from "./generated/StorySummary";
import type { StoryItem as GStoryItem } from "./generated/StoryItem";
import type { StoryDetail as GStoryDetail } from "./generated/StoryDetail";
import type { OutletLag as GOutletLag } from "./generated/OutletLag";
import type { Explanation as GExplanation } from "./generated/Explanation";
import type { ScorePart as GScorePart } from "./generated/ScorePart";
import type { SearchQuery as GSearchQuery } from "./generated/SearchQuery";
import type { SearchGroup as GSearchGroup } from "./generated/SearchGroup";
import type { SearchItemHit as GSearchItemHit } from "./generated/SearchItemHit";
import type { MatchKind as GMatchKind } from "./generated/MatchKind";
import type { SourceView as GSourceView } from "./generated/SourceView";
import type { SourceHealth as GSourceHealth } from "./generated/SourceHealth";
import type { FetchOutcome as GFetchOutcome } from "./generated/FetchOutcome";
import type { ImportReport as GImportReport } from "./generated/ImportReport";
import type { StatusLine as GStatusLine } from "./generated/StatusLine";
import type { ModelState as GModelState } from "./generated/ModelState";
import type { Settings as GSettings } from "./generated/Settings";
import type { StoryCarry as GStoryCarry } from "./generated/StoryCarry";
import type { CarryLink as GCarryLink } from "./generated/CarryLink";
import type { StoryFraming as GStoryFraming } from "./generated/StoryFraming";
import type { AlertView as GAlertView } from "./generated/AlertView";
import type { Watch as GWatch } from "./generated/Watch";
import type { WatchRule as GWatchRule } from "./generated/WatchRule";
import type { NewWatch as GNewWatch } from "./generated/NewWatch";
import type { WatchAdded as GWatchAdded } from "./generated/WatchAdded";
import type { AliasGroup as GAliasGroup } from "./generated/AliasGroup";
import type { QuietHours as GQuietHours } from "./generated/QuietHours";
import type { ExportFormat as GExportFormat } from "./generated/ExportFormat";
import type { SeenReport as GSeenReport } from "./generated/SeenReport";
import type { ArticleView as GArticleView } from "./generated/ArticleView";
import type { ArticleState as GArticleState } from "./generated/ArticleState";
import type { ArticleBrief as GArticleBrief } from "./generated/ArticleBrief";
import type { ArticleStatus as GArticleStatus } from "./generated/ArticleStatus";
import type { RelatedStories as GRelatedStories } from "./generated/RelatedStories";
import type { RelatedStory as GRelatedStory } from "./generated/RelatedStory";
import type { Relation as GRelation } from "./generated/Relation";

export type Wire<T> = T extends bigint
  ? number
  : T extends string | number | boolean | null | undefined
    ? T
    : { [K in keyof T]: Wire<T[K]> };

export type Lang = Wire<GLang>;
export type Ownership = Wire<GOwnership>;
export type Code = Wire<GCode>;
export type Source = Wire<GSource>;
export type Feed = Wire<GFeed>;
export type ApiError = Wire<GApiError>;
export type DemoReport = Wire<GDemoReport>;
export type Change = Wire<GChange>;
export type StoryFilter = Wire<GStoryFilter>;
export type Headline = Wire<GHeadline>;
export type SourceRef = Wire<GSourceRef>;
export type StorySummary = Wire<GStorySummary>;
export type StoryItem = Wire<GStoryItem>;
export type StoryDetail = Wire<GStoryDetail>;
export type OutletLag = Wire<GOutletLag>;
export type Explanation = Wire<GExplanation>;
export type ScorePart = Wire<GScorePart>;
export type SearchQuery = Wire<GSearchQuery>;
export type SearchGroup = Wire<GSearchGroup>;
export type SearchItemHit = Wire<GSearchItemHit>;
export type MatchKind = Wire<GMatchKind>;
export type SourceView = Wire<GSourceView>;
export type SourceHealth = Wire<GSourceHealth>;
export type FetchOutcome = Wire<GFetchOutcome>;
export type ImportReport = Wire<GImportReport>;
export type StatusLine = Wire<GStatusLine>;
export type ModelState = Wire<GModelState>;
export type Settings = Wire<GSettings>;
export type StoryCarry = Wire<GStoryCarry>;
export type RelatedStories = Wire<GRelatedStories>;
export type RelatedStory = Wire<GRelatedStory>;
export type Relation = Wire<GRelation>;
export type CarryLink = Wire<GCarryLink>;
export type StoryFraming = Wire<GStoryFraming>;
export type AlertView = Wire<GAlertView>;
export type Watch = Wire<GWatch>;
export type WatchRule = Wire<GWatchRule>;
export type NewWatch = Wire<GNewWatch>;
export type WatchAdded = Wire<GWatchAdded>;
export type AliasGroup = Wire<GAliasGroup>;
export type QuietHours = Wire<GQuietHours>;
export type ExportFormat = Wire<GExportFormat>;

export type Theme = "system" | "light" | "dark";

/** Which archive the app shows (src-tauri/src/team.rs `ArchiveInfo`; the token never crosses). */
export interface ArchiveInfo {
  kind: "local" | "team";
  /** The team server last used, also while the local archive is shown (pre-fills the form). */
  server: string | null;
  token_saved: boolean;
  user: string | null;
  role: "reader" | "editor" | "admin" | null;
  /** Why the saved team archive could not be reopened at start. */
  error: string | null;
}

export type SeenReport = Wire<GSeenReport>;
export type ArticleView = Wire<GArticleView>;
export type ArticleState = Wire<GArticleState>;
export type ArticleBrief = Wire<GArticleBrief>;
export type ArticleStatus = Wire<GArticleStatus>;
/** Sent by the shell when an alert's desktop notification is clicked (src-tauri/src/announce.rs). */
export interface OpenStory {
  story_id: number;
  alert_id: number;
}
