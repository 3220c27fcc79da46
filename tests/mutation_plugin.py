"""A pytest plugin for mutation runs only (``[tool.mutmut]`` loads it with ``-p``):
a test that starts a process (a server, the CLI in a subprocess, a browser, the
build's pool of worker processes) is skipped. Such a process runs mutmut's copy of the
code without mutmut's state (its statistics run fails there: a subprocess cannot load
mutmut's settings, a forked worker of the pool dies) and its failures are not the
mutant's to count; docs/testing.md lists what this leaves out."""

from __future__ import annotations

import subprocess
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

_ORIGINAL: dict[type, Any] = {
    subprocess.Popen: subprocess.Popen.__init__,
    ProcessPoolExecutor: ProcessPoolExecutor.__init__,
}


def _refused(self: object, *args: Any, **kwargs: Any) -> None:
    pytest.skip("starts a process: not part of a mutation run (docs/testing.md)")


def pytest_configure(config: pytest.Config) -> None:
    for cls in _ORIGINAL:
        cls.__init__ = _refused  # type: ignore[misc]


def pytest_unconfigure(config: pytest.Config) -> None:
    for cls, init in _ORIGINAL.items():
        cls.__init__ = init  # type: ignore[misc]
