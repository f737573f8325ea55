"""Self-consistency voting, end to end through the gateway, on a SIMULATED backend.

NOT A MODEL. The backend is an in-process OpenAI-compatible fake (httpx.MockTransport) that, for
each of the `n` samples of a request, writes a solution whose final answer is correct with
probability p (0.4 / 0.6 / 0.75) and otherwise one of four plausible distractors of that question
(near misses, doubled/halved values, digit slips; weights 0.4/0.3/0.2/0.1, so wrong answers
cluster as real models' do); 5 % of samples are cut off by `length` with no answer. Answers are
written in varying formats (`#### 1,000`, "The answer is $1000.", `\\boxed{\\dfrac{1}{2}}`,
`\\boxed{0.50}`) so the real extractors have to normalise them.

Everything between the client and that fake is the real gateway: `auto:sc` on a tier with
`strategy: {kind: self_consistency, samples: N}`, the upstream request with `n`, extraction,
the vote, the chosen completion, usage and cost accounting. Accuracy is judged on the returned
completion with the same extractor against the dataset's gold answer (GSM8K `#### X`, MATH's
last `\\boxed{}` in the solution).

    python bench/self_consistency_bench.py [--questions 300] [--out bench/results]

Writes bench/results/self_consistency.png, self_consistency.json and self_consistency.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prometheus_client import CollectorRegistry

from router.app import create_app
from router.config import parse_config
from router.strategies.extractors import extract_auto, normalize_number

DATA = ROOT.parent / "shared" / "data" / "difficulty"
NS = (1, 3, 5, 9, 15)
PS = (0.4, 0.6, 0.75)
TRUNCATED = 0.05
PRICE_IN, PRICE_OUT = 0.05, 0.20  # USD per million tokens, as a small self-hosted model


# -- data ------------------------------------------------------------------------------------
def load_gsm8k(limit: int) -> list[dict[str, str]]:
    rows = []
    with open(DATA / "gsm8k_train.jsonl") as handle:
        for line in handle:
            row = json.loads(line)
            gold = row["answer"].split("####")[-1].strip()
            if normalize_number(gold) is None:
                continue
            rows.append({"question": row["question"], "gold": gold, "kind": "gsm8k"})
            if len(rows) >= limit:
                break
    return rows


def load_math(limit: int) -> list[dict[str, str]]:
    rows = []
    with open(DATA / "math_test.jsonl") as handle:
        for line in handle:
            row = json.loads(line)
            start = row["solution"].rfind("\\boxed")
            if start < 0:
                continue
            gold = _boxed_raw(row["solution"][start:])
            if not gold:
                continue
            rows.append({"question": row["problem"], "gold": gold, "kind": "math"})
            if len(rows) >= limit:
                break
    return rows


def _boxed_raw(text: str) -> str | None:
    brace = text.find("{")
    depth = 0
    for index in range(brace, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[brace + 1 : index]
    return None


# -- the SIMULATED backend ------------------------------------------------------------------------
def distractors(gold: str, rng: random.Random) -> list[str]:
    """Four plausible wrong answers for a gold answer (numbers: near misses; otherwise digit slips or a sign)."""
    number = normalize_number(gold)
    out: list[str] = []
    if number is not None:
        value = float(number)
        candidates = [value + 1, value - 1, value * 2, value / 2 if value else 2, value + 10, value * 10, -value if value else 3, value + 2]
        for candidate in candidates:
            text = normalize_number(repr(round(candidate, 4)))
            if text is not None and text != number and text not in out:
                out.append(text)
    else:
        digits = [m.start() for m in re.finditer(r"\d", gold)]
        for shift in (1, 2, 3, 5, 7):
            if digits:
                position = digits[(shift - 1) % len(digits)]
                slipped = gold[:position] + str((int(gold[position]) + shift) % 10) + gold[position + 1 :]
                if slipped != gold and slipped not in out:
                    out.append(slipped)
        for extra in (f"-{gold}", f"{gold}+1", f"2{gold}", f"\\sqrt{{{gold}}}"):
            if extra not in out:
                out.append(extra)
    rng.shuffle(out)
    return out[:4]


def render(answer: str, kind: str, rng: random.Random) -> str:
    """A solution text ending in `answer`, in one of several formats the extractor must normalise."""
    work = "Let me work through it step by step. " * rng.randint(1, 3)
    number = normalize_number(answer)
    if kind == "gsm8k":
        shown = answer
        if number is not None and rng.random() < 0.3 and float(number) == int(float(number)) and abs(float(number)) >= 1000:
            shown = f"{int(float(number)):,}"
        elif number is not None and rng.random() < 0.2:
            shown = f"{float(number):.2f}"
        return rng.choice([f"{work}\n#### {shown}", f"{work} The answer is {shown}.", f"{work}\nFinal answer: ${shown}"])
    shown = answer
    if "\\frac" in answer and rng.random() < 0.5:
        shown = answer.replace("\\frac", "\\dfrac")
    elif number is not None and rng.random() < 0.3:
        shown = f"{float(number):.2f}" if "." in number else f"{number}.0"
    return f"{work} Therefore the answer is $\\boxed{{{shown}}}$."


class SimulatedBackend:
    """The fake upstream: per-sample accuracy p, clustered distractors, some truncated samples."""

    def __init__(self, golds: dict[str, dict[str, str]], p: float, seed: int) -> None:
        self.golds = golds
        self.p = p
        self.seed = seed

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        question = body["messages"][-1]["content"]
        row = self.golds[question]
        n = int(body.get("n") or 1)
        rng = random.Random(f"{self.seed}|{self.p}|{n}|{question}")
        wrong = distractors(row["gold"], random.Random(f"distractors|{question}"))
        weights = [0.4, 0.3, 0.2, 0.1][: len(wrong)]
        choices = []
        completion = 0
        for index in range(n):
            tokens = max(40, int(rng.gauss(160 if row["kind"] == "gsm8k" else 380, 60)))
            if rng.random() < TRUNCATED:
                text, finish = "Let me work through it step by step. " * 8, "length"
            else:
                answer = row["gold"] if rng.random() < self.p or not wrong else rng.choices(wrong, weights)[0]
                text, finish = render(answer, row["kind"], rng), "stop"
            completion += tokens
            choices.append({"index": index, "message": {"role": "assistant", "content": text}, "finish_reason": finish})
        prompt = 12 + len(question) // 4
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        return httpx.Response(200, json={"id": "sim", "object": "chat.completion", "created": 0, "model": "SIMULATED", "choices": choices, "usage": usage})


class Unused:
    def score(self, messages: Any) -> Any:  # the tier is forced (auto:sc): the classifier is never asked
        raise AssertionError("not used")


def gateway_config(samples: int) -> Any:
    strategy = {"kind": "self_consistency", "samples": samples, "extractor": "auto"} if samples > 1 else {"kind": "single"}
    return parse_config({
        "backends": {"sim": {"kind": "openai", "base_url": "http://simulated.invalid/v1"}},
        "models": {"sim-model": {"backend": "sim", "input": PRICE_IN, "output": PRICE_OUT}},
        "tiers": {"sc": {"model": "sim-model", "strategy": strategy}},
    }, env={})


async def run_cell(rows: list[dict[str, str]], p: float, samples: int, seed: int, concurrency: int = 32) -> dict[str, Any]:
    golds = {row["question"]: row for row in rows}
    app = create_app(gateway_config(samples), classifier=Unused(), transports={"sim": httpx.MockTransport(SimulatedBackend(golds, p, seed))},
                     registry=CollectorRegistry())
    correct = cost = completion = prompt = 0.0
    agreement = 0.0
    semaphore = asyncio.Semaphore(concurrency)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test") as client:

        async def one(row: dict[str, str]) -> tuple[bool, float, int, int, float]:
            async with semaphore:
                response = await client.post("/v1/chat/completions", json={"model": "auto:sc", "messages": [{"role": "user", "content": row["question"]}]})
            body = response.json()
            assert response.status_code == 200, body
            answer = extract_auto(body["choices"][0]["message"]["content"] or "")
            gold = extract_auto(f"\\boxed{{{row['gold']}}}")
            router = body["router"]
            return answer == gold, router["cost_usd"], body["usage"]["completion_tokens"], body["usage"]["prompt_tokens"], router.get("agreement", 1.0)

        for ok, usd, c, pr, agree in await asyncio.gather(*(one(row) for row in rows)):
            correct += ok
            cost += usd
            completion += c
            prompt += pr
            agreement += agree
    count = len(rows)
    return {"p": p, "samples": samples, "accuracy": correct / count, "completion_tokens_per_q": completion / count,
            "prompt_tokens_per_q": prompt / count, "usd_per_1k_q": 1000 * cost / count, "mean_agreement": agreement / count}


def extractor_recall(rows: list[dict[str, str]]) -> float:
    """Share of correct samples (in every format `render` writes) whose extracted answer equals the gold's."""
    rng = random.Random(7)
    hits = total = 0
    for row in rows:
        gold = extract_auto(f"\\boxed{{{row['gold']}}}")
        for _ in range(5):
            total += 1
            hits += extract_auto(render(row["gold"], row["kind"], rng)) == gold
    return hits / total


