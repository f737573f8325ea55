"""The token-count routes' own rate limit (router/count_limits.py): they were authorized but never limited, so a key could
have megabyte prompts tokenized without end. Counts now take one from a per-key bucket of their own
(`count_requests_per_minute`, else as many as `requests_per_minute`), apart from the key's requests as Anthropic keeps
counting apart from message creation; a refused count is a 429 with Retry-After in the route's own error shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from router.limits import WINDOW_SECONDS
from router.opsconfig import LimitRule, LimitsConfig, key_id
from tests.opskit import InProcessGateway, gateway
from tests.router._limits_helpers import KEY_A, KEY_B, count_tokens, ops_config

pytestmark = pytest.mark.anyio


async def input_tokens(gw: InProcessGateway, key: str) -> httpx.Response:
    return await gw.client.post("/v1/responses/input_tokens", json={"model": "auto", "input": "hello"}, headers={"Authorization": f"Bearer {key}"})


async def test_a_key_s_token_counts_are_limited_apart_from_its_requests(fake_classifier: Any) -> None:
    config = ops_config(limits={"default": {"requests_per_minute": 2, "count_requests_per_minute": 3}})
    async with gateway(config, fake_classifier) as gw:
        assert [(await count_tokens(gw, KEY_A)).status_code for _ in range(3)] == [200] * 3
        refused = await count_tokens(gw, KEY_A)
        assert refused.status_code == 429, refused.text
        body = refused.json()  # Anthropic's error shape on Anthropic's route
        assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
        assert "3 token counts per minute" in body["error"]["message"] and key_id(KEY_A) in body["error"]["message"]
        assert 1 <= int(refused.headers["retry-after"]) <= 2 * WINDOW_SECONDS and refused.headers["request-id"]
        assert "x-ratelimit-limit-requests" not in refused.headers, "the key's request limit is not this one"
        opened = await input_tokens(gw, KEY_A)  # OpenAI's route: one bucket for both routes, OpenAI's error shape
        assert opened.status_code == 429 and opened.json()["error"]["code"] == "rate_limit_exceeded"
        assert (await count_tokens(gw, KEY_A, b"{not json")).status_code == 429, "refused before its body is read"
        assert [(await gw.chat(key=KEY_A)).status_code for _ in range(2)] == [200, 200], "counts took none of its requests"
        assert (await count_tokens(gw, KEY_B)).status_code == 200, "another key has its own bucket"
        assert gw.metric("router_limit_rejections_total", reason="count_requests") == 3
        assert gw.metric("router_limit_rejections_total", reason="requests") == 0


async def test_requests_take_nothing_from_the_counts(fake_classifier: Any) -> None:
    config = ops_config(limits={"default": {"requests_per_minute": 1, "count_requests_per_minute": 2}})
    async with gateway(config, fake_classifier) as gw:
        assert (await gw.chat(key=KEY_B)).status_code == 200
        assert [(await count_tokens(gw, KEY_B)).status_code for _ in range(2)] == [200, 200]
        assert (await input_tokens(gw, KEY_B)).status_code == 429


@pytest.mark.parametrize(("rule", "counts"), [
    ({"requests_per_minute": 2}, 2),  # unset: as many as its requests, in a bucket of their own
    ({"requests_per_minute": 2, "count_requests_per_minute": None}, None),  # null: unlimited
    ({"tokens_per_minute": 1000}, None),  # no request limit to follow
    ({"count_requests_per_minute": 4}, 4),  # a count limit alone turns the limiter on
])
def test_the_count_limit_follows_requests_per_minute_unless_set(rule: dict[str, Any], counts: int | None) -> None:
    limits = LimitsConfig(default=LimitRule(**rule))
    assert limits.rule_for("anonymous").count_limit == counts
    assert limits.enabled


def test_a_key_override_keeps_the_default_s_count_limit() -> None:
    limits = LimitsConfig(default=LimitRule(requests_per_minute=10, count_requests_per_minute=50),
                          keys={"1a2b3c4d": LimitRule(requests_per_minute=5), "9f8e7d6c": LimitRule(count_requests_per_minute=None)})
    assert [limits.rule_for(key).count_limit for key in ("1a2b3c4d", "9f8e7d6c", "00000000")] == [50, None, 50]
    assert not LimitsConfig().enabled


async def test_the_default_count_limit_is_the_key_s_request_rate(fake_classifier: Any) -> None:
    async with gateway(ops_config(limits={"default": {"requests_per_minute": 2}}), fake_classifier) as gw:
        assert [(await count_tokens(gw, KEY_A)).status_code for _ in range(3)] == [200, 200, 429]
        assert (await gw.chat(key=KEY_A)).status_code == 200, "its requests are counted apart"


async def test_a_refused_count_s_log_line_names_its_route_and_limit_not_a_model(tmp_path: Path, fake_classifier: Any) -> None:
    """A refused count was logged as a chat request's `limited` line with an empty `requested_model` and a request
    limit's code (`rate_limit_exceeded`): an operator could not tell it from a key over its requests per minute."""
    path = tmp_path / "decisions.jsonl"
    config = ops_config(decision_log={"path": str(path)}, limits={"default": {"requests_per_minute": 1, "count_requests_per_minute": 1}})
    async with gateway(config, fake_classifier) as gw:
        assert [(await count_tokens(gw, KEY_A)).status_code for _ in range(2)] == [200, 429]
        assert (await input_tokens(gw, KEY_A)).status_code == 429
        assert [(await gw.chat(key=KEY_B)).status_code for _ in range(2)] == [200, 429]
        assert (await count_tokens(gw, KEY_B)).status_code == 429, "a key held for its requests is refused its counts too"
        await gw.settle()
    counted, opened, _, chat, held = (json.loads(line) for line in path.read_text().splitlines())
    assert (counted["route"], counted["limit"], counted["status"], counted["key_id"]) == ("/v1/messages/count_tokens", "count_requests", "limited", key_id(KEY_A))
    assert (opened["route"], opened["limit"]) == ("/v1/responses/input_tokens", "count_requests")
    assert "requested_model" not in counted and "requested_model" not in opened, "a count asked for no model"
    assert (chat["requested_model"], chat["limit"]) == ("auto", "requests") and "route" not in chat
    assert (held["route"], held["code"], held["limit"]) == ("/v1/messages/count_tokens", "rate_limit_exceeded", "requests"), "its key's requests refused it"


async def test_a_held_key_s_refused_count_is_counted_as_a_count_not_a_request(fake_classifier: Any) -> None:
    """ComplexityRouterLimitRejections divides the requests, tokens and budget refusals by the chat requests received
    (`router_api_requests_total`, which counts no token count): a held key's refused counts were labelled `requests`, so
    a client that counts tokens before each message (Claude Code) pushed the share past its threshold, even past 100 %."""
    config = ops_config(limits={"default": {"requests_per_minute": 1}})
    async with gateway(config, fake_classifier) as gw:
        assert [(await gw.chat(key=KEY_A)).status_code for _ in range(2)] == [200, 429]
        assert [(await count_tokens(gw, KEY_A)).status_code for _ in range(3)] == [429] * 3
        assert gw.metric("router_limit_rejections_total", reason="requests") == 1
        assert gw.metric("router_limit_rejections_total", reason="count_requests") == 3
