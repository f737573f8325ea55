"""Runtime API the gateway calls: ``load_classifier`` → ``ComplexityClassifier.score``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.features import FEATURE_NAMES, FEATURE_VERSION, HASH_DIM, N_FEATURES, N_SHAPE
from classifiers.model import MAX_ANSWER_TOKENS, ComplexityEstimator, Featurized, answer_tokens_from_log
from classifiers.model import _calibrate as _calibrate_scalar
from classifiers.persist import ClassifierLoadError, load_estimator, read_metadata, resolve

log = logging.getLogger(__name__)

#: Exceptions that malformed or hostile *input* can raise while featurizing (the parser and
#: featurizer already absorb odd types, sizes and encodings; this is the last line). Anything
#: else is a bug and propagates: a blanket ``except Exception`` once hid a feature/artifact
#: mismatch that scored every prompt 0.5.
INPUT_ERRORS: tuple[type[BaseException], ...] = (TypeError, ValueError, UnicodeError, RecursionError, OverflowError)
FALLBACK = "unparseable input"
_warned = False


def _warn_fallback(exc: BaseException) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning("complexity classifier: input could not be featurized (%s); returned the fallback score 0.5 "
                    "(logged once per process; prompt text not logged)", type(exc).__name__)

EFFORTS = ("none", "minimal", "low", "medium", "high")

#: Reasoning tokens expected at score 0.5 for each effort. The expectation scales
#: linearly with the score, from 0.3x (score 0) to 2x (score 1): thinking length grows
#: with difficulty. These are priors (orders of magnitude of published reasoning-token
#: usage for o-series / Qwen3 thinking modes), not learned; see docs/classifier.md.
REASONING_TOKENS_AT_MID = {"none": 0, "minimal": 128, "low": 1024, "medium": 3072, "high": 8192}


def reasoning_tokens(score: float, effort: str, thinking_budget: int | None = None) -> int:
    """Expected reasoning tokens for ``effort`` at ``score``, capped by ``thinking_budget``."""
    if effort not in REASONING_TOKENS_AT_MID:
        raise ValueError(f"unknown effort {effort!r}; expected one of {EFFORTS}")
    base = REASONING_TOKENS_AT_MID[effort]
    r = int(round(base * (0.3 + 1.7 * min(max(score, 0.0), 1.0)) / 1.15))
    if thinking_budget is not None:
        r = min(r, max(int(thinking_budget), 0))
    return r


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Complexity score of one request and what drove it."""

    score: float
    expected_answer_tokens: int
    top_features: tuple[tuple[str, float], ...]

    def expected_completion_tokens(self, effort: str, thinking_budget: int | None = None) -> int:
        """Answer tokens plus expected reasoning tokens for ``effort`` (see ``reasoning_tokens``)."""
        return self.expected_answer_tokens + reasoning_tokens(self.score, effort, thinking_budget)


class ComplexityClassifier:
    """A loaded estimator plus its metadata; thread-safe (read-only after load)."""

    def __init__(self, estimator: ComplexityEstimator, metadata: dict[str, Any] | None = None) -> None:
        self.estimator = estimator
        self.metadata: dict[str, Any] = metadata or {}

    def _result(self, x: Any) -> ScoreResult:
        est = self.estimator
        f = est.featurize(x)
        return ScoreResult(est.score_one(f), answer_tokens_from_log(est.log_tokens_one(f)), est.contributions(f))

    def score(self, messages: Sequence[Mapping[str, Any]]) -> ScoreResult:
        """Score one OpenAI-style conversation. Never raises on malformed messages."""
        try:
            f = self.estimator.featurize(messages)
        except INPUT_ERRORS as exc:  # hostile input: a score is still returned, and logged once
            _warn_fallback(exc)
            return ScoreResult(0.5, 300, ((FALLBACK, 0.0),))
        est = self.estimator
        return ScoreResult(est.score_one(f), answer_tokens_from_log(est.log_tokens_one(f)), est.contributions(f))

    def score_batch(self, conversations: Sequence[Sequence[Mapping[str, Any]]]) -> list[ScoreResult]:
        """Score many conversations: featurize in a loop, then one matrix product for the
        logits, answer lengths and feature contributions. Same results as :meth:`score` on
        each (up to float rounding in the last bits)."""
        est = self.estimator
        fast = est._fast
        feats: list[Featurized | None] = []
        for c in conversations:
            try:
                feats.append(est.featurize(c))
            except INPUT_ERRORS as exc:
                _warn_fallback(exc)
                feats.append(None)
        ok = [f for f in feats if f is not None]
        out: list[ScoreResult] = []
        if ok:
            H = np.array([f.h for f in ok], dtype=np.float64)
            S = np.array([f.shape for f in ok], dtype=np.float64)
            logits = H @ fast.W + fast.b
            if fast.hs > 0:
                logits += np.array([est.logit_one(f) for f in ok]) - (H @ fast.W + fast.b)
            lt = H @ fast.TW + S @ fast.SW + fast.tb
            if fast.TH is not None:
                th = fast.TH
                lt += np.array([f.gram_w * fast.ths * float(th[f.gbuckets].sum()) if f.gbuckets else 0.0
                                for f in ok])
            if fast.kx:
                kx, ky = fast.kx, fast.ky
                inner = (logits > kx[0]) & (logits < kx[-1])
                scores = np.interp(logits, kx, ky)
                calib = _calibrate_scalar
                for i in np.nonzero(~inner)[0]:
                    scores[i] = calib(float(logits[i]), kx, ky)
            else:
                scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -700, 700)))
            toks = np.clip(np.exp(np.minimum(lt, 20.0)), 1.0, MAX_ANSWER_TOKENS).astype(int)
            C = H * fast.W - fast.WM
            k = min(5, C.shape[1])
            top = np.argpartition(-np.abs(C), k - 1, axis=1)[:, :k]
            names = FEATURE_NAMES
            it = iter(range(len(ok)))
        for f in feats:
            if f is None:
                out.append(ScoreResult(0.5, 300, ((FALLBACK, 0.0),)))
                continue
            i = next(it)
            if fast.hs > 0:
                tf = est.contributions(f)
            else:
                row = C[i]
                idx = sorted(top[i].tolist(), key=lambda j: -abs(row[j]))
                tf = tuple((names[j], round(float(row[j]), 4)) for j in idx)
            out.append(ScoreResult(float(scores[i]), int(toks[i]), tf))
        return out

    def score_prompts(self, prompts: Sequence[str]) -> np.ndarray:
        """Scores for plain user prompts (evaluation / calibration helper)."""
        return np.array([self.score([{"role": "user", "content": p}]).score for p in prompts])


