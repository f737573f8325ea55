"""Latency of ``score()`` on real chat prompts tiled to 2,000 characters: the p99 target's harder reading.

The classifier bench times one 2,000-character text many times; real traffic varies, and a rule's scan costs most on
some shapes (code, tables, documents). Each arena-hard v2 prompt of ``shared/`` is repeated up to 2,000 characters
and scored (after a warm-up), so the p99 is over 750 different texts; ``--repeats N`` takes each text's best of N
timings, the README's reading (a text's own cost, not the machine's stalls). Run it in two trees for an A/B ratio:

    taskset -c 1 python bench/tiled_prompts_bench.py [--data ../shared/data] [--chars 2000] [--repeats 15]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from classifiers import load_classifier
from classifiers.classifier import ComplexityClassifier

PROMPTS = Path("difficulty/arena_hard/v2.0.jsonl")
WARM_UP = 50


def tiled(data: Path, chars: int) -> list[str]:
    """Each non-empty prompt of the set repeated up to ``chars`` characters."""
    with (data / PROMPTS).open(encoding="utf-8") as lines:  # (not splitlines: a prompt may hold U+2028)
        prompts = [json.loads(line)["prompt"] for line in lines if line.strip()]
    return [(p * (chars // len(p) + 1))[:chars] for p in prompts if p]


def best_ms(clf: ComplexityClassifier, text: str, repeats: int) -> float:
    """The fastest of ``repeats`` timings of scoring ``text`` as a user turn, in milliseconds."""
    messages = [{"role": "user", "content": text}]
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        clf.score(messages)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=1, help="each text's best of this many timings")
    args = parser.parse_args()
    clf = load_classifier()
    texts = tiled(args.data, args.chars)
    for text in texts[:WARM_UP]:
        clf.score([{"role": "user", "content": text}])
    times = sorted(best_ms(clf, text, args.repeats) for text in texts)
    print(f"{len(times)} prompts of {args.chars} characters, best of {args.repeats}: p50 {times[len(times) // 2]:.3f} ms  "
          f"p99 {times[int(len(times) * 0.99)]:.3f} ms  max {times[-1]:.3f} ms")


if __name__ == "__main__":
    main()
