"""Two ``prakas serve`` nodes behind Debian's nginx, its cache revalidating by ETag, with
the very config docs/deploy.md shows: a publication on node A shipped to node B
(``prakas publish --to``) reaches every client through the cache, and no answer on the
way mixes two generations."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from indexer import store
from tests.conftest import PROJECT, cli, free_port, served, wait_until_answers
from tests.test_textfile import write

DEPLOY = PROJECT / "docs" / "deploy.md"
SECTION = "## Two nodes behind nginx"
# what the test changes in the documented config: addresses and the cache's folder
PRODUCTION = {
    "10.0.0.11:5000": "{a}",
    "10.0.0.12:5000": "{b}",
    "listen 80;": "listen {port};",
    "/var/cache/nginx/prakas": "{cache}",
}
TITLES = ("Ferry landing one opens", "Ferry landing two opens", "Ferry landing three opens")
QUERY = "/search?q=ferry"

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="Debian's nginx is not installed (.ci/run installs it: apt-get install nginx)",
)


def documented_config() -> str:
    """The ``nginx`` block of deploy.md's two-node section, each production value in it
    exactly once (so the doc and the test cannot drift apart)."""
    text = DEPLOY.read_text("utf-8")
    section = text[text.index(SECTION) :]
    block = re.search(r"```nginx\n(.*?)```", section, re.S)
    assert block, f"no nginx block under {SECTION!r} in {DEPLOY}"
    config = block.group(1)
    for value in PRODUCTION:
        assert config.count(value) == 1, value
    return config


def configured_validity() -> float:
    return float(re.search(r"proxy_cache_valid 200 (\d+)s;", documented_config()).group(1))


@contextmanager
def nginx(tmp: Path, a: str, b: str) -> Iterator[str]:
    """nginx in the foreground on a free loopback port, every file of it under ``tmp``."""
    port = free_port()
    config = documented_config()
    values = {"a": a, "b": b, "port": f"127.0.0.1:{port}", "cache": str(tmp / "cache")}
    for production, placeholder in PRODUCTION.items():
        config = config.replace(production, placeholder.format(**values))
    temps = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (tmp / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # its workers write into tmp
        + f"daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\n"
        f"error_log {tmp / 'error.log'} info;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {tmp / 'access.log'};\n{temps}\n"
        f"    uwsgi_temp_path {tmp / 'uwsgi'};\n    scgi_temp_path {tmp / 'scgi'};\n"
        f"{config}\n}}\n"
    )
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen(
        [binary, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # its log is error.log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(proc, base + "/healthz", f"nginx (see {tmp / 'error.log'})")
        yield base
    finally:
        proc.terminate()  # SIGTERM: nginx's fast shutdown
        proc.wait(timeout=30)


def fetch(url: str) -> tuple[dict[str, str], str]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return {k.lower(): v for k, v in r.headers.items()}, r.read().decode()


def page_generation(url: str, etags: dict[str, int]) -> tuple[int, str]:
    """The generation (1, 2…) one answer through nginx is of, checked whole: its ETag
    is one a node gave for that generation, and its body lists exactly that
    generation's announcements."""
    headers, body = fetch(url)
    generation = etags[headers["etag"]]  # a KeyError: an ETag no node ever gave
    shown = tuple(t for t in TITLES if t in body)
    assert shown == TITLES[: generation + 1], (generation, shown)
    return generation, headers["x-cache"]


def api_generation(url: str, names: dict[str, int]) -> int:
    found = json.loads(fetch(url)[1])
    generation = names[found["generation"]]
    assert found["total"] == generation + 1
    assert sorted(r["title"] for r in found["results"]) == sorted(TITLES[: generation + 1])
    return generation


def revalidations(node: str) -> float:
    """How many times ``node`` answered the search page with a 304."""
    text = fetch(node + "/metrics")[1]
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "prakas_http_requests_total"
        and s.labels == {"method": "GET", "route": "/search", "status": "304"}
    )