def load_classifier(artifact: str = "default") -> ComplexityClassifier:
    """Load ``"default"`` (the packaged artifact) or a ``.skops`` path.

    Raises :class:`ClassifierLoadError` on a missing, corrupt or untrusted artifact.
    """
    path: Path = resolve(artifact)
    est = load_estimator(path)
    meta = read_metadata(path)
    validate(est, meta, path)
    return ComplexityClassifier(est, meta)


def validate(est: ComplexityEstimator, meta: Mapping[str, Any], path: Any = "artifact") -> None:
    """Check that the artifact matches this code's featurizer; :class:`ClassifierLoadError` if not.

    Catches at start-up what would otherwise surface per request: a different feature count
    or order, a wrong-sized coefficient block, a feature-version mismatch, a broken score map.
    """
    def bad(why: str) -> ClassifierLoadError:
        return ClassifierLoadError(f"classifier artifact {path} does not match this featurizer "
                                   f"(feature version {FEATURE_VERSION}, {N_FEATURES} features): {why}; retrain it "
                                   "with `complexity-router train`")

    fv = meta.get("feature_version") if isinstance(meta, Mapping) else None
    if fv is not None and str(fv) != FEATURE_VERSION:
        raise bad(f"its metadata says feature version {fv}")
    if getattr(est, "n_features_in_", None) != N_FEATURES:
        raise bad(f"it was fitted on {getattr(est, 'n_features_in_', None)} features")
    names = getattr(est, "feature_names_", None)
    if names is not None and list(names) != list(FEATURE_NAMES):
        raise bad("its feature names differ")
    for attr, n in (("coef_", N_FEATURES), ("mean_", N_FEATURES), ("scale_", N_FEATURES), ("tok_coef_", N_FEATURES),
                    ("hash_coef_", HASH_DIM), ("tok_hash_coef_", HASH_DIM)):
        a = getattr(est, attr, None)
        if a is None or np.shape(a) != (n,):
            raise bad(f"{attr} has shape {np.shape(a) if a is not None else None}, expected ({n},)")
    for attr in ("tok_shape_coef_", "shape_mean_", "shape_scale_"):
        a = getattr(est, attr, None)
        if a is not None and np.shape(a) != (N_SHAPE,):
            raise bad(f"{attr} has shape {np.shape(a)}, expected ({N_SHAPE},)")
    kx, ky = getattr(est, "score_knots_x_", None), getattr(est, "score_knots_y_", None)
    if kx is not None or ky is not None:
        kx, ky = np.asarray(kx, dtype=float), np.asarray(ky, dtype=float)
        if (kx.shape != ky.shape or kx.ndim != 1 or len(kx) < 2 or not np.all(np.diff(kx) > 0)
                or not np.all(np.diff(ky) > 0) or not (0 < ky[0] and ky[-1] < 1)):
            raise bad("its score map is not a strictly increasing map into (0, 1)")
    try:  # a smoke test of the whole request path on fixed inputs
        est.__dict__.pop("_fast_cache", None)
        for probe in ("hi", "Prove that there are infinitely many primes."):
            f = est.featurize(probe)
            vals = (est.score_one(f), est.log_tokens_one(f))
            if not all(np.isfinite(v) for v in vals) or not 0.0 <= vals[0] <= 1.0:
                raise bad(f"a probe prompt scored {vals}")
    except ClassifierLoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure here is an artifact problem
        raise bad(f"a probe prompt failed ({type(exc).__name__}: {exc})") from exc
