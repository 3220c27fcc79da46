"""Documents → a new index generation, published atomically.

The only module that writes an index. It streams: files are read, parsed and added
one at a time, so memory does not grow with the corpus.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from indexer import store
from indexer.documents import Announcement, BadFile
from indexer.entities import Entities, align_with_twin, extract
from indexer.schema import ENTITY_FIELDS, FACET_FIELDS, build_schema, index_version
from indexer.sources import Skipped, Source, discover, read


@dataclass
class Report:
    """What a run did, for the summary line and ``--json``."""

    read: int = 0
    indexed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""
    by_lang: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"read {self.read}, indexed {self.indexed}, skipped {len(self.skipped)} "
            f"in {self.seconds:.1f} s"
        )

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "indexed": self.indexed,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "generation": self.generation,
            "by_lang": self.by_lang,
        }


class StrictFailure(RuntimeError):
    """``--strict`` found unreadable files; nothing was written."""

    def __init__(self, skipped: list[Skipped]) -> None:
        super().__init__(f"{len(skipped)} file(s) cannot be read; nothing was indexed")
        self.skipped = skipped


def to_fields(doc: Announcement, found: Entities) -> dict:
    """The Whoosh fields of one announcement and its entities."""
    date = dt.datetime.combine(doc.date, dt.time())
    fields: dict = {
        "id": doc.id,
        "lang": doc.lang,
        "slug": doc.slug,
        "title": doc.title,
        "description": doc.description,
        "body": doc.body_text,
        "title_kc": doc.title,
        "body_kc": f"{doc.description}\n\n{doc.body_text}",
        "date": date,
        "year": doc.date.year,
        "month": doc.date.month,
        "author": doc.author,
        "tags": "\n".join(doc.tags),
        "image": doc.image,
        "body_markdown": doc.body_markdown,
        "path": doc.path,
        "content_hash": doc.content_hash,
    }
    values = {
        "people": [p.name for p in found.people],
        "ministers": found.ministers,
        "provinces": list(found.provinces),
        "places": [p.name for p in found.places],
        "organisations": list(found.organisations),
    }
    for name in ENTITY_FIELDS:
        fields[name] = "\n".join(values[name])
    for name, source in FACET_FIELDS.items():
        fields[name] = fields[source]
    # Canonical names are searchable too: "Chea Vandeth" finds the article that wrote
    # "Chea Vannadet"; the surface forms are already in the text fields.
    fields["entities_text"] = "\n".join(v for name in ENTITY_FIELDS for v in values[name])
    return fields


class Twins:
    """English entities kept by slug so the Khmer version can borrow their Latin names."""

    def __init__(self) -> None:
        self._by_slug: dict[str, Entities] = {}

    def entities(self, doc: Announcement) -> Entities:
        found = extract(doc.title, doc.description, doc.body_text, doc.lang, doc.date)
        if doc.lang == "en":
            if any(not p.known for p in found.people):
                self._by_slug[doc.slug] = found
        elif (twin := self._by_slug.get(doc.slug)) is not None:
            found = align_with_twin(found, twin)
        return found


def _readable(sources: Iterable[Source], report: Report) -> Iterator[Announcement]:
    seen: dict[str, str] = {}
    for source in sources:
        report.read += 1
        try:
            doc = read(source)
        except BadFile as exc:
            report.skipped.append(Skipped(str(source.path), str(exc)))
            continue
        if doc.id in seen:
            report.skipped.append(Skipped(doc.path, f"duplicate id {doc.id} (also {seen[doc.id]})"))
            continue
        seen[doc.id] = doc.path
        yield doc


def build(
    roots: list[Path],
    index_root: Path,
    *,
    strict: bool = False,
    progress: Callable[[Iterable[Source]], Iterable[Source]] | None = None,
) -> Report:
    """Read every announcement under ``roots`` into a new generation and publish it.

    Raises :class:`store.Locked` when another writer runs and :class:`StrictFailure`
    when ``strict`` and any file is unreadable (checked before anything is written).
    """
    started = time.perf_counter()
    report = Report()
    with store.writer_lock(index_root):
        sources = list(discover(roots))
        if strict:
            check = Report()
            for _ in _readable(sources, check):
                pass
            if check.skipped:
                raise StrictFailure(check.skipped)
        building = store.new_generation_dir(index_root)
        ix = whoosh_index.create_in(str(building), build_schema())
        writer = ix.writer(limitmb=128)
        try:
            stream = progress(sources) if progress else sources
            twins = Twins()
            for doc in _readable(stream, report):
                writer.add_document(**to_fields(doc, twins.entities(doc)))
                report.indexed += 1
                report.by_lang[doc.lang] = report.by_lang.get(doc.lang, 0) + 1
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        report.seconds = time.perf_counter() - started
        meta = {
            "versions": index_version(),
            "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "content_roots": [str(r) for r in roots],
            "documents": report.indexed,
            "by_lang": report.by_lang,
        }
        report.generation = store.publish(index_root, building, meta).name
    return report
