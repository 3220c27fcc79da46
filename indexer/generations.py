"""Generations on disk, as the one writer makes them: the lock, a new generation's
directory, its atomic publication, and the removal of what is no longer read.

The layout is :mod:`indexer.store`'s (readers import only that module).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.postings import PREFIX as POSTINGS_COPY
from indexer.store import (
    CHECKSUMS,
    CURRENT,
    MANIFEST,
    META,
    IndexMissing,
    current_generation,
    file_digest,
)

_KEEP_OLD = 1  # generations kept besides the live one, for readers still using them


class Locked(RuntimeError):
    """Another writer holds the lock; the message names it."""


@contextmanager
def writer_lock(root: Path) -> Iterator[int]:
    """One writer at a time; yields the lock's descriptor, which worker processes must
    close (:mod:`indexer.workers`). The OS drops an flock when the last descriptor of it
    closes, so a lock left by a killed run never blocks the next one."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "unknown"
            raise Locked(f"another `prakas index` is running ({holder})") from None
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {started}\n".encode(), 0)
        yield fd
    finally:
        os.close(fd)


def new_generation_dir(root: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = root / f".building-{stamp}-{os.getpid()}"
    path.mkdir(parents=True)
    return path


def publish(root: Path, building: Path, meta: dict | None, linked_from: Path | None = None) -> Path:
    """Make a finished build live: write its metadata and checksums (None: a shipped
    generation has both already), rename it, swap ``CURRENT``. Files hard-linked from
    ``linked_from`` (the live generation, checked before the run) take their checksums
    from it instead of being read again."""
    if meta is not None:
        (building / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
        write_checksums(building, linked_from)
    gen = root / building.name.replace(".building-", "gen-", 1)
    os.replace(building, gen)
    tmp_link = root / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(gen.name, tmp_link)
    os.replace(tmp_link, root / CURRENT)
    _fsync(root)
    cleanup(root)
    return gen


def ship(source: Path, target: Path) -> tuple[Path, bool]:
    """Make ``source``'s live generation live in the index folder ``target`` (another
    node's), as a build publishes one there: under the target's writer lock, copied
    beside its live generation under a temporary name, every file and the folder
    flushed to disk, then renamed and ``CURRENT`` swapped last (:func:`publish`). Its
    readers see their old generation or the whole new one. The generation keeps its
    name, so every node gives a page the same ETag. Returns the generation and whether
    it was copied (False: it was live there already)."""
    live = current_generation(source)
    if live is None:
        raise IndexMissing(f"no index at {source}: run `prakas index` first")
    with writer_lock(target):
        cleanup(target)  # what a killed copy left behind
        there = current_generation(target)
        if there is not None and there.name == live.name:
            return there, False
        building = target / live.name.replace("gen-", ".building-", 1)
        building.mkdir()
        for path in live.iterdir():  # a generation is one flat folder
            shutil.copyfile(path, building / path.name)
            _fsync(building / path.name)
        _fsync(building)
        return publish(target, building, None), True


def write_checksums(gen: Path, linked_from: Path | None = None) -> None:
    """``checksums.json``: every file's size and SHA-256 (see :mod:`indexer.store`).
    The numpy copies of postings are left out: :mod:`indexer.postings` checks each copy
    against its segment and falls back to Whoosh's own postings for a bad one."""
    known: dict[int, list] = {}
    if linked_from is not None:
        try:
            listed = json.loads((linked_from / CHECKSUMS).read_text("utf-8"))["files"]
            for name, entry in listed.items():
                known[(linked_from / name).stat().st_ino] = entry
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            known = {}  # hash everything
    files: dict[str, list] = {}
    for path in sorted(gen.iterdir()):
        if path.name in (CHECKSUMS, MANIFEST) or path.name.startswith(POSTINGS_COPY):
            continue
        if not path.is_file() or path.name.endswith(".tmp"):
            continue
        st = path.stat()
        entry = known.get(st.st_ino)
        if entry is None or entry[0] != st.st_size:
            entry = [st.st_size, file_digest(path)]
        files[path.name] = entry
    tmp = gen / f".{CHECKSUMS}.tmp"  # a new file: never into one linked from elsewhere
    tmp.write_text(json.dumps({"files": files}), "utf-8")
    os.replace(tmp, gen / CHECKSUMS)


def cleanup(root: Path) -> list[str]:
    """Remove abandoned builds and all but the newest old generations."""
    live = current_generation(root)
    removed: list[str] = []
    for path in root.glob(".building-*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    old = sorted(p for p in root.glob("gen-*") if p.is_dir() and p != live)
    for path in old[: max(0, len(old) - _KEEP_OLD)]:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def _fsync(path: Path) -> None:
    """Flush a file (its bytes) or a folder (the names in it) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
