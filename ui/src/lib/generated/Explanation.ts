// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { ScorePart } from "./ScorePart";

export type Explanation = { score: number, parts: Array<ScorePart>, matched_item: number | null, runner_up: [number, number] | null, manual: boolean, new_story: boolean, };
