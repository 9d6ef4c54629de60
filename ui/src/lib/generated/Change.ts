// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Code } from "./Code";

export type Change = { "kind": "items_added", source_id: string, count: number, } | { "kind": "stories_updated", ids: Array<number>, } | { "kind": "fetch_progress", done: number, total: number, source_id: string | null, } | { "kind": "source_failed", source_id: string, code: Code, message: string, } | { "kind": "task", task: string, done: bigint, total: bigint, message: string, };
