"""The OpenAPI 3.1 description of the JSON API, CSV, feed and health check, at
``/openapi.json``.

Written by hand, as the contract a client codes against; the facet parameters and
each result's facet fields are the rows of the facet table (:mod:`indexer.facets`), so
a new facet is described with no edit here. ``tests/test_openapi.py`` fuzzes every
parameter against the running app with schemathesis and checks every answer against
this description. Nothing here is computed from a request: the document is the same
for every reader.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from indexer.documents import LANGUAGES
from indexer.facets import ENTITY_FACETS, FACETS, Facet
from webapp.facets import MAX_VALUE_CHARS, MAX_VALUES, UNITS
from webapp.search import MAX_PER_PAGE, SORTS

bp = Blueprint("openapi", __name__)

JSON = "application/json"
STRINGS = {"type": "array", "items": {"type": "string"}}
# a blank value is the same as none (a form's field left blank)
EMPTY = {"type": "string", "pattern": "^\\s*$"}


def _or_blank(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, EMPTY]}


DAY = _or_blank({"type": "string", "format": "date"})


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _repeated(name: str, description: str, items: dict[str, Any]) -> dict[str, Any]:
    # The limits are on distinct values, blanks left out, which a JSON Schema cannot
    # say: they are written in the description, not as maxItems/maxLength.
    return {
        "name": name,
        "in": "query",
        "description": f"{description} At most {MAX_VALUES} distinct values of at most "
        f"{MAX_VALUE_CHARS} characters; blank ones are ignored.",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": items},
    }


def _one(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _facet_parameter(facet: Facet) -> dict[str, Any]:
    """A facet's parameter, by its kind: a new facet of a known kind needs nothing here."""
    if facet.kind == "entity":
        what = f"{facet.label['en']}: a canonical value the index holds (an unknown one is a 400)."
        return _repeated(facet.name, what + " Several are OR.", {"type": "string"})
    if facet.kind == "language":
        only = _or_blank({"enum": list(LANGUAGES)})
        return _repeated(facet.name, "Only these language versions.", only)
    low, high = facet.bounds
    number = _or_blank({"type": "integer", "minimum": low, "maximum": high})
    if facet.within:
        return _one(facet.name, f"{facet.label['en']}, with exactly one {facet.within}.", number)
    return _repeated(facet.name, f"{facet.heading['en']}; several are OR.", number)


def search_parameters() -> list[dict[str, Any]]:
    """The parameters every view of a search takes (:mod:`webapp.params`)."""
    out = [_one("q", "What to look for: words, phrases, staff syntax.", {"type": "string"})]
    out += [_facet_parameter(facet) for facet in FACETS]
    out += [
        _one("from", "First day, inclusive; empty: none.", DAY),
        _one("to", "Last day, inclusive; empty: none.", DAY),
        _one("sort", "Order of the results.", _or_blank({"enum": list(SORTS)})),
        _one(
            "page", "Page number.", _or_blank({"type": "integer", "minimum": 1, "maximum": 100_000})
        ),
        _one(
            "per_page",
            "Results per page.",
            _or_blank({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
        ),
        _one("unit", "What is counted and listed.", _or_blank({"enum": list(UNITS)})),
        _repeated(
            "more", "Facets whose every value is listed.", {"enum": [f.name for f in FACETS]}
        ),
        _one(
            "ui",
            "Interface language of messages and labels (en or km); any other value: "
            "the cookie, then the browser's Accept-Language, decides.",
            {"type": "string"},
        ),
        _one(
            "exact",
            "1: the words as typed, never respelt; 0 or empty: respelt when they find "
            "nothing or far fewer.",
            _or_blank({"enum": ["0", "1"]}),
        ),
    ]
    return out


def _result() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "lang", "slug", "title", "date", "snippet", "url", "versions"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "lang": {"enum": list(LANGUAGES)},
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "snippet": {"type": "string", "description": "HTML: escaped text and <mark>."},
            **{f.field: STRINGS for f in ENTITY_FACETS},
            "url": {"type": "string", "format": "uri"},
            "versions": {"type": "object", "additionalProperties": {"type": "string"}},
            "other_language": {"type": ["string", "null"]},
            "untranslated": {
                "type": "boolean",
                "description": "This version is in the other language's script: no translation.",
            },
            "untranslated_versions": STRINGS,
        },
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "minLength": 1},
            "pages": {"type": "integer", "description": "The last page, for a page past it."},
        },
    },
    "FacetValue": {
        "type": "object",
        "required": ["value", "count", "selected", "labels"],
        "additionalProperties": False,
        "properties": {
            "value": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
            "selected": {"type": "boolean"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}


def _search_answer() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["query", "filters", "unit", "total", "page", "per_page", "pages", "results"],
        "properties": {
            "query": {"type": "string"},
            "filters": {"type": "object", "additionalProperties": STRINGS},
            "unit": {"enum": list(UNITS)},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "pages": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "items": _result(), "maxItems": MAX_PER_PAGE},
            "facets": {
                "type": "object",
                "propertyNames": {"enum": [f.name for f in FACETS]},
                "additionalProperties": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/FacetValue"},
                },
            },
            "timeline": {
                "type": "object",
                "required": ["by", "points"],
                "properties": {
                    "by": {"enum": [f.name for f in FACETS if f.timeline]},
                    "points": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["label", "count", "selected"],
                            "properties": {
                                "label": {"type": "string"},
                                "count": {"type": "integer", "minimum": 0},
                                "selected": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
            "notices": STRINGS,
            "suggestion": {"type": ["string", "null"]},
            "respelled_from": {
                "type": ["string", "null"],
                "description": "The words as typed, when the results are the respelling's.",
            },
            "generation": {"type": "string"},
            "took_ms": {"type": "number", "minimum": 0},
        },
    }


def _entity_answer() -> dict[str, Any]:
    counted = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["value", "count"],
            "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["facet", "value", "names", "total", "years", "latest", "page"],
        "properties": {
            "facet": {"enum": [f.name for f in ENTITY_FACETS]},
            "value": {"type": "string"},
            "names": {"type": "object", "additionalProperties": {"type": "string"}},
            "total": {"type": "integer", "minimum": 0},
            "years": {"type": "object", "additionalProperties": {"type": "integer"}},
            "offices": {"type": "array", "items": {"type": "object"}},
            "units": {"type": "array", "items": {"type": "object"}},
            "districts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "count": {"type": "integer"}},
                },
            },
            "beside": {"type": "object", "additionalProperties": counted},
            "latest": {"type": "array", "items": {"type": "object"}},
            "page": {"type": "string", "format": "uri"},
        },
    }


