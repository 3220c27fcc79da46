"""``kill -9`` of a full build while its worker processes run: nothing of the run
survives it, the old index keeps serving, and the next run completes.

The workers are real forked processes of a real ``prakas index`` on a generated corpus
large enough for the parallel build (:data:`indexer.build.PARALLEL_FROM`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import store
from indexer.build import PARALLEL_FROM
from tests.conftest import PROJECT, prakas

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")


def descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid``, from /proc (children of each of its threads)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """The pids that still exist and are not zombies."""
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def holds_lock(pid: int, lock: Path) -> bool:
    try:
        return any(os.readlink(fd) == str(lock) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.corpus import generate

    content = tmp_path_factory.mktemp("synthetic")
    generate(PARALLEL_FROM + 50, content, seed=5)  # files, enough for the parallel build
    return content


@pytest.fixture()
def live_index(synthetic: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A published index of the synthetic corpus, built once, copied for each test."""
    base = tmp_path_factory.getbasetemp() / "kill-base-index"
    if not base.exists():
        assert prakas("index", "--content", synthetic, "--index", base).returncode == 0
    ix = tmp_path / "ix"
    shutil.copytree(base, ix, symlinks=True)
    return ix


def start(content: Path, ix: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prakas",
            "index",
            "--full",
            "--content",
            str(content),
            "--index",
            str(ix),
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
        env={**os.environ, **env},
    )


def kill_and_check(proc: subprocess.Popen, ix: Path, live: Path, content: Path) -> None:
    workers = descendants(proc.pid)
    assert workers, "the build started no worker process"
    assert not any(holds_lock(w, ix / ".lock") for w in alive(workers)), "a worker kept the lock"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(workers) == set(), f"workers outlived the killed run: {alive(workers)}"
    # the old generation still serves
    assert store.current_generation(ix) == live
    assert prakas("search", "--index", ix, "ministry").returncode == 0
    # and the next run takes the lock, completes and publishes
    again = prakas("index", "--full", "--content", content, "--index", ix)
    assert again.returncode == 0, again.stderr
    assert store.current_generation(ix) != live
    assert not list(ix.glob(".building-*"))


def test_kill_while_workers_are_mid_document(synthetic: Path, live_index: Path) -> None:
    """Each worker has written a document and waits inside its chunk when the parent dies."""
    ix = live_index
    live = store.current_generation(ix)
    assert live is not None
    proc = start(synthetic, ix, PRAKAS_PAUSE_AT="worker")
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "checkpoint worker" in line, line
    # two workers may write their lines at once: the first pid is enough
    worker = int(re.search(r"pid (\d+)", line).group(1))  # type: ignore[union-attr]
    assert worker in descendants(proc.pid)
    kill_and_check(proc, ix, live, synthetic)


def test_kill_at_an_arbitrary_moment_of_a_parallel_build(synthetic: Path, live_index: Path) -> None:
    """No checkpoint: the parent dies while its workers are busy indexing."""
    ix = live_index
    live = store.current_generation(ix)
    assert live is not None
    proc = start(synthetic, ix)
    deadline = time.monotonic() + 60
    while not descendants(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.7)  # the workers are into their chunks now
    assert proc.poll() is None, "the build finished before it could be killed"
    kill_and_check(proc, ix, live, synthetic)
