"""Latency of ``score()`` on real chat prompts tiled to 2,000 characters: the p99 target's harder reading.

The classifier bench times one 2,000-character text many times; real traffic varies, and a rule's scan costs most on
some shapes (code, tables, documents). Each arena-hard v2 prompt of ``shared/`` is repeated up to 2,000 characters
and scored once (after a warm-up), so the p99 is over 750 different texts. Run it in two trees for an A/B ratio:

    taskset -c 1 python bench/tiled_prompts_bench.py [--data ../shared/data] [--chars 2000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from classifiers import load_classifier

PROMPTS = Path("difficulty/arena_hard/v2.0.jsonl")
WARM_UP = 50


def tiled(data: Path, chars: int) -> list[str]:
    """Each non-empty prompt of the set repeated up to ``chars`` characters."""
    with (data / PROMPTS).open(encoding="utf-8") as lines:  # (not splitlines: a prompt may hold U+2028)
        prompts = [json.loads(line)["prompt"] for line in lines if line.strip()]
    return [(p * (chars // len(p) + 1))[:chars] for p in prompts if p]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--chars", type=int, default=2000)
    args = parser.parse_args()
    clf = load_classifier()
    texts = tiled(args.data, args.chars)
    for text in texts[:WARM_UP]:
        clf.score([{"role": "user", "content": text}])
    times = []
    for text in texts:
        start = time.perf_counter()
        clf.score([{"role": "user", "content": text}])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{len(times)} prompts of {args.chars} characters: p50 {times[len(times) // 2]:.3f} ms  "
          f"p99 {times[int(len(times) * 0.99)]:.3f} ms  max {times[-1]:.3f} ms")


if __name__ == "__main__":
    main()
