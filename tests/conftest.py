"""Shared fixtures: the real corpus in ../shared (skipped when absent) and the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
        [sys.executable, "-m", "prakas", *map(str, args)],
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(index_dir: Path) -> Iterator[str]:
    """``prakas serve`` on a free loopback port; yields its base URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "prakas", "serve", "--index", str(index_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=PROJECT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def paused_index(content: Path, index_dir: Path, point: str) -> subprocess.Popen:
    """``prakas index`` started with ``PRAKAS_PAUSE_AT=point``, returned once it waits
    there (see ``indexer.build.checkpoint``)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prakas",
            "index",
            "--content",
            str(content),
            "--index",
            str(index_dir),
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
        env={**os.environ, "PRAKAS_PAUSE_AT": point},
    )
    line = proc.stderr.readline()
    assert f"checkpoint {point}" in line, line
    return proc
