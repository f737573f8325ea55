"""Per-API-key limits: requests/min, tokens/min, USD budgets (reject or downgrade), in memory and
in a real redis-server shared by two gateway instances, including Redis going away mid-test."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from backends.request_hints import NO_HINTS
from router.limits import HOLD_MAX_SECONDS, WINDOW_SECONDS, seconds_to_period_end, sliding_wait
from router.opsconfig import key_id
from router.protocol import APIError
from tests.opskit import RedisServer, gateway
from tests.router._limits_helpers import KEY_A, KEY_B, ops_config

pytestmark = pytest.mark.anyio


def test_key_id_is_a_sha256_prefix_never_the_key() -> None:
    assert key_id(KEY_A) == __import__("hashlib").sha256(KEY_A.encode()).hexdigest()[:8]
    assert KEY_A not in key_id(KEY_A)


def test_an_override_no_client_can_reach_is_a_config_error() -> None:
    """With keys, an id none of them has (and "anonymous"); without keys, any id but "anonymous" — accepted before,
    and silently dead (an operations review, session 50)."""
    from router.config import ConfigError

    ops_config(limits={"keys": {key_id(KEY_B): {"requests_per_minute": 5}}})
    for server, name, said in (({"api_keys": [KEY_A]}, key_id(KEY_B), "no key in server.api_keys has this id"),
                               ({"api_keys": [KEY_A]}, "anonymous", "no key in server.api_keys has this id"),
                               ({"api_keys": []}, "deadbeef", "server.api_keys is empty, so every client is 'anonymous'")):
        with pytest.raises(ConfigError, match=f"limits.keys.{name}: {said}"):
            ops_config(server=server, limits={"keys": {name: {"requests_per_minute": 5}}})
    ops_config(server={"api_keys": []}, limits={"keys": {"anonymous": {"requests_per_minute": 5}}})


def test_sliding_window_wait() -> None:
    # 10/min, 10 used this minute, 20 % into it: wait for the next minute, then for the count to slide out.
    assert sliding_wait(10, 0, 0.2, 10, 1) == pytest.approx(48 + WINDOW_SECONDS * 0.1)
    # Previous minute full, this one empty, 50 % in: its weight must fall from 5 to 9 free slots' worth.
    assert sliding_wait(0, 10, 0.5, 10, 1) == pytest.approx(0.0)
    assert sliding_wait(5, 10, 0.5, 10, 1) == pytest.approx(WINDOW_SECONDS * (1 - 4 / 10) - 30)
    assert math.isinf(sliding_wait(0, 0, 0.0, 10, 11))
    assert 0 < seconds_to_period_end("day", 1_700_000_000) <= 86400
    assert 0 < seconds_to_period_end("month", 1_700_000_000) <= 31 * 86400


async def test_requests_per_minute_per_key_with_openai_style_429(fake_classifier: Any) -> None:
    config = ops_config(limits={"default": {"requests_per_minute": 3}, "keys": {key_id(KEY_B): {"requests_per_minute": None}}})
    async with gateway(config, fake_classifier) as gw:
        for _ in range(3):
            assert (await gw.chat(key=KEY_A)).status_code == 200
        refused = await gw.chat(key=KEY_A)
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert error["type"] == "rate_limit_error" and error["code"] == "rate_limit_exceeded"
        assert key_id(KEY_A) in error["message"] and KEY_A not in refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 2 * WINDOW_SECONDS
        assert refused.headers["x-ratelimit-limit-requests"] == "3"
        for _ in range(5):  # key B's override: unlimited
            assert (await gw.chat(key=KEY_B)).status_code == 200
        assert gw.metric("router_limit_rejections_total", reason="requests") == 1


async def test_a_key_refused_its_requests_is_refused_again_before_its_body_is_read(fake_classifier: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key over its limit was told so only after its body was read, parsed, translated and counted: a 32 MB body held
    the event loop 1.3 s for its 429, and the token counts had no limit at all. A refusal that no request can lift
    before a known moment now holds — a body that is not even JSON gets the 429 — and ends before the store would admit."""
    config = ops_config(limits={"default": {"requests_per_minute": 1}})
    broken = {"content-type": "application/json"}
    async with gateway(config, fake_classifier) as gw:
        assert (await gw.chat(key=KEY_A)).status_code == 200
        assert (await gw.chat(key=KEY_A)).status_code == 429
        for path, key_header in [("/v1/chat/completions", "authorization"), ("/v1/responses", "authorization"),
                                 ("/v1/messages", "x-api-key"), ("/v1/messages/count_tokens", "x-api-key"), ("/v1/responses/input_tokens", "authorization")]:
            credential = f"Bearer {KEY_A}" if key_header == "authorization" else KEY_A
            held = await gw.client.post(path, content=b"{not json", headers={**broken, key_header: credential})
            assert held.status_code == 429, (path, held.text)
            assert "rate_limit" in held.text and 1 <= int(held.headers["retry-after"]) <= 2 * WINDOW_SECONDS
        other = await gw.client.post("/v1/chat/completions", content=b"{not json", headers={**broken, "authorization": f"Bearer {KEY_B}"})
        assert other.status_code == 400, "another key is not held"
        assert gw.metric("router_limit_rejections_total", reason="requests") == 4
        assert gw.metric("router_limit_rejections_total", reason="count_requests") == 2, "a held count is a count's refusal"
        later = time.monotonic() + HOLD_MAX_SECONDS
        monkeypatch.setattr("router.limits.time.monotonic", lambda: later)
        parsed = await gw.client.post("/v1/chat/completions", content=b"{not json", headers={**broken, "authorization": f"Bearer {KEY_A}"})
        assert parsed.status_code == 400, "a hold never outlasts HOLD_MAX_SECONDS: the store judges again"


