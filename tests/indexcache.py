"""Indexes the suite builds from fixed inputs, built once and kept between runs.

A kept index is named by a digest of everything that makes it: what it is built from
(the content files, or the generator's code and arguments), every file of ``indexer/``
and ``prakas/`` (the build and the CLI that runs it, its data included), the schema's
versions, and the Whoosh, ICU and Python releases. Any change to them is another name,
so a stale index is never read; the other indexes of the same fixture are then removed.

The kept copy lives in pytest's cache folder (``.pytest_cache/``, git-ignored;
``pytest --cache-clear`` empties it) and is never handed to a test: each session copies
it into its own temporary folder, so no test can write into it. xdist workers that want
the same index take one lock file (``fcntl``, as ``webapp/assets.py`` does): the first
builds it (into a folder renamed into place when whole, so a killed build leaves
nothing a later run would read) while the others wait, then copy it.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
BUILT_BY = ("indexer", "prakas")  # the packages whose code decides what an index holds


def files_digest(root: Path) -> list[bytes]:
    """Every file under ``root``: its path relative to ``root`` and its bytes."""
    parts: list[bytes] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" not in path.parts:
            parts += [str(path.relative_to(root)).encode(), path.read_bytes()]
    return parts


def index_key(name: str, inputs: Iterable[bytes]) -> str:
    """``name`` and a digest of ``inputs`` and of the code, data and releases that
    build an index (see the module's docstring)."""
    from indexer.schema import index_version

    h = hashlib.sha256()
    releases = [importlib.metadata.version(p) for p in ("whoosh3", "icu4py")]
    what = [
        *inputs,
        *(part for package in BUILT_BY for part in files_digest(PROJECT / package)),
        json.dumps(index_version(), sort_keys=True).encode(),
        " ".join([*releases, sys.version]).encode(),
    ]
    for part in what:
        h.update(len(part).to_bytes(8, "big"))  # lengths first: no two lists hash alike
        h.update(part)
    return f"{name}-{h.hexdigest()[:20]}"


def cache_root(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pytest's cache folder, or (with ``-p no:cacheprovider``) this session's temporary
    one: the index is then built once a session and not kept."""
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("prakas-indexes"))
    return tmp_path_factory.getbasetemp() / "prakas-indexes"


def kept_index(
    root: Path, name: str, inputs: Iterable[bytes], build: Callable[[Path], None], dest: Path
) -> Path:
    """A copy at ``dest`` of the index ``build`` writes (given an empty folder), built
    only when no index of the same key is kept under ``root``."""
    key = index_key(name, inputs)
    kept = root / key
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not kept.is_dir():
            building = root / f"{key}.building"
            shutil.rmtree(building, ignore_errors=True)  # a build killed halfway
            building.mkdir()
            build(building)
            building.rename(kept)  # whole, or not there
            for old in root.glob(f"{name}-*"):
                if old != kept:
                    shutil.rmtree(old, ignore_errors=True)
        shutil.copytree(kept, dest, symlinks=True)
    return dest
