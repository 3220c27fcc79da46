"""One definition per fact: a facet is one row of ``indexer/facets.py``, and the index's
versions are digests of what they cover.

The first test adds a facet the way docs/architecture.md says — one row in the table,
with its extraction — in a fresh process, and finds it everywhere: the schema, the
build, the counts, the URL filter, the page, the JSON and the CSV.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import CONTENT, PROJECT

ADD_A_FACET = """
import dataclasses, json, sys
from pathlib import Path

import indexer.facets as table

# --- the change a maintainer makes: one row (its extraction: the front matter's tags)
topic = table.Facet(
    "topic",
    {"en": "Topic", "km": "ប្រធានបទ"},
    {"en": "Topics", "km": "ប្រធានបទ"},
    "entity",
    field="topics",
    values=lambda doc, found: doc.tags,
)
table.FACETS = (*table.FACETS, topic)
table.BY_NAME = {f.name: f for f in table.FACETS}
table.ENTITY_FACETS = tuple(f for f in table.FACETS if f.kind == "entity")
# --- nothing else changes

from indexer.build import build
from webapp import create_app

content, index_dir = map(Path, sys.argv[1:3])
build([content], index_dir, procs=1)
client = create_app({"INDEX_DIR": index_dir}).test_client()
landing = client.get("/api/search").get_json()
value = landing["facets"]["topic"][0]
filtered = client.get("/api/search", query_string={"topic": value["value"]}).get_json()
page = client.get("/search", query_string={"topic": value["value"]}).get_data(as_text=True)
csv_head = client.get("/api/search.csv").get_data(as_text=True).lstrip("\\ufeff").split("\\r\\n")[0]
field_query = client.get("/api/search", query_string={"q": f'topics:"{value["value"]}"'}).get_json()
print(json.dumps({
    "value": value,
    "filtered_total": filtered["total"],
    "filtered_topics": [h["topics"] for h in filtered["results"]],
    "page_has_heading": "Topic" in page,
    "csv_head": csv_head,
    "field_query_total": field_query["total"],
}))
"""


def test_adding_a_facet_is_one_row_in_the_table(tmp_path: Path) -> None:
    script = tmp_path / "add_facet.py"
    script.write_text(textwrap.dedent(ADD_A_FACET))
    done = subprocess.run(
        [sys.executable, str(script), str(CONTENT), str(tmp_path / "ix")],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    tags = {}
    for path in (CONTENT / "en").glob("*.md"):
        for line in path.read_text().splitlines():
            if line.startswith("tags:"):
                for tag in line[5:].strip(" []").split(","):
                    tags[tag.strip()] = tags.get(tag.strip(), 0) + 1
    top = out["value"]
    assert top["value"] in tags and top["count"] >= tags[top["value"]]
    assert out["filtered_total"] == top["count"]
    assert all(top["value"] in t for t in out["filtered_topics"])
    assert out["page_has_heading"]
    assert "topics" in out["csv_head"].split(",")
    assert out["field_query_total"] == top["count"]


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
