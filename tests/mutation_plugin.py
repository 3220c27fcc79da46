"""A pytest plugin for mutation runs only (``[tool.mutmut]`` loads it with ``-p``):
a test that starts a process (a server, the CLI in a subprocess, a browser) is
skipped. Such a process imports mutmut's copy of the code without mutmut's state (its
statistics run crashes there) and its failures are not the mutant's to count;
docs/testing.md lists what this leaves out. Forked processes (the index build's
workers) are not affected: they share the test's state."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

_popen_init = subprocess.Popen.__init__


def _refused(self: subprocess.Popen, *args: Any, **kwargs: Any) -> None:
    pytest.skip("starts a process: not part of a mutation run (docs/testing.md)")


def pytest_configure(config: pytest.Config) -> None:
    subprocess.Popen.__init__ = _refused  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    subprocess.Popen.__init__ = _popen_init  # type: ignore[method-assign]
