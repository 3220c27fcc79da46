"""Documents → a new index generation, published atomically. The only index writer.

A run (``prakas index``) holds the writer lock, then:

1. **plans**: walks the content roots and compares each file with the live
   generation's manifest (path → id, size, mtime, SHA-256). A file whose size and
   mtime are unchanged is not read; one whose bytes hash the same is unchanged. New,
   changed, renamed and deleted files fall out of the comparison.
2. **builds** a new generation beside the live one: in full (``--full``, a first run,
   or when the schema, analysers or reference data changed), or incrementally on a
   copy of the live generation made of hard links (Whoosh never rewrites a segment
   file, so the copy costs nothing and the live index is never touched).
3. **publishes** it by swapping ``CURRENT`` (:mod:`indexer.store`).

A run with nothing to do publishes nothing. Killed at any point, it leaves the live
generation as it was; the next run removes the unpublished directory and does the
work again. Files are streamed, so memory does not grow with the corpus.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from indexer import dates, generations, postings, store, whoosh_compat
from indexer.documents import Announcement, BadFile, Draft
from indexer.entities import Entities, align_with_twin, extract, khmer_name
from indexer.facets import ENTITY_FACETS
from indexer.publishers import Publisher
from indexer.schema import build_schema, index_version
from indexer.sources import Skipped, Source, printable, read, versions, walk
from indexer.workers import start_worker

MANIFEST = "manifest.json"


@dataclass
class Report:
    """What a run did, for the summary line and ``--json``."""

    mode: str = "full"  # full | incremental | unchanged
    read: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # files marked draft: true, not indexed
    roots: dict[str, list[int]] = field(default_factory=dict)  # root → [read, skipped]
    # facet → value → language → label, from the documents read (Facet.labels)
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    seconds: float = 0.0
    generation: str = ""
    documents: int = 0
    reason: str = ""

    @property
    def indexed(self) -> int:
        return self.added + self.updated

    def warnings(self) -> list[str]:
        """One line per content root where most files read could not be indexed."""
        return [
            f"WARNING: {root}: {bad} of {n} files could not be indexed; see the skipped list"
            for root, (n, bad) in self.roots.items()
            if n and bad * 2 > n
        ]

    def merge(self, part: Report) -> None:
        """Add a worker's counts to this run's."""
        self.read += part.read
        self.added += part.added
        self.skipped += part.skipped
        self.drafts += part.drafts
        for name, values in part.labels.items():
            self.labels.setdefault(name, {}).update(values)
        for root, (n, bad) in part.roots.items():
            tally = self.roots.setdefault(root, [0, 0])
            tally[0] += n
            tally[1] += bad

    def summary(self) -> str:
        return (
            f"{self.mode}: read {self.read}, indexed {self.indexed} (added {self.added}, "
            f"updated {self.updated}), deleted {self.deleted}, unchanged {self.unchanged}, "
            f"skipped {len(self.skipped)} in {self.seconds:.1f} s"
        )

    def label(self, doc: Announcement, found: Entities) -> None:
        """Keep the labels ``doc`` gives its facet values (a publisher's names…)."""
        for facet in ENTITY_FACETS:
            if facet.labels is not None:
                for value, names in facet.labels(doc, found).items():
                    self.labels.setdefault(facet.name, {})[value] = dict(names)

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "reason": self.reason,
            "read": self.read,
            "indexed": self.indexed,
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "drafts": self.drafts,
            "warnings": self.warnings(),
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "generation": self.generation,
        }


class StrictFailure(RuntimeError):
    """``--strict`` found unreadable files; nothing was written."""

    def __init__(self, skipped: list[Skipped]) -> None:
        super().__init__(f"{len(skipped)} file(s) cannot be read; nothing was indexed")
        self.skipped = skipped


def checkpoint(name: str) -> None:
    """A named point of a run. ``PRAKAS_PAUSE_AT=name`` makes the run announce it on
    stderr and wait there, so the crash tests can kill it at that exact point."""
    if os.environ.get("PRAKAS_PAUSE_AT") == name:
        print(f"checkpoint {name} pid {os.getpid()}", file=sys.stderr, flush=True)
        time.sleep(3600)


