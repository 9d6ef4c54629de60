// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Code } from "./Code";

export type ApiError = { code: Code, message: string, };
