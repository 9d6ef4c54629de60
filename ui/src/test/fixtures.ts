// Real items for UI logic tests: the committed story fixture (Wikipedia "In the news" blurbs in
// ar, fa, en labelled by subject; tests/fixtures/text/stories, CC BY-SA 3.0), so the tests run on
// any clone.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import type { StoryItem } from "../lib/types";

const here = fileURLToPath(new URL(".", import.meta.url));
export const ITN_STORIES = resolve(here, "../../../tests/fixtures/text/stories/itn-ar-fa-en.jsonl");

export type { Row as EvalRow } from "./fakeBackend";
import type { Row as EvalRow } from "./fakeBackend";

export function storyRows(): EvalRow[] {
  return readFileSync(ITN_STORIES, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EvalRow);
}

/** The dated items of one gold story as the engine would hand them to the UI. */
export function storyItems(story: string): StoryItem[] {
  return storyRows()
    .filter((r) => r.story === story && r.published)
    .map((r, i) => ({
      id: i + 1,
      source: { id: r.source ?? `unknown-${i}`, name: r.source ?? "unknown", ownership: "unknown", language: r.lang, country: null },
      lang: r.lang,
      lang_confidence: null,
      title: r.title,
      summary_html: "",
      summary_text: r.text ?? "",
      url: r.url ?? null,
      published: new Date(r.published!).toISOString(),
      time_estimated: false,
      explanation: null,
    }));
}
