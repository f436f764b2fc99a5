"""The command line against a real database: ingest, score, analyze, demo, db upgrade."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import create_app
from service.settings import Settings
from service.storage import migrate
from service.storage.tables import Advisory, ScoreHistory, Signal


def test_seed_article_ingested_and_scored_raises_mali_on_every_factor(
    runner: FlaskCliRunner, client: FlaskClient, seed_article: Path
) -> None:
    result = runner.invoke(args=["ingest", "--file", str(seed_article)])
    assert result.exit_code == 0, result.output
    assert "new 1" in result.output
    assert "scored" in result.output
    countries = client.get("/v1/countries").get_json()["items"]
    mali = client.get("/v1/countries/ML").get_json()
    france = client.get("/v1/countries/FR").get_json()
    for factor in ("security", "fuel_supply", "diplomatic_presence"):
        # Mali, the subject: level 3 or more on every factor, and the highest country.
        assert mali["factors"][factor]["level"] >= 3, factor
        assert max(countries, key=lambda c: c["factors"][factor]["score"])["iso2"] == "ML"
        assert mali["factors"][factor]["drivers"][0]["title"].startswith("France Withdraws")
        # France, the actor: stays at level 1 with a score of 5 at most.
        assert france["factors"][factor]["score"] <= 5, factor
    assert france["overall"]["level"] == 1


def test_ingesting_the_same_file_twice_stores_it_once(
    runner: FlaskCliRunner, session: Session, seed_article: Path
) -> None:
    runner.invoke(args=["ingest", "--file", str(seed_article)])
    again = runner.invoke(args=["ingest", "--file", str(seed_article)])
    assert "new 0, duplicates 1" in again.output
    assert session.scalar(select(func.count(Signal.id))) == 1


def test_a_broken_jsonl_line_is_reported_and_the_good_lines_stored(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        '{"title": "Curfew imposed in Bamako after attack", "text": "Gunmen attacked."}\n'
        "{not json\n"
        '{"title": "Fuel queues grow in Harare", "text": "Zimbabwe fuel shortage."}\n'
    )
    result = runner.invoke(args=["ingest", "--file", str(path)])
    assert result.exit_code == 0
    assert "line 2" in result.output
    assert session.scalar(select(func.count(Signal.id))) == 2


def test_a_folder_is_ingested_file_by_file_and_a_bad_file_does_not_stop_the_rest(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Protests turn violent in Nairobi\n\nPolice fired tear gas.")
    (tmp_path / "b.xml").write_text("<html><body>not a feed</body></html>")
    (tmp_path / "c.txt").write_text("Embassy reopens in Kabul\n\nStaff returned to the mission.")
    result = runner.invoke(args=["ingest", "--file", str(tmp_path)])
    assert result.exit_code == 0
    assert "b.xml: FAILED" in result.output
    assert session.scalar(select(func.count(Signal.id))) == 2


def test_ingest_needs_exactly_one_input(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["ingest"])
    assert result.exit_code == 2
    assert "exactly one of --file, --source or --all" in result.output


def test_unknown_format_and_unknown_source_are_clear_errors(
    runner: FlaskCliRunner, seed_article: Path
) -> None:
    fmt = runner.invoke(args=["ingest", "--file", str(seed_article), "--format", "pdf"])
    assert "unknown format 'pdf'" in fmt.output
    source = runner.invoke(args=["ingest", "--source", "nowhere"])
    assert source.exit_code == 2
    assert "unknown source(s) nowhere" in source.output


def test_score_as_of_a_date_writes_that_days_history(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["score", "--as-of", "2025-10-31"])
    assert result.exit_code == 0, result.output
    days = session.scalars(select(ScoreHistory.as_of).distinct()).all()
    assert [d.isoformat() for d in days] == ["2025-10-31"]
    bad = runner.invoke(args=["score", "--as-of", "last tuesday"])
    assert bad.exit_code == 2
    assert "not a date" in bad.output


def test_analyze_prints_the_analysis_and_stores_nothing(
    runner: FlaskCliRunner, session: Session, seed_article: Path
) -> None:
    result = runner.invoke(args=["analyze", "--file", str(seed_article)])
    assert result.exit_code == 0, result.output
    analysis = json.loads(result.output)
    roles = {c["iso2"]: c["role"] for c in analysis["countries"]}
    assert roles["ML"] == "subject"
    assert roles["FR"] == "actor"
    assert analysis["model_version"]
    assert session.scalar(select(func.count(Signal.id))) == 0


def test_demo_load_fills_an_empty_database_once(
    runner: FlaskCliRunner, client: FlaskClient, session: Session
) -> None:
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "errors 0" in first.output and "FAILED" not in first.output
    signals = session.scalar(select(func.count(Signal.id)))
    assert signals and signals >= 10
    assert session.scalar(select(func.count(Advisory.id)))
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in second.output
    assert session.scalar(select(func.count(Signal.id))) == signals
    raised = [
        c for c in client.get("/v1/countries").get_json()["items"] if c["overall"]["level"] > 1
    ]
    assert {"ML", "HT", "SD"} <= {c["iso2"] for c in raised}


def test_db_upgrade_migrates_an_empty_database(settings: Settings, database_url: str) -> None:
    result = create_app(settings).test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"database at revision {migrate.current_revision(database_url)}" in result.output
