"""Reproducible training, leave-one-source-out validation, and artifact writing."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.data import EVAL_PAIRS_ALPACA, USER_OUTCOMES, Example, Outcomes, load_all, sha256, training_files
from classifiers.feature_schema import FEATURE_VERSION
from classifiers.features import HASH_BITS
from classifiers.metrics import apgr, bootstrap_pair_apgr, spearman
from classifiers.model import ComplexityEstimator

ARTIFACT_VERSION = "7.95.0"

#: Estimator parameters of the default artifact. ``length_prior`` (logit per log-character
#: of a prompt inside a math/code/reasoning domain, above ~55 characters) was chosen by LOSO:
#: 1.7 lifts MATH/GSM8K/LeetCode within-set ranking to the prompt-length level while keeping
#: the domain ranking on alpaca_eval and arena_bench; ``numbers_prior`` (logit per log-number
#: given in an arithmetic word problem, in digits or words, above three) 3.0 (1.0 before feature
#: version 24, when a fifth of GSM8K was no word problem): GSM8K LOSO 0.468 / 0.488 at 2 / 3 (4 / 6
#: 0.490 / 0.499 before the lexicon changes of version 24), MATH 0.426 / 0.424 (4 / 6: 0.423 / 0.419),
#: alpaca_eval / arena_bench within 0.002;
#: ``tokens_reference_rows`` (what each set of written reference answers weighs in the
#: answer-length fit, in chat-answered prompts) 50: answer-length LOSO 0.438 -> 0.457, 5-fold
#: 0.631 -> 0.630 (25 / 100 / 150 / 300: LOSO 0.455 / 0.455 / 0.451 / 0.442, 5-fold 0.633 /
#: 0.626 / 0.621 / 0.611) (docs/classifier_history.md).
#: ``tokens_level_sets`` (reference sets whose answer level teaches the answer-length features, not only their order)
#: ("self_instruct",): the Self-Instruct seed tasks' written outputs answer everyday instructions ("Identify the
#: language of this code", "Classify ...") as a chat model would, only terser; with a free intercept held-out
#: alpaca selfinstruct prompts were forecast at a median 1.54x their answers, now 1.13x. Answer-length LOSO 0.479 ->
#: 0.543, 5-fold 0.640 -> 0.644 -- the LOSO gain is that subset's level alone (pooled over the other five held-out
#: sources 0.478 -> 0.474); the other sets' write-ups (MATH, GSM8K, LeetCode, HumanEval) stay order-only (docs).
#: ``relations_prior`` (logit per kind of relation between a word problem's unknowns, a trap two; version 87) 0.3:
#: Spearman of 3 x numbers + w x relations with GSM8K train's solution steps 0.505 / 0.526 / 0.527 / 0.524 / 0.523 at
#: w = 0 / 0.2 / 0.3 / 0.4 / 0.5 (0.485 at 0.7); LOSO alpaca_eval / arena_bench_v1 unchanged at 0.3.
#: ``rare_prior`` (logit per log1p of a quiz stem's uncommon words beyond the first, ``rare_words``; version 101) 0.3: no
#: source here has multiple-choice outcomes (fitted, the column's weight came out -0.03 logit, taught by BBH), so a
#: prior. 2.0 was chosen on an outside sweep's 25 quiz items (sweep43's read half, difficulty 1-5: Spearman 0.447 / 0.631
#: / 0.686 / 0.726 / 0.796 at 0 / 0.5 / 1.0 / 1.5 / 2.0) and did not carry to its held-out half (0.698 -> 0.702); a
#: second probe, 120 MMLU-style items over 30 subjects labelled by how likely an 8B model fails them where a GPT-4-class
#: one does not (bench/probes/quiz_probe.jsonl; prompt length 0.158), ranked 0.539 / 0.540 / 0.532 / 0.525 / 0.513 /
#: 0.406 at 0 / 0.3 / 0.5 / 0.7 / 1.0 / 2.0 (the common-word list is the mostly mathematical training prompts': a
#: biology or genetics item's textbook terms were "rare", +3-4 logits), sweep43's held-out half 0.698 / 0.726 / 0.741 /
#: 0.765 / 0.737 / 0.702. 0.3: the best of the two probes pooled (145 items; 0.5 and 0.7 within 0.006), losing nothing on
#: the larger one; LOSO alpaca_eval / arena_bench_v1 unchanged (few quizzes). Both probes were read to choose it. Then
#: checked once on a held-out third (bench/probes/held_out/quiz_probe_b.jsonl, 100 items over 25 other subjects, never
#: read; length 0.099): 0.325 / 0.359 / 0.370 / 0.400 / 0.380 at 0 / 0.3 / 0.5 / 1.0 / 2.0 -- a small prior beats none
#: there too, and 2.0 did not beat 1.0; over the three probes pooled (245 items) 0.3 / 0.5 / 1.0 read 0.485 / 0.487 /
#: 0.490 and 2.0 0.426. Not re-chosen on it.
DEFAULT_PARAMS: dict[str, Any] = {"length_prior": 1.7, "numbers_prior": 3.0, "tokens_hash_scale": 4.0,
                                  "tokens_alpha": 30.0, "tokens_reference_rows": 50.0, "relations_prior": 0.3,
                                  "rare_prior": 0.3, "tokens_level_sets": ("self_instruct",)}

#: Total weight of each source family (spread over its rows). Outcome data counts most.
FAMILY_WEIGHT = {
    "alpaca": 4.0, "arena_bench": 1.5, "math": 1.0, "gsm8k": 1.0, "leetcode": 0.8, "bbh": 0.8,
    "competition_math": 0.4, "svamp": 0.3, "minerva_math": 0.3, "college_math": 0.5, "theoremqa": 0.4,
    "humaneval": 0.3, "self_instruct": 0.6, "vicuna_bench": 0.2, "arena_hard": 0.8,
    USER_OUTCOMES: 4.0,  # each outcome file a user adds (``train --outcomes``): as much as alpaca_eval
}

#: Strong/weak model pairs used for APGR on the outcome tables in shared/.
PAIRS = {
    "alpaca_eval": list(EVAL_PAIRS_ALPACA),
    "arena_bench_v1": [("gpt-3.5-turbo", "vicuna-33b-v1.3"), ("claude-2", "Llama-2-70b-chat"),
                       ("claude-2", "claude-instant-1")],
}

#: Sources held out one at a time in validation.
LOSO_GROUPS = ("alpaca:helpful_base", "alpaca:koala", "alpaca:oasst", "alpaca:selfinstruct", "alpaca:vicuna",
               "arena_bench", "math", "gsm8k", "leetcode", "bbh", "arena_hard")


#: The reference mix of everyday traffic the score scale is calibrated on (rows drawn per
#: source from the deduplicated training prompts with ``numpy.random.default_rng(seed)``):
#: 85 % chat / instruction traffic, 15 % math, code and puzzles. Its 50th percentile maps to
#: 0.40 and its 80th to 0.75, so the reference thresholds (0.40 / 0.75) route it ~50/30/20.
REFERENCE_MIX: dict[str, int] = {
    # chat and instructions (alpaca_eval contains the vicuna-bench and self-instruct prompts)
    "alpaca:helpful_base": 129, "alpaca:koala": 156, "alpaca:oasst": 188, "alpaca:selfinstruct": 150,
    "alpaca:vicuna": 80, "self_instruct": 120, "arena_hard": 250, "arena_bench": 120,
    # math / code / puzzles
    "gsm8k": 60, "math": 40, "svamp": 20, "leetcode": 40, "humaneval": 20, "bbh": 30, "competition_math": 10,
}


def reference_mix(examples: list[Example], seed: int = 0) -> list[Example]:
    """The documented, fixed-seed calibration sample (``REFERENCE_MIX``)."""
    rng = np.random.default_rng(seed)
    out: list[Example] = []
    for src, n in REFERENCE_MIX.items():
        rows = [e for e in examples if e.source == src]
        take = sorted(rng.choice(len(rows), min(n, len(rows)), replace=False)) if rows else []
        out.extend(rows[i] for i in take)
    return out


def family(source: str) -> str:
    return source.split(":", 1)[0]


#: Scale of the difficulty-labelled families relative to the outcome families. LOSO showed
#: that cross-source placement from difficulty labels hurts transfer to outcome data, so
#: the artifact uses 0.1: enough to anchor the extremes (olympiad proof vs "hi"), small
#: enough not to teach benchmark identity (0 scores marginally higher on LOSO, see docs).
OUTCOME_FAMILIES = ("alpaca", "arena_bench", USER_OUTCOMES)


def weights(examples: list[Example], difficulty_scale: float = 0.0) -> np.ndarray:
    fams = [family(e.source) for e in examples]
    counts = {f: fams.count(f) for f in set(fams)}
    w = np.array([FAMILY_WEIGHT.get(f, 0.5) / counts[f] * (1.0 if f in OUTCOME_FAMILIES else difficulty_scale)
                  for f in fams])
    return w * len(w) / w.sum()


def fit(examples: list[Example], difficulty_scale: float = 0.0, **params: Any) -> ComplexityEstimator:
    est = ComplexityEstimator(**params)
    return est.fit([e.text for e in examples], [e.y for e in examples], weights(examples, difficulty_scale),
                   [e.answer_tokens for e in examples], [e.answer_reference for e in examples])


def pairs_of(out: Outcomes) -> list[tuple[str, str]]:
    """The strong/weak pairs APGR averages over: ``PAIRS`` for shared/'s tables, the file's own
    strong and weak columns for a user's outcome file."""
    return PAIRS.get(out.name, [("strong", "weak")])


