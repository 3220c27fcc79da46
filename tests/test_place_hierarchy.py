"""Places as a hierarchy, on announcements written here: a commune's announcement counts
for its province; with a province chosen, the place filter offers that province's
districts, and a chosen district's communes."""

from __future__ import annotations

import re

import pytest

from tests.conftest import index_written
from webapp import create_app

BODIES = {
    "pea-ream": (
        "2025-06-10",
        "A centre opened at a high school in Pea Ream commune, Bati district.",
    ),
    "tram-kak": ("2024-03-01", "Students met in Tram Kak district, Takeo province."),
    "kien-svay": ("2023-05-02", "A post office opened in Kien Svay district, Kandal province."),
    "siem-reap": ("2022-01-01", "Post offices of Siem Reap province reopened."),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    files = {
        f"en/{slug}": f"---\ntitle: News {slug}\ndescription: x\ndate: {date}\n---\n\n{body}\n"
        for slug, (date, body) in BODIES.items()
    }
    return create_app({"INDEX_DIR": index_written(tmp_path_factory, files)}).test_client()


def places_offered(client, qs: str) -> list[str]:
    html = client.get(f"/search?{qs}&ui=en").text
    section = html.split('id="facet-place"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<span class="label" lang="en">([^<]+)</span>', section)


def test_a_province_counts_the_announcements_of_its_districts_and_communes(client) -> None:
    found = client.get("/api/search?province=Takeo").get_json()
    # the Pea Ream announcement names no province: its commune lies in Takeo
    assert sorted(h["slug"] for h in found["results"]) == ["pea-ream", "tram-kak"]


def test_the_place_filter_narrows_province_district_commune(client) -> None:
    assert sorted(places_offered(client, "q=")) == ["Bati", "Kien Svay", "Pea Ream", "Tram Kak"]
    # Takeo chosen: its districts, not the commune, nor Kandal's Kien Svay
    assert sorted(places_offered(client, "province=Takeo")) == ["Bati", "Tram Kak"]
    # and Bati chosen: its commune too
    offered = places_offered(client, "province=Takeo&place=Bati")
    assert sorted(offered) == ["Bati", "Pea Ream", "Tram Kak"]
    assert sorted(places_offered(client, "province=Kandal")) == ["Kien Svay"]
