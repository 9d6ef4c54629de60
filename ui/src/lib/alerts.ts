// Alerts list logic: what counts as unread, and which headlines an alert shows. The engine keeps
// alerts (once per story); which ones this user has looked at is the app's, kept in localStorage.
import type { AlertView, StorySummary } from "./types";
import { textDir, type Dir } from "./rtl";

export const SEEN_KEY = "parallax.alerts.seenAt";

/** Alerts raised after `seenAt` (every alert when the list was never opened). */
export function isUnread(a: AlertView, seenAt: string | null): boolean {
  return seenAt === null || Date.parse(a.created_at) > Date.parse(seenAt);
}

export function unreadCount(alerts: AlertView[], seenAt: string | null): number {
  return alerts.filter((a) => isUnread(a, seenAt)).length;
}

/** The newest raise time in `alerts`, or null: what "seen up to" becomes when the list is shown. */
export function newestRaise(alerts: AlertView[]): string | null {
  let best: string | null = null;
  for (const a of alerts) if (best === null || Date.parse(a.created_at) > Date.parse(best)) best = a.created_at;
  return best;
}

/** Keep the later of two "seen up to" times (a list loaded earlier must not move it back). */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export interface AlertHeadline {
  lang: string;
  title: string;
  dir: Dir;
}

/**
 * The headline that raised the alert, then the story's headlines in its other languages (as
 * the story is now), each with the direction its text reads in.
 */
export function alertHeadlines(a: AlertView, story: StorySummary | undefined, max = 3): AlertHeadline[] {
  const out: AlertHeadline[] = [];
  if (a.title) out.push({ lang: a.lang, title: a.title, dir: textDir(a.title, a.lang) });
  for (const h of story?.headlines ?? []) {
    if (out.length >= max) break;
    if (out.some((o) => o.lang === h.lang || o.title === h.title)) continue;
    out.push({ lang: h.lang, title: h.title, dir: textDir(h.title, h.lang) });
  }
  return out;
}

type Store = Pick<Storage, "getItem" | "setItem">;

function storage(): Store | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

export function loadSeen(store: Store | null = storage()): string | null {
  const v = store?.getItem(SEEN_KEY) ?? null;
  return v !== null && !Number.isNaN(Date.parse(v)) ? v : null;
}

export function saveSeen(seenAt: string, store: Store | null = storage()) {
  store?.setItem(SEEN_KEY, seenAt);
}
