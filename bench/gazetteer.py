"""Throughput of Gazetteer.find_mentions on 1-2 KB articles (target: >= 20,000 articles/s).

Articles are built from real WSJ World items in ../shared/data, concatenated until each
is 1-2 KB, in two mixes:

- prose: the standfirsts only (sentence case, like an article body);
- headlines: title + standfirst pairs, half Title Case and very dense in country names
  (~19 mentions per article), the worst case for the matcher: every capitalised word
  is a place where the name trie has to be tried.

Without that data a fixed sample paragraph is repeated instead.

    .venv/bin/python bench/gazetteer.py [--articles N] [--repeat R]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from models.gazetteer import Gazetteer  # noqa: E402

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
WSJ_CSV = SHARED_DATA / "wsj-world-rss-orx365" / "wsj_world_items_2025-04_2026-02.csv"
FALLBACK = (
    "France withdraws diplomatic staff from Mali amid deteriorating security and fuel "
    "crisis. Jihadist groups have blockaded fuel convoys heading to Bamako, while Burkina "
    "Faso and Niger face similar attacks. The U.S. and UK urged citizens to leave. "
)


def build_articles(n: int, seed: int = 7, *, headlines: bool = True) -> list[str]:
    """Real news text cut into n articles of 1-2 KB each."""
    if WSJ_CSV.is_file():
        with WSJ_CSV.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if headlines:
            items = [f"{r['title']}. {r['description']}" for r in rows]
        else:
            items = [r["description"] for r in rows if r["description"]]
    else:
        items = [FALLBACK]
    rng = random.Random(seed)
    articles = []
    for _ in range(n):
        target = rng.randint(1024, 2048)
        parts: list[str] = []
        size = 0
        while size < target:
            part = rng.choice(items)
            parts.append(part)
            size += len(part) + 1
        articles.append(" ".join(parts)[:target])
    return articles


def main() -> None:
    """Print load time, articles/s, MB/s and mentions per article."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    gaz = Gazetteer.load()
    print(f"load: {(time.perf_counter() - t0) * 1000:.0f} ms")
    for label, headlines in (("prose", False), ("headlines", True)):
        articles = build_articles(args.articles, headlines=headlines)
        total_bytes = sum(len(a.encode()) for a in articles)
        best = float("inf")
        mentions = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            mentions = sum(len(gaz.find_mentions(a)) for a in articles)
            best = min(best, time.perf_counter() - t0)
        rate = len(articles) / best
        verdict = "OK" if rate >= 20_000 else "below target"
        print(
            f"find_mentions [{label}]: {rate:,.0f} articles/s ({verdict}; "
            f"{total_bytes / best / 1e6:.1f} MB/s, {len(articles)} articles of "
            f"{total_bytes / len(articles):,.0f} B avg, "
            f"{mentions / len(articles):.1f} mentions each, best of {args.repeat})"
        )


if __name__ == "__main__":
    main()
