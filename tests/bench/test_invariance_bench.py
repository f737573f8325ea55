"""bench/invariance_bench.py: the within-group spread, the shares above 0.05 and 0.10, tier crossings, worst variants."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.bench._bench_module import load_bench


@pytest.fixture
def bench() -> ModuleType:
    return load_bench("invariance_bench")


class Fixed:
    """A classifier stand-in: each last turn's fixed score."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def score(self, messages: list[dict[str, str]]) -> Any:
        return type("Result", (), {"score": self.scores[messages[-1]["content"]]})()


SCORES = {"a1": 0.30, "a2": 0.38, "a3": 0.42,  # spread 0.12, crosses 0.40
          "b1": 0.50, "b2": 0.56,              # spread 0.06, one tier
          "c1": 0.90, "c2": 0.90, "c3": 0.94}  # spread 0.04: under 0.05


def write_probe(tmp_path: Path, name: str = "variants.jsonl") -> Path:
    lines = [{"group": key[0], "kind": "quiz" if key[0] != "c" else "code", "variant": f"v{key[1]}",
              **({"prompt": key} if key[1] != "2" else {"messages": [{"role": "system", "content": "x"}, {"role": "user", "content": key}]})}
             for key in SCORES]
    path = tmp_path / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_spread_shares_and_crossings_follow_the_groups(bench: ModuleType, tmp_path: Path) -> None:
    scored = bench.score_file(write_probe(tmp_path), Fixed(SCORES))
    summary = bench.summarise(scored, [0.40, 0.75])
    assert summary["groups"] == 3 and summary["variants"] == 8
    assert summary["mean spread"] == pytest.approx((0.12 + 0.06 + 0.04) / 3)
    assert summary["> 0.05"] == pytest.approx(2 / 3) and summary["> 0.10"] == pytest.approx(1 / 3)
    assert summary["crossings"] == 1  # group a only: 0.38 and 0.42 sit either side of 0.40
    assert bench.summarise(scored, [0.55, 0.75])["crossings"] == 1  # now group b (0.50 / 0.56), not a
    assert bench.summarise(scored, [0.95])["crossings"] == 0


def test_a_score_at_a_threshold_stays_in_the_cheaper_tier(bench: ModuleType) -> None:
    assert bench.tier_of(0.40, [0.40, 0.75]) == 0 and bench.tier_of(0.4001, [0.40, 0.75]) == 1 and bench.tier_of(0.9, [0.40, 0.75]) == 2


def test_the_worst_variants_are_the_furthest_from_their_group_median(bench: ModuleType, tmp_path: Path) -> None:
    scored = bench.score_file(write_probe(tmp_path), Fixed(SCORES))
    worst = [(row.group, row.variant, round(offset, 3)) for row, offset in bench.worst_variants(scored, 2)]
    assert worst == [("a", "v1", -0.08), ("a", "v3", 0.04)], worst  # group a's median is 0.38


def test_a_held_out_file_prints_its_aggregates_only(bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    read = write_probe(tmp_path)
    (tmp_path / "held_out").mkdir()
    held = write_probe(tmp_path / "held_out", "variants_b.jsonl")
    for path in (read, held):
        bench.report(path, bench.score_file(path, Fixed(SCORES)), [0.40, 0.75])
    out = capsys.readouterr().out
    assert "variants.jsonl   groups=3   variants=8    mean spread 0.073, spread > 0.05 in 67%, > 0.10 in 33%, tier crossings 1" in out, out
    assert "    quiz             groups=2 " in out and out.count("furthest") == 1 and out.count("\n        ") == 8, out  # all 8, once
