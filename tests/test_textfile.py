"""``prakas index --metrics-file``: the nightly run's outcome for node_exporter's
textfile collector, after a good run and after a failed one, with an injected clock."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from indexer import generations, store
from prakas.cli import main

DAY = 1_800_000_000.0  # a night's run starts here (Unix time), as the tests' clock says


def write(path: Path, title: str, date: str = "2025-03-04") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: {title}\ndate: {date}\n---\n\n{title} opens in Takeo province.\n", "utf-8"
    )


def run_index(
    content: Path, index: Path, prom: Path, *clock: float, more: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """``prakas index`` in this process, its clock reading ``clock`` in turn."""
    readings = iter(clock)
    argv = ["index", "--content", str(content), "--index", str(index), "--metrics-file", str(prom)]
    argv += more
    result = CliRunner().invoke(main, argv, obj={"clock": readings.__next__})
    assert next(readings, None) is None, "the run read the clock more or fewer times"
    return subprocess.CompletedProcess(argv, result.exit_code, result.stdout, result.stderr)


def read_prom(path: Path) -> dict[str, float]:
    """``name`` or ``name{label=value}`` → value, parsed by Prometheus' own parser."""
    return {
        s.name + "".join(f"{{{k}={v}}}" for k, v in sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(path.read_text("utf-8"))
        for s in family.samples
    }


def test_a_good_run_then_a_failed_one(tmp_path: Path) -> None:
    content, index = tmp_path / "content", tmp_path / "index"
    write(content / "en" / "ferry.md", "New ferry landing")
    write(content / "km" / "ferry.md", "ផែសាឡាងថ្មី")
    write(content / "en" / "school.md", "School library")
    (content / "en" / "empty.md").write_bytes(b"")  # unreadable: skipped, listed
    prom = tmp_path / "textfile" / "prakas_index.prom"
    prom.parent.mkdir()

    good = run_index(content, index, prom, DAY, DAY + 12.5)
    assert "empty.md" in good.stderr  # skipped and listed; the exit code is the CLI's
    gen = store.current_generation(index)
    assert gen is not None
    built = store.built_timestamp(gen)
    assert read_prom(prom) == {
        "prakas_index_last_run_timestamp_seconds": DAY + 12.5,
        "prakas_index_last_run_duration_seconds": 12.5,
        "prakas_index_last_run_exit_code": good.returncode,
        "prakas_index_last_run_success": 1,
        "prakas_index_last_success_timestamp_seconds": DAY + 12.5,
        "prakas_index_last_run_files{outcome=read}": 4,
        "prakas_index_last_run_files{outcome=indexed}": 3,
        "prakas_index_last_run_files{outcome=skipped}": 1,
        "prakas_index_last_run_files{outcome=deleted}": 0,
        "prakas_index_last_run_files{outcome=unchanged}": 0,
        "prakas_index_announcements": 2,
        "prakas_index_documents": 3,
        "prakas_index_generation_built_timestamp_seconds": built,
    }
    assert sorted(os.listdir(prom.parent)) == ["prakas_index.prom"]  # no temporary left
    first_inode = prom.stat().st_ino

    # the next night another run holds the lock: this one fails, nothing published
    with generations.writer_lock(index):
        failed = run_index(content, index, prom, DAY + 86_400, DAY + 86_401)
    assert failed.returncode != 0
    assert read_prom(prom) == {
        "prakas_index_last_run_timestamp_seconds": DAY + 86_401,
        "prakas_index_last_run_duration_seconds": 1,
        "prakas_index_last_run_exit_code": failed.returncode,
        "prakas_index_last_run_success": 0,
        "prakas_index_last_success_timestamp_seconds": DAY + 12.5,  # kept from the file
    }
    assert prom.stat().st_ino != first_inode  # replaced by a rename, never rewritten
    assert sorted(os.listdir(prom.parent)) == ["prakas_index.prom"]

    # and the night after, a run with a file deleted succeeds again (a third of this
    # small index: past the mass-deletion guard unless told, docs/deploy.md)
    (content / "en" / "school.md").unlink()
    more = ("--allow-mass-delete",)
    again = run_index(content, index, prom, DAY + 172_800, DAY + 172_803, more=more)
    values = read_prom(prom)
    assert values["prakas_index_last_success_timestamp_seconds"] == DAY + 172_803
    assert values["prakas_index_last_run_exit_code"] == again.returncode
    assert values["prakas_index_last_run_files{outcome=deleted}"] == 1
    assert values["prakas_index_announcements"] == 1


def test_a_metrics_file_that_cannot_be_written_is_said_and_changes_no_exit_code(
    tmp_path: Path,
) -> None:
    content, index = tmp_path / "content", tmp_path / "index"
    write(content / "en" / "ferry.md", "New ferry landing")
    prom = tmp_path / "missing-folder" / "prakas_index.prom"
    result = run_index(content, index, prom, DAY, DAY + 1)
    assert result.returncode == 0, result.stderr
    assert "cannot write the metrics file" in result.stderr
    assert store.current_generation(index) is not None
