"""The interface in English and Khmer: gettext catalogues (Flask-Babel) and CLDR (Babel).

The interface language is the reader's choice (``?ui=km``, remembered in a cookie;
on a first visit the browser's ``Accept-Language``);
it is independent of the announcements' language, which is a facet. Words come from
the catalogue ``translations/km/LC_MESSAGES/messages.po`` (English is the source
language, so English needs no catalogue); dates and month names from CLDR. CLDR's
``km`` locale writes Latin digits by default (its native system, ``khmr``, is only an
alternative), while Cambodian print uses Khmer digits, so the Khmer interface turns
every digit it shows into a Khmer one.

The ``.po`` is the source; its compiled ``.mo`` is built when the app starts
(:func:`compile_catalogues`, into the cache directory), never committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Literal

from babel import Locale, numbers
from babel import dates as cldr
from babel.core import get_global
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from indexer import caches, languages
from indexer.khmer import KHMER_DIGIT_TABLE

# The interface languages, their CLDR locales (British English for day-month-year
# order, as the ministry writes dates in both languages) and names: rows of the one
# languages table (indexer/languages.py); the first interface row is the default.
UI_LANGS = tuple(row.code for row in languages.TABLE if row.interface)
DEFAULT_UI = UI_LANGS[0]
TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "messages"
CLDR_LOCALE = {row.code: row.cldr for row in languages.TABLE if row.interface}
TO_KHMER_DIGITS = {latin: khmer for khmer, latin in KHMER_DIGIT_TABLE.items()}

# The two ends of a date range: filters, not facets (the facets' own labels, in both
# languages, are the facet table's: indexer/facets.py).
RANGE_LABELS = {"from": _l("From"), "to": _l("To")}


def _language_name(row: languages.Language) -> LazyString:
    """A language's name in the interface language of the request, when it is shown."""

    def text() -> str:
        ui = ui_language() if has_request_context() else DEFAULT_UI
        return row.names.get(ui, row.code)

    return LazyString(text)


LANGUAGE_NAMES = {row.code: _language_name(row) for row in languages.TABLE}


def ui_language() -> str:
    """The interface language of this request: ``?ui=``, else the cookie, else the
    browser's ``Accept-Language`` (a first visit), else English."""
    chosen = request.args.get("ui") or request.cookies.get("ui") or ""
    if chosen in UI_LANGS:
        return chosen
    return request.accept_languages.best_match(UI_LANGS, DEFAULT_UI)


def og_locale(lang: str) -> str:
    """The language_TERRITORY OpenGraph names a locale by: the interface's CLDR locale
    (``en_GB``), given CLDR's likely territory when it has none (``km`` → ``km_KH``)."""
    locale = Locale.parse(CLDR_LOCALE.get(lang, lang))
    if not locale.territory:
        locale = Locale.parse(get_global("likely_subtags").get(locale.language, lang))
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def digits(value: object, ui: str) -> str:
    """``value`` as text, its digits in the interface's script."""
    text = str(value)
    return text.translate(TO_KHMER_DIGITS) if ui == "km" else text


@caches.lru(4096, "a count in CLDR's digits: Babel takes 40 µs, a page shows a hundred")
def number(value: int, ui: str) -> str:
    """A count as CLDR groups it in the locale's native digits (1,234 / ១.២៣៤); kept,
    as a page shows a hundred counts and Babel formats one in 40 µs."""
    locale = Locale.parse(CLDR_LOCALE[ui])
    native = locale.other_numbering_systems.get("native", locale.default_numbering_system)
    return digits(numbers.format_decimal(value, locale=locale, numbering_system=native), ui)


def date(
    value: str | dt.date, ui: str, width: Literal["full", "long", "medium", "short"] = "long"
) -> str:
    """A day as CLDR writes it in the interface language (22 July 2025 / ២២ កក្កដា ២០២៥)."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return digits(cldr.format_date(day, width, locale=CLDR_LOCALE[ui]), ui)


def month_name(
    month: int | str, ui: str, width: Literal["abbreviated", "narrow", "wide"] = "wide"
) -> str:
    """CLDR's name of a month (1–12) in the interface language."""
    return cldr.get_month_names(width, locale=CLDR_LOCALE[ui])[int(month)]


def month_year(month: int | str, year: int | str, ui: str) -> str:
    """A month of a year (July 2025 / កក្កដា ២០២៥), CLDR's pattern."""
    day = dt.date(int(year), int(month), 1)
    return digits(cldr.format_skeleton("yMMMM", day, locale=CLDR_LOCALE[ui]), ui)


def one_of(items: tuple[str, ...] | list[str]) -> LazyString:
    """ "a, b or c" as CLDR writes it in the interface language, when it is shown."""

    def text() -> str:
        ui = ui_language() if has_request_context() else DEFAULT_UI
        return format_list(list(items), style="or", locale=CLDR_LOCALE[ui])

    return LazyString(text)


def compile_catalogues(target: Path) -> Path:
    """Compile every ``.po`` under :data:`TRANSLATIONS` to a ``.mo`` under ``target``.

    Done at start so that no built binary is committed; a catalogue already compiled
    from the same ``.po`` is kept. Each file is written to a temporary name and renamed,
    so workers starting together never read half a file. Returns ``target``.
    """
    for po in sorted(TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        source = po.read_bytes()
        mo = target / po.relative_to(TRANSLATIONS).with_suffix(".mo")
        stamp = mo.with_suffix(".sha256")
        digest = hashlib.sha256(source).hexdigest()
        if mo.exists() and stamp.exists() and stamp.read_text() == digest:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parents[1].name, domain=DOMAIN)
        with tempfile.NamedTemporaryFile(dir=mo.parent, delete=False) as out:
            write_mo(out, catalog)
        os.replace(out.name, mo)
        stamp.write_text(digest)
    return target
