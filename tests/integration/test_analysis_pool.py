"""Analysis in forked workers: the same stored evidence as in process, failures surface."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.analysis import Analysis
from models.baseline import BaselineAnalyzer
from service.ingest.analysis_pool import analysis_pool, analyze_in_worker
from service.ingest.pipeline import IngestReport, ingest_articles
from service.ingest.records import Article
from service.storage.db import db
from service.storage.tables import Mention, MentionFactor, Signal
from tests.conftest import make_article

pytestmark = pytest.mark.timeout(60)

STORIES = [
    ("Gunmen attack fuel convoy near Bamako", "Tankers were torched on the road from Senegal."),
    ("France withdraws embassy staff from Mali", "Paris ordered the departure of diplomats."),
    ("Fuel supplies restored in Harare", "Queues at filling stations in Zimbabwe eased."),
    ("Curfew lifted in Port-au-Prince", "Haiti's police said calm returns to the capital."),
    ("Mali beat France in friendly", "A late goal settled it."),
]


def articles(n: int) -> list[Article]:
    """``n`` articles, every tenth a copy of an earlier one (a duplicate within the run)."""
    made: list[Article] = []
    for i in range(n):
        title, text = STORIES[i % len(STORIES)]
        copy = make_article(made[-1].title, made[-1].text) if i % 10 == 9 else None
        made.append(copy or make_article(f"{title} ({i})", f"{text} Report {i}."))
    return made


def stored(session: Session) -> list[tuple[object, ...]]:
    session.expire_all()
    query = (
        select(
            Signal.content_hash,
            Mention.country_iso2,
            Mention.role,
            Mention.weight,
            MentionFactor.factor,
            MentionFactor.probability,
            MentionFactor.direction,
            MentionFactor.strength,
        )
        .join(Mention, Mention.signal_id == Signal.id)
        .join(MentionFactor, MentionFactor.mention_id == Mention.id)
        .order_by(Signal.content_hash, Mention.country_iso2, MentionFactor.factor)
    )
    return [tuple(row) for row in session.execute(query)]


def ingest(app: Flask, items: list[Article], workers: int) -> IngestReport:
    analyzer = BaselineAnalyzer()
    with app.app_context():
        if not workers:
            return ingest_articles(
                items, analyzer=analyzer, session_scope=db.session_scope, batch_size=40
            )
        with analysis_pool(analyzer, workers) as pool:
            return ingest_articles(
                items, analyzer=analyzer, session_scope=db.session_scope, batch_size=40, pool=pool
            )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_pooled_ingest_stores_exactly_what_an_in_process_one_does(
    app: Flask, session: Session, workers: int
) -> None:
    items = articles(300)
    in_process = ingest(app, items, workers=0)
    expected = stored(session)
    for table in (MentionFactor, Mention, Signal):
        session.execute(delete(table))
    session.commit()

    pooled = ingest(app, items, workers=workers)
    assert (
        pooled.as_dict()
        == in_process.as_dict()
        == {
            "seen": 300,
            "new": 270,
            "duplicates": 30,
            "errors": 0,
            "unmapped": 0,
        }
    )
    assert len(pooled.new_signal_ids) == 270
    assert stored(session) == expected
    assert expected


class FailsOnBoom(BaselineAnalyzer):
    """An analyser that breaks on one article, as a bug in a model would."""

    def analyze_many(self, pairs: Sequence[tuple[str, str]]) -> list[Analysis]:
        if any(title.startswith("boom") for title, _ in pairs):
            raise RuntimeError("analyser failed on boom")
        return [self.analyze(title, text) for title, text in pairs]


def test_a_failure_in_a_worker_stops_the_run_and_keeps_earlier_batches_whole(
    app: Flask, session: Session
) -> None:
    items = articles(120)
    items[100] = make_article("boom", "Unreadable.")
    analyzer = FailsOnBoom()
    with (
        app.app_context(),
        analysis_pool(analyzer, 1) as pool,
        pytest.raises(RuntimeError, match="analyser failed on boom"),
    ):
        ingest_articles(
            items, analyzer=analyzer, session_scope=db.session_scope, batch_size=40, pool=pool
        )
    # Batches 1 and 2 (80 articles, 8 of them repeats) landed; the failed batch left nothing.
    assert session.scalar(select(func.count(Signal.id))) == 72
    mentioned = select(func.count(func.distinct(Mention.signal_id)))
    assert session.scalar(mentioned) == 72


def test_worker_tasks_and_pools_refuse_misuse() -> None:
    with pytest.raises(RuntimeError, match="only in an analysis_pool worker"):
        analyze_in_worker([("Mali", "")])
    with (
        pytest.raises(ValueError, match="at least one worker"),
        analysis_pool(BaselineAnalyzer(), 0),
    ):
        pass


@pytest.mark.parametrize("workers", ["0", "1"])
def test_the_cli_ingests_with_or_without_workers(
    runner: FlaskCliRunner, session: Session, tmp_path, workers: str
) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        '{"title": "Curfew imposed in Bamako after attack", "text": "Gunmen attacked."}\n'
        '{"title": "Fuel queues grow in Harare", "text": "Zimbabwe fuel shortage."}\n'
    )
    result = runner.invoke(args=["ingest", "--file", str(path), "--workers", workers])
    assert result.exit_code == 0, result.output
    assert "new 2" in result.output
    assert session.scalar(select(func.count(Signal.id))) == 2


class CountingAnalyzer(BaselineAnalyzer):
    """The baseline, counting the articles it is asked to read."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def analyze(self, title: str, text: str) -> Analysis:
        self.read += 1
        return super().analyze(title, text)


def test_stories_already_stored_are_not_analysed_again(app: Flask, session: Session) -> None:
    first, second = articles(60), articles(90)  # the second run repeats the first 60
    analyzer = CountingAnalyzer()
    with app.app_context():
        ingest_articles(first, analyzer=analyzer, session_scope=db.session_scope, batch_size=40)
        assert analyzer.read == 60
        report = ingest_articles(
            second, analyzer=analyzer, session_scope=db.session_scope, batch_size=40
        )
    assert analyzer.read == 60 + 30
    assert report.as_dict()["new"] == 27 and report.as_dict()["duplicates"] == 63
    assert session.scalar(select(func.count(Signal.id))) == 54 + 27
