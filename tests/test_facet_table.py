"""One definition per fact: a facet is one row of ``indexer/facets.py``, and the index's
versions are digests of what they cover.

The first test adds two facets the way docs/architecture.md says — a row each in the
table, written into a copy of the source, nothing else changed — and finds them on
every surface: the schema and the build, the counts, the URL filter, the search page,
the JSON, the CSV, the Atom feed, the article page, staff syntax and the CLI. One is an
entity facet (the front matter's tags), the other date-like (the day of the week).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from tests.conftest import CONTENT, PROJECT

# --- the change a maintainer makes: two rows at the end of the table
NEW_ROWS = """
    entity(
        "topic",
        says("Topic", "Topics", km="ប្រធានបទ"),
        "topics",
        lambda doc, found: doc.tags,
        tag=True,
    ),
    dated("weekday", says("Weekday", "Weekdays", km="ថ្ងៃ"), lambda day: day.isoweekday(), (1, 7)),
"""

SURFACES = """
import json, sys
from pathlib import Path
from click.testing import CliRunner

import indexer
from indexer.build import build
from prakas.cli import main
from webapp import create_app

content, index_dir, topic, weekday = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
build([Path(content)], index_dir, procs=1)
client = create_app({"INDEX_DIR": index_dir}).test_client()

def api(**args):
    return client.get("/api/search", query_string={"per_page": 100, **args}).get_json()

def text(path, **args):
    return client.get(path, query_string=args).get_data(as_text=True)

