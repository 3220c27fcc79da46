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
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

CURRENT = "CURRENT"
META = "prakas.json"
LABELS = "labels.json"  # facet → value → {language: how that language writes it}


class IndexMissing(RuntimeError):
    """No published index at the path: run ``prakas index`` first."""


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
