"""Documents → a new index generation, published atomically. The only index writer.

A run (``prakas index``) holds the writer lock, then:

1. **plans**: walks the content roots and compares each file with the live
   generation's manifest (path → id, SHA-256, size, mtime). A file whose size and
   mtime are unchanged is not read; one whose bytes hash the same is unchanged. New,
   changed and deleted files fall out of the comparison, and an announcement one of
   whose versions changed is indexed again whole (its versions share entities). The
   run is full with ``--full``, on a first run, when the live generation is damaged,
   or when a digest of :func:`indexer.schema.index_version` (schema, analysis, entity
   data) differs from the live generation's; the report says why.
2. **builds** a new generation beside the live one: in full (from ``PARALLEL_FROM``
   files in parallel worker processes, each writing segments of its own that are
   published together), or incrementally on a copy of the live generation made of
   hard links (Whoosh writes new segment files and never rewrites one, so the copy
   costs nothing; the files this module rewrites, the manifest and the labels, are
   written new and renamed over the linked name, never into it). Then the numpy
   copies of long postings (:mod:`indexer.postings`), the values' labels and the
   manifest.
3. **publishes** it by swapping ``CURRENT`` (:func:`indexer.generations.publish`).

A run with nothing to do publishes nothing: it only records the new mtimes of touched
files in the live generation's manifest (a new file renamed over the old one). Killed
at any point, it leaves the live generation as it was; the next run removes the
unpublished directory and does the work again. Files are read one at a time; what a
run keeps of each is its manifest entry and its values' labels, not its text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
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

import yaml
from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from indexer import announcement, dates, generations, postings, store, whoosh_compat
from indexer.documents import Announcement, BadFile, Draft, slug_of, version_id
from indexer.entities import Entities, khmer_name
from indexer.facets import ENTITY_FACETS
from indexer.publishers import Publisher
from indexer.schema import build_schema, index_version
from indexer.sources import Skipped, Source, printable, read, versions, walk
from indexer.workers import start_worker

MANIFEST = store.MANIFEST
_log = logging.getLogger(__name__)


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
    documents: int = 0  # files in the index (each language version is one)
    announcements: int = 0  # announcements in the index (a slug and all its versions)
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
            f"skipped {len(self.skipped)} in {self.seconds:.1f} s; "
            f"the index holds {self.announcements} announcements in {self.documents} files"
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
            "files": self.documents,
            "announcements": self.announcements,
            "seconds": round(self.seconds, 3),
            "generation": self.generation,
        }


class MassDeletion(RuntimeError):
    """The run would delete more of the archive than allowed; nothing was written."""


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


# --- the plan -----------------------------------------------------------------------------


@dataclass
class Plan:
    sources: list[Source]
    refused: list[Skipped]  # files not read (names, links out, duplicates, unreachable)
    to_index: list[Source]  # new or changed files
    deleted_ids: list[str]
    unchanged: int
    manifest: dict[str, list]  # path → [id, sha256, size, mtime_ns] of unchanged files
    old: dict[str, list]  # the live generation's manifest
    full: bool
    reason: str
    live_files: int = 0  # files the live generation holds (its manifest)
    gone: int = 0  # of those, how many the content roots no longer have


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(gen: Path | None) -> dict[str, list]:
    """The generation's manifest; empty when it is missing or not what we write (the
    run then indexes in full)."""
    if gen is None:
        return {}
    try:
        files = json.loads((gen / MANIFEST).read_text("utf-8"))["files"]
    except (OSError, KeyError, ValueError, TypeError):
        return {}
    valid = isinstance(files, dict) and all(
        isinstance(e, list) and len(e) == 4 and isinstance(e[0], str) for e in files.values()
    )
    return files if valid else {}


def _winners(sources: list[Source]) -> tuple[list[Source], list[Skipped]]:
    """One file per ``<lang>/<slug>``: the first in walk order, i.e. the first content
    root on the command line (then name order), whatever was indexed before."""
    first: dict[tuple[str, str], Source] = {}
    kept: list[Source] = []
    losers: list[Skipped] = []
    for source in sources:
        if source.lang is None:  # a flat folder's language is inside the file
            kept.append(source)
            continue
        winner = first.setdefault((source.lang, source.slug), source)
        if winner is source:
            kept.append(source)
        else:
            losers.append(
                Skipped(
                    printable(str(source.path)),
                    f"duplicate id {source.lang}/{source.slug} (also {printable(str(winner.path))}"
                    ", in an earlier content root, which wins)",
                )
            )
    return kept, losers


def plan(
    roots: list[Path], live: Path | None, full: bool, given: Mapping[Path, Publisher] | None = None
) -> Plan:
    """What must change for the index to match the content roots (``given``: publishers
    named on the command line).

    What cannot be read is not deleted: a file under a folder out of reach, and a file
    that cannot be stat'ed or hashed, keep their indexed version and are reported.
    """
    found = list(walk(roots, given))
    sources, refused = _winners([s for s in found if isinstance(s, Source)])
    refused = [s for s in found if isinstance(s, Skipped)] + refused
    out_of_reach = [Path(s.path) for s in refused if s.folder]
    expected = index_version()
    damage = live_damage(live)
    meta = store.read_meta(live) if live is not None and damage is None else {}
    reason = ""
    if full:
        reason = "--full"
    elif live is None:
        reason = "no index yet"
    elif damage is not None:
        reason = f"the live generation is damaged: {damage}"
    elif meta.get("versions") != expected:
        changed = sorted(k for k in expected if meta.get("versions", {}).get(k) != expected[k])
        reason = f"{', '.join(changed)} changed"
    live_manifest = read_manifest(live)
    old = {} if reason else live_manifest
    if not reason and not old:
        reason = "no manifest in the live index"
    manifest: dict[str, list] = {}
    to_index: list[Source] = []
    unchanged = 0
    readable: list[Source] = []
    for source in sources:
        key = str(source.path)
        entry = old.get(key)
        try:
            size, mtime = _stat(source.path)
            if entry is not None and entry[2] == size and entry[3] == mtime:
                manifest[key] = entry
                unchanged += 1
            elif entry is not None and _hash(source.path) == entry[1]:
                manifest[key] = [entry[0], entry[1], size, mtime]
                unchanged += 1
            else:
                to_index.append(source)
        except OSError as exc:
            kept = "; its indexed version is kept" if entry is not None else ""
            refused.append(Skipped(printable(key), f"cannot read: {exc.strerror or exc}{kept}"))
            if entry is not None:
                manifest[key] = entry
                unchanged += 1
            continue
        readable.append(source)
    seen = {str(s.path) for s in readable} | set(manifest)

    def reachable(path: str) -> bool:
        return not any(Path(path).is_relative_to(folder) for folder in out_of_reach)

    for path, entry in old.items():  # under a folder out of reach: kept as it was
        if path not in seen and not reachable(path):
            manifest[path] = entry
            unchanged += 1
            seen.add(path)
    deleted = [entry[0] for path, entry in old.items() if path not in seen]
    # what the index would lose: files whose announcement version no file carries any
    # more (a duplicate that lost to an earlier root is replaced, not lost)
    present = {version_id(s.lang, s.slug) for s in readable if s.lang}
    present |= {e[0] for e in manifest.values()}
    gone = sum(1 for path, e in live_manifest.items() if path not in seen and e[0] not in present)
    # An announcement is the unit: a change to one version re-indexes the others (a
    # Khmer version borrows its names from the English one, so both must agree).
    touched = {s.slug for s in to_index} | {slug_of(doc_id) for doc_id in deleted}
    queued = {s.path for s in to_index}
    pairs = versions(readable)
    for slug in touched:
        for sibling in pairs.get(slug, []):
            if sibling.path not in queued and str(sibling.path) in manifest:
                del manifest[str(sibling.path)]
                unchanged -= 1
                to_index.append(sibling)
                queued.add(sibling.path)
    orders = date_orders(readable, readable if reason else to_index)
    if orders:
        readable = [_ordered(s, orders) for s in readable]
        to_index = [_ordered(s, orders) for s in to_index]
    return Plan(
        readable,
        refused,
        to_index,
        deleted,
        unchanged,
        manifest,
        old,
        bool(reason),
        reason,
        len(live_manifest),
        gone,
    )


def live_damage(live: Path | None) -> str | None:
    """What is wrong with the live generation, read in full (every file hashed, the
    metadata parsed): a damaged one is rebuilt from scratch, never linked forward."""
    if live is None:
        return None
    problem = store.verify(live, thorough=True)
    if problem is None:
        try:
            store.read_meta(live)
        except store.Damaged as exc:
            problem = str(exc)
    return problem


def check_deletions(todo: Plan, max_share: float) -> None:
    """Refuse a run that would delete more than ``max_share`` of the indexed files, or
    all of them: an unmounted share or a mistyped ``--content`` looks like that."""
    if not todo.live_files or not todo.gone:
        return
    if not todo.sources:
        raise MassDeletion(
            f"the content folders hold no announcements: all {todo.live_files} indexed "
            "files would be deleted (is a share unmounted?); nothing was written. "
            "Run with --allow-mass-delete if this is meant"
        )
    if todo.gone > max_share * todo.live_files:
        raise MassDeletion(
            f"{todo.gone} of {todo.live_files} indexed files are gone from the content "
            f"folders, more than the {max_share:.0%} a run may delete (PRAKAS_MAX_DELETE); "
            "nothing was written. Run with --allow-mass-delete if this is meant"
        )


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
    max_file_bytes: int | None = None,
    max_delete_share: float = 1.0,
) -> Report:
    """Bring the index in line with ``roots`` and publish the result.

    Raises :class:`generations.Locked` when another writer runs, :class:`StrictFailure`
    when ``strict`` and any file is unreadable, and :class:`MassDeletion` when more than
    ``max_delete_share`` of the indexed files would go (each checked before anything is
    written). Roots are compared as absolute paths: ``content`` and ``/srv/x/content``
    are one folder, and a folder given twice is read once.
    """
    started = time.perf_counter()
    report = Report()
    procs = procs or os.cpu_count() or 1
    roots = list(dict.fromkeys(Path(os.path.abspath(r)) for r in roots))
    with generations.writer_lock(index_root) as lock_fd:
        generations.cleanup(index_root)  # what a killed run left behind
        live = store.current_generation(index_root)
        todo = plan(roots, live, full, publishers)
        check_deletions(todo, max_delete_share)
        report.mode = "full" if todo.full else "incremental"
        report.reason = todo.reason
        report.unchanged = 0 if todo.full else todo.unchanged
        report.skipped += todo.refused
        if strict:
            check = Report(skipped=list(todo.refused))
            to_read = todo.sources if todo.full else todo.to_index
            for _ in _readable(to_read, check, {}, max_file_bytes):
                pass
            if check.skipped:
                raise StrictFailure(check.skipped)
        if not todo.full and not todo.to_index and not todo.deleted_ids:
            assert live is not None  # an incremental run has a live generation
            report.mode = "unchanged"
            report.generation = live.name
            meta = store.read_meta(live)
            report.documents = meta.get("documents", 0)
            report.announcements = meta.get("announcements", 0)
            if todo.manifest != todo.old:  # remember new mtimes of touched files
                _save_manifest(live, todo.manifest)
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
                _write_parallel(
                    ix, sources, report, manifest, procs, progress, lock_fd, max_file_bytes
                )
            else:
                _write_serial(ix, todo, sources, report, manifest, progress, max_file_bytes)
        except BrokenProcessPool as exc:
            raise WorkerFailed(f"an indexing process died ({exc})") from None
        checkpoint("before-publish")
        written = whoosh_index.open_dir(str(building))
        postings.write(written, building)  # the copies a parallel build's workers left
        _save_labels(building, report.labels, live)
        checkpoint("labels")
        report.documents = written.doc_count()
        report.announcements = _announcements(written)
        _save_manifest(building, manifest)
        meta = {
            "versions": index_version(),
            "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "content_roots": [str(r) for r in roots],
            "documents": report.documents,
            "announcements": report.announcements,
            "mode": report.mode,
        }
        linked = None if todo.full else live
        report.generation = generations.publish(index_root, building, meta, linked).name
    report.seconds = time.perf_counter() - started
    return report


def _announcements(ix) -> int:
    """Announcements in the index: the distinct slugs of its live files."""
    with ix.reader() as reader:
        if not reader.doc_count():
            return 0  # an empty index has no columns to read
        slugs = reader.column_reader("slug")
        return len({slugs[docnum] for docnum in reader.all_doc_ids()})


def _write_serial(
    ix, todo: Plan, sources, report: Report, manifest: dict, progress, max_bytes: int | None
) -> None:
    """Apply the plan with one writer: deletions, then new and changed files."""
    old_ids = {entry[0] for entry in todo.old.values()}
    writer = ix.writer(limitmb=128, compound=False)
    try:
        for doc_id in todo.deleted_ids:  # a moved file's id is re-added below
            writer.delete_by_term("id", doc_id)
        # duplicate ids are judged against the files that stay as they are
        ids = {entry[0]: path for path, entry in todo.manifest.items()}
        added_ids: set[str] = set()
        refused = {s.path for s in todo.refused}
        for version in _versions(sources, report, ids, max_bytes, progress):
            doc = version.doc
            report.label(doc, version.entities)
            if doc.id in old_ids:
                writer.update_document(**version.fields)
                report.updated += 1
            else:
                writer.add_document(**version.fields)
                report.added += 1
            added_ids.add(doc.id)
            manifest[doc.path] = [doc.id, doc.content_hash, *_stat(Path(doc.path))]
        for skipped in report.skipped:  # a file now broken keeps its indexed version
            if skipped.path in refused:  # a duplicate that lost, a name refused
                continue
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
    max_bytes: int | None = None,
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
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    segments = []
    with ProcessPoolExecutor(
        max_workers=procs,
        mp_context=context,
        initializer=start_worker,  # never keep the lock, never outlive this process
        initargs=(lock_fd, os.getpid()),
    ) as pool:
        futures = [
            pool.submit(_index_chunk, str(ix.storage.folder), chunk, max_bytes)
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


def _index_chunk(folder: str, sources: list[Source], max_bytes: int | None):
    """In a worker process: index ``sources`` into one new segment of the index at
    ``folder``; return the segment, the counts and the manifest entries."""
    if os.environ.get("PRAKAS_FAIL_AT") == "worker":  # the crash tests' hook
        raise RuntimeError("failure injected by PRAKAS_FAIL_AT=worker")
    ix = whoosh_index.open_dir(folder)
    writer = whoosh_compat.segment_writer(ix, limitmb=96)
    part = Report()
    entries: dict[str, list] = {}
    try:
        for version in _versions(sources, part, {}, max_bytes):
            doc = version.doc
            writer.add_document(**version.fields)
            part.label(doc, version.entities)
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
    sources: Iterable[Source], report: Report, ids: dict[str, str], max_bytes: int | None = None
) -> Iterator[Announcement]:
    """Parsed announcements; unreadable files and duplicate ids go to the report.

    Whatever a file holds, it is named and skipped, never the end of the run: a parser
    error that is not a :class:`BadFile` (a case no rule foresaw) is reported with its
    type, and its traceback goes to the log.
    """
    for source in sources:
        report.read += 1
        tally = report.roots.setdefault(printable(str(source.root or "")), [0, 0])
        tally[0] += 1
        try:
            doc = read(source, max_bytes)
        except Draft:
            report.drafts.append(printable(str(source.path)))
            continue
        except BadFile as exc:
            report.skipped.append(Skipped(printable(str(source.path)), printable(str(exc))))
            tally[1] += 1
            continue
        except (ValueError, TypeError, LookupError, RecursionError, yaml.YAMLError) as exc:
            _log.warning("unexpected error reading %s", printable(str(source.path)), exc_info=True)
            reason = f"cannot be parsed ({type(exc).__name__}: {exc})"
            report.skipped.append(Skipped(printable(str(source.path)), printable(reason)))
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


def _versions(
    sources: Iterable[Source],
    report: Report,
    ids: dict[str, str],
    max_bytes: int | None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> Iterator[announcement.Version]:
    """The readable files of ``sources``, an announcement at a time (its versions
    together, so one lends its spelling of names to the others), through the one
    pipeline (:func:`indexer.announcement.versions`)."""
    groups: Iterable[list[Source]] = versions(sources).values()
    for group in progress(groups) if progress else groups:
        yield from announcement.versions(_readable(group, report, ids, max_bytes))


def _link_copy(source: Path, target: Path) -> None:
    """The live generation's files, hard-linked into ``target``."""
    for path in source.iterdir():
        skip = path.name in (store.META, store.CHECKSUMS) or path.name.endswith(".lock")
        if path.is_file() and not skip:
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
            if facet.labels is None and not facet.spelt_by:
                continue  # neither the documents nor a registry spell its values
            for term in reader.lexicon(facet.column):
                value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                label: dict[str, str] = {}
                if facet.labels is not None:
                    label.update(before.get(facet.name, {}).get(value, {}))
                    label.update(read.get(facet.name, {}).get(value, {}))
                km = khmer_name(facet.spelt_by, value) if facet.spelt_by else None
                if km and km != value:
                    label["km"] = km
                if label:
                    labels.setdefault(facet.name, {})[value] = label
    _write_new(gen / store.LABELS, json.dumps(labels, ensure_ascii=False))


def _save_manifest(gen: Path, manifest: dict[str, list]) -> None:
    _write_new(gen / MANIFEST, json.dumps({"files": manifest}, ensure_ascii=False))


def _write_new(path: Path, text: str) -> None:
    """Write ``path`` as a new file renamed over the old name, never into the old file:
    in a new generation the old name is a hard link to the live generation's file,
    which must not change. A failure (a full disk) leaves no temporary file behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("x", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
