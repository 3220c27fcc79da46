"""The index on disk as its readers see it: the live generation behind ``CURRENT``.

This is the read-only contract the web app and the CLI's readers import; writing
(the lock, new generations, publication) is :mod:`indexer.generations`, the writer's.

Layout of an index directory::

    index/
      CURRENT           -> gen-20261125T151200-1234   (symlink, swapped atomically)
      gen-.../          one complete Whoosh index + prakas.json (versions, counts)
      .lock             held (flock) by the one writer; names its pid and start time

A build writes a new generation beside the live one and publishes it by replacing the
``CURRENT`` symlink with ``os.replace`` (an atomic rename on POSIX). Readers resolve
``CURRENT`` once per searcher, so they see the old generation or the new one, never a
mix; a killed build leaves only an unpublished directory, cleaned up by the next run.

A generation's files never change once published, so each has a checksum, written at
publication (``checksums.json``: name → size, SHA-256). :func:`verify` compares them:
readers (:func:`open_index`: the web app's workers, the CLI) cheaply — every file's
size, and the full hash of the files up to :data:`HASHED_BY_READERS` bytes (metadata,
labels, tables of contents, small segments); the writer in full before each run, as
the nightly run can afford to read the index once. A damaged generation is
:class:`Damaged`: readers keep what they have open or answer 503, the writer builds
from scratch. (The manifest of source files is the writer's cache, replaced on its own
by a run that finds only new modification times; it has no checksum.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

CURRENT = "CURRENT"
META = "prakas.json"
LABELS = "labels.json"  # facet → value → {language: how that language writes it}
CHECKSUMS = "checksums.json"  # file name → [size, sha256], written at publication
MANIFEST = "manifest.json"  # the writer's record of the source files (no checksum)
HASHED_BY_READERS = 1 << 20  # bytes: files up to this size are hashed at every opening


class IndexMissing(RuntimeError):
    """No published index at the path: run ``prakas index`` first."""


class Damaged(IndexMissing):
    """The live generation's files are not what was published (the message says which);
    the next ``prakas index`` rebuilds it from scratch."""


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def verify(gen: Path, thorough: bool = False) -> str | None:
    """What is wrong with the generation ``gen``, or None when every file it published
    is there with its size (and, for small files or when ``thorough``, its hash). A
    generation published before checksums existed is taken as it is."""
    try:
        listed = json.loads((gen / CHECKSUMS).read_text("utf-8"))["files"]
        entries = [(str(name), int(size), str(digest)) for name, (size, digest) in listed.items()]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"{CHECKSUMS} cannot be read"
    for name, size, digest in entries:
        path = gen / name
        try:
            actual = path.stat().st_size
            if actual != size:
                return f"{name} has {actual} bytes, not {size}"
            if (thorough or size <= HASHED_BY_READERS) and file_digest(path) != digest:
                return f"{name} does not match its checksum"
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror or exc})"
    return None


def current_generation(root: Path) -> Path | None:
    link = root / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = root / os.readlink(link)
    return target if target.is_dir() else None


def open_index(root: Path) -> tuple[Index, Path]:
    """The published index and its generation directory, checked (:func:`verify`)."""
    gen = current_generation(root)
    if gen is None:
        raise IndexMissing(f"no index at {root}: run `prakas index` first")
    problem = verify(gen)
    if problem is None:
        try:
            return whoosh_index.open_dir(str(gen)), gen
        except Exception as exc:  # Whoosh's many ways of failing on a broken file
            problem = f"Whoosh cannot open it ({type(exc).__name__}: {exc})"
    raise Damaged(f"the index at {root} is damaged: {gen.name}: {problem}; run `prakas index`")


def read_meta(gen: Path) -> dict:
    """The generation's metadata (``{}`` when it has none); :class:`Damaged` when it is
    not what a build writes."""
    try:
        meta = json.loads((gen / META).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise Damaged(f"{gen.name}: {META} cannot be read ({exc})") from None
    if not isinstance(meta, dict):
        raise Damaged(f"{gen.name}: {META} is not a mapping")
    return meta


def built_timestamp(gen: Path) -> float | None:
    """When a generation was built (its metadata's ``built_at``), as Unix time: what
    monitoring compares with the last run and the clock."""
    built = read_meta(gen).get("built_at")
    try:
        return dt.datetime.fromisoformat(built).timestamp() if built else None
    except ValueError:
        return None


def read_labels(gen: Path) -> dict[str, dict[str, dict[str, str]]]:
    """How each facet value is written in each interface language, where that differs
    from the canonical value (Khmer names of ministers, provinces, places…)."""
    try:
        return json.loads((gen / LABELS).read_text("utf-8"))
    except FileNotFoundError:
        return {}
