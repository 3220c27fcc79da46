"""The order tests/slowfirst.py collects the files in."""

from __future__ import annotations

from types import SimpleNamespace

from tests import slowfirst


def test_the_slowest_files_of_the_last_run_are_collected_first() -> None:
    """tests/slowfirst.py: files by their last run's seconds, longest first; in a file,
    and among files with no time kept, the order stays as collected."""

    class Cache:
        def get(self, key: str, default: object) -> object:
            assert key == slowfirst.KEY
            return {"tests/test_b.py": 9.5, "tests/test_c.py": 120.0}

    ids = ["tests/test_a.py::x", "tests/test_b.py::x", "tests/test_b.py::y"]
    ids += ["tests/test_c.py::x", "tests/test_d.py::x"]
    items = [SimpleNamespace(nodeid=i) for i in ids]
    slowfirst.pytest_collection_modifyitems(SimpleNamespace(cache=Cache()), items)  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == [
        "tests/test_c.py::x",
        "tests/test_b.py::x",
        "tests/test_b.py::y",
        "tests/test_a.py::x",
        "tests/test_d.py::x",
    ]
