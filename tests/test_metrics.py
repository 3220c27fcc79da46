"""What an operator sees of the web app: ``/metrics`` (Prometheus, correct across
gunicorn's worker processes) and one log line per request."""

from __future__ import annotations

import logging
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from indexer import store
from tests.conftest import CONTENT, served
from webapp import create_app, requestlog
from webapp import query as queries

LINE = re.compile(
    r"\[(?P<pid>\d+)\] \[INFO\] request method=(?P<method>\S+) route=(?P<route>\S+) "
    r"status=(?P<status>\d+) ms=(?P<ms>[\d.]+) generation=(?P<generation>\S+) "
    r"cache=(?P<cache>hit|miss|-)$"
)


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """(sample name, its labels) → value, from a scrape."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read().decode()


def test_two_workers_count_every_request_once_and_log_each(
    content_index: Path, tmp_path: Path
) -> None:
    """N requests answered by two worker processes are N in the scrape (whichever worker
    answers it), by URL rule and status; a previous server's counts are not carried
    over; each request is one log line, without the client's address."""
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    (multiproc / "counter_1.db").write_bytes(b"a previous server's file, not readable")
    log = tmp_path / "serve.log"
    slug = sorted(CONTENT.glob("en/*.md"))[0].stem
    generation = store.current_generation(content_index)
    assert generation is not None
    n = 0
    with served(
        content_index,
        *("--workers", "2", "--threads", "1"),
        env={"PRAKAS_METRICS_DIR": str(multiproc)},
        log=log,
    ) as base:
        urls = [f"{base}/search?q={('school', 'teacher')[i % 2]}" for i in range(24)]
        for _ in range(25):  # concurrent, until both workers have taken some (the kernel
            with ThreadPoolExecutor(4) as pool:  # decides which accepts a connection)
                assert {status for status, _ in pool.map(get, urls)} == {200}
            n += len(urls)
            if len({m["pid"] for m in map(LINE.search, log.read_text().splitlines()) if m}) == 2:
                break
        for _ in range(3):
            get(f"{base}/a/en/{slug}")
        first = samples(get(base + "/metrics")[1])
        second = samples(get(base + "/metrics")[1])

    search = frozenset({("method", "GET"), ("route", "/search"), ("status", "200")})
    article = frozenset({("method", "GET"), ("route", "/a/<lang>/<path:slug>"), ("status", "200")})
    metrics_route = frozenset({("method", "GET"), ("route", "/metrics"), ("status", "200")})
    assert first[("prakas_http_requests_total", search)] == n
    assert first[("prakas_http_requests_total", article)] == 3
    latency = ("prakas_http_request_duration_seconds_count", frozenset({("route", "/search")}))
    assert first[latency] == n
    # the scrape is counted after it is answered: the first one is in the second
    assert ("prakas_http_requests_total", metrics_route) not in first
    assert second[("prakas_http_requests_total", metrics_route)] == 1
    assert second[("prakas_http_requests_total", search)] == n
    # 2 distinct pages, n + 3 look-ups in the page cache: a miss per page and worker at most
    hits = first[("prakas_page_cache_total", frozenset({("result", "hit")}))]
    misses = first[("prakas_page_cache_total", frozenset({("result", "miss")}))]
    assert hits + misses == n + 3 and 3 <= misses <= 6
    assert first[("prakas_generation_info", frozenset({("generation", generation.name)}))] == 1

    lines = [m for m in map(LINE.search, log.read_text().splitlines()) if m]
    searches = [m for m in lines if m["route"] == "/search"]
    assert len(searches) == n
    assert len({m["pid"] for m in searches}) == 2  # spread over both workers
    assert {(m["status"], m["generation"], m["method"]) for m in searches} == {
        ("200", generation.name, "GET")
    }
    assert sum(m["cache"] == "miss" for m in lines) == misses
    assert " ip=" not in log.read_text()


