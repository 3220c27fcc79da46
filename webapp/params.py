"""URL parameters ⇄ :class:`SearchRequest`: validation with messages people can act on,
and the canonical URL of any search, so a link reproduces it exactly.

Parameters: ``q``; one per facet of the table (:mod:`indexer.facets`: ``minister``,
``province``, ``lang``, ``person``, ``place``, ``org``, ``year``, ``month``; repeat for
several: OR within one, AND across; ``month`` with one ``year``); ``from``, ``to``
(YYYY-MM-DD); ``sort`` (relevance, newest, oldest); ``page``; ``per_page``; ``unit``
(``announcement``, the default, or ``file``); ``more`` (a facet whose every value is
listed); ``ui`` (the interface language, also the version shown first; every link a
page makes carries it); ``exact=1`` (the words as typed, never respelt:
:mod:`webapp.respell`).

Messages are gettext messages (:mod:`flask_babel`), shown in the interface language.
Tracking parameters that sites add to shared links (:func:`is_tracking`) are not part
of a search: the HTML pages drop them with a redirect; the API rejects them as unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict

from indexer import caches
from webapp.facets import BY_NAME, KINDS, UNITS, BadValue
from webapp.i18n import one_of
from webapp.search import MAX_PER_PAGE, SORTS, SearchRequest, selections

FACETS = tuple(k.name for k in KINDS)
SINGLE = ("q", "from", "to", "sort", "page", "per_page", "unit", "ui", "exact")  # one each
KNOWN = {*SINGLE, *FACETS, "more"}
# Added to links by newsletters, ad networks, social sites and share buttons; never a
# search's own. The one list: the pages redirect them away, the tests try each.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "hsa_", "_hs")
TRACKING = {
    *("fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid"),
    *("twclid", "ttclid", "li_fat_id", "igshid", "igsh", "mibextid", "_ga", "_gl"),
    *("ref", "ref_src", "ref_url", "share", "amp", "si", "s_cid", "spm", "vero_id"),
}


def _quoted(names: tuple[str, ...]) -> LazyString:
    return one_of([f"“{n}”" for n in names])


class BadParameter(ValueError):
    """A parameter that cannot be used; the message says which and why."""


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        if not re.fullmatch(r"-?[0-9]+", raw):  # not int()'s "+5", " 5", "1_0", "٥"
            raise ValueError(raw)
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
    raw = args.get(name, "")
    if not raw.strip():
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):  # not "20250101", "2025-W01"
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            _l(
                "“%(name)s” must be a real date written YYYY-MM-DD, not “%(value)s”.",
                name=name,
                value=raw[:40],
            )
        ) from None


def _choice(args: MultiDict, name: str, allowed: tuple[str, ...]) -> str:
    value = args.get(name, "") or allowed[0]
    if value not in allowed:
        raise BadParameter(
            _l(
                "“%(name)s” is one of %(choices)s, not “%(value)s”.",
                name=name,
                choices=_quoted(allowed),
                value=value[:40],
            )
        )
    return value


def _flag(args: MultiDict, name: str) -> bool:
    value = args.get(name, "")
    if value not in ("", "0", "1"):
        raise BadParameter(
            _l("“%(name)s” is 1 or 0, not “%(value)s”.", name=name, value=value[:40])
        )
    return value == "1"


def parse_request(
    args: MultiDict,
    known_values: Callable[[str], list[str]] | None = None,
    *,
    prefer: str = "en",
) -> SearchRequest:
    """The request the URL asks for; :class:`BadParameter` when it cannot be honoured.

    ``known_values(facet)`` lists a facet's values; a value the index has never seen
    is an error, not an empty page, so a typo in a link is visible.
    """
    unknown = sorted(set(args) - KNOWN)
    if unknown:
        raise BadParameter(_l("Unknown parameter “%(name)s”.", name=unknown[0][:40]))
    twice = [name for name in SINGLE if len(args.getlist(name)) > 1]
    if twice:  # which one was meant cannot be known: say so, do not pick one
        raise BadParameter(_l("“%(name)s” is given more than once.", name=twice[0]))
    chosen: dict[str, tuple[str, ...]] = {}
    for kind in KINDS:
        try:
            chosen[kind.name] = kind.parse(args.getlist(kind.name), known_values)
        except BadValue as exc:
            raise BadParameter(str(exc)) from None
    for kind in KINDS:  # a month belongs to one year
        within = kind.facet.within
        if within and chosen.get(kind.name) and len(chosen.get(within, ())) != 1:
            raise BadParameter(
                _l("“%(name)s” needs exactly one “%(within)s”.", name=kind.name, within=within)
            )
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadParameter(_l("“from” is after “to”."))
    more = tuple(dict.fromkeys(args.getlist("more")))
    if bad := [m for m in more if m not in FACETS]:
        raise BadParameter(
            _l(
                "“more” names a facet (%(choices)s), not “%(value)s”.",
                choices=_quoted(FACETS),
                value=bad[0][:40],
            )
        )
    return SearchRequest(
        q=args.get("q", ""),
        filters=selections(chosen),
        date_from=date_from,
        date_to=date_to,
        sort=_choice(args, "sort", SORTS),
        page=_int(args, "page", 1, 1, 100_000),
        per_page=_int(args, "per_page", 10, 1, MAX_PER_PAGE),
        unit=_choice(args, "unit", UNITS),
        more=more,
        prefer=prefer,
        exact=_flag(args, "exact"),
    )


def is_tracking(name: str) -> bool:
    """A parameter that marketing or social sites add to links (``utm_source``, ``fbclid``)."""
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def without_tracking(args: MultiDict) -> list[tuple[str, str]] | None:
    """The parameters with tracking ones dropped, in order; None when there were none."""
    pairs = list(args.items(multi=True))
    kept = [(k, v) for k, v in pairs if not is_tracking(k)]
    return kept if len(kept) < len(pairs) else None


def to_params(req: SearchRequest, *, page: bool = True, ui: bool = True) -> list[tuple[str, str]]:
    """Canonical parameters: defaults left out, a fixed order; the interface language
    last (``ui``: a link opens in the language it was read in, wherever it is sent)."""
    out: list[tuple[str, str]] = []
    if req.q:
        out.append(("q", req.q))
    for name, values in req.filters:
        out += [(name, v) for v in values]
    if req.date_from:
        out.append(("from", req.date_from.isoformat()))
    if req.date_to:
        out.append(("to", req.date_to.isoformat()))
    if req.sort != SORTS[0]:
        out.append(("sort", req.sort))
    if req.unit != UNITS[0]:
        out.append(("unit", req.unit))
    out += [("more", m) for m in req.more]
    if req.exact:
        out.append(("exact", "1"))
    if page and req.page != 1:
        out.append(("page", str(req.page)))
    if req.per_page != 10:
        out.append(("per_page", str(req.per_page)))
    if ui:
        out.append(("ui", req.prefer))
    return out


def query_string(req: SearchRequest, **changes: object) -> str:
    """``?…`` for the request with ``changes`` applied (page resets unless given)."""
    if "page" not in changes:
        changes["page"] = 1
    params = to_params(req.replace(**changes))
    return "?" + urlencode(params) if params else ""


def toggle(req: SearchRequest, facet: str, value: str) -> str:
    """The link that adds a facet value, or removes it when it is selected. A page has
    a hundred of these: they are cached per request and value."""
    return _toggle(req, facet, value)


@caches.lru(4096, "a page's hundred facet links: each computed once per request and value")
def _toggle(req: SearchRequest, facet: str, value: str) -> str:
    chosen, row = req.selected(facet), BY_NAME[facet].facet
    if row.within:  # a subdivision: one value at a time
        new: tuple[str, ...] = () if value in chosen else (value,)
    else:
        new = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
    if row.kind == "date":  # a year's change may drop the month
        return query_string(req.with_selected(facet, new))
    # the links of one facet differ only in its own values: the rest is encoded once
    before, after = _around(req, facet)
    parts = [p for p in (before, urlencode([(facet, v) for v in new]), after) if p]
    return "?" + "&".join(parts) if parts else ""


_HERE = "\0"  # where a facet's values stand among a request's parameters


@caches.lru(256, "a request's parameters around one facet's, encoded once for all its links")
def _around(req: SearchRequest, facet: str) -> tuple[str, str]:
    """The encoded parameters of ``req``'s first page before and after ``facet``'s."""
    params = to_params(req.with_selected(facet, (_HERE,)))
    i = params.index((facet, _HERE))
    return urlencode(params[:i]), urlencode(params[i + 1 :])
