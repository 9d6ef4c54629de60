// Backend over Tauri IPC. Command names appear here and nowhere else in the UI.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { openUrl } from "@tauri-apps/plugin-opener";
import type { Backend } from "./backend";
import { toIpcError } from "./errors";
import type { AlertView, Change, OpenStory } from "../types";

export const CHANGE_EVENT = "parallax://change";
export const ALERTS_ANNOUNCED_EVENT = "parallax://alerts-announced";
export const OPEN_STORY_EVENT = "parallax://open-story";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toIpcError(command, e);
  }
}

export const tauriBackend: Backend = {
  status: () => call("status"),
  dataLocation: () => call("data_location"),
  listStories: (filter) => call("list_stories", { filter }),
  getStory: (storyId) => call("get_story", { storyId }),
  storyCarry: (storyId) => call("story_carry", { storyId }),
  relatedStories: (storyId, limit) => call("related_stories", { storyId, limit }),
  storyFraming: (storyId) => call("story_framing", { storyId }),
  explainItem: (itemId) => call("explain_item", { itemId }),
  search: (query) => call("search", { query }),
  listSources: () => call("list_sources"),
  addSource: (url) => call("add_source", { url }),
  setSourceEnabled: (sourceId, enabled) => call("set_source_enabled", { sourceId, enabled }),
  removeSource: (sourceId) => call("remove_source", { sourceId }),
  importOpml: (text) => call("import_opml", { text }),
  exportOpml: () => call("export_opml"),
  refresh: (sourceId) => call("refresh", { sourceId }),
  settings: () => call("settings"),
  updateSettings: (settings) => call("update_settings", { settings }),
  moveItem: (itemId, toStory) => call("move_item", { itemId, toStory }),
  splitStory: (storyId, itemIds) => call("split_story", { storyId, itemIds }),
  mergeStories: (into, from) => call("merge_stories", { into, from }),
  loadDemoArchive: () => call("load_demo_archive"),
  installModel: () => call("install_model"),
  regroupAll: () => call("regroup_all"),
  watches: () => call("watches"),
  addWatch: (watch) => call("add_watch", { watch }),
  removeWatch: (id) => call("remove_watch", { id }),
  aliases: () => call("aliases"),
  addAlias: (spellings) => call("add_alias", { spellings }),
  removeAlias: (id) => call("remove_alias", { id }),
  alerts: (limit) => call("alerts", { limit }),
  markAlertSeen: (id) => call("mark_alert_seen", { id }),
  markAllAlertsSeen: (upTo) => call("mark_all_alerts_seen", { upTo }),
  unseenAlertCount: () => call("unseen_alert_count"),
  article: (itemId) => call("article", { itemId }),
  articleStatuses: (itemIds) => call("article_statuses", { itemIds }),
  fetchArticle: (itemId) => call("fetch_article", { itemId }),
  exportStory: (storyId, format) => call("export_story", { storyId, format }),
  exportSearch: (query) => call("export_search", { query }),
  archiveInfo: () => call("archive_info"),
  connectTeam: (server, token) => call("connect_team", { server, token }),
  useLocalArchive: () => call("use_local_archive"),
  openUrl: async (url) => {
    try {
      await openUrl(url);
    } catch (e) {
      throw toIpcError("plugin:opener|open_url", e);
    }
  },
  onChange: async (handler) => listen<Change>(CHANGE_EVENT, (e) => handler(e.payload)),
  onAlertsAnnounced: async (handler) => listen<AlertView[]>(ALERTS_ANNOUNCED_EVENT, (e) => handler(e.payload)),
  onOpenStory: async (handler) => listen<OpenStory>(OPEN_STORY_EVENT, (e) => handler(e.payload)),
};
