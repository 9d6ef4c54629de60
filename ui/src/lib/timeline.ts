// Wording of the propagation the engine computed: who reported first, how long the others took.
import type { OutletLag } from "./types";
import { formatLag } from "./format";

/** "IRNA +3 h 10 min after Al Mayadeen". */
export function lagSentence(o: OutletLag, first: OutletLag, estimated = false): string {
  if (o.source.id === first.source.id) return `${o.source.name} reported first`;
  const lag = formatLag(o.lag_secs * 1000);
  const est = estimated ? " (time estimated)" : "";
  return lag === "same minute"
    ? `${o.source.name} in the same minute as ${first.source.name}${est}`
    : `${o.source.name} ${lag} after ${first.source.name}${est}`;
}
