"""A web worker and the generations the indexer publishes, in process (a mutation run
collects this file: no server starts here): an idle worker lets a deleted generation
go, whoever moved it to the new one, settled (frozen out of the garbage collector) or
not. Issue 26 finding 16; the settling, docs/performance.md (stop 24)."""

from __future__ import annotations

import gc
import os
import queue
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import cli
from webapp import create_app, worker_started
from webapp.search import SearchRequest


def big_article_index(tmp_path: Path, paragraphs: int) -> Path:
    """Two announcements of Takeo, one of ``paragraphs`` long paragraphs, indexed."""
    root, index = tmp_path / "content", tmp_path / "index"
    (root / "en").mkdir(parents=True)
    body = "\n\n".join(
        f"Paragraph {i} of a long report on postal services in Takeo province." * 4
        for i in range(paragraphs)
    )
    for slug, text in (("big", body), ("small", "A short note on Takeo.")):
        (root / "en" / f"{slug}.md").write_text(
            f"---\ntitle: A {slug} report\ndate: 2025-01-0{1 + (slug == 'small')}\n---\n\n{text}\n",
            encoding="utf-8",
        )
    result = cli("index", "--content", root, "--index", index)
    assert result.returncode == 0, result.stderr
    return index


# --- finding 16 (web): idle workers let deleted generations go -------------------------------


def _held(generation: str) -> list[str]:
    """Open files and memory maps of this process inside ``generation``."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if generation in target:
            out.append(target)
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        out += [line.split()[-1] for line in maps if generation in line]
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(
    ("settled", "mover"),
    [(False, "watcher"), (True, "watcher"), (True, "request"), (False, "request")],
    ids=["plain", "settled", "settled-request-first", "request-first"],
)
def test_idle_worker_releases_a_deleted_generation(
    tmp_path: Path, settled: bool, mover: str
) -> None:
    """issue 26 finding 16: a worker that had served a request kept the generation it read
    open after the indexer deleted it, until its next request. The watcher thread (its
    sleep driven by the test) moves it to the live generation; a request still in flight
    on the old one finishes on it, and the old one is let go once that request ends.
    ``settled``: as under gunicorn, the worker's objects frozen out of the collector
    (``SearchService.settle``); a frozen generation must still be let go, and the new
    one is warmed before it is frozen. ``mover``: what moves the worker to the new
    generation, the watcher or a request that comes first (then the watcher lets the
    old one go)."""
    gc.unfreeze()  # whatever an earlier test of this process froze (bench.run settles)
    try:
        _release_a_deleted_generation(tmp_path, settled, mover)
    finally:
        gc.unfreeze()  # this test process is not a worker


def _release_a_deleted_generation(tmp_path: Path, settled: bool, mover: str) -> None:
    index = big_article_index(tmp_path, 3)
    root = tmp_path / "content"
    app = create_app({"INDEX_DIR": index, "GENERATION_CHECK_S": 0})
    service = app.extensions["search"]
    assert app.test_client().get("/a/en/big").status_code == 200
    in_flight = service.snapshot()  # a request that has begun on this generation
    first = in_flight.generation.name
    assert service.search(SearchRequest(q="report"), in_flight).total == 2
    if settled:
        # a cycle through the snapshot, as Whoosh's readers can make: only the collector
        # frees it, and it cannot while the snapshot is frozen
        in_flight.loop = [in_flight]  # type: ignore[attr-defined]
        worker_started(SimpleNamespace(wsgi=app))
        assert service.settled and gc.get_freeze_count() > 0
    sleeping, wake = queue.Queue(), queue.Queue()

    def sleep(seconds: float) -> None:
        sleeping.put(seconds)
        wake.get()

    service.watch(30, sleep=sleep)
    assert sleeping.get(timeout=60) == 30
    for n in (1, 2):  # two publications: the first generation is removed
        (root / "en" / f"new{n}.md").write_text(
            f"---\ntitle: New {n}\ndate: 2025-02-0{n}\n---\n\nMore news.\n", encoding="utf-8"
        )
        assert cli("index", "--content", root, "--index", index).returncode == 0
    assert not (index / first).exists()
    gc.collect()
    assert _held(first)  # the finding: still open, though deleted

    if mover == "request":
        assert service.search(SearchRequest(q="report")).generation != first
    wake.put(None)  # the watcher wakes (no request having come, for "watcher")
    sleeping.get(timeout=60)  # and is asleep again: its check is done
    assert service.snapshot().generation.name != first
    # a settled worker built the new generation's vocabulary before freezing it
    assert ("respell" in service.snapshot().memo) is settled
    old = service.search(SearchRequest(q="report", per_page=5), in_flight)  # it finishes
    assert old.total == 2 and old.generation == first
    assert _held(first)  # in use: kept

    del in_flight, old  # the request has ended
    wake.put(None)
    sleeping.get(timeout=60)
    assert _held(first) == []
    assert service.refresh() is False  # nothing moved since
    assert gc.get_freeze_count() > 0 if settled else gc.get_freeze_count() == 0
