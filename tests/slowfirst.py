"""The slowest test files of the last run go first (hooks that tests/conftest.py takes in).

``--dist loadfile`` hands each xdist worker whole files in collection order: when a long
file comes last, one worker runs it while the other has nothing left. Each run keeps how
long each file's tests took (pytest's cache, ``prakas/file-seconds``), and the next run
collects the files in that order, longest first, the others after them as they were. A
first run, or one without the cache, keeps the usual order.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

KEY = "prakas/file-seconds"
_seconds: defaultdict[str, float] = defaultdict(float)


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    cache = getattr(config, "cache", None)
    last: dict[str, float] = (cache.get(KEY, {}) if cache else {}) or {}
    items.sort(key=lambda item: -last.get(file_of(item.nodeid), 0.0))  # stable: in a file too


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[file_of(report.nodeid)] += report.duration  # setup, call and teardown


def pytest_sessionfinish(session: pytest.Session) -> None:
    cache = getattr(session.config, "cache", None)
    if cache is not None and _seconds and not hasattr(session.config, "workerinput"):
        # by the controller, which sees every worker's reports; a run of a few files
        # updates theirs and keeps the others'
        cache.set(KEY, {**(cache.get(KEY, {}) or {}), **_seconds})
