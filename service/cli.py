"""The command line: ``python -m service COMMAND``.

Commands are registered on the app (``app.cli``), so they run inside its context with
its settings, database and analyser; each works in its own transaction(s).
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from models.registry import ArtifactError
from service.extensions import Runtime, runtime
from service.ingest import news as news_formats
from service.ingest.analysis_pool import DEFAULT_ANALYSIS_WORKERS, analysis_pool
from service.ingest.pipeline import IngestReport, ingest_path
from service.ingest.records import ParseFailure
from service.ingest.runner import SourceSkipped, run_source
from service.rescore import rescore
from service.scheduler import build_scheduler
from service.sources import SourceConfigError, load_sources
from service.storage import migrate
from service.storage.db import db
from service.storage.tables import Advisory, Signal

logger = logging.getLogger(__name__)


def cli_runtime() -> Runtime:
    """The runtime for a command: a broken model artifact is a one-line error with the fix,
    not a traceback."""
    try:
        return runtime()
    except ArtifactError as exc:
        raise click.ClickException(
            f"{exc}; run `python -m service train` to replace the active model"
        ) from None


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM ends the command as Ctrl+C does, so running jobs finish and locks are freed."""

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _scheduler(app: Flask, *, blocking: bool) -> Any:
    """The configured scheduler, or a one-line error naming what is wrong in sources.yaml."""
    try:
        return build_scheduler(app, blocking=blocking)
    except SourceConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--no-scheduler",
    "no_scheduler",
    is_flag=True,
    help="Serve only; run `python -m service scheduler` apart (or set scheduler_enabled: false).",
)
@with_appcontext
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Serve the API (threaded development server; use gunicorn in production).

    The scheduler runs in-process too unless told not to; it only runs jobs while it
    leads, so a separate ``scheduler`` process against the same database is harmless.
    """
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app, not the proxy
    cli_runtime()  # a broken artifact stops the start, not the first request
    scheduler = None
    if not no_scheduler and app.config["SETTINGS"].scheduler_enabled:
        scheduler = _scheduler(app, blocking=False)
        scheduler.start()
    logger.info("serving on http://%s:%d", host, port)
    try:
        with _sigterm_stops():
            run_simple(host, port, app, threaded=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs in the foreground until SIGTERM or Ctrl+C."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app, not the proxy
    cli_runtime()  # a broken artifact stops the start, not the first job
    scheduler = _scheduler(app, blocking=True)
    try:
        with _sigterm_stops():
            scheduler.start()
    except KeyboardInterrupt:
        logger.info("stopping the scheduler: waiting for running jobs")
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision (Alembic)."""
    url = current_app.config["SETTINGS"].database_url
    migrate.upgrade(url)
    click.echo(f"database at revision {migrate.current_revision(url)}")


def _print_report(path: str, outcome: IngestReport | Exception) -> None:
    if isinstance(outcome, Exception):
        click.echo(f"{path}: FAILED: {outcome}", err=True)
        return
    counts = outcome.as_dict()
    mapped = counts["seen"]
    entries = mapped + counts["errors"] + counts["unmapped"]
    click.echo(
        f"{path}: entries {entries}, mapped {mapped}, new {counts['new']}, "
        f"duplicates {counts['duplicates']}, unmapped {counts['unmapped']}, "
        f"errors {counts['errors']}"
    )
    for problem in outcome.problems[:20]:
        click.echo(f"  {problem.kind}: {problem.location}: {problem.message}")
    if len(outcome.problems) > 20:
        click.echo(f"  ... and {len(outcome.problems) - 20} more problems")