landing = api()
by_topic, by_weekday = api(topic=topic), api(weekday=weekday)
slug = by_topic["results"][0]["slug"]
cli = [
    CliRunner().invoke(main, ["search", "--index", str(index_dir), "--json", "-n", "100", *a])
    for a in (["--topic", topic], ["--weekday", weekday])
]
print(json.dumps({
    "package": indexer.__file__,
    "facets": {
        name: {v["value"]: v["count"] for v in landing["facets"][name]}
        for name in ("topic", "weekday")
    },
    "topic_total": by_topic["total"],
    "topic_values": [h["topics"] for h in by_topic["results"]],
    "weekday_total": by_weekday["total"],
    "weekday_dates": [h["date"] for h in by_weekday["results"]],
    "staff_topic": api(q=f'topics:"{topic}"')["total"],
    "staff_weekday": api(q=f"weekday:{weekday}")["total"],
    "page": text("/search", ui="en"),
    "page_filtered": text("/search", ui="en", topic=topic, weekday=weekday),
    "csv": text("/api/search.csv", weekday=weekday).lstrip("\\ufeff"),
    "atom": text("/feed.atom", topic=topic),
    "article": text(f"/a/en/{slug}", ui="en"),
    "bad_weekday": client.get("/api/search", query_string={"weekday": "8"}).get_json(),
    "suggest": client.get("/api/suggest", query_string={"q": topic[:5]}).get_json(),
    "cli": [json.loads(r.output)["total"] if r.exit_code == 0 else r.output for r in cli],
}))
"""


def _announcements() -> dict[str, tuple[dt.date, set[str]]]:
    """slug → (its earliest date, the tags of any of its versions), read from the front
    matter with a regular expression: the test's own reading, not the project's."""
    out: dict[str, tuple[dt.date, set[str]]] = {}
    for path in CONTENT.glob("*/*.md"):
        head = path.read_text(encoding="utf-8").split("---")[1]
        day = dt.date.fromisoformat(re.search(r"^date: (\S+)$", head, re.M).group(1))
        found = re.search(r"^tags: \[(.*)\]$", head, re.M)
        tags = {t.strip() for t in found.group(1).split(",")} if found else set()
        before = out.get(path.stem, (day, set()))
        out[path.stem] = (min(day, before[0]), tags | before[1])
    return out


def _copy_with_rows(tmp: Path) -> Path:
    """The project's packages copied, with NEW_ROWS appended to the facet table."""
    src = tmp / "src"
    for package in ("indexer", "webapp", "prakas"):
        shutil.copytree(
            PROJECT / package, src / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    table = src / "indexer" / "facets.py"
    code = table.read_text(encoding="utf-8")
    end = code.index("\n)\n\nBY_NAME")  # the table's closing parenthesis
    table.write_text(code[:end] + NEW_ROWS.rstrip("\n") + code[end:], encoding="utf-8")
    return src


def test_adding_a_facet_is_one_row_in_the_table(tmp_path: Path) -> None:
    src = _copy_with_rows(tmp_path)
    script = tmp_path / "surfaces.py"
    script.write_text(textwrap.dedent(SURFACES))
    topic, weekday = "education", "2"  # 5 announcements; 8 published on a Tuesday
    done = subprocess.run(
        [sys.executable, str(script), str(CONTENT), str(tmp_path / "ix"), topic, weekday],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(src)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["package"] == str(src / "indexer" / "__init__.py")  # the copy, with the rows

    announcements = _announcements()
    tags = Counter(t for _, ts in announcements.values() for t in ts)
    days = Counter(str(day.isoweekday()) for day, _ in announcements.values())
    assert (tags[topic], days[weekday]) == (5, 8)
    # the counts: every weekday; the topics a page lists (the first 12 by count, then name)
    assert out["facets"]["weekday"] == dict(days)
    listed = sorted(tags, key=lambda t: (-tags[t], t))[:12]
    assert out["facets"]["topic"] == {t: tags[t] for t in listed}
    # the filters, in a URL and in staff syntax, and the values on each result
    assert out["topic_total"] == out["staff_topic"] == 5
    assert all(topic in values for values in out["topic_values"])
    assert out["weekday_total"] == out["staff_weekday"] == 8
    assert sorted(out["weekday_dates"]) == sorted(
        d.isoformat() for d, _ in announcements.values() if d.isoweekday() == 2
    )
    assert "“weekday” must be a number from 1 to 7" in out["bad_weekday"]["error"]
    # the search page lists both facets, links their values, tags results with topics
    page = out["page"]
    assert '<h3 id="facet-topic-heading">Topic</h3>' in page
    assert '<h3 id="facet-weekday-heading">Weekday</h3>' in page
    assert 'href="/search?weekday=2' in page and 'href="/search?topic=education' in page
    assert re.search(r'class="tag" href="/topic/[^"]+"', page)
    filtered = out["page_filtered"]  # both filters in force: chips that remove them
    assert "Topic: <span" in filtered and "Weekday: <span" in filtered
    # the CSV: a topics column, and the rows of the weekday filter
    rows = out["csv"].strip().split("\n")
    assert "topics" in rows[0].split(",") and len(rows) - 1 == 8
    # the Atom feed of the topic: one entry per announcement
    assert out["atom"].count("</entry>") == 5
    # the box offers the topic as it is typed (``educa``)
    offered = {"label": topic, "kind": "topic", "value": topic, "url": f"/search?topic={topic}"}
    assert offered in out["suggest"], out["suggest"]
    # the article page lists the topics; the CLI takes both options
    assert "<h2>Topics</h2>" in out["article"] and f">{topic}<" in out["article"]
    assert out["cli"] == [5, 8]


# where a search's facets are parsed, counted, reshaped and rendered
SEARCH_PATH = ("params.py", "facets.py", "search.py", "views.py", "api.py", "openapi.py")


def test_the_search_path_names_no_facet() -> None:
    """The search's path dispatches on a row's kind and attributes, never on a facet's
    name: the date facets are named nowhere in the web app, no facet in the modules a
    search goes through or in the search page (the entity pages and the suggestions
    still name entity facets: their routes and ranks)."""
    quoted = re.compile(r"""["'](%s)["']""")
    everywhere = quoted.pattern % "year|month"
    on_the_path = quoted.pattern % "minister|province|person|place|org|publisher|year|month"
    webapp = PROJECT / "webapp"
    checked = [
        *((p, everywhere) for p in [*webapp.rglob("*.py"), *webapp.rglob("*.html")]),
        *((webapp / name, on_the_path) for name in SEARCH_PATH),
        (webapp / "templates" / "search.html", on_the_path),
        (webapp / "templates" / "searchform.html", on_the_path),
    ]
    found = [
        f"{path.relative_to(PROJECT)}:{n}: {line.strip()}"
        for path, pattern in checked
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(pattern, line)
    ]
    assert not found, "\n".join(found)


def test_versions_are_digests_of_what_they_cover(monkeypatch) -> None:
    from indexer import schema
    from indexer.facets import Facet

    before = schema.index_version()
    again = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from indexer.schema import index_version as v; print(json.dumps(v()))",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    assert json.loads(again.stdout) == before  # stable across processes
    extra = Facet("topic", {"en": "Topic"}, {"en": "Topics"}, "entity", field="topics")
    monkeypatch.setattr(schema, "ENTITY_FACETS", (*schema.ENTITY_FACETS, extra))
    changed = schema.index_version()
    assert changed["schema"] != before["schema"]  # a new field is a new schema
    assert changed["analysis"] == before["analysis"]
