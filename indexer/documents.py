"""Announcement files → documents.

Pure functions: bytes in, an :class:`Announcement` (or a :class:`BadFile` error
naming the reason) out. Reading the disk happens in :mod:`indexer.sources`; this
module never touches it, so every repair rule is testable on a string.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import frontmatter
import ftfy
import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from indexer import dates, khmer, safeyaml
from indexer.languages import LANGUAGES

# ftfy repairs mojibake (``Cambodiaâ€™s`` → ``Cambodia’s``) and normalises to NFC.
# Its cosmetic fixes are off: curly quotes, full-width forms and ligatures are what
# the author wrote, and the index must hold the text as published.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    normalization="NFC",
    explain=False,
)

_KHMER = khmer.KHMER_LETTER
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Bytes that Windows-1252 leaves undefined; a stray one means binary, not legacy text.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_MAX_STRAY_BYTES = 8


class BadFile(ValueError):
    """A file that cannot become a document; the message is the reason shown to people."""


class Draft(BadFile):
    """A file its author marked ``draft: true``: not published, so not indexed."""


@dataclass(frozen=True)
class Announcement:
    """One announcement file, repaired and parsed, ready to index."""

    id: str
    lang: str
    slug: str
    title: str
    description: str
    date: dt.date
    author: str
    image: str
    tags: tuple[str, ...]
    body_text: str
    body_markdown: str
    path: str
    content_hash: str
    repairs: tuple[str, ...] = field(default=())
    publisher: str = ""  # the content root's publisher id ("": none)
    publisher_name: tuple[tuple[str, str], ...] = ()  # (language, name)
    # the language the body is written in when it is not ``lang`` (a km/ file whose
    # text is English): a copy, not a translation; "" for a translation
    untranslated: str = ""


# --- bytes → text --------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, list[str]]:
    """Decode a file's bytes as UTF-8, with the repairs real files need.

    A BOM is dropped; UTF-16 with a BOM is accepted; a few stray Windows-1252 bytes in
    otherwise valid UTF-8 (a curly quote pasted from a word processor) are decoded as
    Windows-1252. Anything else that is not UTF-8 is refused: guessing would put
    garbage in the index.
    """
    if not raw:
        raise BadFile("empty file (0 bytes)")
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadFile(f"invalid UTF-16 at byte {exc.start}") from None
        notes.append("decoded from UTF-16")
    elif b"\x00" in raw:
        raise BadFile(f"binary file (NUL byte at offset {raw.index(0)})")
    else:
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
            notes.append("removed byte-order mark")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = _decode_with_stray_cp1252(raw, exc)
            notes.append("decoded stray Windows-1252 bytes")
    text = text.lstrip("\ufeff")
    if _looks_binary(text):
        raise BadFile("binary file (control characters, not text)")
    return text, notes


def _decode_with_stray_cp1252(raw: bytes, first: UnicodeDecodeError) -> str:
    parts: list[str] = []
    pos = stray = 0
    while True:
        try:
            parts.append(raw[pos:].decode("utf-8"))
            return "".join(parts)
        except UnicodeDecodeError as exc:
            start, end = pos + exc.start, pos + exc.end
            chunk = raw[start:end]
            stray += len(chunk)
            if stray > _MAX_STRAY_BYTES or any(b in _CP1252_UNDEFINED for b in chunk):
                raise BadFile(
                    f"invalid UTF-8 at byte {first.start} that cannot be repaired; "
                    "save the file as UTF-8"
                ) from None
            parts.append(raw[pos:start].decode("utf-8"))
            parts.append(chunk.decode("cp1252"))
            pos = end


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    return controls > max(2, len(sample) // 100)


def repair(text: str) -> tuple[str, list[str]]:
    """Fix mojibake, normalise to NFC and to ``\\n`` line ends."""
    notes: list[str] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append("normalised line ends")
    fixed = ftfy.fix_text(text, _FTFY)
    if fixed != unicodedata.normalize("NFC", text):
        notes.append("repaired mojibake")
    return fixed, notes


# --- Markdown → plain text ------------------------------------------------------------

# Block nesting (quotes in lists in quotes…) is capped by markdown-it's ``maxNesting``;
# inline markup is not, and costs markdown-it ~10 µs a mark where plain text costs
# 0.2 µs a character: 200 KB of ``[[[[…``, ``*_*_…`` or ``a * a *…`` took seconds.
# The real corpus has at most 83 marks in a file and no bracket inside another, so a
# file with more marks than MAX_MARKUP, or more brackets open at once in a paragraph
# than MAX_NESTING, is refused by one linear scan (:func:`check_markup`) before the
# parser sees it: at the limits a file parses in a few tenths of a second.
MAX_NESTING = 32
MAX_MARKUP = 10_000
_MD = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table").enable("strikethrough")
_MARKS = re.compile(r"[\[\]()*_~<>`]|\n[ \t]*\n|\n")


def check_markup(markdown: str) -> None:
    """Raise :class:`BadFile` for Markdown whose markup would cost the parser seconds."""
    depth = marks = 0
    line = 1
    for mark in _MARKS.finditer(markdown):
        char = mark.group()
        if char[0] == "\n":  # a blank line ends the paragraph and what it left open
            newlines = char.count("\n")
            line += newlines
            if newlines > 1:
                depth = 0
            continue
        marks += 1
        if marks > MAX_MARKUP:
            raise BadFile(f"more than {MAX_MARKUP:,} Markdown marks ([]()*_~<>`) in the body")
        if char in "[(":
            depth += 1
            if depth > MAX_NESTING:
                raise BadFile(
                    f"Markdown nested more than {MAX_NESTING} brackets deep at body line {line}"
                )
        elif char in "])":
            depth = max(0, depth - 1)


def markdown_to_text(markdown: str) -> str:
    """The words a reader sees: markup, images and raw HTML tags gone, link text and
    the text inside HTML kept (a script's or a style's content is no text).

    Paragraph-like blocks are separated by a blank line so snippets and the Khmer
    segmenter see sentence boundaries. Markdown too costly to parse is refused
    (:func:`check_markup`).
    """
    check_markup(markdown)
    blocks: list[str] = []
    for token in _MD.parse(markdown):
        if token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type in ("fence", "code_block"):
            text = token.content
        elif token.type == "html_block":
            text = html_text(token.content)
        else:
            continue
        text = re.sub(r"[ \t]+", " ", text).strip()
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def html_text(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped (``nh3`` with no tag allowed, which
    also drops a script's and a style's content), entities decoded."""
    return html.unescape(
        nh3.clean(re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", " ", fragment), tags=set())
    )


_HIDDEN_OPEN = re.compile(r"(?i)<(script|style)\b")
_HIDDEN_CLOSE = re.compile(r"(?i)</(script|style)\s*>")


def _inline_text(children: Iterable[Token]) -> str:
    parts: list[str] = []
    hidden = False  # inside an inline <script> or <style>: no text a reader sees
    for child in children:
        if child.type == "html_inline":
            hidden = bool(_HIDDEN_OPEN.match(child.content)) or (
                hidden and not _HIDDEN_CLOSE.match(child.content)
            )
            if re.match(r"(?i)<br\b", child.content):
                parts.append(" ")
        elif hidden:
            continue
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        # image (alt text is "photo 1") and the *_open/_close markers add nothing
    return "".join(parts)


# --- front matter ----------------------------------------------------------------------


def parse_date(value: object, order: dates.Order | None = None) -> dt.date:
    """A front-matter date as sites write it (:mod:`indexer.dates`); else :class:`BadFile`."""
    try:
        return dates.parse(value, order)
    except dates.DateError as exc:
        raise BadFile(str(exc)) from None


def detect_language(text: str) -> str:
    """``km`` when Khmer letters outnumber Latin ones, else ``en``."""
    khmer = len(_KHMER.findall(text))
    latin = len(_LATIN.findall(text))
    return "km" if khmer > latin else "en"


_LETTERS = {"en": _LATIN, "km": _KHMER}  # each language's script
_OWN_SHARE = 0.2  # below this share of its own script's letters, a body is a copy


def written_in(text: str, lang: str) -> str:
    """The language ``text`` is written in, for a file in ``lang``'s folder: ``lang``
    unless under a fifth of its letters are ``lang``'s script (a Khmer page quoting
    English names stays Khmer; a km/ file holding the English text is English)."""
    counts = {code: len(pattern.findall(text)) for code, pattern in _LETTERS.items()}
    total = sum(counts.values())
    if lang not in counts or not total or counts[lang] >= _OWN_SHARE * total:
        return lang
    return max(counts, key=lambda code: counts[code])


def _as_text(value: object, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float | dt.date):
        return str(value).strip()
    raise BadFile(f"front-matter field {name!r} must be text, not {type(value).__name__}")


def _as_tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [t for t in re.split(r"\s*,\s*", value) if t]
    if not isinstance(value, list):
        raise BadFile("front-matter field 'tags' must be a list")
    return tuple(str(t).strip() for t in value if str(t).strip())


_YAML_FRONT_MATTER = frontmatter.YAMLHandler()


def front_matter(text: str) -> tuple[dict[str, object], str]:
    """A file's front-matter fields and its body. The YAML is read by
    :mod:`indexer.safeyaml` (no aliases, bounded nesting); a key that is not a name
    (``2025: budget``, a bare ``?``, a list) and front matter that is not a mapping are
    :class:`BadFile` errors that say so: python-frontmatter itself raised a
    ``TypeError`` on the first and silently dropped the second."""
    text = text.strip()
    if not _YAML_FRONT_MATTER.detect(text):
        return {}, text
    try:
        head, body = _YAML_FRONT_MATTER.split(text)
    except ValueError:  # an opening --- without a closing one: all body, as before
        return {}, text
    try:
        data = safeyaml.load(head)
    except safeyaml.Refused as exc:
        raise BadFile(f"front matter refused: {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 2}" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadFile(f"broken YAML front matter{line}: {problem}") from None
    except ValueError as exc:  # YAML read a timestamp that is no date, e.g. 2023-02-30
        raise BadFile(f"unparseable date in the front matter ({exc})") from None
    if data is None:
        return {}, body.strip()
    if not isinstance(data, dict):
        raise BadFile(f"front matter is a {type(data).__name__}, not a mapping of fields")
    for key in data:
        if not isinstance(key, str):
            raise BadFile(
                f"front-matter key {key!r} is not a field name (a field is written `name: value`)"
            )
    return data, body.strip()


def parse_announcement(
    raw: bytes,
    *,
    path: str,
    slug: str,
    lang: str | None,
    date_order: dates.Order | None = None,
    publisher: str = "",
    publisher_name: tuple[tuple[str, str], ...] = (),
) -> Announcement:
    """Turn one file's bytes into an :class:`Announcement`, or raise :class:`BadFile`
    (:class:`Draft` for a draft).

    ``lang`` comes from the folder (``<root>/<lang>/<slug>.md``); for a flat folder it
    is ``None`` and the front matter's ``lang:`` or the script decides. ``date_order``
    reads ``03/04/2020`` as its root writes dates.
    """
    text, notes = decode(raw)
    text, more = repair(text)
    notes += more
    meta, body = front_matter(text)
    title = _as_text(meta.get("title"), "title")
    if not title:
        raise BadFile("no title in the front matter")
    if meta.get("draft") is True or str(meta.get("draft")).lower() == "true":
        raise Draft("draft: true")
    name = next((n for n in dates.DATE_FIELDS if meta.get(n) not in (None, "")), None)
    if name is None:
        raise BadFile(f"no date in the front matter ({', '.join(dates.DATE_FIELDS)})")
    date = parse_date(meta[name], date_order)
    body_markdown = body
    body_text = markdown_to_text(body_markdown)
    front_lang = _as_text(meta.get("lang"), "lang").lower() or None
    language = lang or front_lang or detect_language(f"{title}\n{body_text}")
    if language not in LANGUAGES:
        raise BadFile(f"unknown language {language!r} (expected one of {', '.join(LANGUAGES)})")
    written = written_in(body_text, language)
    return Announcement(
        id=version_id(language, slug),
        lang=language,
        slug=slug,
        title=title,
        description=_as_text(meta.get("description"), "description"),
        date=date,
        author=_as_text(meta.get("author"), "author"),
        image=_as_text(meta.get("image"), "image"),
        tags=_as_tags(meta.get("tags")),
        body_text=body_text,
        body_markdown=body_markdown,
        path=path,
        content_hash=hashlib.sha256(raw).hexdigest(),
        repairs=tuple(notes),
        publisher=publisher,
        publisher_name=publisher_name,
        untranslated="" if written == language else written,
    )


def version_id(lang: str, slug: str) -> str:
    """The id of one version of an announcement: ``km/2025-ctc-kandal``. Every id is
    made here and read back by :func:`slug_of`; nothing else spells the format."""
    return f"{lang}/{slug}"


def slug_of(doc_id: str) -> str:
    """The announcement (slug) a version id belongs to: the inverse of :func:`version_id`."""
    return doc_id.split("/", 1)[-1]