def _pair_apgr(scores: np.ndarray, out: Outcomes, idx: np.ndarray) -> float:
    vals = [apgr(scores, out.quality[s][idx], out.quality[w][idx]) for s, w in pairs_of(out)]
    return float(np.mean(vals))


def _pair_apgr_intervals(scores: np.ndarray, length: np.ndarray, out: Outcomes, idx: np.ndarray,
                         n_boot: int = 1000, seed: int = 0) -> dict[str, list[float]]:
    """95 % paired-bootstrap intervals of the pair-averaged APGR of the classifier, of prompt
    length and of their difference (classifier, length and every pair on the same resamples)."""
    mean = bootstrap_pair_apgr({"apgr": scores, "apgr_length": length}, [(out.quality[s][idx], out.quality[w][idx]) for s, w in pairs_of(out)],
                               n_boot, seed)
    mean["difference"] = mean["apgr"] - mean["apgr_length"]
    return {f"{k}_95": [round(float(v), 4) for v in np.percentile(m, [2.5, 97.5])] for k, m in mean.items()}


def loso(examples: list[Example], outcomes: list[Outcomes], groups: tuple[str, ...] = LOSO_GROUPS,
         log: Any = print, **params: Any) -> dict[str, Any]:
    """Hold out each group in turn; report APGR (outcome groups) / Spearman (labelled groups)."""
    oof_score: dict[str, float] = {}
    oof_tok: dict[str, float] = {}
    report: dict[str, Any] = {"per_source": {}}
    for g in groups:
        t0 = time.time()
        train = [e for e in examples if e.source != g]
        test = [e for e in examples if e.source == g]
        if not test:
            continue
        est = fit(train, **params)
        p = est.predict_proba([e.text for e in test])[:, 1]
        t = est.predict_tokens([e.text for e in test])
        for e, pi, ti in zip(test, p, t):
            oof_score[e.text], oof_tok[e.text] = float(pi), float(ti)
        row: dict[str, Any] = {"n": len(test)}
        labels = np.array([np.nan if e.label is None else e.label for e in test])
        if np.isfinite(labels).sum() > 10:
            row["spearman_label"] = round(spearman(p, labels), 3)
            row["spearman_label_length"] = round(spearman([len(e.text) for e in test], labels), 3)
        ranked = _within_group_spearman(test, p)
        if ranked:
            row["spearman_rank_within_group"] = ranked
        ref = [i for i, e in enumerate(test) if e.answer_tokens and e.answer_reference is not None]
        if len(ref) > 10:  # the answer-length model on a set of written answers it never saw
            lengths = [test[i].answer_tokens for i in ref]
            row["tokens_spearman_reference"] = round(spearman(t[ref], lengths), 3)
            row["tokens_spearman_reference_length"] = round(spearman([len(test[i].text) for i in ref], lengths), 3)
        log(f"  held out {g:22s} n={len(test):5d} {row} ({time.time() - t0:.1f}s)")
        report["per_source"][g] = row
    for out in outcomes:
        idx = np.array([i for i, pr in enumerate(out.prompts) if pr in oof_score])
        if len(idx) == 0:
            continue
        sc = np.array([oof_score[out.prompts[i]] for i in idx])
        ln = np.array([len(out.prompts[i]) for i in idx], dtype=float)
        res = {"n": len(idx), "apgr": round(_pair_apgr(sc, out, idx), 4),
               "apgr_length": round(_pair_apgr(ln, out, idx), 4), **_pair_apgr_intervals(sc, ln, out, idx),
               "per_group": {}}
        grp = np.array(out.groups)[idx]
        for gname in sorted(set(grp)):
            m = grp == gname
            if m.sum() >= 30 and len(set(grp)) > 1:
                res["per_group"][gname] = {"apgr": round(_pair_apgr(sc[m], out, idx[m]), 4),
                                           "apgr_length": round(_pair_apgr(ln[m], out, idx[m]), 4),
                                           **_pair_apgr_intervals(sc[m], ln[m], out, idx[m])}
        report[out.name] = res
    tok_rows = [e for e in examples if e.answer_tokens and e.answer_reference is None and e.text in oof_tok]
    report["tokens_spearman"] = round(spearman([oof_tok[e.text] for e in tok_rows],
                                               [e.answer_tokens for e in tok_rows]), 4)
    report["tokens_spearman_length"] = round(spearman([len(e.text) for e in tok_rows],
                                                      [e.answer_tokens for e in tok_rows]), 4)
    # the median forecast / answer says whether a held-out source's *level* is placed (its LOSO loss was
    # selfinstruct forecast at 1.54x and arena_bench at 0.62x, docs/classifier_history.md), which Spearman within it does not
    report["tokens_per_source"] = {
        src: {"spearman": round(spearman([oof_tok[e.text] for e in rows], [e.answer_tokens for e in rows]), 3),
              "spearman_length": round(spearman([len(e.text) for e in rows], [e.answer_tokens for e in rows]), 3),
              "median_predicted_over_actual": round(float(np.median([oof_tok[e.text] / e.answer_tokens
                                                                     for e in rows])), 3)}
        for src in sorted({e.source for e in tok_rows})
        for rows in [[e for e in tok_rows if e.source == src]]}
    return report


