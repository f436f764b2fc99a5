"""Articles per second of the active learned analyser on 1-2 KB articles, one process.

Usage: .venv/bin/python bench/analyze.py [ARTIFACTS_DIR]  (fits on the corpus if none active)
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.fitting import fit_analyzer, load_corpus  # noqa: E402
from models.registry import load_active  # noqa: E402


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    artifacts = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "artifacts"
    examples = load_corpus(ROOT / "models" / "data")
    analyzer = load_active(artifacts) or fit_analyzer(examples)
    # 1-2 KB articles: consecutive corpus examples glued together under one headline.
    articles = []
    for i in range(0, len(examples) - 12, 3):
        body = " ".join(f"{e['title']}. {e['text']}" for e in examples[i : i + 12])
        articles.append((examples[i]["title"], body[:2000]))
    articles = [a for a in articles if len(a[0]) + len(a[1]) >= 1000]
    analyzer.analyze_many(articles[:50])  # warm caches (first-call numpy dispatch)
    started = time.perf_counter()
    for title, text in articles:
        analyzer.analyze(title, text)
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(articles), 256):
        analyzer.analyze_many(articles[i : i + 256])
    batched = time.perf_counter() - started
    size = sum(len(t) + len(b) for t, b in articles) / len(articles)
    print(f"articles: {len(articles)}, mean size {size:.0f} chars")
    print(f"analyze():      {len(articles) / one_by_one:.0f} articles/s (one process)")
    print(f"analyze_many(): {len(articles) / batched:.0f} articles/s (batches of 256)")
    cpu = _cpu_model()
    print(f"machine: nproc={os.cpu_count()}, cpu={cpu}, python {platform.python_version()}")


if __name__ == "__main__":
    main()
