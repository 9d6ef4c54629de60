// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Lang } from "./Lang";
import type { Ownership } from "./Ownership";

export type SourceRef = { id: string, name: string, ownership: Ownership, language: Lang, country: string | null, };