def plot(results: dict[str, list[dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4.6), sharey=True)
    for axis, (dataset, cells) in zip(axes, results.items(), strict=True):
        for p in PS:
            line = sorted((c for c in cells if c["p"] == p), key=lambda c: c["samples"])
            xs = [c["completion_tokens_per_q"] for c in line]
            ys = [c["accuracy"] for c in line]
            axis.plot(xs, ys, marker="o", label=f"per-sample accuracy p={p}")
            for c in line:
                axis.annotate(f"N={c['samples']}", (c["completion_tokens_per_q"], c["accuracy"]), textcoords="offset points", xytext=(4, -10), fontsize=7)
        axis.set_xscale("log")
        axis.set_xlabel("completion tokens per question (all samples, log scale)")
        axis.set_title(f"{dataset}: self-consistency voting through the gateway")
        axis.grid(True, alpha=0.3)
    axes[0].set_ylabel("accuracy of the returned answer")
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("SIMULATED backend (set per-sample accuracy, clustered distractors) — mechanism check, not a model claim", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)


def table(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = ["| dataset | p (per sample) | N | accuracy | gain vs N=1 | completion tokens / q | cost USD / 1k q | mean agreement |",
             "|---|---|---|---|---|---|---|---|"]
    for dataset, cells in results.items():
        for p in PS:
            line = sorted((c for c in cells if c["p"] == p), key=lambda c: c["samples"])
            base = line[0]["accuracy"]
            for c in line:
                lines.append(f"| {dataset} | {p} | {c['samples']} | {c['accuracy']:.3f} | {c['accuracy'] - base:+.3f} | {c['completion_tokens_per_q']:.0f} | "
                             f"{c['usd_per_1k_q']:.4f} | {'—' if c['samples'] == 1 else format(c['mean_agreement'], '.2f')} |")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    datasets = {"GSM8K (train sample)": load_gsm8k(args.questions), "MATH (test)": load_math(args.questions)}
    results: dict[str, list[dict[str, Any]]] = {}
    started = time.perf_counter()
    recall = {name: extractor_recall(rows) for name, rows in datasets.items()}
    for name, rows in datasets.items():
        results[name] = []
        for p in PS:
            for samples in NS:
                cell = await run_cell(rows, p, samples, args.seed)
                results[name].append(cell)
                print(f"{name:22s} p={p:<4} N={samples:<2}  accuracy {cell['accuracy']:.3f}  tokens/q {cell['completion_tokens_per_q']:7.0f}  "
                      f"USD/1k q {cell['usd_per_1k_q']:.4f}", flush=True)
    elapsed = time.perf_counter() - started
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plot(results, out / "self_consistency.png")
    summary = {"backend": "SIMULATED (not a model)", "questions_per_dataset": {k: len(v) for k, v in datasets.items()}, "truncated_share": TRUNCATED,
               "extractor_recall_on_correct_samples": recall, "elapsed_seconds": round(elapsed, 1), "results": results}
    (out / "self_consistency.json").write_text(json.dumps(summary, indent=2))
    markdown = table(results)
    (out / "self_consistency.md").write_text(markdown + "\n")
    print(markdown)
    print(f"extractor recall on correct samples: {recall}; {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=300, help="questions per dataset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
