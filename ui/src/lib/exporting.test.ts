import { describe, expect, it } from "vitest";
import { savedText, STORY_EXPORTS } from "./exporting";

describe("export", () => {
  it("offers the three story formats and reports where the file went", () => {
    expect(STORY_EXPORTS.map((e) => e.format)).toEqual(["html", "csv", "json"]);
    expect(savedText("report", "/home/a/parallax-story-3.html")).toBe("Saved the report to /home/a/parallax-story-3.html");
    // A cancelled dialog is not an error and says nothing.
    expect(savedText("report", null)).toBeNull();
  });
});
