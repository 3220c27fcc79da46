"""``prakas``: build the index, look into it, serve it.

Exit codes of ``prakas index``, one meaning each (docs/deploy.md): 0 done; 1 done, some
files skipped (listed); 2 usage error; 3 another indexer holds the lock; 4 the run
failed (disk full, a worker died, any unexpected error) and nothing was published;
5 refused: it would delete more of the archive than ``PRAKAS_MAX_DELETE``; 6 refused by
``--strict``: some files cannot be read.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import socket
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import click

from indexer import generations, store
from indexer.build import MassDeletion, StrictFailure, WorkerFailed, build
from indexer.config import Settings
from indexer.documents import LANGUAGES
from indexer.publishers import BadPublisher, Publisher
from indexer.publishers import parse as parse_publisher
from indexer.sources import printable

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_LOCKED, EXIT_FAILED = 0, 1, 2, 3, 4
EXIT_MASS_DELETE, EXIT_STRICT = 5, 6


def _index_option(f):
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index directory (default: $PRAKAS_INDEX or index/ in the project).",
    )(f)


def _settings(index_dir: Path | None, content: tuple[Path, ...] = ()) -> Settings:
    base = Settings()
    return Settings(
        index_dir=index_dir or base.index_dir,
        content_roots=list(content) or base.content_roots,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Search ministry announcements in English and Khmer."""


REPORT = "prakas.report"  # the run's report, in the click context's meta, for the textfile


def _records_outcome(command):
    """``--metrics-file`` (or ``PRAKAS_METRICS_FILE``): the run's outcome written for
    node_exporter however the command ends, with the exit code it ends with. The clock
    is ``time.time`` unless the caller's context object brings one (tests)."""

    @click.option(
        "--metrics-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the outcome here for node_exporter (default: $PRAKAS_METRICS_FILE).",
    )
    @functools.wraps(command)
    def run(metrics_file: Path | None, **kwargs):
        from indexer import textfile

        ctx = click.get_current_context()
        try:
            path = metrics_file or Settings().metrics_file
        except ValueError as exc:  # PRAKAS_MAX_DELETE=a fifth: a usage error, exit 2
            raise click.UsageError(f"a PRAKAS_ setting is not a number: {exc}") from None
        clock = (ctx.obj or {}).get("clock", time.time)
        started, code = clock(), EXIT_FAILED  # an exception that escapes: a failed run
        try:
            command(**kwargs)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            raise
        finally:
            if path is not None:
                outcome = textfile.Outcome(ctx.meta.get(REPORT), code, started, clock())
                try:
                    textfile.write(path, outcome, _settings(kwargs.get("index_dir")).index_dir)
                except OSError as exc:
                    _log(f"prakas index: cannot write the metrics file: {exc}")

    return run


