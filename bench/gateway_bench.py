#!/usr/bin/env python3
"""Gateway overhead, side by side: nginx directly vs complexity-router vs the LiteLLM proxy.

One command (about 3½ minutes; ``--quick`` about 70 s; method and figures: docs/performance.md)::

    python bench/gateway_bench.py --out bench/results/

What it does, all on loopback, all in this one run:

* starts Debian ``nginx`` (one worker, temp prefix, free port) answering
  ``POST /v1/chat/completions`` with a canned completion and ``/sse/v1/chat/completions``
  with a canned SSE stream (``bench/nginx.conf.template``), so the upstream costs microseconds;
* starts this gateway (``complexity-router serve``, one worker, uvloop + httptools) with a
  config whose backends point at nginx, metrics on, bearer auth on, and requests sent with
  ``model: auto`` so the real classifier scores every prompt;
* starts the LiteLLM proxy (``litellm[proxy]`` in its own cached venv,
  ``~/.cache/complexity-router/litellm-venv``; one worker; same nginx upstream;
  ``bench/litellm_config.yaml.template``);
* drives each with ``wrk`` (``bench/wrk_chat.lua``: realistic chat bodies, round-robin),
  alternating targets inside every round, at concurrency 1, 16 and 64: requests/s, p50/p99
  latency, added latency (target minus nginx direct), the server's CPU time per request and the
  peak RSS of its process tree, sampled during the run;
* streaming: a raw-socket asyncio client measures time to first event and per-chunk time
  through each target (added = target minus direct);
* two gateway workers vs one (same load, alternating);
* writes ``gateway_bench.json``, ``gateway_bench.png`` and ``gateway_bench.md`` into ``--out``
  and prints the markdown table.

``--skip-litellm`` runs without the LiteLLM venv (no network needed); durations, rounds and
concurrencies are flags. The CI regression check (tests/bench/test_overhead_ratio.py) reuses the
pieces below with a short run and compares the gateway to nginx as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
LITELLM_VENV = Path(os.environ.get("LITELLM_VENV", Path.home() / ".cache" / "complexity-router" / "litellm-venv"))
#: The version issue 5's reference figures were measured with (override: LITELLM_SPEC="litellm[proxy]").
LITELLM_SPEC = os.environ.get("LITELLM_SPEC", "litellm[proxy]==1.106.2")
API_KEY = "sk-bench-client-key"
UPSTREAM_KEY = "sk-bench-upstream"
PAGE = os.sysconf("SC_PAGE_SIZE")

# Targets ---------------------------------------------------------------------------------------
DIRECT, GATEWAY, LITELLM = "nginx-direct", "complexity-router", "litellm"
#: bench/reference_proxy.py: the issue's trivial FastAPI + aiohttp proxy, measured at 4,450 req/s (c=16) on its machine.
REFERENCE = "reference-proxy"
REFERENCE_ISSUE_RPS_C16 = 4450.0


# ---------------------------------------------------------------------------------------------
# Canned upstream answers and realistic request bodies
# ---------------------------------------------------------------------------------------------
ANSWER_TEXT = (
    "Sure. The short answer is that a write-ahead log gives you durability without forcing every page to disk: "
    "each change is appended to a sequential log and fsynced once, and the data pages follow lazily. On a crash "
    "you replay the log from the last checkpoint. The trade-off is extra write volume and a recovery step, which "
    "is why most databases checkpoint periodically to bound the replay time."
)
ANSWER_WORDS = ANSWER_TEXT.split(" ")
STREAM_CHUNKS = len(ANSWER_WORDS)  # one content event per word, like a token stream
CREATED = 1_700_000_000


def canned_completion() -> bytes:
    import orjson

    return orjson.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": CREATED,
            "model": "bench-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": " ".join(ANSWER_WORDS)}, "logprobs": None, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": 412,
                "completion_tokens": 96,
                "total_tokens": 508,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        }
    )


def canned_stream() -> bytes:
    """vLLM-shaped SSE: a role chunk, one chunk per word, a finish chunk, a usage-only chunk, [DONE]."""
    import orjson

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        body = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": "bench-model",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extra,
        }
        return b"data: " + orjson.dumps(body) + b"\n\n"

    frames = [chunk({"role": "assistant", "content": ""})]
    frames += [chunk({"content": (" " if i else "") + word}) for i, word in enumerate(ANSWER_WORDS)]
    frames.append(chunk({}, "stop"))
    usage = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": "bench-model",
        "choices": [],
        "usage": {"prompt_tokens": 412, "completion_tokens": STREAM_CHUNKS, "total_tokens": 412 + STREAM_CHUNKS},
    }
    frames.append(b"data: " + orjson.dumps(usage) + b"\n\n")
    frames.append(b"data: [DONE]\n\n")
    return b"".join(frames)


SYSTEM = (
    "You are a senior engineer on an infrastructure team. Answer precisely, show the reasoning that matters, "
    "prefer short code over prose, and say so when you are unsure. Use the conventions of the codebase the "
    "user describes; do not invent APIs."
)
PROMPTS = [
    # a one-liner a cheap tier handles
    [{"role": "user", "content": "What does HTTP status 429 mean, and which header tells a client when to retry?"}],
    # a multi-turn coding exchange
    [
        {"role": "user", "content": "I have a Python service that reads a 2 GB CSV with pandas and runs out of memory on a 4 GB box."},
        {
            "role": "assistant",
            "content": "Read it in chunks with `pd.read_csv(path, chunksize=100_000)` and aggregate per chunk, "
            "or select only the columns you need with `usecols` and narrow dtypes with `dtype=`.",
        },
        {
            "role": "user",
            "content": "The aggregation is a group-by over a user id with a median per group, so chunks do not combine "
            "simply. How would you restructure it so the memory stays bounded but the medians stay exact?",
        },
    ],
    # a reasoning-heavy question
    [
        {
            "role": "user",
            "content": "Prove that for every integer n >= 1 the number n^5 - n is divisible by 30, then generalise: for which "
            "k is n^k - n divisible by 30 for all n? Give a complete argument, not just examples.",
        }
    ],
    # a design question with context
    [
        {
            "role": "user",
            "content": "We run a rate limiter as a Redis token bucket per API key with a Lua script. At 40k req/s across "
            "12 gateway pods we see p99 latency spikes of 30 ms correlated with Redis CPU at 90%. Compare three "
            "designs: local buckets with periodic sync, a sliding-window counter with pipelining, and sharding "
            "keys across a Redis cluster. Which would you choose, what are the failure modes, and how would you "
            "test it before rollout?",
        }
    ],
]


def chat_bodies(model: str = "auto", stream: bool = False) -> list[bytes]:
    import orjson

    bodies = []
    for messages in PROMPTS:
        body: dict[str, Any] = {"model": model, "messages": [{"role": "system", "content": SYSTEM}, *messages], "temperature": 0.2, "max_tokens": 512}
        if stream:
            body["stream"] = True
        bodies.append(orjson.dumps(body))
    return bodies


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[Any] | None, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f}s")


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@dataclass
class Proc:
    """A child server in its own session (so its whole tree can be signalled) plus its log."""

    name: str
    port: int
    popen: subprocess.Popen[Any]
    log_path: Path

    def tree(self) -> list[int]:
        return process_tree(self.popen.pid)

    def rss_bytes(self) -> tuple[int, int]:
        """(tree total, largest single process) resident set size."""
        sizes = [rss_of(pid) for pid in self.tree()]
        return sum(sizes), max(sizes, default=0)

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def spawn(name: str, argv: Sequence[str], port: int, workdir: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Proc:
    log_path = workdir / f"{name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - owned by the child for its lifetime
    popen = subprocess.Popen(list(argv), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
    log.close()
    return Proc(name, port, popen, log_path)


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of processes (a noise-robust cost measure on a shared machine)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return total / CLOCK_TICKS


def rss_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


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
        _wait_ready(f"http://127.0.0.1:{port}/healthz", proc, 60)
        if workers > 1:  # every worker must have finished its lifespan (classifier loaded) before load
            deadline = time.monotonic() + 60
            while len([p for p in proc.tree() if p != proc.popen.pid]) < workers and time.monotonic() < deadline:
                time.sleep(0.2)
            for _ in range(workers * 8):
                _wait_ready(f"http://127.0.0.1:{port}/healthz", proc, 60)
    except (RuntimeError, OSError) as exc:
        proc.stop()
        raise RuntimeError(f"{exc}\n--- {name} log ---\n{proc.log_tail()}") from None
    return proc


def _wait_ready(url: str, proc: Proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with code {proc.popen.returncode}")
        with contextlib.suppress(OSError):
            status, _, _ = http("GET", url, timeout=2)
            if status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name}: {url} not ready within {timeout:.0f}s")


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
        _wait_ready(f"http://127.0.0.1:{port}/health/liveliness", proc, 60)
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


# ---------------------------------------------------------------------------------------------
# Load: wrk, RSS sampling, streaming client
# ---------------------------------------------------------------------------------------------
class RssSampler:
    """Samples the RSS of some process trees every `interval` seconds in a thread."""

    def __init__(self, procs: dict[str, Proc], interval: float = 0.1) -> None:
        self.procs = procs
        self.interval = interval
        self.trees = {name: proc.tree() for name, proc in procs.items()}
        self.peak: dict[str, int] = {}
        self.peak_single: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> dict[str, tuple[int, int]]:
        out = {}
        for name, pids in self.trees.items():
            sizes = [rss_of(pid) for pid in pids]
            total, single = sum(sizes), max(sizes, default=0)
            self.peak[name] = max(self.peak.get(name, 0), total)
            self.peak_single[name] = max(self.peak_single.get(name, 0), single)
            out[name] = (total, single)
        return out

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Self:
        self.sample()
        self._cpu_start = {name: cpu_seconds(pids) for name, pids in self.trees.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        self.cpu = {name: cpu_seconds(pids) - self._cpu_start[name] for name, pids in self.trees.items()}


def write_bodies(workdir: Path, bodies: Sequence[bytes], tag: str) -> str:
    paths = []
    for index, body in enumerate(bodies):
        path = workdir / f"body-{tag}-{index}.json"
        path.write_bytes(body)
        paths.append(str(path))
    return ";".join(paths)


def run_wrk(
    url: str, bodies: str, connections: int, duration: float, *, path: str = "/v1/chat/completions", threads: int = 1, timeout_s: int = 10
) -> dict[str, Any]:
    """One wrk run; returns requests/s, latency percentiles in ms, and error counts."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk not found (Debian: apt-get install wrk)")
    env = {**os.environ, "BENCH_BODIES": bodies, "BENCH_API_KEY": API_KEY, "BENCH_PATH": path}
    argv = [
        wrk,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(BENCH_DIR / "wrk_chat.lua"),
        url,
    ]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=duration + timeout_s + 30, check=False)
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk produced no summary (exit {result.returncode}): {result.stdout[-500:]} {result.stderr[-500:]}")
    raw = json.loads(line[len("WRK_JSON ") :])
    seconds = raw["duration_us"] / 1e6
    lat = raw["latency_us"] if raw["requests"] else dict.fromkeys(raw["latency_us"], float("nan"))
    errors = sum(raw["errors"].values())
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": lat["p50"] / 1000,
        "p90_ms": lat["p90"] / 1000,
        "p99_ms": lat["p99"] / 1000,
        "p999_ms": lat["p999"] / 1000,
        "mean_ms": lat["mean"] / 1000,
        "max_ms": lat["max"] / 1000,
        "errors": errors,
        "error_detail": raw["errors"],
    }


