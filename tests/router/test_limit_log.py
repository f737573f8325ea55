"""Every `limited` decision-log line names the limit that refused it (`limit`: requests, tokens, budget, count_requests,
unavailable). Only a token count's own refusal did: a chat request over its requests, tokens or budget, and a key held
for one of them (refused before its body is read), logged only a `code`, which does not tell requests from a held key's
requests, nor a held count from a count over its own limit. The client's body and headers stay as they were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from router.limits import LimitStoreUnavailable, MemoryStore
from router.opsconfig import key_id
from tests.opskit import gateway
from tests.router._limits_helpers import KEY_A, KEY_B, count_tokens, ops_config

pytestmark = pytest.mark.anyio


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_each_refusal_s_log_line_names_its_limit_a_held_key_s_too(tmp_path: Path, fake_classifier: Any) -> None:
    path = tmp_path / "decisions.jsonl"
    limits = {"default": {"requests_per_minute": 1}, "keys": {key_id(KEY_B): {"tokens_per_minute": 400, "requests_per_minute": None}}}
    config = ops_config(decision_log={"path": str(path)}, limits=limits)
    async with gateway(config, fake_classifier) as gw:
        assert [(await gw.chat(key=KEY_A)).status_code for _ in range(2)] == [200, 429]
        held = await gw.client.post("/v1/chat/completions", content=b"[", headers={"authorization": f"Bearer {KEY_A}"})
        assert held.status_code == 429 and (await count_tokens(gw, KEY_A)).status_code == 429
        too_big = await gw.chat("word " * 2000, key=KEY_B)
        assert too_big.status_code == 429 and "limit" not in too_big.json()["error"], "the client's body is unchanged"
        await gw.settle()
    refused = [line for line in lines(path) if line["status"] == "limited"]
    assert [(line["code"], line["limit"]) for line in refused] == [
        ("rate_limit_exceeded", "requests"),
        ("rate_limit_exceeded", "requests"),  # held: refused before its body was read
        ("rate_limit_exceeded", "requests"),  # a count refused because its key's requests are held (counted as count_requests)
        ("tokens_rate_limit_exceeded", "tokens"),
    ]
    assert refused[2]["route"] == "/v1/messages/count_tokens"


async def test_a_budget_refusal_and_a_held_one_name_the_budget(tmp_path: Path, fake_classifier: Any) -> None:
    path = tmp_path / "decisions.jsonl"
    config = ops_config(decision_log={"path": str(path)}, limits={"default": {"budget_usd": 0.00001}})
    async with gateway(config, fake_classifier) as gw:
        assert (await gw.chat("[score=0.9] prove it", key=KEY_A)).status_code == 200
        await gw.settle()
        assert (await gw.chat(key=KEY_A)).status_code == 429
        held = await gw.client.post("/v1/chat/completions", content=b"[", headers={"authorization": f"Bearer {KEY_A}"})
        assert held.json()["error"]["code"] == "budget_exceeded"
        await gw.settle()
    assert [line["limit"] for line in lines(path) if line["status"] == "limited"] == ["budget", "budget"]


async def test_a_closed_limit_store_s_503_names_unavailable(tmp_path: Path, fake_classifier: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    async def down(*args: Any, **kwargs: Any) -> None:
        raise LimitStoreUnavailable("down")

    monkeypatch.setattr(MemoryStore, "admit", down)
    path = tmp_path / "decisions.jsonl"
    config = ops_config(decision_log={"path": str(path)}, limits={"default": {"requests_per_minute": 5}}, state={"on_redis_error": "closed"})
    async with gateway(config, fake_classifier) as gw:
        assert (await gw.chat(key=KEY_A)).status_code == 503
        assert (await count_tokens(gw, KEY_A)).status_code == 503
        await gw.settle()
    assert [(line["code"], line["limit"]) for line in lines(path)] == [("limits_unavailable", "unavailable")] * 2
