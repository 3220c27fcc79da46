"""One announcement's versions → each version's entities and Whoosh fields.

The one pipeline of an announcement, which the build, ``prakas entities``, the review
queues and the entity benchmark all call: every version's entities are extracted from
its own text; a version not written in the Latin script then takes the Latin spelling
of the people the registry does not know from the announcement's Latin-script version
(the languages table says which: :func:`indexer.languages.borrow_names_from`), so all
versions of it land under one facet value; then the fields. :func:`versions` is pure
(parsed announcements in); :func:`read` reads the files first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from indexer import languages, sources
from indexer.documents import Announcement, BadFile
from indexer.entities import Entities, align_with_twin, extract
from indexer.facets import DATE_FACETS, ENTITY_FACETS


@dataclass(frozen=True)
class Version:
    """One language version of an announcement, ready to index."""

    doc: Announcement
    entities: Entities
    fields: dict[str, Any]


def versions(
    docs: Iterable[Announcement], table: Sequence[languages.Language] = languages.TABLE
) -> list[Version]:
    """The versions of one announcement (one slug, one file per language), in the order
    given, each with its entities and fields."""
    docs = list(docs)
    found = [extract(d.title, d.description, d.body_text, d.lang, d.date) for d in docs]
    lenders: dict[str, Entities] = {}  # language → its (first) version's entities
    for doc, entities in zip(docs, found, strict=True):
        lenders.setdefault(doc.lang, entities)
    out = []
    for doc, entities in zip(docs, found, strict=True):
        source = languages.borrow_names_from(doc.lang, lenders, table)
        if source is not None:
            entities = align_with_twin(entities, lenders[source])
        out.append(Version(doc, entities, fields(doc, entities)))
    return out


def read(
    files: Iterable[sources.Source],
    max_bytes: int | None = None,
    table: Sequence[languages.Language] = languages.TABLE,
    on_error: Callable[[sources.Source, BadFile], None] | None = None,
) -> list[Version]:
    """The versions of one announcement read from its files (paired by
    :func:`indexer.sources.versions`); a file that cannot be read (or is a draft) is
    left out, lends no names, and is passed to ``on_error``."""
    docs = []
    for source in files:
        try:
            docs.append(sources.read(source, max_bytes))
        except BadFile as exc:
            if on_error is not None:
                on_error(source, exc)
    return versions(docs, table)


def fields(doc: Announcement, found: Entities) -> dict[str, Any]:
    """The Whoosh fields of one version and its entities."""
    date = dt.datetime.combine(doc.date, dt.time())
    out: dict[str, Any] = {
        "id": doc.id,
        "lang": doc.lang,
        "slug": doc.slug,
        "title": doc.title,
        "description": doc.description,
        "body": doc.body_text,
        "words": f"{doc.title}\n{doc.description}",
        "date": date,
        **{f.field: f.part(doc.date) for f in DATE_FACETS if f.part},
        "author": doc.author,
        "tags": "\n".join(doc.tags),
        "image": doc.image,
        "body_markdown": doc.body_markdown,
        "path": doc.path,
        "content_hash": doc.content_hash,
        "untranslated": doc.untranslated,
    }
    names: list[str] = []
    for facet in ENTITY_FACETS:
        assert facet.values is not None
        values = list(dict.fromkeys(facet.values(doc, found)))
        out[facet.field] = out[facet.column] = "\n".join(values)
        names += values
    # Canonical names are searchable too: "Chea Vandeth" finds the article that wrote
    # "Chea Vannadet"; the surface forms are in the text already.
    names = list(dict.fromkeys(names))
    text = f"{doc.title}\n\n{doc.description}\n\n{doc.body_text}"
    out["content"] = f"{text}\n\n" + "\n".join(names)
    out["content_kc"] = text
    return out
