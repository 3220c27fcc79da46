"""Files grouped into units (webapp.facets.Units): which units a mask of files touches,
and every file of a mask of units, by both of their paths (a few set entries scattered,
many gathered slot by slot), against answers written out by hand; and facet values
ordered by count, ties by name."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from webapp.facets import SPARSE, Columns, Units, top_values

# 40 files in 13 units: file f belongs to unit OF[f]. Units 0–11 have three files each,
# far apart (as an incremental build leaves them); unit 12 has four, side by side.
OF = [0, 1, 2, 0, 3, 4, 5, 1, 6, 7, 8, 9, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]
OF += [12, 12, 12, 12, 3, 5, 7, 9, 11, 1, 2, 4, 6, 8, 10]
FILES_OF = {u: [f for f, owner in enumerate(OF) if owner == u] for u in range(13)}


def _units() -> Units:
    of = np.array(OF, dtype=np.int32)
    day = dt.date(2024, 5, 1).toordinal()
    cols = Columns(
        n=len(OF),
        alive=np.ones(len(OF), dtype=bool),
        date=np.full(len(OF), day, dtype=np.int32),
        lang=np.zeros(len(OF), dtype=np.int8),
        untranslated=np.zeros(len(OF), dtype=bool),
        pairs={},
        units={},
    )
    return Units.group(of, 13, cols)


def test_the_files_of_each_unit_by_hand() -> None:
    assert FILES_OF[0] == [0, 3, 24] and FILES_OF[12] == [25, 26, 27, 28]
    units = _units()
    assert units.widest == 4
    assert [units.files(u) for u in range(13)] == [FILES_OF[u] for u in range(13)]


@pytest.mark.parametrize(
    ("files", "units"),
    [
        ([], []),
        ([24], [0]),  # the third file of unit 0: a slot filled by repetition still finds it
        ([28], [12]),  # the fourth file of the widest unit
        ([3, 15], [0, 3]),  # few: scattered
        # many (more than 1 in SPARSE): gathered slot by slot
        (list(range(0, 40, 2)), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12]),  # 7, 11: odd files only
        ([5, 6, 7, 8, 9, 10, 11, 16, 34, 35], [1, 2, 4, 5, 6, 7, 8, 9]),
    ],
)
def test_the_units_a_mask_of_files_touches(files: list[int], units: list[int]) -> None:
    grouped = _units()
    mask = np.zeros(len(OF), dtype=bool)
    mask[files] = True
    assert np.flatnonzero(grouped.any(mask)).tolist() == units


def test_both_paths_are_taken() -> None:
    """The cases here cross the threshold both ways: up to 4 of 40 files and 1 of 13
    units are scattered, more are gathered."""
    assert [n * SPARSE < len(OF) for n in (4, 5)] == [True, False]
    assert [n * SPARSE < 13 for n in (1, 2)] == [True, False]


@pytest.mark.parametrize(
    ("units", "files"),
    [
        ([], []),
        ([12], [25, 26, 27, 28]),
        ([0, 11], [0, 3, 13, 23, 24, 33]),
        (list(range(13)), list(range(40))),
        (
            [0, 1, 2, 3, 4, 5, 6],
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 24, 29, 30, 34, 35, 36, 37],
        ),
    ],
)
def test_every_file_of_a_mask_of_units(units: list[int], files: list[int]) -> None:
    grouped = _units()
    mask = np.zeros(13, dtype=bool)
    mask[units] = True
    assert np.flatnonzero(grouped.spread(mask)).tolist() == files


def test_facet_values_by_count_then_by_name() -> None:
    values = ["Battambang", "Kampot", "Kandal", "Takeo", "កំពត"]  # a lexicon's order
    counts = np.array([2, 5, 2, 0, 5])
    out = top_values(counts, values, [])
    assert [(v.value, v.count) for v in out] == [
        ("Kampot", 5),
        ("កំពត", 5),
        ("Battambang", 2),
        ("Kandal", 2),
    ]
    chosen = top_values(counts, values, ["Takeo"], limit=1)
    assert [(v.value, v.count, v.selected) for v in chosen] == [
        ("Kampot", 5, False),
        ("Takeo", 0, True),
    ]
