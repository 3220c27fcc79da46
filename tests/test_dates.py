"""Dates as sites write them (indexer/dates.py), and whole sites indexed by their own
date format: month-first, day-first, drafts, a root where most files fail."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from indexer import dates
from indexer.documents import BadFile, Draft, parse_announcement
from tests.conftest import cli

D = dt.date


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2020-11-26", D(2020, 11, 26)),
        ("2020-11-26T23:30:00+07:00", D(2020, 11, 26)),  # the publisher's own day
        ("2020-11-26T23:30:00Z", D(2020, 11, 26)),
        ("2020-11-26 08:00", D(2020, 11, 26)),
        ("2020-1-6", D(2020, 1, 6)),
        ("11/26/2020", D(2020, 11, 26)),  # a part > 12 decides
        ("26/11/2020", D(2020, 11, 26)),
        ("26.11.2020", D(2020, 11, 26)),
        ("11/26/2020 10:30 AM", D(2020, 11, 26)),
        ("26 November 2020", D(2020, 11, 26)),
        ("26th Nov 2020", D(2020, 11, 26)),
        ("November 26, 2020", D(2020, 11, 26)),
        ("Sept 3, 2021", D(2021, 9, 3)),
        # a regulator's register style: the parts joined by - / or .
        ("14-Nov-2026", D(2026, 11, 14)),
        ("14/Nov/2026", D(2026, 11, 14)),
        ("5.March.2024", D(2024, 3, 5)),
        ("Nov-14-2026", D(2026, 11, 14)),
        ("ថ្ងៃទី២៦ ខែវិច្ឆិកា ឆ្នាំ២០២០", D(2020, 11, 26)),
        ("ថ្ងៃព្រហស្បតិ៍ ទី២៦ ខែវិច្ឆិកា ឆ្នាំ២០២០", D(2020, 11, 26)),
        ("២៦ វិច្ឆិកា ២០២០", D(2020, 11, 26)),
        ("៥ កុម្ភៈ ២០២៤", D(2024, 2, 5)),
        ("២០២៤-០២-០៥", D(2024, 2, 5)),
        ("២៦/១១/២០២០", D(2020, 11, 26)),
    ],
)
def test_written_dates(written: str, expected: dt.date) -> None:
    assert dates.parse(written) == expected


def test_yaml_dates_pass_through() -> None:
    assert dates.parse(D(2020, 11, 26)) == D(2020, 11, 26)
    aware = dt.datetime(2020, 11, 26, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert dates.parse(aware) == D(2020, 11, 26)


def test_ambiguous_day_month_needs_an_order() -> None:
    with pytest.raises(dates.AmbiguousDate, match="date_order"):
        dates.parse("03/04/2020")
    assert dates.parse("03/04/2020", "MDY") == D(2020, 3, 4)
    assert dates.parse("03/04/2020", "DMY") == D(2020, 4, 3)
    # a part > 12 wins over the setting: the text cannot mean anything else
    assert dates.parse("11/26/2020", "DMY") == D(2020, 11, 26)


@pytest.mark.parametrize("bad", ["next week", "2020-13-01", "31/04/2020", "32 May 2020", "", 7])
def test_bad_dates_are_refused_with_the_reason(bad: object) -> None:
    with pytest.raises(dates.DateError):
        dates.parse(bad)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (7, "unparseable date 7 (expected a date such as 2024-03-05)"),
        (
            "next week",
            "unparseable date 'next week' (expected e.g. 2024-03-05, 05/03/2024, 5 March 2024)",
        ),
        ("2024-02-30", "impossible date '2024-02-30' (day is out of range for month)"),
        ("31/04/2020", "impossible date '31/04/2020' (day is out of range for month)"),
        (
            "03/04/2020",
            "ambiguous date '03/04/2020': day/month or month/day? set date_order (DMY or MDY) "
            "in the root's publisher.yaml",
        ),
    ],
)
def test_a_bad_date_s_message_says_what_is_wrong(bad: object, message: str) -> None:
    with pytest.raises(dates.DateError) as refused:
        dates.parse(bad)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("first", "second", "order"),
    [
        (13, 12, "DMY"),  # a part over 12 is a day; the other, at most 12, a month
        (13, 1, "DMY"),
        (12, 13, "MDY"),
        (1, 13, "MDY"),
        (12, 12, None),  # 12 is a month as much as a day
        (12, 5, None),
        (5, 12, None),
        (13, 13, None),  # no month at all: proves no order
        (31, 31, None),
    ],
)
def test_a_vote_at_the_boundary_of_12(first: int, second: int, order: str | None) -> None:
    assert dates.vote(first, second) == order


def test_votes_and_decision() -> None:
    assert dates.vote(11, 26) == "MDY" and dates.vote(26, 11) == "DMY"
    assert dates.vote(3, 4) is None
    assert dates.decide(["MDY", None, "MDY", "DMY"]) == "MDY"
    assert dates.decide([None, None]) is None
    assert dates.decide(["MDY", "DMY"]) is None  # a tie decides nothing
    assert dates.head_votes("---\ntitle: x\npubDate: '11/26/2020'\n---") == (1, "MDY")
    assert dates.head_votes("---\ndate: 2020-11-26\n---") == (0, None)


@pytest.mark.parametrize("name", ["date", "pubDate", "publishDate", "published"])
def test_front_matter_names(name: str) -> None:
    raw = f"---\ntitle: T\n{name}: 2021-05-04\n---\nbody\n".encode()
    doc = parse_announcement(raw, path="x.md", slug="x", lang="en")
    assert doc.date == D(2021, 5, 4)


def test_draft_is_its_own_error() -> None:
    raw = b"---\ntitle: T\ndate: 2021-05-04\ndraft: true\n---\nbody\n"
    with pytest.raises(Draft):
        parse_announcement(raw, path="x.md", slug="x", lang="en")
    published = raw.replace(b"draft: true", b"draft: false")
    assert parse_announcement(published, path="x.md", slug="x", lang="en").title == "T"
    assert issubclass(Draft, BadFile)


def _site(root: Path, written: list[str], *, draft: int | None = None) -> None:
    """A CMS export: every date written month first, in quotes as such sites do."""
    for lang in ("en", "km"):
        (root / lang).mkdir(parents=True)
        for i, date in enumerate(written, 1):
            title = f"Notice {i}" if lang == "en" else f"សេចក្តីជូនដំណឹង {i}"
            extra = "draft: true\n" if i == draft else ""
            text = f'---\ntitle: "{title}"\ndate: "{date}"\n{extra}---\nBody {i}.\n'
            (root / lang / f"{i}-post.md").write_text(text, "utf-8")


def _stored_dates(index_dir: Path) -> dict[str, dt.date]:
    from indexer import store

    ix, _ = store.open_index(index_dir)
    with ix.searcher() as s:
        return {f["id"]: f["date"].date() for f in s.all_stored_fields()}


def test_a_month_first_site_is_indexed_whole(tmp_path: Path) -> None:
    """11/26/2020 says month first; 03/04/2021 then reads as 4 March, by the root's own dates."""
    site = tmp_path / "site"
    _site(site, ["11/26/2020", "03/04/2021", "12/31/2021", "01/02/2022"])
    result = cli("index", "--content", site, "--index", tmp_path / "ix", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["indexed"] == 8 and report["skipped"] == [] and report["warnings"] == []
    stored = _stored_dates(tmp_path / "ix")
    assert stored["en/1-post"] == D(2020, 11, 26)
    assert stored["en/2-post"] == stored["km/2-post"] == D(2021, 3, 4)
    assert stored["en/4-post"] == D(2022, 1, 2)


def test_a_day_first_setting_beats_nothing_to_vote_on(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _site(site, ["03/04/2021", "01/02/2022"])
    result = cli("index", "--content", site, "--index", tmp_path / "ix", "--json")
    assert result.returncode == 1  # nothing tells the order: every file says why
    report = json.loads(result.stdout)
    assert {s["reason"].split(":")[0] for s in report["skipped"]} == {
        "ambiguous date '03/04/2021'",
        "ambiguous date '01/02/2022'",
    }
    assert report["warnings"] == [
        f"WARNING: {site}: 4 of 4 files could not be indexed; see the skipped list"
    ]
    assert f"WARNING: {site}: 4 of 4" in result.stderr.splitlines()[-2]
    (site / "publisher.yaml").write_text(
        "id: ccp\nname: {en: Capital Hall, km: សាលារាជធានី}\ndate_order: DMY\n", "utf-8"
    )
    result = cli("index", "--content", site, "--index", tmp_path / "ix", "--json")
    assert result.returncode == 0, result.stderr
    assert _stored_dates(tmp_path / "ix")["km/1-post"] == D(2021, 4, 3)


def test_drafts_are_reported_not_indexed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _site(site, ["2021-01-05", "2021-01-06"], draft=2)
    result = cli("index", "--content", site, "--index", tmp_path / "ix", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["indexed"] == 2 and report["skipped"] == []
    assert sorted(report["drafts"]) == [str(site / "en/2-post.md"), str(site / "km/2-post.md")]
    assert f"draft, not indexed: {site / 'en/2-post.md'}" in result.stderr
    assert sorted(_stored_dates(tmp_path / "ix")) == ["en/1-post", "km/1-post"]
    # a published file later marked draft leaves the index
    path = site / "en" / "1-post.md"
    path.write_text(path.read_text("utf-8").replace("---\nBody", "draft: true\n---\nBody"))
    result = cli("index", "--content", site, "--index", tmp_path / "ix", "--json")
    assert json.loads(result.stdout)["deleted"] == 1
    assert sorted(_stored_dates(tmp_path / "ix")) == ["km/1-post"]
