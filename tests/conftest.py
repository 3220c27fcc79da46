"""Shared fixtures: the announcements the tests read, their indexes, and the CLI.

``corpus`` is the real corpus in ../shared when it is there and the bundled ``content/``
otherwise, so a fresh clone runs every test whose behaviour does not depend on one
corpus's facts; ``blog`` and ``shared`` skip when ../shared is absent (corpus facts,
gold scores)."""

from __future__ import annotations

import codecs
import locale
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner

from tests.slowfirst import (  # noqa: F401 (hooks: the slowest files first)
    pytest_collection_modifyitems,
    pytest_runtest_logreport,
    pytest_sessionfinish,
)

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


@dataclass(frozen=True)
class Corpus:
    """A content root in the ``<lang>/<slug>.md`` layout, and whether it is the real one."""

    root: Path
    real: bool

    def files(self, lang: str = "*") -> list[Path]:
        return sorted(self.root.glob(f"{lang}/*.md"))


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The real corpus when ../shared has it, else the bundled sample ``content/``."""
    return Corpus(BLOG, True) if BLOG.is_dir() else Corpus(CONTENT, False)


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED


def prakas(
    *args: str | Path, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as an operator would: for what only a process
    shows (exit status of the interpreter, signals, locks, the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "prakas", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=PROJECT,
    )


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in this process (click's runner): the same commands, exit codes
    and output streams as :func:`prakas`, without a second of interpreter start-up."""
    from prakas.cli import main

    argv = [str(a) for a in args]
    result = CliRunner().invoke(main, argv, env=env, catch_exceptions=False)
    return subprocess.CompletedProcess(argv, result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def corpus_index(blog: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real corpus indexed once for the session."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    result = cli("index", "--content", blog, "--index", index_dir)
    assert result.returncode == 0, result.stderr
    return index_dir


@pytest.fixture(scope="session")
def content_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample content indexed once for the session."""
    index_dir = tmp_path_factory.mktemp("content-index")
    result = cli("index", "--content", CONTENT, "--index", index_dir)
    assert result.returncode == 0, result.stderr
    return index_dir


@pytest.fixture(scope="session")
def search_index(corpus: Corpus, request: pytest.FixtureRequest) -> Path:
    """The index of ``corpus``: the session's real-corpus index, or the content one."""
    return request.getfixturevalue("corpus_index" if corpus.real else "content_index")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answers(proc: subprocess.Popen, url: str, what: str) -> None:
    """Return once ``url`` answers; fail the test if ``proc`` ends or 20 s pass."""
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{what} stopped with status {proc.returncode}")
            time.sleep(0.1)
    pytest.fail(f"{what} did not answer at {url}")


def serve_process(
    index_dir: Path,
    port: int,
    *options: str,
    env: dict[str, str] | None = None,
    stderr: IO[bytes] | None = None,
) -> subprocess.Popen:
    """``prakas serve`` on ``port`` of the loopback (``options``: more of its options,
    ``--workers 2``), its output discarded unless ``stderr`` is given."""
    command = [sys.executable, "-m", "prakas", "serve", "--index", str(index_dir)]
    return subprocess.Popen(
        [*command, "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=stderr or subprocess.DEVNULL,
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
    )


@contextmanager
def served(
    index_dir: Path, *options: str, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """``prakas serve`` on a free loopback port; yields its base URL once it answers.
    ``log``: a file for its stderr."""
    port = free_port()
    stderr = log.open("ab") if log else None
    proc = serve_process(index_dir, port, *options, env=env, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(proc, base + "/healthz", "the server")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if stderr:
            stderr.close()


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


def index_written(tmp_path_factory: pytest.TempPathFactory, files: dict[str, str]) -> Path:
    """An index of announcements a test writes: ``{"en/slug": "---\\n…front matter…"}``."""
    root = tmp_path_factory.mktemp("written") / "content"
    for name, text in files.items():
        path = root / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    index = tmp_path_factory.mktemp("written-index")
    result = cli("index", "--content", root, "--index", index)
    assert result.returncode == 0, result.stderr
    return index


@pytest.fixture(scope="session")
def large_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 generated files (3,000 announcements in two languages) indexed with the
    parallel build: large enough that the costly queries cost (the benchmark runs them at
    10,000 and 100,000). Built once, kept between runs (:mod:`tests.indexcache`); the
    generator is seeded (tests/test_bench.py: the same seed writes the same files), so
    its code and arguments stand for the files it writes, which are written only when
    the index must be built."""
    from bench import corpus
    from tests.indexcache import cache_root, kept_index

    size, seed = 6_000, 7

    def build(index: Path) -> None:
        content = tmp_path_factory.mktemp("bounds-6k") / "corpus"
        corpus.generate(size, content, seed=seed)
        result = prakas("index", "--full", "--content", content, "--index", index, timeout=1200)
        assert result.returncode == 0, result.stderr[-2000:]

    inputs = [Path(corpus.__file__).read_bytes(), f"generate({size}, seed={seed})".encode()]
    root = cache_root(request.config, tmp_path_factory)
    dest = tmp_path_factory.mktemp("large-index") / "index"
    return kept_index(root, "bounds-6k", inputs, build, dest)


@pytest.fixture()
def ascii_locale() -> Iterator[None]:
    """The C locale (ASCII), as on a bare server or in a container: Python's default
    encoding for files, restored after. Skipped in Python's UTF-8 mode (``-X utf8``,
    ``PYTHONUTF8``, or started under the C locale), where files ignore the locale."""
    if sys.flags.utf8_mode:
        pytest.skip("Python's UTF-8 mode: the locale does not choose a file's encoding")
    old = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        assert codecs.lookup(locale.getpreferredencoding(False)).name != "utf-8"
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, old)
