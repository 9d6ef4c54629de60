// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { StoryFilter } from "./StoryFilter";

export type SearchQuery = { text: string, filter: StoryFilter, semantic: boolean, limit: number | null, };
