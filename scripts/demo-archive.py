#!/usr/bin/env python3
"""Convert ../shared/data/wikipedia-itn (CC BY-SA 3.0) into the app's demo archive.

Run once from the repo root; the output is committed:
    python3 scripts/demo-archive.py [--src ../shared/data/wikipedia-itn] [--out assets/demo/itn-demo.jsonl]

Format (one JSON object per line, UTF-8, sorted by `published`):
    id         "itn-<12 hex>"         unique, stable across runs (a hash, so it carries no grouping hint)
    lang       "ar" | "fa" | "en"      the Wikipedia edition's language
    published  RFC 3339 UTC           when the blurb was first seen on that edition's Main Page
    time_estimated  bool              true when `published` is an estimate (see below)
    source     "Wikipedia (ar) — In the news" (one outlet per edition)
    title      the blurb as plain text (HTML stripped)
    text       the bolded subject's title (the blurb's keyword)
    url        the Wikipedia article of the bolded subject, for "open original"

Why `time_estimated`: every Persian row of the corpus carries the crawler's start time
(2021-04-20T23:34:35, before the 2022-23 events it describes). The converter replaces such a bulk
stamp (one exact second shared by >= 5 rows of a language) with the earliest time another language
carried the same subject and flags it; rows with no such anchor are dropped, because they have no
usable time at all.
"""
import argparse
import collections
import hashlib
import html
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

LANGS = ("ar", "fa", "en")
SOURCES = {
    "ar": "Wikipedia (ar) — In the news",
    "fa": "Wikipedia (fa) — In the news",
    "en": "Wikipedia (en) — In the news",
}
BULK_MIN = 5


def strip_html(s: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", s))).strip()


def bold_link(blurb: str) -> str | None:
    m = re.search(r"<b>[^<]*<a [^>]*href=\"([^\"]+)\"", blurb)
    return html.unescape(m.group(1)) if m else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default="../shared/data/wikipedia-itn")
    ap.add_argument("--out", default="assets/demo/itn-demo.jsonl")
    a = ap.parse_args()
    src = Path(a.src)
    corpus_files = sorted(src.glob("corpus_*.json"))
    if not corpus_files:
        print(f"demo-archive: no corpus_*.json in {src}", file=sys.stderr)
        return 1
    corpus = json.loads(corpus_files[-1].read_text(encoding="utf-8"))

    rows = []
    for qid, entries in corpus.items():
        for ts, e in entries.items():
            if e.get("lang") not in LANGS:
                continue
            title = strip_html(e.get("blurb", ""))
            if not title:
                continue
            rows.append(
                {
                    "qid": qid,
                    "lang": e["lang"],
                    "ts": float(ts),
                    "title": title,
                    "text": (e.get("keyword") or "").strip(),
                    "url": bold_link(e.get("blurb", "")),
                }
            )

    # Exact duplicates (same language, same text) are repeats of one Main Page entry: keep the first.
    rows.sort(key=lambda r: r["ts"])
    seen, uniq = set(), []
    for r in rows:
        key = (r["qid"], r["lang"], r["title"])
        if key not in seen:
            seen.add(key)
            uniq.append(r)

    stamp_count = collections.Counter((r["lang"], r["ts"]) for r in uniq)
    bulk = {k for k, n in stamp_count.items() if n >= BULK_MIN}
    anchor: dict[str, float] = {}
    for r in uniq:
        if (r["lang"], r["ts"]) not in bulk:
            anchor[r["qid"]] = min(anchor.get(r["qid"], r["ts"]), r["ts"])

    out, dropped = [], 0
    for r in uniq:
        estimated = (r["lang"], r["ts"]) in bulk
        ts = r["ts"]
        if estimated:
            if r["qid"] not in anchor:
                dropped += 1
                continue
            ts = anchor[r["qid"]]
        digest = hashlib.sha1(f"{r['qid']}|{r['lang']}|{r['title']}".encode()).hexdigest()[:12]
        obj = {
            "id": f"itn-{digest}",
            "lang": r["lang"],
            "published": datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "time_estimated": estimated,
            "source": SOURCES[r["lang"]],
            "title": r["title"],
            "text": r["text"],
        }
        if r["url"]:
            obj["url"] = r["url"]
        out.append(obj)
    out.sort(key=lambda o: (o["published"], o["time_estimated"], o["id"]))

    dest = Path(a.out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", encoding="utf-8") as f:
        for o in out:
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    langs = collections.Counter(o["lang"] for o in out)
    print(
        f"demo-archive: wrote {len(out)} items ({dict(langs)}), dropped {dropped} without a usable time, "
        f"{dest.stat().st_size} bytes -> {dest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
