"""Atom documents through an XML serialiser (ElementTree), never a string template: every
text and attribute is escaped by construction, and characters XML 1.0 cannot carry
(control characters, lone surrogates, U+FFFE/U+FFFF) are dropped first. Pure: the
caller passes what the feed says, with its links already absolute."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# XML 1.0's Char production, negated: what no XML document may hold, even escaped
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    link: str  # the announcement's page, also the entry's id
    title: str
    date: str  # YYYY-MM-DD
    summary_html: str
    lang: str


def clean(text: str) -> str:
    """``text`` with the characters XML cannot hold left out."""
    return NOT_XML.sub("", text)


def atom(
    *, self_url: str, page_url: str, title: str, updated: str, lang: str, entries: list[Entry]
) -> bytes:
    """A complete Atom 1.0 document (RFC 4287), UTF-8 with its declaration."""
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: clean(lang)})  # Atom as the default
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    _text(feed, "updated", f"{updated}T00:00:00Z")
    _link(feed, self_url, rel="self", type="application/atom+xml")
    _link(feed, page_url, rel="alternate", type="text/html")
    author = ET.SubElement(feed, "author")
    _text(author, "name", "prakas")
    for e in entries:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", e.link)
        _text(entry, "title", e.title)
        _link(entry, e.link, rel="alternate", type="text/html")
        _text(entry, "updated", f"{e.date}T00:00:00Z")
        _text(entry, "summary", e.summary_html, type="html")
        _text(entry, "content", e.title, type="text", **{XML_LANG: clean(e.lang)})
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = clean(text)
    return element


def _link(parent: ET.Element, href: str, **attrs: str) -> None:
    ET.SubElement(parent, "link", {**attrs, "href": clean(href)})
