"""Settings, from one place: defaults for a checkout, environment variables for a server.

``PRAKAS_INDEX``    the index directory (default: ``index/`` in the project)
``PRAKAS_CONTENT``  content roots, separated by ``:`` (default: ``content/``)
``PRAKAS_REGISTRY`` a folder of officials and organisations staff maintain, merged over
                    the bundled facts (default: none; see :mod:`indexer.entities.staff`)
``PRAKAS_RESULT_CACHE``  results a web worker keeps per index generation (default 512; 0: none)
``PRAKAS_PAGE_CACHE_BYTES``  rendered pages a web worker keeps, in bytes (default 32 MiB)
``PRAKAS_BASE_URL``  the site's public address (``https://search.example.org``): every
                    absolute link (canonical, JSON, CSV, Atom) starts with it, whatever
                    ``Host`` a client sends (default: none; then ``PRAKAS_TRUSTED_HOSTS``)
``PRAKAS_TRUSTED_HOSTS``  host names, separated by ``,``, the web app answers for when
                    ``PRAKAS_BASE_URL`` is unset; another ``Host`` gets a 400 (default:
                    ``localhost,127.0.0.1``, a checkout's own)
``PRAKAS_METRICS_FILE``  where ``prakas index`` writes its outcome for node_exporter's
                    textfile collector (default: none; see :mod:`indexer.textfile`)
``PRAKAS_LOG_CLIENT_IP`` ``1``: the request log names the client's address (default: not)
``PRAKAS_METRICS_DIR``  where ``prakas serve``'s workers keep their metrics, emptied at
                    start (default: a new temporary folder; see :mod:`webapp.metrics`)
``PRAKAS_QUERY_LOG``  the JSON-lines file of searches that found nothing as typed (default:
                    none, nothing is written; see :mod:`webapp.querylog`)
``PRAKAS_MAX_FILE_BYTES``  an announcement file larger than this is skipped, unread (default
                    2 MB; the largest real one is 15 KB)
``PRAKAS_MAX_DELETE``  the share of the indexed files one run may delete (default 0.2);
                    more, and ``prakas index`` refuses unless given ``--allow-mass-delete``
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.publishers import Publisher


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


def _trusted_hosts() -> tuple[str, ...]:
    value = os.environ.get("PRAKAS_TRUSTED_HOSTS") or "localhost,127.0.0.1"
    return tuple(h.strip() for h in value.split(",") if h.strip())


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=_default_index)
    content_roots: list[Path] = field(default_factory=_default_content)
    registry_dir: Path | None = field(default_factory=default_registry)
    # content root → its publisher, named on the command line (else <root>/publisher.yaml)
    publishers: dict[Path, Publisher] = field(default_factory=dict)
    result_cache: int = field(
        default_factory=lambda: int(os.environ.get("PRAKAS_RESULT_CACHE") or 512)
    )
    page_cache_bytes: int = field(
        default_factory=lambda: int(os.environ.get("PRAKAS_PAGE_CACHE_BYTES") or 32 << 20)
    )
    base_url: str | None = field(
        default_factory=lambda: os.environ.get("PRAKAS_BASE_URL", "").strip() or None
    )
    trusted_hosts: tuple[str, ...] = field(default_factory=lambda: _trusted_hosts())
    metrics_file: Path | None = field(default_factory=lambda: _path("PRAKAS_METRICS_FILE"))
    log_client_ip: bool = field(
        default_factory=lambda: os.environ.get("PRAKAS_LOG_CLIENT_IP", "") in ("1", "true", "yes")
    )
    metrics_dir: Path | None = field(default_factory=lambda: _path("PRAKAS_METRICS_DIR"))
    query_log: Path | None = field(default_factory=lambda: _path("PRAKAS_QUERY_LOG"))

    max_file_bytes: int = field(
        default_factory=lambda: int(os.environ.get("PRAKAS_MAX_FILE_BYTES") or 2_000_000)
    )
    max_delete_share: float = field(
        default_factory=lambda: float(os.environ.get("PRAKAS_MAX_DELETE") or 0.2)
    )


def _path(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return Path(value) if value else None
