"""What the web app tells an operator: ``/metrics`` for Prometheus, and per request its
counters and its log line (:mod:`webapp.requestlog`).

Under gunicorn each worker is a process, so the counters use prometheus-client's
multiprocess mode: every worker writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` (``PRAKAS_METRICS_DIR`` or a temporary folder, emptied by
``prakas serve`` before the workers start: :func:`fresh_multiproc_dir`), any worker
answers a scrape by adding up all the files, and the master tells the library when a
worker dies (:func:`child_exit`). The library picks that mode once, when
``prometheus_client`` is first imported, from the environment; importing :mod:`webapp`
(the CLI does, for its options) must not fix the choice before ``prakas serve`` has set
the directory, so this module imports it only inside functions.

The live generation and its age are the node's, not a worker's: they are read from
the index when the scrape comes (a collector), never counted.

Metrics: ``prakas_http_requests_total{method,route,status}`` (``route`` is the URL rule,
``/a/<lang>/<path:slug>``, so the label set stays small; ``unmatched`` for a 404
outside any route), ``prakas_http_request_duration_seconds{route}`` (histogram),
``prakas_searches_cut_short_total``, ``prakas_page_cache_total{result=hit|miss}``,
``prakas_generation_info{generation}``, ``prakas_generation_built_timestamp_seconds``,
``prakas_generation_age_seconds``.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, g, request

from indexer import store
from indexer.config import Settings
from webapp import requestlog

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# a page from the worker's cache is ~1 ms, a common search ~10 ms, the budget 1 s
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})

bp = Blueprint("metrics", __name__)


@dataclass(frozen=True)
class _Instruments:
    requests: Counter
    latency: Histogram
    cut_short: Counter
    page_cache: Counter


@functools.cache
def _instruments() -> _Instruments:
    """This process's instruments, made at first use (in a worker, after the fork)."""
    from prometheus_client import Counter, Histogram

    return _Instruments(
        requests=Counter(
            "prakas_http_requests",
            "Requests answered, by method, route (the URL rule) and status.",
            ["method", "route", "status"],
        ),
        latency=Histogram(
            "prakas_http_request_duration_seconds",
            "Time from the request to its response, by route.",
            ["route"],
            buckets=BUCKETS,
        ),
        cut_short=Counter(
            "prakas_searches_cut_short",
            "Searches the time budget cut short (partial results, not cached).",
        ),
        page_cache=Counter(
            "prakas_page_cache",
            "Look-ups in the worker's cache of rendered pages.",
            ["result"],
        ),
    )


def init_app(app: Flask) -> None:
    """Count and log every request of ``app``, and serve ``/metrics``."""
    app.config.setdefault("LOG_CLIENT_IP", Settings().log_client_ip)
    app.config.setdefault("CLOCK", time.time)  # for the generation's age; tests set it
    _instruments()
    app.before_request(_started)
    app.after_request(_finished)
    app.register_blueprint(bp)


def count_cut_short() -> None:
    _instruments().cut_short.inc()


def _started() -> None:
    g.started = time.perf_counter()


def _finished(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    cache = g.get("page_cache")
    found = _instruments()
    try:
        found.requests.labels(method, route, str(response.status_code)).inc()
        found.latency.labels(route).observe(seconds)
        if cache is not None:
            found.page_cache.labels(cache).inc()
    except OSError:  # the metrics folder full or gone: the answer goes out all the same
        current_app.logger.exception("cannot count the request")
    snap = g.get("snapshot")
    fields: dict[str, object] = {
        "method": method,
        "route": route,
        "status": response.status_code,
        "ms": f"{seconds * 1000:.1f}",
        "generation": snap.generation.name if snap is not None else "-",
        "cache": cache or "-",
    }
    if current_app.config["LOG_CLIENT_IP"]:
        fields["ip"] = request.remote_addr or "-"
    requestlog.write(fields)
    return response


@bp.get("/metrics")
def scrape() -> Response:
    """Every worker's counters (or this process's, outside gunicorn) and the node's
    generation, in Prometheus' text format; never cached by anyone."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry
    from prometheus_client import generate_latest as text
    from prometheus_client.multiprocess import MultiProcessCollector

    if os.environ.get(MULTIPROC_ENV):
        workers = CollectorRegistry()
        MultiProcessCollector(workers)
    else:
        workers = REGISTRY
    node = CollectorRegistry()
    node.register(_Generation(Path(current_app.config["INDEX_DIR"]), current_app.config["CLOCK"]))
    response = Response(text(workers) + text(node), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


class _Generation:
    """The generation ``CURRENT`` names, its build time and age, at scrape time."""

    def __init__(self, index_dir: Path, clock: Callable[[], float]) -> None:
        self.index_dir, self.clock = index_dir, clock

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

        gen = store.current_generation(self.index_dir)
        if gen is None:
            return
        info = InfoMetricFamily("prakas_generation", "The index generation this node serves.")
        info.add_metric([], {"generation": gen.name})
        yield info
        built = store.built_timestamp(gen)
        if built is None:
            return
        yield GaugeMetricFamily(
            "prakas_generation_built_timestamp_seconds",
            "When the generation this node serves was built (Unix time).",
            value=built,
        )
        yield GaugeMetricFamily(
            "prakas_generation_age_seconds",
            "Seconds since the generation this node serves was built.",
            value=self.clock() - built,
        )


# --- gunicorn's side (prakas serve) ---------------------------------------------------------


def fresh_multiproc_dir(configured: Path | None) -> Path:
    """An empty folder for the workers' metric files: the configured one emptied of a
    previous server's files (their counts are not this server's), or a new one."""
    if configured is None:
        return Path(tempfile.mkdtemp(prefix="prakas-metrics-"))
    configured.mkdir(parents=True, exist_ok=True)
    for old in configured.glob("*.db"):
        old.unlink()
    return configured


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's hook in the master when a worker ends: its live gauges go with it."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
