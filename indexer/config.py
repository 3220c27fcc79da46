"""Settings, from one place: defaults for a checkout, environment variables for a server.

``PRAKAS_INDEX``    the index directory (default: ``index/`` in the project)
``PRAKAS_CONTENT``  content roots, separated by ``:`` (default: ``content/``)
``PRAKAS_REGISTRY`` a folder of officials and organisations staff maintain, merged over
                    the bundled facts (default: none; see :mod:`indexer.entities.staff`)
``PRAKAS_RESULT_CACHE``  results a web worker keeps per index generation (default 512; 0: none)
``PRAKAS_MAX_FILE_BYTES``  an announcement file larger than this is skipped, unread (default
                    2 MB; the largest real one is 15 KB)
``PRAKAS_MAX_DELETE``  the share of the indexed files one run may delete (default 0.2);
                    more, and ``prakas index`` refuses unless given ``--allow-mass-delete``
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def project_dir() -> Path:
    """The checkout this package runs from, or the working directory when installed."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def _default_index() -> Path:
    return Path(os.environ.get("PRAKAS_INDEX") or project_dir() / "index")


def _default_content() -> list[Path]:
    value = os.environ.get("PRAKAS_CONTENT")
    if value:
        return [Path(p) for p in value.split(os.pathsep) if p]
    return [project_dir() / "content"]


def default_registry() -> Path | None:
    """``PRAKAS_REGISTRY``, read on every call (cheap: the extractor asks per name)."""
    value = os.environ.get("PRAKAS_REGISTRY")
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=_default_index)
    content_roots: list[Path] = field(default_factory=_default_content)
    registry_dir: Path | None = field(default_factory=default_registry)
    result_cache: int = field(
        default_factory=lambda: int(os.environ.get("PRAKAS_RESULT_CACHE") or 512)
    )
    max_file_bytes: int = field(
        default_factory=lambda: int(os.environ.get("PRAKAS_MAX_FILE_BYTES") or 2_000_000)
    )
    max_delete_share: float = field(
        default_factory=lambda: float(os.environ.get("PRAKAS_MAX_DELETE") or 0.2)
    )