def test_a_publication_reaches_every_client_through_the_cache_one_generation_per_answer(
    tmp_path: Path,
) -> None:
    content, a_index, b_index = tmp_path / "content", tmp_path / "a", tmp_path / "b"
    for i, title in enumerate(TITLES[:2]):
        write(content / "en" / f"ferry-{i}.md", title)
    assert cli("index", "--content", content, "--index", a_index).returncode == 0
    assert cli("publish", "--index", a_index, "--to", b_index).returncode == 0
    first = store.current_generation(a_index)
    assert first is not None
    valid = configured_validity()
    names = {first.name: 1}

    with ExitStack() as stack:
        # the nodes share the public address (docs/deploy.md): their links, and so
        # their pages and ETags, are the same whichever node answers
        public = {"PRAKAS_BASE_URL": "https://search.example.org"}
        node_a = stack.enter_context(
            served(a_index, "--workers", "1", "--threads", "2", env=public)
        )
        node_b = stack.enter_context(
            served(b_index, "--workers", "1", "--threads", "2", env=public)
        )
        (tmp_path / "nginx").mkdir()
        front = stack.enter_context(
            nginx(
                tmp_path / "nginx", node_a.removeprefix("http://"), node_b.removeprefix("http://")
            )
        )
        # both nodes give generation 1's page the same ETag
        etag_1 = fetch(node_a + QUERY)[0]["etag"]
        assert fetch(node_b + QUERY)[0]["etag"] == etag_1
        etags = {etag_1: 1}

        # the cache keeps the page, then revalidates it with the nodes by its ETag
        statuses = [page_generation(front + QUERY, etags)[1] for _ in range(3)]
        assert statuses[0] == "MISS" and statuses[1:] == ["HIT", "HIT"]
        deadline = time.monotonic() + valid + 15
        while "REVALIDATED" not in statuses and time.monotonic() < deadline:
            time.sleep(valid / 4)
            statuses.append(page_generation(front + QUERY, etags)[1])
        assert "REVALIDATED" in statuses
        assert revalidations(node_a) + revalidations(node_b) >= 1  # a node said 304
        with pytest.raises(urllib.error.HTTPError) as closed:
            fetch(front + "/metrics")
        assert closed.value.code == 404  # scraped on the nodes, not through the front

        # node A publishes generation 2; B still serves 1: answers of either, each whole
        write(content / "en" / "ferry-2.md", TITLES[2])
        assert cli("index", "--content", content, "--index", a_index).returncode == 0
        second = store.current_generation(a_index)
        assert second is not None and second != first
        names[second.name] = 2
        etags[fetch(node_a + QUERY)[0]["etag"]] = 2
        assert fetch(node_b + QUERY)[0]["etag"] == etag_1
        for _ in range(10):
            page_generation(front + QUERY, etags)
            api_generation(front + "/api/search?q=ferry", names)
            time.sleep(valid / 5)

        # shipped to B: within the configured time every answer is generation 2
        assert cli("publish", "--index", a_index, "--to", b_index).returncode == 0
        deadline = time.monotonic() + valid + 15  # the machine is shared: a wide bound
        while time.monotonic() < deadline:
            time.sleep(valid / 4)
            seen = {page_generation(front + QUERY, etags)[0] for _ in range(4)}
            seen |= {api_generation(front + "/api/search?q=ferry", names) for _ in range(4)}
            if seen == {2}:
                break
        for _ in range(10):  # and it stays there
            assert page_generation(front + QUERY, etags)[0] == 2
            assert api_generation(front + "/api/search?q=ferry", names) == 2


def test_the_cache_keeps_no_cache_pages_and_never_a_no_store_one(tmp_path: Path) -> None:
    """The documented rules on their own, with a stub in place of both nodes: a 200
    marked ``no-cache`` (every page) is kept and served again; one marked ``no-store``
    (a page whose search the time budget cut short) never is."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    served_count = {"n": 0}

    class Stub(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served_count["n"] += 1
            body = f"answer {served_count['n']}".encode()
            self.send_response(200)
            self.send_header("Cache-Control", "no-store" if "cut" in self.path else "no-cache")
            self.send_header("ETag", f'W/"{self.path}"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    stub = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    address = f"127.0.0.1:{stub.server_address[1]}"
    try:
        (tmp_path / "nginx").mkdir()
        with nginx(tmp_path / "nginx", address, address) as front:
            kept = [fetch(front + "/search?q=whole") for _ in range(2)]
            cut = [fetch(front + "/search?q=cut") for _ in range(2)]
    finally:
        stub.shutdown()
        stub.server_close()
    assert [h["x-cache"] for h, _ in kept] == ["MISS", "HIT"]
    assert kept[0][1] == kept[1][1]  # the second from the cache
    assert [h["x-cache"] for h, _ in cut] == ["MISS", "MISS"]
    assert cut[0][1] != cut[1][1]  # both went to the node