@main.command("index")
@click.option(
    "--content",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A content root; repeat for several (default: $PRAKAS_CONTENT or content/).",
)
@click.option(
    "--publisher",
    "publisher",
    multiple=True,
    nargs=2 + len(LANGUAGES),
    metavar="DIR ID " + " ".join(f"NAME_{lang.upper()}" for lang in LANGUAGES),
    help="The body that publishes the content root DIR, named in every language "
    "(instead of DIR/publisher.yaml).",
)
@_index_option
@click.option("--full", is_flag=True, help="Rebuild everything, not only what changed.")
@click.option("--strict", is_flag=True, help="Any unreadable file stops the run before writing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.option(
    "--allow-mass-delete",
    is_flag=True,
    help="Delete from the index even more than $PRAKAS_MAX_DELETE of its files (default 20%).",
)
@_records_outcome
def index_cmd(
    content: tuple[Path, ...],
    publisher: tuple[tuple[str, ...], ...],
    index_dir: Path | None,
    full: bool,
    strict: bool,
    as_json: bool,
    allow_mass_delete: bool,
) -> None:
    """Bring the index in line with the content folders (new, changed, deleted files)."""
    try:
        settings = _settings(index_dir, content)
    except ValueError as exc:  # PRAKAS_MAX_DELETE=a fifth: a usage error, exit 2
        raise click.UsageError(f"a PRAKAS_ setting is not a number: {exc}") from None
    try:
        given = _publishers(publisher, settings.content_roots)
    except (BadPublisher, click.BadParameter) as exc:
        _log(f"prakas index: {exc}")
        sys.exit(EXIT_USAGE)
    err = sys.stderr  # the runner's stream under CliRunner, too

    show_bar = err.isatty() and not as_json
    try:
        report = build(
            settings.content_roots,
            settings.index_dir,
            full=full,
            strict=strict,
            progress=_progress if show_bar else None,
            publishers=given,
            max_file_bytes=settings.max_file_bytes,
            max_delete_share=1.0 if allow_mass_delete else settings.max_delete_share,
        )
        click.get_current_context().meta[REPORT] = report
    except generations.Locked as exc:
        _log(f"prakas index: {exc}")
        sys.exit(EXIT_LOCKED)
    except BadPublisher as exc:
        _log(f"prakas index: {exc}")
        sys.exit(EXIT_USAGE)
    except StrictFailure as exc:
        for s in exc.skipped:
            _log(f"unreadable: {s.path}: {s.reason}")
        _log(f"prakas index --strict: {exc}")
        sys.exit(EXIT_STRICT)
    except MassDeletion as exc:
        _log(f"prakas index: refused: {exc}")
        sys.exit(EXIT_MASS_DELETE)
    except (OSError, WorkerFailed) as exc:  # a full disk, a worker that died: say so, stop
        _log(f"prakas index: failed: {exc}; the published index is unchanged")
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # a bug: its own exit code, not 1 ("some files skipped")
        traceback.print_exc(file=sys.stderr)
        _log(
            f"prakas index: failed: unexpected {type(exc).__name__}: {exc} (traceback above); "
            "the published index is unchanged"
        )
        sys.exit(EXIT_FAILED)
    for s in report.skipped:
        _log(f"skipped: {s.path}: {s.reason}")
    for path in report.drafts:
        _log(f"draft, not indexed: {path}")
    for warning in report.warnings():  # after the lists, so the last screen shows it
        _log(warning)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    why = f" ({report.reason})" if report.reason else ""
    nothing = " — nothing changed, index untouched" if report.mode == "unchanged" else ""
    _log(f"prakas index: {report.summary()}{why}{nothing} → {settings.index_dir}")
    sys.exit(EXIT_SKIPPED if report.skipped else EXIT_OK)


def _publishers(named: tuple[tuple[str, ...], ...], roots: list[Path]) -> dict[Path, Publisher]:
    """``--publisher DIR ID NAME_EN NAME_KM`` → root → publisher; DIR must be a root."""
    out: dict[Path, Publisher] = {}
    for folder, pid, *names in named:
        root = next((r for r in roots if r.resolve() == Path(folder).resolve()), None)
        if root is None:
            raise click.BadParameter(f"--publisher {folder}: not one of the content folders")
        settings = {"id": pid, "name": dict(zip(LANGUAGES, names, strict=True))}
        out[root] = parse_publisher(settings, "--publisher")
    return out


def _log(message: str) -> None:
    """A line on stderr; timestamped when not on a terminal (cron, systemd, logs). No
    control character of a file name can reach it, so no name can forge a line."""
    message = printable(message)
    err = sys.stderr  # the runner's stream under CliRunner, too
    if not err.isatty():
        stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        message = f"{stamp} {message}"
    click.echo(message, err=True)


def _progress(items):
    with click.progressbar(items, label="indexing", file=sys.stderr) as bar:
        yield from bar


