// App-wide state: which view is open, engine status, progress and notices. Views read it; only
// event handlers and user actions write it (no polling).
import type { Backend } from "./backend/backend";
import { errorText, IpcError, SEVERITY, type Severity } from "./backend/errors";
import type { ArchiveInfo, Change, Settings, StatusLine, Theme } from "./types";

export type ViewName = "stories" | "story" | "search" | "sources" | "settings" | "alerts" | "watches";

/** Alerts the unread count looks at (the newest; the list shows the same window). */
export const ALERT_WINDOW = 500;

export interface Notice {
  id: number;
  severity: Severity;
  text: string;
}

export interface Progress {
  label: string;
  done: number;
  total: number;
}

let noticeSeq = 0;

export class AppState {
  view = $state<ViewName>("stories");
  previous = $state<ViewName>("stories");
  storyId = $state<number | null>(null);
  status = $state<StatusLine | null>(null);
  settings = $state<Settings | null>(null);
  progress = $state<Progress | null>(null);
  notices = $state<Notice[]>([]);
  helpOpen = $state(false);
  /** Bumped whenever stories change, so lists reload once per burst of events. */
  storiesVersion = $state(0);
  sourcesVersion = $state(0);
  /** Bumped when alerts are raised or announced, so the alerts list and count reload. */
  alertsVersion = $state(0);
  /** Alerts not marked seen in the archive (one per watch and story). */
  unreadAlerts = $state(0);
  /** The archive shown: local, or a team server's (Settings → Team archive). */
  archive = $state<ArchiveInfo | null>(null);
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private alertsTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly backend: Backend) {}

  async start(): Promise<() => void> {
    const unlisten = await this.backend.onChange((c) => this.onChange(c));
    const unlistenAlerts = await this.backend.onAlertsAnnounced(() => this.scheduleAlerts());
    await this.loadArchive();
    // A click on an alert's desktop notification: the shell marked it seen; show its story.
    const unlistenOpen = await this.backend.onOpenStory((o) => {
      this.openStory(o.story_id);
      this.alertsVersion++;
      void this.refreshUnread();
    });
    await Promise.all([this.refreshStatus(), this.loadSettings(), this.refreshUnread()]);
    return () => {
      unlisten();
      unlistenAlerts();
      unlistenOpen();
    };
  }

  /** True while a team server's archive is shown. */
  get onTeam(): boolean {
    return this.archive?.kind === "team";
  }

  async loadArchive() {
    try {
      this.archive = await this.backend.archiveInfo();
      if (this.archive.error) this.notify("warning", `${this.archive.error}. Showing the local archive.`);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Another archive is shown now: every view reloads from it. */
  switchedArchive(info: ArchiveInfo) {
    this.archive = info;
    this.storiesVersion++;
    this.sourcesVersion++;
    this.alertsVersion++;
    this.progress = null;
    void this.refreshStatus();
    void this.refreshUnread();
  }

  async refreshUnread() {
    try {
      this.unreadAlerts = await this.backend.unseenAlertCount();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Mark one alert seen in the archive (opening it from the list does). */
  async markAlertSeen(id: number) {
    try {
      this.unreadAlerts = (await this.backend.markAlertSeen(id)).unseen;
      this.alertsVersion++;
    } catch (e) {
      this.fail(e);
    }
  }

  /** Mark every alert up to `upTo` (the newest the list showed) seen in the archive. */
  async markAllAlertsSeen(upTo: number | null) {
    try {
      this.unreadAlerts = (await this.backend.markAllAlertsSeen(upTo)).unseen;
      this.alertsVersion++;
    } catch (e) {
      this.fail(e);
    }
  }

  /** Coalesce alert reloads triggered by bursts of events. */
  private scheduleAlerts() {
    if (this.alertsTimer) return;
    this.alertsTimer = setTimeout(() => {
      this.alertsTimer = null;
      this.alertsVersion++;
      void this.refreshUnread();
    }, 300);
  }

  go(view: ViewName) {
    if (view !== "story") this.previous = view;
    this.view = view;
  }

  openStory(id: number) {
    if (this.view !== "story") this.previous = this.view;
    this.storyId = id;
    this.view = "story";
  }

  back() {
    if (this.helpOpen) this.helpOpen = false;
    else if (this.view === "story") this.view = this.previous;
  }

  notify(severity: Severity, text: string) {
    const id = ++noticeSeq;
    this.notices = [...this.notices.slice(-4), { id, severity, text }];
    if (severity !== "error") setTimeout(() => this.dismiss(id), 8000);
  }

  dismiss(id: number) {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  fail(e: unknown) {
    const sev = e instanceof IpcError ? SEVERITY[e.code] : "error";
    this.notify(sev, errorText(e));
  }

  async refreshStatus() {
    try {
      this.status = await this.backend.status();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Install the embedding model; the status line shows progress, then offers a regroup. */
  async installModel() {
    if (this.status) this.status = { ...this.status, model: { state: "installing" } };
    try {
      await this.backend.installModel();
      this.notify("info", "Model installed: new items are grouped by meaning. Regroup the archive from Settings to apply it to older items.");
    } catch (e) {
      this.fail(e);
    }
    await this.refreshStatus();
  }

  /** Group the whole archive again (after installing the model or changing the window). */
  async regroupAll() {
    try {
      const n = await this.backend.regroupAll();
      this.storiesVersion++;
      this.notify("info", `Regrouped ${n.toLocaleString("en")} items; your corrections were kept.`);
    } catch (e) {
      this.fail(e);
    }
    await this.refreshStatus();
  }

  async loadSettings() {
    try {
      this.settings = await this.backend.settings();
      applyTheme(this.settings.theme as Theme);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Coalesce status reloads triggered by bursts of events. */
  private scheduleStatus() {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      void this.refreshStatus();
    }, 400);
  }

  onChange(c: Change) {
    // The local archive keeps fetching while a team archive is shown; its progress is not the
    // shown archive's (a team server's changes never carry progress).
    if (this.onTeam && (c.kind === "fetch_progress" || c.kind === "task")) return;
    switch (c.kind) {
      case "items_added":
        this.scheduleStatus();
        break;
      case "stories_updated":
        this.storiesVersion++;
        this.scheduleStatus();
        break;
      case "fetch_progress":
        this.progress = c.done >= c.total ? null : { label: "Fetching sources", done: c.done, total: c.total };
        if (c.done >= c.total) {
          this.sourcesVersion++;
          this.scheduleStatus();
        }
        break;
      case "source_failed":
        this.sourcesVersion++;
        this.scheduleStatus();
        break;
      case "alerts_raised":
        this.scheduleAlerts();
        break;
      case "task": {
        // Long tasks (grouping an archive, installing the model, loading the demo) report here.
        const done = Number(c.done);
        const total = Number(c.total);
        this.progress = done >= total ? null : { label: c.message || c.task, done, total };
        if (done >= total) {
          this.storiesVersion++;
          this.scheduleStatus();
        }
        break;
      }
    }
  }
}

export function applyTheme(theme: Theme) {
  if (typeof document === "undefined") return;
  const root = document.documentElement;
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
}
