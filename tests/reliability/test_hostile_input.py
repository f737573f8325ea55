"""Hostile and malformed input: clear 4xx errors in OpenAI's format, never a 500 or a traceback;
secrets and prompt text never in logs, errors or metrics; config is data, never code."""

from __future__ import annotations

import ast
import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from router.config import ConfigError, parse_config
from tests.reliability.loopback_rig import Rig, serve_app
from tests.reliability.loopback_upstream import Behaviour, content_chunk, sse
from tests.router.conftest import Harness, make_config

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


def _assert_openai_error(response: httpx.Response, status: int, param: str | None = "any") -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert "Traceback" not in response.text and 'File "' not in response.text
    if param != "any":
        assert error["param"] == param
    return error


async def post_raw(harness: Harness, raw: bytes, content_type: str = "application/json") -> httpx.Response:
    return await harness.client.post("/v1/chat/completions", content=raw, headers={"content-type": content_type})


async def test_deeply_nested_json_is_a_400(harness: Harness) -> None:
    for depth in (100, 1100, 100_000):
        raw = b'{"model": "auto", "messages": [{"role": "user", "content": "x"}], "metadata": ' + b"[" * depth + b"]" * depth + b"}"
        response = await post_raw(harness, raw)
        if depth <= 100:
            assert response.status_code == 400  # metadata must be an object, but the JSON itself parses
            assert response.json()["error"]["param"] == "metadata"
        else:
            error = _assert_openai_error(response, 400, None)
            assert error["message"] == "request body is not valid JSON"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"model": "auto", "messages": [{"role": "user", "content": "\xc3\x28"}]}',
        b'{"model": "auto", "messages": [{"role": "user", "content": "\xed\xa0\x80"}]}',  # a UTF-8-encoded surrogate
        b"\xff\xfe{\x00}\x00",
        b'{"model": "auto", "messages": [{"role": "user", "content": "\\ud800"}]}',  # lone surrogate escape
    ],
)
async def test_invalid_utf8_is_a_400(harness: Harness, raw: bytes) -> None:
    _assert_openai_error(await post_raw(harness, raw), 400, None)
    assert not harness.upstream.requests


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [
        ("n", 10**6, "n"),
        ("n", 1.5, "n"),
        ("max_tokens", 10**12, "max_tokens"),
        ("max_completion_tokens", 0, "max_completion_tokens"),
        ("max_tokens", True, "max_tokens"),
        ("temperature", "hot", "temperature"),
        ("temperature", -1, "temperature"),
        ("top_p", 7, "top_p"),
        ("stop", [1, 2], "stop"),
        ("tools", {"type": "function"}, "tools"),
        ("tools", ["x"], "tools"),
        ("response_format", "json", "response_format"),
        ("chat_template_kwargs", "enable_thinking", "chat_template_kwargs"),
        ("stream", "yes", "stream"),
        ("stream_options", {"include_usage": "yes"}, "stream_options.include_usage"),
        ("reasoning_effort", "maximum", "reasoning_effort"),
        ("seed", "42", "seed"),
        ("logprobs", 1, "logprobs"),
        ("messages", [], "messages"),
        ("messages", [{"role": ["user"], "content": "x"}], "messages[0].role"),
        ("messages", [{"role": "hacker", "content": "x"}], "messages[0].role"),
        ("messages", [{"role": "user", "content": 5}], "messages[0].content"),
        ("messages", [{"role": "user", "content": ["text"]}], "messages[0].content"),
        ("model", 5, "model"),
        ("model", "", "model"),
    ],
)
async def test_schema_violations_name_the_parameter(harness: Harness, field: str, value: Any, param: str) -> None:
    body = {"model": "auto", "messages": [{"role": "user", "content": "x"}], field: value}
    error = _assert_openai_error(await harness.client.post("/v1/chat/completions", json=body), 400, param)
    assert error["type"] == "invalid_request_error"
    assert not harness.upstream.requests


async def test_huge_integer_literals_are_a_400(harness: Harness) -> None:
    raw = b'{"model": "auto", "messages": [{"role": "user", "content": "x"}], "max_tokens": 1' + b"0" * 400 + b"}"
    _assert_openai_error(await post_raw(harness, raw), 400)


@pytest.mark.parametrize("field", ["api_base", "base_url", "api_key", "api_version", "organization", "custom_llm_provider", "extra_headers",
                                   "azure_endpoint", "aws_access_key_id", "vertex_credentials", "extra_body"])
async def test_routing_and_credential_fields_are_refused(harness: Harness, field: str) -> None:
    body = {"model": "auto", "messages": [{"role": "user", "content": "x"}], field: "http://169.254.169.254/"}
    error = _assert_openai_error(await harness.client.post("/v1/chat/completions", json=body), 400, field)
    assert error["code"] == "forbidden_parameter"
    assert not harness.upstream.requests


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/chat/completions", 405), ("PUT", "/v1/models", 405), ("GET", "/v1/../../etc/passwd", 404), ("POST", "/v1/embeddings", 404),
     ("GET", "/v1/completions", 405)],
)
async def test_wrong_methods_and_paths_are_openai_errors(harness: Harness, method: str, path: str, status: int) -> None:
    _assert_openai_error(await harness.client.request(method, path), status)


