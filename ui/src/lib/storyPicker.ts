// Finding the target story for a correction (move an item, merge a story) by what the analyst
// remembers: a story number, or words of its headline in any script.
import type { SearchGroup, StorySummary } from "./types";

export type PickerQuery = { kind: "empty" } | { kind: "number"; id: number } | { kind: "text"; text: string };

export function parsePickerQuery(raw: string): PickerQuery {
  const t = raw.trim();
  if (!t) return { kind: "empty" };
  // "#12", "12", and Persian or Arabic-Indic digits all name a story number.
  const digits = t
    .replace(/^#/, "")
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));
  if (/^\d+$/.test(digits)) {
    const id = Number(digits);
    if (Number.isSafeInteger(id) && id > 0) return { kind: "number", id };
  }
  return { kind: "text", text: t };
}

/** Stories found by a search, best first, once each, without the story being corrected. */
export function candidateStories(groups: SearchGroup[], exclude: number, max = 12): StorySummary[] {
  const seen = new Set<number>([exclude]);
  const out: StorySummary[] = [];
  for (const g of groups) {
    const s = g.story;
    if (!s || seen.has(s.id)) continue;
    seen.add(s.id);
    out.push(s);
    if (out.length >= max) break;
  }
  return out;
}

/** The headline to show for a story: English if present (the analyst's working language), else the first. */
export function pickerHeadline(s: StorySummary): { lang: string; title: string } | null {
  const h = s.headlines.find((x) => x.lang === "en") ?? s.headlines[0];
  return h ? { lang: h.lang, title: h.title } : null;
}
