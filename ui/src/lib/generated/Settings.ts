// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Lang } from "./Lang";

export type Settings = { languages: Array<Lang>, grouping_window_hours: number, refresh_minutes: number, theme: string, };
