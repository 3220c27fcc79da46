"""The languages table: every fact about a language of the announcements, in one row.

A content folder may be called by a row's ``code`` (``content/km/…``); an
announcement's id, its ``lang`` facet and the interface's ``?ui=`` use the same code.
The web app's interface, its CLDR locale and the language's name in each interface
come from the same row (``webapp/i18n.py`` iterates this table; it keeps no list of
its own). Which version an announcement's other versions take their Latin spelling
of people's names from is a column too (``latin``), not a language named in code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str  # the content folder's name, the ``lang`` of ids, facets and ``?ui=``
    names: Mapping[str, str]  # its name in each interface language
    cldr: str  # the CLDR locale an interface in it formats dates and numbers with
    # written in the Latin script: a version in a language that is not takes the Latin
    # spelling of the people it names from the announcement's first version (in table
    # order) that is, so every version of it lands under one facet value
    latin: bool
    interface: bool = True  # the web app's interface is offered in it (a catalogue exists)


TABLE: tuple[Language, ...] = (
    Language("en", {"en": "English", "km": "អង់គ្លេស"}, cldr="en_GB", latin=True),
    Language("km", {"en": "Khmer", "km": "ខ្មែរ"}, cldr="km", latin=False),
)

LANGUAGES: tuple[str, ...] = tuple(row.code for row in TABLE)


def row(code: str, table: Sequence[Language] = TABLE) -> Language | None:
    """The row of ``code``, or None for a language the table does not have."""
    return next((r for r in table if r.code == code), None)


def borrow_names_from(
    code: str, present: Iterable[str], table: Sequence[Language] = TABLE
) -> str | None:
    """The version a ``code`` version takes the Latin spelling of names from, among the
    languages ``present`` in one announcement: the first Latin-script row of the table
    present, for a version not written in Latin script; None otherwise."""
    own = row(code, table)
    if own is None or own.latin:
        return None
    have = set(present)
    return next((r.code for r in table if r.latin and r.code in have), None)
