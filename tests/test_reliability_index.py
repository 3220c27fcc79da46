"""Issue 26, the indexer's half: what a careless staff file, an unlucky operator or a
crash did to the nightly run, each reproduced on real files in a temporary folder.

Each test names its finding. The files are written here or copied from the bundled
``content/``; expected values are counted by hand from what the test wrote.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from indexer import store
from indexer.build import MANIFEST
from tests.conftest import (
    CONTENT,
    PROJECT,
    cli,
    free_port,
    paused_index,
    prakas,
    serve_process,
)

GOOD = "---\ntitle: {title}\ndate: 2024-03-0{day}\n---\n{body}\n"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def good(title: str, day: int = 1, body: str = "A note from the ministry.") -> str:
    return GOOD.format(title=title, day=day, body=body)


def ids(index_dir: Path) -> dict[str, dict]:
    ix, _ = store.open_index(index_dir)
    with ix.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def files_of(gen: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of a generation: its inode and its bytes."""
    return {p.name: (p.stat().st_ino, p.read_bytes()) for p in gen.iterdir() if p.is_file()}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the bundled content (writable)."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


# --- finding 2: staff registry files ---------------------------------------------------------

PERSON = """\
  - name: Ouk Rachana
    km: [អ៊ុក រចនា]
    offices:
      - title: Minister of Agriculture, Forestry and Fisheries
        minister: true
        from: 2025-01-01
"""
HEADER = "name,km,latin,title,minister,from,to\n"


def test_registry_yaml_key_that_is_not_text_is_a_line_numbered_problem(tmp_path: Path) -> None:
    """Issue 26 finding 2: a YAML person with the key ``1: x`` made ``registry check``
    raise a TypeError (sorting mixed keys); each key is a problem on its line, and the
    other person is kept."""
    folder = tmp_path / "registry"
    write(folder / "people.yaml", "people:\n  - name: Dith Tina\n    1: x\n    role: y\n" + PERSON)
    result = prakas("registry", "check", folder)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    where = f"{folder / 'people.yaml'}:2"
    assert result.stdout.splitlines() == [
        f"{where}: unknown field 'role' (name, km, latin, offices)",
        f"{where}: unknown field 1 (name, km, latin, offices)",
    ]
    assert "1 files, 1 people, 0 organisations, 0 synonym groups, 2 problems" in result.stderr


def test_registry_csv_huge_cell_unclosed_quote_and_bom(tmp_path: Path) -> None:
    """Issue 26 finding 2: a cell over 131,072 characters crashed the reader; a quote
    never closed swallowed the rows after it with "0 problems"; a header with a BOM was
    refused. Now: the long row is left out with its line, the unclosed quote is reported
    with the lines it took, the BOM is accepted, the good rows are kept."""
    from indexer.entities.staff import check

    folder = tmp_path / "registry"
    write(
        folder / "people.csv",
        "\ufeff"
        + HEADER
        + "Sok Dara,,,Director,false,,\n"  # line 2
        + "Chan Tola,"
        + "x" * 131_073
        + ",,,,,\n"  # line 3: too long
        + "Keo Sophal,,,Director,false,,\n"  # line 4
        + 'Lim Bora,,"Lim Bor,Director,false,,\n'  # line 5: a quote never closed
        + "Hun Vanna,,,Director,false,,\n"  # line 6, swallowed by it
        + "Mao Sreypov,,,Director,false,,\n",  # line 7, too
    )
    result = check(folder)
    assert sorted(p.name for p in result.people) == ["Keo Sophal", "Sok Dara"]
    assert [(p.line, p.message) for p in result.problems] == [
        (3, "a cell is longer than 131,072 characters; row left out"),
        (5, "a quote opened here is never closed: lines 5-7 (the rest of the file) were not read"),
    ]


