"""Raw HTML in an announcement's Markdown → HTML safe to serve, by an allow-list.

Sites paste HTML into Markdown (``<Strong>…</Strong>``, ``<div align=center>``). It is
rendered, not shown as literal tags, and cleaned by ``nh3`` (the Python binding of
Ammonia, a maintained allow-list sanitiser that parses HTML as a browser does): only
the tags below survive, with only the attributes below, ``<script>`` and ``<style>``
lose their content, event handlers and ``javascript:`` URLs are gone, links get
``rel="noopener noreferrer"``. Raw ``<img>`` is not kept: an announcement's images
come from ``ASSET_BASE_URL`` by our own rule, whose output is set aside before the
cleaning (:func:`keep`) and put back after it.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    "p br hr h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre code em strong b i u s "
    "del ins sub sup small mark a table thead tbody tfoot tr th td caption".split()
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
# What our own render rules made, kept out of the cleaning: \ue000<n>\ue001
_OPEN, _CLOSE = "\ue000", "\ue001"
_KEPT = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_KEY = "trusted"


def keep(env: dict, html: str) -> str:
    """For a render rule: ``html`` (ours, escaped by construction) passes the cleaning
    unchanged; outside :func:`render` it is returned as it is."""
    if _KEY not in env:
        return html
    env[_KEY].append(html)
    return f"{_OPEN}{len(env[_KEY]) - 1}{_CLOSE}"


def clean(html: str) -> str:
    """Only the allow-listed tags and attributes of ``html``; all text escaped."""
    return nh3.clean(html, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()})


def render(md: MarkdownIt, text: str, env: dict) -> str:
    """``text`` through ``md`` (raw HTML on), then :func:`clean`, with what the render
    rules :func:`keep` put back afterwards."""
    trusted: list[str] = []
    text = text.replace(_OPEN, "").replace(_CLOSE, "")  # no forged placeholder
    html = clean(md.render(text, {**env, _KEY: trusted}))
    return _KEPT.sub(lambda m: trusted[int(m.group(1))], html)
