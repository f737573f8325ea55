"""`/v1/models` through both SDKs, and the context limits it reports (router/models_api.py)."""

from __future__ import annotations

from typing import Any

import pytest

from router.models_api import model_list
from tests.router._anthropic_api_helpers import sdk
from tests.router.conftest import CONFIG, make_config

pytestmark = pytest.mark.anyio

#: Windows and output caps on every model a tier may use (the spare is the high tier's fallback).
LIMITS = {"small": (32_768, 8_192), "big": (200_000, 100_000), "spare-big": (128_000, 64_000)}


def limited_models() -> dict[str, Any]:
    return {name: {**model, **({"context_window": LIMITS[name][0], "max_output_tokens": LIMITS[name][1]} if name in LIMITS else {})}
            for name, model in CONFIG["models"].items()}


async def test_the_openai_sdk_lists_and_retrieves_the_routable_names(make_harness: Any) -> None:
    from openai import AsyncOpenAI, NotFoundError

    harness = await make_harness()
    client = AsyncOpenAI(base_url="http://router.test/v1", api_key="unused", http_client=harness.client, max_retries=0)
    ids = [model.id async for model in client.models.list()]
    assert ids == ["auto", "auto:low", "auto:medium", "auto:high", "small", "big", "spare-big", "unpriced"]
    high = await client.models.retrieve("auto:high")
    assert high.id == "auto:high" and high.owned_by == "complexity-router" and high.object == "model"
    assert (await client.models.retrieve("small")).owned_by == "sim"
    with pytest.raises(NotFoundError) as missing:
        await client.models.retrieve("gpt-17")
    assert missing.value.request_id, "a 404 carries the request id as the routed answers' errors do"
    sent = await harness.client.get("/v1/models", headers={"x-request-id": "trace-7"})
    assert sent.headers["x-request-id"] == sent.headers["request-id"] == "trace-7"


async def test_the_anthropic_sdk_lists_models_with_their_limits(make_harness: Any) -> None:
    """What Claude Code's gateway model discovery reads: `max_input_tokens` (its context window) and
    `max_tokens`, sent with the SDK's own `x-api-key` header."""
    harness = await make_harness(make_config(models=limited_models(), server={"api_keys": ["sk-right"]}))
    client = sdk(harness, api_key="sk-right")
    page = await client.models.list()
    by_id = {model.id: model for model in page.data}
    assert next(iter(by_id)) == "auto" and page.has_more is False and page.first_id == "auto" and page.last_id == "unpriced"
    assert by_id["auto"].type == "model" and by_id["auto"].display_name == "auto" and by_id["auto"].created_at.year >= 2026
    assert (by_id["big"].max_input_tokens, by_id["big"].max_tokens) == LIMITS["big"]
    assert by_id["unpriced"].max_input_tokens is None and by_id["unpriced"].max_tokens is None  # not configured: not claimed
    one = await client.models.retrieve("auto:low")
    assert one.id == "auto:low" and one.max_input_tokens == 200_000


async def test_the_anthropic_sdk_pages_the_models_and_reads_its_own_not_found(make_harness: Any) -> None:
    """`limit`, `after_id` and `before_id` were ignored (`limit=2` got all eight names), and an unknown name was OpenAI's
    `invalid_request_error` to the Anthropic SDK (found in review, s36)."""
    from anthropic import BadRequestError, NotFoundError

    harness = await make_harness()
    client = sdk(harness)
    first = await client.models.list(limit=3)
    assert [m.id for m in first.data] == ["auto", "auto:low", "auto:medium"] and first.has_more and first.last_id == "auto:medium"
    assert [m.id async for m in await client.models.list(limit=3)] == [  # the SDK's auto-paging walks every page
        "auto", "auto:low", "auto:medium", "auto:high", "small", "big", "spare-big", "unpriced"]
    last = await client.models.list(after_id="spare-big", limit=3)
    assert [m.id for m in last.data] == ["unpriced"] and not last.has_more
    before = await client.models.list(before_id="small", limit=2)
    assert [m.id for m in before.data] == ["auto:medium", "auto:high"] and before.has_more
    with pytest.raises(NotFoundError) as missing:
        await client.models.retrieve("claude-17")
    assert missing.value.body["error"]["type"] == "not_found_error" and missing.value.request_id  # type: ignore[index]
    for bad in ({"limit": 0}, {"after_id": "gpt-17"}):
        with pytest.raises(BadRequestError):
            await client.models.list(**bad)  # type: ignore[arg-type]
    for limit in ("\u00b2", "9" * 5000, "-1", "\uff13"):  # digits int() refuses or reads: each a 400, not a 500
        response = await harness.client.get("/v1/models", params={"limit": limit})
        assert response.status_code == 400, limit


def test_routed_names_report_the_largest_window_and_the_smallest_output_cap() -> None:
    """A routed prompt that does not fit its tier moves to a tier that holds it, so `auto` accepts the
    largest window; its answer may come from any tier, so it promises the smallest output cap."""
    listed = {entry["id"]: entry for entry in model_list(make_config(models=limited_models()), 1_790_000_000)["data"]}
    for name in ("auto", "auto:low", "auto:high"):
        assert (listed[name]["max_input_tokens"], listed[name]["max_tokens"]) == (200_000, 8_192)
    assert (listed["spare-big"]["max_input_tokens"], listed["spare-big"]["max_tokens"]) == LIMITS["spare-big"]
    assert listed["auto"]["created_at"] == "2026-09-21T14:13:20Z" and listed["auto"]["created"] == 1_790_000_000
    unlimited = model_list(make_config(), 0)["data"]
    assert not any("max_input_tokens" in entry or "max_tokens" in entry for entry in unlimited)
