"""The coding agents platform teams point at the gateway, run for real: the Codex CLI (Responses API)
and Claude Code (Messages API), each in its non-interactive mode against `complexity-router demo`.

Both send what no SDK test does: Codex a `namespace` tool and web search on every request (the gateway
refused Codex 0.171 outright before), to a GPT-5.5 model name its `custom` apply_patch tool and tool
search too, `developer` turns and `include`; Claude Code dozens of tools,
system turns, `anthropic-beta` headers and its own token accounting. Pinned versions, installed with npm
into the project's cache (seconds); skipped without npm, except under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import require_tool
from tests.opskit import ServeProcess, ThreadedServer, free_port, wait_for, write_yaml
from tests.router.tool_loop_upstream import DONE_TEXT, ToolLoopUpstream

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "router" / "demo" / "demo.yaml"
CACHE = Path.home() / ".cache" / "complexity-router" / "npm"
CODEX = ("@openai/codex", "0.171.0", "codex")
CLAUDE_CODE = ("@anthropic-ai/claude-code", "2.1.197", "claude")


def agent_cli(package: str, version: str, binary: str) -> Path:
    """The CLI's executable, installed with npm on first use."""
    npm = require_tool("npm")
    prefix = CACHE / f"{package.replace('/', '__')}@{version}"
    executable = prefix / "node_modules" / ".bin" / binary
    if not executable.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), f"{package}@{version}"],
                       check=True, capture_output=True, timeout=600)
    return executable


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[str, int]]:
    """`complexity-router demo`: the gateway in front of its simulated upstream, serving after the tour;
    its URL and the upstream's port."""
    port, upstream_port = free_port(), free_port()
    command = [sys.executable, "-m", "router.cli", "demo", "--port", str(port), "--upstream-port", str(upstream_port)]
    with _running(command, f"http://127.0.0.1:{port}", os.environ) as url:
        yield url, upstream_port


@pytest.fixture(scope="module")
def gateway_url(demo: tuple[str, int]) -> str:
    return demo[0]


