"""The suite's kept indexes (tests/indexcache.py): built once for the same inputs,
again when an input or the indexer's code changes, never written through a copy, and
built once when several workers ask at the same time."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests import indexcache
from tests.indexcache import index_key, kept_index


class Builds:
    """A stand-in build: writes one file and a relative link, as a generation has, and
    counts its calls."""

    def __init__(self, wait: threading.Event | None = None) -> None:
        self.calls = 0
        self.wait = wait

    def __call__(self, index: Path) -> None:
        self.calls += 1
        if self.wait:
            self.wait.wait(5)  # the other callers are at the lock by now
        (index / "gen-1").mkdir()
        (index / "gen-1" / "data").write_text(f"build {self.calls}")
        (index / "current").symlink_to("gen-1")


def test_the_same_inputs_are_built_once_and_copied(tmp_path: Path) -> None:
    build = Builds()
    first = kept_index(tmp_path / "cache", "ix", [b"a"], build, tmp_path / "one")
    second = kept_index(tmp_path / "cache", "ix", [b"a"], build, tmp_path / "two")
    assert build.calls == 1
    assert (second / "current" / "data").read_text() == "build 1"
    assert (second / "current").readlink() == Path("gen-1")  # a link, still relative
    (first / "gen-1" / "data").write_text("a test wrote here")  # into its copy only
    third = kept_index(tmp_path / "cache", "ix", [b"a"], build, tmp_path / "three")
    assert (third / "gen-1" / "data").read_text() == "build 1"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        index_key("ix", [b"a"]),
        "ix.lock",
    ]


def test_another_input_is_another_index_and_the_old_one_goes(tmp_path: Path) -> None:
    build = Builds()
    kept_index(tmp_path / "cache", "ix", [b"a"], build, tmp_path / "one")
    kept_index(tmp_path / "cache", "ix", [b"b"], build, tmp_path / "two")
    assert build.calls == 2
    kept = {p.name for p in (tmp_path / "cache").iterdir()}
    assert kept == {index_key("ix", [b"b"]), "ix.lock"}
    # the parts are counted apart: ["ab"] is not ["a", "b"]
    assert index_key("ix", [b"ab"]) != index_key("ix", [b"a", b"b"])


def test_a_change_to_the_indexers_code_is_another_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for package in indexcache.BUILT_BY:
        (tmp_path / package).mkdir()
        (tmp_path / package / "build.py").write_text("one")
    monkeypatch.setattr(indexcache, "PROJECT", tmp_path)
    before = index_key("ix", [b"a"])
    assert index_key("ix", [b"a"]) == before
    (tmp_path / "indexer" / "build.py").write_text("two")
    assert index_key("ix", [b"a"]) != before


def test_a_build_that_fails_leaves_nothing_kept(tmp_path: Path) -> None:
    def broken(index: Path) -> None:
        (index / "half").write_text("half an index")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        kept_index(tmp_path / "cache", "ix", [b"a"], broken, tmp_path / "one")
    assert not (tmp_path / "cache" / index_key("ix", [b"a"])).exists()
    build = Builds()
    again = kept_index(tmp_path / "cache", "ix", [b"a"], build, tmp_path / "two")
    assert build.calls == 1 and sorted(p.name for p in again.iterdir()) == ["current", "gen-1"]


def test_callers_at_once_wait_for_one_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock is a ``flock`` on a file each caller opens: callers in threads exclude
    each other as xdist's worker processes do. The build goes on only once all three
    callers have reached the lock."""
    arrived = threading.Semaphore(0)
    flock = indexcache.fcntl.flock

    def counted(f: object, op: int) -> None:
        arrived.release()
        flock(f, op)

    monkeypatch.setattr(indexcache.fcntl, "flock", counted)
    release = threading.Event()
    build = Builds(wait=release)
    threads = [
        threading.Thread(
            target=kept_index, args=(tmp_path / "cache", "ix", [b"a"], build, tmp_path / str(i))
        )
        for i in range(3)
    ]
    for t in threads:
        t.start()
    for _ in threads:
        assert arrived.acquire(timeout=10)
    release.set()
    for t in threads:
        t.join(10)
    assert build.calls == 1
    assert [(tmp_path / str(i) / "current" / "data").read_text() for i in range(3)] == [
        "build 1"
    ] * 3
