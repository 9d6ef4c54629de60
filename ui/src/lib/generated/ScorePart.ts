// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
export type ScorePart = { name: string, value: number, weight: number, };