# --- documents → fields -------------------------------------------------------------------


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
        "words": f"{doc.title}\n{doc.description}",
        "date": date,
        "year": doc.date.year,
        "month": doc.date.month,
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
        fields[facet.field] = fields[facet.column] = "\n".join(values)
        names += values
    # Canonical names are searchable too: "Chea Vandeth" finds the article that wrote
    # "Chea Vannadet"; the surface forms are in the text already.
    names = list(dict.fromkeys(names))
    text = f"{doc.title}\n\n{doc.description}\n\n{doc.body_text}"
    fields["content"] = f"{text}\n\n" + "\n".join(names)
    fields["content_kc"] = text
    return fields


class Twins:
    """English entities kept by slug so the Khmer version can borrow their Latin names."""

    def __init__(self, english_file: Callable[[str], Source | None] | None = None) -> None:
        # slug → the English entities, or None when they hold no one to borrow a name from
        self._by_slug: dict[str, Entities | None] = {}
        self._english_file = english_file

    def entities(self, doc: Announcement) -> Entities:
        found = extract(doc.title, doc.description, doc.body_text, doc.lang, doc.date)
        if doc.lang == "en":
            self._by_slug[doc.slug] = found if any(not p.known for p in found.people) else None
        elif (twin := self._twin(doc.slug)) is not None:
            found = align_with_twin(found, twin)
        return found

    def _twin(self, slug: str) -> Entities | None:
        if slug in self._by_slug or self._english_file is None:
            return self._by_slug.get(slug)
        source = self._english_file(slug)
        if source is None:
            return None
        try:
            doc = read(source)
        except BadFile:
            return None
        return extract(doc.title, doc.description, doc.body_text, doc.lang, doc.date)


# --- the plan -----------------------------------------------------------------------------


@dataclass
class Plan:
    sources: list[Source]
    refused: list[Skipped]  # files that must not be read (their names, links outside)
    to_index: list[Source]  # new or changed files
    deleted_ids: list[str]
    unchanged: int
    manifest: dict[str, list]  # path → [id, sha256, size, mtime_ns] of unchanged files
    old: dict[str, list]  # the live generation's manifest
    full: bool
    reason: str


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(gen: Path | None) -> dict[str, list]:
    if gen is None:
        return {}
    try:
        return json.loads((gen / MANIFEST).read_text("utf-8"))["files"]
    except (FileNotFoundError, KeyError, ValueError):
        return {}


def announcements(gen: Path | None) -> int:
    """How many announcements a generation holds: its files' distinct slugs (every
    language version of one announcement has the same ``<lang>/<slug>`` slug)."""
    return len({entry[0].split("/", 1)[-1] for entry in read_manifest(gen).values()})


def plan(
    roots: list[Path], live: Path | None, full: bool, given: Mapping[Path, Publisher] | None = None
) -> Plan:
    """What must change for the index to match the content roots (``given``: publishers
    named on the command line)."""
    found = list(walk(roots, given))
    sources = [s for s in found if isinstance(s, Source)]
    refused = [s for s in found if isinstance(s, Skipped)]
    expected = index_version()
    meta = store.read_meta(live) if live is not None else {}
    reason = ""
    if full:
        reason = "--full"
    elif live is None:
        reason = "no index yet"
    elif meta.get("versions") != expected:
        changed = sorted(k for k in expected if meta.get("versions", {}).get(k) != expected[k])
        reason = f"{', '.join(changed)} changed"
    old = {} if reason else read_manifest(live)
    if not reason and not old:
        reason = "no manifest in the live index"
    manifest: dict[str, list] = {}
    to_index: list[Source] = []
    unchanged = 0
    for source in sources:
        key = str(source.path)
        size, mtime = _stat(source.path)
        entry = old.get(key)
        if entry is not None and entry[2] == size and entry[3] == mtime:
            manifest[key] = entry
            unchanged += 1
            continue
        if entry is not None and _hash(source.path) == entry[1]:
            manifest[key] = [entry[0], entry[1], size, mtime]
            unchanged += 1
            continue
        to_index.append(source)
    seen = {str(s.path) for s in sources}
    deleted = [entry[0] for path, entry in old.items() if path not in seen]
    # An announcement is the unit: a change to one version re-indexes the others (a
    # Khmer version borrows its names from the English one, so both must agree).
    touched = {s.slug for s in to_index} | {doc_id.split("/", 1)[-1] for doc_id in deleted}
    queued = {s.path for s in to_index}
    pairs = versions(sources)
    for slug in touched:
        for sibling in pairs.get(slug, {}).values():
            if sibling.path not in queued and str(sibling.path) in manifest:
                del manifest[str(sibling.path)]
                unchanged -= 1
                to_index.append(sibling)
                queued.add(sibling.path)
    orders = date_orders(sources, sources if reason else to_index)
    if orders:
        sources = [_ordered(s, orders) for s in sources]
        to_index = [_ordered(s, orders) for s in to_index]
    return Plan(sources, refused, to_index, deleted, unchanged, manifest, old, bool(reason), reason)


