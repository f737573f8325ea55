"""The decision log: one JSON line per request with the routing decision, written off the event
loop, size-rotated, the prompt only as a hash unless `log_prompts: true`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from classifiers.commands import read_prompts
from router.decision_log import prompt_hash, resolve_path
from router.opsconfig import key_id
from tests.opskit import gateway
from tests.router._limits_helpers import KEY_A, ops_config

pytestmark = pytest.mark.anyio

SECRET_PROMPT = "my confidential prompt about project nightingale"
FIELDS = {"time", "request_id", "key_id", "score", "tier", "model", "backend", "tokens", "cost_usd", "latency_s", "status", "prompt_sha256"}


def read_lines(*paths: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in paths if path.exists() for line in path.read_text().splitlines()]


async def test_one_line_per_request_with_the_decision_and_no_prompt(tmp_path: Path, fake_classifier: Any) -> None:
    path = tmp_path / "logs" / "decisions.jsonl"
    config = ops_config(decision_log={"path": str(path)}, limits={"default": {"requests_per_minute": 3}})
    messages = [{"role": "user", "content": f"[score=0.9] {SECRET_PROMPT}"}]
    async with gateway(config, fake_classifier) as gw:
        plain = await gw.client.post("/v1/chat/completions", json={"model": "auto", "messages": messages},
                                     headers={"Authorization": f"Bearer {KEY_A}", "x-request-id": "req-plain"})
        streamed = await gw.client.post("/v1/chat/completions", json={"model": "auto:low", "messages": messages, "stream": True},
                                        headers={"Authorization": f"Bearer {KEY_A}", "x-request-id": "req-stream"})
        assert plain.status_code == streamed.status_code == 200
        assert (await gw.chat("x", key=KEY_A)).status_code == 200
        assert (await gw.chat("y", key=KEY_A)).status_code == 429  # limited requests are logged too
        await gw.settle()
        text = path.read_text()
    assert SECRET_PROMPT not in text and "confidential" not in text
    lines = read_lines(path)
    assert [line["status"] for line in lines] == ["ok", "ok", "ok", "limited"]
    first, second = lines[0], lines[1]
    assert FIELDS <= set(first) and "messages" not in first
    assert first["request_id"] == "req-plain" and first["key_id"] == key_id(KEY_A)
    assert (first["tier"], first["model"], first["backend"], first["reason"]) == ("high", "big", "sim", "classifier")
    assert first["score"] == 0.9 and first["stream"] is False
    assert first["tokens"]["prompt"] > 0 and first["tokens"]["completion"] > 0 and first["tokens"]["reasoning"] > 0
    assert first["cost_usd"] == pytest.approx(float(plain.headers["x-router-cost-usd"]))
    assert first["latency_s"] > 0 and first["time"].endswith("Z")
    assert first["prompt_sha256"] == prompt_hash(messages) == second["prompt_sha256"]
    assert (second["request_id"], second["tier"], second["reason"], second["stream"]) == ("req-stream", "low", "forced", True)
    assert second["cost_usd"] is not None and second["tokens"]["completion"] > 0
    assert lines[3]["code"] == "rate_limit_exceeded" and lines[3]["key_id"] == key_id(KEY_A)


async def test_prompts_are_logged_only_when_enabled(tmp_path: Path, fake_classifier: Any) -> None:
    path = tmp_path / "decisions.jsonl"
    async with gateway(ops_config(server={}, decision_log={"path": str(path), "log_prompts": True}), fake_classifier) as gw:
        assert (await gw.chat(SECRET_PROMPT)).status_code == 200
        await gw.settle()
    (line,) = read_lines(path)
    assert line["messages"] == [{"role": "user", "content": SECRET_PROMPT}] and line["key_id"] == "anonymous"
    assert read_prompts(str(path)) == [line["messages"]], "the log is a sample of live traffic to recalibrate on"


async def test_the_log_rotates_by_size(tmp_path: Path, fake_classifier: Any) -> None:
    path = tmp_path / "decisions.jsonl"
    async with gateway(ops_config(server={}, decision_log={"path": str(path), "max_bytes": 2000, "backups": 20}), fake_classifier) as gw:
        for index in range(30):
            assert (await gw.chat(f"question {index}")).status_code == 200
        await gw.settle()
    rotated = sorted(tmp_path.glob("decisions.jsonl.*"))
    assert rotated, "past max_bytes the file is rotated to decisions.jsonl.1, .2, …"
    assert all(p.stat().st_size <= 2000 for p in [path, *rotated])
    assert len(read_lines(path, *rotated)) == 30  # nothing lost across rotations


def test_each_worker_writes_its_own_file(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_path("/var/log/cr/decisions.jsonl", pid=42) == Path("/var/log/cr/decisions.jsonl")
    assert resolve_path("/var/log/cr/decisions-{pid}.jsonl", pid=42) == Path("/var/log/cr/decisions-42.jsonl")
    monkeypatch.setenv("COMPLEXITY_ROUTER_WORKERS", "4")
    assert resolve_path("/var/log/cr/decisions.jsonl", pid=42) == Path("/var/log/cr/decisions.42.jsonl")


async def test_a_refused_model_name_is_logged_cut_short(tmp_path: Path, fake_classifier: Any) -> None:
    """Every refusal is logged with the model the client asked for: a 12 MB name a request rotated the log and all its
    backups away in four requests, every other team's lines with them."""
    path = tmp_path / "decisions.jsonl"
    async with gateway(ops_config(decision_log={"path": str(path), "max_bytes": 100_000, "backups": 2}), fake_classifier) as gw:
        assert (await gw.chat("kept", key=KEY_A)).status_code == 200
        for _ in range(4):
            assert (await gw.chat("hi", key=KEY_A, model="x" * 1_000_000)).status_code == 404
        await gw.settle()
    lines = read_lines(path)
    assert lines[0]["status"] == "ok", "the earlier line is still there"
    assert all(len(line.get("requested_model") or "") <= 256 for line in lines) and len(lines) == 5

