"""Hand-written probe sets against the classifier: Spearman of score and label, and mean score per kind.

Each line of a probe file (bench/probes/*.jsonl) is a prompt written for this project, never taken from a benchmark
or another router's evaluation files, with a label 1-5 saying how likely an 8B model is to fail it (none: a check that a score stays put) (one rater's
judgment, so a check on a rule, not a measure of routing quality), and a kind. A line has a "prompt", "messages",
or "turns" (two user turns, "assistant_turn1" between them: scored as turn 1 alone and as the whole conversation).
Each Spearman is printed beside the one of prompt length (the characters of the conversation's turns).

    python bench/probe_bench.py [--artifact default] [FILE ...]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from scipy.stats import spearmanr

from classifiers import load_classifier

PROBES = Path(__file__).parent / "probes"
#: Labelled items a kind needs for its own Spearman.
MIN_KIND_LABELLED = 10


def conversations(item: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The conversations one probe line is scored as, by name."""
    if "turns" in item:
        first, second = item["turns"]
        answer = item.get("assistant_turn1", "An answer.")
        return {"turn 1": [{"role": "user", "content": first}],
                "turn 2": [{"role": "user", "content": first}, {"role": "assistant", "content": answer}, {"role": "user", "content": second}]}
    return {"prompt": item["messages"] if "messages" in item else [{"role": "user", "content": item["prompt"]}]}


def report(path: Path, classifier: Any) -> None:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    scores: dict[str, dict[int, float]] = defaultdict(dict)  # conversation name -> item index -> score
    lengths: dict[str, dict[int, int]] = defaultdict(dict)  # ... -> the characters of its turns: the baseline
    for index, item in enumerate(items):
        for name, messages in conversations(item).items():
            scores[name][index] = classifier.score(messages).score
            lengths[name][index] = sum(len(m["content"]) for m in messages if isinstance(m.get("content"), str))
    for name, scored in scores.items():
        labelled = [i for i in scored if items[i].get("label") is not None]  # unlabelled: kind means only
        rho, by_length = _spearmans(labelled, scored, lengths[name], items)
        print(f"{path.name} ({len(labelled)} of {len(scored)} items labelled) {name}: Spearman {rho:.3f} (prompt length {by_length:.3f})")
        by_kind: dict[str, list[int]] = defaultdict(list)
        for i in scored:
            by_kind[str(items[i].get("kind", items[i].get("category", "all")))].append(i)
        for kind, members in sorted(by_kind.items()):
            mean = sum(scored[i] for i in members) / len(members)
            # inside a kind too: the pooled figure of a probe whose labels are spread alike in every kind ranks the
            # kinds' levels, not their items
            kind_labelled = [i for i in members if items[i].get("label") is not None]
            within = (" Spearman {:.3f} (prompt length {:.3f})".format(*_spearmans(kind_labelled, scored, lengths[name], items))
                      if len(kind_labelled) >= MIN_KIND_LABELLED else "")
            print(f"    {kind:<14} n={len(members):<4} mean score {mean:.3f}{within}")


def _spearmans(labelled: list[int], scored: dict[int, float], lengths: dict[int, int],
               items: list[dict[str, Any]]) -> tuple[float, float]:
    """Spearman of the ``labelled`` items' scores and of their lengths against their labels (nan for fewer than two)."""
    if len(labelled) < 2:
        return float("nan"), float("nan")
    labels = [items[i]["label"] for i in labelled]
    return spearmanr([scored[i] for i in labelled], labels)[0], spearmanr([lengths[i] for i in labelled], labels)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="probe files (default: every file in bench/probes)")
    parser.add_argument("--artifact", default="default", help="the classifier artifact to load (default: the shipped one)")
    args = parser.parse_args()
    classifier = load_classifier(args.artifact)
    for path in args.files or sorted(PROBES.glob("*.jsonl")):
        report(path, classifier)


if __name__ == "__main__":
    main()
