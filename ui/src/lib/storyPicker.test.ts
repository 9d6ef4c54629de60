import { describe, expect, it } from "vitest";
import { candidateStories, parsePickerQuery, pickerHeadline } from "./storyPicker";
import type { SearchGroup, StorySummary } from "./types";

const story = (id: number, titles: [string, string][]): StorySummary => ({
  id,
  headlines: titles.map(([lang, title], i) => ({ lang, title, item_id: id * 10 + i, source_id: "s" })),
  languages: titles.map(([l]) => l),
  item_count: titles.length,
  outlet_count: 1,
  first_seen: "2024-09-17T10:00:00Z",
  last_seen: "2024-09-17T12:00:00Z",
  first_source: null,
  routine: false,
});

describe("story picker", () => {
  it("reads story numbers in any digits and text otherwise", () => {
    expect(parsePickerQuery("  ")).toEqual({ kind: "empty" });
    expect(parsePickerQuery("#42")).toEqual({ kind: "number", id: 42 });
    expect(parsePickerQuery("۴۲")).toEqual({ kind: "number", id: 42 });
    expect(parsePickerQuery("٤٢")).toEqual({ kind: "number", id: 42 });
    expect(parsePickerQuery("0")).toEqual({ kind: "text", text: "0" });
    expect(parsePickerQuery("انفجار پیجرها")).toEqual({ kind: "text", text: "انفجار پیجرها" });
    expect(parsePickerQuery("G20 summit")).toEqual({ kind: "text", text: "G20 summit" });
  });

  it("lists each found story once, best first, never the story being corrected", () => {
    const pagers = story(7, [["fa", "انفجار پیجرها در لبنان"], ["en", "Pagers explode across Lebanon"]]);
    const radios = story(9, [["ar", "انفجار أجهزة لاسلكية في لبنان"]]);
    const groups: SearchGroup[] = [
      { story: pagers, hits: [] },
      { story: null, hits: [] },
      { story: radios, hits: [] },
      { story: pagers, hits: [] },
    ];
    expect(candidateStories(groups, 1).map((s) => s.id)).toEqual([7, 9]);
    expect(candidateStories(groups, 7).map((s) => s.id)).toEqual([9]);
    expect(pickerHeadline(pagers)).toEqual({ lang: "en", title: "Pagers explode across Lebanon" });
    expect(pickerHeadline(radios)).toEqual({ lang: "ar", title: "انفجار أجهزة لاسلكية في لبنان" });
  });
});
