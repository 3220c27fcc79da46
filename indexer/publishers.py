"""Who published a content root: ``<root>/publisher.yaml``, read once per run.

::

    id: trc                      # short, stable: URLs and ids carry it
    name:
      en: Telecommunication Regulator of Cambodia
      km: និយ័តករទូរគមនាគមន៍កម្ពុជា
    date_order: MDY              # optional: how the site writes 03/04/2020

A root without the file has no publisher (one body's archive, as before). The
publisher of the first root is the install's own: its announcements keep their bare
slugs, so a single-publisher install keeps every URL. Every other publisher's slugs
are ``<id>/<slug>``: two bodies' ``1-post.md`` stay two announcements. The same
settings may be given on the command line instead (``prakas index --publisher``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from indexer.dates import ORDERS, Order
from indexer.documents import LANGUAGES

SETTINGS_FILE = "publisher.yaml"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


class BadPublisher(ValueError):
    """A publisher settings file that cannot be used; the message says why and where."""


@dataclass(frozen=True)
class Publisher:
    id: str
    name: tuple[tuple[str, str], ...] = ()  # (language, name) in every language
    date_order: Order | None = None


def load(root: Path) -> Publisher | None:
    """The publisher of ``root``, or None when it has no settings file."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BadPublisher(f"{path}: cannot read ({exc})") from None
    return parse(data, str(path))


def parse(data: object, where: str = SETTINGS_FILE) -> Publisher:
    """Settings (a mapping, as in the file) → a :class:`Publisher`, or why not."""
    if not isinstance(data, dict):
        raise BadPublisher(f"{where}: expected a mapping with id and name")
    pid = data.get("id")
    if not isinstance(pid, str) or not _ID.fullmatch(pid):
        raise BadPublisher(
            f"{where}: id must be 1-40 lower-case letters, digits or '-', not {pid!r}"
        )
    names = data.get("name")
    if not isinstance(names, dict) or any(
        not isinstance(names.get(lang), str) or not names[lang].strip() for lang in LANGUAGES
    ):
        wanted = ", ".join(f"name.{lang}" for lang in LANGUAGES)
        raise BadPublisher(f"{where}: the publisher's name in every language ({wanted})")
    order = data.get("date_order")
    if order is not None and order not in ORDERS:
        raise BadPublisher(f"{where}: date_order must be one of {', '.join(ORDERS)}, not {order!r}")
    unknown = set(data) - {"id", "name", "date_order"}
    if unknown:
        raise BadPublisher(f"{where}: unknown setting(s) {', '.join(sorted(map(str, unknown)))}")
    return Publisher(
        id=pid, name=tuple((lang, names[lang].strip()) for lang in LANGUAGES), date_order=order
    )


def of_roots(
    roots: list[Path], given: Mapping[Path, Publisher] | None = None
) -> list[Publisher | None]:
    """Each root's publisher (``given`` on the command line, else its settings file),
    checked: one id names one publisher everywhere."""
    given = given or {}
    found = [given[root] if root in given else load(root) for root in roots]
    by_id: dict[str, Publisher] = {}
    for root, pub in zip(roots, found, strict=True):
        if pub is None:
            continue
        other = by_id.setdefault(pub.id, pub)
        if other.name != pub.name:
            raise BadPublisher(f"{root / SETTINGS_FILE}: id {pub.id!r} has another name elsewhere")
    return found


def slug_prefix(pub: Publisher | None, default: Publisher | None) -> str:
    """``<id>/`` before a non-default publisher's slugs; nothing for the install's own."""
    if pub is None or (default is not None and pub.id == default.id):
        return ""
    return f"{pub.id}/"
