import { describe, expect, it } from "vitest";
import { firstStrongDir, rtlShare, textDir } from "./rtl";
import { storyRows } from "../test/fixtures";

describe("direction of mixed feed text", () => {
  it("follows the first strong character, as dir=auto does", () => {
    // Real ITN headline that opens with a digit: the Arabic letters decide.
    expect(firstStrongDir("1 سبتمبر نجاة كريستينا فرنانديز دي كيرشنر")).toBe("rtl");
    // Persian with zero-width non-joiners and Persian digits.
    expect(firstStrongDir("دست‌کم ۸۱ تن در درگیری دوباره میان تاجیکستان و قرقیزستان کشته شدند.")).toBe("rtl");
    // A Latin outlet name before Persian text reads left to right, like the browser would.
    expect(firstStrongDir("BBC فارسی: خبر فوری")).toBe("ltr");
    // Quote marks and punctuation are neutral.
    expect(firstStrongDir("«ترامب» يعلن")).toBe("rtl");
    expect(firstStrongDir("‘Hurricane Julia leaves more than 70 people dead…’")).toBe("ltr");
    expect(firstStrongDir("2025 — 12:30")).toBeNull();
  });

  it("falls back to the language for text with no strong character", () => {
    expect(textDir("۱۴۰۱", "fa")).toBe("rtl");
    expect(textDir("2025", "en")).toBe("ltr");
    expect(textDir("Trump: ترامب")).toBe("ltr");
  });

  it("measures how much of a mixed headline is right-to-left", () => {
    expect(rtlShare("Trump ترامب")).toBeCloseTo(5 / 10);
    expect(rtlShare("12:30")).toBe(0);
  });

  it("finds every Arabic and Persian title of the story fixture right-to-left", () => {
    const rows = storyRows();
    const rtl = rows.filter((r) => r.lang === "ar" || r.lang === "fa");
    const en = rows.filter((r) => r.lang === "en");
    expect(rtl.length).toBeGreaterThan(150);
    const wrong = rtl.filter((r) => firstStrongDir(r.title) !== "rtl").map((r) => r.title);
    expect(wrong).toEqual([]);
    expect(en.filter((r) => firstStrongDir(r.title) !== "ltr").map((r) => r.title)).toEqual([]);
  });
});