def test_a_bad_registry_stops_neither_the_index_nor_the_web_app(tmp_path: Path) -> None:
    """Issue 26 finding 2: with such a folder in PRAKAS_REGISTRY, ``prakas index`` failed
    with a traceback and the web app answered 500 to 7 of 11 probe URLs."""
    from webapp import create_app

    folder = tmp_path / "registry"
    write(folder / "people.yaml", "people:\n  - name: Dith Tina\n    1: x\n    role: y\n" + PERSON)
    write(folder / "officials.csv", HEADER + "Chan Tola," + "x" * 140_000 + ",,,,,\n")
    write(folder / "organisations.csv", '\ufeffname,abbr\n"Ministry of Rice,MR\n')
    env = {"PRAKAS_REGISTRY": str(folder)}
    ix = tmp_path / "ix"
    result = cli("index", "--content", CONTENT, "--index", ix, env=env)
    assert result.returncode == 0, result.stderr
    slug = next(iter(ids(ix).values()))["slug"]
    os.environ["PRAKAS_REGISTRY"] = str(folder)
    try:
        client = create_app({"INDEX_DIR": ix, "CACHE_DIR": tmp_path / "cache"}).test_client()
        probes = [
            "/",
            "/?q=Takeo",
            "/?q=minister&ui=km",
            "/search?q=minister:%22Ouk+Rachana%22",
            "/search?q=Takeo&province=Takeo",
            "/api/search?q=Takeo",
            "/api/search.csv?q=Takeo",
            "/feed.atom?q=Takeo",
            f"/a/en/{slug}",
            "/help",
            "/healthz",
        ]
        codes = {url: client.get(url).status_code for url in probes}
    finally:
        del os.environ["PRAKAS_REGISTRY"]
    assert {url: code for url, code in codes.items() if code >= 500} == {}
    assert codes["/healthz"] == 200


# --- finding 3: what cannot be read is not deleted --------------------------------------------