@main.command()
@_index_option
def stats(index_dir: Path | None) -> None:
    """Document counts by language and year."""
    settings = _settings(index_dir)
    try:
        ix, gen = store.open_index(settings.index_dir)
        meta = store.read_meta(gen)
    except store.IndexMissing as exc:  # or Damaged
        raise click.ClickException(str(exc)) from None
    by_lang: Counter[str] = Counter()
    by_year: Counter[tuple[int, str]] = Counter()
    slugs: set[str] = set()
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            by_lang[fields["lang"]] += 1
            by_year[(fields["date"].year, fields["lang"])] += 1
            slugs.add(fields["slug"])
    click.echo(
        f"index {settings.index_dir} · generation {gen.name} · built {meta.get('built_at', '?')}"
    )
    # an announcement is all the language versions of one slug; a file is one version
    click.echo(f"{len(slugs)} announcements in {sum(by_lang.values())} files")
    langs = sorted(by_lang)
    click.echo("language  " + "  ".join(f"{lang:>5}" for lang in langs))
    click.echo("total     " + "  ".join(f"{by_lang[lang]:>5}" for lang in langs))
    for year in sorted({y for y, _ in by_year}, reverse=True):
        click.echo(f"{year:<10}" + "  ".join(f"{by_year[(year, lang)]:>5}" for lang in langs))


def _facet_options(command):
    """One repeatable option per facet of the table: ``--province Takeo``."""
    from webapp.facets import KINDS

    for kind in reversed(KINDS):
        command = click.option(
            f"--{kind.name}", multiple=True, help=f"Only this {kind.name} (repeat: any of them)."
        )(command)
    return command


class _QueryCommand(click.Command):
    """A command whose arguments are query words, typed as people type them:
    ``prakas search Takeo -training`` (``-training`` is a word of the query, not the
    options ``-t -r -a…``). An argument that is exactly one of the command's options is
    that option, wherever it stands; any other argument starting with a single ``-`` is
    a word; ``--`` makes every argument after it a word; an unknown ``--option`` is
    still a usage error (a mistyped option must not become a silent query)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name in takes_value:
                options.append(arg)
                value = next(rest, None) if takes_value[name] and "=" not in arg else None
                if value is not None:
                    options.append(value)
            elif arg.startswith("--"):
                options.append(arg)  # click says "No such option"
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@main.command(cls=_QueryCommand)
@click.argument("words", nargs=-1)
@_index_option
@_facet_options
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@click.option(
    "--unit",
    type=click.Choice(["announcement", "file"]),
    default="announcement",
    help="Count announcements (every language version together) or files.",
)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--exact", is_flag=True, help="The words as typed: no respelling.")
@click.option("--json", "as_json", is_flag=True, help="Print what /api/search returns.")
@click.option(
    "--base-url", default="http://127.0.0.1:5000", show_default=True, help="For links in --json."
)
def search(
    words: tuple[str, ...],
    index_dir: Path | None,
    sort: str,
    unit: str,
    limit: int,
    exact: bool,
    as_json: bool,
    base_url: str,
    **facets: tuple[str, ...],
) -> None:
    """Print the top matches (id, date, title), or the API's JSON."""
    from urllib.parse import quote

    from werkzeug.datastructures import MultiDict

    from webapp import params
    from webapp.api import as_json as api_json
    from webapp.search import SearchService

    service = SearchService(_settings(index_dir).index_dir)
    args = MultiDict(
        [("q", " ".join(words)), ("sort", sort), ("unit", unit), ("per_page", str(limit))]
        + [(name, v) for name, values in facets.items() for v in values]
        + ([("exact", "1")] if exact else [])
    )
    try:
        result = service.search(params.parse_request(args, service.facet_values))
    except store.IndexMissing as exc:
        raise click.ClickException(str(exc)) from None
    except params.BadParameter as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        base = base_url.rstrip("/")

        def link(lang: str, slug: str) -> str:
            return f"{base}/a/{lang}/{quote(slug)}"

        click.echo(json.dumps(api_json(result, link), ensure_ascii=False, indent=2))
        return
    for notice in result.notices:
        click.echo(str(notice), err=True)
    for hit in result.hits:
        click.echo(f"{hit.id:<16} {hit.date}  {hit.title}")
    if result.respelled_from is not None:
        click.echo(f"Showing results for: {result.suggestion} (as typed: --exact)", err=True)
    elif result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}", err=True)
    click.echo(f"{result.total} found in {result.took_ms:.0f} ms", err=True)


