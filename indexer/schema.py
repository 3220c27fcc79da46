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

SCHEMA_VERSION = "8"
# The facet fields: canonical values, one per line (a value may contain commas).
ENTITY_FIELDS = ("people", "ministers", "provinces", "places", "organisations")
# Exact-case copies of the facet values, read into columns by the web app's facets.
FACET_FIELDS = {f"facet_{name}": name for name in ("people", "ministers", "provinces", "places")}


def _entity_field() -> TEXT:
    """One value per line, matched whole and without case: province:takeo works."""
    return TEXT(analyzer=RegexTokenizer(r"[^\n]+") | LowercaseFilter(), stored=True, phrase=False)


def build_schema() -> Schema:
    text = text_analyzer()
    clusters = khmer_cluster_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        lang=ID(stored=True),
        slug=ID(stored=True),
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
        **{name: _entity_field() for name in ENTITY_FIELDS},
        **{name: IDLIST(expression=r"[^\n]+") for name in FACET_FIELDS},
    )


def index_version() -> dict[str, str]:
    """Everything whose change makes an existing index stale."""
    return {"schema": SCHEMA_VERSION, "analysis": ANALYSIS_VERSION, "entities": data_version()}
