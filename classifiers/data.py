"""Load the training sets in ``../shared/data`` into scored examples.

Targets carry difficulty, not benchmark identity: within a source the order comes from
outcomes (share of models that lose / weak-model judge scores) or from the source's own
difficulty label (MATH level, LeetCode difficulty, GSM8K solution steps, object counts in
BBH); across sources a prior range places each set by domain (math/code/multi-step high,
writing/chit-chat low), as documented in ``docs/classifier.md``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.echo import CHARS_PER_TOKEN
from classifiers.metrics import rankdata


@dataclass(slots=True)
class Example:
    """One training prompt."""

    text: str
    source: str  # leave-one-source-out group
    y: float  # difficulty target in [0, 1]
    weight: float = 1.0
    answer_tokens: float | None = None  # observed answer length (tokens ≈ chars / 4)
    label: float | None = None  # within-source difficulty label for validation
    #: Pairs for the within-source ranking model are drawn only between rows with the same
    #: ``group`` (e.g. one MATH subject, one BBH task family); ``None`` = no pairs.
    group: str | None = None
    rank: float | None = None  # order inside ``group`` (higher = harder); ``label`` when None
    #: The set whose *reference* answer gave ``answer_tokens`` (a written solution, not a chat
    #: model's answer): the answer-length fit gives each such set its own intercept, so only its
    #: within-set order teaches (``ComplexityEstimator.fit``); ``None`` for model answers.
    answer_reference: str | None = None


@dataclass(slots=True)
class Outcomes:
    """Per-prompt model qualities for APGR: ``quality[model][i]`` for ``prompts[i]``."""

    name: str
    prompts: list[str]
    groups: list[str]
    quality: dict[str, np.ndarray] = field(default_factory=dict)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


#: Answer lengths are known in characters; tokens ≈ characters / 4 (English text, BPE tokenizers):
#: ``CHARS_PER_TOKEN``, shared with the answer-length floor of ``classifiers.echo``.


def answer_tokens_of(answer: str) -> float | None:
    """Tokens of a written answer (``CHARS_PER_TOKEN``, as for the outcome tables); ``None`` if empty."""
    answer = answer.strip()
    return len(answer) / CHARS_PER_TOKEN if answer else None


def _pct(values: np.ndarray) -> np.ndarray:
    """Percentile rank in [0, 1] with ties averaged."""
    return rankdata(values) / max(len(values) - 1, 1)


def norm_key(text: str) -> str:
    """Key used to drop near-duplicate prompts across sources (for honest LOSO)."""
    return hashlib.sha1(re.sub(r"[^a-z0-9]", "", text.lower()).encode()).hexdigest()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ALPACA = "outcomes/alpaca_eval_gpt4_turbo_preferences.csv"
ARENA_Q = "outcomes/arena_bench_v1/question.jsonl"
ARENA_J = "outcomes/arena_bench_v1/model_judgment"
_ANS = re.compile(r"\[The Start of Assistant's Answer\]\n?(.*?)\[The End of Assistant's Answer\]", re.DOTALL)


#: Model pairs kept out of the alpaca target so validation APGR does not reuse them.
EVAL_PAIRS_ALPACA = (("claude-2", "alpaca-7b"), ("gpt-3.5-turbo-1106", "vicuna-7b"),
                     ("FuseChat-Gemma-2-9B-Instruct", "falcon-7b-instruct"))


def load_alpaca(root: Path) -> tuple[list[Example], Outcomes]:
    prefs: dict[str, dict[str, float]] = defaultdict(dict)
    lens: dict[str, list[float]] = defaultdict(list)
    subset: dict[str, str] = {}
    with open(root / ALPACA, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ins = r["instruction"]
            subset[ins] = r["dataset"]
            if r["generator_2"] != r["generator_1"] and r["preference"]:
                prefs[ins][r["generator_2"]] = float(r["preference"])
            if r["output_2_len_chars"]:
                lens[ins].append(float(r["output_2_len_chars"]))
    prompts = sorted(prefs)
    models = sorted({m for d in prefs.values() for m in d})
    # Target = how much better the strong tier does than the weak tier on this instruction
    # (the share of models losing to the baseline anti-correlates with strong-weak gaps:
    # where everyone loses, routing cannot help). Tiers exclude the models used for APGR.
    held = {m for pair in EVAL_PAIRS_ALPACA for m in pair}
    avg = {m: np.mean([prefs[i][m] for i in prompts if m in prefs[i]]) for m in models if m not in held}
    ranked = sorted(avg, key=avg.get, reverse=True)
    strong, weak = ranked[:10], ranked[-25:]
    gap = np.array([np.mean([prefs[i][m] for m in strong if m in prefs[i]])
                    - np.mean([prefs[i][m] for m in weak if m in prefs[i]]) for i in prompts])
    y = 0.10 + 0.60 * _pct(gap)
    ex = [
        Example(p, f"alpaca:{subset[p]}", float(v), 1.0, float(np.median(lens[p])) / CHARS_PER_TOKEN, float(g),
                group=f"alpaca:{subset[p]}")
        for p, v, g in zip(prompts, y, gap)
    ]
    out = Outcomes("alpaca_eval", prompts, [f"alpaca:{subset[p]}" for p in prompts])
    for m in models:
        out.quality[m] = np.array([prefs[p].get(m, np.nan) for p in prompts])
    return ex, out


WEAK_ARENA = ("vicuna-33b-v1.3", "Llama-2-70b-chat", "claude-instant-1")


def load_arena(root: Path) -> tuple[list[Example], Outcomes]:
    qs = {q["question_id"]: q["turns"][0] for q in _jsonl(root / ARENA_Q)}
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    lens: dict[str, list[float]] = defaultdict(list)
    for f in sorted((root / ARENA_J).glob("*.jsonl")):
        for r in _jsonl(f):
            if r.get("score") is not None:
                scores[r["question_id"]][r["model"]] = float(r["score"])
            m = _ANS.search(r.get("user_prompt") or "")
            if m:
                lens[r["question_id"]].append(len(m.group(1).strip()))
    ids = sorted(i for i in qs if i in scores)
    weak = np.array([np.mean([scores[i].get(m, 5.0) for m in WEAK_ARENA]) for i in ids])
    fail = 1.0 - weak / 10.0
    y = 0.20 + 0.70 * _pct(fail)
    ex = [
        Example(qs[i], "arena_bench", float(v), 1.0, float(np.median(lens[i])) / CHARS_PER_TOKEN if lens[i] else None, float(f),
                group="arena_bench")
        for i, v, f in zip(ids, y, fail)
    ]
    out = Outcomes("arena_bench_v1", [qs[i] for i in ids], ["arena_bench"] * len(ids))
    for m in sorted({m for d in scores.values() for m in d}):
        out.quality[m] = np.array([scores[i].get(m, np.nan) for i in ids])
    return ex, out


def _rng_take(items: list[Any], cap: int, seed: int) -> list[Any]:
    if len(items) <= cap:
        return items
    idx = np.random.default_rng(seed).choice(len(items), cap, replace=False)
    return [items[i] for i in sorted(idx)]


BBH_HARD = {
    "multistep_arithmetic_two", "dyck_languages", "word_sorting", "boolean_expressions",
    "tracking_shuffled_objects_seven_objects", "logical_deduction_seven_objects", "navigate",
    "web_of_lies", "temporal_sequences", "geometric_shapes", "object_counting",
    "tracking_shuffled_objects_five_objects", "logical_deduction_five_objects", "formal_fallacies",
}
VICUNA_CAT = {"math": 0.85, "coding": 0.8, "fermi": 0.6, "counterfactual": 0.3, "common-sense": 0.3,
              "knowledge": 0.25, "generic": 0.2, "writing": 0.15, "roleplay": 0.15}


def load_difficulty(root: Path, cap: int, seed: int) -> list[Example]:
    d = root / "difficulty"
    ex: list[Example] = []
    lvl = {"Level 1": 1, "Level 2": 2, "Level 3": 3, "Level 4": 4, "Level 5": 5}
    rows = [r for r in _jsonl(d / "math_test.jsonl") if r.get("level") in lvl]
    for r in _rng_take(rows, cap, seed):
        L = lvl[r["level"]]
        ex.append(Example(r["problem"], "math", 0.55 + 0.10 * (L - 1), label=L, group=f"math:{r.get('type')}",
                          answer_tokens=answer_tokens_of(r.get("solution") or ""), answer_reference="math"))
    gsm = list(_jsonl(d / "gsm8k_train.jsonl"))
    gsm = _rng_take(gsm, cap, seed + 1)
    steps = np.array([len(r["answer"].strip().split("\n")) - 1 for r in gsm], dtype=float)
    for r, p, s in zip(gsm, _pct(steps), steps):
        ex.append(Example(r["question"], "gsm8k", 0.35 + 0.30 * float(p), label=float(s), group="gsm8k",
                          answer_tokens=answer_tokens_of(r["answer"]), answer_reference="gsm8k"))
    for r in _rng_take(list(_jsonl(d / "qwen25_math_eval/svamp.jsonl")), cap // 3, seed):
        ex.append(Example(f"{r['Body'].strip()} {r['Question'].strip()}", "svamp", 0.25, label=0.0,
                          group="math_sets"))
    for name, y in (("aime24", 0.95), ("amc23", 0.9), ("olympiadbench", 0.93), ("minerva_math", 0.85),
                    ("college_math", 0.7)):
        rows = list(_jsonl(d / f"qwen25_math_eval/{name}.jsonl"))
        src = "competition_math" if name in ("aime24", "amc23", "olympiadbench") else name
        for r in _rng_take(rows, cap // 2, seed):
            text = r.get("problem") or r.get("question") or ""
            if text:
                ex.append(Example(text, src, y, label=y, group="math_sets"))
    tq = json.loads((d / "theoremqa.json").read_text(encoding="utf-8"))
    for r in _rng_take(tq, cap // 2, seed):
        ex.append(Example(r["Question"], "theoremqa", 0.8))
    lc_y = {"Easy": 0.6, "Medium": 0.75, "Hard": 0.9}
    lc_rows = [r for r in _jsonl(d / "leetcode/LeetCodeDataset-v0.2.0-train.jsonl.gz")
               if r.get("meta", {}).get("difficulty") in lc_y]
    for r in _rng_take(lc_rows, cap, seed):
        diff = r["meta"]["difficulty"]
        ex.append(Example(r["query"], "leetcode", lc_y[diff], label=float(list(lc_y).index(diff)), group="leetcode",
                          answer_tokens=answer_tokens_of(r.get("response") or ""), answer_reference="leetcode"))
    for r in _jsonl(d / "humaneval.jsonl.gz"):
        ex.append(Example("Complete the following python function:\n" + r["prompt"], "humaneval", 0.55,
                          answer_tokens=answer_tokens_of(r.get("canonical_solution") or ""),
                          answer_reference="humaneval"))
    for f in sorted((d / "bbh").glob("*.json")):
        task = f.stem
        rows = json.loads(f.read_text(encoding="utf-8"))["examples"]
        y = 0.7 if task in BBH_HARD else 0.45
        y += 0.05 if "seven" in task else (-0.05 if "three" in task else 0.0)
        for r in _rng_take(rows, max(cap // 25, 20), seed):
            fam = re.sub(r"_(three|five|seven)_objects$", "", task)
            size = {"three": 0.0, "five": 1.0, "seven": 2.0}.get(task.rsplit("_", 2)[-2], None) if fam != task else None
            ex.append(Example(r["input"], "bbh", y, label=y, group=f"bbh:{fam}" if size is not None else None,
                              rank=size))
    for name in ("seed_tasks", "user_oriented_instructions"):
        for r in _jsonl(d / f"self_instruct/{name}.jsonl"):
            first = r["instances"][0] if r.get("instances") else {}
            inp = first.get("input") or ""
            # the seed tasks' written outputs are reference answers; the user-oriented set is
            # alpaca_eval's selfinstruct subset (held out in validation), so its outputs are not used
            ref = answer_tokens_of(first.get("output") or "") if name == "seed_tasks" else None
            ex.append(Example(r["instruction"] + ("\n\n" + inp if inp else ""), "self_instruct", 0.18,
                              answer_tokens=ref, answer_reference="self_instruct" if ref else None))
    for r in _jsonl(d / "vicuna_bench.jsonl"):
        ex.append(Example(r["turns"][0], "vicuna_bench", VICUNA_CAT.get(r["category"], 0.3)))
    for r in _jsonl(d / "arena_hard/v0.1.jsonl"):
        ex.append(Example(r["prompt"], "arena_hard", 0.7))
    for r in _jsonl(d / "arena_hard/v2.0.jsonl"):
        y = {"coding": 0.8, "math": 0.85}.get(r.get("subcategory"), 0.3)
        ex.append(Example(r["prompt"], "arena_hard", y, label=y, group="arena_hard_v2"))
    return ex


def training_files(root: Path) -> list[Path]:
    """Every file the training reads (hashed into the artifact metadata)."""
    d = root / "difficulty"
    files = [root / ALPACA, root / ARENA_Q, *sorted((root / ARENA_J).glob("*.jsonl")),
             d / "math_test.jsonl", d / "gsm8k_train.jsonl", d / "theoremqa.json", d / "humaneval.jsonl.gz",
             d / "leetcode/LeetCodeDataset-v0.2.0-train.jsonl.gz", d / "vicuna_bench.jsonl",
             d / "arena_hard/v0.1.jsonl", d / "arena_hard/v2.0.jsonl",
             *sorted((d / "bbh").glob("*.json")), *sorted((d / "self_instruct").glob("*.jsonl")),
             *sorted((d / "qwen25_math_eval").glob("*.jsonl"))]
    return files


#: Source-name prefix (and family) of outcome files a user adds to training.
USER_OUTCOMES = "outcomes"


def load_outcome_file(path: str | Path) -> tuple[list[Example], Outcomes]:
    """A user's outcome file (``classifiers.outcomes``, the lines ``evaluate`` reads) as training
    examples and an outcome table. The target is the strong-weak quality gap as a percentile
    inside the file, mapped to 0.10-0.90; multi-turn lines train on their last user turn
    (training is single-turn). Invalid, empty and non-finite lines are skipped; lines that repeat a prompt (several
    judges, runs or model pairs) train it once, on their mean qualities (the first line alone had counted), said on
    stderr — ``evaluate`` reads every line as a call of its own."""
    from classifiers.outcomes import read_outcomes
    from classifiers.text import parse_messages

    path = Path(path)
    table = read_outcomes(path)
    texts: list[str] = []
    lines: dict[str, list[int]] = {}  # a prompt's key -> its lines, in the order the prompts first come
    for i, conv in enumerate(table.conversations):
        text = parse_messages(conv).last_user
        if text.strip() and np.isfinite([table.strong[i], table.weak[i]]).all():
            key = norm_key(text)
            if key not in lines:
                lines[key] = []
                texts.append(text)
            lines[key].append(i)
    if len(texts) < 2:
        raise ValueError(f"{path}: fewer than two valid outcome lines")
    strong, weak = (np.array([quality[rows].mean() for rows in lines.values()]) for quality in (table.strong, table.weak))
    if repeats := sum(len(rows) - 1 for rows in lines.values()):
        print(f"note: {path.name}: lines that repeat an earlier prompt: {repeats}; each prompt trains once, on its "
              "lines' mean qualities", file=sys.stderr)
    gap = strong - weak
    source = f"{USER_OUTCOMES}:{path.stem}"
    ex = [Example(t, source, float(v), label=float(g)) for t, v, g in zip(texts, 0.10 + 0.80 * _pct(gap), gap)]
    return ex, Outcomes(source, texts, [source] * len(texts), {"strong": strong, "weak": weak})


def load_all(root: str | Path, cap: int = 1200, seed: int = 0,
             outcome_files: tuple[str | Path, ...] = ()) -> tuple[list[Example], list[Outcomes]]:
    """All training examples (deduplicated) and the outcome tables used for validation. A
    user's outcome files come first, so a prompt they share with ``shared/`` keeps their target
    (and a held-out user file never leaks through a copy)."""
    root = Path(root)
    user = [load_outcome_file(f) for f in outcome_files]
    names = [o.name for _, o in user]
    if len(set(names)) < len(names):
        raise ValueError(f"outcome files need distinct names (their stem names the source): {names}")
    a_ex, a_out = load_alpaca(root)
    b_ex, b_out = load_arena(root)
    seen: set[str] = set()
    out: list[Example] = []
    for e in [e for ex, _ in user for e in ex] + a_ex + b_ex + load_difficulty(root, cap, seed):
        k = norm_key(e.text)
        if k and k not in seen:
            seen.add(k)
            out.append(e)
    return out, [a_out, b_out, *(o for _, o in user)]
