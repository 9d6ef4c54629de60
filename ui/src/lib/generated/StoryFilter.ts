// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Lang } from "./Lang";
import type { Ownership } from "./Ownership";

export type StoryFilter = { languages: Array<Lang>, cross_lingual_only: boolean, source_id: string | null, ownership: Ownership | null, since: string | null, until: string | null, ids: Array<number> | null, limit: number | null, offset: number | null, };
