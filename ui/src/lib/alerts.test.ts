import { describe, expect, it } from "vitest";
import { alertHeadlines, isUnread, newestId } from "./alerts";
import type { AlertView, StorySummary } from "./types";

function alert(id: number, created: string, over: Partial<AlertView> = {}): AlertView {
  return {
    id,
    watch_id: 1,
    watch_name: "Soleimani",
    story_id: id,
    title: "روایت دختر سردار سلیمانی از وصیت پدرش",
    lang: "fa",
    source_name: "Hamshahri",
    reason: "Soleimani (سلیمانی)",
    matches: 1,
    story_items: 3,
    story_languages: ["ar", "fa", "en"],
    created_at: created,
    updated_at: created,
    due_at: created,
    delivered: false,
    seen: false,
    ...over,
  };
}

describe("alerts", () => {
  const a1 = alert(1, "2026-12-07T10:00:00Z");
  const a2 = alert(2, "2026-12-07T11:00:00Z");

  it("reads unread from the archive's seen state, and marks all up to the newest shown", () => {
    expect(isUnread(a1)).toBe(true);
    expect(isUnread({ ...a1, seen: true })).toBe(false);
    // Later items only extend an alert: a seen one stays seen.
    expect(isUnread({ ...a1, seen: true, updated_at: "2026-12-07T12:00:00Z", matches: 4 })).toBe(false);
    expect(newestId([a2, a1])).toBe(2);
    expect(newestId([])).toBeNull();
  });

  it("shows the matching headline first, then the story's other languages, each in its direction", () => {
    const story = {
      id: 1,
      headlines: [
        { lang: "ar", item_id: 1, title: "قاسم سليماني يعزي بقائد العمليات في فيلق بدر", source_id: "aawsat" },
        { lang: "fa", item_id: 2, title: "روایت دختر سردار سلیمانی از وصیت پدرش", source_id: "hamshahri" },
        { lang: "en", item_id: 3, title: "Soleimani's daughter recounts her father's will", source_id: "reuters" },
      ],
    } as unknown as StorySummary;
    const hs = alertHeadlines(a1, story);
    expect(hs.map((h) => [h.lang, h.dir])).toEqual([
      ["fa", "rtl"],
      ["ar", "rtl"],
      ["en", "ltr"],
    ]);
    expect(alertHeadlines(a1, story, 2)).toHaveLength(2);
    // Without the story (merged away, or not loaded), the alert's own headline still shows.
    expect(alertHeadlines(a1, undefined).map((h) => h.lang)).toEqual(["fa"]);
    // An English headline that opens with a Persian name still reads left to right as English.
    const mixed = alert(3, a1.created_at, { title: "2026: Soleimani", lang: "en" });
    expect(alertHeadlines(mixed, undefined)[0].dir).toBe("ltr");
  });
});
