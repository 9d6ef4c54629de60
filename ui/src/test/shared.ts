// Real items from ../shared for UI logic tests; tests skip with a message when it is absent.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import type { StoryItem } from "../lib/types";

const here = fileURLToPath(new URL(".", import.meta.url));
export const SHARED = resolve(here, "../../../../shared/data");
export const COVERAGE = resolve(SHARED, "story-eval/coverage-dev-ar-fa-en.jsonl");
export const HAS_SHARED = existsSync(COVERAGE);
if (!HAS_SHARED) console.warn(`skipping tests on real data: ${COVERAGE} is absent (../shared not mounted)`);

export type { Row as EvalRow } from "./fakeBackend";
import type { Row as EvalRow } from "./fakeBackend";

export function coverageRows(): EvalRow[] {
  return readFileSync(COVERAGE, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EvalRow);
}

/** The dated items of one gold story as the engine would hand them to the UI. */
export function storyItems(story: string): StoryItem[] {
  return coverageRows()
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
