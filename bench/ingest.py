"""End-to-end ingest throughput: parse -> analyse -> store on SQLite (target >= 2,000/s).

Articles are real Google News headlines from ../shared/data, each given ~1 KB of body
made of other headlines (resampled, so bodies name countries as densely as real news),
written as one article JSONL document and ingested through the real pipeline
(``ingest_bytes`` with the baseline analyser, or ``--analyzer learned`` for the active
trained model) into a fresh, migrated SQLite file.
Without that data a fixed paragraph with varied numbers stands in, and the bench says so.

    .venv/bin/python bench/ingest.py [--articles N] [--batch-size B] [--workers W] [--profile]

``--workers 1`` analyses in a forked process while this one parses and stores (what
``python -m service ingest --workers`` does); the default analyses in process.

Prints articles/s (wall clock, parse to last commit) and peak memory: the process's max
RSS over the whole bench (building the input included) and, on Linux, the peak reached
during the ingest itself (the high-water mark is reset just before it starts).
``--tracemalloc`` adds the peak of Python allocations during the run, at the cost of a
slower run.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import pstats
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from models.analysis import Analysis, Analyzer  # noqa: E402
from models.baseline import BaselineAnalyzer  # noqa: E402
from models.registry import load_active  # noqa: E402
from service.ingest import pipeline  # noqa: E402
from service.ingest.analysis_pool import analysis_pool, analyze_pairs  # noqa: E402
from service.storage import migrate  # noqa: E402
from service.storage.db import make_engine  # noqa: E402
from service.storage.tables import Mention, Signal  # noqa: E402

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
HEADLINES_DIR = SHARED_DATA / "google-news-headlines-wklnd"
TEXT_BYTES = 1024
FALLBACK = (
    "France withdraws diplomatic staff from Mali amid deteriorating security and fuel "
    "crisis. Jihadist groups have blockaded fuel convoys heading to Bamako, while Burkina "
    "Faso and Niger face similar attacks. The U.S. and UK urged citizens to leave."
)


def load_headlines() -> list[tuple[str, str]] | None:
    """(title, outlet) pairs from the real headline CSV, or None when it is absent."""
    files = sorted(HEADLINES_DIR.glob("*.csv")) if HEADLINES_DIR.is_dir() else []
    if not files:
        return None
    with files[0].open(encoding="utf-8", newline="") as fh:
        return [(r["title"], r["source"]) for r in csv.DictReader(fh) if r.get("title")]


def build_jsonl(n: int, seed: int = 11) -> tuple[bytes, int, str]:
    """``n`` article lines of ~1 KB text each, the number of distinct stories, and the origin."""
    rng = random.Random(seed)
    rows = load_headlines()
    origin = f"real headlines from {HEADLINES_DIR}"
    if rows is None:
        origin = f"SYNTHETIC text ({HEADLINES_DIR} is absent; figures are not comparable)"
        rows = [(f"{FALLBACK.split('.')[0]} (report {i})", "synthetic") for i in range(1000)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    lines = []
    for i in range(n):
        title, outlet = rows[i % len(rows)] if n <= len(rows) else rng.choice(rows)
        title = title if n <= len(rows) else f"{title} ({i})"
        parts: list[str] = []
        size = 0
        while size < TEXT_BYTES:
            part = rng.choice(rows)[0] if rows[0][1] != "synthetic" else FALLBACK
            parts.append(part)
            size += len(part) + 2
        article = {
            "title": title,
            "text": ". ".join(parts),
            "url": f"https://news.example.org/{i}?utm_source=bench",
            "published_at": (start + timedelta(seconds=37 * i)).isoformat(),
            "source": outlet,
        }
        lines.append(json.dumps(article, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode(), n, origin


def peak_rss_mb() -> float | None:
    """This process's resident-set high-water mark (Linux), in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def reset_peak_rss() -> float | None:
    """Reset the high-water mark to the current RSS (Linux); returns the current RSS in MB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return peak_rss_mb()


class TimedAnalyzer:
    """The analyser, timed, so the figures say how much of a run analysis takes."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.seconds = 0.0

    @property
    def model_version(self) -> str:
        return self.inner.model_version

    def analyze(self, title: str, text: str) -> Analysis:
        return self.analyze_many([(title, text)])[0]

    def analyze_many(self, pairs: Sequence[tuple[str, str]]) -> list[Analysis]:
        started = time.perf_counter()
        try:
            return analyze_pairs(self.inner, pairs)
        finally:
            self.seconds += time.perf_counter() - started


