"""Content roots on disk → source files to read. Reads, never writes.

Two layouts are accepted, and may be mixed:

* the Astro layout, ``<root>/<lang>/<slug>.md`` (language from the folder);
* a flat folder of ``.md`` files (language from front matter ``lang:`` or the script).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.documents import LANGUAGES, Announcement, BadFile, parse_announcement


@dataclass(frozen=True)
class Source:
    path: Path
    slug: str
    lang: str | None


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def discover(roots: Iterable[Path]) -> Iterator[Source]:
    """Every ``.md`` file under the roots, in a stable order."""
    for root in roots:
        for path in sorted(root.rglob("*.md")):
            if not path.is_file() or any(p.startswith(".") for p in path.relative_to(root).parts):
                continue
            parts = path.relative_to(root).parts
            lang = parts[0] if len(parts) > 1 and parts[0] in LANGUAGES else None
            inner = parts[1:] if lang else parts
            slug = "/".join((*inner[:-1], path.stem))
            yield Source(path=path, slug=slug, lang=lang)


def read(source: Source) -> Announcement:
    """Read and parse one file; :class:`BadFile` says why it cannot be indexed."""
    try:
        raw = source.path.read_bytes()
    except OSError as exc:
        raise BadFile(f"cannot read: {exc.strerror or exc}") from None
    return parse_announcement(raw, path=str(source.path), slug=source.slug, lang=source.lang)
