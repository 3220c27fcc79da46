"""Edge values of small modules, each written out by hand: a nesting limit, a numeric
width, a damaged metadata file's message, a refused file's path. (Each was a mutant of
the mutation sample that no other test told from the code: docs/testing.md.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import safeyaml, schema, sources, store
from indexer.generations import write_checksums
from indexer.store import CHECKSUMS


def _nested(depth: int) -> str:
    """YAML of ``depth`` mappings inside each other, in flow style."""
    return "{a: " * depth + "1" + "}" * depth


def test_yaml_nested_to_the_limit_is_read_one_deeper_is_refused() -> None:
    """(mutant ``safeyaml.Loader.compose_node`` 17: ``>`` → ``>=``.)"""
    assert safeyaml.MAX_DEPTH == 32
    value = safeyaml.load(_nested(32))
    for _ in range(32):
        value = value["a"]
    assert value == 1
    with pytest.raises(safeyaml.Refused, match=r"^line 1: YAML nested more than 32 deep$"):
        safeyaml.load(_nested(33))


@pytest.mark.parametrize(
    ("bounds", "bits"),
    [
        ((1, 12), 8),
        ((0, 127), 8),
        ((0, 128), 16),
        ((-128, 0), 8),
        ((-129, 0), 16),
        ((1900, 2100), 16),
        ((0, 32767), 16),
        ((0, 32768), 32),
        ((0, 2**31), 64),
    ],
)
def test_a_date_facet_s_numeric_field_is_the_narrowest_that_holds_it(
    bounds: tuple[int, int], bits: int
) -> None:
    """(mutant ``schema._bits`` 15: the upper bound taken as inclusive.) A signed width
    of b bits holds -2^(b-1) to 2^(b-1) - 1."""
    assert schema._bits(bounds) == bits


def test_a_generation_s_metadata_that_is_not_a_mapping_is_named(tmp_path: Path) -> None:
    """(mutant ``store.read_meta`` 9: the message lost.)"""
    gen = tmp_path / "gen-1"
    gen.mkdir()
    (gen / store.META).write_text(json.dumps(["built_at"]), "utf-8")
    with pytest.raises(store.Damaged) as raised:
        store.read_meta(gen)
    assert str(raised.value) == f"gen-1: {store.META} is not a mapping"


def test_a_refused_file_is_reported_by_its_own_path(tmp_path: Path) -> None:
    """(mutant ``sources.walk`` 70: a refused file's path lost.) A link out of the
    content folders is refused, under its own path, not its target's."""
    root, outside = tmp_path / "content", tmp_path / "elsewhere"
    (root / "en").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: S\ndate: 2025-01-01\n---\nS.\n", "utf-8")
    link = root / "en" / "linked.md"
    link.symlink_to(outside / "secret.md")
    found = list(sources.walk([root]))
    assert found == [
        sources.Skipped(
            str(link),
            f"symbolic link to {outside / 'secret.md'}, outside the content folders",
        )
    ]


def test_checksums_of_files_linked_from_the_last_generation_are_taken_not_hashed(
    tmp_path: Path,
) -> None:
    """(mutants ``generations.write_checksums`` 4 and 12: the last generation's list not
    read, or its files not found by inode.) A file hard-linked from the last generation,
    of the size listed there, keeps that generation's entry (the point: an incremental
    run hashes only what it wrote). The entry here is a marker no hash can give."""
    old, new = tmp_path / "gen-1", tmp_path / "gen-2"
    old.mkdir()
    new.mkdir()
    (old / "seg.dat").write_bytes(b"12345")
    (old / CHECKSUMS).write_text(json.dumps({"files": {"seg.dat": [5, "listed"]}}), "utf-8")
    (new / "seg.dat").hardlink_to(old / "seg.dat")
    (new / "fresh.dat").write_bytes(b"abc")
    write_checksums(new, linked_from=old)
    got = json.loads((new / CHECKSUMS).read_text("utf-8"))["files"]
    assert got == {
        "fresh.dat": [3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
        "seg.dat": [5, "listed"],
    }
    write_checksums(new)  # no last generation: everything hashed
    got = json.loads((new / CHECKSUMS).read_text("utf-8"))["files"]
    assert got["seg.dat"] == [
        5,
        "5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5",
    ]
