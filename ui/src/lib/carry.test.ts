import { describe, expect, it } from "vitest";
import { markFor, marksOf } from "./carry";
import type { StoryCarry } from "./types";

const src = (id: string, name: string, language: string) => ({ id, name, ownership: "state" as const, language, country: null });

// Real text: NTREX-128 line 1461 in Persian and Arabic (CC BY-SA 4.0).
const carry: StoryCarry = {
  story_id: 1,
  items: [
    { item_id: 10, source: src("irna", "IRNA", "fa"), lang: "fa", published: "2018-09-29T16:00:00Z", sentences: ["سوریه به «نیروهای اشغالگر» آمریکا، فرانسه و ترکیه دستور داد تا فورا خارج شوند."] },
    { item_id: 11, source: src("almayadeen", "Al Mayadeen", "ar"), lang: "ar", published: "2018-09-29T18:10:00Z", sentences: ["سوريا تطلب من 'قوات الاحتلال' الأمريكية والفرنسية والتركية الانسحاب فورًا"] },
  ],
  links: [
    {
      edge: { origin_item: 10, carrier_item: 11, kind: "translated", carried: 1, origin_sentences: 1, carrier_sentences: 1, lag_secs: 7800, pairs: [{ origin: 0, carrier: 0, score: 0.93, kind: "translated" }] },
      origin_source: src("irna", "IRNA", "fa"),
      carrier_source: src("almayadeen", "Al Mayadeen", "ar"),
      origin_lang: "fa",
      carrier_lang: "ar",
      summary: "Al Mayadeen carries 1 of 1 sentence of IRNA, translated, +2 h 10 min",
    },
  ],
  translations_checked: true,
  note: null,
};

describe("carry marks", () => {
  it("pairs a carried sentence with its origin sentence", () => {
    const [m] = marksOf(carry, carry.links[0]);
    expect(m.originText).toContain("سوریه");
    expect(m.carrierText).toContain("سوريا");
    expect(markFor(m, 10)).toEqual({ role: "origin", text: m.originText });
    expect(markFor(m, 11)?.role).toBe("carrier");
    expect(markFor(m, 12)).toBeNull();
    expect(markFor(null, 10)).toBeNull();
  });
});
