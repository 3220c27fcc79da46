"""Names, links and cells an unfriendly world supplies: file names that are not UTF-8
or carry control characters, symbolic links out of the content folders, spreadsheet
formulas in titles, and search links longer than a server's default line."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CONTENT, prakas, served

ARTICLE = "---\ntitle: {title}\ndate: 2025-05-01\n---\nThe ministry announced {word} today.\n"


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def index_json(content: Path, ix: Path) -> tuple[dict, str, int]:
    result = prakas("index", "--content", content, "--index", ix, "--json")
    return json.loads(result.stdout), result.stderr, result.returncode


def test_file_names_that_are_not_utf8_or_hold_control_characters(
    content: Path, tmp_path: Path
) -> None:
    expected = sum(1 for _ in content.rglob("*.md"))
    bad_bytes = os.fsencode(content / "en") + b"/caf\xe9-notice.md"
    with open(bad_bytes, "wb") as f:
        f.write(ARTICLE.format(title="Latin-1 name", word="latin").encode())
    forged = "x.md\n2026-01-01T00:00:00+00:00 prakas index: FORGED.md: all is well\n.md"
    (content / "en" / forged).write_text(ARTICLE.format(title="Forged", word="forged"))

    report, stderr, code = index_json(content, tmp_path / "ix")
    assert code == 1  # files were skipped, and said so
    assert "Traceback" not in stderr
    assert report["indexed"] == expected  # every other file is indexed
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert len(reasons) == 2
    latin = next(p for p in reasons if "caf" in p)
    assert latin.endswith("caf\\xe9-notice.md") and "not valid UTF-8" in reasons[latin]
    newline = next(p for p in reasons if "FORGED" in p)
    assert "\\n" in newline and "\n" not in newline
    assert "control characters" in reasons[newline]
    # no line of the log is a forgery: every line is one of ours, timestamp first
    for line in stderr.splitlines():
        assert "FORGED" not in line or "skipped:" in line, line
        assert not line.startswith("2026-01-01T00:00:00"), line
    # the report carries no raw control character either
    assert not any(ord(c) < 32 for c in json.dumps(report, ensure_ascii=False))


def test_symbolic_links_are_followed_only_inside_the_content_folders(
    content: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(ARTICLE.format(title="Secret", word="outsider"))
    (content / "en" / "leak.md").symlink_to(outside)
    (content / "en" / "hostname.md").symlink_to("/etc/hostname")
    inner = content / "en" / sorted(p.name for p in (content / "en").glob("*.md"))[0]
    (content / "en" / "alias-inside.md").symlink_to(inner)

    report, stderr, code = index_json(content, tmp_path / "ix")
    assert code == 1, stderr
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"leak.md", "hostname.md"}
    assert all("outside the content folders" in r for r in reasons.values())
    out = prakas("search", "--index", tmp_path / "ix", "outsider")
    assert "0 found" in out.stderr
    # a link inside the content folders is an ordinary file (here a duplicate of its
    # target under another name, so it is indexed as an announcement of its own)
    assert "alias-inside.md" not in reasons


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
    content: Path, tmp_path: Path
) -> None:
    hostile = {
        "=1+2": "=cmd|' /C calc'!A0",
        "+plus": "+SUM(A1:A9) zebu",
        "-minus": "-2+3 zebu",
        "@at": "@SUM(1) zebu",
    }
    for slug, title in hostile.items():
        (content / "en" / f"{slug}.md").write_text(
            ARTICLE.format(title=json.dumps(title), word="zebu")
        )
    ix = tmp_path / "ix"
    assert index_json(content, ix)[2] == 0
    with served(ix) as base, urllib.request.urlopen(base + "/api/search.csv?q=zebu") as r:
        text = r.read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["slug"] for row in rows} == {f"'{s}" for s in hostile}
    for row in rows:
        # the apostrophe first; a pipe (DDE) escaped, as OWASP advises; nothing else lost
        assert row["title"].startswith("'")
        assert row["title"][1:].replace("\\|", "|") in hostile.values()
        for cell in row.values():  # no cell of any column starts a formula
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row


def test_a_search_link_longer_than_a_default_request_line_gets_the_page(
    content_index: Path,
) -> None:
    words = " ".join(["ministry"] * 700)  # ~6.3 KB of URL, over gunicorn's 4 KB default
    url = "/search?" + urllib.parse.urlencode({"q": words})
    assert len(url) > 4094
    with served(content_index) as base, urllib.request.urlopen(base + url) as r:
        page = r.read().decode()
        assert r.status == 200
    assert "<form" in page and "first 400 characters" in page