def _within_group_spearman(test: list[Example], scores: np.ndarray) -> dict[str, dict[str, float]]:
    """Spearman of the score and of length with ``Example.rank`` inside each group that has one
    (BBH: 3 / 5 / 7 objects of the same task, where accuracy falls with more objects)."""
    out: dict[str, dict[str, float]] = {}
    for g in sorted({e.group for e in test if e.group is not None and e.rank is not None}):
        m = [i for i, e in enumerate(test) if e.group == g and e.rank is not None]
        ranks = [test[i].rank for i in m]
        out[g] = {"score": round(spearman(scores[m], ranks), 3),
                  "length": round(spearman([len(test[i].text) for i in m], ranks), 3)}
    return out


def tokens_cv(examples: list[Example], folds: int = 5, seed: int = 0, **params: Any) -> dict[str, Any]:
    """Answer-length model on held-out prompts: rows with a chat model's answer lengths
    (alpaca_eval median over its models, arena_bench median over six answers) split into
    ``folds`` groups by instruction (each instruction is one row, so no instruction is on both
    sides); the rows with written reference answers are always in training."""
    rows = [e for e in examples if e.answer_tokens and e.answer_reference is None]
    refs = [e for e in examples if e.answer_tokens and e.answer_reference is not None]
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(rows)) % folds
    pred = np.zeros(len(rows))
    for k in range(folds):
        est = ComplexityEstimator(**params)
        tr = [e for e, f in zip(rows, fold) if f != k] + refs
        est.fit([e.text for e in tr], [e.y for e in tr], answer_tokens=[e.answer_tokens for e in tr],
                answer_references=[e.answer_reference for e in tr])
        te = np.nonzero(fold == k)[0]
        pred[te] = est.predict_tokens([rows[i].text for i in te])
    y = [e.answer_tokens for e in rows]
    return {"n": len(rows), "folds": folds, "spearman": round(spearman(pred, y), 4),
            "spearman_length": round(spearman([len(e.text) for e in rows], y), 4)}


