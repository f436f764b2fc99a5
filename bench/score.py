"""Benchmark: full rescore from 1,000,000 stored mentions, and a one-year history query.

Targets (issue 6, 2-core machine): full rescore <= 10 s; one country's year of history
<= 20 ms. Builds a throwaway SQLite database under a temp folder; prints the figures.

    .venv/bin/python bench/score.py [--mentions 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from models.factor_config import load_factor_config
from models.gazetteer import default_gazetteer
from service.rescore import rescore
from service.storage.db import make_engine
from service.storage.scores import score_history
from service.storage.tables import Base

FACTORS = ("security", "fuel_supply", "diplomatic_presence")
# Most readings say nothing about a factor (an analyser reads one or two factors into a
# story, none into a bystander): 70 % none, 22 % escalating, 8 % easing.
DIRECTIONS = ("none",) * 70 + ("escalating",) * 22 + ("easing",) * 8
SIGN = {"escalating": 1.0, "easing": -1.0, "none": 0.0}


def fill_sqlite(path: Path, mentions: int, now: datetime) -> None:
    """Signals with ~3 mentions each over the last 120 days, three readings per mention."""
    rng = random.Random(0)
    countries = [c.iso2 for c in default_gazetteer().countries]
    hot = countries[:40]  # news concentrates on a few countries
    connection = sqlite3.connect(path)
    signals = mentions // 3
    connection.executemany(
        "INSERT INTO signals (id, content_hash, title, text, source, published_at, ingested_at,"
        " model_version, raw, story_key) VALUES (?, ?, ?, '', 'bench', ?, ?, 'bench', '{}', ?)",
        (
            (
                i,
                f"{i:064x}",
                f"story {i}",
                (now - timedelta(days=rng.random() * 120)).strftime("%Y-%m-%d %H:%M:%S.%f"),
                now.strftime("%Y-%m-%d %H:%M:%S.%f"),
                i // 3,  # syndicated copies: about three signals per story
            )
            for i in range(1, signals + 1)
        ),
    )
    published = dict(connection.execute("SELECT id, published_at FROM signals"))
    mention_rows = []
    factor_rows = []
    mention_id = 0
    for signal_id in range(1, signals + 1):
        chosen = rng.sample(hot, 2) + [rng.choice(countries)]
        for rank, iso2 in enumerate(dict.fromkeys(chosen)):
            mention_id += 1
            weight = (0.8, 0.15, 0.05)[rank]
            role = ("subject", "actor", "mentioned")[rank]
            mention_rows.append((mention_id, signal_id, iso2, role, weight, published[signal_id]))
            for factor in FACTORS:
                probability, direction = round(rng.random(), 3), rng.choice(DIRECTIONS)
                factor_rows.append(
                    (
                        mention_id,
                        factor,
                        probability,
                        direction,
                        signal_id,
                        iso2,
                        published[signal_id],
                        weight * probability * SIGN[direction],
                        signal_id // 3,
                    )
                )
    connection.executemany(
        "INSERT INTO mentions (id, signal_id, country_iso2, role, weight, published_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        mention_rows,
    )
    connection.executemany(
        "INSERT INTO mention_factors (mention_id, factor, probability, direction, signal_id,"
        " country_iso2, published_at, strength, story_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        factor_rows,
    )
    start = date(now.year - 1, now.month, now.day)
    connection.executemany(
        "INSERT INTO score_history (country_iso2, factor, as_of, score, level, confidence,"
        " model_version, computed_at) VALUES (?, ?, ?, ?, 1, 0.5, 'bench', ?)",
        (
            (
                iso2,
                factor,
                (start + timedelta(days=d)).isoformat(),
                rng.random() * 100,
                now.strftime("%Y-%m-%d %H:%M:%S.%f"),
            )
            for iso2 in countries
            for factor in ("overall", *FACTORS)
            for d in range(366)
        ),
    )
    connection.commit()
    connection.close()
    directional = sum(1 for row in factor_rows if row[3] != "none")
    print(
        f"stored {signals:,} signals, {mention_id:,} mentions, {len(factor_rows):,} readings"
        f" ({directional:,} with a direction)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        engine = make_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        started = time.perf_counter()
        fill_sqlite(path, args.mentions, now)
        print(f"fill: {time.perf_counter() - started:.1f} s")
        config = load_factor_config()
        with Session(engine) as session:
            started = time.perf_counter()
            results = rescore(session, as_of=now, config=config, model_version="bench")
            session.commit()
            elapsed = time.perf_counter() - started
        raised = sum(1 for r in results if r.overall.score > 0)
        print(
            f"full rescore: {elapsed:.2f} s for {len(results)} countries ({raised} raised)"
            " [target <= 10 s]"
        )
        timings = []
        with Session(engine) as session:
            for _ in range(20):
                started = time.perf_counter()
                rows = score_history(
                    session,
                    country_iso2="ML",
                    factor=None,
                    since=now.date() - timedelta(days=365),
                    until=now.date(),
                    after=None,
                    limit=1000,
                )
                timings.append(time.perf_counter() - started)
        timings.sort()
        print(
            f"one-year history of ML: {len(rows)} rows, median {timings[10] * 1000:.1f} ms,"
            f" worst {timings[-1] * 1000:.1f} ms [target <= 20 ms]"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
