"""The Whoosh schema: what the index holds for each announcement, and why.

Text fields are analysed for both scripts (:mod:`indexer.analysis`); ``content_kc``
holds pairs of Khmer clusters, the recall net. Entity fields hold canonical values, one per line,
for facets and filters. Display fields are stored so a result page never reads files.
"""

from __future__ import annotations

from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, IDLIST, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import (
    ANALYSIS_VERSION,
    khmer_cluster_analyzer,
    text_analyzer,
    word_analyzer,
)
from indexer.entities import data_version
from indexer.facets import ENTITY_FACETS

SCHEMA_VERSION = "9"


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
        year=NUMERIC(int, bits=16, stored=True, sortable=True),
        month=NUMERIC(int, bits=8, stored=True),
        author=ID(stored=True),
        tags=_entity_field(),
        image=STORED,
        body_markdown=STORED,
        path=ID(stored=True),
        content_hash=STORED,
        # each entity facet: its values one per line, matched whole and without case
        # (``province:takeo``), and an exact copy the facet counts read as a column
        **{f.field: _entity_field() for f in ENTITY_FACETS},
        **{f.column: IDLIST(expression=r"[^\n]+") for f in ENTITY_FACETS},
    )


def index_version() -> dict[str, str]:
    """Everything whose change makes an existing index stale."""
    return {"schema": SCHEMA_VERSION, "analysis": ANALYSIS_VERSION, "entities": data_version()}
