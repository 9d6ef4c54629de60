import { describe, expect, it } from "vitest";
import { lagSentence, propagation } from "./timeline";
import type { StoryItem } from "./types";
import { HAS_SHARED, storyItems } from "../test/shared";

function item(id: number, source: string, lang: string, published: string, estimated = false): StoryItem {
  return {
    id,
    story_id: 7,
    source_id: source.toLowerCase().replace(/ /g, "-"),
    source_name: source,
    ownership: "state",
    lang,
    title: "",
    summary_html: "",
    url: null,
    published,
    time_estimated: estimated,
  };
}

describe("propagation", () => {
  it("marks the first report and states each outlet's lag", () => {
    const p = propagation([
      item(3, "IRNA", "fa", "2025-06-13T09:40:00Z"),
      item(1, "Al Mayadeen", "ar", "2025-06-13T06:30:00Z"),
      item(2, "IRNA", "fa", "2025-06-13T11:00:00Z"),
      item(4, "Reuters", "en", "2025-06-14T07:30:00Z"),
    ]);
    expect(p.first?.source_name).toBe("Al Mayadeen");
    expect(p.outlets.map((o) => lagSentence(o, p.first!))).toEqual([
      "Al Mayadeen reported first",
      "IRNA +3 h 10 min after Al Mayadeen",
      "Reuters +1 d 1 h after Al Mayadeen",
    ]);
  });

  it("ranks an estimated time after an exact one at the same instant", () => {
    const p = propagation([
      item(1, "Wikipedia (fa)", "fa", "2022-09-26T11:16:52Z", true),
      item(2, "Wikipedia (en)", "en", "2022-09-26T11:16:52Z"),
    ]);
    expect(p.first?.source_name).toBe("Wikipedia (en)");
    expect(lagSentence(p.outlets[1], p.first!)).toBe(
      "Wikipedia (fa) in the same minute as Wikipedia (en) (time estimated)",
    );
  });

  it("is empty for no items", () => {
    expect(propagation([])).toEqual({ first: null, outlets: [] });
  });

  it.skipIf(!HAS_SHARED)("orders real coverage of the Gaza deal by outlet", () => {
    const p = propagation(storyItems("2025-10-gaza-deal-first-phase-trump-plan"));
    expect(p.first?.source_name).toBe("ksl.com");
    // livemint's +05:30 stamp is 03:05 UTC on the 9th: 27 h 5 min after ksl.com's 8 October midnight.
    const mint = p.outlets.find((o) => o.source_name === "livemint.com")!;
    expect(lagSentence(mint, p.first!)).toBe("livemint.com +1 d 3 h after ksl.com");
    expect(new Set(p.outlets.map((o) => o.lang))).toEqual(new Set(["ar", "fa", "en"]));
  });
});
