// Alerts list logic: what counts as unread, and which headlines an alert shows. Whether an alert
// was seen is kept in the archive (`seen`), so the CLI (`parallax alerts --unseen`) and every app
// on the archive agree, and it survives a restart.
import type { AlertView, StorySummary } from "./types";
import { textDir, type Dir } from "./rtl";

export function isUnread(a: AlertView): boolean {
  return !a.seen;
}

/** The newest alert id in `alerts`: "mark all seen" marks up to it, so an alert raised since the
 * list loaded stays new. */
export function newestId(alerts: AlertView[]): number | null {
  let best: number | null = null;
  for (const a of alerts) if (best === null || a.id > best) best = a.id;
  return best;
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