@click.command()
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A file, or a folder whose files are all ingested.",
)
@click.option(
    "--format", "fmt", default=None, help="Input format of --file; detected when omitted."
)
@click.option(
    "--source",
    "source_names",
    multiple=True,
    help="A source of config/sources.yaml to fetch now (repeatable).",
)
@click.option("--all", "all_sources", is_flag=True, help="Fetch every enabled configured source.")
@click.option(
    "--map",
    "field_map",
    default=None,
    help="generic import: our field = their field, comma-separated, dotted paths allowed "
    "(country=destination,native=risk_level,published_at=last_updated).",
)
@click.option("--records", default=None, help="generic import: the key holding the records.")
@click.option(
    "--advisory-source",
    default=None,
    help="generic import: the official source of records that name none (us-state, ca, ...).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=DEFAULT_ANALYSIS_WORKERS,
    show_default=True,
    help="--file: analyse in this many worker processes while this one parses and stores "
    "(0: all in this process).",
)
@click.option(
    "--rescore/--no-rescore",
    "rescore_after",
    default=True,
    show_default=True,
    help="Recompute scores after storing new evidence.",
)
@with_appcontext
def ingest(
    path: Path | None,
    fmt: str | None,
    source_names: tuple[str, ...],
    all_sources: bool,
    field_map: str | None,
    records: str | None,
    advisory_source: str | None,
    workers: int,
    rescore_after: bool,
) -> None:
    """Ingest a file or folder, or fetch configured sources; one failure never stops the rest."""
    if sum((path is not None, bool(source_names), all_sources)) != 1:
        raise click.UsageError("give exactly one of --file, --source or --all")
    options = _generic_options(field_map, records, advisory_source)
    if options and fmt != "generic":
        raise click.UsageError("--map, --records and --advisory-source need --format generic")
    if path is not None:
        outcomes = _ingest_files(path, fmt, options, workers=workers)
    else:
        outcomes = _ingest_sources(source_names, all_sources)
    new = sum(o.new for o in outcomes.values() if isinstance(o, IngestReport))
    if new and rescore_after:
        _rescore(datetime.now(UTC))
    if outcomes and all(isinstance(o, Exception) for o in outcomes.values()):
        sys.exit(1)


