"""The complexity estimator (fit with scikit-learn) and its fast numpy inference path.

Score model: logistic regression with soft labels (each row appears as a positive with
weight ``y`` and a negative with weight ``1 - y``) on standardized hand-crafted features
plus hashed word presence (down-weighted by ``hash_scale``, which acts as a stronger
penalty on the lexical block). Answer-length model: ridge regression on log tokens.
The last feature (length inside a math/code/reasoning domain) is not fitted: its weight
``length_prior`` (logit per log-character) was chosen by leave-one-source-out validation,
because within homogeneous sets (MATH levels, GSM8K steps, LeetCode) length is a strong
difficulty signal that the outcome data (dominated by chat, where long prompts are often
easy rewrites) cannot teach.
Inference folds the standardization into the coefficients and runs in plain Python (no
numpy per call: dot products over ~60 floats are faster in pure Python than numpy's
per-call overhead), so one prompt costs tens of microseconds.
"""

from __future__ import annotations

import math
from operator import mul
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from classifiers.features import FEATURE_NAMES, HASH_DIM, N_FEATURES, PRIOR_FEATURE, bucket, handcrafted, tokens
from classifiers.text import Conversation, parse_messages

MAX_ANSWER_TOKENS = 16_384


def _conv(x: Any) -> Conversation:
    if isinstance(x, Conversation):
        return x
    if isinstance(x, str):
        return parse_messages([{"role": "user", "content": x}])
    return parse_messages(x)


class Featurized:
    """Features of one conversation: raw dense vector (a list) + hashed buckets."""

    __slots__ = ("h", "buckets", "toks", "hash_w")

    def __init__(self, h: list[float], toks: list[str], buckets: list[int], hash_w: float) -> None:
        self.h, self.toks, self.buckets, self.hash_w = h, toks, buckets, hash_w


class _Fast:
    """Coefficients folded with the standardization, as plain Python lists."""

    __slots__ = ("w", "b", "wm", "tw", "tb", "th", "hs", "ths")

    def __init__(self, est: "ComplexityEstimator") -> None:
        w = np.asarray(est.coef_, dtype=float) / est.scale_
        self.w = w.tolist()
        self.wm = (w * est.mean_).tolist()
        self.b = float(est.intercept_ - float(np.dot(w, est.mean_)))
        tw = np.asarray(est.tok_coef_, dtype=float) / est.scale_
        self.tw = tw.tolist()
        self.tb = float(est.tok_intercept_ - float(np.dot(tw, est.mean_)))
        self.hs = float(est.hash_scale)
        self.ths = float(est.tokens_hash_scale)
        self.th = np.asarray(est.tok_hash_coef_, dtype=float).tolist() if self.ths > 0 else []


