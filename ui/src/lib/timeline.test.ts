import { describe, expect, it } from "vitest";
import { lagSentence } from "./timeline";
import type { OutletLag } from "./types";

function lag(name: string, lang: string, minutes: number): OutletLag {
  return {
    source: { id: name.toLowerCase().replace(/ /g, "-"), name, ownership: "state", language: lang, country: null },
    lang,
    item_id: minutes,
    first_at: new Date(Date.UTC(2025, 5, 13, 6, 30) + minutes * 60_000).toISOString(),
    lag_secs: minutes * 60,
  };
}

describe("lag sentences", () => {
  const first = lag("Al Mayadeen", "ar", 0);
  it("reads like an analyst's note", () => {
    expect(lagSentence(first, first)).toBe("Al Mayadeen reported first");
    expect(lagSentence(lag("IRNA", "fa", 190), first)).toBe("IRNA +3 h 10 min after Al Mayadeen");
    expect(lagSentence(lag("Reuters", "en", 25 * 60), first)).toBe("Reuters +1 d 1 h after Al Mayadeen");
  });
  it("flags estimated times and same-minute reports", () => {
    expect(lagSentence(lag("Wikipedia (fa)", "fa", 0), lag("Wikipedia (en)", "en", 0), true)).toBe(
      "Wikipedia (fa) in the same minute as Wikipedia (en) (time estimated)",
    );
  });
});