async def test_non_json_content_types_and_empty_bodies(harness: Harness) -> None:
    _assert_openai_error(await post_raw(harness, b"", "application/json"), 400)
    _assert_openai_error(await post_raw(harness, b"model=auto", "application/x-www-form-urlencoded"), 400)
    _assert_openai_error(await post_raw(harness, b"null"), 400)


async def test_malformed_headers_do_not_break_requests(harness: Harness) -> None:
    body = {"model": "auto", "messages": [{"role": "user", "content": "x"}]}
    odd = {"x-request-id": "a" * 5000, "x-router-max-cost-usd": "NaN"}
    error = _assert_openai_error(await harness.client.post("/v1/chat/completions", json=body, headers=odd), 400, "x-router-max-cost-usd")
    assert "NaN" not in error["message"] or "number" in error["message"]
    response = await harness.client.post("/v1/chat/completions", json=body, headers={"x-request-id": "<script>"})
    assert response.status_code == 200 and response.headers["x-request-id"] != "<script>"


async def test_unexpected_internal_errors_are_generic_500s_without_detail(make_harness: Callable[..., Any]) -> None:
    class Exploding:
        def score(self, messages: Any) -> Any:
            raise RuntimeError("secret internal detail /etc/router.yaml")

    from prometheus_client import CollectorRegistry

    from router.app import create_app

    app = create_app(make_config(), classifier=Exploding(), registry=CollectorRegistry())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post("/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": "x"}]})
            messages = await client.post("/v1/messages", json={"model": "auto", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]})
    error = _assert_openai_error(response, 500)
    assert "secret internal detail" not in response.text and error["code"] == "internal_error"
    assert messages.status_code == 500 and "secret internal detail" not in messages.text
    assert messages.json() == {"type": "error", "error": {"type": "api_error", "message": "internal router error"}}, (
        "an Anthropic client reads its own error shape, as the 404/405 on that path already had")


# -- secrets ----------------------------------------------------------------------------------------

GATEWAY_KEY = "gw-key-Zq8v1T5cXw"
HASHED_KEY = "gw-hashed-Rk3pL0aM"
WRONG_KEY = "wrong-key-Pn4sH7dQ"
UPSTREAM_A = "sk-upstream-a-secret"
UPSTREAM_B = "sk-upstream-b-secret"
PROMPT = "prompt-marker-K2mV9x what is my password"


