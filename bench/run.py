"""The performance benchmark: build, search, landing page, load, memory — against
SQLite FTS5 and tantivy.

    python -m bench.run --size 10000 [--json] [--load-seconds 30] [--workdir DIR] [--reuse]

On a generated corpus (``bench/corpus.py``) of ``--size`` announcements, in one run:

1. a full index build through the real CLI (``prakas index --full``): documents/s,
   wall time, peak RSS of the whole process tree, index size on disk;
2. ~300 queries through the search service (top 10 with snippets and every facet):
   single frequent and rare terms, 2–3 term AND, phrases, Khmer terms, and filtered
   queries (minister + province + date range): median, p95, p99 — then the same
   queries again, with every engine warm (our postings cache then holds every term);
3. the worst cases: the landing page (no query, all facets), a very frequent term,
   and the adversarial class (:func:`adversarial_queries`: stacked open ranges,
   wildcards, many ORs, long phrases, 32 Khmer words, deep nesting), ours only; misspelt
   queries (:func:`misspelt_queries`, with their respellings) and whole CSV exports
   (:func:`export_queries`, through the web app), ours only;
4. ``prakas serve`` under 8 concurrent clients on loopback for ``--load-seconds``,
   twice: the uniform mix (every query once, in turn) with the workers' result cache
   off, and a Zipf mix (:func:`load_paths`: the landing page and a few words dominate)
   with it on;
5. the RSS of the web workers after the load.

The same search workload runs in the same process against SQLite FTS5 (facets as
GROUP BY driven from the match set) and, with the ``bench`` extra installed, against
tantivy (:class:`Tantivy`: BM25, terms aggregations over fast fields, its snippet
generator), with Khmer pre-segmented by our segmenter for both. Each query runs on
every engine before the next (:func:`run_interleaved`), so the machine's noise falls on
all alike. Ratios are printed first: they hold on a noisy machine; absolute times second.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import io
import itertools
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.corpus import EN_COMMON, KM_COMMON, generate

PROJECT = Path(__file__).resolve().parents[1]
STOP = {
    "the",
    "of",
    "and",
    "to",
    "in",
    "on",
    "for",
    "with",
    "at",
    "by",
    "from",
    "as",
    "was",
    "were",
    "is",
    "are",
    "has",
    "have",
    "will",
    "this",
    "that",
    "which",
    "their",
    "its",
    "an",
    "a",
    "be",
    "been",
    "also",
    "all",
    "more",
}


# --- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        total += _rss_mb(pid)
    return total


def _rss_mb(pid: int, key: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    """The worker processes of a pre-forking server."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# --- 1. build -------------------------------------------------------------------------------


def measure_build(corpus: Path, index_dir: Path) -> dict:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prakas",
            "index",
            "--full",
            "--json",
            "--content",
            str(corpus),
            "--index",
            str(index_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
    )
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = 0.0
    started = time.perf_counter()
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.25)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build and its workers
    cpu = (after.ru_utime + after.ru_stime) - (used.ru_utime + used.ru_stime)
    out, err = proc.communicate()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"build failed: {err[-2000:]}")
    report = json.loads(out)
    live = index_dir / "CURRENT"
    return {
        "docs": report["documents"],
        "wall_s": wall,
        "docs_per_s": report["documents"] / wall,
        # what the build costs in CPU, whatever else the shared machine runs: documents
        # per second if two cores were the build's alone
        "cpu_s": cpu,
        "docs_per_s_2_cores": 2 * report["documents"] / cpu if cpu else float("nan"),
        "peak_rss_mb": peak,
        "index_mb": _du_mb(live.resolve()),
    }


# --- 2–3. the query workload ----------------------------------------------------------------


@dataclass
class Query:
    kind: str
    q: str = ""
    minister: tuple[str, ...] = ()
    province: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None


def workload(corpus: Path, service, n: int = 300, seed: int = 11) -> list[Query]:
    """Queries drawn from the corpus vocabulary and its entities."""
    rng = random.Random(seed)
    frequent = [w for w in EN_COMMON if w not in STOP][:40]
    reader = service.searcher().reader()
    terms = [t.decode() for t in itertools.islice(reader.lexicon("words"), 200_000)]
    rare = [
        w
        for w in terms
        if w.isascii()
        and w.isalpha()
        and 6 <= len(w) <= 12
        and reader.doc_frequency("words", w) <= 3
    ]
    rng.shuffle(rare)
    bodies = [
        p.read_text("utf-8").split("---", 2)[2] for p in sorted((corpus / "en").glob("*.md"))[:300]
    ]
    ministers = [v for v in service.facet_values("minister")]
    provinces = [v for v in service.facet_values("province")]
    queries: list[Query] = []
    per = n // 6
    for _ in range(per):
        queries.append(Query("frequent term", rng.choice(frequent)))
        queries.append(Query("rare term", rare.pop() if rare else rng.choice(frequent)))
        queries.append(
            Query("2-3 terms AND", " ".join(rng.sample(frequent[:30], rng.randint(2, 3))))
        )
        words = re.findall(r"[a-z]+", rng.choice(bodies).lower())
        words = [w for w in words if w not in STOP] or ["digital", "technology"]
        i = rng.randrange(max(1, len(words) - 1))
        queries.append(Query("phrase", '"' + " ".join(words[i : i + 2]) + '"'))
        queries.append(Query("khmer term", rng.choice(KM_COMMON[:60])))
        year = rng.randint(2012, 2025)
        queries.append(
            Query(
                "minister+province+dates",
                rng.choice(["", "training", "digital"]),
                (rng.choice(ministers),),
                (rng.choice(provinces),),
                f"{year}-01-01",
                f"{year + 1}-12-31",
            )
        )
    return queries


