"""Replay Sept-Dec 2025 from real data and print Mali's weekly factor series.

Ingests the WSJ world items (``csv`` news format) and the official advisory history
(generic import of the Canadian change log, which carries levels), backfills day by
day with ``python -m service score --from --to`` (run in-process), and prints Mali's
weekly scores. The UK and Canadian update reasons (info_history: fuel shortages on
14 Oct, blockades on 24 Oct, embassy staff withdrawn on 31 Oct) are ingested as
"advisory-updates" evidence.

Usage: ``.venv/bin/python bench/replay.py [--data ../shared/data] [--country ML]``
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service import create_app  # noqa: E402
from service.extensions import runtime  # noqa: E402
from service.ingest.advisories.generic import parse_generic  # noqa: E402
from service.ingest.pipeline import IngestReport, ingest_advisories, ingest_path  # noqa: E402
from service.settings import load_settings  # noqa: E402
from service.storage.db import db  # noqa: E402
from service.storage.tables import Base, ScoreHistory  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
HISTORY = "advisories-history-marcolussetti"
WSJ = "wsj-world-rss-orx365/wsj_world_items_2025-04_2026-02.csv"
FIRST, LAST = date(2025, 9, 1), date(2025, 12, 31)
FACTORS = ("overall", "security", "fuel_supply", "diplomatic_presence")


@dataclass(frozen=True)
class Replay:
    """What the replay stored and the weekly series it produced."""

    news: IngestReport
    advisories: IngestReport
    update_reasons: IngestReport
    series: dict[date, dict[str, float]]
    seconds: float


def scraper_mapping(data: bytes) -> dict[str, str]:
    """The scraper's CSV columns as generic fields (they differ by source)."""
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    mapping = {"country": "destination", "native": "risk_level"}
    mapping["published_at"] = (
        "last_updated_advisory" if "last_updated_advisory" in header else "last_updated"
    )
    mapping["url"] = next(h for h in ("advisory_details_url", "details_url", "url") if h in header)
    return mapping


@contextmanager
def replay_app(workdir: Path) -> Iterator[Flask]:
    """An app on a fresh SQLite database in ``workdir`` with the baseline analyser."""
    settings = load_settings(
        {
            "database_url": f"sqlite:///{workdir / 'replay.db'}",
            "report_dir": workdir / "reports",
            "model_dir": workdir / "artifacts",
        },
        environ={},
        config_file=workdir / "absent.yaml",
    )
    app = create_app(settings)
    with app.app_context():
        Base.metadata.create_all(db.engine)
    try:
        yield app
    finally:
        with app.app_context():
            db.dispose()


def run_replay(
    app: Flask,
    data: Path,
    *,
    country: str = "ML",
    first: date = FIRST,
    last: date = LAST,
    every: int = 7,
) -> Replay:
    """Ingest, backfill ``first``..``last`` and read ``country``'s series every ``every`` days."""
    started = time.perf_counter()
    with app.app_context():
        analyzer = runtime().analyzer
        news = ingest_path(data / WSJ, fmt="csv", analyzer=analyzer, session_scope=db.session_scope)
        news_report = next(iter(news.values()))
        if isinstance(news_report, Exception):
            raise news_report
        changes = (data / HISTORY / "summary_changes" / "canada_summary_changes.csv").read_bytes()
        parsed = parse_generic(changes, mapping=scraper_mapping(changes))
        advisories = ingest_advisories(parsed.items, session_scope=db.session_scope)
        reasons = IngestReport()
        for government in ("unitedkingdom", "canada"):
            path = data / HISTORY / "info_history" / f"{government}_info_history.jsonl"
            stored = ingest_path(
                path, fmt="advisory-updates", analyzer=analyzer, session_scope=db.session_scope
            )[path]
            if isinstance(stored, Exception):
                raise stored
            reasons.merge(stored)
    result = app.test_cli_runner().invoke(
        args=["score", "--from", first.isoformat(), "--to", last.isoformat()]
    )
    if result.exit_code != 0:
        raise RuntimeError(f"score --from/--to failed: {result.output}") from result.exception
    with app.app_context(), db.session_scope() as session:
        rows = session.execute(
            select(ScoreHistory.as_of, ScoreHistory.factor, ScoreHistory.score).where(
                ScoreHistory.country_iso2 == country,
                ScoreHistory.as_of >= first,
                ScoreHistory.as_of <= last,
            )
        ).all()
    by_day: dict[date, dict[str, float]] = {}
    for day, factor, score in rows:
        by_day.setdefault(day, {})[factor] = score
    weekly = {first + timedelta(days=n): {} for n in range(0, (last - first).days + 1, every)}
    series = {day: by_day.get(day, {}) for day in weekly}
    return Replay(
        news_report,
        advisories,
        reasons,
        series,
        round(time.perf_counter() - started, 1),
    )


def format_series(series: dict[date, dict[str, float]]) -> str:
    """The series as a fixed-width table, one row per sampled day."""
    lines = ["as_of       " + "".join(f"{f:>21}" for f in FACTORS)]
    for day, scores in series.items():
        lines.append(
            day.isoformat() + "  " + "".join(f"{scores.get(f, 0.0):>21.1f}" for f in FACTORS)
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--country", default="ML")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, replay_app(Path(tmp)) as app:
        replay = run_replay(app, args.data, country=args.country)
    print(f"news: {replay.news.as_dict()}")
    print(f"advisories (Canada change log): {replay.advisories.as_dict()}")
    print(f"update reasons (UK, Canada): {replay.update_reasons.as_dict()}")
    print(f"{args.country} weekly, backfilled {FIRST} to {LAST} in {replay.seconds}s:")
    print(format_series(replay.series))


if __name__ == "__main__":
    main()
