"""Shared fixtures: the real corpus in ../shared (skipped when absent) and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PRAKAS_SHARED", PROJECT.parent / "shared"))
CORPUS = SHARED / "corpus" / "ctc-website"
BLOG = CORPUS / "blog"
CONTENT = PROJECT / "content"


@pytest.fixture(scope="session")
def blog() -> Path:
    if not BLOG.is_dir():
        pytest.skip(f"real corpus not found at {BLOG}")
    return BLOG


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED


def prakas(
    *args: str | Path, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "indexer", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=PROJECT,
    )


@pytest.fixture(scope="session")
def corpus_index(blog: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real corpus indexed once for the session."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    result = prakas("index", "--content", blog, "--index", index_dir)
    assert result.returncode == 0, result.stderr
    return index_dir


@pytest.fixture(scope="session")
def content_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample content indexed once for the session."""
    index_dir = tmp_path_factory.mktemp("content-index")
    result = prakas("index", "--content", CONTENT, "--index", index_dir)
    assert result.returncode == 0, result.stderr
    return index_dir
