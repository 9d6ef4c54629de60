// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
export type ImportReport = { added: Array<string>, skipped: Array<string>, };
