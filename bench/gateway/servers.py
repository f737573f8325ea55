"""The servers under test, each started on a free loopback port and waited for: nginx (the canned
upstream and the direct baseline), the gateway, the LiteLLM proxy in its own venv, and the
reference FastAPI + aiohttp proxy. Plus the checks that the gateway's numbers are for correct answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.gateway.processes import BENCH_DIR, REPO, Proc, http, spawn, wait_for_port, wait_ready
from bench.gateway.workload import ANSWER_WORDS, API_KEY, UPSTREAM_KEY, canned_completion, canned_stream, chat_bodies
from tests.ports import free_port

LITELLM_VENV = Path(os.environ.get("LITELLM_VENV", Path.home() / ".cache" / "complexity-router" / "litellm-venv"))
#: The version issue 5's reference figures were measured with (override: LITELLM_SPEC="litellm[proxy]").
LITELLM_SPEC = os.environ.get("LITELLM_SPEC", "litellm[proxy]==1.106.2")

# Targets ---------------------------------------------------------------------------------------
DIRECT, GATEWAY, LITELLM = "nginx-direct", "complexity-router", "litellm"
#: bench/reference_proxy.py: the issue's trivial FastAPI + aiohttp proxy (its figure: report.REFERENCE_ISSUE_RPS_C16).
REFERENCE = "reference-proxy"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def _nginx_quote(payload: bytes) -> str:
    text = payload.decode()
    if "$" in text:
        raise ValueError("canned bodies must not contain '$' (nginx variable syntax)")
    return text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")


def _temp_path_directives(binary: str, prefix: Path) -> str:
    """Point every compiled-in temp path into the prefix, so nginx runs without root or /var/lib/nginx."""
    version = subprocess.run([binary, "-V"], capture_output=True, text=True, check=False).stderr
    lines = []
    for module in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        compiled = f"--http-{module.replace('_', '-')}-temp-path" in version or module == "client_body"
        if compiled and f"--without-http_{module}_module" not in version:
            lines.append(f"    {module}_temp_path {prefix}/{module}_temp;")
    return "\n".join(lines)


def start_nginx(workdir: Path, port: int | None = None) -> Proc:
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx not found (Debian: apt-get install nginx-light)")
    port = port or free_port()
    prefix = workdir / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    for path in (workdir, prefix):  # started as root, nginx's workers run as nobody and must read the files
        path.chmod(0o755)
    conf = (BENCH_DIR / "nginx.conf.template").read_text()
    conf = (
        conf.replace("@@PREFIX@@", str(prefix))
        .replace("@@PORT@@", str(port))
        .replace("@@TEMP_PATHS@@", _temp_path_directives(binary, prefix))
        .replace("@@COMPLETION@@", _nginx_quote(canned_completion()))
    )
    stream_file = prefix / "html" / "sse" / "v1" / "chat" / "completions"
    stream_file.parent.mkdir(parents=True, exist_ok=True)
    stream_file.write_bytes(canned_stream())
    for path in stream_file.parents:
        if path == prefix:
            break
        path.chmod(0o755)
    (prefix / "nginx.conf").write_text(conf)
    proc = spawn("nginx", [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")], port, workdir)
    wait_for_port(port, proc.popen, 15, "nginx")
    return proc


CLASSIFIER_ARTIFACT = os.environ.get("BENCH_CLASSIFIER_ARTIFACT", "default")


def gateway_config(nginx_port: int, path_prefix: str = "") -> str:
    """The reference config's shape with every backend pointed at nginx (two pools, three tiers)."""
    base = f"http://127.0.0.1:{nginx_port}{path_prefix}/v1"
    return f"""\
# Rendered by bench/gateway_bench.py: the reference config's shape, every backend on the nginx upstream.
server:
  api_keys: ["{API_KEY}"]
backends:
  local-vllm: {{kind: openai, base_url: "{base}", api_key: "{UPSTREAM_KEY}"}}
  openai:     {{kind: openai, base_url: "{base}", api_key: "{UPSTREAM_KEY}"}}
models:
  qwen3-8b: {{backend: local-vllm, upstream_name: Qwen/Qwen3-8B, reasoning: qwen3, input: 0.05, output: 0.20}}
  o4-mini:  {{backend: openai, reasoning: openai, input: 1.10, cached_input: 0.275, output: 4.40}}
  o3:       {{backend: openai, reasoning: openai, input: 2.00, output: 8.00}}
tiers:
  low:    {{model: qwen3-8b, effort: none, max_score: 0.40}}
  medium: {{model: qwen3-8b, effort: medium, thinking_budget: 2048, max_score: 0.75}}
  high:   {{model: o4-mini, effort: high, fallbacks: [o3]}}
classifier: {{artifact: "{CLASSIFIER_ARTIFACT}"}}
"""