def _generic_options(
    field_map: str | None, records: str | None, advisory_source: str | None
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if field_map:
        pairs = [item.split("=", 1) for item in field_map.split(",") if item.strip()]
        if any(len(pair) != 2 or not all(p.strip() for p in pair) for pair in pairs):
            raise click.BadParameter("expected ours=theirs[,ours=theirs...]", param_hint="--map")
        options["mapping"] = {ours.strip(): theirs.strip() for ours, theirs in pairs}
    if records:
        options["records_key"] = records
    if advisory_source:
        options["source"] = advisory_source
    return options


def _ingest_files(
    path: Path, fmt: str | None, options: dict[str, Any] | None = None, *, workers: int = 0
) -> dict[str, IngestReport | Exception]:
    rt = cli_runtime()
    pool = analysis_pool(rt.analyzer, workers) if workers else nullcontext(None)
    with pool as executor:
        outcomes = ingest_path(
            path,
            fmt=fmt,
            analyzer=rt.analyzer,
            session_scope=db.session_scope,
            options=options,
            pool=executor,
        )
    for file, outcome in outcomes.items():
        _print_report(str(file), outcome)
    return {str(file): outcome for file, outcome in outcomes.items()}


def _ingest_sources(
    names: tuple[str, ...], everything: bool
) -> dict[str, IngestReport | Exception]:
    settings = current_app.config["SETTINGS"]
    try:
        specs = load_sources(settings.config_dir)
    except SourceConfigError as exc:
        raise click.ClickException(str(exc)) from None
    unknown = sorted(set(names) - set(specs))
    if unknown:
        raise click.BadParameter(
            f"unknown source(s) {', '.join(unknown)}; configured: {', '.join(sorted(specs))}",
            param_hint="--source",
        )
    chosen = [s for s in specs.values() if s.enabled] if everything else [specs[n] for n in names]
    outcomes: dict[str, IngestReport | Exception] = {}
    analyzer = cli_runtime().analyzer
    for spec in chosen:
        try:
            outcomes[spec.name] = run_source(
                spec,
                analyzer=analyzer,
                session_scope=db.session_scope,
                timeout_seconds=settings.fetch_timeout_seconds,
                max_bytes=settings.fetch_max_bytes,
            )
        except SourceSkipped as exc:
            click.echo(f"{spec.name}: skipped: {exc}")
            continue
        except Exception as exc:  # one broken source never stops the others
            outcomes[spec.name] = exc
        _print_report(spec.name, outcomes[spec.name])
    return outcomes


def _rescore(as_of: datetime) -> None:
    rt = cli_runtime()
    with db.session_scope() as session:
        results = rescore(
            session,
            as_of=as_of,
            config=rt.factors,
            model_version=rt.analyzer.model_version,
            calibration=rt.score_model,
        )
    raised = sum(1 for r in results if r.overall.score > 0)
    click.echo(f"scored {len(results)} countries as of {as_of.isoformat()} ({raised} above zero)")


def _as_of(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.max, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.command()
@click.option("--as-of", "as_of", default=None, help="Score as of this date or time (UTC).")
@click.option(
    "--from",
    "first",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Backfill from this day (with --to): one rescore per day, at its end (UTC).",
)
@click.option(
    "--to",
    "last",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day of the backfill (inclusive).",
)
@with_appcontext
def score(as_of: str | None, first: datetime | None, last: datetime | None) -> None:
    """Recompute current scores and append a history row per country and factor.

    With ``--from D1 --to D2`` every day from D1 to D2 is scored from the evidence stored
    for it (as of 23:59:59.999999 UTC), each day in its own transaction, so history can
    be rebuilt after a model change or a late import; current scores end as of D2.
    """
    if first is None and last is None:
        _rescore(_as_of(as_of))
        return
    if first is None or last is None or as_of is not None:
        raise click.UsageError("give --from and --to together, and not with --as-of")
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    days = [first.date() + timedelta(days=n) for n in range((last - first).days + 1)]
    rt = cli_runtime()
    with click.progressbar(days, label="backfilling", item_show_func=_day_label) as bar:
        for day in bar:
            with db.session_scope() as session:
                rescore(
                    session,
                    as_of=datetime.combine(day, time.max, tzinfo=UTC),
                    config=rt.factors,
                    model_version=rt.analyzer.model_version,
                    calibration=rt.score_model,
                )
    click.echo(f"backfilled {len(days)} days, {days[0]} to {days[-1]}")


def _day_label(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@click.command()
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Article file (.txt, JSONL, feed); standard input if omitted.",
)
@click.option("--format", "fmt", default=None, help="Input format; detected when omitted.")
@with_appcontext
def analyze(path: Path | None, fmt: str | None) -> None:
    """Print the analysis of the article(s) as JSON; stores nothing."""
    data = path.read_bytes() if path else sys.stdin.buffer.read()
    name = path.name if path else None
    fmt = fmt or news_formats.detect_format(data, name) or "txt"
    if fmt not in news_formats.PARSERS:
        raise click.BadParameter(f"not an article format: {fmt}", param_hint="--format")
    try:
        parsed = news_formats.PARSERS[fmt](data)
    except ParseFailure as exc:
        raise click.ClickException(str(exc)) from None
    analyzer = cli_runtime().analyzer
    analyses = [
        {"title": a.title, **asdict(analyzer.analyze(a.title, a.text))} for a in parsed.items
    ]
    for problem in parsed.problems:
        click.echo(f"{problem.kind}: {problem.location}: {problem.message}", err=True)
    click.echo(json.dumps(analyses[0] if len(analyses) == 1 else analyses, indent=2))


@click.group(cls=AppGroup)
def demo() -> None:
    """The bundled demo data."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Only when no signal or advisory is stored.")
@with_appcontext
def demo_load(if_empty: bool) -> None:
    """Ingest the demo articles and advisories, then score."""
    with db.session_scope() as session:
        stored = session.scalar(select(func.count(Signal.id))) or 0
        stored += session.scalar(select(func.count(Advisory.id))) or 0
    if if_empty and stored:
        click.echo(f"database holds {stored} signals and advisories; demo data not loaded")
        return
    demo_dir = current_app.config["SETTINGS"].demo_dir
    _ingest_files(demo_dir, None)
    _rescore(datetime.now(UTC))


COMMANDS = (serve, scheduler_command, db_group, ingest, score, analyze, demo)
