import { describe, expect, it } from "vitest";
import { relationLabel } from "./related";

describe("relationLabel", () => {
  it("says which side and how far, in hours under a day and a half", () => {
    expect(relationLabel({ relation: "earlier", gap_days: 0.25 })).toBe("6 h earlier");
    expect(relationLabel({ relation: "later", gap_days: 3.4 })).toBe("3 days later");
    expect(relationLabel({ relation: "later", gap_days: 1.6 })).toBe("2 days later");
    expect(relationLabel({ relation: "earlier", gap_days: 0.01 })).toBe("just earlier");
  });
  it("overlapping spans are the same time", () => {
    expect(relationLabel({ relation: "same_time", gap_days: 0 })).toBe("same time");
  });
});
