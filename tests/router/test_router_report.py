"""The client-facing `router` object and the decision log's copy of it, for a decision that took every path that
writes to it: capped down a tier, adjusted under load, counted for its context, escalated into a judged best-of-n
tier whose judge reported no usage. Its exact JSON (keys, order, values) is pinned: the wire shape clients parse."""

from __future__ import annotations

import copy
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from router.config import parse_config
from router.decision import Decision
from router.policy import Candidate
from router.router_report import JudgeReport, RouterReport, SelectionReport
from tests.router.conftest import CONFIG
from tests.router.ttc_fakes import Scripted, metrics

pytestmark = pytest.mark.anyio

#: The router object as the gateway wrote it before it was typed (router/router_report.py), byte for byte.
RICH_ROUTER = (
    b'{"tier":"medium","model":"unpriced","backend":"sim","score":0.95,"reason":"escalation","effort":"none","cost_usd":null,'
    b'"estimated_cost_usd":null,"attempts":2,"request_id":"rich-1","downgraded_from":"high","load_adjustment":"lower_effort",'
    b'"prompt_tokens":{"count":8,"method":"estimate"},"escalations":[{"from":"low","to":"medium","reason":"length"}],'
    b'"usage_estimated":true,"strategy":"best_of_n","samples":2,"answer":"4","votes":{"4":1,"5":1},"agreement":0.5,'
    b'"judge":"spare-big","judge_choice":1,"chosen_index":1,"usage_breakdown":['
    b'{"role":"abandoned","tier":"low","model":"small","prompt_tokens":20,"completion_tokens":10,"cost_usd":3e-6},'
    b'{"role":"samples","tier":"medium","model":"unpriced","prompt_tokens":20,"completion_tokens":20,"cost_usd":null},'
    b'{"role":"judge","tier":"medium","model":"spare-big","prompt_tokens":100,"completion_tokens":3,"cost_usd":0.000224}]}'
)


def rich_config(log_path: Path) -> Any:
    data = copy.deepcopy(CONFIG)
    data["decision_log"] = {"path": str(log_path)}
    data["backends"]["sim"]["load"] = {"interval_seconds": 60, "high": {"waiting": 4}, "low": {"waiting": 1}, "calm_polls": 2}
    data["models"]["small"] = {**data["models"]["small"], "context_window": 32768}
    data["tiers"]["low"].update(escalate_to="medium", under_load={"action": "lower_effort", "effort": "none"})
    # medium has no price: the escalation's estimate (null) passes the client's cap, which moved the request off high
    data["tiers"]["medium"] = {"model": "unpriced", "max_score": 0.75, "strategy": {"kind": "best_of_n", "samples": 2, "judge": "spare-big"}}
    return parse_config(data, env={})


async def test_a_rich_decision_s_router_object_and_log_line_keep_their_shape(make_harness: Any, spare_handler: list[Any],
                                                                           tmp_path: Path) -> None:
    spare_handler[0] = lambda request: httpx.Response(200, json={"id": "j", "object": "chat.completion", "created": 1, "model": "spare-big",
                                                                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "Response 2"},
                                                                              "finish_reason": "stop"}]})
    upstream = Scripted([("", "length"), ("#### 4", "stop"), ("#### 5", "stop")])
    log_path = tmp_path / "decisions.jsonl"
    harness = await make_harness(rich_config(log_path), upstream.transport())
    state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    upstream.metrics_text = metrics(waiting=9)
    await state.gateway.ttc.knob.poll_once(state.backends, force=True)
    body = {"model": "auto", "messages": [{"role": "user", "content": "hard [score=0.95]"}]}
    response = await harness.client.post("/v1/chat/completions", json=body, headers={"x-request-id": "rich-1", "x-router-max-cost-usd": "0.0005"})
    assert response.status_code == 200
    assert orjson.dumps(response.json()["router"]) == RICH_ROUTER
    state.ops.decision_log.sync()
    line = json.loads(log_path.read_text().splitlines()[-1])
    router = orjson.loads(RICH_ROUTER)
    assert (line["downgraded_from"], line["usage_breakdown"], line["usage_estimated"]) == ("high", router["usage_breakdown"], True)
    assert list(line)[:14] == ["time", "request_id", "trace_id", "key_id", "status", "stream", "requested_model", "score", "tier", "reason",
                               "model", "backend", "effort", "attempts"]
    assert list(line)[14:] == ["downgraded_from", "tokens", "cost_usd", "estimated_cost_usd", "latency_s", "usage_breakdown",
                               "usage_estimated", "prompt_sha256"]


def test_unset_keys_stay_out_and_a_vote_s_nulls_go_in() -> None:
    """None (False for usage_estimated) is "not set": left out, as keys never written were; a vote's null answer and a
    failed judge's null choice are values, sent; samples_failed only when a sample was lost."""
    decision = Decision("r", "low", "classifier", [Candidate("small", "low", "none", None)])
    assert list(decision.router_object())[-1] == "request_id"
    decision.report.selection = SelectionReport("best_of_n", 2, None, {}, 0.0, judged=JudgeReport("big", None, 0))
    assert list(decision.router_object())[10:] == ["strategy", "samples", "answer", "votes", "agreement", "judge", "judge_choice", "chosen_index"]
    decision.report.selection.samples_failed = 1
    decision.report.usage_estimated = True
    router = decision.router_object()
    assert (router["usage_estimated"], router["samples_failed"], router["answer"], router["judge_choice"]) == (True, 1, None, None)
    with pytest.raises(AttributeError):
        decision.report.downgrade_from = "high"  # type: ignore[attr-defined]  # a misspelt key fails where it is written


def test_a_trial_s_copy_keeps_its_writes_to_itself() -> None:
    report = RouterReport(prompt_tokens={"count": 3, "method": "estimate"})
    trial = report.copy()
    trial.context_moved_from, trial.prompt_tokens = "high/big", {"count": 9, "method": "estimate"}
    assert report == RouterReport(prompt_tokens={"count": 3, "method": "estimate"})


def test_every_field_is_sent_under_its_own_name_in_the_order_declared() -> None:
    """`RouterReport.fill` names its keys one by one (for speed): none forgotten, none misspelt, none out of order."""
    selection = SelectionReport("self_consistency", 3, "4", {"4": 3}, 1.0)
    report = RouterReport(**{f.name: {"selection": selection, "usage_estimated": True}.get(f.name, f"<{f.name}>") for f in fields(RouterReport)})
    expected = {"strategy": "self_consistency", "samples": 3, "answer": "4", "votes": {"4": 3}, "agreement": 1.0}
    for f in fields(RouterReport):
        if f.name != "selection":
            expected[f.name] = getattr(report, f.name)
    assert list(report.fill({}).items()) == sorted(expected.items(), key=lambda item: _position(item[0]))


def _position(key: str) -> int:
    names = [f.name for f in fields(RouterReport)]
    return names.index(key) if key in names else names.index("selection")
