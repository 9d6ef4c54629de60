// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { FetchOutcome } from "./FetchOutcome";

export type SourceHealth = { source_id: string, last_fetch: string | null, last_outcome: FetchOutcome | null, last_status: number | null, last_error: string | null, last_error_code: string | null, last_success: string | null, consecutive_failures: number, item_count: number, items_per_day: number, };
