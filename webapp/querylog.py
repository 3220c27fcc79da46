"""What people could not find: searches that found nothing as typed, for staff to feed
the synonyms and the registry.

A search of the public box or the API whose words found nothing (or whose results
are a respelling's, :mod:`webapp.respell`) is one JSON line in the file
``PRAKAS_QUERY_LOG`` names: when, the words, how many results were shown and the
respelling shown, if any. No address, cookie, user agent or interface language: the
words alone, which is what staff need. Each line is one ``write`` to a file opened
with ``O_APPEND`` and closed again, so the web workers' lines never interleave and
logrotate may move the file at any time (the next search creates a new one).

:func:`read` and :func:`unanswered` are what ``prakas queries --zero`` prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
_AGE = re.compile(r"^(\d{1,5})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    q: str
    total: int
    respelled: str | None  # the respelling whose results were shown


class QueryLog:
    """The log the web app appends to; ``clock`` is injected by tests."""

    def __init__(self, path: Path, clock: Callable[[], dt.datetime] = _now) -> None:
        self.path = path
        self.clock = clock

    def record(self, q: str, total: int, respelled: str | None) -> None:
        """One search that found nothing as typed. A log that cannot be written is
        reported in the server's log and never fails the search."""
        at = self.clock().astimezone(dt.UTC).isoformat(timespec="seconds")
        line = {"at": at.replace("+00:00", "Z"), "q": q, "total": total, "respelled": respelled}
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            log.warning("query log %s not written: %s", self.path, exc)


def files(path: Path) -> list[Path]:
    """The log and its rotated copies that are still plain text (``queries.jsonl.1``,
    as logrotate's ``delaycompress`` leaves the newest), oldest first."""
    rotated = [
        p for p in path.parent.glob(path.name + ".*") if p.name[len(path.name) + 1 :].isdigit()
    ]
    rotated.sort(key=lambda p: -int(p.name[len(path.name) + 1 :]))
    return [*rotated, *([path] if path.exists() else [])]


def read(paths: Iterable[Path], since: dt.datetime | None = None) -> Iterator[Entry]:
    """The entries of the logs, from ``since`` on; a line that is not an entry (cut
    short by a full disk, written by hand) is skipped with a warning."""
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    raw = json.loads(line)
                    entry = Entry(
                        dt.datetime.fromisoformat(raw["at"]),
                        str(raw["q"]),
                        int(raw["total"]),
                        raw.get("respelled"),
                    )
                except (ValueError, KeyError, TypeError):
                    log.warning("%s:%s: not a query log entry, skipped", path, number)
                    continue
                if entry.at.tzinfo is None:  # written by hand without a zone: UTC
                    entry = dataclasses.replace(entry, at=entry.at.replace(tzinfo=dt.UTC))
                if since is None or entry.at >= since:
                    yield entry


@dataclass(frozen=True)
class Row:
    q: str  # as most often typed
    count: int
    respelled: str | None  # the respelling shown most often, if any


def unanswered(entries: Iterable[Entry]) -> list[Row]:
    """Searches grouped by their words (case and spacing aside), most frequent first."""
    typed: dict[str, Counter[str]] = {}
    respelt: dict[str, Counter[str]] = {}
    for e in entries:
        key = " ".join(e.q.split()).casefold()
        typed.setdefault(key, Counter())[" ".join(e.q.split())] += 1
        respelt.setdefault(key, Counter())
        if e.respelled:
            respelt[key][e.respelled] += 1
    rows = [
        Row(
            forms.most_common(1)[0][0],
            forms.total(),
            respelt[key].most_common(1)[0][0] if respelt[key] else None,
        )
        for key, forms in typed.items()
    ]
    return sorted(rows, key=lambda r: (-r.count, r.q.casefold()))


def age(text: str) -> dt.timedelta:
    """``30m``, ``24h``, ``7d``, ``2w`` → a duration; ValueError for anything else."""
    m = _AGE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not an age such as 30m, 24h, 7d or 2w")
    return dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
