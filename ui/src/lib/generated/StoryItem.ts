// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Explanation } from "./Explanation";
import type { Lang } from "./Lang";
import type { SourceRef } from "./SourceRef";

export type StoryItem = { id: number, source: SourceRef, lang: Lang, lang_confidence: number | null, title: string, summary_html: string, summary_text: string, url: string | null, published: string, time_estimated: boolean, explanation: Explanation | null, };
