// Labels for the related-stories list: where each lies in time relative to the open story.
import type { RelatedStory } from "./types";

/** "3 days earlier", "5 h later", "same time". */
export function relationLabel(r: Pick<RelatedStory, "relation" | "gap_days">): string {
  if (r.relation === "same_time") return "same time";
  const side = r.relation === "earlier" ? "earlier" : "later";
  const hours = r.gap_days * 24;
  if (hours < 1) return `just ${side}`;
  if (hours < 36) return `${Math.round(hours)} h ${side}`;
  const days = Math.round(r.gap_days);
  return `${days} ${days === 1 ? "day" : "days"} ${side}`;
}