async def test_a_refusal_s_wait_is_read_on_the_store_s_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis counts minutes on its own clock; the wait (Retry-After, and how long a refusal holds) was read on the
    replica's: 1.5 s of skew near a minute's end held a key 60 s that the store admitted 8 s later."""
    from router.limits import OVER_REQUESTS, Counts, Limiter, LimitStore
    from router.opsconfig import LimitsConfig, StateConfig

    minute = 1_000_020 * WINDOW_SECONDS

    class SkewedStore(LimitStore):
        async def admit(self, key: str, now: float, *args: Any, **kwargs: Any) -> Counts:  # the previous minute's one request, 57 s into this one
            return Counts(OVER_REQUESTS, 0, 1, 0, 0, 0.0, minute // WINDOW_SECONDS, minute + 57.0)

        async def record(self, *args: Any) -> None:
            return None

    class Metrics:
        def __getattr__(self, name: str) -> Any:
            return self

        def labels(self, *args: Any) -> Any:
            return self

        def inc(self, *args: Any) -> None:
            return None

    limiter = Limiter(LimitsConfig.model_validate({"default": {"requests_per_minute": 1}}), StateConfig(), ["low"], SkewedStore(), Metrics())
    monkeypatch.setattr("router.limits.time.time", lambda: minute + 6.0)  # this replica's clock: 51 s behind the store's
    with pytest.raises(APIError) as refused:
        await limiter.check("k", 10, True)
    assert refused.value.headers["Retry-After"] == "3", "the previous minute slides out 3 s later on the store's clock"
    with pytest.raises(APIError) as held:
        limiter.refuse_held("k")
    assert held.value.headers["Retry-After"] == "3"
    later = time.monotonic() + 2.5
    monkeypatch.setattr("router.limits.time.monotonic", lambda: later)
    limiter.refuse_held("k")  # no longer held: the store judges again


async def test_a_budget_refusal_holds_but_a_downgrade_key_is_never_held(fake_classifier: Any) -> None:
    config = ops_config(limits={"default": {"budget_usd": 0.00001}, "keys": {key_id(KEY_B): {"budget_usd": 0.00001, "over_budget": "downgrade"}}})
    async with gateway(config, fake_classifier) as gw:
        for key in (KEY_A, KEY_B):
            assert (await gw.chat("[score=0.9] prove it", key=key)).status_code == 200
        await gw.settle()
        refused = await gw.chat(key=KEY_A)
        assert refused.json()["error"]["code"] == "budget_exceeded"
        held = await gw.client.post("/v1/chat/completions", content=b"[", headers={"authorization": f"Bearer {KEY_A}"})
        assert held.status_code == 429 and held.json()["error"]["code"] == "budget_exceeded"
        # until the day's end (UTC), as the store's refusal said — not a short hold (it read "> 3600", false after 23:00)
        until_midnight = seconds_to_period_end("day", time.time())
        assert abs(int(held.headers["retry-after"]) - int(refused.headers["retry-after"])) <= 2, "as the store's refusal said"
        assert abs(int(held.headers["retry-after"]) - until_midnight) <= 3 and held.headers["x-should-retry"] == "false"
        assert (await gw.chat(key=KEY_B, model="big")).json()["error"]["code"] == "budget_exceeded", "a named model is refused"
        assert (await gw.chat(key=KEY_B)).headers["x-router-tier"] == "low", "yet the key's auto requests are served, downgraded"


async def test_tokens_per_minute_counts_real_usage(fake_classifier: Any) -> None:
    config = ops_config(limits={"default": {"tokens_per_minute": 400}})
    async with gateway(config, fake_classifier) as gw:
        too_big = await gw.chat("word " * 2000, key=KEY_A)
        assert too_big.status_code == 429 and too_big.json()["error"]["code"] == "tokens_rate_limit_exceeded"
        assert "Request too large" in too_big.json()["error"]["message"]
        statuses = []
        for _ in range(12):
            statuses.append((await gw.chat("explain the routing of prompts", key=KEY_A)).status_code)
            await gw.settle()  # completion tokens are added when the response is done
        assert statuses[0] == 200 and statuses[-1] == 429, statuses
        assert gw.metric("router_limit_rejections_total", reason="tokens") >= 2


async def test_budget_rejects_with_budget_exceeded_until_the_period_ends(fake_classifier: Any) -> None:
    config = ops_config(limits={"default": {"budget_usd": 0.00001, "budget_period": "month"}})
    async with gateway(config, fake_classifier) as gw:
        first = await gw.chat("[score=0.9] prove it", key=KEY_A)
        assert first.status_code == 200 and float(first.headers["x-router-cost-usd"]) > 0.00001
        await gw.settle()
        refused = await gw.chat("hello", key=KEY_A)
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert error["type"] == "rate_limit_error" and error["code"] == "budget_exceeded"
        assert "month" in error["message"] and "0.00001" in error["message"]
        assert int(refused.headers["retry-after"]) >= 1
        assert (await gw.chat("hello", key=KEY_B)).status_code == 200  # budgets are per key


async def test_over_budget_downgrades_to_a_cheaper_tier_instead_of_refusing(fake_classifier: Any) -> None:
    config = ops_config(limits={"default": {"budget_usd": 0.00001, "over_budget": "downgrade"}})
    async with gateway(config, fake_classifier) as gw:
        assert (await gw.chat("[score=0.9] hard", key=KEY_A)).headers["x-router-tier"] == "high"
        await gw.settle()
        downgraded = await gw.chat("[score=0.9] hard", key=KEY_A)
        assert downgraded.status_code == 200
        assert downgraded.headers["x-router-tier"] == "low" and downgraded.headers["x-router-model"] == "small"
        assert list(downgraded.json()["router"].items())[10:] == [("downgraded_from", "high"), ("downgrade_reason", "budget")]
        forced = await gw.chat("hard", key=KEY_A, model="auto:high")
        assert forced.headers["x-router-tier"] == "low"
        direct = await gw.chat("hard", key=KEY_A, model="big")  # a model named explicitly is not swapped: refused
        assert direct.status_code == 429 and direct.json()["error"]["code"] == "budget_exceeded"
        assert gw.metric("router_budget_downgrades_total", tier="low") == 2
        assert gw.metric("router_decisions_total", tier="low", reason="classifier") == 1


async def test_a_downgraded_key_never_climbs_back_above_its_ceiling(fake_classifier: Any) -> None:
    """With `fallback_to_next_tier`, the downgraded request's candidates ran on to the top tier: a prompt the cheap model's
    window could not hold, or a failure of its backend, served and billed the over-budget key at the top model's price."""
    config = ops_config(limits={"default": {"budget_usd": 0.00001, "over_budget": "downgrade", "downgrade_tier": "low"}},
                        routing={"fallback_to_next_tier": True})
    config.models["small"].context_window = 4_000
    config.models["big"].context_window = 200_000
    async with gateway(config, fake_classifier) as gw:
        assert (await gw.chat("[score=0.9] hard", key=KEY_A)).headers["x-router-tier"] == "high"
        await gw.settle()
        long = await gw.chat("word " * 4_000 + "[score=0.9]", key=KEY_A)
        assert long.status_code == 400 and long.json()["error"]["code"] == "context_length_exceeded", "not the top model"
        decision = gw.app.state.router.gateway.decide({"model": "auto", "messages": [{"role": "user", "content": "[score=0.1] easy"}]},
                                                      "r", None, "low", hints=NO_HINTS)
        assert {candidate.tier for candidate in decision.candidates} == {"low"}, "a failure falls back no higher than the ceiling"
        assert (await gw.chat("[score=0.1] short", key=KEY_B)).headers["x-router-tier"] == "low", "other keys untouched"


