import { describe, expect, it } from "vitest";
import { formatAgo, formatDate, formatLag } from "./format";

const MIN = 60_000;
const H = 60 * MIN;

describe("formatLag", () => {
  it("reads like an analyst's note", () => {
    expect(formatLag(3 * H + 10 * MIN)).toBe("+3 h 10 min");
    expect(formatLag(45 * MIN)).toBe("+45 min");
    expect(formatLag(2 * H)).toBe("+2 h");
    expect(formatLag(50 * H)).toBe("+2 d 2 h");
    expect(formatLag(30_000)).toBe("same minute");
    expect(formatLag(-90 * MIN)).toBe("−1 h 30 min");
  });
});

describe("formatAgo", () => {
  const now = new Date("2025-10-09T12:00:00Z");
  it("uses relative time within a week, a UTC date beyond", () => {
    expect(formatAgo("2025-10-09T11:55:00Z", now)).toBe("5 min ago");
    expect(formatAgo("2025-10-09T09:00:00Z", now)).toBe("3 h ago");
    expect(formatAgo("2025-10-07T12:00:00Z", now)).toBe("2 d ago");
    expect(formatAgo("2025-08-01T06:30:00Z", now)).toBe("2025-08-01 06:30");
    expect(formatAgo("not a date", now)).toBe("");
  });
  it("formats offsets in UTC", () => {
    expect(formatDate("2025-10-09T08:35:00+05:30")).toBe("2025-10-09 03:05");
  });
});
