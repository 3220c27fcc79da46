"""Try a Whoosh distribution on the real corpus (run it under each candidate's venv).

Self-contained on purpose (standard library + whoosh only), so it runs in a bare venv
holding just the candidate: ``python bench/whoosh_candidates.py ../shared/corpus/ctc-website/blog``.
Prints the version, build time, index size and the top ids of a few queries, so the
candidates' answers can be compared line by line.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.simplefilter("error")  # a warning from the library is a failure here

import whoosh  # noqa: E402
from whoosh import fields, index, qparser  # noqa: E402
from whoosh.analysis import StandardAnalyzer  # noqa: E402

QUERIES = [
    "Takeo",
    "Chea Vandeth",
    "community tech center",
    "training",
    '"Sisters of Code"',
    "ceremony OR inauguration",
    "តាកែវ",
    "minister -training",
]


def main(root: Path) -> None:
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True), text=fields.TEXT(analyzer=StandardAnalyzer())
    )
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        ix = index.create_in(tmp, schema)
        with ix.writer() as w:
            for path in sorted(root.glob("*/*.md")):
                text = path.read_text("utf-8").split("---", 2)[-1]
                w.add_document(id=f"{path.parent.name}/{path.stem}", text=text)
        built = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        print(
            f"whoosh {whoosh.versionstring()}  docs {ix.doc_count()}  "
            f"build {built:.2f} s  {size / 1024:.0f} KiB"
        )
        with ix.searcher() as s:
            parser = qparser.QueryParser("text", schema)
            for q in QUERIES:
                ids = [h["id"] for h in s.search(parser.parse(q), limit=10)]
                digest = hashlib.sha1(" ".join(ids).encode()).hexdigest()[:8]
                print(f"  {q!r:30} {len(ids):>2} hits  top-10 digest {digest}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
