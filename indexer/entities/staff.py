"""The registry folder staff maintain (``PRAKAS_REGISTRY``): reading and checking it.

Any number of files, read in name order:

* YAML (``*.yaml``, ``*.yml``): a mapping with ``people:`` and/or ``organisations:``
  lists, each item shaped like the bundled JSON::

      people:
        - name: Dith Tina                  # canonical Latin name (required)
          km: [ឌិត ទីណា]                   # Khmer spellings
          latin: [Dit Tina]                # other Latin spellings in use
          offices:
            - title: Minister of Agriculture, Forestry and Fisheries
              minister: true
              from: 2022-09-01
      organisations:
        - name: Ministry of Agriculture, Forestry and Fisheries
          abbr: [MAFF]
          km: [ក្រសួងកសិកម្ម រុក្ខាប្រមាញ់ និងនេសាទ]

* CSV with a header row: ``people*.csv`` or ``officials*.csv`` with the columns
  ``name, km, latin, title, minister, from, to`` (several spellings in one cell are
  separated by ``;``; a person with two offices takes two rows with the same name),
  and ``organisations*.csv`` with ``name, abbr, latin, km``.

Files named ``synonyms*`` hold the synonyms the search applies (:mod:`.synonyms`);
``prakas registry check`` checks them too.

Every mistake is reported with its file and line (:func:`check`); loading leaves a bad
row out and keeps the rest, so one mistake stops neither the nightly index nor the web
app. What staff files are seen to hold: a byte-order mark (accepted), a key that is not
text (``1: x``), a cell longer than the ``csv`` module's 131,072 characters, a quote
never closed (which would swallow every row after it: reported, with the lines lost),
YAML aliases (refused, :mod:`indexer.safeyaml`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer import khmer, safeyaml
from indexer.entities import synonyms
from indexer.places import fold_khmer, fold_latin

PERSON_KEYS = {"name", "km", "latin", "offices"}
OFFICE_KEYS = {"title", "minister", "from", "to"}
ORGANISATION_KEYS = {"name", "abbr", "latin", "km"}
PEOPLE_CSV_COLUMNS = ("name", "km", "latin", "title", "minister", "from", "to")
ORGANISATION_CSV_COLUMNS = ("name", "abbr", "latin", "km")
SUFFIXES = (".yaml", ".yml", ".csv")
_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Read:
    """What a folder holds: valid entries, the problems of the others, the files read."""

    people: list = field(default_factory=list)  # list[Official]
    organisations: list = field(default_factory=list)  # list[Organisation]
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    synonyms: list[tuple[str, ...]] = field(default_factory=list)  # groups (check only)


def folder_files(folder: Path) -> list[Path]:
    """The people and organisations files (synonyms files are :mod:`.synonyms`')."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not synonyms.is_file(p)
    )


def read_folder(folder: Path, base=None) -> Read:
    """Every entry of ``folder``, checked; ``base`` is the registry the folder is merged over
    (a spelling that would name two different people is refused)."""
    from indexer.entities.registry import Registry

    base = base if base is not None else Registry()
    result = Read()
    if not folder.is_dir():
        result.problems.append(Problem(folder, 0, "not a folder"))
        return result
    owners: dict[tuple[str, str], str] = {
        **{("latin", fold_latin(n)): o.name for o in base.officials for n in (o.name, *o.latin)},
        **{("km", fold_khmer(n)): o.name for o in base.officials for n in o.km},
    }
    seen_yaml: set[str] = set()
    for path in folder_files(folder):
        result.files.append(path)
        try:
            _read_file(path, result, owners, seen_yaml)
        except Exception as exc:  # no rule foresaw it: reported, never a traceback
            _log.warning("registry file %s", path, exc_info=True)
            message = (
                f"cannot be read ({type(exc).__name__}: {exc}); its later entries are left out"
            )
            result.problems.append(Problem(path, 0, message))
    result.people = _join_rows(result.people)
    return result


def _read_file(path: Path, result: Read, owners: dict, seen_yaml: set[str]) -> None:
    """One file's entries into ``result``: the valid ones, and the problems of the rest."""
    from indexer.entities.registry import official_from_record, organisation_from_record

    for kind, line, record, problems in _records(path):
        if not problems:
            problems = _check_person(record) if kind == "people" else _check_organisation(record)
        if kind == "people" and not problems:
            problems = _check_owners(record, owners)
            if path.suffix != ".csv" and record["name"] in seen_yaml:
                problems.append(f"{record['name']} is listed twice")
        if problems:
            result.problems.extend(
                Problem(path, *p) if isinstance(p, tuple) else Problem(path, line, p)
                for p in problems
            )
            continue
        if kind == "people":
            if path.suffix != ".csv":
                seen_yaml.add(record["name"])
            result.people.append(official_from_record(record))
        else:
            result.organisations.append(organisation_from_record(record))


