"""``prakas publish --to``: the live generation shipped to another node's index folder,
copied whole under a temporary name and made live by swapping ``CURRENT`` last."""

from __future__ import annotations

import filecmp
import json
import os
from pathlib import Path

import pytest

from indexer import generations, store
from tests.conftest import cli
from tests.test_textfile import write


def answer(index: Path, word: str) -> dict:
    """What ``prakas search --json`` answers, less its timing."""
    found = json.loads(cli("search", word, "--index", index, "--json").stdout)
    found.pop("took_ms")
    assert found["total"] == 1 and found["generation"]
    return found


def test_publish_ships_the_live_generation_and_swaps_current_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, a, b = tmp_path / "content", tmp_path / "a", tmp_path / "b"
    write(content / "en" / "ferry.md", "New ferry landing")
    assert cli("index", "--content", content, "--index", a).returncode == 0
    first = store.current_generation(a)
    assert first is not None
    (b / ".building-killed-copy").mkdir(parents=True)  # a copy killed half-way

    shipped = cli("publish", "--index", a, "--to", b)
    assert shipped.returncode == 0, shipped.stderr
    assert f"{first.name} published in {b}" in shipped.stderr
    assert os.readlink(b / "CURRENT") == first.name  # the same name: the same ETags
    assert sorted(p.name for p in b.iterdir()) == [".lock", "CURRENT", first.name]
    same = filecmp.dircmp(first, b / first.name)
    assert not same.left_only and not same.right_only and not same.diff_files
    assert sorted(os.listdir(first)) == sorted(os.listdir(b / first.name))
    assert answer(b, "ferry") == answer(a, "ferry")

    # a new generation on A: at the moment B's CURRENT is swapped, the copy is whole
    write(content / "en" / "school.md", "School library")
    assert cli("index", "--content", content, "--index", a).returncode in (0, 1)
    second = store.current_generation(a)
    assert second is not None and second != first
    seen: list[tuple[str, list[str]]] = []
    real_publish = generations.publish

    def watched(root: Path, building: Path, meta: dict | None) -> Path:
        seen.append((os.readlink(root / "CURRENT"), sorted(os.listdir(building))))
        return real_publish(root, building, meta)

    monkeypatch.setattr(generations, "publish", watched)
    assert cli("publish", "--index", a, "--to", b).returncode == 0
    assert seen == [(first.name, sorted(os.listdir(second)))]
    assert os.readlink(b / "CURRENT") == second.name
    assert (b / first.name).is_dir()  # kept for B's readers still on it
    assert answer(b, "school") == answer(a, "school")

    again = cli("publish", "--index", a, "--to", b)
    assert again.returncode == 0 and "already live" in again.stderr
    assert len(seen) == 1


def test_publish_refuses_without_an_index_or_while_the_target_is_locked(tmp_path: Path) -> None:
    content, a, b = tmp_path / "content", tmp_path / "a", tmp_path / "b"
    nothing = cli("publish", "--index", a, "--to", b)
    assert nothing.returncode == 1 and "run `prakas index` first" in nothing.stderr
    write(content / "en" / "ferry.md", "New ferry landing")
    assert cli("index", "--content", content, "--index", a).returncode == 0
    with generations.writer_lock(b):
        locked = cli("publish", "--index", a, "--to", b)
    assert locked.returncode == 1 and "is running" in locked.stderr
    assert store.current_generation(b) is None