def _text(media: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    bad = _error("A parameter that cannot be honoured; the message says which and why.")
    missing = _error("The index is being prepared.")
    # gunicorn answers a request line longer than it reads itself, with its own page
    too_long = _text("text/html", "The URL is longer than the server reads (8,190 bytes).")
    searched = {"parameters": search_parameters()}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "prakas: ministry announcements in English and Khmer",
            "version": "1",
            "description": "Every view of a search takes the same parameters; see "
            "/help/api for the query language and the limits. Read-only: GET only.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "One page of results with facet counts",
                    **searched,
                    "responses": {
                        "200": {
                            "description": "The results.",
                            "content": {JSON: {"schema": _search_answer()}},
                        },
                        "400": bad,
                        "414": too_long,
                        "503": missing,
                    },
                }
            },
            "/api/search.csv": {
                "get": {
                    "operationId": "searchCsv",
                    "summary": "Every matching announcement (up to CSV_MAX_ROWS), as CSV",
                    **searched,
                    "responses": {
                        "200": _text("text/csv", "UTF-8 with a BOM; formula cells defused."),
                        "400": bad,
                        "414": too_long,
                        "503": missing,
                    },
                }
            },
            "/feed.atom": {
                "get": {
                    "operationId": "feed",
                    "summary": "The newest matching announcements, as an Atom feed",
                    **searched,
                    "responses": {
                        "200": _text("application/atom+xml", "An Atom 1.0 feed."),
                        "400": bad,
                        "414": too_long,
                        "503": missing,
                    },
                }
            },
            "/api/entity/{facet}/{value}": {
                "get": {
                    "operationId": "entity",
                    "summary": "What the archive holds about one facet value",
                    "parameters": [
                        {
                            "name": "facet",
                            "in": "path",
                            "required": True,
                            "schema": {"enum": [f.name for f in ENTITY_FACETS]},
                        },
                        {
                            "name": "value",
                            "in": "path",
                            "required": True,
                            "description": "A canonical value the index holds.",
                            "schema": {"type": "string", "minLength": 1},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The value's page as data.",
                            "content": {JSON: {"schema": _entity_answer()}},
                        },
                        "404": _error("The index holds no such value."),
                        "414": too_long,
                        "503": missing,
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Completions of what is typed in the box",
                    "parameters": [
                        _one(
                            "q",
                            "What is typed so far (its first 100 characters).",
                            {"type": "string"},
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "At most 8 completions, names first.",
                            "content": {
                                JSON: {
                                    "schema": {
                                        "type": "array",
                                        "maxItems": 8,
                                        "items": {
                                            "type": "object",
                                            "required": ["label", "kind", "value", "url"],
                                            "properties": {
                                                "label": {"type": "string"},
                                                "kind": {"type": "string"},
                                                "value": {"type": "string"},
                                                "url": {"type": "string"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "414": too_long,
                        "503": missing,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "The live index generation",
                    "responses": {
                        "200": {
                            "description": "The index is open.",
                            "content": {
                                JSON: {
                                    "schema": {
                                        "type": "object",
                                        "required": ["status", "documents", "generation"],
                                        "properties": {
                                            "status": {"enum": ["ok", "degraded"]},
                                            "problem": {"type": "string"},
                                            "announcements": {"type": "integer", "minimum": 0},
                                            "files": {"type": "integer", "minimum": 0},
                                            "documents": {"type": "integer", "minimum": 0},
                                            "generation": {"type": "string"},
                                            "indexed_at": {"type": ["string", "null"]},
                                            "versions": {"type": "object"},
                                        },
                                    }
                                }
                            },
                        },
                        "503": missing,
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }


@bp.get("/openapi.json")
def describe():
    response = current_app.json.response(document())
    response.headers["Cache-Control"] = "no-cache"
    return response
