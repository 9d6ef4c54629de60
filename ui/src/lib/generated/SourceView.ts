// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Source } from "./Source";
import type { SourceHealth } from "./SourceHealth";

export type SourceView = { source: Source, health: SourceHealth | null, };
