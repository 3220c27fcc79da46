"""URL parameters ⇄ :class:`SearchRequest`: validation with messages people can act on,
and the canonical URL of any search, so a link reproduces it exactly.

Parameters: ``q``; ``minister``, ``province``, ``person``, ``place``, ``lang``, ``year``
(repeat for several: OR within one, AND across); ``month`` (with one year); ``from``,
``to`` (YYYY-MM-DD); ``sort`` (relevance, newest, oldest); ``page``; ``per_page``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from webapp.search import MAX_PER_PAGE, SORTS, SearchRequest

FACETS = ("minister", "province", "person", "place", "lang")
KNOWN = {"q", *FACETS, "year", "month", "from", "to", "sort", "page", "per_page", "ui"}
MAX_VALUES = 20
MAX_VALUE_CHARS = 200
LANGS = ("en", "km")


class BadParameter(ValueError):
    """A parameter that cannot be used; the message says which and why."""


def _int(args: MultiDict, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"“{name}” must be a whole number, not “{raw[:40]}”.") from None
    if not low <= value <= high:
        raise BadParameter(f"“{name}” must be between {low} and {high}, not {value}.")
    return value


def _date(args: MultiDict, name: str) -> dt.date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            f"“{name}” must be a real date written YYYY-MM-DD, not “{raw[:40]}”."
        ) from None


def parse_request(args: MultiDict, known_values=None) -> SearchRequest:
    """The request the URL asks for; :class:`BadParameter` when it cannot be honoured.

    ``known_values(facet)`` lists a facet's values; a value the index has never seen
    is an error, not an empty page, so a typo in a link is visible.
    """
    unknown = sorted(set(args) - KNOWN)
    if unknown:
        raise BadParameter(f"Unknown parameter “{unknown[0][:40]}”.")
    facets: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        chosen = tuple(dict.fromkeys(v.strip() for v in args.getlist(facet) if v.strip()))
        if len(chosen) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in chosen):
            raise BadParameter(f"Too many or too long values for “{facet}”.")
        if facet == "lang":
            bad = [v for v in chosen if v not in LANGS]
            if bad:
                raise BadParameter(f"“lang” is en or km, not “{bad[0][:40]}”.")
        elif chosen and known_values is not None:
            have = set(known_values(facet))
            missing = [v for v in chosen if v not in have]
            if missing:
                raise BadParameter(f"No announcement has {facet} “{missing[0]}”.")
        facets[facet] = chosen
    years = []
    for raw in args.getlist("year"):
        try:
            year = int(raw)
        except ValueError:
            raise BadParameter(f"“year” must be a year such as 2024, not “{raw[:40]}”.") from None
        if not 1900 <= year <= 2100:
            raise BadParameter(f"“year” must be between 1900 and 2100, not {year}.")
        years.append(year)
    month = _int(args, "month", None, 1, 12)
    if month is not None and len(years) != 1:
        raise BadParameter("“month” needs exactly one “year”.")
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadParameter("“from” is after “to”.")
    sort = args.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise BadParameter(f"“sort” is one of {', '.join(SORTS)}, not “{sort[:40]}”.")
    q = args.get("q", "")
    return SearchRequest(
        q=q,
        **facets,
        year=tuple(dict.fromkeys(years)),
        month=month,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=_int(args, "page", 1, 1, 100_000) or 1,
        per_page=_int(args, "per_page", 10, 1, MAX_PER_PAGE) or 10,
    )


def to_params(req: SearchRequest, *, page: bool = True) -> list[tuple[str, str]]:
    """Canonical parameters: defaults left out, a fixed order."""
    out: list[tuple[str, str]] = []
    if req.q:
        out.append(("q", req.q))
    for facet in FACETS:
        out += [(facet, v) for v in req.selected(facet)]
    out += [("year", str(y)) for y in req.year]
    if req.month is not None:
        out.append(("month", str(req.month)))
    if req.date_from:
        out.append(("from", req.date_from.isoformat()))
    if req.date_to:
        out.append(("to", req.date_to.isoformat()))
    if req.sort != "relevance":
        out.append(("sort", req.sort))
    if page and req.page != 1:
        out.append(("page", str(req.page)))
    if req.per_page != 10:
        out.append(("per_page", str(req.per_page)))
    return out


def query_string(req: SearchRequest, **changes: object) -> str:
    """``?…`` for the request with ``changes`` applied (page resets unless given)."""
    if "page" not in changes:
        changes["page"] = 1
    params = to_params(req.replace(**changes))
    return "?" + urlencode(params) if params else ""


def toggle(req: SearchRequest, facet: str, value: str) -> str:
    """The link that adds a facet value, or removes it when it is selected."""
    if facet == "year":
        year = int(value)
        years = tuple(y for y in req.year if y != year) if year in req.year else (*req.year, year)
        month = req.month if len(years) == 1 and years == req.year else None
        return query_string(req, year=years, month=month)
    if facet == "month":
        month = int(value)
        return query_string(req, month=None if req.month == month else month)
    # A page has a hundred of these links: edit the canonical parameters, computed
    # once per request, instead of rebuilding a request for each.
    base = _base_params(req)
    chosen = req.selected(facet)
    new = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
    before = _ORDER[: _ORDER.index(facet)]
    kept = [p for p in base if p[0] != facet]
    at = sum(1 for k, _ in kept if k in before)
    params = kept[:at] + [(facet, v) for v in new] + kept[at:]
    return "?" + urlencode(params) if params else ""


_ORDER = ("q", *FACETS, "year", "month", "from", "to", "sort", "page", "per_page")


@lru_cache(maxsize=256)
def _base_params(req: SearchRequest) -> list[tuple[str, str]]:
    return to_params(req, page=False)
