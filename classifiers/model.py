"""The complexity estimator, fitted with scikit-learn; scoring is delegated to
:class:`~classifiers.inference.LinearScorer` (numpy / plain Python, shared with the serving path).

Score model: logistic regression with soft labels (each row appears as a positive with
weight ``y`` and a negative with weight ``1 - y``) on standardized hand-crafted features
plus hashed word presence (down-weighted by ``hash_scale``, which acts as a stronger
penalty on the lexical block). Answer-length model: ridge regression on log tokens.
Two features are not fitted but carry prior weights: length inside a math/code/reasoning
domain or a multiple-choice question (``length_prior``, logit per log-character) and the numbers
given in an arithmetic word problem (``numbers_prior``, logit per log-number above three), and the relations between
its unknowns (``relations_prior``, logit per kind of relation, ``word_problems.relation_kinds``). These
were chosen by leave-one-source-out validation, because within homogeneous sets (MATH levels,
GSM8K steps, LeetCode) length and the count of given quantities are strong difficulty signals
that the outcome data (dominated by chat, where long prompts are often easy rewrites) cannot teach.
The uncommon words of a quiz stem (``rare_prior``, logit per log1p-word, ``rare_words``) are a prior too, chosen on
two written quiz probes (train.DEFAULT_PARAMS): no source in shared/ has multiple-choice outcomes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from classifiers.feature_schema import (
    FEATURE_NAMES,
    N_FEATURES,
    NUMBERS_PRIOR_FEATURE,
    PRIOR_FEATURE,
    RARE_PRIOR_FEATURE,
    RELATIONS_PRIOR_FEATURE,
    UNFITTED_FEATURES,
)
from classifiers.features import HASH_DIM, N_SHAPE, SHAPE_NAMES, answer_shape, bucket, grams, handcrafted, tokens
from classifiers.inference import (
    MAX_ANSWER_TOKENS,
    Featurized,
    LinearScorer,
    answer_tokens_from_log,
    as_conversation,
    calibrate,
    params_of,
    scored_conversation,
    sigmoid,
)
from classifiers.records import as_messages
from classifiers.text import Conversation

# re-exported for callers of the former single module
_calibrate, _sigmoid, _conv = calibrate, sigmoid, as_conversation
__all__ = ["CALIBRATION_ANCHORS", "CALIBRATION_QUANTILES", "MAX_ANSWER_TOKENS", "ComplexityEstimator", "Conversation",
           "Featurized", "answer_tokens_from_log", "as_messages"]


#: Calibration anchors: (quantile of the reference mix, score). The reference config's
#: thresholds (low <= 0.40 < medium <= 0.75 < high) then split that mix 50 / 30 / 20.
CALIBRATION_ANCHORS: tuple[tuple[float, float], ...] = ((0.0, 0.02), (0.5, 0.40), (0.8, 0.75), (1.0, 0.98))
#: Quantiles of the reference mix used as knots (a quantile map between the anchors).
CALIBRATION_QUANTILES: tuple[float, ...] = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9,
                                            0.95, 0.98, 1.0)


#: Value of a reference set's intercept column in the answer-length ridge: the penalty on its
#: weight is 1 / 30² of a feature's, so the set's level is effectively free and does not leak
#: into the features (at 1.0 the shrunk intercepts taught "math -> short": held-out math
#: prompts were predicted at a median 0.72x their answer length instead of 0.87x).
REFERENCE_INTERCEPT_COLUMN = 30.0
#: The intercept column of a set in ``tokens_level_sets``: penalised like a feature, so the set's level
#: teaches the features too (its written answers are the kind a chat model gives, only terser).
LEVEL_INTERCEPT_COLUMN = 1.0


class ComplexityEstimator(BaseEstimator):
    """Predicts P(cheaper model fails) and answer length from a conversation.

    ``X`` is a sequence of conversations: OpenAI message lists, plain strings, or
    :class:`~classifiers.text.Conversation` objects.
    """

    def __init__(self, C: float = 0.1, hash_scale: float = 0.0, tokens_hash_scale: float = 2.0,
                 tokens_alpha: float = 10.0, max_iter: int = 2000, length_prior: float = 0.0,
                 numbers_prior: float = 0.0, tokens_reference_rows: float = 50.0, relations_prior: float = 0.0,
                 rare_prior: float = 0.0, tokens_level_sets: tuple[str, ...] = ()) -> None:
        self.C = C
        self.length_prior = length_prior
        self.numbers_prior = numbers_prior
        self.relations_prior = relations_prior
        self.rare_prior = rare_prior
        self.hash_scale = hash_scale
        self.tokens_hash_scale = tokens_hash_scale
        self.tokens_alpha = tokens_alpha
        self.tokens_reference_rows = tokens_reference_rows
        self.tokens_level_sets = tokens_level_sets
        self.max_iter = max_iter

    @property
    def _hashing(self) -> bool:
        return self.hash_scale > 0 or self.tokens_hash_scale > 0

    # ---- featurization -------------------------------------------------------------
    def _raw(self, X: Sequence[Any]) -> tuple[np.ndarray, list[list[str]]]:
        convs = [scored_conversation(as_conversation(x)) for x in X]
        H = np.array([handcrafted(c) for c in convs], dtype=np.float64).reshape(len(convs), N_FEATURES)
        toks = [sorted(tokens(c)) if self.hash_scale > 0 else [] for c in convs]
        return H, toks

    def _tok_raw(self, X: Sequence[Any]) -> tuple[np.ndarray, list[list[str]]]:
        convs = [scored_conversation(as_conversation(x)) for x in X]
        S = np.array([answer_shape(c) for c in convs], dtype=np.float64).reshape(len(convs), N_SHAPE)
        return S, [grams(c) for c in convs]

    def _design(self, H: np.ndarray, toks: list[list[str]], scale: float) -> Any:
        return self._hashed((H - self.mean_) / self.scale_, toks, scale)

    @staticmethod
    def _hashed(Z: np.ndarray, toks: list[list[str]], scale: float) -> Any:
        from scipy import sparse

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
    def _priors(self) -> dict[int, float]:
        """Feature index -> the fixed logit weight of each prior feature (per raw unit)."""
        return {PRIOR_FEATURE: self.length_prior, NUMBERS_PRIOR_FEATURE: self.numbers_prior,
                RELATIONS_PRIOR_FEATURE: self.relations_prior, RARE_PRIOR_FEATURE: self.rare_prior}

    def fit(self, X: Sequence[Any], y: Sequence[float], sample_weight: Sequence[float] | None = None,
            answer_tokens: Sequence[float | None] | None = None,
            answer_references: Sequence[str | None] | None = None) -> ComplexityEstimator:
        """Fit the score model on soft targets ``y`` in [0, 1] and the length model on
        the rows whose ``answer_tokens`` is known (``answer_references``: per row, the set whose
        written reference answer gave its length, ``None`` for a chat model's answer)."""
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression

        H, toks = self._raw(X)
        y = np.clip(np.asarray(y, dtype=float), 0.0, 1.0)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.mean_ = H.mean(axis=0)
        self.scale_ = np.where(H.std(axis=0) > 1e-9, H.std(axis=0), 1.0)
        D = self._design(H, toks, self.hash_scale)
        # the prior and conversation features are not fitted: zero their columns (weight 0), then
        # set the priors' weights below
        priors = self._priors()
        D = D.tolil() if sparse.issparse(D) else D.copy()
        D[:, [*priors, *UNFITTED_FEATURES]] = 0.0
        D = D.tocsr() if sparse.issparse(D) else D
        stack = sparse.vstack if sparse.issparse(D) else np.vstack
        lr = LogisticRegression(C=self.C, max_iter=self.max_iter)
        lr.fit(stack([D, D]), np.r_[np.ones(len(y)), np.zeros(len(y))], sample_weight=np.r_[w * y, w * (1 - y)])
        coef = lr.coef_.ravel()
        self.coef_ = coef[:N_FEATURES].copy()
        self.hash_coef_ = (coef[N_FEATURES:] if self.hash_scale > 0 else np.zeros(HASH_DIM)).astype(np.float32)
        self.intercept_ = float(lr.intercept_[0])
        # logit += prior * raw feature  ==  coef * z + prior * mean
        for j, prior in priors.items():
            self.coef_[j] = prior * self.scale_[j]
            self.intercept_ += prior * float(self.mean_[j])
        self._fit_tokens(X, H, answer_tokens, answer_references)
        self.n_features_in_ = N_FEATURES
        self.feature_names_ = list(FEATURE_NAMES)
        self.shape_names_ = list(SHAPE_NAMES)
        self.__dict__.pop("_fast_cache", None)
        return self

    def _fit_tokens(self, X: Sequence[Any], H: np.ndarray, answer_tokens: Sequence[float | None] | None,
                    answer_references: Sequence[str | None] | None) -> None:
        """Ridge on log answer tokens. Rows whose length comes from a set of written reference
        answers (MATH solutions, LeetCode write-ups) get an intercept per set that is dropped at
        prediction: reference answers are terser or wordier than a chat model's, so only their
        order within the set teaches; each set weighs ``tokens_reference_rows`` rows in total. A set in
        ``tokens_level_sets`` gets a penalised intercept (``LEVEL_INTERCEPT_COLUMN``): its level teaches too. The
        intercept is then set so the chat rows' residuals average zero: the sets never move the chat level."""
        from sklearn.linear_model import Ridge

        self.tok_coef_ = np.zeros(N_FEATURES)
        self.tok_shape_coef_ = np.zeros(N_SHAPE)
        self.shape_mean_ = np.zeros(N_SHAPE)
        self.shape_scale_ = np.ones(N_SHAPE)
        self.tok_hash_coef_ = np.zeros(HASH_DIM, dtype=np.float32)
        self.tok_intercept_ = math.log(300.0)
        if answer_tokens is None:
            return
        t = np.array([np.nan if v is None else float(v) for v in answer_tokens])
        ok = np.isfinite(t) & (t > 0)
        refs = [None] * len(t) if answer_references is None else list(answer_references)
        if sum(1 for i in np.nonzero(ok)[0] if refs[i] is None) < 10:
            return
        rows = np.nonzero(ok)[0]
        S, gr = self._tok_raw([X[i] for i in rows])
        self.shape_mean_ = S.mean(axis=0)
        self.shape_scale_ = np.where(S.std(axis=0) > 1e-9, S.std(axis=0), 1.0)
        Z = np.hstack([(H[rows] - self.mean_) / self.scale_, (S - self.shape_mean_) / self.shape_scale_])
        Z[:, [*UNFITTED_FEATURES, NUMBERS_PRIOR_FEATURE, RELATIONS_PRIOR_FEATURE, RARE_PRIOR_FEATURE]] = 0.0
        sets = sorted({refs[i] for i in rows if refs[i] is not None})
        if missing := sorted(set(self.tokens_level_sets) - set(sets)):  # a misspelt name would change nothing, silently
            warnings.warn(f"tokens_level_sets names no reference rows of {missing} (sets with rows: {sets})", stacklevel=2)
        offsets = np.zeros((len(rows), len(sets)))
        w = np.ones(len(rows))
        for j, name in enumerate(sets):
            m = np.array([refs[i] == name for i in rows])
            offsets[m, j] = LEVEL_INTERCEPT_COLUMN if name in self.tokens_level_sets else REFERENCE_INTERCEPT_COLUMN
            w[m] = self.tokens_reference_rows / m.sum()
        rg = Ridge(alpha=self.tokens_alpha)
        D, y = self._hashed(np.hstack([Z, offsets]), gr, self.tokens_hash_scale), np.log(t[rows])
        rg.fit(D, y, sample_weight=w)
        chat = np.array([refs[i] is None for i in rows])
        rg.intercept_ += float(np.average(y[chat] - rg.predict(D[np.nonzero(chat)[0]]), weights=w[chat]))
        c = rg.coef_.ravel()
        k = N_FEATURES + N_SHAPE
        self.tok_coef_ = c[:N_FEATURES].copy()
        self.tok_shape_coef_ = c[N_FEATURES:k].copy()
        if self.tokens_hash_scale > 0:
            self.tok_hash_coef_ = c[k + len(sets):].astype(np.float32)
        self.tok_intercept_ = float(rg.intercept_)

    def calibrate(self, X: Sequence[Any], anchors: Sequence[tuple[float, float]] = CALIBRATION_ANCHORS,
                  quantiles: Sequence[float] = CALIBRATION_QUANTILES) -> ComplexityEstimator:
        """Fit the monotone logit -> score map on a reference mix ``X``: the mix's quantile ``q``
        of the logit maps to the piecewise-linear interpolation of ``anchors`` at ``q`` (by
        default the median to 0.40 and the 80th percentile to 0.75). Ranking is unchanged."""
        self.__dict__.pop("_fast_cache", None)
        self.score_knots_x_ = None
        self.score_knots_y_ = None
        logits = np.array([self.logit_one(self.featurize(x)) for x in X])
        aq, ay = np.array([a for a, _ in anchors]), np.array([b for _, b in anchors])
        q = np.asarray(quantiles, dtype=float)
        kx = np.quantile(logits, q)
        ky = np.interp(q, aq, ay)
        keep = np.r_[True, np.diff(kx) > 1e-9]  # strictly increasing knots
        kx, ky = kx[keep], ky[keep]
        if len(kx) < 2 or not (np.all(np.diff(ky) > 0) and 0 < ky[0] and ky[-1] < 1):
            raise ValueError("calibration mix too small or degenerate")
        self.score_knots_x_ = kx
        self.score_knots_y_ = ky
        self.__dict__.pop("_fast_cache", None)
        return self

    # ---- inference (delegated to the numpy-only scorer) ------------------------------
    @property
    def scorer(self) -> LinearScorer:
        """The folded coefficients (built at first use, dropped on refit; never persisted)."""
        fast = self.__dict__.get("_fast_cache")
        if fast is None:
            fast = LinearScorer(params_of(self))
            self.__dict__["_fast_cache"] = fast
        return fast

    _fast = scorer

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_fast_cache", None)  # derived; never persisted
        return state

    def featurize(self, x: Any) -> Featurized:
        return self.scorer.featurize(x)

    def logit_one(self, f: Featurized) -> float:
        return self.scorer.logit_one(f)

    def log_tokens_one(self, f: Featurized) -> float:
        return self.scorer.log_tokens_one(f)

    def score_one(self, f: Featurized) -> float:
        """Calibrated score in (0, 1) (sigmoid of the logit when no map is stored)."""
        return self.scorer.score_one(f)

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Columns: 1 - score, score (the calibrated score; same ranking as the logit)."""
        p = np.array([self.score_one(self.featurize(x)) for x in X])
        return np.c_[1 - p, p]

    def predict_tokens(self, X: Sequence[Any]) -> np.ndarray:
        """Expected answer tokens (thinking off), a median-type estimate."""
        return np.array([answer_tokens_from_log(self.log_tokens_one(self.featurize(x))) for x in X])

    def contributions(self, f: Featurized, k: int = 5) -> tuple[tuple[str, float], ...]:
        """Top-``k`` signed contributions to the logit, by magnitude."""
        return self.scorer.contributions(f, k)
