"""bench/probe_bench.py reads the three probe layouts and reports each conversation it scores, beside prompt length."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_probe_bench_scores_prompts_messages_and_two_turn_chats(tmp_path: Path) -> None:
    lines = [
        {"prompt": "Write a haiku about rain.", "label": 1, "kind": "writing"},
        {"prompt": "Prove that there are infinitely many primes.", "label": 4, "kind": "math"},
        {"messages": [{"role": "user", "content": "Hi there"}], "label": None, "kind": "chat"},
        {"turns": ["Solve x^2 - 5x + 6 = 0.", "Now prove your roots are the only ones."], "label": 3, "category": "math"},
    ]
    probe = tmp_path / "probe.jsonl"
    probe.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "probe_bench.py"), str(probe)], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert "probe.jsonl (2 of 3 items labelled) prompt: Spearman 1.000 (prompt length 1.000)" in out, "the proof above the haiku"
    assert "probe.jsonl (1 of 1 items labelled) turn 1: Spearman nan" in out and "(1 of 1 items labelled) turn 2: Spearman nan" in out
    assert "    chat           n=1 " in out and "    writing        n=1 " in out, out


def test_a_kind_of_ten_labelled_items_gets_its_own_spearman(tmp_path: Path) -> None:
    """A probe whose labels are spread alike in every kind is read inside each kind; a kind under ten labelled items is
    not (its figure would be noise)."""
    hard = [f"Prove that the sum of the first {n} odd numbers is a perfect square, by induction on n." for n in range(10, 20)]
    easy = [f"Say hello to my friend number {n}." for n in range(10, 20)]
    lines = ([{"prompt": p, "label": 5, "kind": "many"} for p in hard[:5]] + [{"prompt": p, "label": 1, "kind": "many"} for p in easy[:5]]
             + [{"prompt": p, "label": 3, "kind": "few"} for p in hard[5:8]])
    probe = tmp_path / "probe.jsonl"
    probe.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "probe_bench.py"), str(probe)], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    many = next(line for line in out.splitlines() if line.startswith("    many"))
    few = next(line for line in out.splitlines() if line.startswith("    few"))
    assert "Spearman 1.000 (prompt length 1.000)" in many, many  # every proof above every greeting
    assert "Spearman" not in few, few
