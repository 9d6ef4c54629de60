// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { MatchKind } from "./MatchKind";
import type { StoryItem } from "./StoryItem";

export type SearchItemHit = { item: StoryItem, kind: MatchKind, score: number, };
