"""The OpenAPI description itself (``/openapi.json``, :mod:`webapp.openapi`), read in
process: every path, parameter, response and schema against values written out here by
hand. Where the description restates a fact kept elsewhere (the facet table, the sorts,
the units, the languages, the limits), the fact is spelt out here, not read from the
code, so a change to either shows. ``tests/test_openapi.py`` checks the running app
against the description (schemathesis, a server: left out of mutation runs); this file
is the description's own test, fast enough for one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from webapp import create_app

JSON = "application/json"
FACETS = ["minister", "province", "lang", "person", "place", "org", "publisher", "year", "month"]
ENTITY_FACETS = ["minister", "province", "person", "place", "org", "publisher"]
STRINGS = {"type": "array", "items": {"type": "string"}}
BLANK = {"type": "string", "pattern": "^\\s*$"}
TEXT = {"type": "string"}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
YES_NO = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
URI = {"type": "string", "format": "uri"}
TEXT_OR_NULL = {"type": ["string", "null"]}
OBJECT = {"type": "object"}
OBJECTS = {"type": "array", "items": OBJECT}
TEXT_MAP = {**OBJECT, "additionalProperties": TEXT}
LIMITS = " At most 20 distinct values of at most 200 characters; blank ones are ignored."


def blank_or(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, BLANK]}


def object_of(required: list[str] | None, **properties: Any) -> dict[str, Any]:
    """An object schema: its required keys (None: no such list), then its properties."""
    out: dict[str, Any] = {**OBJECT, **({"required": required} if required else {})}
    return {**out, "properties": properties} if properties else out


def integer(low: int, high: int) -> dict[str, Any]:
    return blank_or({"type": "integer", "minimum": low, "maximum": high})


@pytest.fixture()
def spec(tmp_path: Path) -> dict[str, Any]:
    # the description needs no index: an app over an empty folder serves it. Built for
    # each test, not once a module: a mutation run credits the functions a fixture
    # calls to the first test that asked for it, and would run only that one
    app = create_app({"INDEX_DIR": tmp_path / "no-index"})
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == JSON
    assert response.headers["Cache-Control"] == "no-cache"
    return response.get_json()


def test_the_document_s_header(spec) -> None:
    assert spec["openapi"] == "3.1.0"
    assert spec["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    assert spec["info"] == {
        "title": "prakas: ministry announcements in English and Khmer",
        "version": "1",
        "description": "Every view of a search takes the same parameters; see /help/api "
        "for the query language and the limits. Read-only: GET only.",
    }
    assert sorted(spec) == ["components", "info", "jsonSchemaDialect", "openapi", "paths"]


def test_every_path_its_operation_and_summary(spec) -> None:
    assert {
        path: [(method, op["operationId"], op["summary"]) for method, op in item.items()]
        for path, item in spec["paths"].items()
    } == {
        "/api/search": [("get", "search", "One page of results with facet counts")],
        "/api/search.csv": [
            ("get", "searchCsv", "Every matching announcement (up to CSV_MAX_ROWS), as CSV")
        ],
        "/feed.atom": [("get", "feed", "The newest matching announcements, as an Atom feed")],
        "/api/entity/{facet}/{value}": [
            ("get", "entity", "What the archive holds about one facet value")
        ],
        "/api/suggest": [("get", "suggest", "Completions of what is typed in the box")],
        "/healthz": [("get", "health", "The live index generation")],
    }


ERROR = {"schema": {"$ref": "#/components/schemas/Error"}}
BAD = "A parameter that cannot be honoured; the message says which and why."
PREPARING = "The index is being prepared."
TOO_LONG = "The URL is longer than the server reads (8,190 bytes)."


def _responses(op: dict[str, Any]) -> dict[str, tuple[str, str, Any]]:
    """status → (description, media type, schema: a $ref or a type, else "object")."""
    out = {}
    for status, r in op["responses"].items():
        ((media, content),) = r["content"].items()
        schema = content["schema"]
        out[status] = (r["description"], media, schema.get("$ref") or schema.get("type"))
    return out


def test_every_operation_s_statuses_and_media_types(spec) -> None:
    error = "#/components/schemas/Error"
    searched = {
        "400": (BAD, JSON, error),
        "414": (TOO_LONG, "text/html", "string"),
        "503": (PREPARING, JSON, error),
    }
    paths = spec["paths"]
    assert _responses(paths["/api/search"]["get"]) == {
        "200": ("The results.", JSON, "object"),
        **searched,
    }
    assert _responses(paths["/api/search.csv"]["get"]) == {
        "200": ("UTF-8 with a BOM; formula cells defused.", "text/csv", "string"),
        **searched,
    }
    assert _responses(paths["/feed.atom"]["get"]) == {
        "200": ("An Atom 1.0 feed.", "application/atom+xml", "string"),
        **searched,
    }
    assert _responses(paths["/api/entity/{facet}/{value}"]["get"]) == {
        "200": ("The value's page as data.", JSON, "object"),
        "404": ("The index holds no such value.", JSON, error),
        "414": (TOO_LONG, "text/html", "string"),
        "503": (PREPARING, JSON, error),
    }
    assert _responses(paths["/api/suggest"]["get"]) == {
        "200": ("At most 8 completions, names first.", JSON, "array"),
        "414": (TOO_LONG, "text/html", "string"),
        "503": (PREPARING, JSON, error),
    }
    assert _responses(paths["/healthz"]["get"]) == {
        "200": ("The index is open.", JSON, "object"),
        "503": (PREPARING, JSON, error),
    }


def _entity(name: str, label: str) -> tuple:
    what = f"{label}: a canonical value the index holds (an unknown one is a 400). Several are OR."
    return (name, "form", what + LIMITS, {"type": "array", "items": {"type": "string"}})


# (name, style or "" for a single value, description, schema), in the table's order
SEARCH_PARAMETERS = [
    ("q", "", "What to look for: words, phrases, staff syntax.", {"type": "string"}),
    _entity("minister", "Minister"),
    _entity("province", "Province"),
    (
        "lang",
        "form",
        "Only these language versions." + LIMITS,
        {"type": "array", "items": blank_or({"enum": ["en", "km"]})},
    ),
    _entity("person", "Person"),
    _entity("place", "Place"),
    _entity("org", "Organisation"),
    _entity("publisher", "Publisher"),
    (
        "year",
        "form",
        "Years; several are OR." + LIMITS,
        {"type": "array", "items": integer(1900, 2100)},
    ),
    ("month", "", "Month, with exactly one year.", integer(1, 12)),
    (
        "from",
        "",
        "First day, inclusive; empty: none.",
        blank_or({"type": "string", "format": "date"}),
    ),
    ("to", "", "Last day, inclusive; empty: none.", blank_or({"type": "string", "format": "date"})),
    ("sort", "", "Order of the results.", blank_or({"enum": ["relevance", "newest", "oldest"]})),
    ("page", "", "Page number.", integer(1, 100_000)),
    ("per_page", "", "Results per page.", integer(1, 100)),
    ("unit", "", "What is counted and listed.", blank_or({"enum": ["announcement", "file"]})),
    (
        "more",
        "form",
        "Facets whose every value is listed." + LIMITS,
        {"type": "array", "items": {"enum": FACETS}},
    ),
    (
        "ui",
        "",
        "Interface language of messages and labels (en or km); any other value: the cookie, "
        "then the browser's Accept-Language, decides.",
        {"type": "string"},
    ),
    (
        "exact",
        "",
        "1: the words as typed, never respelt; 0 or empty: respelt when they find nothing "
        "or far fewer.",
        blank_or({"enum": ["0", "1"]}),
    ),
]


def _parameters(op: dict[str, Any]) -> list[tuple]:
    out = []
    for p in op["parameters"]:
        assert p["in"] == "query" and "required" not in p, p
        if "style" in p:  # a repeated parameter: ?year=2024&year=2025
            assert (p["style"], p["explode"]) == ("form", True), p
            assert sorted(p) == ["description", "explode", "in", "name", "schema", "style"]
        else:
            assert sorted(p) == ["description", "in", "name", "schema"]
        out.append((p["name"], p.get("style", ""), p["description"], p["schema"]))
    return out


@pytest.mark.parametrize("path", ["/api/search", "/api/search.csv", "/feed.atom"])
def test_every_view_of_a_search_takes_the_same_parameters(spec, path: str) -> None:
    assert _parameters(spec["paths"][path]["get"]) == SEARCH_PARAMETERS


def test_the_entity_and_suggest_parameters(spec) -> None:
    assert spec["paths"]["/api/entity/{facet}/{value}"]["get"]["parameters"] == [
        {"name": "facet", "in": "path", "required": True, "schema": {"enum": ENTITY_FACETS}},
        {
            "name": "value",
            "in": "path",
            "required": True,
            "description": "A canonical value the index holds.",
            "schema": {"type": "string", "minLength": 1},
        },
    ]
    assert _parameters(spec["paths"]["/api/suggest"]["get"]) == [
        ("q", "", "What is typed so far (its first 100 characters).", {"type": "string"})
    ]


def _schema(spec, path: str) -> dict[str, Any]:
    return spec["paths"][path]["get"]["responses"]["200"]["content"][JSON]["schema"]


def test_a_search_answer_s_schema(spec) -> None:
    answer = _schema(spec, "/api/search")
    assert answer["type"] == "object" and answer["additionalProperties"] is False
    assert answer["required"] == "query filters unit total page per_page pages results".split()
    props = answer["properties"]
    optional = "facets timeline notices suggestion respelled_from generation took_ms".split()
    assert sorted(props) == sorted(answer["required"] + optional)
    assert props["query"] == {"type": "string"}
    assert props["filters"] == {"type": "object", "additionalProperties": STRINGS}
    assert props["unit"] == {"enum": ["announcement", "file"]}
    assert props["total"] == {"type": "integer", "minimum": 0}
    assert props["page"] == {"type": "integer", "minimum": 1}
    assert props["per_page"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert props["pages"] == {"type": "integer", "minimum": 0}
    results = props["results"]
    assert (results["type"], results["maxItems"], sorted(results)) == (
        "array",
        100,
        ["items", "maxItems", "type"],
    )
    assert props["facets"] == {
        "type": "object",
        "propertyNames": {"enum": FACETS},
        "additionalProperties": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FacetValue"},
        },
    }
    assert props["timeline"] == object_of(
        ["by", "points"],
        by={"enum": ["year", "month"]},
        points={
            "type": "array",
            "items": object_of(
                ["label", "count", "selected"], label=TEXT, count=COUNT, selected=YES_NO
            ),
        },
    )
    assert props["notices"] == STRINGS
    assert props["suggestion"] == {"type": ["string", "null"]}
    assert props["respelled_from"] == {
        "type": ["string", "null"],
        "description": "The words as typed, when the results are the respelling's.",
    }
    assert props["generation"] == {"type": "string"}
    assert props["took_ms"] == {"type": "number", "minimum": 0}


def test_a_result_s_schema(spec) -> None:
    result = _schema(spec, "/api/search")["properties"]["results"]["items"]
    assert result["type"] == "object" and result["additionalProperties"] is False
    assert result["required"] == "id lang slug title date snippet url versions".split()
    entities = dict.fromkeys(
        ["ministers", "provinces", "people", "places", "organisations", "publishers"], STRINGS
    )
    untranslated = "This version is in the other language's script: no translation."
    assert result["properties"] == {
        **dict.fromkeys(["id", "slug", "title"], TEXT),
        "lang": {"enum": ["en", "km"]},
        "date": DATE,
        "snippet": {**TEXT, "description": "HTML: escaped text and <mark>."},
        **entities,
        "url": URI,
        "versions": TEXT_MAP,
        "other_language": TEXT_OR_NULL,
        "untranslated": {**YES_NO, "description": untranslated},
        "untranslated_versions": STRINGS,
    }


def test_an_entity_answer_s_schema(spec) -> None:
    entity = _schema(spec, "/api/entity/{facet}/{value}")
    assert entity["type"] == "object" and entity["additionalProperties"] is False
    assert entity["required"] == ["facet", "value", "names", "total", "years", "latest", "page"]
    counted = {"type": "array", "items": object_of(["value", "count"], value=TEXT, count=INTEGER)}
    assert entity["properties"] == {
        "facet": {"enum": ENTITY_FACETS},
        "value": TEXT,
        "names": TEXT_MAP,
        "total": COUNT,
        "years": {**OBJECT, "additionalProperties": INTEGER},
        "offices": OBJECTS,
        "units": OBJECTS,
        "districts": {"type": "array", "items": object_of(None, name=TEXT, count=INTEGER)},
        "beside": {**OBJECT, "additionalProperties": counted},
        "latest": OBJECTS,
        "page": URI,
    }


def test_the_suggest_and_health_schemas(spec) -> None:
    assert _schema(spec, "/api/suggest") == {
        "type": "array",
        "maxItems": 8,
        "items": {
            "type": "object",
            "required": ["label", "kind", "value", "url"],
            "properties": {k: {"type": "string"} for k in ("label", "kind", "value", "url")},
        },
    }
    health = _schema(spec, "/healthz")
    assert health == object_of(
        ["status", "documents", "generation"],
        status={"enum": ["ok", "degraded"]},
        problem=TEXT,
        announcements=COUNT,
        files=COUNT,
        documents=COUNT,
        generation=TEXT,
        indexed_at=TEXT_OR_NULL,
        versions=OBJECT,
    )


def test_the_shared_schemas(spec) -> None:
    assert sorted(spec["components"]) == ["schemas"]
    schemas = spec["components"]["schemas"]
    assert sorted(schemas) == ["Error", "FacetValue"]
    last_page = {"type": "integer", "description": "The last page, for a page past it."}
    assert schemas["Error"] == object_of(["error"], error={**TEXT, "minLength": 1}, pages=last_page)
    assert schemas["FacetValue"] == {
        **object_of(["value", "count", "selected", "labels"]),
        "additionalProperties": False,
        "properties": {"value": TEXT, "count": COUNT, "selected": YES_NO, "labels": TEXT_MAP},
    }
