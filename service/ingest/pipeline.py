"""Parse -> analyse -> store, idempotently, in one transaction per batch.

A batch either lands whole or not at all, so a run killed at any point leaves no
half-written signal, and the next run skips what is stored (content hash, canonical
URL) and completes the rest.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.analysis import Analysis, Analyzer
from service.ingest import advisories as advisory_formats
from service.ingest import news as news_formats
from service.ingest.analysis_pool import analyze_in_worker, analyze_pairs
from service.ingest.records import AdvisoryRecord, Article, ParseFailure, ParseProblem
from service.storage.advisories import store_advisory
from service.storage.signals import (
    Identity,
    identity,
    store_signal,
    store_signals,
    stored_positions,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
POOL_LOOKAHEAD = 2  # batches analysed ahead of the one being stored
SessionScope = Callable[[], AbstractContextManager[Session]]
T = TypeVar("T")


class UnknownFormat(ValueError):
    """The format of an input could not be detected or is not one we read."""


@dataclass
class IngestReport:
    """What one ingest saw, stored and could not use."""

    seen: int = 0
    new: int = 0
    duplicates: int = 0
    problems: list[ParseProblem] = field(default_factory=list)
    new_signal_ids: list[int] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.kind == "error")

    @property
    def unmapped(self) -> int:
        return sum(1 for p in self.problems if p.kind == "unmapped")

    def merge(self, other: IngestReport) -> None:
        self.seen += other.seen
        self.new += other.new
        self.duplicates += other.duplicates
        self.problems.extend(other.problems)
        self.new_signal_ids.extend(other.new_signal_ids)
        self.countries |= other.countries

    def as_dict(self) -> dict[str, int]:
        return {
            "seen": self.seen,
            "new": self.new,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "unmapped": self.unmapped,
        }


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class _Batch:
    """A batch of articles, their identities, and which of them are not stored yet."""

    articles: list[Article]
    identities: list[Identity]
    fresh: list[int]

    def pairs(self) -> list[tuple[str, str]]:
        """(title, text) of the fresh articles: the only ones worth analysing."""
        return [(self.articles[i].title, self.articles[i].text) for i in self.fresh]

    def with_analyses(
        self, fresh_analyses: Sequence[Analysis], model_version: str
    ) -> list[tuple[Article, Analysis]]:
        """Every article with an analysis: its own when fresh, an empty one when stored."""
        analyses = [Analysis(model_version, [])] * len(self.articles)
        for position, analysis in zip(self.fresh, fresh_analyses, strict=True):
            analyses[position] = analysis
        return list(zip(self.articles, analyses, strict=True))


def _batches_to_analyse(
    articles: Iterable[Article], batch_size: int, session_scope: SessionScope
) -> Iterator[_Batch]:
    """Batches of articles with what is already stored marked, so that polling a feed
    again (mostly stories seen before) costs a lookup, not an analysis, per item."""
    for batch in _batches(articles, batch_size):
        identities = [identity(article) for article in batch]
        with session_scope() as session:
            known = stored_positions(session, identities)
        fresh = [i for i in range(len(batch)) if i not in known]
        yield _Batch(batch, identities, fresh)


def _analysed_batches(
    batches: Iterable[_Batch], analyzer: Analyzer, pool: Executor | None
) -> Iterator[tuple[_Batch, list[tuple[Article, Analysis]]]]:
    """Batches with their analyses, in input order.

    With a pool, up to ``POOL_LOOKAHEAD`` batches are being analysed while the caller
    stores the one yielded; the bound keeps memory flat on a large input.
    """
    version = analyzer.model_version
    if pool is None:
        for batch in batches:
            yield batch, batch.with_analyses(analyze_pairs(analyzer, batch.pairs()), version)
        return
    pending: deque[tuple[_Batch, Future[list[Analysis]]]] = deque()
    for batch in batches:
        pending.append((batch, pool.submit(analyze_in_worker, batch.pairs())))
        if len(pending) > POOL_LOOKAHEAD:
            done, analyses = pending.popleft()
            yield done, done.with_analyses(analyses.result(), version)
    while pending:
        done, analyses = pending.popleft()
        yield done, done.with_analyses(analyses.result(), version)


def ingest_articles(
    articles: Iterable[Article],
    *,
    analyzer: Analyzer,
    session_scope: SessionScope,
    batch_size: int = BATCH_SIZE,
    pool: Executor | None = None,
) -> IngestReport:
    """Analyse and store articles not stored yet, one committed transaction per batch.

    ``pool`` (see :func:`~service.ingest.analysis_pool.analysis_pool`) analyses batches
    in other processes while this one stores; without it everything runs here.
    """
    report = IngestReport()
    batches = _batches_to_analyse(articles, batch_size, session_scope)
    for batch, analysed in _analysed_batches(batches, analyzer, pool):
        with session_scope() as session:
            report.merge(_store_batch(session, analysed, batch.identities))
    return report


def _store_batch(
    session: Session, analysed: list[tuple[Article, Analysis]], identities: list[Identity]
) -> IngestReport:
    """Store one batch in bulk; item by item if another writer raced us to a story."""
    report = IngestReport(seen=len(analysed))
    try:
        with session.begin_nested():
            outcomes = store_signals(session, items=analysed, identities=identities)
    except IntegrityError:
        logger.info("a concurrent writer stored part of this batch; storing item by item")
        return _store_one_by_one(session, analysed)
    for (_, analysis), outcome in zip(analysed, outcomes, strict=True):
        if outcome.created:
            report.new += 1
            report.new_signal_ids.append(outcome.signal_id)
            report.countries.update(c.iso2 for c in analysis.countries)
        else:
            report.duplicates += 1
    return report


def _store_one_by_one(session: Session, analysed: list[tuple[Article, Analysis]]) -> IngestReport:
    report = IngestReport()
    for article, analysis in analysed:
        report.seen += 1
        try:
            with session.begin_nested():
                outcome = store_signal(session, article=article, analysis=analysis)
        except IntegrityError:
            # Another process stored the same story between our check and insert.
            report.duplicates += 1
            continue
        if outcome.created:
            report.new += 1
            report.new_signal_ids.append(outcome.signal.id)
            report.countries.update(c.iso2 for c in analysis.countries)
        else:
            report.duplicates += 1
    return report


def ingest_advisories(
    records: Sequence[AdvisoryRecord], *, session_scope: SessionScope
) -> IngestReport:
    """Store advisory versions that changed, in one transaction (a snapshot lands whole)."""
    report = IngestReport()
    ordered = sorted(records, key=lambda r: (r.published_at is None, r.published_at or 0))
    with session_scope() as session:
        for record in ordered:
            report.seen += 1
            if store_advisory(session, record=record) is None:
                report.duplicates += 1
            else:
                report.new += 1
                report.countries.add(record.country_iso2)
    return report


def detect_format(data: bytes, filename: str | None) -> str:
    """The format of an input: a known official format, else a news format, else generic.

    "generic" (advisory history in CSV/JSON) is the weakest guess, since any table or
    JSON document could be one; a news shape with a title wins over it.
    """
    advisory = advisory_formats.detect_format(data, filename)
    if advisory is not None and advisory != "generic":
        return advisory
    found = news_formats.detect_format(data, filename) or advisory
    if found is None:
        raise UnknownFormat(f"could not detect the format of {filename or 'the input'}")
    return found


def ingest_bytes(
    data: bytes,
    *,
    filename: str | None,
    fmt: str | None,
    analyzer: Analyzer,
    session_scope: SessionScope,
    options: Mapping[str, Any] | None = None,
    pool: Executor | None = None,
) -> IngestReport:
    """Parse one input in ``fmt`` (detected when None) and store what it holds.

    ``options`` go to the parser as keyword arguments (e.g. the generic import's
    ``mapping``, ``records_key`` and ``source``); ``pool`` analyses news in other
    processes (see :func:`ingest_articles`).

    Raises
    ------
    UnknownFormat
        When the format is unknown or cannot be detected.
    ParseFailure
        When the input as a whole is unusable; nothing is stored from it.
    """
    fmt = fmt or detect_format(data, filename)
    if fmt in advisory_formats.PARSERS:
        advisory_result = advisory_formats.PARSERS[fmt](data, **(options or {}))
        report = ingest_advisories(advisory_result.items, session_scope=session_scope)
        report.problems.extend(advisory_result.problems)
        return report
    if fmt in news_formats.PARSERS:
        news_result = news_formats.PARSERS[fmt](data, **(options or {}))
        report = ingest_articles(
            news_result.items, analyzer=analyzer, session_scope=session_scope, pool=pool
        )
        report.problems.extend(news_result.problems)
        return report
    known = sorted({*advisory_formats.PARSERS, *news_formats.PARSERS})
    raise UnknownFormat(f"unknown format {fmt!r}; known formats: {', '.join(known)}")


def ingest_path(
    path: Path,
    *,
    fmt: str | None,
    analyzer: Analyzer,
    session_scope: SessionScope,
    options: Mapping[str, Any] | None = None,
    pool: Executor | None = None,
) -> dict[Path, IngestReport | Exception]:
    """Ingest a file, or every file in a folder in name order; one bad file never stops the rest."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    outcomes: dict[Path, IngestReport | Exception] = {}
    for file in files:
        try:
            outcomes[file] = ingest_bytes(
                file.read_bytes(),
                filename=file.name,
                fmt=fmt,
                analyzer=analyzer,
                session_scope=session_scope,
                options=options,
                pool=pool,
            )
        except (ParseFailure, UnknownFormat, OSError) as exc:
            logger.warning("ingest of %s failed: %s", file, exc)
            outcomes[file] = exc
    return outcomes
