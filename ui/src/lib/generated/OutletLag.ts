// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Lang } from "./Lang";
import type { SourceRef } from "./SourceRef";

export type OutletLag = { source: SourceRef, lang: Lang, item_id: number, first_at: string, lag_secs: number, };
