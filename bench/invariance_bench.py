"""Invariance probes against the classifier: does a score follow the task, not how it is phrased or wrapped?

Each line of a variants file (bench/probes/variants.jsonl, held_out/variants_b.jsonl) is one phrasing of a group's
task — the base request, or the same task with courtesy, a "Question:" frame, a heading, a fence, a system prompt —
with a "group", a "kind", a "variant" label and a "prompt" or "messages". A variant never changes the task's
difficulty or requested length, so every score in a group should be the same. Per file, per kind and pooled: the
mean within-group spread (max − min score), the share of groups whose spread exceeds 0.05 and 0.10, and the groups
whose variants land in different tiers at the configured thresholds; for a read file (not under held_out/) also the
variants furthest from their group's median.

    python bench/invariance_bench.py [--artifact default] [FILE ...]
"""

from __future__ import annotations

import argparse
import json
from bisect import bisect_left
from collections import defaultdict
from pathlib import Path
from statistics import median
from typing import Any, NamedTuple

PROBES = Path(__file__).parent / "probes"
#: The files scored without arguments: the read half and the held-out half.
DEFAULT_FILES = (PROBES / "variants.jsonl", PROBES / "held_out" / "variants_b.jsonl")
#: The spreads whose share of groups is reported.
SPREAD_LIMITS = (0.05, 0.10)
#: Variants listed for a read file.
WORST = 10


class Scored(NamedTuple):
    """One variant's score, with what it belongs to."""

    group: str
    kind: str
    variant: str
    score: float


def messages_of(item: dict[str, Any]) -> list[dict[str, str]]:
    """The conversation one line is scored as."""
    return item["messages"] if "messages" in item else [{"role": "user", "content": item["prompt"]}]


def score_file(path: Path, classifier: Any) -> list[Scored]:
    """Every variant of ``path`` scored by ``classifier`` (anything with ``.score(messages).score``)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Scored(item["group"], str(item.get("kind", "all")), item["variant"], classifier.score(messages_of(item)).score)
            for item in items]


def by_group(scored: list[Scored]) -> dict[str, list[Scored]]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for row in scored:
        groups[row.group].append(row)
    return groups


def tier_of(score: float, thresholds: list[float]) -> int:
    """The index of the tier a score routes to: the first whose max_score is at least the score."""
    return bisect_left(thresholds, score)


def summarise(scored: list[Scored], thresholds: list[float]) -> dict[str, float]:
    """Groups, mean spread, the share of groups above each spread limit and the groups that cross a tier."""
    groups = by_group(scored)
    spreads = [max(r.score for r in rows) - min(r.score for r in rows) for rows in groups.values()]
    summary: dict[str, float] = {"groups": len(groups), "variants": len(scored),
                                 "mean spread": sum(spreads) / len(spreads) if spreads else float("nan")}
    for limit in SPREAD_LIMITS:
        summary[f"> {limit:.2f}"] = sum(s > limit for s in spreads) / len(spreads) if spreads else float("nan")
    summary["crossings"] = sum(len({tier_of(r.score, thresholds) for r in rows}) > 1 for rows in groups.values())
    return summary


def worst_variants(scored: list[Scored], count: int = WORST) -> list[tuple[Scored, float]]:
    """The ``count`` variants furthest from their group's median score, with their distance (signed)."""
    medians = {group: median(r.score for r in rows) for group, rows in by_group(scored).items()}
    offsets = [(row, row.score - medians[row.group]) for row in scored]
    return sorted(offsets, key=lambda pair: -abs(pair[1]))[:count]


def line(name: str, summary: dict[str, float]) -> str:
    shares = ", ".join(f"{limit} in {summary[limit]:.0%}" for limit in (f"> {x:.2f}" for x in SPREAD_LIMITS))
    return (f"{name:<16} groups={summary['groups']:<3} variants={summary['variants']:<4} mean spread {summary['mean spread']:.3f}, "
            f"spread {shares}, tier crossings {summary['crossings']}")


def report(path: Path, scored: list[Scored], thresholds: list[float]) -> None:
    print(line(path.name, summarise(scored, thresholds)))
    kinds: dict[str, list[Scored]] = defaultdict(list)
    for row in scored:
        kinds[row.kind].append(row)
    for kind, rows in sorted(kinds.items()):
        print("    " + line(kind, summarise(rows, thresholds)))
    if "held_out" not in path.parts:  # a held-out file is read by its aggregates only
        print(f"    the {WORST} variants furthest from their group's median (score − median):")
        for row, offset in worst_variants(scored):
            print(f"        {row.group} {row.kind:<13} {offset:+.3f}  {row.variant}")


def configured_thresholds(config: str | None) -> list[float]:
    """The tiers' max_score values of the packaged config (or ``config``), cheapest first."""
    from router.offline_config import load_router_config

    tiers = load_router_config(config, quiet=True).tiers.values()
    return [tier.max_score for tier in tiers if tier.max_score is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="variants files (default: the read and the held-out one)")
    parser.add_argument("--artifact", default="default", help="the classifier artifact to load (default: the shipped one)")
    parser.add_argument("--config", default=None, help="the config whose tier thresholds count crossings (default: the packaged one)")
    args = parser.parse_args()
    from classifiers import load_classifier

    classifier, thresholds = load_classifier(args.artifact), configured_thresholds(args.config)
    print(f"tier thresholds {', '.join(f'{t:.2f}' for t in thresholds)}")
    pooled: list[Scored] = []
    for path in args.files or list(DEFAULT_FILES):
        scored = score_file(path, classifier)
        report(path, scored, thresholds)
        pooled += [Scored(f"{path.name}:{r.group}", r.kind, r.variant, r.score) for r in scored]
    if len(args.files or DEFAULT_FILES) > 1:
        print(line("pooled", summarise(pooled, thresholds)))


if __name__ == "__main__":
    main()