def adversarial_queries() -> dict[str, str]:
    """Queries written to cost as much as the syntax allows (issue 11), by name. Each
    must answer within the search's time budget (``webapp.query.TIME_BUDGET_S``), cut
    with a notice where it had to be; ``search.adversarial.max_ms`` is the worst."""
    words = [w for w in EN_COMMON if w not in STOP]
    nested = words[0]
    for i, w in enumerate(words[1:16]):
        nested = f"({nested} {'AND' if i % 2 else 'OR'} {w})"
    return {
        "stacked open ranges": " ".join(f"([{i} TO] OR a{i})" for i in range(8)),
        "ranges over the vocabulary": "title:[a TO z] OR content:[a TO z] OR place:[a TO z]",
        "16 one-letter prefixes, AND": " ".join(f"{c}*" for c in "abcdefghiklmnopr"),
        "16 one-letter prefixes, OR": " OR ".join(f"{c}*" for c in "abcdefghiklmnopr"),
        "32 common words, OR": " OR ".join(words[:32]),
        "32 common words, NOT": words[0] + " " + " ".join(f"-{w}" for w in words[1:32]),
        "phrase of stop words": '"' + " ".join(sorted(STOP)[:32]) + '"',
        "phrase of 32 common words": '"' + " ".join(words[:32]) + '"',
        "32 common Khmer words": " ".join(KM_COMMON[:32]),
        "Khmer run of 40 words": "".join(KM_COMMON[:40]),
        "nesting 15 deep": nested,
    }


def run_adversarial(service, repeat: int = 2) -> dict:
    """The worst of ``repeat`` runs of each adversarial query, through the service."""
    return _worst_of(service, adversarial_queries(), repeat)


def _worst_of(service, queries: dict[str, str], repeat: int) -> dict:
    """The worst of ``repeat`` runs of each named query, through the service."""
    from webapp.search import SearchRequest

    by_query: dict[str, float] = {}
    for name, q in queries.items():
        worst = 0.0
        for _ in range(repeat):
            started = time.perf_counter()
            service.search(SearchRequest(q=q))
            worst = max(worst, (time.perf_counter() - started) * 1000)
        by_query[name] = worst
    return {"max_ms": max(by_query.values()), "by_query": by_query}


def misspelt_queries() -> dict[str, str]:
    """Words of the corpus with two letters swapped (issue 26): each unknown word may
    cost a scan of the vocabulary for a respelling, inside the search's budget."""
    words = [w for w in EN_COMMON if w not in STOP and len(w) >= 5]
    wrong = [w[0] + w[2] + w[1] + w[3:] for w in words]
    return {
        "1 misspelt word": wrong[0],
        "4 misspelt words": " ".join(wrong[1:5]),
        "32 misspelt words": " ".join(wrong[5:37]),
        "misspelt and right": f"{wrong[37]} {words[38]} {wrong[39]}",
    }


def run_misspelt(service, repeat: int = 2) -> dict:
    """The worst of ``repeat`` runs of each misspelt query (the first one looks the
    respellings up, the next finds them in the generation's memo), through the service."""
    return _worst_of(service, misspelt_queries(), repeat)


def export_queries() -> dict[str, str]:
    """CSV exports (``/api/search.csv``) that match the most or cost the most: the
    issue's own (37 s before it), everything, and the adversarial class."""
    return {
        "everything": "",
        "t*": "t*",
        "t* OR c* OR [a TO z]": "t* OR c* OR [a TO z]",
    } | adversarial_queries()


def run_exports(index_dir: Path) -> dict:
    """Each CSV export whole, through the web app (rows read to the end): its time, rows,
    and whether it says it was cut (``X-Prakas-Truncated`` or its last row)."""
    from webapp import create_app

    app = create_app({"INDEX_DIR": index_dir, "GENERATION_CHECK_S": 0})
    client = app.test_client()
    by_query: dict[str, dict] = {}
    for name, q in export_queries().items():
        started = time.perf_counter()
        response = client.get("/api/search.csv", query_string={"q": q} if q else None)
        lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        ms = (time.perf_counter() - started) * 1000
        last = lines[-1][0] if lines and lines[-1] else ""
        cut = response.headers.get("X-Prakas-Truncated") or (
            "time" if last.startswith("# truncated: the") else ""
        )
        rows = len(lines) - 1 - last.startswith("# truncated")
        by_query[name] = {"ms": ms, "rows": rows, "truncated": cut, "status": response.status_code}
    worst = max(by_query, key=lambda k: by_query[k]["ms"])
    return {
        "max_ms": by_query[worst]["ms"],
        "worst": worst,
        "budget_s": app.config["CSV_TIME_BUDGET_S"],
        "by_query": by_query,
    }


def measure_suggest(service, queries: list[Query]) -> dict:
    """``/api/suggest`` through :mod:`webapp.suggest`: the one-off build of a
    generation's completions, then every prefix (1 to 12 characters) of the workload's
    words and of the minister and province names, as a person types them."""
    from webapp import suggest

    snap = service.snapshot()
    started = time.perf_counter()
    table = suggest.build(snap)
    build_s = time.perf_counter() - started
    snap.memo.get("completions", lambda: table)
    texts = [q.q.strip('"') for q in queries if q.q]
    texts += [n for q in queries for n in (*q.minister, *q.province)]
    typed = sorted({t[:i] for t in texts for i in range(1, min(len(t), 12) + 1)})
    times = []
    for text in typed:
        started = time.perf_counter()
        suggest.completions(snap, text, lambda target: "")
        times.append((time.perf_counter() - started) * 1000)
    return {
        "build_s": build_s,
        "keys": len(table.names.keys) + len(table.titles.keys),
        "lookups": len(times),
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
    }


