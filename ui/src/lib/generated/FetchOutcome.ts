// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
export type FetchOutcome = "ok" | "not_modified" | "error";
