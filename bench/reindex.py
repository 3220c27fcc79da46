"""The nightly reindex at scale: a run with nothing changed, and one with 1% changed.

    python -m bench.reindex --size 100000 [--workdir DIR] [--json]

Uses (or makes) the generated corpus and index of ``bench.run`` in ``--workdir``, then
times three runs of the real CLI: no change; 1% of the files edited, added or
deleted (a third each); and no change again. Targets: no change under 5 s, 1% under
30 s, on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import generate

PROJECT = Path(__file__).resolve().parents[1]


def prakas_index(corpus: Path, index_dir: Path, *extra: str) -> tuple[float, dict]:
    started = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "prakas",
            "index",
            "--json",
            "--content",
            str(corpus),
            "--index",
            str(index_dir),
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if out.returncode not in (0, 1):
        raise SystemExit(out.stderr[-2000:])
    return elapsed, json.loads(out.stdout)


def change_one_percent(corpus: Path, seed: int = 5) -> int:
    """Edit, add and delete files: a third of 1% each."""
    rng = random.Random(seed)
    files = sorted(corpus.rglob("*.md"))
    n = max(3, len(files) // 100)
    chosen = rng.sample(files, n)
    third = n // 3
    for path in chosen[:third]:
        path.write_text(path.read_text("utf-8") + "\n\nA paragraph added in the nightly test.\n")
    for path in chosen[third : 2 * third]:
        path.unlink()
    for i, path in enumerate(chosen[2 * third :]):
        if path.exists():
            target = path.with_name(f"new-{seed}-{i}.md")
            target.write_text(path.read_text("utf-8").replace("title:", "title: New", 1))
    return n


def run(size: int, workdir: Path) -> dict:
    corpus = workdir / f"corpus-{size}"
    index_dir = workdir / f"index-{size}"
    if not (corpus / "en").is_dir():
        generate(size, corpus)
    full_s = None
    if not (index_dir / "CURRENT").exists():
        full_s, _ = prakas_index(corpus, index_dir, "--full")
    prakas_index(corpus, index_dir)  # settles the manifest after a fresh build
    nothing_s, nothing = prakas_index(corpus, index_dir)
    changed = change_one_percent(corpus)
    one_pct_s, one_pct = prakas_index(corpus, index_dir)
    after_s, after = prakas_index(corpus, index_dir)
    return {
        "size": size,
        "full_s": full_s,
        "no_change_s": nothing_s,
        "no_change_mode": nothing["mode"],
        "one_percent_files": changed,
        "one_percent_s": one_pct_s,
        "one_percent_report": {k: one_pct[k] for k in ("added", "updated", "deleted", "unchanged")},
        "after_s": after_s,
        "after_mode": after["mode"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "prakas-bench"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.size, args.workdir)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"size {result['size']:,}")
    print(f"no change:  {result['no_change_s']:.1f} s ({result['no_change_mode']}; target < 5 s)")
    print(
        f"1% changed: {result['one_percent_s']:.1f} s for {result['one_percent_files']} files "
        f"{result['one_percent_report']} (target < 30 s)"
    )
    print(f"then no change again: {result['after_s']:.1f} s ({result['after_mode']})")


if __name__ == "__main__":
    main()
