import { describe, expect, it } from "vitest";
import { alertHeadlines, isUnread, laterOf, loadSeen, newestRaise, saveSeen, SEEN_KEY, unreadCount } from "./alerts";
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
    ...over,
  };
}

describe("alerts", () => {
  const a1 = alert(1, "2026-12-07T10:00:00Z");
  const a2 = alert(2, "2026-12-07T11:00:00Z");

  it("counts alerts raised after the list was last seen", () => {
    expect(unreadCount([a1, a2], null)).toBe(2);
    expect(unreadCount([a1, a2], "2026-12-07T10:30:00Z")).toBe(1);
    expect(unreadCount([a1, a2], "2026-12-07T11:00:00Z")).toBe(0);
    // Later items only extend an alert: it does not come back as unread.
    const extended = { ...a1, updated_at: "2026-12-07T12:00:00Z", matches: 4 };
    expect(isUnread(extended, "2026-12-07T10:30:00Z")).toBe(false);
  });

  it("moves the seen mark forward only", () => {
    expect(newestRaise([a1, a2])).toBe(a2.created_at);
    expect(newestRaise([])).toBeNull();
    expect(laterOf(a2.created_at, a1.created_at)).toBe(a2.created_at);
    expect(laterOf(null, a1.created_at)).toBe(a1.created_at);
    expect(laterOf(a1.created_at, null)).toBe(a1.created_at);
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

  it("keeps the seen mark in storage and ignores garbage there", () => {
    const data = new Map<string, string>();
    const store = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
    expect(loadSeen(store)).toBeNull();
    saveSeen(a2.created_at, store);
    expect(loadSeen(store)).toBe(a2.created_at);
    data.set(SEEN_KEY, "not a time");
    expect(loadSeen(store)).toBeNull();
    expect(loadSeen(null)).toBeNull();
  });
});
