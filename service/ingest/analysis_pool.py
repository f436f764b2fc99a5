"""Article analysis in worker processes, so that it runs beside parsing and storing.

Analysis is pure CPU work on ``(title, text)`` pairs, storing is the main process's
database work; in one process they take turns on one core. With a pool, batch k+1 is
analysed while batch k is stored, and a bulk ingest uses two cores instead of one.
Workers are forked, so they share the parent's (possibly large) loaded models instead
of unpickling a copy each.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from models.analysis import Analysis, Analyzer

# A worker per core when there are several (the learned models ingest 567/s in process,
# 772/s with one worker, 1,103/s with two on two cores); beyond four the single process
# that parses and stores is the limit.
CORES = os.cpu_count() or 1
DEFAULT_ANALYSIS_WORKERS = min(4, CORES) if CORES > 1 else 0
ORPHAN_CHECK_SECONDS = 0.5
_worker_analyzer: Analyzer | None = None


def analyze_pairs(analyzer: Analyzer, pairs: Sequence[tuple[str, str]]) -> list[Analysis]:
    """Analyses in order; analysers that read a batch at once (the learned models score
    every article of a batch in one matrix pass) are given the whole batch."""
    analyze_many = getattr(analyzer, "analyze_many", None)
    if analyze_many is not None:
        return list(analyze_many(pairs))
    return [analyzer.analyze(title, text) for title, text in pairs]


def analyze_in_worker(pairs: Sequence[tuple[str, str]]) -> list[Analysis]:
    """The task a pool runs: analyse with the analyser the worker was started with."""
    if _worker_analyzer is None:
        raise RuntimeError("analyze_in_worker runs only in an analysis_pool worker")
    return analyze_pairs(_worker_analyzer, pairs)


def _adopt(analyzer: Analyzer) -> None:
    global _worker_analyzer
    _worker_analyzer = analyzer
    parent = os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), name="orphan-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker once its parent is gone (``kill -9`` leaves no orphan reading an
    abandoned queue forever)."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(1)


@contextmanager
def analysis_pool(analyzer: Analyzer, workers: int) -> Iterator[Executor]:
    """``workers`` forked processes that run :func:`analyze_in_worker` with ``analyzer``.

    Fork only from a process that has no other threads at work (the CLI, a bench), never
    from inside the web server or the scheduler.
    """
    if workers < 1:
        raise ValueError(f"an analysis pool needs at least one worker, not {workers}")
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_adopt, initargs=(analyzer,)
    ) as pool:
        # Fork every worker now, before the caller parses its input: a worker forked later
        # inherits that whole heap, and its collector walks (and so copies) those pages.
        # Objects frozen at the fork (the loaded models) stay out of the workers'
        # collections; the parent takes them back.
        gc.freeze()
        try:
            pool.submit(os.getpid).result()
        finally:
            gc.unfreeze()
        yield pool
