// Time and lag formatting for story rows and the propagation timeline.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** "+3 h 10 min", "+45 min", "+2 d 4 h", "same minute". Negative lags are not expected (sorted input). */
export function formatLag(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? "−" : "+";
  if (abs < MIN) return "same minute";
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  const m = Math.floor((abs % HOUR) / MIN);
  if (d > 0) return `${sign}${d} d${h ? ` ${h} h` : ""}`;
  if (h > 0) return `${sign}${h} h${m ? ` ${m} min` : ""}`;
  return `${sign}${m} min`;
}

/** "5 min ago", "3 h ago", "2 d ago", or a date for anything older than a week. */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const diff = now.getTime() - t;
  if (diff < MIN) return "just now";
  if (diff < HOUR) return `${Math.floor(diff / MIN)} min ago`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)} h ago`;
  if (diff < 7 * DAY) return `${Math.floor(diff / DAY)} d ago`;
  return formatDate(iso);
}

/** "2022-09-26 11:16" in UTC: analysts compare outlets across time zones. */
export function formatDate(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "";
  return t.toISOString().slice(0, 16).replace("T", " ");
}

export const LANG_NAMES: Record<string, string> = {
  ar: "Arabic",
  fa: "Persian",
  en: "English",
  ur: "Urdu",
  und: "Unknown",
};

export function langName(lang: string): string {
  return LANG_NAMES[lang] ?? lang;
}

export const OWNERSHIP_LABELS: Record<string, string> = {
  state: "State",
  public_broadcaster: "Public broadcaster",
  private: "Private",
  party_affiliated: "Party-affiliated",
  foreign_government_funded: "Foreign-government funded",
  unknown: "Unknown",
};