class ComplexityEstimator(BaseEstimator):
    """Predicts P(cheaper model fails) and answer length from a conversation.

    ``X`` is a sequence of conversations: OpenAI message lists, plain strings, or
    :class:`~classifiers.text.Conversation` objects.
    """

    def __init__(self, C: float = 0.1, hash_scale: float = 0.0, tokens_hash_scale: float = 2.0,
                 tokens_alpha: float = 10.0, max_iter: int = 2000, length_prior: float = 0.0) -> None:
        self.C = C
        self.length_prior = length_prior
        self.hash_scale = hash_scale
        self.tokens_hash_scale = tokens_hash_scale
        self.tokens_alpha = tokens_alpha
        self.max_iter = max_iter

    @property
    def _hashing(self) -> bool:
        return self.hash_scale > 0 or self.tokens_hash_scale > 0

    # ---- featurization -------------------------------------------------------------
    def _raw(self, X: Sequence[Any]) -> tuple[np.ndarray, list[list[str]]]:
        convs = [_conv(x) for x in X]
        H = np.array([handcrafted(c) for c in convs], dtype=np.float64).reshape(len(convs), N_FEATURES)
        toks = [sorted(tokens(c)) if self._hashing else [] for c in convs]
        return H, toks

    def _design(self, H: np.ndarray, toks: list[list[str]], scale: float) -> Any:
        from scipy import sparse

        Z = (H - self.mean_) / self.scale_
        if scale <= 0:
            return Z
        rows, cols, vals = [], [], []
        for i, ts in enumerate(toks):
            if not ts:
                continue
            b = [bucket(t) for t in ts]  # collisions add up, exactly as at inference
            rows.extend([i] * len(b))
            cols.extend(b)
            vals.extend([scale / math.sqrt(len(ts))] * len(b))
        Hs = sparse.csr_matrix((vals, (rows, cols)), shape=(len(toks), HASH_DIM))
        return sparse.hstack([sparse.csr_matrix(Z), Hs], format="csr")

    # ---- fitting ------------------------------------------------------------------
    def fit(self, X: Sequence[Any], y: Sequence[float], sample_weight: Sequence[float] | None = None,
            answer_tokens: Sequence[float | None] | None = None) -> "ComplexityEstimator":
        """Fit the score model on soft targets ``y`` in [0, 1] and the length model on
        the rows whose ``answer_tokens`` is known."""
        from sklearn.linear_model import LogisticRegression, Ridge
        from scipy import sparse

        H, toks = self._raw(X)
        y = np.clip(np.asarray(y, dtype=float), 0.0, 1.0)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.mean_ = H.mean(axis=0)
        self.scale_ = np.where(H.std(axis=0) > 1e-9, H.std(axis=0), 1.0)
        D = self._design(H, toks, self.hash_scale)
        # the prior feature is not fitted: zero its column, then set its weight below
        D = D.tolil() if sparse.issparse(D) else D.copy()
        D[:, PRIOR_FEATURE] = 0.0
        D = D.tocsr() if sparse.issparse(D) else D
        stack = sparse.vstack if sparse.issparse(D) else np.vstack
        lr = LogisticRegression(C=self.C, max_iter=self.max_iter)
        lr.fit(stack([D, D]), np.r_[np.ones(len(y)), np.zeros(len(y))], sample_weight=np.r_[w * y, w * (1 - y)])
        coef = lr.coef_.ravel()
        self.coef_ = coef[:N_FEATURES].copy()
        self.hash_coef_ = (coef[N_FEATURES:] if self.hash_scale > 0 else np.zeros(HASH_DIM)).astype(np.float32)
        self.intercept_ = float(lr.intercept_[0])
        # logit += length_prior * raw feature  ==  coef * z + length_prior * mean
        self.coef_[PRIOR_FEATURE] = self.length_prior * self.scale_[PRIOR_FEATURE]
        self.intercept_ += self.length_prior * float(self.mean_[PRIOR_FEATURE])
        self.tok_coef_ = np.zeros(N_FEATURES)
        self.tok_hash_coef_ = np.zeros(HASH_DIM, dtype=np.float32)
        self.tok_intercept_ = math.log(300.0)
        if answer_tokens is not None:
            t = np.array([np.nan if v is None else float(v) for v in answer_tokens])
            ok = np.isfinite(t) & (t > 0)
            if ok.sum() >= 10:
                rows = np.nonzero(ok)[0]
                Dt = self._design(H[rows], [toks[i] for i in rows], self.tokens_hash_scale)
                rg = Ridge(alpha=self.tokens_alpha)
                rg.fit(Dt, np.log(t[ok]))
                c = rg.coef_.ravel()
                self.tok_coef_ = c[:N_FEATURES].copy()
                if self.tokens_hash_scale > 0:
                    self.tok_hash_coef_ = c[N_FEATURES:].astype(np.float32)
                self.tok_intercept_ = float(rg.intercept_)
        self.n_features_in_ = N_FEATURES
        self.feature_names_ = list(FEATURE_NAMES)
        return self

    # ---- fast inference ---------------------------------------------------------------
    @property
    def _fast(self) -> _Fast:
        fast = self.__dict__.get("_fast_cache")
        if fast is None:
            fast = _Fast(self)
            self.__dict__["_fast_cache"] = fast
        return fast

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_fast_cache", None)  # derived; never persisted
        return state

    def featurize(self, x: Any) -> Featurized:
        c = _conv(x)
        h = handcrafted(c)
        if not self._hashing:
            return Featurized(h, [], [], 0.0)
        ts = list(tokens(c))
        return Featurized(h, ts, [bucket(t) for t in ts], 1.0 / math.sqrt(len(ts)) if ts else 0.0)

    def logit_one(self, f: Featurized) -> float:
        fast = self._fast
        v = sum(map(mul, fast.w, f.h)) + fast.b
        if fast.hs > 0 and f.buckets:
            hc = self.hash_coef_
            v += f.hash_w * fast.hs * float(sum(float(hc[b]) for b in f.buckets))
        return v

    def log_tokens_one(self, f: Featurized) -> float:
        fast = self._fast
        v = sum(map(mul, fast.tw, f.h)) + fast.tb
        if fast.ths > 0 and f.buckets:
            th = fast.th
            v += f.hash_w * fast.ths * sum([th[b] for b in f.buckets])
        return v

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Columns: P(easy), P(hard)."""
        p = np.array([_sigmoid(self.logit_one(self.featurize(x))) for x in X])
        return np.c_[1 - p, p]

    def predict_tokens(self, X: Sequence[Any]) -> np.ndarray:
        """Expected answer tokens (thinking off), a median-type estimate."""
        return np.array([answer_tokens_from_log(self.log_tokens_one(self.featurize(x))) for x in X])

    def contributions(self, f: Featurized, k: int = 5) -> tuple[tuple[str, float], ...]:
        """Top-``k`` signed contributions to the logit, by magnitude."""
        fast = self._fast
        c = [w * h - m for w, h, m in zip(fast.w, f.h, fast.wm)]
        top = sorted(zip(map(abs, c), range(len(c))), reverse=True)[:k]
        items = [(FEATURE_NAMES[i], c[i]) for _, i in top]
        if fast.hs > 0 and f.buckets:
            wc = [f.hash_w * fast.hs * float(self.hash_coef_[b]) for b in f.buckets]
            for i in sorted(range(len(wc)), key=lambda i: -abs(wc[i]))[:k]:
                items.append((f"word {f.toks[i]!r}", wc[i]))
        items.sort(key=lambda t: -abs(t[1]))
        return tuple((n, round(v, 4)) for n, v in items[:k])


def _sigmoid(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def answer_tokens_from_log(v: float) -> int:
    return int(min(max(math.exp(min(v, 20.0)), 1.0), MAX_ANSWER_TOKENS))


def as_messages(obj: Mapping[str, Any]) -> Any:
    """``{"prompt": str}`` or ``{"messages": [...]}`` → messages (for CLI input)."""
    if "messages" in obj:
        return obj["messages"]
    if "prompt" in obj:
        return [{"role": "user", "content": obj["prompt"]}]
    raise ValueError("expected a 'prompt' or 'messages' field")
