"""The nightly reindex: incremental, atomic, locked, and safe to kill.

Every test runs the real CLI as a subprocess on a copy of the real corpus.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer import store
from tests.conftest import PROJECT, paused_index, prakas, served


@pytest.fixture()
def corpus_copy(blog: Path, tmp_path: Path) -> Path:
    target = tmp_path / "blog"
    shutil.copytree(blog, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # ../shared is read-only
    return target


def run(content: Path, index_dir: Path, *extra: str) -> dict:
    result = prakas("index", "--content", content, "--index", index_dir, "--json", *extra)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    report["stderr"] = result.stderr
    return report


def stored(index_dir: Path) -> dict[str, dict]:
    ix, _ = store.open_index(index_dir)
    with ix.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def test_incremental_add_edit_rename_delete(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    first = run(corpus_copy, ix)
    assert first["mode"] == "full" and first["added"] == 66
    before = stored(ix)

    # nothing changed: nothing is touched, and the run says so
    gen = store.current_generation(ix)
    again = run(corpus_copy, ix)
    assert again["mode"] == "unchanged" and again["unchanged"] == 66
    assert "nothing changed" in again["stderr"]
    assert store.current_generation(ix) == gen
    # touching a file (new mtime, same bytes) is no change either
    os.utime(corpus_copy / "en" / "9-post.md")
    assert run(corpus_copy, ix)["mode"] == "unchanged"

    # edit a title, a date and a body; rename one file; delete one; add one
    p = corpus_copy / "en" / "2-post.md"
    p.write_text(p.read_text().replace(p.read_text().split("\n")[1], "title: A new title"))
    d = corpus_copy / "km" / "6-post.md"
    d.write_text(d.read_text().replace("date: 2025-03-01", "date: 2024-12-31"))
    b = corpus_copy / "en" / "9-post.md"
    b.write_text(b.read_text() + "\n\nA sentence about zebrafish added later.\n")
    (corpus_copy / "en" / "10-post.md").rename(corpus_copy / "en" / "10-renamed.md")
    (corpus_copy / "km" / "12-post.md").unlink()
    shutil.copy(corpus_copy / "en" / "13-post.md", corpus_copy / "en" / "40-post.md")

    report = run(corpus_copy, ix)
    assert report["mode"] == "incremental"
    # three edits, and the other version of each edited, renamed-away or deleted
    # file's announcement (2, 6, 9 twice; 10 and 12 once): an announcement is the unit
    assert (report["added"], report["updated"], report["deleted"]) == (2, 8, 2)
    assert report["unchanged"] == 66 - 8 - 2
    after = stored(ix)
    assert set(after) == (set(before) - {"en/10-post", "km/12-post"}) | {
        "en/10-renamed",
        "en/40-post",
    }
    assert after["en/2-post"]["title"] == "A new title"
    assert after["km/6-post"]["date"].date().isoformat() == "2024-12-31"
    assert after["km/6-post"]["year"] == 2024
    assert "zebrafish" in after["en/9-post"]["body"]
    assert after["en/10-renamed"]["body"] == before["en/10-post"]["body"]
    for doc_id in set(before) & set(after) - {"en/2-post", "km/6-post", "en/9-post"}:
        assert after[doc_id]["content_hash"] == before[doc_id]["content_hash"]
    out = prakas("search", "--index", ix, "zebrafish")
    assert out.stdout.startswith("en/9-post ")


def test_version_change_forces_full_rebuild(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    gen = store.current_generation(ix)
    meta = json.loads((gen / store.META).read_text())
    meta["versions"]["analysis"] = "an older analyser"
    (gen / store.META).write_text(json.dumps(meta))
    report = run(corpus_copy, ix)
    assert report["mode"] == "full" and report["reason"] == "analysis changed"
    assert run(corpus_copy, ix, "--full")["mode"] == "full"


def test_broken_edit_keeps_the_indexed_version(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    title = stored(ix)["en/2-post"]["title"]
    (corpus_copy / "en" / "2-post.md").write_bytes(b"---\ntitle: [broken\n---\n")
    report = run(corpus_copy, ix)
    assert [s["path"].endswith("2-post.md") for s in report["skipped"]] == [True]
    assert stored(ix)["en/2-post"]["title"] == title
    # fixed later: indexed again
    (corpus_copy / "en" / "2-post.md").write_text("---\ntitle: Fixed\ndate: 2023-10-09\n---\nx\n")
    run(corpus_copy, ix)
    assert stored(ix)["en/2-post"]["title"] == "Fixed"


def test_second_writer_exits_3_naming_the_holder(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    holder = paused_index(corpus_copy, ix, "building")
    try:
        second = prakas("index", "--content", corpus_copy, "--index", ix)
        assert second.returncode == 3
        assert f"pid {holder.pid}" in second.stderr and "started" in second.stderr
    finally:
        holder.kill()
        holder.wait()
    # the lock died with its holder: the next run goes ahead
    assert prakas("index", "--content", corpus_copy, "--index", ix).returncode == 0


@pytest.mark.parametrize("point", ["building", "before-commit", "before-publish"])
def test_sigkill_leaves_the_old_index_serving(
    corpus_copy: Path, tmp_path: Path, point: str
) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    live = store.current_generation(ix)
    (corpus_copy / "en" / "2-post.md").write_text(
        "---\ntitle: Half done\ndate: 2024-01-01\n---\nx\n"
    )
    victim = paused_index(corpus_copy, ix, point)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    # the old generation still opens and answers
    assert store.current_generation(ix) == live
    assert whoosh_index.open_dir(str(live)).doc_count() == 66
    assert prakas("search", "--index", ix, "Takeo").returncode == 0
    assert stored(ix)["en/2-post"]["title"] != "Half done"
    # the next run finishes the work and clears what the killed one left
    report = run(corpus_copy, ix)
    assert report["updated"] == 2  # the edited file and the other version of its announcement
    assert stored(ix)["en/2-post"]["title"] == "Half done"
    assert not list(ix.glob(".building-*"))


def test_web_app_serves_through_a_reindex(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    failures: list[str] = []
    seen_new = threading.Event()
    stop = threading.Event()

    def hammer(base: str) -> None:
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/api/search?q=quokka", timeout=10) as r:
                    if json.load(r)["total"] > 0:
                        seen_new.set()
                with urllib.request.urlopen(base + "/search?q=Takeo&province=Takeo", timeout=10):
                    pass
            except (urllib.error.URLError, OSError) as exc:
                failures.append(repr(exc))

    with served(ix) as base:
        threads = [threading.Thread(target=hammer, args=(base,)) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            (corpus_copy / "en" / "50-post.md").write_text(
                "---\ntitle: The quokka visit\ndate: 2026-01-01\n---\nA quokka came to Takeo.\n"
            )
            assert run(corpus_copy, ix)["added"] == 1
            assert run(corpus_copy, ix, "--full")["mode"] == "full"  # and a full swap too
            assert seen_new.wait(timeout=10), "the new document never appeared"
            time.sleep(0.5)
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert failures == []


def test_a_full_disk_ends_the_run_with_a_clear_error(corpus_copy: Path, tmp_path: Path) -> None:
    """A write that fails (here: a file-size limit, as a full disk does) stops the run
    with exit code 4 and a message; the published index stays as it was."""
    import resource

    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    live = store.current_generation(ix)

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "prakas",
            "index",
            "--full",
            "--content",
            str(corpus_copy),
            "--index",
            str(ix),
        ],
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        cwd=PROJECT,
        timeout=120,
    )
    assert result.returncode == 4, result.stderr[-2000:]
    assert "failed" in result.stderr and "unchanged" in result.stderr
    assert store.current_generation(ix) == live
    assert whoosh_index.open_dir(str(live)).doc_count() == 66
    assert run(corpus_copy, ix)["mode"] == "unchanged"


def test_a_failing_worker_ends_the_run_without_a_hang(tmp_path: Path) -> None:
    """Whoosh's own multi-process writer hung with its lock held when a worker raised;
    ours reports the failure, exits 4, publishes nothing and releases the lock."""
    from bench.corpus import generate

    content = tmp_path / "synthetic"
    generate(600, content, seed=3)
    ix = tmp_path / "ix"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "prakas", "index", "--content", str(content), "--index", str(ix)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
        env={**os.environ, "PRAKAS_FAIL_AT": "worker"},
    )
    assert result.returncode == 4, result.stderr[-2000:]
    assert "indexing process failed" in result.stderr
    assert time.monotonic() - started < 120
    assert store.current_generation(ix) is None
    # the lock was released and a clean run goes through, in parallel
    report = run(content, ix)
    assert report["added"] == 600 and report["documents"] == 600
    segments = whoosh_index.open_dir(str(store.current_generation(ix)))._segments()
    assert len(segments) > 1  # one segment per worker
