// The reading view's text handling: the engine stores an article as plain text, paragraphs
// separated by blank lines.

/** Non-empty paragraphs, trimmed; single line breaks inside a paragraph become spaces. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
    .filter((p) => p.length > 0);
}

/** The host of a page URL, for "Full text from example.org"; the URL itself when unparseable. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
