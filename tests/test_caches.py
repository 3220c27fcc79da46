"""The caches are in one registry (:mod:`indexer.caches`): every one is declared
through it, docs/architecture.md lists exactly what it holds, and one call empties the
process-wide ones."""

from __future__ import annotations

import ast
import importlib
import pkgutil

import indexer
import webapp
from indexer import caches
from tests.conftest import PROJECT

# made once per process on purpose, not caches: clearing one would register the
# Prometheus instruments a second time
SINGLETONS = {"webapp/metrics.py:_instruments"}


def _import_everything() -> None:
    for package in (indexer, webapp):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)


def test_every_cache_is_declared_through_the_registry() -> None:
    """No ``functools`` cache outside :mod:`indexer.caches`: one declared on its own
    would be missing from the list and from :func:`caches.clear`."""
    found = []
    for path in [*(PROJECT / "indexer").rglob("*.py"), *(PROJECT / "webapp").rglob("*.py")]:
        where = path.relative_to(PROJECT).as_posix()
        if where == "indexer/caches.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                text = ast.unparse(dec)
                if ("lru_cache" in text or text.endswith("cache")) and "caches.lru" not in text:
                    found.append(f"{where}:{node.name}")
    assert sorted(found) == sorted(SINGLETONS)


def test_the_architecture_lists_exactly_the_registered_caches() -> None:
    _import_everything()
    names = [c.name for c in caches.registered()]
    assert "indexer.khmer.normalise_cluster" in names and "webapp.cache.ResultCache" in names
    assert len(names) == 32
    docs = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert caches.table() in docs, "docs/architecture.md's Caches table is out of date"


def test_clear_empties_every_process_wide_cache() -> None:
    _import_everything()
    from indexer import khmer
    from indexer.places import gazetteer

    first = gazetteer()
    assert khmer.normalise_cluster("ក្ក") == "ក្ក"
    assert khmer.normalise_cluster.cache_info().currsize >= 1  # type: ignore[attr-defined]
    caches.clear()
    for entry in caches.registered():
        if entry.clear is not None:  # the functools wrapper's own count of what it keeps
            assert entry.clear.__self__.cache_info().currsize == 0, entry.name  # type: ignore[attr-defined]
    assert gazetteer() is not first and gazetteer() == first  # read again, the same facts


def test_a_cache_declared_through_the_registry_is_listed_and_cleared(monkeypatch) -> None:
    monkeypatch.setattr(caches, "_ALL", dict(caches._ALL))  # the test's cache goes after it
    calls = []

    @caches.lru(2, "a test's")
    def double(n: int) -> int:
        calls.append(n)
        return 2 * n

    assert [double(1), double(1), double(2)] == [2, 2, 4] and calls == [1, 2]
    entry = next(c for c in caches.registered() if c.name.endswith("double"))
    assert (entry.bound, entry.why) == ("2 entries", "a test's")
    caches.clear()
    assert double(1) == 2 and calls == [1, 2, 1]  # computed again
