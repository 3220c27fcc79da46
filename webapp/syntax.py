"""The one description of what the search box understands, for the tip and ``/help``.

Both the one-line tip under the search box and the help page read :data:`SYNTAX`, so
they cannot disagree; every example is a real search that finds announcements in the
real corpus (tests/test_pages.py runs each one). The full reference for staff and the
API is ``docs/api.md`` (section *Query language*), which the help page links to.
Examples are typed text and stay as written in both interfaces; meanings are
translated (gettext).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Syntax:
    example: str  # as typed in the box; also the "try it" search
    meaning: LazyString
    tip: bool = False  # shown in the tip under the search box


SYNTAX: tuple[Syntax, ...] = (
    Syntax("training Takeo", _l("Plain words: announcements with every word, best first.")),
    Syntax("ខេត្តតាកែវ", _l("Khmer words, with or without spaces between them.")),
    Syntax('"digital literacy"', _l("An exact phrase."), tip=True),
    Syntax("training -Takeo", _l("Leave out announcements with a word."), tip=True),
    Syntax("Zavazava OR Sodany", _l("Either word. “AND”, “OR” and “NOT” are written in capitals.")),
    Syntax("title:ceremony", _l("A word in the title.")),
    Syntax('minister:"Chea Vandeth"', _l("Announcements naming a minister."), tip=True),
    Syntax("province:Takeo", _l("Announcements about a province."), tip=True),
    Syntax("place:Bati", _l("A district or commune.")),
    Syntax("lang:km", _l("Announcements in one language (“en” or “km”).")),
    Syntax("date:[2025-07-01 to 2025-07-31]", _l("Announcements between two dates.")),
)


def tip() -> list[Syntax]:
    """The few entries the tip under the search box shows."""
    return [s for s in SYNTAX if s.tip]
