"""The Whoosh schema: what the index holds for each announcement, and why.

Text fields are analysed for both scripts (:mod:`indexer.analysis`); ``content_kc``
holds pairs of Khmer clusters, the recall net. Entity fields hold canonical values, one per line,
for facets and filters. Display fields are stored so a result page never reads files.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, IDLIST, NUMERIC, STORED, TEXT, Schema

from indexer import analysis, khmer
from indexer.analysis import khmer_cluster_analyzer, text_analyzer, word_analyzer
from indexer.entities import data_version
from indexer.facets import DATE_FACETS, ENTITY_FACETS

# The fields a search's words are matched in (the parser's, and those the indexer keeps a
# numpy copy of: :mod:`indexer.postings`); the web app weighs them (``FIELD_BOOSTS``).
SEARCHED = ("title", "content", "content_kc")


def _entity_field() -> TEXT:
    """One value per line, matched whole and without case: province:takeo works."""
    return TEXT(analyzer=RegexTokenizer(r"[^\n]+") | LowercaseFilter(), stored=True, phrase=False)


def build_schema() -> Schema:
    text = text_analyzer()
    clusters = khmer_cluster_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        lang=ID(stored=True),
        # a column: the search groups a slug's versions into one announcement
        slug=ID(stored=True, sortable=True),
        title=TEXT(analyzer=text, stored=True, multitoken_query="phrase"),
        # One searchable field for everything a reader sees (title, summary, body) and
        # the canonical names of its entities: a word is one term to look up, not four.
        content=TEXT(analyzer=text, multitoken_query="phrase"),
        description=STORED,
        body=STORED,
        # The vocabulary "did you mean" draws on: unstemmed words of titles and summaries
        # (a second pass over every body cost a fifth of the build time).
        words=TEXT(analyzer=word_analyzer(), phrase=False),
        content_kc=TEXT(analyzer=clusters, phrase=False, multitoken_query="and"),
        date=DATETIME(stored=True, sortable=True),
        author=ID(stored=True),
        tags=_entity_field(),
        image=STORED,
        body_markdown=STORED,
        path=ID(stored=True),
        content_hash=STORED,
        # a version whose text is in another language than its folder's: that language;
        # indexed so a search reads the flags of a generation at once, as a column
        untranslated=ID(stored=True),
        # each entity facet: its values one per line, matched whole and without case
        # (``province:takeo``), and an exact copy the facet counts read as a column
        **{f.field: _entity_field() for f in ENTITY_FACETS},
        **{f.column: IDLIST(expression=r"[^\n]+") for f in ENTITY_FACETS},
        # each date facet: its number (``year:2024``), as wide as its bounds need
        **{f.field: NUMERIC(int, bits=_bits(f.bounds), stored=True) for f in DATE_FACETS},
    )


def _bits(bounds: tuple[int, int]) -> int:
    """The narrowest signed width Whoosh's NUMERIC takes that holds ``bounds``."""
    return next(
        b for b in (8, 16, 32, 64) if -(2 ** (b - 1)) <= min(bounds) and max(bounds) < 2 ** (b - 1)
    )


def index_version() -> dict[str, str]:
    """Everything whose change makes an existing index stale, each as a digest of what
    it covers, so no version string is bumped by hand: the fields (their names, types
    and options), the analysis rules (their code, and the ICU release that segments
    Khmer), and the entity data and rules (:func:`indexer.entities.data_version`)."""
    return {
        "schema": digest(_describe(build_schema())),
        "analysis": digest(
            Path(analysis.__file__).read_bytes(),
            Path(khmer.__file__).read_bytes(),
            importlib.metadata.version("icu4py"),
        ),
        "entities": data_version(),
    }


def digest(*parts: str | bytes) -> str:
    """A short, stable digest of ``parts``."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _describe(schema: Schema) -> str:
    """The schema's shape: each field's name, type and options, analysers by class."""
    lines = []
    for name, f in sorted(schema.items()):
        analyzer = getattr(f, "analyzer", None)
        chain = [type(a).__name__ for a in getattr(analyzer, "items", [analyzer])]
        column = type(f.column_type).__name__ if f.column_type else None
        options = (f.stored, f.unique, f.scorable, column, type(f.format).__name__)
        lines.append(f"{name} {type(f).__name__} {options} {chain}")
    return "\n".join(lines)