@pytest.fixture(scope="module")
def gpt55_gateway_url(demo: tuple[str, int], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gateway serving the demo's configuration plus a model named `gpt-5.5` (on the demo's simulated
    upstream): Codex sends that model family its `custom` apply_patch tool and tool search."""
    config = yaml.safe_load(DEMO_CONFIG.read_text())
    config["models"]["gpt-5.5"] = {**config["models"]["sim-o4-mini"]}
    path = tmp_path_factory.mktemp("gpt55") / "router.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    port = free_port()
    command = [sys.executable, "-m", "router.cli", "serve", "--config", str(path), "--port", str(port)]
    with _running(command, f"http://127.0.0.1:{port}", {**os.environ, "DEMO_UPSTREAM_PORT": str(demo[1])}) as url:
        yield url


@contextmanager
def _running(command: list[str], url: str, env: Mapping[str, str]) -> Iterator[str]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(env))
    try:
        wait_for(lambda: _served(url, "complexity-router"), timeout=120, what=" ".join(command[3:5]))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _served(url: str, owner: str) -> bool:
    try:
        return httpx.get(f"{url}/v1/models", timeout=2).json()["data"][0]["owned_by"] == owner
    except (httpx.HTTPError, ValueError, KeyError):
        return False


def _api_requests(url: str, api: str) -> float:
    found = re.search(rf'^router_api_requests_total\{{api="{api}"\}} ([0-9.e+]+)$', httpx.get(f"{url}/metrics").text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def run_codex(gateway_url: str, model: str, workdir: Path, prompt: str, *flags: str) -> subprocess.CompletedProcess[str]:
    """`codex exec` in ``workdir`` against the gateway, as a Codex user configures a provider."""
    codex = agent_cli(*CODEX)
    home = workdir / "codex-home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(
        f'model = "{model}"\nmodel_provider = "router"\n\n[model_providers.router]\nname = "complexity-router"\n'
        f'base_url = "{gateway_url}/v1"\nwire_api = "responses"\nenv_key = "ROUTER_KEY"\n')
    env = {**os.environ, "HOME": str(workdir), "CODEX_HOME": str(home), "ROUTER_KEY": "sk-unused"}
    done = subprocess.run([str(codex), "exec", "--skip-git-repo-check", *flags, prompt], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "ERROR" not in done.stdout + done.stderr, (done.stdout + done.stderr)[-3000:]
    return done


def run_claude_code(gateway_url: str, workdir: Path, prompt: str, *flags: str) -> dict[str, Any]:
    """`claude -p` in ``workdir`` against the gateway; its JSON result."""
    claude = agent_cli(*CLAUDE_CODE)
    env = {**os.environ, "HOME": str(workdir), "ANTHROPIC_BASE_URL": gateway_url, "ANTHROPIC_API_KEY": "sk-unused",
           "ANTHROPIC_MODEL": "auto", "DISABLE_TELEMETRY": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    done = subprocess.run([str(claude), "-p", prompt, "--output-format", "json", *flags], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["subtype"] == "success" and not result["is_error"] and result["result"], result
    return result


@pytest.mark.parametrize("model", ["auto", "gpt-5.5"])
def test_the_codex_cli_runs_a_turn_through_the_responses_api(model: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """With `auto` Codex sends function and namespace tools and web search; with a GPT-5.5 model name
    also its `custom` apply_patch tool and tool search (both refused before this was served)."""
    gateway_url = request.getfixturevalue("gateway_url" if model == "auto" else "gpt55_gateway_url")
    before = _api_requests(gateway_url, "responses")
    done = run_codex(gateway_url, model, tmp_path, "Say hello in one word.")
    assert done.stdout.strip(), "Codex printed the simulated upstream's answer"
    assert _api_requests(gateway_url, "responses") > before


def test_claude_code_runs_a_turn_through_the_messages_api(gateway_url: str, tmp_path: Path) -> None:
    before = _api_requests(gateway_url, "messages")
    result = run_claude_code(gateway_url, tmp_path, "Say hello in one word.")
    assert result["usage"]["input_tokens"] > 1000, "Claude Code's system prompt and tools, counted by the upstream"
    assert result["usage"]["output_tokens"] > 0
    assert _api_requests(gateway_url, "messages") > before


@contextmanager
def tool_loop_gateway(upstream: ToolLoopUpstream, model: str, tmp_path: Path) -> Iterator[str]:
    """The gateway serving ``model`` (every tier) from the scripted tool-loop upstream."""
    config = {"server": {"api_keys": []}, "backends": {"scripted": {"kind": "openai", "base_url": "{url}/v1"}},
              "models": {model: {"backend": "scripted", "upstream_name": "scripted", "reasoning": "none", "input": 1.0, "output": 2.0}},
              "tiers": {"low": {"model": model, "effort": "none"}}, "classifier": {"artifact": "default"}}
    with ThreadedServer(upstream.app()) as server:
        config["backends"]["scripted"]["base_url"] = f"{server.url}/v1"
        with ServeProcess(write_yaml(tmp_path / "router.yaml", config)) as gateway:
            yield gateway.url


PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello from the gateway\n*** End Patch\n"


def test_codex_applies_a_patch_the_model_sends_through_the_gateway(tmp_path: Path) -> None:
    """A whole tool loop with a GPT-5.5 model name: the upstream calls Codex's `apply_patch` (a custom
    tool, sent upstream as a one-string function), Codex applies the patch the gateway hands it as a
    `custom_tool_call`, and its result goes back upstream as a tool turn."""
    upstream = ToolLoopUpstream("apply_patch", json.dumps({"input": PATCH}))
    with tool_loop_gateway(upstream, "gpt-5.5", tmp_path) as url:
        done = run_codex(url, "gpt-5.5", tmp_path, "Create hello.txt.", "--dangerously-bypass-approvals-and-sandbox")
    assert (tmp_path / "hello.txt").read_text() == "hello from the gateway\n"
    assert DONE_TEXT in done.stdout
    (result,) = upstream.tool_results()
    assert "hello.txt" in str(result), result


def test_claude_code_writes_a_file_the_model_asks_for_through_the_gateway(tmp_path: Path) -> None:
    """The same loop over the Messages API: the upstream's chat tool call reaches Claude Code as a
    `tool_use` block, Claude Code writes the file, and its `tool_result` goes back upstream as a tool turn."""
    target = tmp_path / "hello.txt"
    upstream = ToolLoopUpstream("Write", json.dumps({"file_path": str(target), "content": "hello from the gateway\n"}))
    with tool_loop_gateway(upstream, "auto-model", tmp_path) as url:
        result = run_claude_code(url, tmp_path, "Create hello.txt.", "--permission-mode", "acceptEdits")
    assert target.read_text() == "hello from the gateway\n"
    assert result["result"] == DONE_TEXT
    (written,) = upstream.tool_results()
    assert "hello.txt" in str(written), written
