"""A run's outcome as a textfile for node_exporter's textfile collector.

The nightly ``prakas index`` is a cron job, not a server: nothing can scrape it, so it
leaves its outcome in a ``*.prom`` file that node_exporter serves with the host's
metrics (``--collector.textfile.directory``), the usual pattern for batch jobs. The file
is written however the run ends, atomically (a temporary file renamed over the old one,
by prometheus-client), so a scrape reads the last run whole or the one before it. A
run that fails keeps the previous file's last success time: "no success for 36 hours"
stays true across failed nights.

A run *succeeds* when it brought the index in line with the content (it published a
generation, or there was nothing to do), whatever exit code that run ends with; the
exit code is written as the command gives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer import store
from indexer.build import Report

LAST_SUCCESS = "prakas_index_last_success_timestamp_seconds"


@dataclass(frozen=True)
class Outcome:
    """One run: its report (None when it failed), exit code, and clock readings."""

    report: Report | None
    exit_code: int
    started: float
    finished: float


def families(outcome: Outcome, index_dir: Path, last_success: float | None) -> list[Any]:
    """The metric families of ``outcome``; ``last_success`` from the previous file."""
    from prometheus_client.core import GaugeMetricFamily

    report = outcome.report
    if report is not None:
        last_success = outcome.finished

    def gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
        return GaugeMetricFamily(f"prakas_index_{name}", text, value=value)

    out = [
        gauge(
            "last_run_timestamp_seconds", "When the last run ended (Unix time).", outcome.finished
        ),
        gauge(
            "last_run_duration_seconds",
            "How long the last run took.",
            outcome.finished - outcome.started,
        ),
        gauge("last_run_exit_code", "The last run's exit code.", outcome.exit_code),
        gauge(
            "last_run_success",
            "1 when the last run brought the index in line with the content, else 0.",
            int(report is not None),
        ),
    ]
    if last_success is not None:
        out.append(
            GaugeMetricFamily(
                LAST_SUCCESS, "When a run last succeeded (Unix time).", value=last_success
            )
        )
    if report is None:
        return out
    files = GaugeMetricFamily(
        "prakas_index_last_run_files", "Files the last successful run handled.", labels=["outcome"]
    )
    for name, count in (
        ("read", report.read),
        ("indexed", report.indexed),
        ("skipped", len(report.skipped)),
        ("deleted", report.deleted),
        ("unchanged", report.unchanged),
    ):
        files.add_metric([name], count)
    out.append(files)
    live = store.current_generation(index_dir)
    try:  # as the build counted them when it published the generation
        counted = store.read_meta(live).get("announcements") if live is not None else 0
    except store.Damaged:
        counted = None
    if counted is not None:
        out.append(
            gauge(
                "announcements",
                "Announcements in the live generation (every language version together).",
                counted,
            )
        )
    out.append(
        gauge("documents", "Files (language versions) in the live generation.", report.documents)
    )
    built = store.built_timestamp(live) if live is not None else None
    if built is not None:
        out.append(
            gauge(
                "generation_built_timestamp_seconds",
                "When the live generation was built (Unix time): a web node serving an "
                "older one has not been shipped it.",
                built,
            )
        )
    return out


def previous_success(path: Path) -> float | None:
    """The last success time the file at ``path`` holds, if it holds one."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = path.read_text("utf-8")
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == LAST_SUCCESS:
                    return sample.value
    except (OSError, ValueError):
        pass
    return None


def write(path: Path, outcome: Outcome, index_dir: Path) -> None:
    """Replace the file at ``path`` with ``outcome``, atomically."""
    from prometheus_client import CollectorRegistry, write_to_textfile

    registry = CollectorRegistry()
    registry.register(_Fixed(families(outcome, index_dir, previous_success(path))))
    write_to_textfile(str(path), registry)


class _Fixed:
    def __init__(self, metrics: list[Any]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Any]:
        return iter(self.metrics)
