// Grouping a story's items into side-by-side columns (one per language or one per outlet).
import type { StoryItem } from "./types";

export type ColumnMode = "language" | "outlet";

export interface Column {
  key: string;
  label: string;
  lang: string;
  items: StoryItem[];
}

/** Languages first in the order analysts read them side by side, then any other, alphabetically. */
export const LANG_ORDER = ["ar", "fa", "en"];

function langRank(lang: string): number {
  const i = LANG_ORDER.indexOf(lang);
  return i === -1 ? LANG_ORDER.length : i;
}

const byTime = (a: StoryItem, b: StoryItem) => Date.parse(a.published) - Date.parse(b.published) || a.id - b.id;

export function groupColumns(items: StoryItem[], mode: ColumnMode): Column[] {
  const map = new Map<string, Column>();
  for (const it of items) {
    const key = mode === "language" ? it.lang : it.source.id;
    let col = map.get(key);
    if (!col) {
      col = { key, label: mode === "language" ? it.lang : it.source.name, lang: it.lang, items: [] };
      map.set(key, col);
    }
    col.items.push(it);
  }
  const cols = [...map.values()];
  for (const c of cols) c.items.sort(byTime);
  if (mode === "language") {
    cols.sort((a, b) => langRank(a.key) - langRank(b.key) || a.key.localeCompare(b.key));
  } else {
    // Outlets in the order they first reported, language as the tie-breaker.
    cols.sort(
      (a, b) =>
        Date.parse(a.items[0].published) - Date.parse(b.items[0].published) ||
        langRank(a.lang) - langRank(b.lang) ||
        a.label.localeCompare(b.label),
    );
  }
  return cols;
}
