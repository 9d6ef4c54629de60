// Global keyboard shortcuts, listed in the help overlay from this one table.
import type { ViewName } from "./app.svelte";

export interface Shortcut {
  keys: string[];
  what: string;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ["j", "↓"], what: "Next story" },
  { keys: ["k", "↑"], what: "Previous story" },
  { keys: ["Enter"], what: "Open the selected story" },
  { keys: ["Esc"], what: "Back / close" },
  { keys: ["/"], what: "Search" },
  { keys: ["g", "s"], what: "Stories (then s), Alerts (g a), Watches (g w), Sources (g o), Settings (g ,)" },
  { keys: ["?"], what: "Show these shortcuts" },
];

export type Action = { kind: "go"; view: ViewName } | { kind: "search" } | { kind: "back" } | { kind: "help" };

/** Map a key (with the previous key, for two-key sequences) to an action; null when not ours. */
export function actionFor(key: string, prev: string | null): Action | null {
  if (prev === "g") {
    if (key === "s") return { kind: "go", view: "stories" };
    if (key === "o") return { kind: "go", view: "sources" };
    if (key === "a") return { kind: "go", view: "alerts" };
    if (key === "w") return { kind: "go", view: "watches" };
    if (key === ",") return { kind: "go", view: "settings" };
  }
  if (key === "/") return { kind: "search" };
  if (key === "Escape") return { kind: "back" };
  if (key === "?") return { kind: "help" };
  return null;
}

/** Keys typed into a field belong to the field, except Esc. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit"].includes(target.type))
  );
}
