"""Where the index lives on disk: generations, the ``CURRENT`` pointer and the writer lock.

Layout of an index directory::

    index/
      CURRENT           -> gen-20261125T151200-1234   (symlink, swapped atomically)
      gen-.../          one complete Whoosh index + prakas.json (versions, counts)
      .lock             held (flock) by the one writer; names its pid and start time

A build writes a new generation beside the live one and publishes it by replacing the
``CURRENT`` symlink with ``os.replace`` (an atomic rename on POSIX). Readers resolve
``CURRENT`` once per searcher, so they see the old generation or the new one, never a
mix; a killed build leaves only an unpublished directory, cleaned up by the next run.
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

from whoosh import index as whoosh_index
from whoosh.index import Index

CURRENT = "CURRENT"
META = "prakas.json"
_KEEP_OLD = 1  # generations kept besides the live one, for readers still using them


class IndexMissing(RuntimeError):
    """No published index at the path: run ``prakas index`` first."""


class Locked(RuntimeError):
    """Another writer holds the lock; the message names it."""


def current_generation(root: Path) -> Path | None:
    link = root / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = root / os.readlink(link)
    return target if target.is_dir() else None


def open_index(root: Path) -> tuple[Index, Path]:
    """The published index and its generation directory."""
    gen = current_generation(root)
    if gen is None:
        raise IndexMissing(f"no index at {root}: run `prakas index` first")
    return whoosh_index.open_dir(str(gen)), gen


def read_meta(gen: Path) -> dict:
    try:
        return json.loads((gen / META).read_text("utf-8"))
    except FileNotFoundError:
        return {}


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


def publish(root: Path, building: Path, meta: dict) -> Path:
    """Make a finished build live: write its metadata, rename it, swap ``CURRENT``."""
    (building / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
    gen = root / building.name.replace(".building-", "gen-", 1)
    os.replace(building, gen)
    tmp_link = root / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(gen.name, tmp_link)
    os.replace(tmp_link, root / CURRENT)
    _fsync_dir(root)
    cleanup(root)
    return gen


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


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
