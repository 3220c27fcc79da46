"""A page for every official, province, place and organisation, on three announcements
written here, so every expected value is known by hand: who, where, when."""

from __future__ import annotations

import re

import pytest

from tests.conftest import index_written
from webapp import create_app

ANNOUNCEMENTS = {
    "a": (
        "Community Tech Centre opens in Pea Ream commune",
        "2025-06-10",
        "Ministry of Posts and Telecommunications",
        "H.E. Chea Vandeth, Minister of Posts and Telecommunications, opened a Community "
        "Tech Centre at a high school in Pea Ream commune, Bati district, Takeo province, "
        "with H.E. Mao Sela.",
    ),
    "b": (
        "Students in Tram Kak meet the Minister",
        "2024-03-01",
        "Ministry of Posts and Telecommunications",
        "H.E. Chea Vandeth, Minister of Posts and Telecommunications, met students in "
        "Tram Kak district, Takeo province.",
    ),
    "c": (
        "Post offices in Siem Reap reopen",
        "2023-01-05",
        "Cambodia Post",
        "H.E. Mao Sela visited the post offices of Siem Reap province with Cambodia Post.",
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    files = {
        f"en/{slug}": f"---\ntitle: {title}\ndescription: About {title}.\ndate: {date}\n"
        f"author: {author}\n---\n\n{body}\n"
        for slug, (title, date, author, body) in ANNOUNCEMENTS.items()
    }
    return create_app({"INDEX_DIR": index_written(tmp_path_factory, files)}).test_client()


def text(html: str) -> str:
    """The page's main text, tags dropped, white space collapsed."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]).split())


def test_an_officials_page(client) -> None:
    r = client.get("/person/Chea Vandeth?ui=en")
    assert r.status_code == 200
    shown = text(r.text)
    assert '<h1 lang="en">Chea Vandeth</h1>' in r.text
    assert '<span lang="km">ជា វ៉ាន់ដេត</span>' in r.text  # both scripts
    # the office and its dates, from indexer/data/officials.json
    assert "Offices Minister of Posts and Telecommunications · 6 September 2018 – now" in shown
    assert "2 announcements 2024 1 2025 1" in shown  # the count and the timeline
    latest = re.findall(r'<h3 lang="en"[^>]*><a href="([^"]+)">', r.text)
    assert latest == ["/a/en/a?ui=en", "/a/en/b?ui=en"]  # newest first
    beside = shown.split("Named beside", 1)[1].strip()
    assert beside == ("Provinces Takeo 2 People Mao Sela 1 Places Bati 1 Pea Ream 1 Tram Kak 1")
    assert 'href="/place/Pea%20Ream?ui=en"' in r.text
    assert 'href="/search?person=Chea+Vandeth&amp;ui=en"' in r.text  # the filter
    assert 'href="/feed.atom?person=Chea+Vandeth&amp;ui=en"' in r.text
    km = client.get("/person/Chea Vandeth?ui=km")
    assert '<h1 lang="km">ជា វ៉ាន់ដេត</h1>' in km.text and '<span lang="en">Chea Vandeth' in km.text
    assert "៦ កញ្ញា ២០១៨" in text(km.text)


def test_a_provinces_page_lists_its_districts(client) -> None:
    r = client.get("/province/Takeo?ui=en")
    shown = text(r.text)
    assert "Districts Bati 1 Tram Kak 1 2 announcements" in shown  # communes not listed
    assert 'href="/place/Bati?ui=en"' in r.text and 'href="/place/Tram%20Kak?ui=en"' in r.text
    assert "Where" not in shown  # a province lies in nothing


def test_a_place_knows_its_district_and_province(client) -> None:
    shown = text(client.get("/place/Pea Ream?ui=en").text)
    assert "Where Commune: Pea Ream · Province: Takeo · District: Bati" in shown
    # Bati is a district of Takeo, and a commune of Svay Rieng: the announcements say which
    bati = client.get("/place/Bati?ui=km").text
    where = 'ស្រុក៖ <span lang="km">បាទី</span> · ខេត្ត៖ <a href="/province/Takeo?ui=km">តាកែវ</a>'
    assert where in bati


def test_an_organisations_page_and_the_json(client) -> None:
    assert "1 announcement" in text(client.get("/org/Cambodia Post?ui=en").text)
    data = client.get("/api/entity/person/Mao Sela").get_json()
    assert data["names"] == {"en": "Mao Sela", "km": "ម៉ៅ សិលា"}
    assert data["total"] == 2 and data["years"] == {"2023": 1, "2025": 1}
    assert data["offices"] == [
        {
            "title": "Undersecretary of State, Ministry of Posts and Telecommunications",
            "minister": False,
            "from": None,
            "to": None,
        }
    ]
    assert [x["id"] for x in data["latest"]] == ["en/a", "en/c"]
    assert data["beside"]["person"] == [{"value": "Chea Vandeth", "count": 1}]
    assert data["page"] == "http://localhost/person/Mao%20Sela"


def test_unknown_values_and_facets_are_404(client) -> None:
    assert client.get("/person/Nobody?ui=en").status_code == 404
    assert client.get("/year/2025").status_code == 404  # not an entity facet
    assert client.get("/api/entity/place/Atlantis").get_json()["error"]


def test_chips_and_names_link_to_the_pages(client) -> None:
    article = client.get("/a/en/a?ui=km").text
    for href in ("/person/Chea%20Vandeth?ui=km", "/province/Takeo?ui=km", "/place/Bati?ui=km"):
        assert f'href="{href}"' in article
    results = client.get("/search?q=students&ui=en").text
    assert 'class="tag" href="/minister/Chea%20Vandeth?ui=en"' in results
    assert 'class="tag" href="/province/Takeo?ui=en"' in results


def test_every_entity_page_has_meta(client) -> None:
    html = client.get("/province/Takeo?ui=en").text
    assert '<link rel="canonical" href="http://localhost/province/Takeo?ui=en">' in html
    assert '<meta name="description" content="Province: Takeo. Announcements of the ' in html
    assert (
        '<link rel="alternate" hreflang="km" href="http://localhost/province/Takeo?ui=km">' in html
    )


def test_a_chosen_filter_links_to_its_page(client) -> None:
    html = client.get("/search?province=Takeo&person=Mao+Sela&ui=en").text
    assert (
        '<a class="about" href="/province/Takeo?ui=en">About <span lang="en">Takeo</span>' in html
    )
    assert '<a class="about" href="/person/Mao%20Sela?ui=en">' in html
    assert 'class="about"' not in client.get("/search?year=2025&ui=en").text  # not an entity