def serve_argv(config: Path, port: int, workers: int) -> list[str]:
    """`complexity-router serve` (as a module, so it runs with this interpreter's packages)."""
    return [
        sys.executable,
        "-m",
        "router.cli",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def start_gateway(workdir: Path, nginx_port: int, *, workers: int = 1, stream: bool = False, name: str | None = None, repo: Path = REPO) -> Proc:
    """`complexity-router serve` from the source tree `repo` (this one by default), ready to serve."""
    name = name or f"gateway-{'sse-' if stream else ''}{workers}w"
    config = workdir / f"{name}.yaml"
    config.write_text(gateway_config(nginx_port, "/sse" if stream else ""))
    port = free_port()
    proc = spawn(
        name,
        serve_argv(config, port, workers),
        port,
        workdir,
        env={"PYTHONPATH": str(repo) + os.pathsep + os.environ.get("PYTHONPATH", "")},
        cwd=repo,
    )
    try:
        wait_for_port(port, proc.popen, 90, name)
        wait_ready(f"http://127.0.0.1:{port}/healthz", proc, 60)
        if workers > 1:  # every worker must have finished its lifespan (classifier loaded) before load
            deadline = time.monotonic() + 60
            while len([p for p in proc.tree() if p != proc.popen.pid]) < workers and time.monotonic() < deadline:
                time.sleep(0.2)
            for _ in range(workers * 8):
                wait_ready(f"http://127.0.0.1:{port}/healthz", proc, 60)
    except (RuntimeError, OSError) as exc:
        proc.stop()
        raise RuntimeError(f"{exc}\n--- {name} log ---\n{proc.log_tail()}") from None
    return proc


def ensure_litellm_venv(log: Any = print) -> Path:
    """`litellm[proxy]` (`LITELLM_SPEC`) in its own cached venv: it pins versions this project must not share."""
    python = LITELLM_VENV / "bin" / "python"
    if not (LITELLM_VENV / "bin" / "litellm").exists():
        log(f"installing litellm[proxy] into {LITELLM_VENV} (first run only, a few minutes)")
        LITELLM_VENV.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(LITELLM_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", LITELLM_SPEC], check=True)
    return LITELLM_VENV


def litellm_version() -> str | None:
    python = LITELLM_VENV / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('litellm'))"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or None


def start_litellm(workdir: Path, nginx_port: int) -> Proc:
    config = workdir / "litellm.yaml"
    config.write_text((BENCH_DIR / "litellm_config.yaml.template").read_text().replace("@@PORT@@", str(nginx_port)))
    port = free_port()
    env = {
        "LITELLM_MASTER_KEY": API_KEY,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no network fetch of the price list at start-up
        "LITELLM_TELEMETRY": "False",
        "LITELLM_LOG": "ERROR",
        "DISABLE_SCHEMA_UPDATE": "True",
        "NO_DOCS": "True",
    }
    argv = [str(LITELLM_VENV / "bin" / "litellm"), "--config", str(config), "--host", "127.0.0.1", "--port", str(port), "--num_workers", "1"]
    proc = spawn("litellm", argv, port, workdir, env=env, cwd=workdir)
    try:
        wait_for_port(port, proc.popen, 180, "litellm")
        wait_ready(f"http://127.0.0.1:{port}/health/liveliness", proc, 60)
    except (RuntimeError, OSError) as exc:
        proc.stop()
        raise RuntimeError(f"{exc}\n--- litellm log ---\n{proc.log_tail()}") from None
    return proc


def start_reference_proxy(workdir: Path, nginx_port: int) -> Proc:
    """bench/reference_proxy.py on nginx: how fast a do-nothing Python proxy is on this machine."""
    port = free_port()
    argv = [sys.executable, str(BENCH_DIR / "reference_proxy.py"), "--port", str(port), "--upstream", f"http://127.0.0.1:{nginx_port}"]
    proc = spawn(REFERENCE, argv, port, workdir, cwd=REPO)
    try:
        wait_for_port(port, proc.popen, 60, REFERENCE)
    except (RuntimeError, OSError) as exc:
        proc.stop()
        raise RuntimeError(f"{exc}\n--- {REFERENCE} log ---\n{proc.log_tail()}") from None
    return proc


# Checks that the numbers are for correct answers ----------------------------------------------
def check_gateway_answers(port: int) -> dict[str, Any]:
    """One request through the gateway before measuring: classified, routed, answer intact, priced."""
    body = chat_bodies()[0]
    status, headers, payload = http(
        "POST", f"http://127.0.0.1:{port}/v1/chat/completions", body, {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    )
    if status != 200:
        raise RuntimeError(f"gateway answered {status}: {payload[:300]!r}")
    data = json.loads(payload)
    if data["choices"][0]["message"]["content"] != " ".join(ANSWER_WORDS):
        raise RuntimeError("the gateway altered the completion")
    if data["router"]["reason"] != "classifier" or not headers.get("x-router-score"):
        raise RuntimeError("model auto was not classified")
    if data["router"]["cost_usd"] is None:
        raise RuntimeError("the completion was not priced")
    return {"tier": data["router"]["tier"], "score": data["router"]["score"], "cost_usd": data["router"]["cost_usd"]}


def gateway_request_count(port: int) -> float:
    status, _, text = http("GET", f"http://127.0.0.1:{port}/metrics")
    if status != 200:
        return float("nan")
    total = 0.0
    for line in text.decode().splitlines():
        if line.startswith("router_requests_total{") and 'status="ok"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total
