// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { OutletLag } from "./OutletLag";
import type { StoryItem } from "./StoryItem";
import type { StorySummary } from "./StorySummary";

export type StoryDetail = { summary: StorySummary, items: Array<StoryItem>, propagation: Array<OutletLag>, };
