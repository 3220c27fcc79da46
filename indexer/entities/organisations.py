"""Organisations of the registry named in one announcement, by any name, abbreviation
or Khmer name."""

from __future__ import annotations

import re

from indexer import khmer
from indexer.entities.registry import Registry, registry
from indexer.entities.text import Text


def _patterns(
    reg: Registry,
) -> tuple[re.Pattern[str] | None, dict[str, str], list[tuple[str, str, str]]]:
    latin = {spelling: org.name for org in reg.organisations for spelling in org.latin}
    khmer_names = [
        (khmer.normalise(spelling), spelling, org.name)
        for org in reg.organisations
        for spelling in org.km
    ]
    if not latin:
        return None, latin, khmer_names
    alternation = "|".join(re.escape(s) for s in sorted(latin, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), latin, khmer_names


def find_organisations(doc: Text) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    pattern, latin, khmer_names = registry().derived(_patterns)
    for m in pattern.finditer(doc.text) if pattern else ():
        mentions = found.setdefault(latin[m.group()], [])
        if m.group() not in mentions:
            mentions.append(m.group())
    if doc.has_khmer:
        for norm, spelling, name in khmer_names:
            if norm in doc.norm:
                found.setdefault(name, []).append(spelling)
    return found