@pytest.fixture
def all_logs() -> Iterator[io.StringIO]:
    """Everything logged anywhere, at every level, while the test runs."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(1)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    names = ["", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "httpx", "httpcore", "aiohttp", "complexity_router", "asyncio"]
    saved = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(1)
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield buffer
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate


async def test_secrets_and_prompts_never_reach_logs_errors_or_metrics(rig: Rig, all_logs: io.StringIO, tmp_path: Path, capsys: Any) -> None:
    secrets = [GATEWAY_KEY, HASHED_KEY, WRONG_KEY, UPSTREAM_A, UPSTREAM_B, "prompt-marker-K2mV9x"]
    seen: list[str] = []  # every response body and header the clients got

    # 1. Config errors carrying secret values: the messages name the key, never the value.
    bad_configs = [
        rig.config_data(server={"api_keys": [f"sha256:{GATEWAY_KEY}"]}),
        rig.config_data(server={"api_keys": [{"key": GATEWAY_KEY}]}),
        rig.config_data(a={"api_key": {"value": UPSTREAM_A}}),
        rig.config_data(a={"max_connections": UPSTREAM_A}),
        rig.config_data(a={"headers": {"x-api-key": [UPSTREAM_A]}}),
    ]
    for data in bad_configs:
        with pytest.raises(ConfigError) as caught:
            parse_config(data, env={})
        logging.getLogger("complexity_router").error("config rejected: %s", caught.value)
        seen.append(str(caught.value))
    config_file = tmp_path / "bad.yaml"
    config_file.write_text(f"server:\n  api_keys: [{{key: {GATEWAY_KEY}}}]\nbackends: {{}}\nmodels: {{}}\ntiers: {{}}\n")
    from router.cli import _load  # what `check-config` and `serve` print for a bad file

    with pytest.raises(SystemExit):
        _load(str(config_file))
    seen.append(capsys.readouterr().err)

    # 2. A full run: uvicorn at trace level, auth failures, upstream errors (one echoing our key), fallbacks, streams.
    hashed = "sha256:" + hashlib.sha256(HASHED_KEY.encode()).hexdigest()
    behaviours = iter([
        Behaviour(status=500, json={"error": {"message": "internal"}}),
        Behaviour(status=401, json={"error": {"message": f"Incorrect API key provided: {UPSTREAM_A}", "type": "invalid_request_error"}}),
        Behaviour(chunks=[content_chunk("x"), sse({"error": {"message": f"key {UPSTREAM_A} revoked"}})]),
        Behaviour(status=429, headers={"Retry-After": "1"}, json={"error": {"message": "slow down"}}),
    ])
    rig.a.script = lambda body, index: next(behaviours, Behaviour())
    gateway = await rig.gateway(rig.config_data(server={"api_keys": [GATEWAY_KEY, hashed]}))
    body = {"model": "auto", "messages": [{"role": "user", "content": PROMPT}]}
    async with serve_app(gateway.app, log_level="trace") as url, httpx.AsyncClient(base_url=url) as client:
        requests = [
            ({}, body),
            ({"authorization": f"Bearer {WRONG_KEY}"}, body),
            ({"authorization": WRONG_KEY}, body),
            ({"x-api-key": GATEWAY_KEY}, body),
            ({"authorization": f"Bearer {GATEWAY_KEY}"}, body),  # a: 500 → fallback to b
            ({"authorization": f"Bearer {HASHED_KEY}"}, body),  # a: 401 echoing the key → the gateway's fault: b
            ({"authorization": f"Bearer {GATEWAY_KEY}"}, body | {"stream": True}),  # a: error mid-stream
            ({"authorization": f"Bearer {GATEWAY_KEY}"}, body),  # a: 429 → b
            ({"authorization": f"Bearer {GATEWAY_KEY}"}, body | {"model": "ma"}),  # rate limited, no alternative: 429
            ({"authorization": f"Bearer {GATEWAY_KEY}"}, body | {"api_key": UPSTREAM_B}),  # refused field
            ({"authorization": f"Bearer {GATEWAY_KEY}"}, body | {"messages": [{"role": PROMPT, "content": "x"}]}),
        ]
        statuses = []
        for headers, payload in requests:
            response = await client.post("/v1/chat/completions", json=payload, headers=headers)
            statuses.append(response.status_code)
            seen.append(response.text)
            seen.append(str(response.headers))
        seen.append((await client.get("/metrics")).text)
        seen.append((await client.get("/v1/models", headers={"authorization": f"Bearer {GATEWAY_KEY}"})).text)
    assert statuses == [401, 401, 401, 401, 200, 200, 200, 200, 429, 400, 400]

    logs = all_logs.getvalue()
    assert "circuit" not in logs or "backend" in logs
    assert len(logs.splitlines()) > 20, "the capture must actually see the run's logs"
    for secret in secrets:
        assert secret not in logs, f"{secret!r} leaked into the logs"
        for text in seen:
            if secret in text:
                assert secret == "prompt-marker-K2mV9x" and '"content"' not in text, f"{secret!r} leaked to a client: {text[:200]}"
    assert "***" in "".join(seen), "the upstream's echo of our key reaches the client masked"


def test_no_code_execution_or_templating_of_config_or_requests() -> None:
    """Config files are data and request content is never evaluated or templated."""
    forbidden_calls = {"eval", "exec", "compile", "__import__"}
    forbidden_attrs = {("yaml", "load"), ("yaml", "unsafe_load"), ("pickle", "loads"), ("pickle", "load"), ("marshal", "loads")}
    forbidden_modules = {"jinja2", "mako", "string.Template", "pickle", "marshal", "shelve"}
    offenders = []
    for package in ("router", "backends", "classifiers"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    func = node.func
                    if isinstance(func, ast.Name) and func.id in forbidden_calls:
                        offenders.append(f"{path}:{node.lineno} {func.id}()")
                    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (func.value.id, func.attr) in forbidden_attrs:
                        offenders.append(f"{path}:{node.lineno} {func.value.id}.{func.attr}()")
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                    names += [f"{node.module}.{alias.name}" for alias in node.names] if isinstance(node, ast.ImportFrom) else []
                    offenders += [f"{path}:{node.lineno} import {name}" for name in names if name in forbidden_modules]
    assert offenders == []


def test_env_expansion_cannot_inject_structure() -> None:
    """`${VAR}` is expanded after YAML parsing: a variable's value stays one string."""
    data = {
        "backends": {"a": {"kind": "openai", "base_url": "${URL}", "api_key": "${KEY}"}},
        "models": {"m": {"backend": "a"}},
        "tiers": {"t": {"model": "m"}},
    }
    config = parse_config(data, env={"URL": "http://x/v1\nadmin: true", "KEY": "{evil: 1}"})
    assert config.backends["a"].base_url == "http://x/v1\nadmin: true"
    assert config.backends["a"].api_key is not None and config.backends["a"].api_key.get_secret_value() == "{evil: 1}"