@dataclass
class StreamSample:
    ttft: float  # request sent -> first SSE event received
    total: float  # request sent -> [DONE] received
    events: int


async def _read_response(reader: asyncio.StreamReader, started: float) -> tuple[int, StreamSample, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    first: float | None = None
    body = bytearray()

    def got(data: bytes) -> None:
        nonlocal first
        if first is None and b"data:" in data:
            first = time.perf_counter()
        body.extend(data)

    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            got((await reader.readexactly(size + 2))[:-2])
    else:
        remaining = int(headers.get("content-length", "0"))
        while remaining:
            data = await reader.read(min(remaining, 1 << 16))
            if not data:
                raise ConnectionError("connection closed mid-body")
            remaining -= len(data)
            got(data)
    done = time.perf_counter()
    events = body.count(b"data:")
    keep = headers.get("connection", "").lower() != "close"
    return status, StreamSample((first or done) - started, done - started, events), keep


async def _stream_worker(port: int, request: bytes, count: int, out: list[StreamSample], statuses: list[int], deadline: float) -> None:
    reader = writer = None
    for _ in range(count):
        if time.perf_counter() > deadline:
            break
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert reader is not None
        started = time.perf_counter()
        writer.write(request)
        status, sample, keep = await _read_response(reader, started)
        statuses.append(status)
        out.append(sample)
        if not keep:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def stream_request(port: int, path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {API_KEY}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def run_streams(port: int, path: str, body: bytes, requests: int, concurrency: int = 1, max_seconds: float = 1e9) -> dict[str, Any]:
    """Up to `requests` streamed completions (or `max_seconds`) over keep-alive connections;
    time to first event and whole-stream time in ms."""
    samples: list[StreamSample] = []
    statuses: list[int] = []
    request = stream_request(port, path, body)

    async def main() -> None:
        deadline = time.perf_counter() + max_seconds
        per = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
        await asyncio.gather(*(_stream_worker(port, request, n, samples, statuses, deadline) for n in per if n))

    _run_async(main())
    ok = [s for s, status in zip(samples, statuses, strict=True) if status == 200]
    ttft = sorted(s.ttft * 1000 for s in ok)
    total = sorted(s.total * 1000 for s in ok)
    return {
        "requests": len(samples),
        "errors": len(samples) - len(ok),
        "events": statistics.median([s.events for s in ok]) if ok else 0,
        "ttft_p50_ms": pct(ttft, 50),
        "ttft_p99_ms": pct(ttft, 99),
        "total_p50_ms": pct(total, 50),
        "total_p99_ms": pct(total, 99),
    }


def _run_async(coro: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:  # pragma: no cover
        return asyncio.run(coro)


def pct(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


# ---------------------------------------------------------------------------------------------
# Checks that the numbers are for correct answers
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------
@dataclass
class Plan:
    concurrencies: list[int]
    duration: float
    warmup: float
    rounds: int
    stream_requests: int
    workers_concurrency: int
    litellm: bool
    reference: bool = True
    workers_check: bool = True
    streaming: bool = True
    targets: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_benchmark(plan: Plan, workdir: Path) -> dict[str, Any]:
    procs: dict[str, Proc] = {}
    results: dict[str, Any] = {"load": [], "stream": [], "workers": [], "rss_timeline": []}
    try:
        procs["nginx"] = nginx = start_nginx(workdir)
        log(f"nginx on :{nginx.port}")
        if plan.litellm:
            ensure_litellm_venv(log)
        # Every server starts now, in parallel (the later phases' ones idle until their turn).
        starts: dict[str, Any] = {GATEWAY: lambda: start_gateway(workdir, nginx.port)}
        if plan.litellm:
            starts[LITELLM] = lambda: start_litellm(workdir, nginx.port)
        if plan.reference:
            starts[REFERENCE] = lambda: start_reference_proxy(workdir, nginx.port)
        if plan.streaming:
            starts["gateway-sse"] = lambda: start_gateway(workdir, nginx.port, stream=True)
        if plan.workers_check:
            starts["gateway-2w"] = lambda: start_gateway(workdir, nginx.port, workers=2)
        with ThreadPoolExecutor(len(starts)) as pool:
            futures = {name: pool.submit(start) for name, start in starts.items()}
            failure = None
            for name, future in futures.items():
                try:
                    procs[name] = future.result()
                except RuntimeError as exc:
                    failure = failure or exc
            if failure is not None:
                raise failure
        gateway = procs[GATEWAY]
        log(f"gateway on :{gateway.port} (1 worker); started: " + ", ".join(f"{name} :{procs[name].port}" for name in starts))
        if plan.litellm:
            log(f"litellm {litellm_version()}")
        results["check"] = check_gateway_answers(gateway.port)

        ports = {DIRECT: nginx.port, GATEWAY: gateway.port}
        if plan.litellm:
            ports[LITELLM] = procs[LITELLM].port
        if plan.reference:
            ports[REFERENCE] = procs[REFERENCE].port
        plan.targets = list(ports)
        bodies = write_bodies(workdir, chat_bodies(), "chat")
        server_of = {DIRECT: "nginx", GATEWAY: GATEWAY, LITELLM: LITELLM, REFERENCE: REFERENCE}

        # warm every target (connection pools, lazy imports, first-call caches)
        for target, port in ports.items():
            run_wrk(f"http://127.0.0.1:{port}", bodies, 8, plan.warmup)
        gateway_ok_before = gateway_request_count(gateway.port)
        gateway_sent = 0

        for round_index in range(plan.rounds):
            for concurrency in plan.concurrencies:
                for target, port in ports.items():
                    watched = {server_of[target]: procs[server_of[target]]}
                    with RssSampler(watched) as sampler:
                        stats = run_wrk(f"http://127.0.0.1:{port}", bodies, concurrency, plan.duration)
                    server = server_of[target]
                    stats.update(
                        target=target,
                        concurrency=concurrency,
                        round=round_index,
                        rss_peak_mb=sampler.peak[server] / 2**20,
                        cpu_us_per_request=sampler.cpu[server] / stats["requests"] * 1e6 if stats["requests"] else float("nan"),
                    )
                    results["load"].append(stats)
                    if target == GATEWAY:
                        gateway_sent += stats["requests"]
                        results["rss_timeline"].append({"t": time.time(), "rss_mb": sampler.peak[server] / 2**20, "concurrency": concurrency})
                    log(
                        f"round {round_index + 1}/{plan.rounds} c={concurrency:<3} {target:<18} {stats['rps']:9.0f} req/s  "
                        f"p50 {stats['p50_ms']:7.2f} ms  p99 {stats['p99_ms']:7.2f} ms  cpu {stats['cpu_us_per_request']:6.0f} µs/req  rss {stats['rss_peak_mb']:6.1f} MB"
                        + (f"  errors {stats['errors']}" if stats["errors"] else "")
                    )
        accounted = gateway_request_count(gateway.port) - gateway_ok_before
        results["accounting"] = {"wrk_completed": gateway_sent, "router_requests_total_ok": accounted}

        if plan.streaming:
            results["stream"] = _streaming_phase(plan, workdir, procs, nginx)
        if plan.workers_check:
            results["workers"] = _workers_phase(plan, workdir, procs, nginx, bodies)
        results["rss_final_mb"] = {name: proc.rss_bytes()[0] / 2**20 for name, proc in procs.items()}
    finally:
        for proc in reversed(list(procs.values())):
            proc.stop()
    return results


def _streaming_phase(plan: Plan, workdir: Path, procs: dict[str, Proc], nginx: Proc) -> list[dict[str, Any]]:
    sse = procs["gateway-sse"]
    gateway_body = chat_bodies(stream=True)[0]
    targets = {DIRECT: (nginx.port, "/sse/v1/chat/completions", gateway_body), GATEWAY: (sse.port, "/v1/chat/completions", gateway_body)}
    if LITELLM in procs:
        targets[LITELLM] = (procs[LITELLM].port, "/v1/chat/completions", chat_bodies(model="auto-sse", stream=True)[0])
    for port, path, body in targets.values():
        run_streams(port, path, body, 30, max_seconds=plan.warmup)  # warm-up
    rows = []
    per_round = max(1, plan.stream_requests // plan.rounds)
    for round_index in range(plan.rounds):
        for target, (port, path, body) in targets.items():
            stats = run_streams(port, path, body, per_round, max_seconds=plan.duration)
            stats.update(target=target, round=round_index, concurrency=1)
            rows.append(stats)
            log(
                f"stream round {round_index + 1}/{plan.rounds} {target:<18} ttft p50 {stats['ttft_p50_ms']:7.3f} ms  p99 {stats['ttft_p99_ms']:7.3f} ms  "
                f"total p50 {stats['total_p50_ms']:7.3f} ms  events {stats['events']}" + (f"  errors {stats['errors']}" if stats["errors"] else "")
            )
    sse.stop()
    procs.pop("gateway-sse")
    return rows


def _workers_phase(plan: Plan, workdir: Path, procs: dict[str, Proc], nginx: Proc, bodies: str) -> list[dict[str, Any]]:
    two = procs["gateway-2w"]
    run_wrk(f"http://127.0.0.1:{two.port}", bodies, plan.workers_concurrency, plan.warmup)
    rows = []
    for round_index in range(plan.rounds):
        for workers, proc in ((1, procs[GATEWAY]), (2, two)):
            with RssSampler({"g": proc}) as sampler:
                stats = run_wrk(f"http://127.0.0.1:{proc.port}", bodies, plan.workers_concurrency, plan.duration, threads=2)
            stats.update(
                workers=workers,
                round=round_index,
                concurrency=plan.workers_concurrency,
                rss_peak_mb=sampler.peak["g"] / 2**20,
                rss_peak_worker_mb=sampler.peak_single["g"] / 2**20,
            )
            rows.append(stats)
            log(
                f"workers round {round_index + 1}/{plan.rounds} {workers} worker(s) c={plan.workers_concurrency} {stats['rps']:9.0f} req/s  "
                f"p99 {stats['p99_ms']:7.2f} ms  rss {stats['rss_peak_mb']:6.1f} MB (largest process {stats['rss_peak_worker_mb']:.1f} MB)"
            )
    two.stop()
    procs.pop("gateway-2w")
    return rows


# ---------------------------------------------------------------------------------------------
# Summary, targets, table, plot
# ---------------------------------------------------------------------------------------------
def _median_of(values: list[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


def _median(rows: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in rows if r.get(key) is not None and not math.isnan(r[key])]  # NaN: a run without answers
    return statistics.median(values) if values else float("nan")


def summarise(results: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """Medians over rounds; added latency per round (target minus direct), then its median."""
    load = results["load"]
    summary: dict[str, Any] = {"load": {}, "stream": {}, "workers": {}}
    for concurrency in plan.concurrencies:
        for target in plan.targets:
            rows = [r for r in load if r["target"] == target and r["concurrency"] == concurrency]
            entry = {k: _median(rows, k) for k in ("rps", "p50_ms", "p99_ms", "rss_peak_mb", "cpu_us_per_request")}
            entry["rss_peak_mb"] = max(r["rss_peak_mb"] for r in rows)
            entry["errors"] = sum(r["errors"] for r in rows)
            if target != DIRECT:
                added50, added99 = [], []
                for row in rows:
                    direct = next(d for d in load if d["target"] == DIRECT and d["concurrency"] == concurrency and d["round"] == row["round"])
                    added50.append(row["p50_ms"] - direct["p50_ms"])
                    added99.append(row["p99_ms"] - direct["p99_ms"])
                entry["added_p50_ms"] = _median_of(added50)
                entry["added_p99_ms"] = _median_of(added99)
            summary["load"].setdefault(str(concurrency), {})[target] = entry
    if results["stream"]:
        stream = results["stream"]
        for target in plan.targets:
            rows = [r for r in stream if r["target"] == target]
            if not rows:
                continue
            entry = {k: _median(rows, k) for k in ("ttft_p50_ms", "ttft_p99_ms", "total_p50_ms", "total_p99_ms", "events")}
            entry["errors"] = sum(r["errors"] for r in rows)
            if target != DIRECT:
                direct_rows = {r["round"]: r for r in stream if r["target"] == DIRECT}
                added_ttft = [r["ttft_p50_ms"] - direct_rows[r["round"]]["ttft_p50_ms"] for r in rows]
                added_total = [r["total_p50_ms"] - direct_rows[r["round"]]["total_p50_ms"] for r in rows]
                entry["added_ttft_p50_ms"] = statistics.median(added_ttft)
                entry["added_ttft_p99_ms"] = statistics.median([r["ttft_p99_ms"] - direct_rows[r["round"]]["ttft_p99_ms"] for r in rows])
                # relay cost of each further chunk: added stream time beyond the added TTFT, per chunk after the first
                chunks = max(1, entry["events"] - 1)
                entry["added_per_chunk_ms"] = (statistics.median(added_total) - entry["added_ttft_p50_ms"]) / chunks
            summary["stream"][target] = entry
    if results["workers"]:
        rows = results["workers"]
        one = _median([r for r in rows if r["workers"] == 1], "rps")
        two = _median([r for r in rows if r["workers"] == 2], "rps")
        summary["workers"] = {
            "concurrency": plan.workers_concurrency,
            "rps_1": one,
            "rps_2": two,
            "ratio": two / one if one else float("nan"),
            "rss_peak_worker_mb_2": max(r["rss_peak_worker_mb"] for r in rows if r["workers"] == 2),
        }
    timeline = [p["rss_mb"] for p in results["rss_timeline"]]
    if timeline:
        summary["gateway_rss"] = {"first_run_peak_mb": timeline[0], "last_run_peak_mb": timeline[-1], "max_mb": max(timeline)}
    if "accounting" in results:
        summary["accounting"] = results["accounting"]
    summary["targets"] = evaluate_targets(summary, plan)
    return summary


def evaluate_targets(summary: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it was met."""
    checks: list[dict[str, Any]] = []
    load = summary["load"]

    def add(name: str, value: float | None, limit: str, ok: bool | None) -> None:
        checks.append({"target": name, "measured": value, "limit": limit, "met": ok})

    gw1 = load.get("1", {}).get(GATEWAY)
    if gw1:
        add("c=1 added latency p50 (ms)", gw1["added_p50_ms"], "<= 0.6", gw1["added_p50_ms"] <= 0.6)
        add("c=1 added latency p99 (ms)", gw1["added_p99_ms"], "<= 2", gw1["added_p99_ms"] <= 2.0)
    gw16, ll16 = load.get("16", {}).get(GATEWAY), load.get("16", {}).get(LITELLM)
    if gw16:
        add("c=16 requests/s", gw16["rps"], ">= 2000", gw16["rps"] >= 2000)
        add("c=16 p99 (ms)", gw16["p99_ms"], "<= 25", gw16["p99_ms"] <= 25)
        if ll16:
            ratio = gw16["rps"] / ll16["rps"] if ll16["rps"] else float("inf")
            add("c=16 requests/s vs LiteLLM (x)", ratio, ">= 15", ratio >= 15)
        ref16 = load.get("16", {}).get(REFERENCE)
        if ref16 and ref16["rps"]:
            # Context, not a target: the share of a do-nothing proxy's throughput the gateway keeps on
            # this machine, and the 2,000 req/s target scaled by this machine's speed for that proxy.
            add("c=16 requests/s vs the reference proxy (x)", gw16["rps"] / ref16["rps"], "context", None)
            scaled = 2000 * ref16["rps"] / REFERENCE_ISSUE_RPS_C16
            add("c=16 requests/s, target scaled to this machine", gw16["rps"], f">= {scaled:,.0f}", gw16["rps"] >= scaled)
    stream = summary["stream"].get(GATEWAY)
    if stream:
        add("streaming added TTFT p50 (ms)", stream["added_ttft_p50_ms"], "<= 1", stream["added_ttft_p50_ms"] <= 1.0)
    workers = summary.get("workers")
    if workers:
        add(f"2 workers / 1 worker req/s (c={workers['concurrency']})", workers["ratio"], ">= 1.6", workers["ratio"] >= 1.6)
    rss = [entry[GATEWAY]["rss_peak_mb"] for entry in load.values() if GATEWAY in entry]
    if workers:
        rss.append(workers["rss_peak_worker_mb_2"])
    if rss:
        add("gateway peak RSS per worker (MB)", max(rss), "<= 150", max(rss) <= 150)
    timeline = summary.get("gateway_rss")
    if timeline:
        growth = timeline["last_run_peak_mb"] - timeline["first_run_peak_mb"]
        add("gateway RSS growth over the run (MB)", growth, "flat (<= 10)", growth <= 10)
    return checks


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def markdown(summary: dict[str, Any], meta: dict[str, Any], plan: Plan) -> str:
    out = [
        (
            f"Gateway overhead benchmark — {meta['date']} — {meta['cpus']} CPUs ({meta['cpu_model']}), "
            f"one worker per server, wrk {plan.duration:g}s × {plan.rounds} rounds per cell (medians), targets alternating."
        ),
        "",
        "| concurrency | target | req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | server CPU µs/req | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for concurrency, targets in summary["load"].items():
        for target, e in targets.items():
            errors = f" ({e['errors']:,} errors)" if e["errors"] else ""
            out.append(
                f"| {concurrency} | {target}{errors} | {_fmt(e['rps'], 0)} | {_fmt(e['p50_ms'])} | {_fmt(e['p99_ms'])} | "
                f"{_fmt(e.get('added_p50_ms'))} | {_fmt(e.get('added_p99_ms'))} | {_fmt(e['cpu_us_per_request'], 0)} | {_fmt(e['rss_peak_mb'], 1)} |"
            )
    if summary["stream"]:
        out += [
            "",
            "| streaming (c=1) | TTFT p50 ms | TTFT p99 ms | stream p50 ms | added TTFT p50 ms | added per chunk ms | events |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for target, e in summary["stream"].items():
            out.append(
                f"| {target} | {_fmt(e['ttft_p50_ms'], 3)} | {_fmt(e['ttft_p99_ms'], 3)} | {_fmt(e['total_p50_ms'], 3)} | "
                f"{_fmt(e.get('added_ttft_p50_ms'), 3)} | {_fmt(e.get('added_per_chunk_ms'), 4)} | {_fmt(e['events'], 0)} |"
            )
    accounting = summary.get("accounting")
    if accounting:
        line = (
            f'Accounting: wrk completed {accounting["wrk_completed"]:,} gateway requests; `router_requests_total{{status="ok"}}` '
            f"grew by {accounting['router_requests_total_ok']:,.0f} (≥: requests in flight when a run ends finish after wrk stops counting)."
        )
        out += ["", line]
    if summary.get("workers"):
        w = summary["workers"]
        out += ["", f"Two workers vs one (c={w['concurrency']}): {_fmt(w['rps_1'], 0)} → {_fmt(w['rps_2'], 0)} req/s = **{w['ratio']:.2f}×**"]
    out += ["", "| target (issue 5) | measured | limit | met |", "|---|---:|---|---|"]
    for check in summary["targets"]:
        met = "–" if check["met"] is None else ("yes" if check["met"] else "**no**")
        out.append(f"| {check['target']} | {_fmt(check['measured'])} | {check['limit']} | {met} |")
    return "\n".join(out) + "\n"


def plot(summary: dict[str, Any], path: Path, meta: dict[str, Any]) -> bool:
    """Six log-scale panels: throughput, p99, added p50, server CPU per request, streaming, RSS."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not installed: no plot (pip install matplotlib)")
        return False
    load = summary["load"]
    concurrencies = list(load)
    targets = [t for t in (DIRECT, GATEWAY, LITELLM, REFERENCE) if any(t in load[c] for c in concurrencies)]
    proxies = [t for t in targets if t != DIRECT]
    colors = {DIRECT: "#7f7f7f", GATEWAY: "#1f77b4", LITELLM: "#d62728", REFERENCE: "#2ca02c"}
    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5))
    xs = range(len(concurrencies))

    def grouped(ax: Any, names: list[str], key: str, title: str, digits: int) -> None:
        width = 0.8 / len(names)
        top = 0.0
        for i, target in enumerate(names):
            values = [load[c].get(target, {}).get(key) or 0 for c in concurrencies]
            values = [0 if math.isnan(v) else v for v in values]
            top = max(top, *values)
            bars = ax.bar([x + i * width for x in xs], values, width, color=colors[target])
            ax.bar_label(bars, labels=[_fmt(v, digits) for v in values], fontsize=7, rotation=90, padding=2)
        ax.set_yscale("log")
        if top > 0:
            ax.set_ylim(top=top * 8)  # room for the labels
        ax.set_xticks([x + width * (len(names) - 1) / 2 for x in xs], [f"c={c}" for c in concurrencies])
        ax.set_title(title, fontsize=10)

    grouped(axes[0][0], targets, "rps", "throughput (req/s)", 0)
    grouped(axes[0][1], targets, "p99_ms", "p99 latency (ms)", 1)
    grouped(axes[0][2], proxies, "added_p50_ms", "added latency p50 vs nginx direct (ms)", 2)
    grouped(axes[1][0], targets, "cpu_us_per_request", "server CPU per request (µs)", 0)
    grouped(axes[1][2], targets, "rss_peak_mb", "peak RSS of the server (MB)", 0)
    ax = axes[1][1]
    stream = summary["stream"]
    names = [t for t in proxies if t in stream]
    if names:
        values = [stream[t]["added_ttft_p50_ms"] for t in names]
        bars = ax.bar(names, values, color=[colors[t] for t in names])
        ax.bar_label(bars, labels=[_fmt(v, 2) for v in values], fontsize=8, padding=2)
        ax.set_yscale("log")
        ax.set_ylim(top=max(values) * 8)
    ax.set_title("streaming (c=1): added time to first token p50 (ms)", fontsize=10)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[t]) for t in targets]
    fig.legend(handles, targets, loc="upper center", ncol=len(targets), bbox_to_anchor=(0.5, 0.955), fontsize=9, frameon=False)
    fig.suptitle(
        f"complexity-router vs LiteLLM vs nginx direct: one worker each, same nginx upstream, log scales — "
        f"{meta['cpus']} shared CPUs, {meta['date']}",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def metadata(plan: Plan) -> dict[str, Any]:
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for module in ("fastapi", "starlette", "uvicorn", "httpx", "httpx-aiohttp", "aiohttp", "uvloop", "httptools", "orjson", "prometheus-client"):
        with contextlib.suppress(Exception):
            import importlib.metadata as md

            versions[module] = md.version(module)
    nginx = nginx_binary()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "loadavg_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "nginx": subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False).stderr.strip() if nginx else None,
        "wrk": (subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.splitlines() or [""])[0].strip(),
        "litellm": litellm_version() if plan.litellm else None,
        "packages": versions,
        "plan": {k: v for k, v in plan.__dict__.items()},
    }


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(BENCH_DIR / "results"), help="directory for gateway_bench.{json,png,md}")
    parser.add_argument("--quick", action="store_true", help="about a minute: 2 s runs, one round, fewer streams")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 4; quick 2)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up load per target (default 2; quick 1)")
    parser.add_argument(
        "--rounds", type=int, help="alternating rounds; medians are reported (default 3, so one disturbed round cannot move a median; quick 1)"
    )
    parser.add_argument("--concurrency", default="1,16,64", help="comma-separated wrk connection counts")
    parser.add_argument("--stream-requests", type=int, help="streamed requests per target (default 1000; quick 300)")
    parser.add_argument("--workers-concurrency", type=int, default=64)
    parser.add_argument("--skip-litellm", action="store_true", help="nginx and the gateway only (no LiteLLM venv needed)")
    parser.add_argument("--skip-reference", action="store_true", help="without the reference FastAPI+aiohttp proxy (bench/reference_proxy.py)")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-streaming", action="store_true")
    args = parser.parse_args(argv)

    quick = args.quick
    plan = Plan(
        concurrencies=[int(c) for c in args.concurrency.split(",") if c.strip()],
        duration=args.duration or (2 if quick else 4),
        warmup=args.warmup or (1 if quick else 2),
        rounds=args.rounds or (1 if quick else 3),
        stream_requests=args.stream_requests or (300 if quick else 1000),
        workers_concurrency=args.workers_concurrency,
        litellm=not args.skip_litellm,
        reference=not args.skip_reference,
        workers_check=not args.skip_workers,
        streaming=not args.skip_streaming,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # The servers run in their own sessions: on SIGTERM/SIGHUP unwind normally so they are stopped.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    started = time.monotonic()
    meta = metadata(plan)
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as tmp:
        results = run_benchmark(plan, Path(tmp))
    summary = summarise(results, plan)
    meta["elapsed_s"] = round(time.monotonic() - started, 1)
    meta["plan"]["targets"] = plan.targets
    (out / "gateway_bench.json").write_text(json.dumps({"meta": meta, "summary": summary, "raw": results}, indent=2, default=float))
    table = markdown(summary, meta, plan)
    (out / "gateway_bench.md").write_text(table)
    plotted = plot(summary, out / "gateway_bench.png", meta)
    print(table)
    print(f"results: {out / 'gateway_bench.json'}" + (f", plot: {out / 'gateway_bench.png'}" if plotted else "") + f" ({meta['elapsed_s']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
