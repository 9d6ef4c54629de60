// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { SearchItemHit } from "./SearchItemHit";
import type { StorySummary } from "./StorySummary";

export type SearchGroup = { story: StorySummary | null, hits: Array<SearchItemHit>, };