@main.command()
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=0,
    type=click.IntRange(0, 64),
    help="Worker processes (default: one per core).",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
def serve(index_dir: Path | None, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app with gunicorn (a production WSGI server, pre-forked workers).

    Each worker process opens the index once and shares its searcher among threads.
    """
    import logging
    import os
    import shutil

    from gunicorn.app.base import BaseApplication

    from webapp import create_app, metrics, requestlog, worker_started

    settings = _settings(index_dir)
    _check_bind(host, port)
    # every worker's counters in one folder, empty at start (read before any worker
    # imports prometheus_client: webapp.metrics says why)
    metrics_dir = metrics.fresh_multiproc_dir(settings.metrics_dir)
    os.environ[metrics.MULTIPROC_ENV] = str(metrics_dir)
    logging.getLogger(requestlog.LOGGER).setLevel(logging.INFO)  # one line per request
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 1,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        # gunicorn's default (4094 bytes) answers a long search link with a bare
        # "URI Too Long"; at its maximum the app reads it and cuts ``q`` (MAX_CHARS)
        "limit_request_line": 8190,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "child_exit": metrics.child_exit,
        "post_worker_init": worker_started,
    }

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app({"INDEX_DIR": settings.index_dir})

    click.echo(
        f"serving {settings.index_dir} at http://{host}:{port}/ "
        f"({options['workers']} workers × {threads} threads)",
        err=True,
    )
    master = os.getpid()
    try:
        Server().run()
    finally:  # a worker's exit comes through here too, in its own process: not for it
        if settings.metrics_dir is None and os.getpid() == master:  # our temporary folder
            shutil.rmtree(metrics_dir, ignore_errors=True)


@main.command()
@_index_option
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Another node's index folder (mounted, or local).",
)
def publish(index_dir: Path | None, target: Path) -> None:
    """Ship the live generation to another node's index folder and make it live there."""
    settings = _settings(index_dir)
    try:
        gen, copied = generations.ship(settings.index_dir, target)
    except (store.IndexMissing, generations.Locked) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc}; {target} still serves what it served") from None
    done = "published" if copied else "already live"
    _log(f"prakas publish: {gen.name} {done} in {target}")


