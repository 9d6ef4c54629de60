// The "add a watch" form: its fields, and the engine's `NewWatch` they make. Validation (an empty
// or one-letter term, a story rule that would fire on everything) is the engine's; the form shows
// its message as is.
import type { NewWatch, Ownership, WatchRule } from "./types";

export type WatchKind = WatchRule["kind"];

export const WATCH_KINDS: { kind: WatchKind; label: string }[] = [
  { kind: "terms", label: "Term or name" },
  { kind: "outlets", label: "Outlet" },
  { kind: "ownership", label: "Kind of outlet" },
  { kind: "language", label: "Language" },
  { kind: "story_languages", label: "Story reaches N languages" },
  { kind: "story_first_reported_by", label: "Story first reported by" },
  { kind: "story_outlets_within", label: "Story gains N outlets quickly" },
];

export interface WatchFormState {
  kind: WatchKind;
  name: string;
  /** One or more terms, one per line or separated by commas (Latin or Arabic comma). */
  terms: string;
  outlet: string;
  ownership: Ownership;
  lang: string;
  atLeast: number;
  outlets: number;
  minutes: number;
  /** Also run over the archive already stored. */
  backfill: boolean;
}

export function emptyWatchForm(): WatchFormState {
  return {
    kind: "terms",
    name: "",
    terms: "",
    outlet: "",
    ownership: "state",
    lang: "ar",
    atLeast: 3,
    outlets: 10,
    minutes: 60,
    backfill: true,
  };
}

/** "Soleimani, سليماني\nQassem" → ["Soleimani", "سليماني", "Qassem"]; a blank box gives [""] so
 * the engine answers that a term cannot be empty. */
export function splitTerms(text: string): string[] {
  const terms = text
    .split(/[\n,،]/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  return terms.length > 0 ? terms : [text.trim()];
}

export function ruleOf(f: WatchFormState): WatchRule {
  switch (f.kind) {
    case "terms":
      return { kind: "terms", terms: splitTerms(f.terms) };
    case "outlets":
      return { kind: "outlets", sources: [f.outlet] };
    case "ownership":
      return { kind: "ownership", ownership: f.ownership };
    case "language":
      return { kind: "language", lang: f.lang };
    case "story_languages":
      return { kind: "story_languages", at_least: Math.trunc(f.atLeast) };
    case "story_first_reported_by":
      return { kind: "story_first_reported_by", source: f.outlet };
    case "story_outlets_within":
      return { kind: "story_outlets_within", outlets: Math.trunc(f.outlets), minutes: Math.trunc(f.minutes) };
  }
}

export function toNewWatch(f: WatchFormState): NewWatch {
  const name = f.name.trim();
  return { name: name || null, rule: ruleOf(f), backfill: f.backfill };
}

/** A kind label for the watches list. */
export function kindLabel(kind: WatchKind): string {
  return WATCH_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

/** Alias spellings typed one per line or comma-separated. */
export function splitSpellings(text: string): string[] {
  return text
    .split(/[\n,،]/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** The engine's refusal without its module prefix ("watch: the term …" → "the term …"). */
export function refusalText(message: string): string {
  return message.replace(/^watch:\s*/, "");
}