def test_page_cache_cut_short_searches_and_generation_age(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process: a page rendered then served from the worker's cache is a miss
    and a hit; a search the budget cut short is counted; the generation's age is the
    clock's time less its build time; ``/metrics`` is stored by no one."""
    gen = store.current_generation(content_index)
    assert gen is not None
    built = store.built_timestamp(gen)
    assert built is not None
    app = create_app({"INDEX_DIR": content_index, "CLOCK": lambda: built + 4321.5})
    c = app.test_client()

    def scrape() -> dict:
        response = c.get("/metrics")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers.get("ETag") is None
        return samples(response.get_data(as_text=True))

    hit = ("prakas_page_cache_total", frozenset({("result", "hit")}))
    miss = ("prakas_page_cache_total", frozenset({("result", "miss")}))
    cut = ("prakas_searches_cut_short_total", frozenset())
    before = scrape()
    # a search that finds something (a page that finds nothing is not kept: each view of
    # it goes to the query log, webapp/querylog.py)
    assert c.get("/search?q=broadband+kampot").status_code == 200
    assert c.get("/search?q=broadband+kampot").status_code == 200
    assert (
        c.get("/search?q=broadband+kampot", headers={"If-None-Match": 'W/"x"'}).status_code == 200
    )
    middle = scrape()
    assert middle[miss] - before.get(miss, 0) == 1
    assert middle[hit] - before.get(hit, 0) == 2
    assert middle[cut] == before[cut]

    monkeypatch.setattr(queries, "TIME_BUDGET_S", 0.0)  # every search runs out of time
    assert c.get("/api/search?q=school+teacher").status_code == 200
    after = scrape()
    assert after[cut] - middle[cut] == 1
    assert after[("prakas_generation_age_seconds", frozenset())] == 4321.5
    assert after[("prakas_generation_built_timestamp_seconds", frozenset())] == built


def test_the_log_line_names_the_client_only_when_the_operator_asks(
    content_index: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=requestlog.LOGGER)
    gen = store.current_generation(content_index)
    assert gen is not None
    for asked, expected in ((False, ""), (True, " ip=127.0.0.1")):
        caplog.clear()
        app = create_app({"INDEX_DIR": content_index, "LOG_CLIENT_IP": asked})
        app.test_client().get("/help")
        [message] = [r.getMessage() for r in caplog.records if r.name == requestlog.LOGGER]
        assert re.fullmatch(
            rf"request method=GET route=/help status=200 ms=[\d.]+ "
            rf"generation={gen.name} cache=miss{expected}",
            message,
        ), message


def test_a_log_value_cannot_break_the_line_or_forge_a_field() -> None:
    assert (
        requestlog.line({"route": "/a/<lang>/<path:slug>", "method": 'GE T\n"x=1', "n": 3})
        == 'request route=/a/<lang>/<path:slug> method="GE T\\n\\"x=1" n=3'
    )
    khmer = 'request ip="" k="\\u1781\\u17d2\\u1798\\u17c2\\u179a"'
    assert requestlog.line({"ip": "", "k": "ខ្មែរ"}) == khmer


def test_counts_outlive_a_worker_that_is_replaced(content_index: Path, tmp_path: Path) -> None:
    """A worker that ends (here: told to by SIGTERM, as gunicorn's own restarts do) is
    replaced, and what it counted stays counted; the metrics folder (a temporary one by
    default) belongs to the master, not to the worker that leaves."""
    import os
    import signal
    import time

    log = tmp_path / "serve.log"
    with served(content_index, "--workers", "2", "--threads", "1", log=log) as base:
        sent = 0
        for _ in range(25):  # until both workers have answered (the kernel picks which)
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(get, [f"{base}/help"] * 12))
            sent += 12
            pids = {m["pid"] for m in map(LINE.search, log.read_text().splitlines()) if m}
            if len(pids) == 2:
                break
        assert len(pids) == 2
        gone = int(min(pids))
        os.kill(gone, signal.SIGTERM)
        for _ in range(300):  # it finishes, the master starts another
            if _dead(gone):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"worker {gone} did not stop")
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(get, [f"{base}/help"] * 12))
        found = samples(get(base + "/metrics")[1])
    route = frozenset({("method", "GET"), ("route", "/help"), ("status", "200")})
    assert found[("prakas_http_requests_total", route)] == sent + 12


def _dead(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
