"""The nightly reindex: incremental, atomic, locked, and safe to kill.

Every test runs the real CLI on a copy of ``corpus`` (the real corpus, or ``content/``
in a fresh clone): as a subprocess where a process is what is tested (killed, paused,
holding the lock, out of disk), in this process otherwise.
"""

from __future__ import annotations

import errno
import json
import os
import re
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
from whoosh.writing import SegmentWriter

from indexer import generations, store
from indexer.build import PARALLEL_FROM
from tests.conftest import PROJECT, Corpus, cli, paused_index, prakas, served


@pytest.fixture()
def corpus_copy(corpus: Corpus, tmp_path: Path) -> Path:
    target = tmp_path / "blog"
    shutil.copytree(corpus.root, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # ../shared is read-only
    return target


def files(root: Path, lang: str) -> list[Path]:
    return sorted((root / lang).glob("*.md"))


def pairs(root: Path) -> list[str]:
    """Slugs published in both languages: announcements with two versions."""
    return sorted({p.stem for p in files(root, "en")} & {p.stem for p in files(root, "km")})


def count(root: Path) -> int:
    return len(list(root.glob("*/*.md")))


def set_field(path: Path, name: str, value: str) -> None:
    """Rewrite one front-matter line, as an editor would."""
    text = path.read_text("utf-8")
    path.write_text(re.sub(rf"^{name}: .*$", f"{name}: {value}", text, count=1, flags=re.M))


def run(content: Path, index_dir: Path, *extra: str) -> dict:
    result = cli("index", "--content", content, "--index", index_dir, "--json", *extra)
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
    n = count(corpus_copy)
    first = run(corpus_copy, ix)
    assert first["mode"] == "full" and first["added"] == n
    before = stored(ix)

    # six announcements, each with both versions; one file of each is changed
    slugs = pairs(corpus_copy)[:6]
    langs = ("en", "km", "en", "en", "km", "en")
    titled, dated, extended, moved, gone, copied = (
        corpus_copy / lang / f"{slug}.md" for lang, slug in zip(langs, slugs, strict=True)
    )
    ident = {p: f"{p.parent.name}/{p.stem}" for p in (titled, dated, extended, moved, gone)}

    # nothing changed: nothing is touched, and the run says so
    gen = store.current_generation(ix)
    again = run(corpus_copy, ix)
    assert again["mode"] == "unchanged" and again["unchanged"] == n
    assert "nothing changed" in again["stderr"]
    assert store.current_generation(ix) == gen
    # touching a file (new mtime, same bytes) is no change either
    os.utime(extended)
    assert run(corpus_copy, ix)["mode"] == "unchanged"

    # edit a title, a date and a body; rename one file; delete one; add one
    set_field(titled, "title", "A new title")
    new_date = (
        "2024-12-31"
        if before[ident[dated]]["date"].date().isoformat() != "2024-12-31"
        else "2023-01-02"
    )
    set_field(dated, "date", new_date)
    extended.write_text(extended.read_text() + "\n\nA sentence about zebrafish added later.\n")
    renamed = moved.with_name(moved.stem + "-renamed.md")
    moved.rename(renamed)
    gone.unlink()
    shutil.copy(copied, corpus_copy / "en" / "zz-added.md")

    report = run(corpus_copy, ix)
    assert report["mode"] == "incremental"
    # three edits, and the other version of each edited, renamed-away or deleted
    # file's announcement (the three edited twice; moved and gone once): an
    # announcement is the unit
    assert (report["added"], report["updated"], report["deleted"]) == (2, 8, 2)
    assert report["unchanged"] == n - 8 - 2
    after = stored(ix)
    assert set(after) == (set(before) - {ident[moved], ident[gone]}) | {
        f"en/{renamed.stem}",
        "en/zz-added",
    }
    assert after[ident[titled]]["title"] == "A new title"
    assert after[ident[dated]]["date"].date().isoformat() == new_date
    assert after[ident[dated]]["year"] == int(new_date[:4])
    assert "zebrafish" in after[ident[extended]]["body"]
    assert after[f"en/{renamed.stem}"]["body"] == before[ident[moved]]["body"]
    assert after["en/zz-added"]["body"] == after[f"en/{copied.stem}"]["body"]
    edited = {ident[titled], ident[dated], ident[extended]}
    for doc_id in set(before) & set(after) - edited:
        assert after[doc_id]["content_hash"] == before[doc_id]["content_hash"]
    out = cli("search", "--index", ix, "zebrafish")
    assert out.stdout.startswith(ident[extended] + " ")


def test_version_change_forces_full_rebuild(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    gen = store.current_generation(ix)
    meta = json.loads((gen / store.META).read_text())
    meta["versions"]["analysis"] = "an older analyser"
    (gen / store.META).write_text(json.dumps(meta))
    generations.write_checksums(gen)  # as that analyser's run published it
    report = run(corpus_copy, ix)
    assert report["mode"] == "full" and report["reason"] == "analysis changed"
    assert run(corpus_copy, ix, "--full")["mode"] == "full"


def test_broken_edit_keeps_the_indexed_version(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    path = files(corpus_copy, "en")[0]
    doc_id = f"en/{path.stem}"
    title = stored(ix)[doc_id]["title"]
    path.write_bytes(b"---\ntitle: [broken\n---\n")
    report = run(corpus_copy, ix)
    assert [s["path"] for s in report["skipped"]] == [str(path)]
    assert stored(ix)[doc_id]["title"] == title
    # fixed later: indexed again
    path.write_text("---\ntitle: Fixed\ndate: 2023-10-09\n---\nx\n")
    run(corpus_copy, ix)
    assert stored(ix)[doc_id]["title"] == "Fixed"


def test_second_writer_exits_3_naming_the_holder(corpus_copy: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    holder = paused_index(corpus_copy, ix, "building")
    try:
        second = cli("index", "--content", corpus_copy, "--index", ix)
        assert second.returncode == 3
        assert f"pid {holder.pid}" in second.stderr and "started" in second.stderr
    finally:
        holder.kill()
        holder.wait()
    # the lock died with its holder: the next run goes ahead
    assert cli("index", "--content", corpus_copy, "--index", ix).returncode == 0


@pytest.mark.parametrize("point", ["building", "before-commit", "before-publish"])
def test_sigkill_leaves_the_old_index_serving(
    corpus_copy: Path, tmp_path: Path, point: str
) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    live = store.current_generation(ix)
    path = corpus_copy / "en" / f"{pairs(corpus_copy)[0]}.md"
    doc_id = f"en/{path.stem}"
    path.write_text("---\ntitle: Half done\ndate: 2024-01-01\n---\nx\n")
    victim = paused_index(corpus_copy, ix, point)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    # the old generation still opens and answers
    assert store.current_generation(ix) == live
    assert whoosh_index.open_dir(str(live)).doc_count() == count(corpus_copy)
    assert cli("search", "--index", ix, "Takeo").returncode == 0
    assert stored(ix)[doc_id]["title"] != "Half done"
    # the next run finishes the work and clears what the killed one left
    report = run(corpus_copy, ix)
    assert report["updated"] == 2  # the edited file and the other version of its announcement
    assert stored(ix)[doc_id]["title"] == "Half done"
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
            (corpus_copy / "en" / "zz-quokka.md").write_text(
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
        # small enough to be reached while documents are added, on either corpus
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

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
    assert whoosh_index.open_dir(str(live)).doc_count() == count(corpus_copy)
    assert run(corpus_copy, ix)["mode"] == "unchanged"


def test_a_disk_that_fills_at_commit_ends_the_run_with_exit_4(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ix = tmp_path / "ix"
    run(corpus_copy, ix)
    live = store.current_generation(ix)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SegmentWriter, "_commit_toc", disk_full)  # the commit's last write
    result = cli("index", "--full", "--content", corpus_copy, "--index", ix)
    assert result.returncode == 4, result.stderr[-2000:]
    assert "failed" in result.stderr and "unchanged" in result.stderr
    assert store.current_generation(ix) == live


def test_a_failing_worker_ends_the_run_without_a_hang(tmp_path: Path) -> None:
    """Whoosh's own multi-process writer hung with its lock held when a worker raised;
    ours reports the failure, exits 4, publishes nothing and releases the lock."""
    from bench.corpus import generate

    content = tmp_path / "synthetic"
    generate(PARALLEL_FROM, content, seed=3)  # the least that is built in parallel
    ix = tmp_path / "ix"
    result = subprocess.run(
        [sys.executable, "-m", "prakas", "index", "--content", str(content), "--index", str(ix)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
        env={**os.environ, "PRAKAS_FAIL_AT": "worker"},
    )
    assert result.returncode == 4, result.stderr[-2000:]
    assert "indexing process failed" in result.stderr  # and no hang: timeout=300 above
    assert store.current_generation(ix) is None
    # the lock was released and a clean run goes through, in parallel (worker processes
    # are forked: from a fresh process, not from this one with its threads)
    clean = prakas("index", "--content", content, "--index", ix, "--json")
    assert clean.returncode == 0, clean.stderr[-2000:]
    report = json.loads(clean.stdout)
    assert report["added"] == PARALLEL_FROM and report["documents"] == PARALLEL_FROM
    segments = whoosh_index.open_dir(str(store.current_generation(ix)))._segments()
    assert len(segments) > 1  # one segment per worker