async def test_two_gateways_share_one_budget_and_rate_in_redis(fake_classifier: Any, redis_server: RedisServer) -> None:
    limits = {"default": {"requests_per_minute": 6, "budget_usd": 0.00001}, "keys": {key_id(KEY_B): {"budget_usd": None}}}
    config = ops_config(limits=limits, state={"redis_url": redis_server.url, "key_prefix": "cr-test"})
    async with gateway(config, fake_classifier) as one, gateway(config, fake_classifier) as two:
        assert (await one.chat("[score=0.9] spend", key=KEY_A)).status_code == 200
        await one.settle()
        refused = await two.chat("hello", key=KEY_A)  # the other instance sees the spend
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "budget_exceeded"
        statuses = [(await gw.chat("hi", key=KEY_B)).status_code for gw in (one, two) * 4]
        assert statuses == [200] * 6 + [429] * 2  # one shared window of 6 requests per minute
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(redis_server.url)
        try:
            keys = [key async for key in client.scan_iter("cr-test:*")]
            assert keys and all(b"{" + key_id(KEY_B).encode() + b"}" in key or b"{" + key_id(KEY_A).encode() + b"}" in key for key in keys)
            ttls = [await client.ttl(key) for key in keys]
            assert all(0 < ttl <= 35 * 86400 for ttl in ttls), "every key expires"
        finally:
            await client.aclose()


