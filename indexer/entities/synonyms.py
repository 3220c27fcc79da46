"""Synonyms staff keep in the registry folder: words and names that mean the same thing
to the people who search (an abbreviation and its full name, a romanisation and
another, an English term and its Khmer one). The search applies them when it reads a
query, so a change needs no reindex.

Files ``synonyms*.yaml`` (or ``.yml``) in the registry folder (``PRAKAS_REGISTRY``)::

    synonyms:
      - [CTC, Community Tech Center, មជ្ឈមណ្ឌលបច្ចេកវិទ្យាសហគមន៍]
      - [e-government, egov, digital government]

and ``synonyms*.csv`` with a ``terms`` column, the terms of one group separated by
``;``. Each group holds 2 to :data:`MAX_GROUP` terms of at most :data:`MAX_TERM_CHARS`
characters and :data:`MAX_TERM_WORDS` words. Every mistake is reported with its file
and line (``prakas registry check``); a bad group is left out, the rest is used.

Organisation names and abbreviations come from the registry itself; this file is for
what the registry does not hold.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer import khmer

MAX_GROUP = 20
MAX_TERM_CHARS = 100
MAX_TERM_WORDS = 6
MAX_FILE_BYTES = 1_000_000
PREFIX = "synonyms"


@dataclass
class Synonyms:
    """The groups read from a folder, and the problems of the ones left out."""

    groups: list[tuple[str, ...]] = field(default_factory=list)
    problems: list[tuple[Path, int, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def table(self) -> dict[str, tuple[str, ...]]:
        """Each term's key → the other terms of its group (of every group it is in)."""
        out: dict[str, list[str]] = {}
        for group in self.groups:
            for term in group:
                others = out.setdefault(key(term), [])
                others.extend(t for t in group if key(t) != key(term) and t not in others)
        return {k: tuple(v) for k, v in out.items()}


def key(term: str) -> str:
    """A term as it is looked up: Khmer-normalised, without case, dots or extra spaces
    (``M.P.T.C.`` = ``mptc``, ``e-Government`` = ``e-government``)."""
    text = khmer.normalise(term).casefold().replace(".", "")
    return " ".join(text.split())


def is_file(path: Path) -> bool:
    return path.name.lower().startswith(PREFIX) and path.suffix.lower() in (".yaml", ".yml", ".csv")


def read(folder: Path | None) -> Synonyms:
    """Every synonyms file of ``folder``, checked."""
    out = Synonyms()
    if folder is None or not folder.is_dir():
        return out
    for path in sorted(p for p in folder.iterdir() if p.is_file() and is_file(p)):
        out.files.append(path)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                out.problems.append((path, 0, f"larger than {MAX_FILE_BYTES:,} bytes"))
                continue
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            out.problems.append((path, 0, f"cannot read: {exc}"))
            continue
        rows = _csv_rows(text) if path.suffix.lower() == ".csv" else _yaml_rows(text)
        for line, group, problem in rows:
            if problem is None:
                problem = check_group(group)
            if problem is not None:
                out.problems.append((path, line, problem))
            else:
                out.groups.append(tuple(t.strip() for t in group))
    return out


def check_group(group: object) -> str | None:
    """What is wrong with one group, or None."""
    if not isinstance(group, list) or not all(isinstance(t, str) for t in group):
        return "a group is a list of terms (text), such as [CTC, Community Tech Center]"
    terms = [t.strip() for t in group if t.strip()]
    if len(terms) < 2:
        return "a group needs at least two terms"
    if len(terms) > MAX_GROUP:
        return f"a group holds at most {MAX_GROUP} terms"
    for term in terms:
        if len(term) > MAX_TERM_CHARS or len(term.split()) > MAX_TERM_WORDS:
            return (
                f"{term[:40]!r}: a term is at most {MAX_TERM_CHARS} characters "
                f"and {MAX_TERM_WORDS} words"
            )
        if re.search(r'[\x00-\x1f"()\[\]{}:*?\\]', term):
            return f"{term[:40]!r}: quotes, brackets, colons and wildcards are not allowed"
    return None


class _NoAliases(yaml.SafeLoader):
    """Safe YAML that refuses anchors and aliases: no expansion bombs."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)


def _yaml_rows(text: str):
    """(line, group, problem) for each group of a YAML file."""
    loader = _NoAliases(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        yield line, None, f"not valid YAML: {getattr(exc, 'problem', exc)}"
        return
    finally:
        loader.dispose()
    if node is None or data is None:
        return
    if not isinstance(data, dict) or list(data) != ["synonyms"]:
        yield 1, None, "expected a mapping with one key, synonyms: (a list of groups)"
        return
    groups, items = data["synonyms"] or [], node.value[0][1]
    if not isinstance(groups, list):
        yield items.start_mark.line + 1, None, "synonyms: expected a list of groups"
        return
    for group, item in zip(groups, items.value, strict=True):
        yield item.start_mark.line + 1, group, None


def _csv_rows(text: str):
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        columns = [h.strip().lower() for h in header]
        if "terms" not in columns:
            yield 1, None, "the header needs a terms column"
            return
        at = columns.index("terms")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            cell = row[at] if at < len(row) else ""
            yield reader.line_num, cell.split(";"), None
    except csv.Error as exc:
        yield reader.line_num, None, f"not valid CSV: {exc}"


_current: dict[Path, tuple[tuple, dict[str, tuple[str, ...]]]] = {}


def _signature(folder: Path) -> tuple:
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file() and is_file(p))
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except OSError:
        return ()


def version(folder: Path | None) -> str:
    """Which synonyms are in force (a digest of the files' names, times and sizes): a
    cache of answers is keyed on it, so an edit is seen at the next search."""
    if folder is None:
        return ""
    return hashlib.sha256(repr(_signature(folder)).encode()).hexdigest()[:12]


def current(folder: Path | None) -> dict[str, tuple[str, ...]]:
    """The table of ``folder``'s synonyms as they are now: read again when a file is
    added, removed or changed (a few ``stat`` calls a query), so staff's edits apply at
    the next search without a reindex or a restart."""
    if folder is None:
        return {}
    signature = _signature(folder)
    kept = _current.get(folder)
    if kept is None or kept[0] != signature:
        kept = (signature, read(folder).table())
        _current[folder] = kept
    return kept[1]