def _drop_permission_bypass() -> None:
    """In the child, before ``exec``: take CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH out
    of the bounding set, so the program it runs lacks them even as root."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # <linux/capability.h>


def as_unprivileged(*args: str | Path) -> subprocess.CompletedProcess:
    """``prakas`` run where file permissions apply. The tests run as root, whom the
    kernel lets read anything (the capabilities CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH),
    so as root the command runs without those two: a real process, real permission
    bits, real EACCES from the kernel, on files root owns (mode 000 shuts out the
    owner). As any other user it runs as that user, for whom the bits apply anyway."""
    root = os.geteuid() == 0
    return subprocess.run(
        [sys.executable, "-m", "prakas", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
        preexec_fn=_drop_permission_bypass if root else None,
    )


@pytest.mark.parametrize("mode", [0o000, 0o644], ids=["no-read", "no-execute"])
def test_an_unreadable_folder_keeps_its_announcements(tmp_path: Path, mode: int) -> None:
    """Issue 26 finding 3: an unreadable ``km/`` folder deleted every Khmer
    announcement, exit 0. Its files keep their indexed version; the folder is reported;
    an edit elsewhere is still published; exit 1."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    ix = tmp_path / "ix"
    first = as_unprivileged("index", "--content", content, "--index", ix)
    assert first.returncode == 0, first.stderr[-2000:]
    before = ids(ix)
    khmer = {i for i in before if i.startswith("km/")}
    assert khmer
    edited = sorted((content / "en").glob("*.md"))[0]
    edited.write_text(edited.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    (content / "km").chmod(mode)
    result = as_unprivileged("index", "--content", content, "--index", ix, "--json")
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["deleted"] == 0
    assert [s["path"] for s in report["skipped"]] == [str(content / "km")]
    assert "folder cannot be read: Permission denied" in report["skipped"][0]["reason"]
    after = ids(ix)
    assert set(after) == set(before)
    assert after[f"en/{edited.stem}"]["title"].startswith("Edited ")


def test_a_changed_file_that_became_unreadable_keeps_its_last_version(tmp_path: Path) -> None:
    """Issue 26 finding 5 (and 3): one changed file that could no longer be read failed
    the run (exit 4) and the other edits were lost."""
    content = tmp_path / "content"
    write(content / "en" / "a.md", good("Alpha first", 1))
    write(content / "en" / "b.md", good("Bravo first", 2))
    write(content / "en" / "c.md", good("Charlie first", 3))
    ix = tmp_path / "ix"
    assert as_unprivileged("index", "--content", content, "--index", ix).returncode == 0
    write(content / "en" / "a.md", good("Alpha second", 1) + "More text.\n")
    (content / "en" / "a.md").chmod(0o000)
    write(content / "en" / "b.md", good("Bravo second", 2))
    result = as_unprivileged("index", "--content", content, "--index", ix)
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"skipped: {content / 'en' / 'a.md'}: cannot read: Permission denied" in result.stderr
    titles = {i: f["title"] for i, f in ids(ix).items()}
    assert titles == {"en/a": "Alpha first", "en/b": "Bravo second", "en/c": "Charlie first"}


def test_mass_deletion_is_refused_unless_allowed(sample: Path, tmp_path: Path) -> None:
    """Issue 26 finding 3: a run that would delete more than PRAKAS_MAX_DELETE (20%) of
    the indexed files refuses with exit 5 and writes nothing, unless
    ``--allow-mass-delete``."""
    ix = tmp_path / "ix"
    assert cli("index", "--content", sample, "--index", ix).returncode == 0
    live = store.current_generation(ix)
    paths = sorted(sample.rglob("*.md"))
    n = len(paths)
    gone = paths[: n // 4 + 1]  # more than a fifth
    for path in gone:
        path.unlink()
    result = cli("index", "--content", sample, "--index", ix)
    assert result.returncode == 5, result.stderr
    assert f"{len(gone)} of {n} indexed files are gone" in result.stderr
    assert store.current_generation(ix) == live and len(ids(ix)) == n
    allowed = cli("index", "--content", sample, "--index", ix, "--allow-mass-delete")
    assert allowed.returncode == 0, allowed.stderr
    assert len(ids(ix)) == n - len(gone)


def test_an_empty_root_is_refused(sample: Path, tmp_path: Path) -> None:
    """Issue 26 finding 3: an empty root (an unmounted share) deleted all the files,
    exit 0."""
    ix = tmp_path / "ix"
    assert cli("index", "--content", sample, "--index", ix).returncode == 0
    n = len(ids(ix))
    mount_point = tmp_path / "share"
    mount_point.mkdir()
    result = cli("index", "--content", mount_point, "--index", ix)
    assert result.returncode == 5, result.stderr
    assert f"the content folders hold no announcements: all {n} indexed files" in result.stderr
    assert len(ids(ix)) == n


# --- finding 4: the live generation is never written ------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Two announcements naming no province: the live generation's labels are empty."""
    content = tmp_path / "content"
    for i, title in enumerate(["Training for teachers", "Postal rates"], 1):
        write(content / "en" / f"note-{i}.md", good(title, i))
    return content


def test_an_incremental_run_leaves_every_live_file_as_it_was(small: Path, tmp_path: Path) -> None:
    """Issue 26 finding 4: ``labels.json`` was hard-linked into the new build and
    rewritten in place, changing the live generation's file. Every live file keeps its
    inode and bytes; every file of the new generation is new or a link to one of them."""
    ix = tmp_path / "ix"
    assert cli("index", "--content", small, "--index", ix).returncode == 0
    live = store.current_generation(ix)
    assert live is not None
    before = files_of(live)
    assert json.loads(before["labels.json"][1]) == {}
    write(small / "en" / "takeo.md", good("A school opens in Takeo province", 3))
    assert cli("index", "--content", small, "--index", ix).returncode == 0
    new = store.current_generation(ix)
    assert new is not None and new != live
    assert files_of(live) == before
    assert store.read_labels(new)["province"]["Takeo"] == {"km": "តាកែវ"}
    live_inodes = {ino: data for ino, data in before.values()}
    for name, (ino, data) in files_of(new).items():
        assert ino not in live_inodes or live_inodes[ino] == data, name


def _fail_on_open(monkeypatch: pytest.MonkeyPatch, fragment: str) -> None:
    """A disk that fills as a file whose name holds ``fragment`` is written: the file is
    opened (and truncated, in ``w`` mode) as the real call does, then ENOSPC."""
    real_open = pathlib.Path.open

    def full_disk(self: Path, mode: str = "r", *args: object, **kwargs: object):
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[arg-type]
        if fragment in self.name and any(c in mode for c in "wxa"):
            handle.close()
            raise OSError(errno.ENOSPC, "No space left on device")
        return handle

    monkeypatch.setattr(pathlib.Path, "open", full_disk)


def _indexed_then_edited(content: Path, ix: Path) -> tuple[Path, Path, dict]:
    """``content`` with a file naming Takeo, indexed; then one naming Kampot added (a
    change to the labels). The index, its live generation, and that generation's files."""
    write(content / "en" / "takeo.md", good("A school opens in Takeo province", 3))
    assert cli("index", "--content", content, "--index", ix).returncode == 0
    live = store.current_generation(ix)
    assert live is not None
    write(content / "en" / "kampot.md", good("Broadband in Kampot province", 4))
    return ix, live, files_of(live)


def test_a_full_disk_while_labels_are_written_leaves_the_live_generation_whole(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26 finding 4: a failure between the truncation of the shared
    ``labels.json`` and its rewrite left the live generation with an empty labels file
    (and a web app that failed to boot)."""
    ix, live, before = _indexed_then_edited(small, tmp_path / "ix")
    _fail_on_open(monkeypatch, "labels.json")
    result = cli("index", "--content", small, "--index", ix)
    monkeypatch.undo()
    assert result.returncode == 4, result.stderr
    assert store.current_generation(ix) == live
    assert files_of(live) == before
    assert store.read_labels(live)["province"]["Takeo"] == {"km": "តាកែវ"}
    assert cli("search", "--index", ix, "Takeo").returncode == 0


def test_a_full_disk_on_an_mtime_only_change_leaves_no_temporary_file(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26 finding 4: a touched file (same bytes, new mtime) with a full disk left
    ``.manifest.json.tmp`` in the live generation."""
    ix = tmp_path / "ix"
    assert cli("index", "--content", small, "--index", ix).returncode == 0
    live = store.current_generation(ix)
    assert live is not None
    before = files_of(live)
    os.utime(small / "en" / "note-1.md", ns=(1_000_000_000, 1_000_000_000))
    _fail_on_open(monkeypatch, MANIFEST)
    result = cli("index", "--content", small, "--index", ix)
    monkeypatch.undo()
    assert result.returncode == 4, result.stderr
    assert files_of(live) == before  # no file more, none changed


def test_a_run_killed_after_writing_labels_leaves_the_live_generation_serving(
    small: Path, tmp_path: Path
) -> None:
    """Issue 26 finding 4: a kill between two steps of publication leaves the live
    generation as it was, and the next run completes."""
    ix, live, before = _indexed_then_edited(small, tmp_path / "ix")
    proc = paused_index(small, ix, "labels")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert store.current_generation(ix) == live and files_of(live) == before
    assert "en/takeo" in ids(ix)
    assert cli("index", "--content", small, "--index", ix).returncode == 0
    assert "en/kampot" in ids(ix)


# --- finding 5 and 11: a bad file is named and skipped, whatever it holds ----------------------

BAD_FRONT_MATTER = {
    "int-key.md": ("---\ntitle: T\ndate: 2024-01-01\n2025: budget\n---\nx\n", "key 2025"),
    "question.md": ("---\ntitle: T\ndate: 2024-01-01\n?\n---\nx\n", "key None"),
    "list.md": ("---\n- title\n- date\n---\nx\n", "front matter is a list"),
    "list-key.md": ("---\ntitle: T\ndate: 2024-01-01\n[a, b]: c\n---\nx\n", "unhashable key"),
    "null.md": ("---\n~\n---\nbody\n", "no title"),
}


def _alias_bomb() -> str:
    lines = ["---", "title: T", "date: 2024-01-01", 'a0: &a0 ["lol", "lol", "lol"]']
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    lines += ["tags: *a8", "---", "x"]
    return "\n".join(lines) + "\n"


def _hostile(root: Path) -> dict[str, str]:
    """One file of each hostile kind (finding 5 and 11), name → part of its reason."""
    cases = {name: reason for name, (_, reason) in BAD_FRONT_MATTER.items()}
    for name, (text, _) in BAD_FRONT_MATTER.items():
        write(root / "en" / name, text)
    write(root / "en" / "alias-bomb.md", _alias_bomb())
    cases["alias-bomb.md"] = "line 5: YAML aliases (*a0) are not accepted"
    write(root / "en" / "nested.md", good("Nested") + "[" * 200_000 + "\n")
    cases["nested.md"] = "Markdown nested more than 32 brackets deep"
    write(root / "en" / "marks.md", good("Marks") + "a * " * 50_000 + "\n")
    cases["marks.md"] = "more than 10,000 Markdown marks"
    write(root / "en" / "huge.md", good("Huge") + "word " * 60_000)
    cases["huge.md"] = "bytes, over the limit of 250,000"
    return cases


def test_a_bad_file_is_named_and_skipped_whatever_it_holds(sample: Path, tmp_path: Path) -> None:
    """Issue 26 findings 5 and 11: a front-matter key that is not text (``2025:
    budget``, ``?``) failed the whole run with ``TypeError: keywords must be strings``,
    the file not named; an alias bomb in ``tags`` grew to hundreds of MB; 200 KB of
    nested Markdown took seconds; a huge file was read whole. Each is named with its
    reason, every other file is indexed, exit 1."""
    good_files = len(list(sample.rglob("*.md")))
    cases = _hostile(sample)
    result = cli(
        "index", "--content", sample, "--index", tmp_path / "ix", "--json",
        env={"PRAKAS_MAX_FILE_BYTES": "250000"},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    skipped = {Path(s["path"]).name: s["reason"] for s in json.loads(result.stdout)["skipped"]}
    assert set(skipped) == set(cases)
    for name, reason in cases.items():
        assert reason in skipped[name], (name, skipped[name])
    assert len(ids(tmp_path / "ix")) == good_files


def test_bad_files_are_skipped_by_the_worker_processes_too(tmp_path: Path) -> None:
    """Issue 26 finding 5: with worker processes (a full build of 400 files or more)
    the same front matter ended the run with exit 4."""
    from bench.corpus import generate
    from indexer.build import PARALLEL_FROM

    content = tmp_path / "synthetic"
    n = generate(PARALLEL_FROM, content, seed=5)
    for name, (text, _) in BAD_FRONT_MATTER.items():
        write(content / "en" / f"zz-{name}", text)
    result = prakas("index", "--content", content, "--index", tmp_path / "ix", "--json")
    assert result.returncode == 1, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert sorted(Path(s["path"]).name for s in report["skipped"]) == sorted(
        f"zz-{name}" for name in BAD_FRONT_MATTER
    )
    assert report["documents"] == n


# --- finding 7: exit codes of one meaning ----------------------------------------------------


def test_an_unexpected_error_is_a_failed_run_not_skipped_files(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26 finding 7: any uncaught exception exited 1, which means "some files
    skipped" (and which the systemd unit counts as success). It is 4, with a one-line
    message after the traceback."""
    from indexer import build

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(build, "_save_labels", broken)
    result = cli("index", "--content", sample, "--index", tmp_path / "ix")
    assert result.returncode == 4
    lines = result.stderr.splitlines()
    assert "Traceback (most recent call last):" in lines
    assert lines[-1].endswith(
        "prakas index: failed: unexpected KeyError: 'a bug' (traceback above); "
        "the published index is unchanged"
    )
    assert store.current_generation(tmp_path / "ix") is None


def test_a_setting_that_is_not_a_number_is_a_usage_error(tmp_path: Path) -> None:
    """Issue 26 finding 7: a bad setting is exit 2 (usage), with a message, not a
    traceback and 1."""
    result = cli("index", "--index", tmp_path / "ix", env={"PRAKAS_MAX_DELETE": "a fifth"})
    assert result.returncode == 2
    assert "a PRAKAS_ setting is not a number: could not convert string to float" in result.stderr


def test_every_exit_code_is_documented_once() -> None:
    """Issue 26 finding 7: the exit codes in docs/deploy.md are the CLI's, one meaning
    each, and the systemd unit counts only 0 and 1 as success."""
    from prakas import cli as cli_module

    codes = {v: k for k, v in vars(cli_module).items() if k.startswith("EXIT_")}
    assert len(codes) == len([k for k in vars(cli_module) if k.startswith("EXIT_")])
    assert set(codes.values()) >= {"EXIT_OK", "EXIT_SKIPPED", "EXIT_FAILED", "EXIT_MASS_DELETE"}
    deploy = (PROJECT / "docs" / "deploy.md").read_text("utf-8")
    table = [line for line in deploy.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert sorted(int(line.split("|")[1]) for line in table) == sorted(codes)
    assert "SuccessExitStatus=1\n" in deploy


# --- finding 15: the CLI as people type it ----------------------------------------------------


def test_search_words_after_the_options_are_the_query(content_index: Path) -> None:
    """Issue 26 finding 15: ``prakas search Takeo -training`` failed with "No such
    option '-t'"."""
    typed = cli("search", "--index", content_index, "Takeo", "-training", "--json")
    assert typed.returncode == 0, typed.stderr
    escaped = cli("search", "--index", content_index, "--json", "--", "Takeo", "-training")
    plain = cli("search", "--index", content_index, "--json", "Takeo")
    hits = [h["id"] for h in json.loads(typed.stdout)["results"]]
    assert hits == [h["id"] for h in json.loads(escaped.stdout)["results"]]
    assert set(hits) < {h["id"] for h in json.loads(plain.stdout)["results"]}
    assert cli("search", "--index", content_index, "Takeo", "--no-such").returncode == 2


def test_counts_of_announcements_and_files_are_stated_apart(tmp_path: Path) -> None:
    """Issue 26 finding 15: /healthz said 86 announcements where the pages said 43: it
    counted files. The run report and /healthz give both."""
    from webapp import create_app

    content = tmp_path / "content"
    write(content / "en" / "one.md", good("One"))
    write(content / "km" / "one.md", good("មួយ"))
    write(content / "en" / "two.md", good("Two", 2))
    ix = tmp_path / "ix"
    result = cli("index", "--content", content, "--index", ix, "--json")
    report = json.loads(result.stdout)
    assert (report["announcements"], report["files"]) == (2, 3)
    assert "the index holds 2 announcements in 3 files" in result.stderr
    client = create_app({"INDEX_DIR": ix, "CACHE_DIR": tmp_path / "cache"}).test_client()
    health = client.get("/healthz").get_json()
    assert (health["announcements"], health["files"]) == (2, 3)


def test_serve_checks_its_address_before_saying_it_serves(content_index: Path) -> None:
    """Issue 26 finding 15: ``prakas serve`` printed "serving at …" before its bind
    failed."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = prakas(
            "serve", "--index", content_index, "--port", port, "--workers", 1, timeout=60
        )
    assert result.returncode == 1
    assert "serving" not in result.stderr
    assert f"cannot serve at 127.0.0.1:{port}: Address already in use" in result.stderr


# --- finding 16: duplicate slugs and the same folder written two ways --------------------------


def test_the_first_root_wins_a_duplicate_whatever_came_before(tmp_path: Path) -> None:
    """Issue 26 finding 16: which of two files with one ``<lang>/<slug>`` in two roots
    won depended on history (the one indexed before kept its place when the roots
    changed order). The first root on the command line wins, and the other is
    reported."""
    first, second = tmp_path / "first", tmp_path / "second"
    write(first / "en" / "same.md", good("From the first root"))
    write(second / "en" / "same.md", good("From the second root"))
    write(second / "en" / "other.md", good("Other", 2))
    ix = tmp_path / "ix"
    assert cli("index", "--content", second, "--index", ix).returncode == 0
    assert ids(ix)["en/same"]["title"] == "From the second root"
    result = cli("index", "--content", first, "--content", second, "--index", ix, "--json")
    assert result.returncode == 1, result.stderr
    assert ids(ix)["en/same"]["title"] == "From the first root"
    [skip] = json.loads(result.stdout)["skipped"]
    assert skip["path"] == str(second / "en" / "same.md")
    assert skip["reason"].startswith(f"duplicate id en/same (also {first / 'en' / 'same.md'}")
    swapped = cli("index", "--content", second, "--content", first, "--index", ix, "--json")
    assert swapped.returncode == 1, swapped.stderr
    assert ids(ix)["en/same"]["title"] == "From the second root"
    assert [s["path"] for s in json.loads(swapped.stdout)["skipped"]] == [
        str(first / "en" / "same.md")
    ]
    again = cli("index", "--content", second, "--content", first, "--index", ix, "--json")
    assert json.loads(again.stdout)["mode"] == "unchanged"
    assert sorted(ids(ix)) == ["en/other", "en/same"]


def test_a_relative_and_an_absolute_root_are_one_folder(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26 finding 16: ``--content content`` after ``--content /abs/content``
    re-indexed everything."""
    ix = tmp_path / "ix"
    assert cli("index", "--content", sample, "--index", ix).returncode == 0
    monkeypatch.chdir(sample.parent)
    result = cli("index", "--content", "content", "--index", ix, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["mode"] == "unchanged"


# --- finding 6: a damaged live generation ---------------------------------------------------


def _garbage_meta(gen: Path) -> None:
    (gen / store.META).write_bytes(b"\x00\xffnot json{")


def _truncated_segment(gen: Path) -> None:
    postings = max(gen.glob("*.pst"), key=lambda p: p.stat().st_size)
    os.truncate(postings, postings.stat().st_size // 2)


def _empty_toc(gen: Path) -> None:
    for toc in gen.glob("_MAIN_*.toc"):
        os.truncate(toc, 0)


def _garbage_in_stored_column(gen: Path) -> None:
    [stored] = gen.glob("*._stored.col")
    size = stored.stat().st_size
    with stored.open("r+b") as f:  # same size, other bytes
        f.seek(size // 3)
        f.write(b"\xde\xad\xbe\xef" * 64)


DAMAGE = {
    "garbage prakas.json": _garbage_meta,
    "truncated segment": _truncated_segment,
    "empty TOC": _empty_toc,
    "garbage in a stored column": _garbage_in_stored_column,
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=list(DAMAGE))
def test_a_damaged_live_generation_is_rebuilt_by_the_next_run(
    damage, sample: Path, tmp_path: Path
) -> None:
    """Issue 26 finding 6: garbage ``prakas.json``, a truncated segment, an empty table
    of contents made every later ``prakas index`` fail; garbage in a stored column was
    hard-linked forward by incremental runs. The next plain run rebuilds from scratch."""
    ix = tmp_path / "ix"
    assert cli("index", "--content", sample, "--index", ix).returncode == 0
    n = len(ids(ix))
    live = store.current_generation(ix)
    assert live is not None
    damage(live)
    result = cli("index", "--content", sample, "--index", ix, "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["mode"] == "full"
    assert report["reason"].startswith("the live generation is damaged: ")
    assert store.current_generation(ix) != live
    assert len(ids(ix)) == n
    assert cli("search", "--index", ix, "Takeo").returncode == 0


def test_the_web_app_keeps_the_last_good_generation_or_answers_503(
    sample: Path, tmp_path: Path
) -> None:
    """Issue 26 finding 6: a damaged generation gave /healthz a 500 and workers that
    failed to boot. A worker that has a good generation open keeps serving it (and
    /healthz says the live one is damaged); a worker that starts on a damaged one
    boots and answers 503 with a page in the visitor's language."""
    from webapp import create_app

    ix = tmp_path / "ix"
    assert cli("index", "--content", sample, "--index", ix).returncode == 0
    good_gen = store.current_generation(ix)
    assert good_gen is not None
    running = create_app({"INDEX_DIR": ix, "CACHE_DIR": tmp_path / "cache"}).test_client()
    assert running.get("/?q=Takeo").status_code == 200
    broken = ix / "gen-99999999T999999999999-1"  # a newer generation, damaged
    shutil.copytree(good_gen, broken)
    _empty_toc(broken)
    (ix / "CURRENT.new").symlink_to(broken.name)
    os.replace(ix / "CURRENT.new", ix / "CURRENT")

    assert running.get("/?q=Takeo").status_code == 200
    health = running.get("/healthz")
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded" and body["generation"] == good_gen.name
    assert broken.name in body["problem"] and "_MAIN_1.toc has 0 bytes" in body["problem"]

    booting = create_app({"INDEX_DIR": ix, "CACHE_DIR": tmp_path / "cache"}).test_client()
    page = booting.get("/?q=Takeo")
    assert page.status_code == 503
    assert "The search index is being prepared." in page.get_data(as_text=True)
    khmer = booting.get("/?q=Takeo&ui=km")
    assert khmer.status_code == 503
    assert "កំពុងរៀបចំលិបិក្រមស្វែងរក" in khmer.get_data(as_text=True)
    health = booting.get("/healthz")
    assert health.status_code == 503 and "damaged" in health.get_json()["error"]
    for url in ["/api/search?q=Takeo", "/api/search.csv?q=Takeo", "/feed.atom", "/help"]:
        assert booting.get(url).status_code in (200, 503), url


def test_gunicorn_workers_boot_on_a_damaged_generation(sample: Path, tmp_path: Path) -> None:
    """Issue 26 finding 6: on a truncated table of contents ``prakas serve``'s workers
    failed to boot ("Worker failed to boot") and the server exited. They boot, and
    answer 503 (the page and /healthz) until the next run."""
    ix = tmp_path / "ix"
    assert cli("index", "--content", sample, "--index", ix).returncode == 0
    live = store.current_generation(ix)
    assert live is not None
    _empty_toc(live)
    port = free_port()
    server = serve_process(ix, port)
    try:
        codes: dict[str, int] = {}
        for _ in range(300):  # until it answers, or exits
            if server.poll() is not None:
                break
            try:
                for url in ("/healthz", "/?q=Takeo"):
                    try:
                        with urllib.request.urlopen(
                            f"http://127.0.0.1:{port}{url}", timeout=5
                        ) as r:
                            codes[url] = r.status
                    except urllib.error.HTTPError as exc:
                        codes[url] = exc.code
                break
            except OSError:  # not listening yet
                time.sleep(0.1)
        assert server.poll() is None, "the server exited"
        assert codes == {"/healthz": 503, "/?q=Takeo": 503}
    finally:
        server.terminate()
        server.wait(timeout=30)
