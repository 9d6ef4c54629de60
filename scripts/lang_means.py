#!/usr/bin/env python3
"""Derive the background language means shipped in src/cluster/lang_means.json.

Embeds (via the dev cache written by scripts/embed_cache.py) 300 real headlines per language
sampled with a fixed seed (random.Random(7), first 300 after shuffling) from the shared corpora: ar-saudinewsnet-2015 (headlines),
fa-hamshahri-radiofarda-2020 and en-gnews-headlines (title + first 300 chars of summary).
None of the story-eval sets is used. Output: {"ar": [384 floats], "en": [...], "fa": [...]}.

usage:
  scripts/lang_means.py sample BG_DIR            # writes BG_DIR/bg_{ar,en,fa}.json and BG_DIR/texts_bg.jsonl
  scripts/embed_cache.py BG_DIR/texts_bg.jsonl CACHE.jsonl
  scripts/lang_means.py BG_DIR CACHE.jsonl src/cluster/lang_means.json
"""
import csv
import gzip
import json
import random
import sys

import numpy as np


SHARED = "../shared/data"
PER_LANG = 300


def sample(bg_dir: str) -> None:
    rng = random.Random(7)
    fa = []
    for name in ["hamshahri", "radiofarda"]:
        for r in json.load(open(f"{SHARED}/fa-hamshahri-radiofarda-2020/{name}.json", encoding="utf-8")):
            t, s = (r.get("title") or "").strip(), (r.get("summary") or "").strip()
            if t:
                fa.append((t + " " + s[:300]).strip())
    en = []
    for line in gzip.open(f"{SHARED}/en-gnews-headlines/gnews_us_headlines.jsonl.gz", "rt", encoding="utf-8"):
        r = json.loads(line)
        t, s = (r.get("title") or "").strip(), (r.get("description") or "").strip()
        if t:
            en.append((t + " " + s[:300]).strip())
    ar = []
    with open(f"{SHARED}/ar-saudinewsnet-2015/headlines_all_days.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 4 and p[3].strip():
                ar.append(p[3].strip())
    with open(f"{bg_dir}/texts_bg.jsonl", "w", encoding="utf-8") as out:
        # Order matters for the seeded shuffle: ar, en, fa.
        for lang, texts in [("ar", sorted(set(ar))), ("en", sorted(set(en))), ("fa", sorted(set(fa)))]:
            rng.shuffle(texts)
            # The first 800 after shuffling were drawn; the first 300 are used.
            picked = texts[:800][:PER_LANG]
            json.dump(picked, open(f"{bg_dir}/bg_{lang}.json", "w", encoding="utf-8"), ensure_ascii=False)
            for t in picked:
                out.write(json.dumps(t, ensure_ascii=False) + "\n")


def main() -> None:
    if sys.argv[1] == "sample":
        sample(sys.argv[2])
        return
    bg_dir, cache_path, out_path = sys.argv[1:4]
    cache = {}
    with open(cache_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            cache[r["t"]] = r["v"]
    out = {}
    for lang in ["ar", "en", "fa"]:
        texts = json.load(open(f"{bg_dir}/bg_{lang}.json", encoding="utf-8"))
        vecs = np.array([cache[t] for t in texts if t in cache], dtype=np.float64)
        print(lang, len(vecs), file=sys.stderr)
        out[lang] = [round(float(x), 6) for x in vecs.mean(axis=0)]
    json.dump(out, open(out_path, "w"), separators=(",", ":"))


if __name__ == "__main__":
    main()
