"""An announcement is one thing in two languages: the unit of the index plan, the
results and the counts. Runs on the bundled content/ (and files written here), so it
means the same in a fresh clone."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from indexer import store
from tests.conftest import CONTENT, prakas
from webapp import create_app

EN = """---
title: Commerce delegation visits Kampot pepper farmers
date: 2025-05-01
---
H.E. {name}, Secretary of State of the Ministry of Commerce, visited pepper farmers
in Kampot province on Thursday.
"""
KM = """---
title: គណៈប្រតិភូពាណិជ្ជកម្មចុះសួរសុខទុក្ខកសិករម្រេចកំពត
date: 2025-05-01
---
ឯកឧត្តម សុខ វិបុល រដ្ឋលេខាធិការក្រសួងពាណិជ្ជកម្ម បានចុះសួរសុខទុក្ខកសិករដាំម្រេចនៅខេត្តកំពត។
"""


@pytest.fixture(scope="module")
def client(content_index: Path):
    return create_app({"INDEX_DIR": content_index}).test_client()


@pytest.fixture(scope="module")
def stored(content_index: Path) -> list[dict]:
    ix, _ = store.open_index(content_index)
    with ix.searcher() as s:
        return list(s.all_stored_fields())


def api(client, qs: str) -> dict:
    r = client.get("/api/search" + qs)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_one_result_per_announcement_in_the_readers_language(client, stored) -> None:
    slugs = {f["slug"] for f in stored}
    both = {f["slug"] for f in stored if f["lang"] == "km"} & {
        f["slug"] for f in stored if f["lang"] == "en"
    }
    assert both, "the bundled content pairs its announcements"
    english = api(client, "?per_page=100")
    assert english["total"] == len(slugs)
    assert len({h["slug"] for h in english["results"]}) == len(english["results"])
    assert {h["lang"] for h in english["results"] if h["slug"] in both} == {"en"}
    khmer = api(client, "?per_page=100&ui=km")
    assert khmer["total"] == len(slugs)
    assert {h["lang"] for h in khmer["results"] if h["slug"] in both} == {"km"}
    for hit in khmer["results"]:
        if hit["slug"] in both:
            assert set(hit["versions"]) == {"en", "km"}
            assert hit["other_language"].endswith(f"/a/en/{hit['slug']}")


def test_a_query_in_either_script_finds_the_announcement(client, stored) -> None:
    english = next(f for f in stored if f["lang"] == "en" and f["provinces"])
    word = english["title"].split()[0]
    # a Latin query shown in the Khmer interface: the Khmer version, found by its twin
    shown = api(client, f"?q={word}&ui=km&per_page=100")
    hit = next(h for h in shown["results"] if h["slug"] == english["slug"])
    assert hit["lang"] == "km"
    # a Khmer query prefers the Khmer version even in the English interface
    khmer = next(f for f in stored if f["lang"] == "km" and f["slug"] == english["slug"])
    words = khmer["title"].split()[0]
    found = api(client, f"?q={words}&per_page=100")
    assert any(h["slug"] == english["slug"] and h["lang"] == "km" for h in found["results"])


def test_staff_can_ask_for_one_language_or_every_file(client, stored) -> None:
    km = api(client, "?lang=km&per_page=100")
    assert km["total"] == sum(1 for f in stored if f["lang"] == "km")
    assert {h["lang"] for h in km["results"]} == {"km"}
    files = api(client, "?unit=file&per_page=100")
    assert files["total"] == len(stored) and files["unit"] == "file"
    counts = {v["value"]: v["count"] for v in api(client, "?per_page=1")["facets"]["lang"]}
    assert counts == {lang: sum(1 for f in stored if f["lang"] == lang) for lang in ("en", "km")}


def test_facet_counts_count_announcements(client, stored) -> None:
    for facet in api(client, "?per_page=1")["facets"]["province"][:4]:
        data = api(client, f"?province={facet['value']}&per_page=100")
        assert data["total"] == facet["count"]
        assert len({h["slug"] for h in data["results"]}) == facet["count"]


def test_csv_says_which_versions_each_row_covers(client, stored) -> None:
    text = client.get("/api/search.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len({f["slug"] for f in stored})
    by_slug: dict[str, set[str]] = {}
    for f in stored:
        by_slug.setdefault(f["slug"], set()).add(f["lang"])
    for row in rows:
        assert set(row["versions"].split()) == by_slug[row["slug"]]


def test_the_article_page_links_the_other_version(client, stored) -> None:
    f = next(f for f in stored if f["lang"] == "en")
    others = {g["lang"] for g in stored if g["slug"] == f["slug"]} - {"en"}
    html = client.get(f"/a/en/{f['slug']}").get_data(as_text=True)
    for lang in others:
        assert f'href="/a/{lang}/{f["slug"]}?ui=en"' in html


def test_an_edit_to_one_version_reindexes_the_other(tmp_path: Path) -> None:
    """The Khmer version borrows the Latin spelling of a name from its English twin:
    renaming the person in English must reach the Khmer version incrementally."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "en" / "2025-pepper.md").write_text(EN.format(name="Sok Vibol"))
    (content / "km" / "2025-pepper.md").write_text(KM)
    ix = tmp_path / "ix"
    assert prakas("index", "--content", content, "--index", ix).returncode == 0

    def people(doc_id: str) -> str:
        found = json.loads(
            prakas("search", "--index", ix, "--unit", "file", "-n", "100", "--json").stdout
        )
        return next(h["people"] for h in found["results"] if h["id"] == doc_id)

    assert people("km/2025-pepper") == ["Sok Vibol"]
    (content / "en" / "2025-pepper.md").write_text(EN.format(name="Suk Vibul"))
    run = prakas("index", "--content", content, "--index", ix, "--json")
    report = json.loads(run.stdout)
    assert report["mode"] == "incremental" and report["updated"] == 2, report
    assert people("en/2025-pepper") == ["Suk Vibul"]
    assert people("km/2025-pepper") == ["Suk Vibul"]
