// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Headline } from "./Headline";
import type { Lang } from "./Lang";
import type { SourceRef } from "./SourceRef";

export type StorySummary = { id: number, headlines: Array<Headline>, languages: Array<Lang>, item_count: number, outlet_count: number, first_seen: string, last_seen: string, first_source: SourceRef | null, };