def check(folder: Path) -> Read:
    """The folder read against the bundled facts, with its synonyms files, for
    ``prakas registry check``."""
    from indexer.entities.registry import bundled

    result = read_folder(folder, bundled())
    found = synonyms.read(folder)
    result.files.extend(found.files)
    result.problems.extend(Problem(*p) for p in found.problems)
    result.synonyms = found.groups
    return result


def _join_rows(people: list) -> list:
    """CSV rows with one name are one person: spellings and offices add up."""
    from indexer.entities.registry import Official

    joined: dict[str, Official] = {}
    for p in people:
        old = joined.get(p.name)
        joined[p.name] = (
            p
            if old is None
            else Official(
                p.name,
                tuple(dict.fromkeys(old.latin + p.latin)),
                tuple(dict.fromkeys(old.km + p.km)),
                old.offices + p.offices,
            )
        )
    return list(joined.values())


# --- files → records (kind, line, record, problems) ----------------------------------------


class _LineLoader(safeyaml.Loader):
    """Safe YAML (no aliases) whose mappings remember the line they start on."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


# Dates stay text until checked, so a bad one is reported with its line, not raised.
_LineLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in safeyaml.Loader.yaml_implicit_resolvers.items()
}


def _records(path: Path) -> Iterator[tuple[str, int, dict, list[str]]]:
    try:
        text = path.read_text("utf-8-sig")  # a BOM (Excel's CSV, Notepad) is no header
    except (OSError, UnicodeDecodeError) as exc:
        yield "people", 0, {}, [f"cannot read: {exc}"]
        return
    if path.suffix.lower() == ".csv":
        yield from _csv_records(path, text)
    else:
        yield from _yaml_records(text)


def _yaml_records(text: str) -> Iterator[tuple[str, int, dict, list[str]]]:
    try:
        data = safeyaml.load(text, _LineLoader)
    except safeyaml.Refused as exc:
        yield "people", 0, {}, [str(exc)]
        return
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        yield "people", line, {}, [f"not valid YAML: {getattr(exc, 'problem', exc)}"]
        return
    if data is None:
        return
    if not isinstance(data, dict):
        yield "people", 1, {}, ["expected a mapping with people: and/or organisations:"]
        return
    top = data.pop("__line__", 1)
    for key in sorted(set(data) - {"people", "organisations"}, key=repr):
        yield "people", top, {}, [f"unknown section {key!r} (people, organisations)"]
    for kind in ("people", "organisations"):
        items = data.get(kind) or []
        if not isinstance(items, list):
            yield kind, top, {}, [f"{kind}: expected a list"]
            continue
        for item in items:
            if not isinstance(item, dict):
                yield kind, top, {}, [f"{kind}: each entry must be a mapping, not {item!r}"]
                continue
            yield kind, item.pop("__line__", top), item, []


def _csv_records(path: Path, text: str) -> Iterator[tuple[str, int, dict, list[str]]]:
    stem = path.stem.lower()
    columns: tuple[str, ...]
    if stem.startswith(("people", "officials")):
        kind, columns = "people", PEOPLE_CSV_COLUMNS
    elif stem.startswith("organisations"):
        kind, columns = "organisations", ORGANISATION_CSV_COLUMNS
    else:
        yield (
            "people",
            1,
            {},
            ["a CSV file is named people*.csv, officials*.csv or organisations*.csv"],
        )
        return
    # strict: a quote never closed is an error at the end of the file, not one last
    # cell swallowing every row after it
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        yield kind, 1, {}, [f"header cannot be read: {exc}"]
        return
    unknown = [h for h in header if h not in columns]
    if "name" not in header or unknown:
        yield (
            kind,
            1,
            {},
            [f"header must name the columns {', '.join(columns)}; unknown: {unknown}"],
        )
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield kind, start, {}, [_csv_error(exc, start, reader.line_num)]
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield kind, line, {}, [f"{len(row)} cells for {len(header)} columns"]
            continue
        cells = {h: c.strip() for h, c in zip(header, row, strict=False)}
        yield kind, line, *_csv_record(kind, cells)


def _csv_error(exc: csv.Error, start: int, end: int) -> str:
    """A row the ``csv`` module cannot read, in words: the row is left out."""
    message = str(exc)
    if "field larger than field limit" in message:
        return f"a cell is longer than {csv.field_size_limit():,} characters; row left out"
    if "unexpected end of data" in message:
        return (
            f"a quote opened here is never closed: lines {start}-{end} (the rest of the "
            "file) were not read"
        )
    return f"row cannot be read ({message}); left out"


def _split(cell: str) -> list[str]:
    return [s.strip() for s in cell.split(";") if s.strip()]


def _csv_record(kind: str, cells: dict[str, str]) -> tuple[dict, list[str]]:
    record: dict[str, object] = {"name": cells.get("name", "")}
    if kind == "organisations":
        for key in ("abbr", "latin", "km"):
            record[key] = _split(cells.get(key, ""))
        return record, []
    for key in ("km", "latin"):
        record[key] = _split(cells.get(key, ""))
    if any(cells.get(k) for k in OFFICE_KEYS):
        minister = cells.get("minister", "").lower()
        if minister not in _TRUE | _FALSE:
            return record, [f"minister must be true or false, not {cells.get('minister')!r}"]
        record["offices"] = [
            {
                "title": cells.get("title", ""),
                "minister": minister in _TRUE,
                **{k: cells[k] for k in ("from", "to") if cells.get(k)},
            }
        ]
    return record, []


# --- checks, one message each ----------------------------------------------------------------


def _spellings(record: dict, key: str, problems: list[str]) -> list[str]:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = record[key] = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{key}: expected a list of names")
        return []
    return value


def _check_name(record: dict, problems: list[str]) -> None:
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name is missing")
    elif khmer.has_khmer(name):
        problems.append(f"name {name!r} must be in Latin script (Khmer spellings go in km)")


def _check_person(record: dict) -> list:
    """Messages, or (line, message) for an office on a line of its own."""
    problems: list = []
    for key in sorted(set(record) - PERSON_KEYS, key=repr):
        problems.append(f"unknown field {key!r} (name, km, latin, offices)")
    _check_name(record, problems)
    for spelling in _spellings(record, "km", problems):
        if not khmer.has_khmer(spelling) or any("a" <= c.lower() <= "z" for c in spelling):
            problems.append(f"km: {spelling!r} is not in Khmer script")
    for spelling in _spellings(record, "latin", problems):
        if khmer.has_khmer(spelling):
            problems.append(f"latin: {spelling!r} is in Khmer script")
    offices = record.get("offices") or []
    if not isinstance(offices, list):
        return [*problems, "offices: expected a list"]
    for office in offices:
        if not isinstance(office, dict):
            problems.append(f"offices: each office is a mapping, not {office!r}")
            continue
        line = office.pop("__line__", None)
        problems.extend((line, m) if line else m for m in _check_office(office))
    return problems


def _check_office(office: dict) -> list[str]:
    problems = [f"office: unknown field {k!r}" for k in sorted(set(office) - OFFICE_KEYS, key=repr)]
    title = office.get("title", "")
    if not isinstance(title, str):
        problems.append(f"office {title!r}: the title must be text")
    if not isinstance(office.get("minister"), bool):
        problems.append(f"office {title!r}: minister must be true or false")
    dates: dict[str, dt.date] = {}
    for key in ("from", "to"):
        value = office.get(key)
        if value in (None, ""):
            continue
        try:
            dates[key] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            problems.append(f"office {title!r}: {key} {value!r} is not a date (YYYY-MM-DD)")
    if len(dates) == 2 and dates["from"] > dates["to"]:
        problems.append(f"office {title!r}: from {dates['from']} is after to {dates['to']}")
    return problems


def _check_owners(record: dict, owners: dict[tuple[str, str], str]) -> list[str]:
    """A spelling names one person: refuse one that already names someone else."""
    name = record["name"].strip()
    problems = []
    keys = [("latin", fold_latin(n)) for n in (name, *record.get("latin", []))]
    keys += [("km", fold_khmer(n)) for n in record.get("km", [])]
    for key in keys:
        owner = owners.get(key)
        if owner is not None and owner != name:
            problems.append(f"a spelling of {name} already names {owner}")
    if not problems:
        owners.update(dict.fromkeys(keys, name))
    return problems


def _check_organisation(record: dict) -> list[str]:
    problems = [
        f"unknown field {k!r} (name, abbr, latin, km)"
        for k in sorted(set(record) - ORGANISATION_KEYS, key=repr)
    ]
    _check_name(record, problems)
    for key in ("abbr", "latin", "km"):
        _spellings(record, key, problems)
    return problems
