import { describe, expect, it } from "vitest";
import { hostOf, paragraphs } from "./article";
import { textDir } from "./rtl";

describe("article text", () => {
  it("splits stored text into paragraphs, each read in its own direction", () => {
    const text =
      "انفجار در بندر شهید رجایی ده‌ها زخمی برجا گذاشت.\nامدادگران در محل حاضر شدند.\n\n  \n\nThe port authority said work would resume.\n\n";
    const ps = paragraphs(text);
    expect(ps).toEqual([
      "انفجار در بندر شهید رجایی ده‌ها زخمی برجا گذاشت. امدادگران در محل حاضر شدند.",
      "The port authority said work would resume.",
    ]);
    expect(ps.map((p) => textDir(p, "fa"))).toEqual(["rtl", "ltr"]);
    expect(paragraphs("")).toEqual([]);
  });

  it("names the page's host", () => {
    expect(hostOf("https://fa.wikipedia.org/wiki/%D8%A8")).toBe("fa.wikipedia.org");
    expect(hostOf("http://127.0.0.1:8080/news/a")).toBe("127.0.0.1:8080");
    expect(hostOf("not a url")).toBe("not a url");
  });
});
