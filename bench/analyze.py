"""Articles per second of the active learned analyser on 1-2 KB articles, one process.

Two workloads, both glued from the hand-written corpus (models/data):

- single-story: examples about the same subject country joined until 1-2 KB, like a
  news article about one country (about 4 countries and 20 mentions an article);
- mixed: 12 consecutive examples joined, each about a different event, cut at 2 KB: a
  worst case with about 12 countries and 24 mentions an article.

Each workload runs ``analyze_many`` in batches of 256 for several passes (median and
best, CPU and wall time: the CPU figure is the one to compare on a shared machine) and
``analyze`` one article at a time.

Usage: .venv/bin/python bench/analyze.py [ARTIFACTS_DIR]  (fits on the corpus if none active)
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.fitting import fit_analyzer, load_corpus  # noqa: E402
from models.learned import LearnedAnalyzer  # noqa: E402
from models.registry import load_active  # noqa: E402

PASSES = 7
Article = tuple[str, str]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def single_story(examples: list[dict[str, Any]]) -> list[Article]:
    """Examples with the same subject joined until 1-2 KB, under the first one's title."""
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for example in examples:
        subjects = sorted(c for c, role in example["countries"].items() if role == "subject")
        if subjects:
            by_subject[subjects[0]].append(example)
    articles: list[Article] = []
    for group in by_subject.values():
        pieces: list[str] = []
        for example in group:
            pieces.append(f"{example['title']}. {example['text']}")
            body = " ".join(pieces)
            if len(body) >= 1000:
                articles.append((group[0]["title"], body[:2000]))
                pieces = []
    return articles


def mixed(examples: list[dict[str, Any]]) -> list[Article]:
    """Twelve consecutive examples joined and cut at 2 KB (every third start)."""
    articles = []
    for i in range(0, len(examples) - 12, 3):
        body = " ".join(f"{e['title']}. {e['text']}" for e in examples[i : i + 12])
        articles.append((examples[i]["title"], body[:2000]))
    return [a for a in articles if len(a[0]) + len(a[1]) >= 1000]


def _rates(run: Callable[[], object], n: int) -> tuple[list[float], list[float]]:
    """Articles per second of each pass, by CPU time and by wall time."""
    cpu, wall = [], []
    for _ in range(PASSES):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        run()
        cpu.append(n / (time.process_time() - started_cpu))
        wall.append(n / (time.perf_counter() - started_wall))
    return cpu, wall


def measure(analyzer: LearnedAnalyzer, name: str, articles: list[Article]) -> None:
    parsed = [analyzer.parse(title, text) for title, text in articles]
    countries = statistics.mean(len(p.countries) for p in parsed)
    mentions = statistics.mean(sum(map(len, p.mentions)) for p in parsed)
    size = statistics.mean(len(t) + len(b) for t, b in articles)
    print(
        f"{name}: {len(articles)} articles, mean {size:.0f} chars, "
        f"{countries:.1f} countries and {mentions:.1f} mentions an article"
    )
    analyzer.analyze_many(articles)  # warm caches (first-call numpy dispatch, word n-grams)

    def batched() -> None:
        for i in range(0, len(articles), 256):
            analyzer.analyze_many(articles[i : i + 256])

    cpu, wall = _rates(batched, len(articles))
    print(
        f"  analyze_many(): median {statistics.median(cpu):,.0f} articles/s CPU "
        f"(best {max(cpu):,.0f}), median {statistics.median(wall):,.0f}/s wall"
    )
    started = time.process_time()
    for title, text in articles:
        analyzer.analyze(title, text)
    one_by_one = len(articles) / (time.process_time() - started)
    print(f"  analyze():      {one_by_one:,.0f} articles/s CPU (one call per article)")


def main() -> None:
    artifacts = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "artifacts"
    examples = load_corpus(ROOT / "models" / "data")
    analyzer = load_active(artifacts) or fit_analyzer(examples)
    print(f"model {analyzer.model_version}, {PASSES} passes, batches of 256, one process")
    measure(analyzer, "single-story", single_story(examples))
    measure(analyzer, "mixed", mixed(examples))
    cpu = _cpu_model()
    print(f"machine: nproc={os.cpu_count()}, cpu={cpu}, python {platform.python_version()}")


if __name__ == "__main__":
    main()
