"""The staff's review queues, computed by running the extractor over the content roots.

* :func:`unresolved` — every person the archive names who matches no registry entry:
  how often, the titles seen beside the name, the Khmer and Latin spellings the
  twins paired, example files. What staff add to the registry folder next.
* :func:`ministers` — everyone counted as a minister somewhere, and why: the
  registry's office at the article's date, or a title in the text.

Both read files only; the index is not needed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer import announcement, khmer
from indexer.entities import Entities
from indexer.sources import discover, versions

EXAMPLES = 3


def survey(roots: Iterable[Path]) -> Iterator[tuple[Path, Entities]]:
    """Every readable file's entities, as the index has them: an announcement at a
    time, through the one pipeline (:mod:`indexer.announcement`)."""
    for files in versions(discover(roots)).values():
        for version in announcement.read(files):
            yield Path(version.doc.path), version.entities


@dataclass
class _Tally:
    files: int = 0
    mentions: Counter[str] = field(default_factory=Counter)
    titles: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    known: bool = False

    def add(self, path: Path, mentions: list[str], titles: list[str], reason: str = "") -> None:
        self.files += 1
        self.mentions.update(mentions)
        self.titles.update(titles)
        if reason:
            self.reasons[reason] += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(str(path))


def unresolved(roots: Iterable[Path]) -> list[dict]:
    """People no registry entry matches, most often named first."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for path, found in survey(roots):
        for person in found.people:
            if not person.known:
                tallies[person.name].add(path, person.mentions, person.titles)
    rows = []
    for name, t in tallies.items():
        spellings = list(t.mentions)
        rows.append(
            {
                "name": name,
                "files": t.files,
                "titles": [title for title, _ in t.titles.most_common()],
                "latin": [s for s in spellings if not khmer.has_khmer(s)],
                "km": [s for s in spellings if khmer.has_khmer(s)],
                "examples": t.examples,
            }
        )
    return sorted(rows, key=lambda r: (-r["files"], r["name"]))


def ministers(roots: Iterable[Path]) -> list[dict]:
    """Everyone counted as a minister, with the reasons (registry or text) and how often."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for path, found in survey(roots):
        for person in found.people:
            if person.minister:
                t = tallies[person.name]
                t.add(path, person.mentions, person.titles, person.rank_from)
                t.known = t.known or person.known
    rows = [
        {
            "name": name,
            "files": t.files,
            "known": t.known,
            "why": [
                {
                    "source": reason.split(":", 1)[0],
                    "title": reason.split(":", 1)[-1].strip(),
                    "files": n,
                }
                for reason, n in t.reasons.most_common()
            ],
            "examples": t.examples,
        }
        for name, t in tallies.items()
    ]
    return sorted(rows, key=lambda r: (-r["files"], r["name"]))