def make_analyzer(kind: str) -> Analyzer:
    """The keyword baseline, or the active learned artifact of models/artifacts."""
    if kind == "baseline":
        return BaselineAnalyzer()
    learned = load_active(REPO_ROOT / "models" / "artifacts")
    if learned is None:
        raise SystemExit("no active learned model: run `python -m service train` first")
    return learned


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=pipeline.BATCH_SIZE)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="analyse in N forked worker processes beside parse + store (0: in process)",
    )
    parser.add_argument("--analyzer", choices=["baseline", "learned"], default="baseline")
    parser.add_argument("--profile", action="store_true", help="print the top of cProfile")
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations")
    args = parser.parse_args()

    data, distinct, origin = build_jsonl(args.articles)
    print(f"{args.articles} articles, {len(data) / 1e6:.1f} MB of JSONL, {origin}")
    analyzer = TimedAnalyzer(make_analyzer(args.analyzer))
    print(f"analyser: {analyzer.model_version}")
    analyzer.analyze("warm-up", "France and Mali")  # load lexicons outside the timing
    analyzer.seconds = 0.0

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        sessions = sessionmaker(engine, expire_on_commit=False)

        @contextmanager
        def session_scope() -> Iterator[Session]:
            with sessions() as session, session.begin():
                yield session

        profiler = cProfile.Profile() if args.profile else None
        if args.tracemalloc:
            tracemalloc.start()
        pool = analysis_pool(analyzer, args.workers) if args.workers else nullcontext(None)
        before_mb = reset_peak_rss()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        with pool as executor:
            report = pipeline.ingest_bytes(
                data,
                filename="bench.jsonl",
                fmt="jsonl",
                analyzer=analyzer,
                session_scope=session_scope,
                pool=executor,
            )
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = (children.ru_utime + children.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        tracemalloc.stop()

        with sessions() as session:
            stored = session.scalar(select(func.count(Signal.id))) or 0
            mentions = session.scalar(select(func.count(Mention.id))) or 0
        engine.dispose()

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ingest_peak_mb = peak_rss_mb()
    print(f"stored {stored} signals ({mentions} mentions); report {report.as_dict()}")
    print(f"{args.articles / elapsed:,.0f} articles/s ({elapsed:.1f} s end to end)")
    # On a shared machine wall time includes waiting for a core; CPU time does not.
    total_cpu = cpu + worker_cpu
    print(f"{args.articles / total_cpu:,.0f} articles per CPU-second ({total_cpu:.1f} s of CPU)")
    if args.workers:
        print(
            f"{args.workers} analysis worker(s): {worker_cpu:.1f} s of CPU; "
            f"main process (parse + dedupe + store): {cpu:.1f} s of CPU"
        )
    else:
        rest = elapsed - analyzer.seconds
        print(
            f"analyse {analyzer.seconds:.1f} s ({args.articles / analyzer.seconds:,.0f}/s), "
            f"parse + dedupe + store {rest:.1f} s ({args.articles / rest:,.0f}/s)"
        )
    traced = f", {peak / 1e6:.0f} MB peak traced Python allocations" if peak is not None else ""
    print(f"peak memory: {rss_mb:.0f} MB max RSS{traced}")
    if before_mb is not None and ingest_peak_mb is not None:
        print(
            f"during the ingest: {ingest_peak_mb:.0f} MB peak RSS "
            f"({before_mb:.0f} MB when it started; workers not included)"
        )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    if stored != distinct:
        print(f"ERROR: expected {distinct} stored signals, found {stored}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
