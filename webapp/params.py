"""URL parameters ⇄ :class:`SearchRequest`: validation with messages people can act on,
and the canonical URL of any search, so a link reproduces it exactly.

Parameters: ``q``; ``minister``, ``province``, ``person``, ``place``, ``lang``, ``year``
(repeat for several: OR within one, AND across); ``month`` (with one year); ``from``,
``to`` (YYYY-MM-DD); ``sort`` (relevance, newest, oldest); ``page``; ``per_page``;
``more`` (a facet whose every value the page lists, not only the first few).

Messages are gettext messages (:mod:`flask_babel`), shown in the interface language.
Tracking parameters that sites add to shared links (:func:`is_tracking`) are not part
of a search; the HTML pages drop them (a redirect), the API rejects them as unknown.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from webapp.search import MAX_PER_PAGE, SORTS, SearchRequest

FACETS = ("minister", "province", "person", "place", "lang")
KNOWN = {"q", *FACETS, "year", "month", "from", "to", "sort", "page", "per_page", "ui", "more"}
# Added to links by newsletters, ad networks and social sites; never a search's own.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "hsa_", "_hs")
TRACKING = {
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "igshid",
    "_ga",
    "_gl",
    "ref_src",
    "si",
}
MAX_VALUES = 20
MAX_VALUE_CHARS = 200
LANGS = ("en", "km")


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"“{n}”" for n in names)


class BadParameter(ValueError):
    """A parameter that cannot be used; the message says which and why."""


def _int(args: MultiDict, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(
            _l("“%(name)s” must be a whole number, not “%(value)s”.", name=name, value=raw[:40])
        ) from None
    if not low <= value <= high:
        raise BadParameter(
            _l(
                "“%(name)s” must be between %(low)s and %(high)s, not %(value)s.",
                name=name,
                low=low,
                high=high,
                value=value,
            )
        )
    return value


def _date(args: MultiDict, name: str) -> dt.date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            _l(
                "“%(name)s” must be a real date written YYYY-MM-DD, not “%(value)s”.",
                name=name,
                value=raw[:40],
            )
        ) from None


def parse_request(args: MultiDict, known_values=None) -> SearchRequest:
    """The request the URL asks for; :class:`BadParameter` when it cannot be honoured.

    ``known_values(facet)`` lists a facet's values; a value the index has never seen
    is an error, not an empty page, so a typo in a link is visible.
    """
    unknown = sorted(set(args) - KNOWN)
    if unknown:
        raise BadParameter(_l("Unknown parameter “%(name)s”.", name=unknown[0][:40]))
    facets: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        chosen = tuple(dict.fromkeys(v.strip() for v in args.getlist(facet) if v.strip()))
        if len(chosen) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in chosen):
            raise BadParameter(_l("Too many or too long values for “%(name)s”.", name=facet))
        if facet == "lang":
            bad = [v for v in chosen if v not in LANGS]
            if bad:
                raise BadParameter(
                    _l("“lang” is en or km, not “%(value)s”.", value=bad[0][:40])
                )
        elif chosen and known_values is not None:
            have = set(known_values(facet))
            missing = [v for v in chosen if v not in have]
            if missing:
                raise BadParameter(
                    _l(
                        "No announcement has %(name)s “%(value)s”.",
                        name=facet,
                        value=missing[0],
                    )
                )
        facets[facet] = chosen
    years = []
    for raw in args.getlist("year"):
        try:
            year = int(raw)
        except ValueError:
            raise BadParameter(
                _l("“year” must be a year such as 2024, not “%(value)s”.", value=raw[:40])
            ) from None
        if not 1900 <= year <= 2100:
            raise BadParameter(
                _l("“year” must be between 1900 and 2100, not %(value)s.", value=year)
            )
        years.append(year)
    month = _int(args, "month", None, 1, 12)
    if month is not None and len(years) != 1:
        raise BadParameter(_l("“month” needs exactly one “year”."))
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadParameter(_l("“from” is after “to”."))
    sort = args.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise BadParameter(
            _l(
                "“sort” is one of %(choices)s, not “%(value)s”.",
                choices=_quoted(SORTS),
                value=sort[:40],
            )
        )
    more = tuple(dict.fromkeys(args.getlist("more")))
    if any(m not in FACETS for m in more):
        bad = next(m for m in more if m not in FACETS)
        raise BadParameter(
            _l(
                "“more” is one of %(choices)s, not “%(value)s”.",
                choices=_quoted(FACETS),
                value=bad[:40],
            )
        )
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
        more=more,
    )


def is_tracking(name: str) -> bool:
    """A parameter that marketing or social sites add to links (``utm_source``, ``fbclid``)."""
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def without_tracking(args: MultiDict) -> list[tuple[str, str]] | None:
    """The parameters with tracking ones dropped, in order; None when there were none."""
    pairs = list(args.items(multi=True))
    kept = [(k, v) for k, v in pairs if not is_tracking(k)]
    return kept if len(kept) < len(pairs) else None


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
    out += [("more", m) for m in req.more]
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


_ORDER = ("q", *FACETS, "year", "month", "from", "to", "sort", "page", "per_page", "more")


@lru_cache(maxsize=256)
def _base_params(req: SearchRequest) -> list[tuple[str, str]]:
    return to_params(req, page=False)
