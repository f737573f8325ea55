"""`complexity-router demo`: the gateway in front of a SIMULATED upstream, shown through the openai SDK."""

from __future__ import annotations

import asyncio
import os
import socket
from importlib.resources import files
from pathlib import Path

import httpx
import uvicorn

from router.config import RouterConfig, parse_config
from router.demo.upstream import SimulatedUpstream
from router.httphead import BoundedHttpToolsProtocol

PROMPTS = (
    "What is the capital of France?",
    "How would I merge two sorted lists in Python, and what is the time complexity?",
    ("Prove that there are infinitely many primes p such that p ≡ 3 (mod 4). Then determine all integer "
     "solutions of x^2 + y^2 = 3z^2 and justify every step rigorously."),
)


def demo_config(upstream_port: int) -> RouterConfig:
    import yaml

    text = files("router.demo").joinpath("demo.yaml").read_text(encoding="utf-8")
    return parse_config(yaml.safe_load(text), {**os.environ, "DEMO_UPSTREAM_PORT": str(upstream_port)})


class DemoPortError(OSError):
    """A port the demo needs is taken: said in one line, not as uvicorn's exit from inside the event loop."""


def listen(host: str, port: int, flag: str) -> socket.socket:
    """A listening socket on ``host:port``, bound before any server starts, so a taken port fails the demo at once,
    before it has started half of itself (``flag`` is the option that picks another port)."""
    try:
        return socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        if exc.errno is not None and exc.errno < 0:  # getaddrinfo's codes (``socket.create_server`` re-raises them)
            raise DemoPortError(f"cannot listen on {host}:{port}: the host name does not resolve; check --host") from None
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise DemoPortError(f"cannot listen on {host}:{port} ({reason}); another demo or server holds it? "
                            f"choose a free port with {flag}") from None


async def _start(app: object, sock: socket.socket) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", http=BoundedHttpToolsProtocol))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return server, task


def run_tour(base_url: str) -> None:
    """What a new user should see: routing decisions, a streamed answer, headers, metrics."""
    from openai import OpenAI

    client = OpenAI(base_url=f"{base_url}/v1", api_key="demo-no-key-needed", max_retries=0)
    print("\n== 1. model='auto': the classifier picks the tier ==")
    for prompt in PROMPTS:
        raw = client.chat.completions.with_raw_response.create(model="auto", messages=[{"role": "user", "content": prompt}])
        completion = raw.parse()
        h = raw.headers
        print(f"- {prompt[:60]!r}{'…' if len(prompt) > 60 else ''}")
        print(
            f"    x-router-score={h.get('x-router-score')}  x-router-tier={h.get('x-router-tier')}  "
            f"x-router-model={h.get('x-router-model')}  x-router-cost-usd={h.get('x-router-cost-usd')}  "
            f"tokens={completion.usage.prompt_tokens}+{completion.usage.completion_tokens}"
            f" (reasoning {completion.usage.completion_tokens_details.reasoning_tokens})"
        )
    print("\n== 2. a streamed answer (stream=True, include_usage) ==")
    stream = client.chat.completions.create(
        model="auto",
        messages=[{"role": "user", "content": PROMPTS[1]}],
        stream=True,
        stream_options={"include_usage": True},
    )
    router_info = None
    print("    ", end="", flush=True)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
        if chunk.usage is not None:
            router_info = (chunk.model_extra or {}).get("router")
    print(f"\n    final usage chunk carries router={router_info}")
    print("\n== 3. /metrics (router_* series, excerpt) ==")
    metrics = httpx.get(f"{base_url}/metrics").text
    for line in metrics.splitlines():
        if line.startswith(("router_requests_total", "router_cost_usd_total", "router_decisions_total", "router_estimated_savings",
                            "router_cost_estimate_ratio_sum", "router_cost_estimate_ratio_count")):
            print("    " + line)


async def run_demo(host: str, port: int, upstream_port: int, serve_forever: bool) -> None:
    from router.app import create_app

    up_sock = listen("127.0.0.1", upstream_port, "--upstream-port")
    try:
        gateway_sock = listen(host, port, "--port")
    except DemoPortError:
        up_sock.close()
        raise
    upstream = SimulatedUpstream()
    print(f"SIMULATED upstream (deterministic text, not a model) on http://127.0.0.1:{upstream_port}")
    up_server, up_task = await _start(upstream.app(), up_sock)
    gateway_server, gateway_task = await _start(create_app(demo_config(upstream_port)), gateway_sock)
    base_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    print(f"complexity-router gateway on {base_url}  (config: {Path(str(files('router.demo').joinpath('demo.yaml')))})")
    try:
        await asyncio.to_thread(run_tour, base_url)
        if serve_forever:
            print(f"\nServing until Ctrl-C. Try:\n  curl -s {base_url}/v1/chat/completions -H 'content-type: application/json' "
                  "-d '{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}' -i\n"
                  f"  curl -s {base_url}/v1/completions -H 'content-type: application/json' "
                  "-d '{\"model\":\"auto\",\"prompt\":\"Once upon a time\",\"max_tokens\":32}'")
            await gateway_task
    finally:
        gateway_server.should_exit = up_server.should_exit = True
        await asyncio.gather(gateway_task, up_task, return_exceptions=True)
