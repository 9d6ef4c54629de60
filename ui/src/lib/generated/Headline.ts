// Provisional mirror of the engine DTO until `scripts/gen-types.sh` regenerates it from Rust.
import type { Lang } from "./Lang";

export type Headline = { lang: Lang, item_id: number, title: string, source_id: string, };
