// Export buttons: the formats offered, and what to say once the shell has saved (or the user
// cancelled the save dialog, which is not an error and says nothing).
import type { ExportFormat } from "./types";

export const STORY_EXPORTS: { format: ExportFormat; label: string; what: string }[] = [
  { format: "html", label: "HTML", what: "report" },
  { format: "csv", label: "CSV", what: "items as CSV" },
  { format: "json", label: "JSON", what: "story as JSON" },
];

/** "Saved the report to /home/a/story.html", or null when the dialog was cancelled. */
export function savedText(what: string, path: string | null): string | null {
  return path === null ? null : `Saved the ${what} to ${path}`;
}
