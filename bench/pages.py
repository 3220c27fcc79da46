"""Page weight and load time of the public pages on an emulated slow phone connection.

    python -m bench.pages [--index DIR] [--json]

Serves the index (default: the real corpus in ../shared, indexed into a temporary
folder; else the bundled ``content/``) with ``prakas serve`` on loopback and opens each
page in Debian's Chromium at 360 px, with Chrome DevTools network emulation at
Lighthouse's "slow 4G" (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up). For each
page it prints the bytes transferred (the sum of ``encodedDataLength`` over every
response: headers and compressed bodies, as they cross the wire) and the time to the
load event, for a first visit (empty cache) and a repeat visit (the same browser:
304s and cached assets). Figures, not a test: they vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT.parent / "shared" / "corpus" / "ctc-website" / "blog"
SLOW_4G = {
    "offline": False,
    "latency": 150,  # ms, round trip
    "downloadThroughput": 1.6e6 / 8,  # bytes/s
    "uploadThroughput": 750e3 / 8,
}
PAGES = {
    "landing (en)": "/?ui=en",
    "results (en)": "/search?q=Takeo&ui=en",
    "results (km)": "/search?q=តាកែវ&ui=km",
    "article (km)": "/a/km/13-post?ui=km",
}


def _serve(index: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "prakas", "serve", "--index", str(index), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=PROJECT,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


def visit(page, cdp, url: str) -> dict:
    """Load ``url``; bytes over the wire, requests, time to load, time to first byte."""
    sizes: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(url, wait_until="load")
    page.wait_for_function("document.fonts.status === 'loaded'")
    page.wait_for_timeout(300)  # let the last loadingFinished events arrive
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {load: n.loadEventEnd, ttfb: n.responseStart, status: n.responseStatus}; })()"
    )
    return {
        "bytes": int(sum(sizes.values())),
        "requests": len(sizes),
        "load_ms": round(timing["load"]),
        "ttfb_ms": round(timing["ttfb"]),
    }


def measure(base: str) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    out: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, path in PAGES.items():
            context = browser.new_context(viewport={"width": 360, "height": 780})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            first = visit(page, cdp, base + path)
            page.goto("about:blank")
            repeat = visit(page, cdp, base + path)
            out[name] = {"first": first, "repeat": repeat}
            context.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index to serve (default: build one)")
    parser.add_argument("--port", type=int, default=5093)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if index is None:
            index = Path(tmp) / "index"
            content = CORPUS if CORPUS.is_dir() else PROJECT / "content"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "prakas",
                    "index",
                    "--content",
                    str(content),
                    "--index",
                    str(index),
                ],
                check=True,
                capture_output=True,
                cwd=PROJECT,
            )
        server = _serve(index, args.port)
        try:
            figures = measure(f"http://127.0.0.1:{args.port}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    print("slow 4G (150 ms RTT, 1.6 Mbit/s down), 360 px, Chromium")
    print(f"{'page':<14} {'first visit':>26} {'repeat visit':>26} {'TTFB':>8}")
    for name, f in figures.items():
        a, b = f["first"], f["repeat"]
        print(
            f"{name:<14} {a['bytes'] / 1000:7.1f} KB {a['requests']:2d} req {a['load_ms']:5d} ms"
            f"   {b['bytes'] / 1000:7.1f} KB {b['requests']:2d} req {b['load_ms']:5d} ms"
            f" {a['ttfb_ms']:5d} ms"
        )


if __name__ == "__main__":
    main()
