import { describe, expect, it } from "vitest";
import { emptyWatchForm, kindLabel, refusalText, splitSpellings, splitTerms, toNewWatch } from "./watchForm";

describe("watch form", () => {
  it("splits terms on new lines, commas and the Arabic comma", () => {
    expect(splitTerms(" Soleimani, سليماني\nسلیمانی ، Qassem ")).toEqual(["Soleimani", "سليماني", "سلیمانی", "Qassem"]);
    // Blank input still reaches the engine, which answers that a term cannot be empty.
    expect(splitTerms("   ")).toEqual([""]);
    expect(splitTerms("S")).toEqual(["S"]);
  });

  it("makes the engine's NewWatch for each kind", () => {
    const f = { ...emptyWatchForm(), terms: "Soleimani", name: "  " };
    expect(toNewWatch(f)).toEqual({ name: null, rule: { kind: "terms", terms: ["Soleimani"] }, backfill: true });
    expect(toNewWatch({ ...f, kind: "outlets", outlet: "irna", name: "IRNA" })).toEqual({
      name: "IRNA",
      rule: { kind: "outlets", sources: ["irna"] },
      backfill: true,
    });
    expect(toNewWatch({ ...f, kind: "story_languages", atLeast: 3.7 }).rule).toEqual({ kind: "story_languages", at_least: 3 });
    expect(toNewWatch({ ...f, kind: "story_outlets_within", outlets: 10, minutes: 60, backfill: false })).toEqual({
      name: null,
      rule: { kind: "story_outlets_within", outlets: 10, minutes: 60 },
      backfill: false,
    });
    expect(toNewWatch({ ...f, kind: "story_first_reported_by", outlet: "aawsat" }).rule).toEqual({
      kind: "story_first_reported_by",
      source: "aawsat",
    });
    expect(toNewWatch({ ...f, kind: "language", lang: "fa" }).rule).toEqual({ kind: "language", lang: "fa" });
    expect(toNewWatch({ ...f, kind: "ownership", ownership: "state" }).rule).toEqual({ kind: "ownership", ownership: "state" });
    expect(kindLabel("story_languages")).toBe("Story reaches N languages");
  });

  it("splits alias spellings and drops blanks", () => {
    expect(splitSpellings("Soleimani, سليماني,, سلیمانی\n")).toEqual(["Soleimani", "سليماني", "سلیمانی"]);
  });

  it("shows the engine's refusal without its module prefix", () => {
    expect(refusalText('watch: the term "S" is too short: use at least two letters')).toBe('the term "S" is too short: use at least two letters');
    expect(refusalText("no source with id \"x\"")).toBe('no source with id "x"');
  });
});
