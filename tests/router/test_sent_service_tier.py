"""The cost estimate prices the service tier the upstream is sent (router/estimate.py `sent_service_tier`), not the one
the client asked: a model whose `drop_fields` leave `service_tier` out is sent none and charged its standard prices,
yet a `flex` asked of it was estimated (and held to `x-router-max-cost-usd`, and the savings baseline priced) at flex."""

from __future__ import annotations

from typing import Any

import pytest

from router.estimate import estimate_cost, sent_service_tier
from router.policy import Policy
from tests.router.conftest import CONFIG, make_config

TIERED = {"backend": "sim", "input": 0, "output": 10, "service_tiers": {"flex": {"output": 5}}}


def config_with(drop_fields: list[str] | None, params: dict[str, Any] | None = None) -> Any:
    models = {**CONFIG["models"], "tiered": {**TIERED, "drop_fields": drop_fields}}
    return make_config(models=models, tiers={"only": {"model": "tiered", "params": params or {}}})


@pytest.mark.parametrize(("body", "params"), [({"service_tier": "flex"}, None), ({}, {"service_tier": "flex"})])
def test_a_service_tier_the_model_s_drop_fields_leave_out_is_not_priced(body: dict[str, Any], params: dict[str, Any] | None) -> None:
    dropped, kept = config_with(["service_tier", "stop"], params), config_with([], params)
    assert sent_service_tier(dropped, "tiered", params or {}, body) is None, "sent none: charged standard"
    assert sent_service_tier(kept, "tiered", params or {}, body) == "flex"
    assert estimate_cost(dropped, Policy(dropped).candidates("only")[0], body, 0, 1_000_000) == pytest.approx(10.0)
    assert estimate_cost(kept, Policy(kept).candidates("only")[0], body, 0, 1_000_000) == pytest.approx(5.0)


def test_refused_fields_are_the_model_s_drop_fields_else_its_dialect_s() -> None:
    """One list decides what `Gateway.upstream_body` leaves out and what the estimate does not price."""
    config = config_with(["service_tier"])
    assert config.models["tiered"].refused_fields == ["service_tier"]
    assert list(config_with(None).models["tiered"].refused_fields) == [], "unset: its dialect's (reasoning none: none)"
    assert "temperature" in config.models["big"].refused_fields, "reasoning openai's, unset"


class _Watched(dict[str, Any]):
    """A body that records which of its fields were read, and whether it was walked whole."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __iter__(self) -> Any:
        self.read.add("*")
        return super().__iter__()


@pytest.mark.parametrize("drop_fields", [None, ["service_tier"]])
def test_the_estimate_reads_the_service_tier_and_no_other_field(drop_fields: list[str] | None) -> None:
    """Found in review56b: it runs on every request (the savings baseline, each candidate's estimate), and it tried each
    field the model refuses against the body and, when a client sent one (a `temperature` to a GPT-5, reasoning openai),
    copied the body without them: about 7 µs a call where a lookup takes 1. Only `service_tier` names a tier."""
    config = config_with(drop_fields)
    config.models["tiered"].reasoning = "openai"  # refuses temperature, stop, …
    body = _Watched({"model": "auto", "messages": [], "temperature": 0.2, "stop": ["x"], "service_tier": "flex"})
    assert sent_service_tier(config, "tiered", {}, body) == (None if drop_fields else "flex")
    assert body.read <= {"service_tier"}, sorted(body.read)
