"""Training the answer-length embedding head (``complexity-router train-embedding``), with its
leave-one-source-out validation stacked on the default classifier as serving stacks them."""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.data import Example, load_all, sha256, training_files
from classifiers.embedding import MAX_SEQ_LENGTH, PROBE, AnswerTokensHead, Embedder, embedding_text
from classifiers.metrics import spearman
from classifiers.train import DEFAULT_PARAMS, LOSO_GROUPS, fit


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def chat_answered(examples: list[Example]) -> list[Example]:
    """Rows whose answer length is a chat model's answer (not a written reference solution): what
    the gateway's estimate is for."""
    return [e for e in examples if e.answer_tokens and e.answer_reference is None]


def stacked_loso(base_log: np.ndarray, embeddings: np.ndarray, log_tokens: np.ndarray, sources: np.ndarray,
                 alpha: float, weight: float) -> dict[str, Any]:
    """Spearman of held-out log answer tokens with the default estimate (``base_log``, itself held
    out) and with it plus the correction of a head fitted on the other sources' rows."""
    stacked = np.array(base_log, dtype=float)
    for g in sorted(set(sources.tolist())):
        test = sources == g
        head = AnswerTokensHead(alpha=alpha, weight=weight).fit(embeddings[~test], log_tokens[~test])
        stacked[test] += head.log_delta(embeddings[test])
    per_source = {g: {"n": int((sources == g).sum()),
                      "spearman": round(spearman(stacked[sources == g], log_tokens[sources == g]), 3),
                      "spearman_default": round(spearman(base_log[sources == g], log_tokens[sources == g]), 3)}
                  for g in sorted(set(sources.tolist()))}
    return {"n": len(log_tokens), "alpha": alpha, "weight": weight,
            "tokens_spearman": round(spearman(stacked, log_tokens), 4),
            "tokens_spearman_default": round(spearman(base_log, log_tokens), 4),
            "median_predicted_over_actual": round(float(np.exp(np.median(stacked - log_tokens))), 3),
            "median_predicted_over_actual_default": round(float(np.exp(np.median(base_log - log_tokens))), 3),
            # how far off a typical estimate is, either way: e^median|log(predicted / actual)|
            "median_factor_off": round(float(np.exp(np.median(np.abs(stacked - log_tokens)))), 3),
            "median_factor_off_default": round(float(np.exp(np.median(np.abs(base_log - log_tokens)))), 3),
            "mean_abs_log_error": round(float(np.mean(np.abs(stacked - log_tokens))), 3),
            "mean_abs_log_error_default": round(float(np.mean(np.abs(base_log - log_tokens))), 3),
            "per_source": per_source}


def held_out_default_log_tokens(examples: list[Example], rows: list[Example], log: Any = print) -> np.ndarray:
    """The default classifier's log answer tokens for ``rows``, each from a fit without its source."""
    out = np.zeros(len(rows))
    sources = np.array([e.source for e in rows])
    for g in [g for g in LOSO_GROUPS if (sources == g).any()]:
        t0 = time.time()
        est = fit([e for e in examples if e.source != g], difficulty_scale=0.1, **DEFAULT_PARAMS)
        idx = np.nonzero(sources == g)[0]
        out[idx] = np.log(est.predict_tokens([rows[i].text for i in idx]))
        log(f"  default classifier without {g}: {len(idx)} rows ({time.time() - t0:.1f}s)")
    return out


def train_embedding_head(data: str | Path, model_dir: str | Path, out: str | Path, *, embedder: Embedder | None = None,
                         validate: bool = True, alpha: float = 1.0, weight: float = 0.5, seed: int = 0,
                         cap: int = 1200, model_name: str | None = None, max_seq_length: int = MAX_SEQ_LENGTH,
                         log: Any = print) -> dict[str, Any]:
    """Fit the head on every chat-answered row of ``data``, embedded by the model in ``model_dir``;
    write it to ``out`` (.npz) with its metadata (.json). Deterministic: a closed-form ridge. Each
    prompt is embedded as serving embeds a request's (``embedding_text``)."""
    from classifiers.embedding import SentenceTransformerEmbedder

    root = Path(data)
    examples, _ = load_all(root, cap=cap, seed=seed)
    rows = chat_answered(examples)
    if len(rows) < 20:
        raise ValueError(f"{root} holds {len(rows)} prompts with chat answer lengths; at least 20 are needed")
    embedder = embedder if embedder is not None else SentenceTransformerEmbedder(model_dir, threads=2, max_seq_length=max_seq_length)
    t0 = time.time()
    E = np.asarray(embedder.encode([embedding_text([{"role": "user", "content": e.text}]) for e in rows]), dtype=np.float64)
    log(f"embedded {len(rows)} chat-answered prompts in {time.time() - t0:.1f}s ({E.shape[1]} dimensions)")
    y = np.log(np.array([e.answer_tokens for e in rows], dtype=float))
    validation = None
    if validate:
        base = held_out_default_log_tokens(examples, rows, log=log)
        validation = stacked_loso(base, E, y, np.array([e.source for e in rows]), alpha, weight)
        log(f"  answer tokens, LOSO Spearman {validation['tokens_spearman_default']} -> {validation['tokens_spearman']}")
    head = AnswerTokensHead(alpha=alpha, weight=weight, max_seq_length=max_seq_length).fit(E, y)
    meta = {
        "model_dir": str(model_dir), "model_name": model_name or Path(model_dir).name, "dimensions": int(E.shape[1]),
        "alpha": alpha, "weight": weight, "max_seq_length": max_seq_length, "seed": seed, "cap_per_source": cap, "n_rows": len(rows),
        "sources": sorted({e.source for e in rows}), "probe": PROBE,
        "training_files": {str(p.relative_to(root)): sha256(p) for p in training_files(root)},
        "validation": validation,
        "library_versions": {"python": platform.python_version(), "numpy": np.__version__,
                             **{d: _version(d) for d in ("sentence-transformers", "transformers", "torch")}},
    }
    head.save(out, np.asarray(embedder.encode([PROBE]))[0], meta)
    return meta
