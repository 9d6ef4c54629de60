// Search hits grouped by story, best story first (by its best hit), hits in score order.
import type { SearchHit } from "./types";

export interface HitGroup {
  story_id: number;
  best: number;
  hits: SearchHit[];
}

export function groupHits(hits: SearchHit[]): HitGroup[] {
  const map = new Map<number, HitGroup>();
  for (const h of hits) {
    const g = map.get(h.item.story_id);
    if (g) {
      g.hits.push(h);
      g.best = Math.max(g.best, h.score);
    } else map.set(h.item.story_id, { story_id: h.item.story_id, best: h.score, hits: [h] });
  }
  const groups = [...map.values()];
  for (const g of groups) g.hits.sort((a, b) => b.score - a.score);
  groups.sort((a, b) => b.best - a.best || a.story_id - b.story_id);
  return groups;
}
