import { describe, expect, it } from "vitest";
import { groupColumns } from "./columns";
import { langDir } from "./rtl";
import { storyItems } from "../test/fixtures";

describe("side-by-side columns", () => {
  const items = storyItems("Q114563438") // Hurricane Julia, October 2022;

  it("puts one column per language in the order ar | fa | en, items by time", () => {
    const cols = groupColumns(items, "language");
    expect(cols.map((c) => c.key)).toEqual(["ar", "fa", "en"]);
    expect(cols.map((c) => langDir(c.lang))).toEqual(["rtl", "rtl", "ltr"]);
    expect(cols.reduce((n, c) => n + c.items.length, 0)).toBe(items.length);
    for (const c of cols) {
      expect(c.items.every((i) => i.lang === c.key)).toBe(true);
      const times = c.items.map((i) => Date.parse(i.published));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it("switches to one column per outlet, first reporter first", () => {
    const cols = groupColumns(items, "outlet");
    expect(cols.length).toBe(new Set(items.map((i) => i.source.id)).size);
    // English and Persian Wikipedia carried it at the same second (language breaks the tie),
    // Arabic a day later.
    expect(cols.map((c) => c.lang)).toEqual(["fa", "en", "ar"]);
    expect(cols[0].label).toBe("Wikipedia (fa) — In the news");
  });
});
