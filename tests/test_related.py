"""Related announcements on an article's page, on announcements written here: a weekly
series (one organisation, one place, the same words), a meeting that shares only a
province, and one that shares nothing."""

from __future__ import annotations

import re

import pytest

from tests.conftest import index_written
from webapp import create_app

LESSON = (
    "Sisters of Code lesson {n}: coding club for girls in Bati",
    "H.E. Mao Sela opened lesson {n} of the Sisters of Code coding club for girls at the "
    "Community Tech Centre of Bati district, Takeo province.",
)
ANNOUNCEMENTS = {
    "lesson-1": (*(t.format(n=1) for t in LESSON), "2025-07-01"),
    "lesson-2": (*(t.format(n=2) for t in LESSON), "2025-07-20"),
    "lesson-3": (*(t.format(n=3) for t in LESSON), "2025-07-22"),
    "kampot-roads": (
        "Broadband reaches Kampot",
        "Fibre now reaches schools in Kampot province and in Takeo province.",
        "2025-07-09",
    ),
    "postal-rates": (
        "New postal rates",
        "Cambodia Post publishes its rates for parcels sent abroad.",
        "2025-07-07",
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    files = {
        f"en/{slug}": f'---\ntitle: "{title}"\ndescription: "{title}."\ndate: {date}\n'
        f"---\n\n{body}\n"
        for slug, (title, body, date) in ANNOUNCEMENTS.items()
    }
    return create_app({"INDEX_DIR": index_written(tmp_path_factory, files)}).test_client()


def related(client, slug: str) -> list[str]:
    html = client.get(f"/a/en/{slug}?ui=en").text
    if 'class="related"' not in html:
        return []
    section = html.split('class="related"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/a/en/([\w-]+)\?ui=en"', section)


def test_a_series_links_to_its_other_parts_nearest_first(client) -> None:
    # lessons 1 and 3 share as much with lesson 2 (organisation, place, person, words);
    # lesson 3 is two days away, lesson 1 nineteen: the nearer first. The Kampot news
    # shares only the province; the postal rates share nothing and are not listed.
    assert related(client, "lesson-2") == ["lesson-3", "lesson-1", "kampot-roads"]
    assert related(client, "lesson-3") == ["lesson-2", "lesson-1", "kampot-roads"]
    assert related(client, "lesson-1") == ["lesson-2", "lesson-3", "kampot-roads"]


def test_shared_names_are_shown_and_nothing_unrelated(client) -> None:
    html = client.get("/a/en/lesson-3?ui=en").text
    section = html.split('class="related"', 1)[1].split("</section>", 1)[0]
    assert "Sisters of Code" in section and "Bati" in section
    assert related(client, "postal-rates") == []
    km = client.get("/a/en/lesson-2?ui=km").text
    assert "សេចក្តីប្រកាសពាក់ព័ន្ធ" in km and 'href="/a/en/lesson-1?ui=km"' in km


@pytest.fixture(scope="module")
def two_names(tmp_path_factory):
    """One announcement; another that shares two of its names, far in time; a third
    that shares one of them, the next day; a fourth that shares nothing."""
    texts = {
        "alpha": ("Alpha", "Sisters of Code met teachers in Takeo province.", "2025-05-10"),
        "beta": ("Beta", "Sisters of Code trained girls in Takeo province.", "2025-01-02"),
        "gamma": ("Gamma", "Sisters of Code held a coding club online.", "2025-05-11"),
        "delta": ("Delta", "Cambodia Post publishes its rates for parcels.", "2025-05-12"),
    }
    files = {
        f"en/{slug}": f"---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"
        for slug, (title, body, date) in texts.items()
    }
    return create_app({"INDEX_DIR": index_written(tmp_path_factory, files)}).test_client()


def test_names_in_common_add_up(two_names) -> None:
    """(mutant ``related._compute`` 38: a shared name's weight replacing, not adding to,
    the others'.) Beta shares the organisation and the province with Alpha, Gamma only
    the organisation: Beta first, though Gamma is nearer in time. By hand, with 4 live
    announcements, a value held by k others weighs ln(4 / (k + 1)) + 1: Beta
    (ln 4/3 + 1) + (ln 4/2 + 1) = 2.98, Gamma ln 4/3 + 1 = 1.29."""
    assert related(two_names, "alpha") == ["beta", "gamma"]
