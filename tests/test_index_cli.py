"""`prakas index`, `stats` and `search` as an operator runs them, on ``corpus`` (the real
corpus, or ``content/`` in a fresh clone): in this process through click's runner, and
as real subprocesses where the process itself is what is tested."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from whoosh import index as whoosh_index

from indexer import store
from indexer.analysis import STOP_WORDS
from indexer.sources import discover, read
from tests.conftest import CONTENT, Corpus, cli, prakas


def test_the_corpus_indexes_every_file(corpus: Corpus, search_index: Path) -> None:
    files = Counter(p.parent.name for p in corpus.files())
    result = cli("stats", "--index", search_index)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    slugs = {p.stem for p in corpus.files()}
    assert f"{len(slugs)} announcements in {sum(files.values())} files" in lines
    header = next(line for line in lines if line.startswith("language"))
    total = next(line for line in lines if line.startswith("total"))
    counts = dict(zip(header.split()[1:], map(int, total.split()[1:]), strict=True))
    assert counts == dict(files)


def test_index_summary_line_and_json(corpus: Corpus, tmp_path: Path) -> None:
    result = prakas("index", "--content", corpus.root, "--index", tmp_path / "ix", "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    n = len(corpus.files())
    assert report["read"] == report["indexed"] == n and report["skipped"] == []
    assert f"full: read {n}, indexed {n} (added {n}, updated 0)" in result.stderr
    assert "skipped 0 in" in result.stderr


def test_stored_fields_match_the_files(corpus: Corpus, search_index: Path) -> None:
    ix, _ = store.open_index(search_index)
    with ix.searcher() as s:
        stored = {f["id"]: f for f in s.all_stored_fields()}
    assert len(stored) == len(corpus.files())
    for source in discover([corpus.root]):
        doc = read(source)
        fields = stored[doc.id]
        assert fields["title"] == doc.title and fields["slug"] == doc.slug
        assert fields["date"].date() == doc.date and fields["year"] == doc.date.year
        assert fields["body"] == doc.body_text and fields["body_markdown"] == doc.body_markdown
        assert fields["content_hash"] == doc.content_hash and fields["path"] == doc.path


def test_a_title_word_finds_its_article(corpus: Corpus, search_index: Path) -> None:
    """For every English article, its title's rarest word brings it into the top 10."""
    docs = [read(s) for s in discover([corpus.root / "en"])]
    words = Counter(w for d in docs for w in set(d.title.lower().split()))
    for doc in docs:
        candidates = [w for w in doc.title.lower().split() if w.isalpha() and w not in STOP_WORDS]
        word = min(candidates, key=lambda w: words[w])
        result = cli("search", "--index", search_index, "--lang", "en", word)
        assert result.returncode == 0, result.stderr
        assert any(line.startswith(doc.id + " ") for line in result.stdout.splitlines()), (
            doc.id,
            word,
        )


def _bad_files(root: Path) -> dict[str, str]:
    """One file of each bad kind, by name → the reason we expect reported."""
    cases = {
        "empty.md": (b"", "empty file"),
        "binary.md": (bytes(range(256)) * 4, "binary file"),
        "yaml.md": (b"---\ntitle: [oops\ndate: 2024-01-01\n---\nx\n", "broken YAML"),
        "notitle.md": (b"---\ndate: 2024-01-01\n---\nx\n", "no title"),
        "baddate.md": (b"---\ntitle: T\ndate: 2023-02-30\n---\nx\n", "unparseable date"),
        "latin1.md": (
            b"---\ntitle: T\ndate: 2024-01-01\n---\n" + b"\x81\x8d\x8f" * 20,
            "invalid UTF-8",
        ),
    }
    for name, (raw, _) in cases.items():
        (root / name).write_bytes(raw)
    return {name: reason for name, (_, reason) in cases.items()}


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    bad = _bad_files(content / "en")
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    result = cli("index", "--content", content, "--index", tmp_path / "ix")
    assert result.returncode == 1, result.stderr
    for name, reason in bad.items():
        line = next(
            x for x in result.stderr.splitlines() if f"skipped: {content / 'en' / name}:" in x
        )
        assert reason in line
    good = len(list(CONTENT.rglob("*.md")))
    assert f"indexed {good} (added {good}" in result.stderr
    assert f"skipped {len(bad)} in" in result.stderr
    ix, _ = store.open_index(tmp_path / "ix")
    assert ix.doc_count() == good
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == before


def test_strict_refuses_before_writing(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    _bad_files(content / "km")
    result = cli("index", "--strict", "--content", content, "--index", tmp_path / "ix")
    assert result.returncode == 6  # refused: not 1, which means "done, some files skipped"
    assert "nothing was indexed" in result.stderr
    assert store.current_generation(tmp_path / "ix") is None
    assert not list((tmp_path / "ix").glob("gen-*")) and not list(
        (tmp_path / "ix").glob(".building-*")
    )


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert prakas("index", "--content", tmp_path / "missing").returncode == 2
    assert prakas("index", "--no-such-flag").returncode == 2


def test_env_var_sets_the_index(tmp_path: Path) -> None:
    result = prakas("index", "--content", CONTENT, env={"PRAKAS_INDEX": str(tmp_path / "envix")})
    assert result.returncode == 0, result.stderr
    assert whoosh_index.exists_in(str(store.current_generation(tmp_path / "envix")))


def test_rebuild_publishes_a_new_generation_and_keeps_one_old(tmp_path: Path) -> None:
    ix_dir = tmp_path / "ix"
    gens = []
    for _ in range(3):
        assert cli("index", "--full", "--content", CONTENT, "--index", ix_dir).returncode == 0
        gens.append(store.current_generation(ix_dir))
    assert len(set(gens)) == 3
    assert sorted(p.name for p in ix_dir.glob("gen-*")) == sorted(g.name for g in gens[1:])


def test_stats_counts_files_by_year_of_their_date(content_index: Path) -> None:
    """The bundled content's dates, counted by hand (``grep '^date:' content/*/*.md``)."""
    result = cli("stats", "--index", content_index)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "24 announcements in 48 files" in lines
    rows = lines[lines.index("total        24     24") + 1 :]
    assert [row.split() for row in rows] == [
        ["2026", "7", "7"],
        ["2025", "7", "7"],
        ["2024", "5", "5"],
        ["2023", "4", "4"],
        ["2022", "1", "1"],
    ]
