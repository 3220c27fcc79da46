"""Atom 1.0 feeds (RFC 4287) through an XML serialiser (ElementTree), never a string
template: every text and attribute is escaped by construction, and characters XML 1.0
cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF) are dropped first.
Pure: the views gather the entries, with their links already absolute; this writes them.

An entry carries the announcement's summary (its ``description``; the start of its text
when it has none), never its title again, and its publisher as the author.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# XML 1.0's Char production, negated: what no XML document may hold, even escaped
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ET.register_namespace("", NS)


@dataclass(frozen=True)
class Entry:
    id: str  # a stable IRI: the version's canonical URL
    link: str  # the page to read it on (in the reader's interface language)
    title: str
    lang: str
    date: str  # ISO day
    summary: str
    author: str  # the publisher; empty: the feed's author stands


def clean(text: str) -> str:
    """``text`` with the characters XML cannot hold left out."""
    return NOT_XML.sub("", text)


def feed(
    *,
    id: str,
    title: str,
    lang: str,
    self_url: str,
    page_url: str,
    author: str,
    entries: Iterable[Entry],
    updated: str,
) -> bytes:
    """The feed as UTF-8 XML with its declaration; ``updated`` is the day used when
    there is no entry."""
    entries = list(entries)
    root = ET.Element(f"{{{NS}}}feed", {XML_LANG: clean(lang)})
    _el(root, "id", id)
    _el(root, "title", title)
    _el(root, "updated", _stamp(max((e.date for e in entries), default=updated)))
    _el(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _el(root, "link", rel="alternate", type="text/html", href=page_url)
    _el(_el(root, "author"), "name", author)
    for e in entries:
        entry = _el(root, "entry", **{XML_LANG: e.lang})
        _el(entry, "id", e.id)
        _el(entry, "title", e.title)
        _el(entry, "link", rel="alternate", type="text/html", hreflang=e.lang, href=e.link)
        _el(entry, "updated", _stamp(e.date))
        _el(entry, "published", _stamp(e.date))
        if e.author:
            _el(_el(entry, "author"), "name", e.author)
        _el(entry, "summary", e.summary, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: clean(v) for k, v in attrs.items()})
    element.text = clean(text) if text is not None else None
    return element


def _stamp(day: str) -> str:
    return f"{clean(day)}T00:00:00Z"