HEAD_BYTES = 2048  # a front matter's date is in a file's first lines


def _head(path: Path) -> str:
    try:
        with path.open("rb") as f:
            return f.read(HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def date_orders(sources: list[Source], to_read: list[Source]) -> dict[Path, dates.Order]:
    """How each root writes ``03/04/2020``, for the roots where a file to read needs it
    and no ``date_order`` is set: the order most of the root's unambiguous numeric
    dates show (11/26/2020 votes month first). Only the first bytes of files are read,
    and only for a root that has an ambiguous date to read."""
    needed = {
        s.root
        for s in to_read
        if s.date_order is None
        and s.root is not None
        and dates.head_votes(_head(s.path)) == (1, None)
    }
    orders: dict[Path, dates.Order] = {}
    for root in needed:
        assert root is not None
        votes = (dates.head_votes(_head(s.path))[1] for s in sources if s.root == root)
        if (order := dates.decide(votes)) is not None:
            orders[root] = order
    return orders


def _ordered(source: Source, orders: dict[Path, dates.Order]) -> Source:
    if source.root is None or source.root not in orders or source.date_order is not None:
        return source
    return replace(source, date_order=orders[source.root])


# --- the run ------------------------------------------------------------------------------


def build(
    roots: list[Path],
    index_root: Path,
    *,
    full: bool = False,
    strict: bool = False,
    procs: int | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    publishers: Mapping[Path, Publisher] | None = None,
) -> Report:
    """Bring the index in line with ``roots`` and publish the result.

    Raises :class:`generations.Locked` when another writer runs and :class:`StrictFailure`
    when ``strict`` and any file is unreadable (checked before anything is written).
    """
    started = time.perf_counter()
    report = Report()
    procs = procs or os.cpu_count() or 1
    with generations.writer_lock(index_root) as lock_fd:
        generations.cleanup(index_root)  # what a killed run left behind
        live = store.current_generation(index_root)
        todo = plan(roots, live, full, publishers)
        report.mode = "full" if todo.full else "incremental"
        report.reason = todo.reason
        report.unchanged = 0 if todo.full else todo.unchanged
        report.skipped += todo.refused
        if strict:
            check = Report(skipped=list(todo.refused))
            for _ in _readable(todo.sources if todo.full else todo.to_index, check, {}):
                pass
            if check.skipped:
                raise StrictFailure(check.skipped)
        if not todo.full and not todo.to_index and not todo.deleted_ids:
            report.mode = "unchanged"
            report.generation = live.name if live else ""
            report.documents = store.read_meta(live).get("documents", 0) if live else 0
            _save_manifest(live, todo.manifest)  # remember new mtimes of touched files
            report.seconds = time.perf_counter() - started
            return report
        building = generations.new_generation_dir(index_root)
        checkpoint("building")
        if todo.full:
            ix = whoosh_index.create_in(str(building), build_schema())
            manifest: dict[str, list] = {}
            sources = todo.sources
        else:
            assert live is not None  # an incremental run has a live generation
            _link_copy(live, building)
            ix = whoosh_index.open_dir(str(building))
            manifest = dict(todo.manifest)
            sources = todo.to_index
        try:
            if todo.full and procs > 1 and len(sources) >= PARALLEL_FROM:
                _write_parallel(ix, sources, report, manifest, procs, progress, lock_fd)
            else:
                _write_serial(ix, todo, sources, report, manifest, progress)
        except BrokenProcessPool as exc:
            raise WorkerFailed(f"an indexing process died ({exc})") from None
        checkpoint("before-publish")
        written = whoosh_index.open_dir(str(building))
        postings.write(written, building)  # the copies a parallel build's workers left
        _save_labels(building, report.labels, live)
        documents = written.doc_count()
        report.documents = documents
        _save_manifest(building, manifest)
        meta = {
            "versions": index_version(),
            "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "content_roots": [str(r) for r in roots],
            "documents": documents,
            "mode": report.mode,
        }
        report.generation = generations.publish(index_root, building, meta).name
    report.seconds = time.perf_counter() - started
    return report


def _write_serial(ix, todo: Plan, sources, report: Report, manifest: dict, progress) -> None:
    """Apply the plan with one writer: deletions, then new and changed files."""
    twins = Twins(_english(todo.sources).get)
    old_ids = {entry[0] for entry in todo.old.values()}
    writer = ix.writer(limitmb=128, compound=False)
    try:
        for doc_id in todo.deleted_ids:  # a moved file's id is re-added below
            writer.delete_by_term("id", doc_id)
        # duplicate ids are judged against the files that stay as they are
        ids = {entry[0]: path for path, entry in todo.manifest.items()}
        added_ids: set[str] = set()
        stream = progress(sources) if progress else sources
        for doc in _readable(stream, report, ids):
            found = twins.entities(doc)
            fields = to_fields(doc, found)
            report.label(doc, found)
            if doc.id in old_ids:
                writer.update_document(**fields)
                report.updated += 1
            else:
                writer.add_document(**fields)
                report.added += 1
            added_ids.add(doc.id)
            manifest[doc.path] = [doc.id, doc.content_hash, *_stat(Path(doc.path))]
        for skipped in report.skipped:  # a file now broken keeps its indexed version
            if skipped.path in todo.old and skipped.path not in manifest:
                manifest[skipped.path] = todo.old[skipped.path]
        withdrawn = [todo.old[p][0] for p in report.drafts if p in todo.old]
        for doc_id in withdrawn:  # a published file now marked draft leaves the index
            writer.delete_by_term("id", doc_id)
        report.deleted = len((set(todo.deleted_ids) | set(withdrawn)) - added_ids)
        checkpoint("before-commit")
        writer.commit()
    except BaseException:
        if not writer.is_closed:  # a failed commit has closed it already
            writer.cancel()
        raise


# --- the parallel full build ------------------------------------------------------------

PARALLEL_FROM = 400  # fewer files than this are indexed in-process
# Segments are written as separate files, not one compound file: Whoosh reads a
# compound segment's postings into memory (a copy of the whole file per process),
# separate files are read through the OS page cache, shared by every web worker.
CHUNKS_PER_PROCESS = 1


class WorkerFailed(RuntimeError):
    """An indexing process raised or died; nothing was published."""


def _write_parallel(
    ix,
    sources: list[Source],
    report: Report,
    manifest: dict,
    procs: int,
    progress,
    lock_fd: int | None = None,
) -> None:
    """Index chunks of files in worker processes, each into a segment of its own, then
    publish all the segments in one table of contents.

    Whoosh's own multi-process writer hangs when a worker raises; here the workers are a
    ``ProcessPoolExecutor``: a worker's exception comes back as the exception, a worker
    that dies is a ``BrokenProcessPool``, and either ends the run with an error.
    The two language versions of an announcement go to the same chunk, so the Khmer one
    can borrow the English one's spellings, and so duplicate ids meet in one chunk.
    """
    chunks: list[list[Source]] = [[] for _ in range(procs * CHUNKS_PER_PROCESS)]
    for source in sources:
        # a stable hash (Python's own is salted per process)
        chunks[zlib.crc32(source.slug.encode("utf-8")) % len(chunks)].append(source)
    english = _english(sources)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    segments = []
    with ProcessPoolExecutor(
        max_workers=procs,
        mp_context=context,
        initializer=start_worker,  # never keep the lock, never outlive this process
        initargs=(lock_fd, os.getpid()),
    ) as pool:
        futures = [
            pool.submit(_index_chunk, str(ix.storage.folder), chunk, english)
            for chunk in chunks
            if chunk
        ]
        done_iter = as_completed(futures)
        if progress:
            done_iter = progress(done_iter)
        try:
            for future in done_iter:
                segment, part, entries = future.result()
                if segment is not None:
                    segments.append(segment)
                report.merge(part)
                manifest.update(entries)
        except BaseException as exc:
            for f in futures:
                f.cancel()
            if isinstance(exc, (BrokenProcessPool, KeyboardInterrupt)):
                raise
            raise WorkerFailed(f"an indexing process failed: {exc!r}") from exc
    checkpoint("before-commit")
    whoosh_compat.publish_segments(ix, segments)


def _index_chunk(folder: str, sources: list[Source], english: dict[str, Source]):
    """In a worker process: index ``sources`` into one new segment of the index at
    ``folder``; return the segment, the counts and the manifest entries."""
    if os.environ.get("PRAKAS_FAIL_AT") == "worker":  # the crash tests' hook
        raise RuntimeError("failure injected by PRAKAS_FAIL_AT=worker")
    ix = whoosh_index.open_dir(folder)
    writer = whoosh_compat.segment_writer(ix, limitmb=96)
    part = Report()
    entries: dict[str, list] = {}
    twins = Twins(english.get)
    try:
        for doc in _readable(sources, part, {}):
            found = twins.entities(doc)
            writer.add_document(**to_fields(doc, found))
            part.label(doc, found)
            part.added += 1
            if part.added == 1:
                checkpoint("worker")  # mid-chunk, a document written: the kill tests' point
            entries[doc.path] = [doc.id, doc.content_hash, *_stat(Path(doc.path))]
        segment = whoosh_compat.finish_segment(writer, part.added)
        if segment is not None:  # its numpy copy, here: one per process, in parallel
            with SegmentReader(ix.storage, ix.schema, segment) as reader:
                postings.write_segment(Path(folder), reader)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    return segment, part, entries


def _readable(
    sources: Iterable[Source], report: Report, ids: dict[str, str]
) -> Iterator[Announcement]:
    """Parsed announcements; unreadable files and duplicate ids go to the report."""
    for source in sources:
        report.read += 1
        tally = report.roots.setdefault(printable(str(source.root or "")), [0, 0])
        tally[0] += 1
        try:
            doc = read(source)
        except Draft:
            report.drafts.append(printable(str(source.path)))
            continue
        except BadFile as exc:
            report.skipped.append(Skipped(printable(str(source.path)), printable(str(exc))))
            tally[1] += 1
            continue
        other = ids.get(doc.id)
        if other is not None and other != doc.path:
            also = printable(other)
            report.skipped.append(
                Skipped(printable(doc.path), f"duplicate id {doc.id} (also {also})")
            )
            tally[1] += 1
            continue
        ids[doc.id] = doc.path
        yield doc


def _english(sources: list[Source]) -> dict[str, Source]:
    """slug → the English version's file, which a Khmer version borrows names from."""
    return {slug: v["en"] for slug, v in versions(sources).items() if "en" in v}


def _link_copy(source: Path, target: Path) -> None:
    """The live generation's files, hard-linked into ``target``."""
    for path in source.iterdir():
        if path.is_file() and not path.name.endswith(".lock") and path.name != store.META:
            os.link(path, target / path.name)


def _save_labels(gen: Path, read: dict[str, dict[str, dict[str, str]]], live: Path | None) -> None:
    """The Khmer spelling of every facet value the registry or the gazetteer knows,
    for pages in the Khmer interface; URLs keep the canonical value. A facet whose
    documents carry their values' labels too (``Facet.labels``: a publisher's names, the
    Khmer spelling of a person paired across twins) takes those of the files read in
    this run, and the live generation's for the values of files left as they are; the
    registry's and the gazetteer's spellings come first."""
    labels: dict[str, dict[str, dict[str, str]]] = {}
    before = store.read_labels(live) if live is not None else {}
    with whoosh_index.open_dir(str(gen)).reader() as reader:
        for facet in ENTITY_FACETS:
            spelt = True  # the registry or the gazetteer spells this kind of value
            for term in reader.lexicon(facet.column):
                value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                label: dict[str, str] = {}
                if facet.labels is not None:
                    label.update(before.get(facet.name, {}).get(value, {}))
                    label.update(read.get(facet.name, {}).get(value, {}))
                elif not spelt:
                    break
                if spelt:
                    try:
                        km = khmer_name(facet.field, value)
                    except ValueError:  # a kind of value no registry or gazetteer spells
                        km, spelt = None, False
                    if km and km != value:
                        label["km"] = km
                if label:
                    labels.setdefault(facet.name, {})[value] = label
    (gen / store.LABELS).write_text(json.dumps(labels, ensure_ascii=False), "utf-8")


def _save_manifest(gen: Path | None, manifest: dict[str, list]) -> None:
    if gen is None:
        return
    tmp = gen / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps({"files": manifest}, ensure_ascii=False), "utf-8")
    os.replace(tmp, gen / MANIFEST)
