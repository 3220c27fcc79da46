"""Front-matter dates as sites write them → a :class:`datetime.date`. Pure.

Read: YAML dates and date-times; ISO 8601 dates and date-times (a zone is allowed and
the date is the one written, the publisher's own calendar day); ``DD/MM/YYYY`` and
``MM/DD/YYYY`` (also with ``-`` or ``.``); ``26 November 2020``, ``Nov 26, 2020``, and
the same with ``-``, ``/`` or ``.`` between the parts (``26-Nov-2020``, registers' style);
Khmer ``ថ្ងៃទី២៦ ខែវិច្ឆិកា ឆ្នាំ២០២០``; Khmer digits anywhere.

Why a small parser and not ``dateparser``: a front-matter date must parse the same way
on every run and every machine. ``dateparser`` guesses (relative dates such as
"yesterday", the current date filling a missing year, settings that change its
reading of ``03/04/2020``) and loads hundreds of locale files; here a date is either
read exactly, or refused with the reason, and a day-month order that the text cannot
tell is decided by the content root (a setting, or its own unambiguous dates), never
by a default.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from indexer import khmer

Order = Literal["DMY", "MDY"]
ORDERS: tuple[Order, ...] = ("DMY", "MDY")

# The front-matter names static-site generators give the publication date, in the
# order they are tried (Hugo and Jekyll: date; Astro: pubDate; others: publishDate…).
DATE_FIELDS = ("date", "pubDate", "publishDate", "published")

# Month names: English (full and three-letter) and Khmer (the solar calendar's names).
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_KM = (
    "មករា",
    "កុម្ភៈ",
    "មីនា",
    "មេសា",
    "ឧសភា",
    "មិថុនា",
    "កក្កដា",
    "សីហា",
    "កញ្ញា",
    "តុលា",
    "វិច្ឆិកា",
    "ធ្នូ",
)
_MONTH_NUMBER = {
    **{name.lower(): i for i, name in enumerate(MONTHS_EN, 1)},
    **{name[:3].lower(): i for i, name in enumerate(MONTHS_EN, 1)},
    "sept": 9,
    **{name: i for i, name in enumerate(MONTHS_KM, 1)},
    "កុម្ភះ": 2,  # written with reahmuk (ះ) for yuukaleapintu (ៈ), as sites often do
}
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_MONTH = "|".join(sorted(map(re.escape, _MONTH_NUMBER), key=len, reverse=True))

_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_ZONE = r"\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT|ICT)?"
_DAY_MONTH_YEAR = re.compile(
    rf"(?:ថ្ងៃ[{khmer.WORD_CHARS}]*\s*)?(?:ទី\s*)?(\d{{1,2}})(?:st|nd|rd|th)?[\s/.-]*(?:ខែ\s*)?({_MONTH})\.?,?[\s/.-]*"
    rf"(?:ឆ្នាំ\s*)?(\d{{4}})",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"({_MONTH})\.?[\s/.-]+(\d{{1,2}})(?:st|nd|rd|th)?,?[\s/.-]+(\d{{4}})", re.IGNORECASE
)
# a time after the date: "11/26/2020 10:30", "November 26, 2020 at 9:00 AM"
_TIME = r"(?:\s*(?:,|at|ម៉ោង)?\s*\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?\s*(?:[AaPp]\.?[Mm]\.?)?)?"


class DateError(ValueError):
    """A date that cannot be read; the message says what was expected."""


class AmbiguousDate(DateError):
    """Both parts ≤ 12 and no order known: ``03/04/2020``."""


def normalise(text: str) -> str:
    """Khmer digits as ASCII, runs of spaces as one, ends trimmed."""
    return " ".join(text.translate(_KHMER_DIGITS).split())


def parse(value: object, order: Order | None = None) -> dt.date:
    """One front-matter value → its date; :class:`DateError` says why not.

    ``order`` decides ``DD/MM`` against ``MM/DD`` when both parts are 12 or less;
    without it such a date raises :class:`AmbiguousDate`.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError(f"unparseable date {value!r} (expected a date such as 2024-03-05)")
    text = normalise(value)
    try:
        return _parse_text(text, order)
    except ValueError as exc:  # a day or month out of range: 2024-02-30, 31/04/2024
        if isinstance(exc, DateError):
            raise
        raise DateError(f"impossible date {value!r} ({exc})") from None


def _parse_text(text: str, order: Order | None) -> dt.date:
    if m := re.fullmatch(_ISO.pattern + _ZONE, text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(_NUMERIC.pattern + _TIME + _ZONE, text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        return _numeric(first, second, year, order, text)
    if m := re.fullmatch(_DAY_MONTH_YEAR.pattern + _TIME + _ZONE, text, re.IGNORECASE):
        return dt.date(int(m[3]), _MONTH_NUMBER[m[2].lower()], int(m[1]))
    if m := re.fullmatch(_MONTH_DAY_YEAR.pattern + _TIME + _ZONE, text, re.IGNORECASE):
        return dt.date(int(m[3]), _MONTH_NUMBER[m[1].lower()], int(m[2]))
    raise DateError(
        f"unparseable date {text!r} (expected e.g. 2024-03-05, 05/03/2024, 5 March 2024)"
    )


def _numeric(first: int, second: int, year: int, order: Order | None, text: str) -> dt.date:
    seen = vote(first, second)
    if seen is None and order is None:
        raise AmbiguousDate(
            f"ambiguous date {text!r}: day/month or month/day? set date_order "
            "(DMY or MDY) in the root's publisher.yaml"
        )
    if (seen or order) == "MDY":
        return dt.date(year, first, second)
    return dt.date(year, second, first)


def vote(first: int, second: int) -> Order | None:
    """The order a ``first/second/year`` date proves: 26/11 is DMY, 11/26 MDY, 03/04 none."""
    if first > 12 >= second:
        return "DMY"
    if second > 12 >= first:
        return "MDY"
    return None


# A front-matter date line of a numeric date, read from a file's first bytes.
_HEAD_DATE = re.compile(
    rf"^(?:{'|'.join(DATE_FIELDS)})\s*:\s*['\"]?([0-9០-៩]{{1,2}})[/.-]([0-9០-៩]{{1,2}})[/.-][0-9០-៩]{{4}}",
    re.MULTILINE,
)


def head_votes(head: str) -> tuple[int, Order | None]:
    """In the first lines of a file: (1 if it has a numeric day/month date, its vote)."""
    m = _HEAD_DATE.search(head)
    if m is None:
        return 0, None
    first, second = (int(g.translate(_KHMER_DIGITS)) for g in m.groups())
    return 1, vote(first, second)


def decide(votes: Iterable[Order | None]) -> Order | None:
    """The order most of a root's unambiguous dates show; None when none shows one."""
    counts = Counter(v for v in votes if v is not None)
    if not counts:
        return None
    (best, n), *rest = counts.most_common()
    return None if rest and rest[0][1] == n else best