def _summarise(times: dict[str, list[float]]) -> dict:
    every = [t for ts in times.values() for t in ts]
    return {
        "median_ms": statistics.median(every),
        "p95_ms": percentile(every, 0.95),
        "p99_ms": percentile(every, 0.99),
        "by_kind": {
            k: {"median_ms": statistics.median(v), "p95_ms": percentile(v, 0.95)}
            for k, v in times.items()
        },
        "queries": len(every),
    }


# --- every engine, query by query ----------------------------------------------------------


def ours_engine(service) -> Engine:
    """The search service as the harness drives it: a query → a search, computed."""
    from webapp.search import SearchRequest, selections

    def request(q: Query) -> SearchRequest:
        return SearchRequest(
            q=q.q,
            filters=selections({"minister": tuple(q.minister), "province": tuple(q.province)}),
            date_from=dt.date.fromisoformat(q.date_from) if q.date_from else None,
            date_to=dt.date.fromisoformat(q.date_to) if q.date_to else None,
        )

    return Engine(lambda q: service.search(request(q)), lambda: service.search(SearchRequest()))


@dataclass
class Engine:
    search: Callable[[Query], object]
    landing: Callable[[], object]


def run_interleaved(engines: dict[str, Engine], queries: list[Query]) -> dict[str, dict]:
    """Every query on every engine before the next query, in an order that rotates, so
    a noisy machine (this one is shared) slows every engine alike and the ratios hold.
    The first 20 queries warm each engine first, as a running server is warm."""
    names = list(engines)
    for q in queries[:20]:
        for name in names:
            engines[name].search(q)
    times: dict[str, dict[str, list[float]]] = {name: {} for name in names}
    for i, q in enumerate(queries):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            started = time.perf_counter()
            engines[name].search(q)
            times[name].setdefault(q.kind, []).append((time.perf_counter() - started) * 1000)
    frequent = Query("frequent", "digital")
    extra: dict[str, dict[str, list[float]]] = {n: {"landing": [], "frequent": []} for n in names}
    for round_ in range(21):
        for name in names:
            for key, fn in (
                ("landing", engines[name].landing),
                ("frequent", lambda e=engines[name]: e.search(frequent)),
            ):
                started = time.perf_counter()
                fn()
                if round_:  # the first round warms
                    extra[name][key].append((time.perf_counter() - started) * 1000)
    return {
        name: _summarise(times[name])
        | {
            "landing_ms": statistics.median(extra[name]["landing"]),
            "frequent_ms": statistics.median(extra[name]["frequent"]),
        }
        for name in names
    }


# --- FTS5, the reference --------------------------------------------------------------------


def spaced_khmer(text: str) -> str:
    """FTS5 cannot split Khmer words: give it our segmenter's word boundaries."""
    from indexer import khmer

    out, cursor = [], 0
    for start, end in khmer.runs(text):
        out.append(text[cursor:start])
        out.append(" ".join(p.text for p in khmer.words(text, start, end)))
        cursor = end
    out.append(text[cursor:])
    return " ".join(out)


