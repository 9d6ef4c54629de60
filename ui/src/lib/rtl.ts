// Direction of feed text, computed the way `dir="auto"` does (first strong character), so the UI
// can align columns and tests can assert what the webview will do.

// Strong right-to-left: Hebrew, Arabic, Syriac, Thaana, NKo, Arabic presentation forms, ...
const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|\uD802[\uDC00-\uDFFF]|\uD803[\uDC00-\uDE7F]|\uD83A[\uDC00-\uDFFF]|\uD83B[\uDC00-\uDEFF]/u;
// Strong left-to-right: Latin, Greek, Cyrillic, CJK, ... (anything alphabetic that is not RTL).
const LTR = /[A-Za-z\u00C0-\u02AF\u0370-\u03FF\u0400-\u052F\u1E00-\u1FFF\u2C00-\u2DFF\u3040-\u9FFF\uAC00-\uD7AF]/u;

export type Dir = "rtl" | "ltr";

/** Direction of the first strong character, skipping digits, punctuation and bidi-neutral marks. */
export function firstStrongDir(text: string): Dir | null {
  for (const ch of text) {
    if (RTL.test(ch)) return "rtl";
    if (LTR.test(ch)) return "ltr";
  }
  return null;
}

/** Share of strong characters that are right-to-left, for mixed headlines. */
export function rtlShare(text: string): number {
  let rtl = 0;
  let strong = 0;
  for (const ch of text) {
    if (RTL.test(ch)) {
      rtl++;
      strong++;
    } else if (LTR.test(ch)) strong++;
  }
  return strong === 0 ? 0 : rtl / strong;
}

const RTL_LANGS = new Set(["ar", "fa", "ur", "he", "ps", "ckb", "sd", "ug", "yi", "dv"]);

export function langDir(lang: string): Dir {
  return RTL_LANGS.has(lang) ? "rtl" : "ltr";
}

/** Direction for a block of text: the language's direction unless the text itself starts otherwise. */
export function textDir(text: string, lang?: string): Dir {
  return firstStrongDir(text) ?? (lang ? langDir(lang) : "ltr");
}
