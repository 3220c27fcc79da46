"""Absolute links and redirect targets, never made from what a client can forge.

Every absolute URL the app writes (the canonical link, the JSON's and CSV's ``url``,
the Atom feed's ids and links) starts with :func:`base`: ``BASE_URL``
(``PRAKAS_BASE_URL``) when set, else this request's own origin, whose ``Host`` Flask
has already checked against ``TRUSTED_HOSTS`` (a 400 otherwise). A redirect's
``Location`` is a path on this site made of percent-quoted parts (:func:`here`), so
no byte of the request (a newline, a second leading slash) reaches a header as typed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app, request, url_for

# Characters a path keeps as they are (RFC 3986's pchar less "%"): everything else,
# control characters and spaces above all, is percent-encoded.
PATH_SAFE = "/!$&'()*+,;=:@-._~"


def check_base_url(value: str | None) -> str | None:
    """``value`` without its trailing slash, or a ValueError that says what is wrong
    (read once, when the app starts: a bad setting stops it, not each request)."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"PRAKAS_BASE_URL must be an http(s) address without query, like "
            f"https://search.example.org, not {value!r}"
        )
    if any(ord(c) < 33 or c in "<>\"'\\" for c in value):
        raise ValueError(f"PRAKAS_BASE_URL contains a character a URL cannot: {value!r}")
    return value.rstrip("/")


def base() -> str:
    """The public origin (and mount path) of the site, without a trailing slash."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured
    return request.host_url.rstrip("/") + request.script_root


def external(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, …)`` as an absolute URL under :func:`base`."""
    path = url_for(endpoint, **values)
    return base() + path.removeprefix(request.script_root)


def path(raw: str) -> str:
    """A request path as a safe redirect target: percent-quoted, and starting with one
    slash (``//evil.example`` would be another site)."""
    return request.script_root + "/" + quote(raw.lstrip("/"), safe=PATH_SAFE)


def here(pairs: list[tuple[str, str]]) -> str:
    """This request's path with the query ``pairs``, for a ``Location`` header."""
    query = urlencode(pairs)
    return path(request.path) + ("?" + query if query else "")