class Fts5:
    """The same documents, facets and workload in SQLite FTS5, written to be fast:
    facet GROUP BYs driven from the match set (CROSS JOIN fixes the join order), the
    landing page read from the documents table by its date index."""

    def __init__(self, path: Path, searcher) -> None:
        self.db = sqlite3.connect(path)
        db = self.db
        db.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, lang TEXT, date TEXT,
                              year INT, title TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(title, body,
                                                tokenize='unicode61 remove_diacritics 2');
            CREATE TABLE doc_minister(rowid INT, value TEXT);
            CREATE TABLE doc_province(rowid INT, value TEXT);
            """
        )

        self.spaced = spaced_khmer
        rows, m_rows, p_rows = [], [], []
        for docnum, f in enumerate(searcher.all_stored_fields()):
            rowid = docnum + 1
            d = f["date"].date()
            rows.append((rowid, f["id"], f["lang"], d.isoformat(), d.year, f["title"]))
            m_rows += [(rowid, v) for v in f["ministers"].split("\n") if v]
            p_rows += [(rowid, v) for v in f["provinces"].split("\n") if v]
            db.execute(
                "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                (rowid, spaced_khmer(f["title"]), spaced_khmer(f["body"])),
            )
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO doc_minister VALUES (?, ?)", m_rows)
        db.executemany("INSERT INTO doc_province VALUES (?, ?)", p_rows)
        db.executescript(
            """
            CREATE INDEX docs_date ON docs(date);
            CREATE INDEX dm_rowid ON doc_minister(rowid, value);
            CREATE INDEX dp_rowid ON doc_province(rowid, value);
            CREATE INDEX dm_value ON doc_minister(value, rowid);
            CREATE INDEX dp_value ON doc_province(value, rowid);
            ANALYZE;
            """
        )
        db.commit()

    @classmethod
    def open(cls, path: Path) -> Fts5:
        """A database an earlier run built."""
        self = cls.__new__(cls)
        self.db = sqlite3.connect(path)
        self.spaced = spaced_khmer
        return self

    def _match(self, q: str) -> str:
        if q.startswith('"'):
            return '"' + self.spaced(q.strip('"')) + '"'
        return " AND ".join(f'"{w}"' for w in self.spaced(q).split())

    def search(self, query: Query) -> None:
        db = self.db
        where, args = [], []
        if query.minister:
            where.append("m.rowid IN (SELECT rowid FROM doc_minister WHERE value = ?)")
            args.append(query.minister[0])
        if query.province:
            where.append("m.rowid IN (SELECT rowid FROM doc_province WHERE value = ?)")
            args.append(query.province[0])
        if query.date_from:
            where.append("d.date BETWEEN ? AND ?")
            args += [query.date_from, query.date_to]
        cond = (" AND " + " AND ".join(where)) if where else ""
        if query.q:
            match = "SELECT rowid, bm25(fts) AS score FROM fts WHERE fts MATCH ?"
            base = f"WITH m AS ({match}) "
            margs = [self._match(query.q)]
            frm = "m CROSS JOIN docs d ON d.rowid = m.rowid"
            order = "m.score"
        else:
            base, margs = "", []
            frm = "docs d JOIN docs m ON m.rowid = d.rowid"
            order = "d.date DESC"
        top = db.execute(
            f"{base}SELECT d.rowid, d.id, d.title FROM {frm} WHERE 1=1{cond} "
            f"ORDER BY {order} LIMIT 10",
            margs + args,
        ).fetchall()
        if query.q and top:
            rowids = ",".join(str(r[0]) for r in top)
            db.execute(
                f"SELECT rowid, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({rowids})",
                [self._match(query.q)],
            ).fetchall()
        sel = f"{base}SELECT m.rowid FROM {frm} WHERE 1=1{cond}"
        for table in ("doc_minister", "doc_province"):
            db.execute(
                f"WITH s AS ({sel}) SELECT f.value, count(*) FROM s CROSS JOIN {table} f "
                f"ON f.rowid = s.rowid GROUP BY f.value",
                margs + args,
            ).fetchall()
        for column in ("year", "lang"):
            db.execute(
                f"WITH s AS ({sel}) SELECT d2.{column}, count(*) FROM s CROSS JOIN docs d2 "
                f"ON d2.rowid = s.rowid GROUP BY d2.{column}",
                margs + args,
            ).fetchall()

    def landing(self) -> None:
        db = self.db
        db.execute("SELECT rowid, id, title FROM docs ORDER BY date DESC LIMIT 10").fetchall()
        db.execute("SELECT value, count(*) FROM doc_minister GROUP BY value").fetchall()
        db.execute("SELECT value, count(*) FROM doc_province GROUP BY value").fetchall()
        db.execute("SELECT year, count(*) FROM docs GROUP BY year").fetchall()
        db.execute("SELECT lang, count(*) FROM docs GROUP BY lang").fetchall()


# --- tantivy, the fastest peer ------------------------------------------------------------

# Words as tantivy's users write analysers: letters, marks and digits (so a Khmer word
# keeps its vowel signs), lower case, English stop words and Snowball stemming — the
# same rules as our English chain. Khmer arrives pre-segmented by our segmenter.
TANTIVY_WORD = r"[\p{L}\p{M}\p{N}]+"
TANTIVY_FACETS = {  # our facet name → tantivy field (a fast, raw text field)
    "minister": "ministers",
    "province": "provinces",
    "person": "people",
    "place": "places",
    "lang": "lang",
}


class Tantivy:
    """The same documents, facets and workload in tantivy (Rust), as its users would
    write it: BM25 over a title and a content field (titles boosted, as ours), filters
    as non-scoring clauses, facet counts as ``terms`` aggregations over fast fields —
    disjunctive like ours, one extra aggregation per facet that a filter constrains —
    snippets from tantivy's ``SnippetGenerator``, the landing page ordered by a fast
    date field."""

    def __init__(self, path: Path, searcher=None) -> None:
        import tantivy

        self.t = tantivy
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self._schema(), path=str(path), reuse=searcher is None)
        self._register()
        if searcher is not None:
            self._fill(searcher)
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    @classmethod
    def open(cls, path: Path) -> Tantivy:
        """An index an earlier run built."""
        return cls(path)

    def _schema(self):
        sb = self.t.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="prakas")
        sb.add_text_field("content", stored=True, tokenizer_name="prakas")
        sb.add_date_field("date", stored=True, indexed=True, fast=True)
        sb.add_integer_field("year", indexed=True, fast=True)
        for field in TANTIVY_FACETS.values():
            sb.add_text_field(field, stored=True, fast=True, tokenizer_name="raw")
        return sb.build()

    def _register(self) -> None:
        t = self.t
        self.analyzer = (
            t.TextAnalyzerBuilder(t.Tokenizer.regex(TANTIVY_WORD))
            .filter(t.Filter.lowercase())
            .filter(t.Filter.stopword("english"))
            .filter(t.Filter.stemmer("english"))
            .build()
        )
        self.index.register_tokenizer("prakas", self.analyzer)

    def _fill(self, searcher) -> None:
        writer = self.index.writer(heap_size=256_000_000)
        for f in searcher.all_stored_fields():
            doc = self.t.Document(
                id=f["id"],
                title=spaced_khmer(f["title"]),
                content=spaced_khmer(f["body"]),
                date=f["date"],
                year=f["date"].year,
                lang=f["lang"],
            )
            for field in TANTIVY_FACETS.values():
                if field != "lang":
                    for value in (f.get(field) or "").split("\n"):
                        if value:
                            doc.add_text(field, value)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()

    # --- queries ---

    def _terms(self, text: str) -> list[str]:
        return self.analyzer.analyze(spaced_khmer(text))

    def _text_query(self, q: str):
        t, schema = self.t, self.schema
        words = self._terms(q.strip('"'))
        if not words:
            return t.Query.empty_query()
        if q.startswith('"') and len(words) > 1:
            per_field = [
                t.Query.boost_query(t.Query.phrase_query(schema, "title", words), 2.0),
                t.Query.phrase_query(schema, "content", words),
            ]
            return t.Query.boolean_query([(t.Occur.Should, p) for p in per_field])
        must = []
        for w in words:
            either = t.Query.boolean_query(
                [
                    (
                        t.Occur.Should,
                        t.Query.boost_query(t.Query.term_query(schema, "title", w), 2.0),
                    ),
                    (t.Occur.Should, t.Query.term_query(schema, "content", w)),
                ]
            )
            must.append((t.Occur.Must, either))
        return t.Query.boolean_query(must)

    def _filters(self, query: Query) -> dict[str, object]:
        t, schema = self.t, self.schema
        out: dict[str, object] = {}
        for facet, values in (("minister", query.minister), ("province", query.province)):
            if values:
                field = TANTIVY_FACETS[facet]
                out[facet] = t.Query.boolean_query(
                    [(t.Occur.Should, t.Query.term_query(schema, field, v)) for v in values]
                )
        if query.date_from:
            out["dates"] = t.Query.range_query(
                schema,
                "date",
                t.FieldType.Date,
                dt.datetime.fromisoformat(query.date_from),
                dt.datetime.fromisoformat(query.date_to),
            )
        return out

    def _combine(self, text, filters: list) -> object:
        t = self.t
        clauses = [(t.Occur.Must, text)] if text is not None else []
        clauses += [(t.Occur.Must, t.Query.const_score_query(f, 0.0)) for f in filters]
        if not clauses:
            return t.Query.all_query()
        return (
            clauses[0][1]
            if len(clauses) == 1 and text is not None
            else t.Query.boolean_query(clauses)
        )

    def search(self, query: Query) -> None:
        t, searcher = self.t, self.searcher
        text = self._text_query(query.q) if query.q else None
        filters = self._filters(query)
        final = self._combine(text, list(filters.values()))
        if text is not None:
            hits = searcher.search(final, 10).hits
        else:
            hits = searcher.search(final, 10, order_by_field="date", order=t.Order.Desc).hits
        docs = [searcher.doc(address) for _, address in hits]
        if text is not None and docs:
            snippets = t.SnippetGenerator.create(searcher, text, self.schema, "content")
            snippets.set_max_num_chars(260)
            for doc in docs:
                snippets.snippet_from_doc(doc).to_html()
        self._facets(final, text, filters)

    def _facets(self, final, text, filters: dict[str, object]) -> dict:
        """Disjunctive counts: a facet with a filter is counted without its own filter."""

        def terms(field: str, size: int = 1000) -> dict:
            return {"terms": {"field": field, "size": size}}

        plain = {f: terms(TANTIVY_FACETS[f]) for f in TANTIVY_FACETS if f not in filters}
        plain["year"] = terms("year", 100)
        out = self.searcher.aggregate(final, plain)
        for facet in filters.keys() & TANTIVY_FACETS.keys():
            others = [q for k, q in filters.items() if k != facet]
            out |= self.searcher.aggregate(
                self._combine(text, others), {facet: terms(TANTIVY_FACETS[facet])}
            )
        return out

    def landing(self) -> None:
        self.search(Query("landing"))


def tantivy_available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def tantivy_reference(workdir: Path, size: int, searcher, reuse: bool) -> tuple[Tantivy, dict]:
    """Build (or, with ``reuse``, reopen) the tantivy index; it and its build figures."""
    path = workdir / f"tantivy-{size}"
    meta = workdir / f"tantivy-{size}.json"
    if reuse and path.is_dir() and meta.exists():
        engine = Tantivy.open(path)
        build_s = json.loads(meta.read_text())["build_s"]
    else:
        shutil.rmtree(path, ignore_errors=True)
        started = time.perf_counter()
        engine = Tantivy(path, searcher)
        build_s = time.perf_counter() - started
        meta.write_text(json.dumps({"build_s": build_s}))
    docs = engine.searcher.num_docs
    return engine, {"build_s": build_s, "build_docs_per_s": docs / build_s}


# --- 4–5. the web app under load ----------------------------------------------------------


def measure_load(
    index_dir: Path,
    queries: list[Query],
    seconds: float,
    clients: int = 8,
    mix: str = "uniform",
    result_cache: bool = False,
) -> dict:
    """``prakas serve`` under ``clients`` connections for ``seconds``: the bench queries
    in the ``mix`` (:func:`load_paths`), with the workers' result cache on or off."""
    port = _free_port()
    env = dict(os.environ)
    if not result_cache:
        env["PRAKAS_RESULT_CACHE"] = "0"
    else:
        env.pop("PRAKAS_RESULT_CACHE", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prakas",
            "serve",
            "--index",
            str(index_dir),
            "--port",
            str(port),
            "--threads",
            "4",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=PROJECT,
        env=env,
    )
    try:
        _wait_for(port)
        paths = load_paths(queries, mix)
        if shutil.which("wrk"):
            measured = _wrk_load(port, paths, seconds, clients)
        else:
            measured = _python_load(port, paths, seconds, clients)
        return measured | {
            "mix": mix,
            "result_cache": result_cache,
            "worker_rss_mb": max((_rss_mb(c) for c in _children(server.pid)), default=0.0),
            "worker_anon_mb": max(
                (_rss_mb(c, "RssAnon") for c in _children(server.pid)), default=0.0
            ),
            "server_rss_mb": _tree_rss_mb(server.pid),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def _path(q: Query) -> str:
    params = [("q", q.q)] if q.q else []
    params += [("minister", v) for v in q.minister] + [("province", v) for v in q.province]
    if q.date_from:
        params += [("from", q.date_from), ("to", q.date_to)]
    return "/search?" + urlencode(params, quote_via=quote) if params else "/"


ZIPF_S = 1.1  # the exponent of the Zipf mix
ZIPF_REQUESTS = 20_000  # length of the drawn request sequence the clients cycle through


def load_paths(queries: list[Query], mix: str = "uniform", seed: int = 5) -> list[str]:
    """The request paths of a load: ``uniform`` is every bench query once and the
    landing page; ``zipf`` is traffic as a public box gets it, drawn with probability
    ∝ 1/rank^1.1 over the landing page first, then the frequent single words, then
    every other query in a seeded order — the landing page and a few words dominate,
    a long tail is asked once or never."""
    if mix == "uniform":
        return [_path(q) for q in queries] + ["/"]
    if mix != "zipf":
        raise ValueError(f"unknown load mix {mix!r}")
    rng = random.Random(seed)
    frequent = list(dict.fromkeys(_path(q) for q in queries if q.kind == "frequent term"))
    rest = [p for p in dict.fromkeys(_path(q) for q in queries) if p not in frequent]
    rng.shuffle(rest)
    ranked = ["/", *frequent, *rest]
    weights = [1 / (rank + 1) ** ZIPF_S for rank in range(len(ranked))]
    return rng.choices(ranked, weights=weights, k=ZIPF_REQUESTS)


WRK_SCRIPT = r"""
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d\n", summary.requests, summary.duration,
    latency:percentile(95), latency:percentile(50),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def _wrk_load(port: int, paths: list[str], seconds: float, clients: int) -> dict:
    """The load from wrk (C, from Debian): the client costs the server no CPU to speak of."""
    random.Random(3).shuffle(paths)
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{clients}",
                f"-d{max(1, int(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        script.unlink()
    requests, duration_us, p95_us, p50_us, errors = map(
        int, next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    )
    return {
        "client": "wrk",
        "rps": requests / (duration_us / 1e6),
        "p95_ms": p95_us / 1000,
        "median_ms": p50_us / 1000,
        "errors": errors,
        "error_samples": [],
        "requests": requests,
    }


def _python_load(port: int, paths: list[str], seconds: float, clients: int) -> dict:
    """The load from threads of this process, where wrk is not installed."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < deadline:
            path = rng.choice(paths)
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    with lock:
                        errors.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "client": "python",
        "rps": len(latencies) / elapsed,
        "p95_ms": percentile(latencies, 0.95),
        "median_ms": statistics.median(latencies) if latencies else float("nan"),
        "errors": len(errors),
        "error_samples": errors[:5],
        "requests": len(latencies),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


# --- the run ----------------------------------------------------------------------------


def run(
    size: int, workdir: Path, load_seconds: float, n_queries: int = 300, reuse: bool = False
) -> dict:
    from webapp.search import SearchService

    corpus = workdir / f"corpus-{size}"
    if not (corpus / "en").is_dir() or len(list((corpus / "en").glob("*.md"))) != size // 2:
        shutil.rmtree(corpus, ignore_errors=True)
        generate(size, corpus)
    index_dir = workdir / f"index-{size}"
    if reuse and (index_dir / "CURRENT").exists():
        build = json.loads((workdir / f"build-{size}.json").read_text())
    else:
        shutil.rmtree(index_dir, ignore_errors=True)
        build = measure_build(corpus, index_dir)
        (workdir / f"build-{size}.json").write_text(json.dumps(build))
    service = SearchService(index_dir, result_cache=0)  # every search computed
    service.warm()  # as a web worker starts: the generation open, its vocabulary built,
    service.settle()  # and then frozen out of the garbage collector
    queries = workload(corpus, service, n_queries)
    fts_path = workdir / f"fts5-{size}.db"
    fts_meta = workdir / f"fts5-{size}.json"
    if reuse and fts_path.exists() and fts_meta.exists():
        fts = Fts5.open(fts_path)
        fts_build_s = json.loads(fts_meta.read_text())["build_s"]
    else:
        fts_path.unlink(missing_ok=True)
        fts_started = time.perf_counter()
        fts = Fts5(fts_path, service.searcher())
        fts_build_s = time.perf_counter() - fts_started
        fts_meta.write_text(json.dumps({"build_s": fts_build_s}))
    engines = {"ours": ours_engine(service), "fts5": Engine(fts.search, fts.landing)}
    peer_build: dict = {}
    if tantivy_available():
        peer_engine, peer_build = tantivy_reference(workdir, size, service.searcher(), reuse)
        engines["tantivy"] = Engine(peer_engine.search, peer_engine.landing)
    first = run_interleaved(engines, queries)
    # again: our postings cache now holds every term of the workload (steady state)
    again = run_interleaved(engines, queries)
    ours, steady, theirs = first["ours"], again["ours"], first["fts5"]
    ours["adversarial"] = run_adversarial(service)
    ours["misspelt"] = run_misspelt(service)
    ours["export"] = run_exports(index_dir)
    completions = measure_suggest(service, queries)
    peer = first["tantivy"] | peer_build | {"steady": again["tantivy"]} if peer_build else None
    load = measure_load(index_dir, queries, load_seconds)
    zipf = measure_load(index_dir, queries, load_seconds, mix="zipf", result_cache=True)
    return {
        "size": size,
        "build": build,
        "search": ours,
        "search_steady": steady,
        "landing_ms": ours["landing_ms"],
        "frequent_ms": ours["frequent_ms"],
        "suggest": completions,
        "load": load,
        "load_zipf": zipf,
        "worker_rss_mb": max(load["worker_rss_mb"], zipf["worker_rss_mb"]),
        "fts5": {
            **theirs,
            "build_s": fts_build_s,
            "build_docs_per_s": build["docs"] / fts_build_s,
            "steady": again["fts5"],
        },
        "tantivy": peer,
    }


def flat(result: dict) -> dict:
    """The figures under the dotted keys the issue names (build.docs_per_s, …)."""
    out = {
        "size": result["size"],
        "build.docs_per_s": result["build"]["docs_per_s"],
        "build.wall_s": result["build"]["wall_s"],
        "build.cpu_s": result["build"].get("cpu_s", float("nan")),
        "build.docs_per_s_2_cores": result["build"].get("docs_per_s_2_cores", float("nan")),
        "build.peak_rss_mb": result["build"]["peak_rss_mb"],
        "build.index_mb": result["build"]["index_mb"],
        "search.median_ms": result["search"]["median_ms"],
        "search.p95_ms": result["search"]["p95_ms"],
        "search.p99_ms": result["search"]["p99_ms"],
        "landing_ms": result["landing_ms"],
        "frequent_ms": result["frequent_ms"],
        "suggest.median_ms": result["suggest"]["median_ms"],
        "suggest.p95_ms": result["suggest"]["p95_ms"],
        "suggest.build_s": result["suggest"]["build_s"],
        "load.rps": result["load"]["rps"],
        "load.p95_ms": result["load"]["p95_ms"],
        "load.errors": result["load"]["errors"],
        "worker_rss_mb": result["worker_rss_mb"],
        "fts5.search.median_ms": result["fts5"]["median_ms"],
        "fts5.search.p95_ms": result["fts5"]["p95_ms"],
        "fts5.search.p99_ms": result["fts5"]["p99_ms"],
        "fts5.landing_ms": result["fts5"]["landing_ms"],
        "fts5.frequent_ms": result["fts5"]["frequent_ms"],
        "fts5.build_docs_per_s": result["fts5"]["build_docs_per_s"],
    }
    for kind, v in result["search"]["by_kind"].items():
        out[f"search.{kind}.median_ms"] = v["median_ms"]
        out[f"fts5.search.{kind}.median_ms"] = result["fts5"]["by_kind"][kind]["median_ms"]
    out["search.adversarial.max_ms"] = result["search"]["adversarial"]["max_ms"]
    for name, ms in result["search"]["adversarial"]["by_query"].items():
        out[f"search.adversarial.{name}.ms"] = ms
    out["search.misspelt.max_ms"] = result["search"]["misspelt"]["max_ms"]
    for name, ms in result["search"]["misspelt"]["by_query"].items():
        out[f"search.misspelt.{name}.ms"] = ms
    out["export.max_ms"] = result["search"]["export"]["max_ms"]
    for name, v in result["search"]["export"]["by_query"].items():
        out[f"export.{name}.ms"] = v["ms"]
        out[f"export.{name}.rows"] = v["rows"]
    return out | _flat_peer(result) | _flat_extra(result)


def _flat_extra(result: dict) -> dict:
    """The steady-state search figures and the Zipf load with result caches."""
    steady, zipf = result["search_steady"], result["load_zipf"]
    out = {
        "search_steady.median_ms": steady["median_ms"],
        "search_steady.p95_ms": steady["p95_ms"],
        "search_steady.p99_ms": steady["p99_ms"],
        "load_zipf.rps": zipf["rps"],
        "load_zipf.p95_ms": zipf["p95_ms"],
        "load_zipf.errors": zipf["errors"],
    }
    for kind, v in steady["by_kind"].items():
        out[f"search_steady.{kind}.median_ms"] = v["median_ms"]
    return out


def _flat_peer(result: dict) -> dict:
    """The tantivy figures and the ratios ours/tantivy, when tantivy is installed."""
    peer = result.get("tantivy")
    if not peer:
        return {}
    out = {
        "tantivy.search.median_ms": peer["median_ms"],
        "tantivy.search.p95_ms": peer["p95_ms"],
        "tantivy.search.p99_ms": peer["p99_ms"],
        "tantivy.landing_ms": peer["landing_ms"],
        "tantivy.frequent_ms": peer["frequent_ms"],
        "tantivy.build_docs_per_s": peer["build_docs_per_s"],
    }
    for kind, v in peer["by_kind"].items():
        out[f"tantivy.search.{kind}.median_ms"] = v["median_ms"]
    ours = result["search"]
    out["ratio_tantivy.search.median"] = ours["median_ms"] / peer["median_ms"]
    out["ratio_tantivy.search.p95"] = ours["p95_ms"] / peer["p95_ms"]
    out["ratio_tantivy.search.p99"] = ours["p99_ms"] / peer["p99_ms"]
    out["ratio_tantivy.landing"] = result["landing_ms"] / peer["landing_ms"]
    out["ratio_tantivy.build"] = result["build"]["docs_per_s"] / peer["build_docs_per_s"]
    steady, theirs = result["search_steady"], peer["steady"]
    for key in ("median", "p95", "p99"):
        out[f"tantivy_steady.search.{key}_ms"] = theirs[f"{key}_ms"]
        out[f"ratio_tantivy_steady.search.{key}"] = steady[f"{key}_ms"] / theirs[f"{key}_ms"]
    for kind, v in theirs["by_kind"].items():
        out[f"tantivy_steady.search.{kind}.median_ms"] = v["median_ms"]
    return out


def table(result: dict) -> str:
    peer = result.get("tantivy")
    b = result["build"]
    lines = [
        f"size {result['size']:,} announcements",
        "",
        f"{'figure':<34}{'/tantivy':>9}{'/FTS5':>8}{'ours':>11}{'tantivy':>11}{'FTS5':>11}",
    ]
    lines += _search_rows(result["search"], result["fts5"], peer)
    lines.append(
        _row(
            "build (docs/s; ratio ours/them)",
            b["docs_per_s"],
            result["fts5"]["build_docs_per_s"],
            peer["build_docs_per_s"] if peer else None,
            "/s",
        )
    )
    lines += ["", "the same queries again (every engine warm, our postings all decoded):"]
    lines += _search_rows(
        result["search_steady"], result["fts5"]["steady"], peer["steady"] if peer else None
    )
    adversarial = result["search"]["adversarial"]["by_query"]
    worst = max(adversarial, key=adversarial.get)
    lines.append(f"{'adversarial worst case (ours only)':<34}{'':>17}{adversarial[worst]:>9.1f}ms")
    lines.append(f"  ({worst}; every adversarial query: search.adversarial.* in --json)")
    misspelt = result["search"]["misspelt"]["by_query"]
    worst = max(misspelt, key=misspelt.get)
    lines.append(f"{'misspelt worst case (ours only)':<34}{'':>17}{misspelt[worst]:>9.1f}ms")
    lines.append(f"  ({worst}; with its respelling; search.misspelt.* in --json)")
    export = result["search"]["export"]
    slowest = export["by_query"][export["worst"]]
    lines.append(f"{'slowest CSV export (ours only)':<34}{'':>17}{export['max_ms']:>9.1f}ms")
    lines.append(
        f"  ({export['worst']}: {slowest['rows']} rows, cut: {slowest['truncated'] or 'no'}; "
        f"budget {export['budget_s']:g} s; export.* in --json)"
    )
    done = result["suggest"]
    lines.append(
        f"/api/suggest (ours only): median {done['median_ms']:.2f} ms, p95 "
        f"{done['p95_ms']:.2f} ms over {done['lookups']} prefixes; built once per "
        f"generation in {done['build_s']:.2f} s ({done['keys']:,} keys)"
    )
    lines += [
        "",
        f"build: {b['docs_per_s']:.0f} docs/s ({b['wall_s']:.1f} s), "
        f"peak RSS {b['peak_rss_mb']:.0f} MB, index {b['index_mb']:.0f} MB",
    ]
    lines += _load_lines(result)
    if not peer:
        lines.append("(tantivy not installed: pip install -e '.[bench]')")
    return "\n".join(lines)


def _row(name: str, a: float, fts: float | None, peer: float | None, unit: str = "ms") -> str:
    def ratio(x: float | None) -> str:
        return f"{a / x:.2f}×" if x else "–"

    def cell(x: float | None) -> str:
        return f"{x:>9.1f}{unit}" if x is not None else f"{'–':>11}"

    return f"{name:<34}{ratio(peer):>9}{ratio(fts):>8}{cell(a)}{cell(peer)}{cell(fts)}"


def _search_rows(ours: dict, fts: dict, peer: dict | None) -> list[str]:
    def pick(key: str, kind: str | None = None) -> tuple[float, float | None]:
        if kind is None:
            return fts[key], peer[key] if peer else None
        return fts["by_kind"][kind][key], peer["by_kind"][kind][key] if peer else None

    rows = [
        _row("search median", ours["median_ms"], *pick("median_ms")),
        _row("search p95", ours["p95_ms"], *pick("p95_ms")),
        _row("search p99", ours["p99_ms"], *pick("p99_ms")),
    ]
    for kind, v in ours["by_kind"].items():
        rows.append(_row(f"  {kind} (median)", v["median_ms"], *pick("median_ms", kind)))
    rows.append(_row("landing page (all facets)", ours["landing_ms"], *pick("landing_ms")))
    rows.append(_row("very frequent term", ours["frequent_ms"], *pick("frequent_ms")))
    return rows


def _load_lines(result: dict) -> list[str]:
    lines = []
    for key, name in (("load", "uniform mix, no result cache"), ("load_zipf", "Zipf mix, cached")):
        load = result[key]
        lines.append(
            f"web, 8 clients, {name}: {load['rps']:.0f} req/s, p95 {load['p95_ms']:.0f} ms, "
            f"{load['errors']} errors of {load['requests']}"
        )
    lines.append(f"web worker RSS {result['worker_rss_mb']:.0f} MB")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the index and FTS5 database a previous run built in --workdir "
        "(their build figures are the ones recorded then)",
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.gettempdir()) / "prakas-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.size, workdir, args.load_seconds, args.queries, args.reuse)
    if args.json:
        print(json.dumps(flat(result), indent=2))
    else:
        print(table(result))


if __name__ == "__main__":
    main()