def _check_bind(host: str, port: int) -> None:
    """Fail with a plain message, before "serving at" is printed, when the address is
    taken or not ours; gunicorn would say so only after, in its own log format."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
            probe.bind(address)
    except OSError as exc:
        raise click.ClickException(
            f"cannot serve at {host}:{port}: {exc.strerror or exc}"
        ) from None


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print canonical values as JSON.")
def entities(file: Path, as_json: bool) -> None:
    """What the extractor finds in one file, and where each mention resolved (as the
    index has it: the other versions of its announcement lend their names)."""
    from indexer import announcement
    from indexer.documents import BadFile
    from indexer.sources import Source, of_file

    def failed(source: Source, exc: BadFile) -> None:
        if source.path == file:  # another version's error only means it lends nothing
            raise click.ClickException(f"{file}: {exc}")

    read = announcement.read(of_file(file), on_error=failed)
    version = next(v for v in read if v.doc.path == str(file))
    doc, found = version.doc, version.entities
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{doc.id}  {doc.date}  {doc.title}")
    click.echo("people:")
    for p in found.people:
        rank = "minister" if p.minister else "-"
        click.echo(f"  {p.name:<24} {rank:<9} {p.how:<10} ← {' | '.join(p.mentions)}")
    click.echo("provinces:")
    for name, evidence in found.provinces.items():
        click.echo(f"  {name:<24} ← {' | '.join(evidence)}")
    click.echo("places:")
    for pl in found.places:
        where = ", ".join(x for x in (pl.district, pl.province) if x) or "ambiguous"
        click.echo(f"  {pl.name:<24} {pl.level:<9} {where:<20} ← {' | '.join(pl.mentions)}")
    click.echo("organisations:")
    for name, mentions in found.organisations.items():
        click.echo(f"  {name:<24} ← {' | '.join(dict.fromkeys(mentions))}")


# --- the registry and the people review queues (indexer/entities/staff.py, review.py) -------


@main.group("registry")
def registry_group() -> None:
    """The registry folder of officials and organisations staff maintain."""


@registry_group.command("check")
@click.argument(
    "folder", required=False, type=click.Path(file_okay=False, path_type=Path), default=None
)
def registry_check(folder: Path | None) -> None:
    """Check FOLDER (default: $PRAKAS_REGISTRY): every mistake with its file and line."""
    from indexer.entities.staff import check

    folder = folder or Settings().registry_dir
    if folder is None:
        raise click.UsageError("no folder given and PRAKAS_REGISTRY is not set")
    result = check(folder)
    for problem in result.problems:
        click.echo(str(problem))
    click.echo(
        f"{folder}: {len(result.files)} files, {len(result.people)} people, "
        f"{len(result.organisations)} organisations, {len(result.synonyms)} synonym groups, "
        f"{len(result.problems)} problems",
        err=True,
    )
    sys.exit(EXIT_SKIPPED if result.problems else EXIT_OK)


@main.command("people")
@click.option("--unresolved", "queue", flag_value="unresolved", help="People no entry matches.")
@click.option("--minister", "queue", flag_value="minister", help="Who is a minister, and why.")
@click.option(
    "--content",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A content root; repeat for several (default: $PRAKAS_CONTENT or content/).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def people(queue: str | None, content: tuple[Path, ...], as_json: bool) -> None:
    """Review queues for the registry: unresolved people, or ministers and why."""
    from indexer import review

    if queue is None:
        raise click.UsageError("say which list: --unresolved or --minister")
    roots = _settings(None, content).content_roots
    rows = review.unresolved(roots) if queue == "unresolved" else review.ministers(roots)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        if queue == "unresolved":
            spellings = " | ".join(row["latin"] + row["km"])
            titles = "; ".join(row["titles"][:3]) or "-"
            click.echo(f"{row['files']:>4}  {row['name']:<28} {spellings}  [{titles}]")
        else:
            why = "; ".join(f"{w['source']}: {w['title']} ({w['files']})" for w in row["why"])
            click.echo(f"{row['files']:>4}  {row['name']:<28} {why}")
        click.echo(f"      e.g. {', '.join(row['examples'])}")
    what = "unresolved people" if queue == "unresolved" else "ministers"
    click.echo(f"{len(rows)} {what}", err=True)


@main.command("queries")
@click.option("--zero", is_flag=True, help="Searches that found nothing as typed, with counts.")
@click.option("--since", default=None, metavar="AGE", help="Only the last 30m, 24h, 7d, 2w…")
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The query log (default: $PRAKAS_QUERY_LOG).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def queries(zero: bool, since: str | None, log_path: Path | None, as_json: bool) -> None:
    """What people could not find: for the synonyms file and the registry."""
    from webapp import querylog

    if not zero:
        raise click.UsageError("say which list: --zero")
    path = log_path or Settings().query_log
    if path is None:
        raise click.UsageError("no query log: set PRAKAS_QUERY_LOG or give --log")
    try:
        start = dt.datetime.now(dt.UTC) - querylog.age(since) if since else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    rows = querylog.unanswered(querylog.read(querylog.files(path), start))
    if as_json:
        click.echo(json.dumps([vars(r) for r in rows], ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row.count:>5}  {row.q}" + (f"  → {row.respelled}" if row.respelled else ""))
    searches = sum(r.count for r in rows)
    click.echo(f"{searches} searches, {len(rows)} different", err=True)
