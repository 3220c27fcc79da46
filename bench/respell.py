"""What respelling costs: 32 misspelt words searched on an index (issue 23).

    python -m bench.respell --index /tmp/index-10k [--words 32] [--seed 7]

Picks words of the index's titles and summaries (Latin and Khmer, seeded), gives each
one edit (a letter or a Khmer cluster dropped, doubled or swapped with the next), and
searches each as the public box would: the first search of the generation builds the
respelling vocabulary (reported apart), then each search's time, the part of it
spent respelling, and how many came back as the word meant.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from indexer import khmer
from webapp.search import SearchRequest, SearchService


def misspell(word: str, rng: random.Random) -> str:
    units = [p.text for p in khmer.clusters(word)] if khmer.has_khmer(word) else list(word)
    i = rng.randrange(1, len(units) - 1)
    edit = rng.choice(("drop", "double", "swap"))
    if edit == "drop":
        del units[i]
    elif edit == "double":
        units.insert(i, units[i])
    else:
        units[i], units[i + 1] = units[i + 1], units[i]
    return "".join(units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--words", type=int, default=32)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    service = SearchService(args.index, result_cache=0)
    snap = service.snapshot()
    started = time.perf_counter()
    vocab = snap.vocabulary()
    built = time.perf_counter() - started
    rng = random.Random(args.seed)
    pool = sorted(w for w, e in vocab.entries.items() if e.frequency >= 2 and len(w) >= 6)
    latin = [w for w in pool if not khmer.has_khmer(w)]
    km = [w for w in pool if khmer.has_khmer(w) and len(list(khmer.clusters(w))) >= 4]
    half = args.words // 2
    chosen = rng.sample(latin, min(half, len(latin))) + rng.sample(km, min(half, len(km)))
    rows = []
    for word in chosen:
        typo = misspell(word, rng)
        if typo == word:
            continue
        t0 = time.perf_counter()
        service.suggest(snap, [typo])
        spent = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = service.search(SearchRequest(q=typo))
        total = time.perf_counter() - t0
        shown = result.respelled_from is not None
        rows.append((word, typo, result.suggestion, shown, total, spent))
    searched = [r[4] * 1000 for r in rows]
    respelt = [r[5] * 1000 for r in rows]
    right = sum(1 for w, _, s, _, _, _ in rows if s == w)
    shown = sum(1 for r in rows if r[3])
    print(f"vocabulary: {len(vocab.entries)} words, built in {built * 1000:.0f} ms")
    print(f"{len(rows)} misspelt words: {right} respelt as meant, {shown} shown")
    print(
        f"respelling alone: median {statistics.median(respelt):.1f} ms, max {max(respelt):.1f} ms"
    )
    print(f"whole search: median {statistics.median(searched):.1f} ms, max {max(searched):.1f} ms")
    for word, typo, suggestion, _, total, _spent in rows:
        print(f"  {typo:<24} → {suggestion or '-':<24} ({word}) {total * 1000:.0f} ms")


if __name__ == "__main__":
    main()
