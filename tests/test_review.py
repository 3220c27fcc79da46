"""The staff's review queues (:mod:`indexer.review`), called in process on five files
written here: who the registry does not know, and who counts as a minister and why.
(``tests/test_entities_unknown.py`` runs the same queues through the CLI, in a
subprocess.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import review

FILES = {
    "en/visit": (
        "Ministers visit Takeo",
        "2025-02-03",
        "H.E. Sok Vibol, Minister of Tourism, and Minister of Education Hang Chuon Naron "
        "visited Takeo province.",
    ),
    "km/visit": (
        "រដ្ឋមន្ត្រីទៅតាកែវ",
        "2025-02-03",
        "ឯកឧត្តម សុខ វិបុល រដ្ឋមន្ត្រីក្រសួងទេសចរណ៍ បានទៅខេត្តតាកែវ។",
    ),
    "km/market": ("ផ្សារថ្មី", "2025-04-05", "ឯកឧត្តម សុខ វិបុល រដ្ឋមន្ត្រីក្រសួងទេសចរណ៍ បានបើកផ្សារ។"),
    "en/school": (
        "A school opens",
        "2025-03-04",
        "H.E. Sok Vibol, Secretary of State, opened a school. H.E. Chan Sophal spoke.",
    ),
    "en/market": (
        "A market opens",
        "2025-04-05",
        "H.E. Sok Vibol, Minister of Tourism: a new market. Minister of Commerce Cham Nimul "
        "and Governor Lim Dara opened it.",
    ),
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("review") / "content"
    for name, (title, date, body) in FILES.items():
        path = root / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n", "utf-8")
    return root


def test_the_unresolved_queue_most_often_named_first(root: Path) -> None:
    """Sok Vibol, whom the registry does not know, in all five files (his Khmer spelling
    from the Khmer versions), at most three examples; then the three named once, by name.
    Hang Chuon Naron, whom it knows, is not in the queue."""
    rows = review.unresolved([root])
    for row in rows:
        row["examples"] = [str(Path(e).relative_to(root)) for e in row["examples"]]
    assert rows == [
        {
            "name": "Sok Vibol",
            "files": 5,
            # most often first; of equal counts, the first seen: files are read an
            # announcement at a time (market in English, then in Khmer, school, visit)
            "titles": [
                "H.E.",
                "ឯកឧត្តម រដ្ឋមន្ត្រីក្រសួងទេសចរណ៍",
                "Minister of Tourism: a new market",  # an apposition runs to the full stop
                "Secretary of State",
                "Minister of Tourism",
            ],
            "latin": ["Sok Vibol"],
            "km": ["សុខ វិបុល"],
            "examples": ["en/market.md", "km/market.md", "en/school.md"],  # three at most
        },
        {
            "name": "Cham Nimul",
            "files": 1,
            "titles": ["Minister of Commerce"],
            "latin": ["Cham Nimul"],
            "km": [],
            "examples": ["en/market.md"],
        },
        {
            "name": "Chan Sophal",
            "files": 1,
            "titles": ["H.E."],
            "latin": ["Chan Sophal"],
            "km": [],
            "examples": ["en/school.md"],
        },
        {
            "name": "Lim Dara",
            "files": 1,
            "titles": ["Governor"],
            "latin": ["Lim Dara"],
            "km": [],
            "examples": ["en/market.md"],
        },
    ]


def test_the_minister_queue_gives_each_reason(root: Path) -> None:
    """A minister by a title in the text (Sok Vibol: not as Secretary of State, so four
    files of five; Cham Nimul) or by the registry's office at the date (Hang Chuon
    Naron); a governor is no minister."""
    rows = review.ministers([root])
    for row in rows:
        row["examples"] = [str(Path(e).relative_to(root)) for e in row["examples"]]
    assert rows == [
        {
            "name": "Sok Vibol",
            "files": 4,
            "known": False,
            "why": [
                {"source": "text", "title": "ឯកឧត្តម រដ្ឋមន្ត្រីក្រសួងទេសចរណ៍", "files": 2},
                # the reason is "text: Minister of Tourism: a new market": the title is
                # all after the first colon
                {"source": "text", "title": "Minister of Tourism: a new market", "files": 1},
                {"source": "text", "title": "Minister of Tourism", "files": 1},
            ],
            "examples": ["en/market.md", "km/market.md", "en/visit.md"],
        },
        {
            "name": "Cham Nimul",
            "files": 1,
            "known": False,
            "why": [{"source": "text", "title": "Minister of Commerce", "files": 1}],
            "examples": ["en/market.md"],
        },
        {
            "name": "Hang Chuon Naron",
            "files": 1,
            "known": True,
            "why": [
                {
                    "source": "registry",
                    "title": "Minister of Education, Youth and Sport",
                    "files": 1,
                }
            ],
            "examples": ["en/visit.md"],
        },
    ]
