// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
export type StatusLine = { sources: number, enabled: number, failing: number, items: number, stories: number, last_fetch: string | null, model_loaded: boolean, model_message: string | null, };
