// Helpers over the engine's carry graph: which sentence of which item a click should highlight,
// and the wording of a carried pair.
import type { CarryLink, StoryCarry } from "./types";

/** The two sentences a click on a carried pair highlights: the carrier's and its origin's. */
export interface CarryMark {
  originItem: number;
  originText: string;
  carrierItem: number;
  carrierText: string;
  kind: string;
}

export function sentenceOf(carry: StoryCarry, itemId: number, index: number): string {
  return carry.items.find((i) => i.item_id === itemId)?.sentences[index] ?? "";
}

/** Marks for every pair of a link, in the carrier's sentence order. */
export function marksOf(carry: StoryCarry, link: CarryLink): CarryMark[] {
  return link.edge.pairs.map((p) => ({
    originItem: link.edge.origin_item,
    originText: sentenceOf(carry, link.edge.origin_item, p.origin),
    carrierItem: link.edge.carrier_item,
    carrierText: sentenceOf(carry, link.edge.carrier_item, p.carrier),
    kind: p.kind,
  }));
}

/** The role an item plays in the current mark, if any. */
export function markFor(mark: CarryMark | null, itemId: number): { role: "origin" | "carrier"; text: string } | null {
  if (!mark) return null;
  if (mark.originItem === itemId) return { role: "origin", text: mark.originText };
  if (mark.carrierItem === itemId) return { role: "carrier", text: mark.carrierText };
  return null;
}
