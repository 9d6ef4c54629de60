import { describe, expect, it } from "vitest";
import { actionFor } from "./shortcuts";

describe("shortcuts", () => {
  it("maps single keys and g-sequences", () => {
    expect(actionFor("/", null)).toEqual({ kind: "search" });
    expect(actionFor("Escape", null)).toEqual({ kind: "back" });
    expect(actionFor("?", null)).toEqual({ kind: "help" });
    expect(actionFor("o", "g")).toEqual({ kind: "go", view: "sources" });
    expect(actionFor("a", "g")).toEqual({ kind: "go", view: "alerts" });
    expect(actionFor("w", "g")).toEqual({ kind: "go", view: "watches" });
    expect(actionFor("o", null)).toBeNull();
  });
});
