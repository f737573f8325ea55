"""bench/tiled_prompts_bench.py: each text's best of ``--repeats`` timings (the README's reading), its tiling."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.bench._bench_module import load_bench


@pytest.fixture
def bench() -> ModuleType:
    return load_bench("tiled_prompts_bench")


class Counting:
    """A classifier stand-in that counts the texts it scores."""

    def __init__(self) -> None:
        self.calls = 0

    def score(self, messages: list[dict[str, Any]]) -> None:
        self.calls += 1


def test_a_text_s_time_is_its_fastest_of_the_repeats(bench: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = itertools.chain([0.0, 0.005, 1.0, 1.002, 2.0, 2.009])  # 5 ms, 2 ms, 9 ms
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(clock))
    clf = Counting()
    assert bench.best_ms(clf, "text", 3) == pytest.approx(2.0)
    assert clf.calls == 3


def test_one_repeat_at_least(bench: ModuleType) -> None:
    clf = Counting()
    bench.best_ms(clf, "text", 0)
    assert clf.calls == 1


def test_prompts_are_tiled_to_the_length(bench: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / bench.PROMPTS
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(json.dumps({"prompt": p}) for p in ("abc", "", "xy")) + "\n", encoding="utf-8")
    assert bench.tiled(tmp_path, 7) == ["abcabca", "xyxyxyx"]
