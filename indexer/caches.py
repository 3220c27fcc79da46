"""Every cache of the process, in one registry: what it keeps, its bound and why.

A function's cache is declared on the function, through :func:`lru` (``functools``'
LRU, registered here with its reason); a cache that belongs to an object (a
generation's snapshot, a search service) is described once by :func:`note`, beside
its class. So the list is complete by construction: :func:`table` prints it
(docs/architecture.md, *Caches*, is that table, and a test keeps the two equal), and
:func:`clear` empties every process-wide one — a test that changes what they were
computed from (the registry folder, the gazetteer) calls it, never one cache by hand.

Caches of objects need no clearing: they go with their object (a new generation, a
new service). No module of ``indexer`` imports ``webapp``: the web app's caches
register here like the indexer's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from inspect import signature
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Cache:
    name: str  # module.function, or module.Class for an object's
    bound: str  # how much it keeps, at most
    why: str  # what it saves
    clear: Callable[[], None] | None = None  # a process-wide cache's; an object's: None


_ALL: dict[str, Cache] = {}


def lru(maxsize: int | None, why: str) -> Callable[[F], F]:
    """``functools.lru_cache(maxsize)`` on the function, registered with ``why``;
    ``maxsize=None`` for a function of no argument (or of a handful of values): one
    value kept per argument, computed once."""

    def declare(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        if maxsize:
            bound = f"{maxsize:,} entries"
        else:
            bound = "one value per argument" if signature(fn).parameters else "one value"
        _add(Cache(f"{fn.__module__}.{fn.__qualname__}", bound, why, cached.cache_clear))
        return cached  # type: ignore[return-value]

    return declare


def note(name: str, bound: str, why: str) -> None:
    """Describe the cache an object keeps (it goes with the object)."""
    _add(Cache(name, bound, why))


def _add(entry: Cache) -> None:
    _ALL[entry.name] = entry


def clear() -> None:
    """Empty every process-wide cache (their values are computed again on next use)."""
    for entry in _ALL.values():
        if entry.clear is not None:
            entry.clear()


def registered() -> list[Cache]:
    """Every cache the imported modules declare, by name."""
    return sorted(_ALL.values(), key=lambda c: c.name)


def table() -> str:
    """The registry as a Markdown table (docs/architecture.md, *Caches*)."""
    rows = ["| cache | bound | why | cleared by |", "|---|---|---|---|"]
    for c in registered():
        how = "`caches.clear()`" if c.clear else "its object going"
        rows.append(f"| `{c.name}` | {c.bound} | {c.why} | {how} |")
    return "\n".join(rows)
