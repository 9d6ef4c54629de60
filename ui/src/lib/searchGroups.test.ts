import { describe, expect, it } from "vitest";
import { groupHits } from "./searchGroups";
import type { SearchHit } from "./types";

const hit = (id: number, story: number, score: number, lang = "fa"): SearchHit => ({
  item: {
    id,
    story_id: story,
    source_id: "s",
    source_name: "s",
    ownership: "unknown",
    lang,
    title: "سلیمانی",
    summary_html: "",
    url: null,
    published: "2020-01-03T00:00:00Z",
    time_estimated: false,
  },
  score,
  kind: "text",
});

describe("groupHits", () => {
  it("groups by story, best story first, hits by score", () => {
    const g = groupHits([hit(1, 10, 0.2), hit(2, 11, 0.9), hit(3, 10, 0.5, "ar")]);
    expect(g.map((x) => x.story_id)).toEqual([11, 10]);
    expect(g[1].hits.map((h) => h.item.id)).toEqual([3, 1]);
  });
});
