"""W3C trace context: the client's `traceparent` / `tracestate` validated (router/request_info.py), sent on to the
backends with `forward_trace_context` and named in the decision log."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from router.request_info import trace_context
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize(("parent", "valid"), [
    (PARENT, True),
    ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", True),  # a later version: its first four fields
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", False),  # version 00 has exactly four
    ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", False),
    ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", False),
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", False),
    ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", False),  # upper case is invalid
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nX-Injected: 1", False),
])
def test_a_traceparent_is_taken_only_when_valid(parent: str, valid: bool) -> None:
    assert (trace_context({"traceparent": parent}) is not None) is valid


def test_tracestate_goes_with_a_valid_traceparent_only_and_only_when_valid_itself() -> None:
    assert trace_context({"traceparent": PARENT, "tracestate": "congo=t61rcWkgMzE"}) == {"traceparent": PARENT, "tracestate": "congo=t61rcWkgMzE"}
    assert trace_context({"traceparent": PARENT, "tracestate": "a=" + "x" * 600}) == {"traceparent": PARENT}
    assert trace_context({"traceparent": PARENT, "tracestate": "a=1\nb=2"}) == {"traceparent": PARENT}
    assert trace_context({"tracestate": "congo=t61rcWkgMzE"}) is None


@given(st.dictionaries(st.sampled_from(["traceparent", "tracestate"]), st.text(max_size=80)))
def test_whatever_a_client_sends_only_safe_header_values_come_out(headers: dict[str, str]) -> None:
    found = trace_context(headers)
    assert found is None or (re.fullmatch(r"[\x21-\x7e]+", found["traceparent"]) and
                             all(re.fullmatch(r"[\x20-\x7e]{1,512}", v) for v in found.values()))


def forwarding_config(**overrides: Any) -> Any:
    return make_config(backends={**CONFIG["backends"], "spare": {**CONFIG["backends"]["spare"], "forward_trace_context": True}}, **overrides)


async def test_a_forwarding_backend_gets_the_client_s_trace_context_and_another_does_not(make_harness: Any) -> None:
    harness: Harness = await make_harness(forwarding_config())
    headers = {"traceparent": PARENT, "tracestate": "congo=t61rcWkgMzE"}
    body = {"model": "spare-big", "messages": [{"role": "user", "content": "hi"}]}
    assert (await harness.client.post("/v1/chat/completions", json=body, headers=headers)).status_code == 200
    sent = harness.spare_requests[-1].headers
    assert (sent["traceparent"], sent["tracestate"]) == (PARENT, "congo=t61rcWkgMzE")
    assert (await harness.client.post("/v1/chat/completions", json=body)).status_code == 200
    assert "traceparent" not in harness.spare_requests[-1].headers, "the next request sent none: nothing carried over"
    bad = {"traceparent": PARENT.replace("-01", "-01-x"), "tracestate": "congo=1"}
    assert (await harness.client.post("/v1/chat/completions", json=body, headers=bad)).status_code == 200
    assert "traceparent" not in harness.spare_requests[-1].headers and "tracestate" not in harness.spare_requests[-1].headers
    plain: Harness = await make_harness()
    assert (await plain.client.post("/v1/chat/completions", json=body, headers=headers)).status_code == 200
    assert "traceparent" not in plain.spare_requests[-1].headers, "off by default: a provider has no use for your trace ids"


async def test_the_decision_log_names_the_trace(make_harness: Any, tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    harness: Harness = await make_harness(forwarding_config(decision_log={"path": str(path)}))
    body = {"model": "spare-big", "messages": [{"role": "user", "content": "hi"}]}
    await harness.client.post("/v1/chat/completions", json=body, headers={"traceparent": PARENT})
    await harness.client.post("/v1/chat/completions", json=body)
    state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    assert state.ops.decision_log.sync()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["trace_id"] for line in lines] == ["4bf92f3577b34da6a3ce929d0e0e4736", None]


@pytest.mark.parametrize("headers", [
    {"traceparent": "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n"},
    {"traceparent": PARENT, "tracestate": "congo=t61rcWkgMzE\n"},
])
def test_a_trailing_line_feed_never_reaches_an_upstream_header(headers: dict[str, str]) -> None:
    """`re.match` with `$` accepts a final "\\n": the docstring's "only these characters reach an upstream's header lines"."""
    found = trace_context(headers)
    assert found is None or all("\n" not in value for value in found.values())


async def test_a_request_refused_by_its_limit_names_its_trace_too(make_harness: Any, tmp_path: Path) -> None:
    """docs/operations.md: every line has `trace_id`; a 429 is the request an operator most wants to find from its trace."""
    path = tmp_path / "decisions.jsonl"
    harness: Harness = await make_harness(make_config(decision_log={"path": str(path)}))
    body = {"model": "spare-big", "messages": [{"role": "user", "content": "hi"}]}
    response = await harness.client.post("/v1/chat/completions", json=body, headers={"traceparent": PARENT, "x-router-max-cost-usd": "0.0000000001"})
    assert response.status_code == 400, response.text
    state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    assert state.ops.decision_log.sync()
    line = json.loads(path.read_text().splitlines()[-1])
    assert line["status"] == "refused" and line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