def library_versions() -> dict[str, str]:
    """What the fit's arithmetic depends on: the libraries, and the BLAS kernels (OpenBLAS picks one per CPU) — with
    another kernel the same data gives coefficients a few ulps apart, so the artifact's bytes are reproducible only
    where all of these match (``train_artifact`` runs BLAS on one thread, so the core count does not matter)."""
    import scipy
    import sklearn
    import skops
    from threadpoolctl import threadpool_info

    blas = sorted(f"{p['internal_api']} {p.get('version')} {p.get('architecture')}"
                  for p in threadpool_info() if p["user_api"] == "blas")
    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "skops": skops.__version__, "blas": "; ".join(blas)}


def _data_commit(root: Path) -> str | None:
    try:
        r = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                           check=False)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def train_artifact(data: str | Path, out: str | Path, seed: int = 0, validate: bool = True,
                   cap: int = 1200, difficulty_scale: float = 0.1, log: Any = print,
                   outcome_files: tuple[str | Path, ...] = (), **params: Any) -> dict[str, Any]:
    """Train on everything in ``data`` plus the user's ``outcome_files`` (``evaluate``'s JSON
    lines; each is one more held-out source in LOSO), optionally run LOSO, write ``out``
    (.skops), its inference bundle (.npz, see ``classifiers.bundle``) and the ``.json`` metadata. BLAS runs on one
    thread: its sums split by thread count, so the bytes would depend on the machine's cores."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _train_artifact(data, out, seed, validate, cap, difficulty_scale, log, outcome_files, **params)


def _train_artifact(data: str | Path, out: str | Path, seed: int, validate: bool, cap: int, difficulty_scale: float,
                    log: Any, outcome_files: tuple[str | Path, ...], **params: Any) -> dict[str, Any]:
    from classifiers.bundle import write_bundle
    from classifiers.persist import save_estimator

    params = {**DEFAULT_PARAMS, **params}
    root = Path(data)
    np.random.seed(seed)
    examples, outcomes = load_all(root, cap=cap, seed=seed, outcome_files=outcome_files)
    log(f"{len(examples)} training prompts from {len({e.source for e in examples})} sources")
    groups = LOSO_GROUPS + tuple(o.name for o in outcomes if o.name.startswith(USER_OUTCOMES + ":"))
    validation = (loso(examples, outcomes, groups, log=log, difficulty_scale=difficulty_scale, **params)
                  if validate else None)
    if validate:
        validation["tokens_cv"] = tokens_cv(examples, seed=seed, **params)
        log(f"  answer tokens, 5-fold by instruction: {validation['tokens_cv']}")
    est = fit(examples, difficulty_scale=difficulty_scale, **params)
    mix = reference_mix(examples, seed=seed)
    est.calibrate([e.text for e in mix])
    mix_scores = est.predict_proba([e.text for e in mix])[:, 1]
    calibration = {
        "mix": dict(REFERENCE_MIX), "n": len(mix), "seed": seed,
        "knots_logit": [round(float(v), 6) for v in est.score_knots_x_],
        "knots_score": [round(float(v), 6) for v in est.score_knots_y_],
        "shares_at_0.40_0.75": {"low": round(float(np.mean(mix_scores <= 0.40)), 4),
                                "medium": round(float(np.mean((mix_scores > 0.40) & (mix_scores <= 0.75))), 4),
                                "high": round(float(np.mean(mix_scores > 0.75)), 4)},
    }
    log(f"  calibration on the reference mix (n={len(mix)}): {calibration['shares_at_0.40_0.75']}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_estimator(est, out)
    bundle = write_bundle(est, out)
    meta = {
        "version": ARTIFACT_VERSION,
        "feature_version": FEATURE_VERSION,
        "hash_bits": HASH_BITS,
        "params": est.get_params(),
        "seed": seed,
        "difficulty_scale": difficulty_scale,
        "cap_per_source": cap,
        "data_folder": str(data),
        "data_commit": _data_commit(root),
        "training_files": {str(p.relative_to(root)): sha256(p) for p in training_files(root)},
        "outcome_files": {str(f): sha256(Path(f)) for f in outcome_files},
        "n_training_prompts": len(examples),
        "sources": sorted({e.source for e in examples}),
        "validation": validation,
        "calibration": calibration,
        "artifact_sha256": sha256(out),
        "inference_bundle": bundle,
        "library_versions": library_versions(),
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return meta
