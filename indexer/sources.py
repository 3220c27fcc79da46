"""Content roots on disk → source files to read. Reads, never writes.

Two layouts are accepted, and may be mixed:

* the Astro layout, ``<root>/<lang>/<slug>.md`` (language from the folder);
* a flat folder of ``.md`` files (language from front matter ``lang:`` or the script).

A file name that is not valid UTF-8 or holds a control character, and a symbolic link
to a file outside every content root, are reported as skipped (:class:`Skipped`), never
read: the first would break the index and forge log lines, the second would publish a
file nobody put in the content folders. A folder that cannot be listed or entered (no
read or no execute permission) is reported too (``folder=True``): its files are not
gone, only out of reach, and the indexer keeps what it had of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from indexer import publishers
from indexer.dates import Order
from indexer.documents import LANGUAGES, Announcement, BadFile, parse_announcement


@dataclass(frozen=True)
class Source:
    path: Path
    slug: str  # ``<publisher id>/`` first for a publisher other than the install's own
    lang: str | None
    publisher: publishers.Publisher | None = None  # the root's (None: no publisher.yaml)
    date_order: Order | None = None  # how the root writes 03/04/2020, when known
    root: Path | None = None


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    folder: bool = False  # a folder out of reach: what was indexed under it is kept


# Characters that must never reach a log line or a report as themselves: C0/C1 controls
# (a newline forges a log line), line separators and bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe for one log line: bytes that are not UTF-8 (which Python keeps as
    surrogate escapes) as ``\\xff``, control characters as ``\\n``, ``\\u202e``…"""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def walk(
    roots: Iterable[Path], given: Mapping[Path, publishers.Publisher] | None = None
) -> Iterator[Source | Skipped]:
    """Every ``.md`` file under the roots, in a stable order; the ones that must not
    be read come as :class:`Skipped` with the reason. A root's ``publisher.yaml`` that
    cannot be used raises :class:`publishers.BadPublisher`; ``given`` names a root's
    publisher instead of its file."""
    roots = list(roots)
    inside = [r.resolve() for r in roots]
    pubs = publishers.of_roots(roots, given)
    for root, pub in zip(roots, pubs, strict=True):
        prefix = publishers.slug_prefix(pub, pubs[0] if pubs else None)
        blocked = unreadable_folders(root)
        for folder, why in blocked:
            yield Skipped(printable(str(folder)), f"folder cannot be read: {why}", True)
        for path in sorted(root.rglob("*.md")):
            rel = path.relative_to(root)
            if any(p.startswith(".") for p in rel.parts):
                continue
            if any(path.is_relative_to(folder) for folder, _ in blocked):
                continue  # reported with its folder
            try:
                if not path.is_file():
                    continue
            except OSError as exc:
                yield Skipped(printable(str(path)), f"cannot read: {exc.strerror or exc}")
                continue
            if (refusal := _refuse(path, rel, inside)) is not None:
                yield Skipped(printable(str(path)), refusal)
                continue
            parts = rel.parts
            lang = parts[0] if len(parts) > 1 and parts[0] in LANGUAGES else None
            inner = parts[1:] if lang else parts
            slug = prefix + "/".join((*inner[:-1], path.stem))
            yield Source(
                path=path,
                slug=slug,
                lang=lang,
                publisher=pub,
                date_order=pub.date_order if pub else None,
                root=root,
            )


def unreadable_folders(root: Path) -> list[tuple[Path, str]]:
    """The folders under ``root`` (itself included) that cannot be listed or entered,
    with the reason. ``rglob`` passes over them in silence, which made their files look
    deleted."""
    failed: list[OSError] = []
    for folder, dirs, _ in os.walk(root, onerror=failed.append):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if not os.access(folder, os.R_OK | os.X_OK, effective_ids=True):
            dirs[:] = []
            failed.append(PermissionError(13, "Permission denied", folder))
    return [(Path(exc.filename), exc.strerror or str(exc)) for exc in failed]


def discover(roots: Iterable[Path]) -> Iterator[Source]:
    """The files :func:`walk` finds that can be read."""
    return (s for s in walk(roots) if isinstance(s, Source))


def _refuse(path: Path, rel: Path, roots: list[Path]) -> str | None:
    """Why ``path`` must not be read, or None."""
    name = str(rel)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8; rename the file"
    if _UNPRINTABLE.search(name):
        return "file name contains control characters; rename the file"
    target = path.resolve()
    if target != path.absolute() and not any(target.is_relative_to(r) for r in roots):
        return f"symbolic link to {printable(str(target))}, outside the content folders"
    return None


def versions(sources: Iterable[Source]) -> dict[str, list[Source]]:
    """The pairing of versions, in one place: slug → the files of that announcement, in
    the order given. Files with the same slug under ``<root>/en/`` and ``<root>/km/``
    are one announcement. (A flat folder's files name their language inside; they pair
    by slug as well.)"""
    out: dict[str, list[Source]] = {}
    for source in sources:
        out.setdefault(source.slug, []).append(source)
    return out


def of_file(path: Path) -> list[Source]:
    """A file named on its own (``prakas entities FILE``) and the other versions of its
    announcement: in the ``<root>/<lang>/<slug>.md`` layout, the files of the same name
    in the root's other language folders (paired by :func:`versions`, as :func:`walk`'s
    are); a file outside that layout, alone."""
    if path.parent.name not in LANGUAGES:
        return [Source(path=path, slug=path.stem, lang=None)]
    root = path.parent.parent
    files = [(lang, root / lang / path.name) for lang in LANGUAGES]
    return [
        Source(path=p, slug=path.stem, lang=lang, root=root)
        for lang, p in files
        if p == path or p.is_file()
    ]


def read(source: Source, max_bytes: int | None = None) -> Announcement:
    """Read and parse one file; :class:`BadFile` says why it cannot be indexed. A file
    over ``max_bytes`` is refused before it is read (:attr:`Settings.max_file_bytes`)."""
    try:
        with source.path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if max_bytes is not None and size > max_bytes:
                raise BadFile(f"file is {size:,} bytes, over the limit of {max_bytes:,}")
            raw = f.read()
    except OSError as exc:
        raise BadFile(f"cannot read: {exc.strerror or exc}") from None
    return parse_announcement(
        raw,
        path=str(source.path),
        slug=source.slug,
        lang=source.lang,
        date_order=source.date_order,
        publisher=source.publisher.id if source.publisher else "",
        publisher_name=source.publisher.name if source.publisher else (),
    )
