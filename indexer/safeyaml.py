"""YAML as people write it in front matter and registry files, with its costly parts
refused: the one loader both read through.

PyYAML's ``SafeLoader`` builds no objects, but it still expands aliases: a 320-byte
"billion laughs" (``a: &a [x, x]``, ``b: &b [*a, *a]``, …) in ``tags`` became 226 MB
of text. Nobody needs an alias in an announcement or a list of officials, so an alias
is an error (:class:`Refused`), found while the document is composed, before anything
is expanded. Nesting is capped as well (``[[[[…`` a few thousand deep would exhaust
Python's stack in the composer).
"""

from __future__ import annotations

import yaml
from yaml.events import AliasEvent, CollectionStartEvent

MAX_DEPTH = 32  # mappings and lists inside each other; real files use 3


class Refused(yaml.YAMLError):
    """YAML that is valid but not accepted here; the message says why, with the line."""


class Loader(yaml.SafeLoader):
    """``SafeLoader`` without aliases and with a nesting limit."""

    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, AliasEvent):
            raise Refused(f"line {line}: YAML aliases (*{event.anchor}) are not accepted")
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise Refused(f"line {line}: YAML nested more than {MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load(text: str, loader: type[Loader] = Loader) -> object:
    """One YAML document, read by ``loader`` (this module's or a subclass of it)."""
    return yaml.load(text, Loader=loader)  # a SafeLoader subclass
