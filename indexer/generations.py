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

from indexer.store import CURRENT, META, IndexMissing, current_generation

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


def publish(root: Path, building: Path, meta: dict | None) -> Path:
    """Make a finished build live: write its metadata (None: it has it), rename it, swap
    ``CURRENT``."""
    if meta is not None:
        (building / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
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