async def test_redis_stopped_mid_test_fails_open_or_closed_and_recovers(fake_classifier: Any, redis_server: RedisServer) -> None:
    limits = {"default": {"requests_per_minute": 100}}
    state = {"redis_url": redis_server.url, "timeout_seconds": 0.5, "retry_seconds": 0.2}
    open_config = ops_config(limits=limits, state=state | {"on_redis_error": "open"})
    closed_config = ops_config(limits=limits, state=state | {"on_redis_error": "closed"})
    async with gateway(open_config, fake_classifier) as fail_open, gateway(closed_config, fake_classifier) as fail_closed:
        assert (await fail_open.chat(key=KEY_A)).status_code == 200
        assert (await fail_closed.chat(key=KEY_A)).status_code == 200
        redis_server.stop()
        assert (await fail_open.chat(key=KEY_A)).status_code == 200  # served, unmetered
        down = await fail_closed.chat(key=KEY_A)
        assert down.status_code == 503 and down.json()["error"]["code"] == "limits_unavailable" and down.headers["retry-after"] == "1"
        assert fail_open.metric("router_limit_state_errors_total") >= 1
        assert fail_closed.metric("router_limit_rejections_total", reason="unavailable") == 1
        redis_server.start()  # same port: both recover once retry_seconds passed
        import anyio

        await anyio.sleep(0.3)
        assert (await fail_closed.chat(key=KEY_A)).status_code == 200
        assert (await fail_open.chat(key=KEY_A)).status_code == 200


async def test_concurrent_requests_on_two_gateways_never_exceed_the_shared_limit(fake_classifier: Any, redis_server: RedisServer) -> None:
    """The Lua check-and-increment is atomic: 30 concurrent requests against a limit of 10 admit exactly 10."""
    import anyio

    config = ops_config(limits={"default": {"requests_per_minute": 10}}, state={"redis_url": redis_server.url, "timeout_seconds": 5})
    statuses: list[int] = []
    async with gateway(config, fake_classifier) as one, gateway(config, fake_classifier) as two:

        async def send(gw: Any) -> None:
            statuses.append((await gw.chat(key=KEY_A)).status_code)

        async with anyio.create_task_group() as group:
            for index in range(30):
                group.start_soon(send, (one, two)[index % 2])
    assert sorted(statuses) == [200] * 10 + [429] * 20


async def test_the_redis_store_builds_its_client_without_warnings() -> None:
    """The asyncio client gets the asyncio Retry: a sync one is converted with a UserWarning in every worker's log."""
    import warnings

    from router.limits_redis import RedisStore
    from router.opsconfig import StateConfig

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = RedisStore(StateConfig(redis_url="redis://127.0.0.1:1/0"))  # built, never connected
    await store.aclose()
