"""The Khmer interface: a complete catalogue, CLDR dates in Khmer digits, and pages whose
every interface word is Khmer.

The catalogue is checked against the source itself: messages are extracted from
``webapp/`` with Babel's extractor and the project's ``babel.cfg`` (as ``pybabel extract``
does), so a message added anywhere without a Khmer translation fails here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.conftest import PROJECT
from webapp import create_app, i18n

PO = PROJECT / "webapp" / "translations" / "km" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    **{"_": None, "gettext": None, "ngettext": (1, 2)},
    **{"_l": None, "lazy_gettext": None, "_ln": (1, 2), "lazy_ngettext": (1, 2)},
}


def extracted() -> dict[str, str]:
    """msgid → where it is used, for every message of the source."""
    with (PROJECT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    out: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        out.setdefault(key, f"{filename}:{lineno}")
    return out


def catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="km")


def test_every_message_of_the_source_has_a_khmer_translation() -> None:
    messages = extracted()
    assert len(messages) > 80  # the extractor really read the templates and modules
    cat = catalogue()
    missing = []
    for msgid, where in messages.items():
        entry = cat.get(msgid)
        if entry is None:
            missing.append(f"{where}: {msgid!r}")
            continue
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if entry.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "no Khmer translation for:\n" + "\n".join(missing)
    stale = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id)
    stale = [m for m in stale if m not in messages]
    assert not stale, f"translations of messages the source no longer has: {stale}"


def test_translations_keep_every_placeholder() -> None:
    for message in catalogue():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(re.findall(r"%\(\w+\)s", ids[-1]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)s", s)) == wanted, (message.id, s)
            assert not re.search(r"[A-Za-z]", _unquoted(re.sub(r"%\(\w+\)s", "", s))), s


def test_dates_and_numbers_from_cldr_in_khmer_digits() -> None:
    assert i18n.date("2025-07-22", "en") == "22 July 2025"
    assert i18n.date("2025-07-22", "km") == "២២ កក្កដា ២០២៥"
    assert i18n.month_name(11, "km") == "វិច្ឆិកា"
    assert i18n.month_year(7, 2025, "km") == "កក្កដា ២០២៥"
    assert i18n.number(1234, "en") == "1,234"
    assert i18n.number(1234, "km") == "១.២៣៤"  # CLDR km groups with a full stop


def test_catalogue_is_compiled_at_start_not_committed(tmp_path: Path) -> None:
    assert not list((PROJECT / "webapp" / "translations").rglob("*.mo"))
    out = i18n.compile_catalogues(tmp_path)
    mo = out / "km" / "LC_MESSAGES" / "messages.mo"
    first = mo.stat().st_mtime_ns
    i18n.compile_catalogues(tmp_path)  # unchanged .po: kept as it is
    assert mo.stat().st_mtime_ns == first


# --- pages: no English word in the Khmer interface -------------------------------------------

# Text that is not the interface's own: announcements (marked data-source), names and
# codes kept as written (lang="en", translate="no", <code>).
QUOTED = re.compile(r"“[^”]*”")


def _unquoted(text: str) -> str:
    """Without “quoted” parts: a parameter, a value someone typed, verbatim."""
    return QUOTED.sub("", text)


class InterfaceText(HTMLParser):
    """Collects the text and labels that the page itself says in its language."""

    SKIP = frozenset({"script", "style", "code"})
    LABELS = ("aria-label", "title", "alt", "placeholder")
    VOID = frozenset({"meta", "link", "input", "img", "br", "hr", "source", "rect"})

    def __init__(self, ui: str) -> None:
        super().__init__()
        self.ui = ui
        self.stack: list[tuple[str, bool]] = []  # (tag, counts)
        self.texts: list[str] = []
        self.title = ""  # the document title: an announcement's or query's words and ours

    def _counts(self) -> bool:
        return not self.stack or self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        counts = self._counts()
        if "lang" in a:  # interface text may stand inside an announcement's, marked lang
            counts = a["lang"] == self.ui
        if tag in self.SKIP or a.get("translate") == "no" or "data-source" in a:
            counts = False
        if counts:
            self.texts += [a[k] for k in self.LABELS if a.get(k)]
        if tag not in self.VOID:
            self.stack.append((tag, counts))

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "title":
            self.title += data
        elif self._counts() and data.strip():
            self.texts.append(data.strip())


def english_in(html: str, query: str = "") -> list[str]:
    """Every piece of interface text that has a Latin letter (quotes and the query aside)."""
    parser = InterfaceText("km")
    parser.feed(html)
    out = []
    for text in parser.texts:
        rest = _unquoted(text.replace(query, "") if query else text)
        if re.search(r"[A-Za-z]", rest):
            out.append(text)
    return out


def catalogue_english_in(html: str) -> list[str]:
    """Source messages (English) that appear in the page as they are: untranslated."""
    parser = InterfaceText("km")
    parser.feed(html)
    said = "\n".join([*parser.texts, parser.title.rsplit(" – ", 1)[-1]])  # ours, after the dash
    found = []
    for msgid in extracted():
        for piece in re.split(r"%\(\w+\)s", _unquoted(msgid)):
            piece = piece.strip(" .:()")
            if len(piece) >= 4 and re.search(r"[A-Za-z]{3}", piece) and piece in said:
                found.append(piece)
    return found


@pytest.fixture(scope="module")
def client(content_index: Path):
    return create_app({"INDEX_DIR": content_index}).test_client()


def _khmer_pages(client) -> dict[str, tuple[int, str, str]]:
    """name → (status, html, query) for the pages of the Khmer interface."""
    client.set_cookie("ui", "km")
    results = client.get("/search?q=Takeo")
    first = re.search(r'href="(/a/[^"?]+)[^"]*"', results.get_data(as_text=True))
    assert first, "a result links to its announcement"
    pages = {
        "landing": ("/", ""),
        "results": ("/search?q=Takeo", "Takeo"),
        "filtered": ("/search?province=Takeo&year=2025&lang=en", ""),
        "range": ("/search?from=2025-01-01&to=2025-12-31", ""),
        "no results": ("/search?q=qqqzzzxx", "qqqzzzxx"),
        "article": (first.group(1) + "?q=Takeo", ""),
        "help": ("/help", ""),
        "400": ("/search?q=Takeo&year=twenty", "Takeo"),
        "400 page": ("/search?page=500", ""),
        "404": ("/a/en/no-such-announcement", ""),
    }
    out = {}
    for name, (url, query) in pages.items():
        r = client.get(url)
        out[name] = (r.status_code, r.get_data(as_text=True), query)
    return out


def test_khmer_interface_pages_have_no_english_interface_text(client, tmp_path: Path) -> None:
    pages = _khmer_pages(client)
    missing_index = create_app({"INDEX_DIR": tmp_path / "no-index", "WARM": False}).test_client()
    missing_index.set_cookie("ui", "km")
    r = missing_index.get("/search?q=Takeo")
    pages["503"] = (r.status_code, r.get_data(as_text=True), "Takeo")
    statuses = {name: status for name, (status, _, _) in pages.items()}
    assert statuses == {
        **{n: 200 for n in ("landing", "results", "filtered", "range", "no results")},
        **{"article": 200, "help": 200, "400": 400, "400 page": 400, "404": 404, "503": 503},
    }
    for name, (_, html, query) in pages.items():
        assert '<html lang="km">' in html, name
        assert not english_in(html, query), (name, english_in(html, query))
        assert not catalogue_english_in(html), (name, catalogue_english_in(html))


def test_the_check_finds_english_where_there_is_some(client) -> None:
    """The same check on the English interface finds the catalogue's words: it can fail."""
    client.set_cookie("ui", "en")
    html = client.get("/search?q=Takeo").get_data(as_text=True)
    parser = InterfaceText("en")
    parser.feed(html)
    assert "Filters" in parser.texts and "Sort by" in parser.texts
    km = html.replace('<html lang="en">', '<html lang="km">')
    assert "Filters" in english_in(km)
    assert "Search announcements" in catalogue_english_in(km)
