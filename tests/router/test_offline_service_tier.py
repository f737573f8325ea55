"""`complexity-router route` and `calibrate` price a tier's `service_tier` as the gateway's estimate does: the one its
candidate's adapter sends (router/estimate.py `sent_service_tier`). An OpenAI-compatible backend is sent the tier's
`flex` and priced at flex; Anthropic is sent no `service_tier` and priced standard. Each half fails if the offline
path stopped asking the adapter: priced no tier, the flex tier reads standard; priced the asked one, Claude reads flex."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from router.calibration import cost_matrix
from router.cli import main
from router.offline_config import load_router_config
from tests.classifiers.conftest import EASY, HARD

#: Standard output at 4 $/M, flex at half; input free, so the estimate is the forecast's completion tokens priced.
PRICES = {"input": 0, "output": 4.0, "service_tiers": {"flex": {"input": 0, "output": 2.0}}}
BACKENDS = {"openai": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1"},
            "anthropic": {"kind": "anthropic", "base_url": "http://127.0.0.1:9", "api_key": "sk-ant-test"}}


def write_config(tmp_path: Path, kind: str, params: dict[str, Any]) -> Path:
    data = {"backends": {"up": BACKENDS[kind]}, "models": {"m": {"backend": "up", **PRICES}},
            "tiers": {"only": {"model": "m", "params": params}}}
    path = tmp_path / f"{kind}-{len(params)}.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return path


@pytest.mark.parametrize(("kind", "per_million"), [("openai", 2.0), ("anthropic", 4.0)])
def test_route_prices_the_service_tier_the_adapter_sends(tmp_path: Path, capsys: Any, kind: str, per_million: float) -> None:
    assert main(["route", "write a haiku about rain", "--config", str(write_config(tmp_path, kind, {"service_tier": "flex"}))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["estimated_cost_usd"] == pytest.approx(out["expected_completion_tokens"]["only"] * per_million / 1e6)


@pytest.mark.parametrize(("kind", "ratio"), [("openai", 0.5), ("anthropic", 1.0)])
def test_calibrate_prices_the_service_tier_the_adapter_sends(tmp_path: Path, tiny_classifier: Any, kind: str, ratio: float) -> None:
    prompts = [[{"role": "user", "content": text}] for text in EASY[:3] + HARD[:3]]
    results = tiny_classifier.score_batch(prompts)
    asked = cost_matrix(results, prompts, load_router_config(str(write_config(tmp_path, kind, {"service_tier": "flex"}))))
    standard = cost_matrix(results, prompts, load_router_config(str(write_config(tmp_path, kind, {}))))
    assert standard.min() > 0 and asked == pytest.approx(standard * ratio)
