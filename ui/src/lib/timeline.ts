// Propagation of a story across outlets: who reported first and how long the others took.
import type { StoryItem } from "./types";
import { formatLag } from "./format";

export interface OutletFirst {
  source_id: string;
  source_name: string;
  lang: string;
  first: StoryItem;
  /** Milliseconds after the story's first report. */
  lag_ms: number;
  estimated: boolean;
}

export interface Propagation {
  first: OutletFirst | null;
  outlets: OutletFirst[];
}

/** Each outlet's first item, ordered by time; items with an estimated time sort after exact ties. */
export function propagation(items: StoryItem[]): Propagation {
  const firsts = new Map<string, StoryItem>();
  const sorted = [...items].sort(
    (a, b) =>
      Date.parse(a.published) - Date.parse(b.published) ||
      Number(a.time_estimated) - Number(b.time_estimated) ||
      a.id - b.id,
  );
  for (const it of sorted) if (!firsts.has(it.source_id)) firsts.set(it.source_id, it);
  const list = [...firsts.values()];
  if (list.length === 0) return { first: null, outlets: [] };
  const t0 = Date.parse(list[0].published);
  const outlets = list.map((it) => ({
    source_id: it.source_id,
    source_name: it.source_name,
    lang: it.lang,
    first: it,
    lag_ms: Date.parse(it.published) - t0,
    estimated: it.time_estimated,
  }));
  return { first: outlets[0], outlets };
}

/** "IRNA +3 h 10 min after Al Mayadeen". */
export function lagSentence(o: OutletFirst, first: OutletFirst): string {
  if (o.source_id === first.source_id) return `${o.source_name} reported first`;
  const lag = formatLag(o.lag_ms);
  const est = o.estimated ? " (time estimated)" : "";
  return lag === "same minute"
    ? `${o.source_name} in the same minute as ${first.source_name}${est}`
    : `${o.source_name} ${lag} after ${first.source_name}${est}`;
}
