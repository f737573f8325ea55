"""Runtime API the gateway calls: ``load_classifier`` → ``ComplexityClassifier.score``."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers.bundle import bundle_path, read_bundle, sha256_file
from classifiers.feature_schema import FEATURE_NAMES, FEATURE_VERSION, N_FEATURES
from classifiers.features import HASH_DIM, N_SHAPE
from classifiers.inference import Featurized, LinearScorer, answer_tokens_from_log, params_of
from classifiers.persist import ClassifierLoadError, read_metadata, resolve, untrusted_schema_types
from classifiers.rare_words import packaged_common_words

if TYPE_CHECKING:
    from classifiers.model import ComplexityEstimator

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

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

#: Reasoning tokens expected at score 0.5 for each effort. The expectation scales
#: linearly with the score, from 0.3x (score 0) to 2x (score 1): thinking length grows
#: with difficulty. These are priors (orders of magnitude of published reasoning-token
#: usage for o-series / Qwen3 thinking modes), not learned; see docs/classifier.md.
REASONING_TOKENS_AT_MID = {"none": 0, "minimal": 128, "low": 1024, "medium": 3072, "high": 8192, "xhigh": 16384, "max": 32768}


def reasoning_tokens(score: float, effort: str, thinking_budget: int | None = None) -> int:
    """Expected reasoning tokens for ``effort`` at ``score``, capped by ``thinking_budget``."""
    if effort not in REASONING_TOKENS_AT_MID:
        raise ValueError(f"unknown effort {effort!r}; expected one of {EFFORTS}")
    base = REASONING_TOKENS_AT_MID[effort]
    r = round(base * (0.3 + 1.7 * min(max(score, 0.0), 1.0)) / 1.15)
    if thinking_budget is not None:
        r = min(r, max(int(thinking_budget), 0))
    return r


class ScoreResult:
    """Complexity score of one request and what drove it (read-only).

    ``top_features`` (the top-5 signed contributions to the logit) is computed when first
    read: most requests never need it."""

    __slots__ = ("_lazy", "_top", "expected_answer_tokens", "floor", "score")

    def __init__(self, score: float, expected_answer_tokens: int,
                 top_features: tuple[tuple[str, float], ...] | None = (),
                 lazy: tuple[LinearScorer, Featurized] | None = None, floor: float = 0.0) -> None:
        self.score = score
        self.expected_answer_tokens = expected_answer_tokens
        self._top = top_features
        self._lazy = lazy
        self.floor = floor  # the log of the answer's floor (a returned input, a length asked for); 0: none

    @property
    def floored(self) -> bool:
        """Whether the answer estimate is a floor's (``classifiers.echo``, ``classifiers.asked_length``), not the model's: a
        rule's figure, which answers must not teach the gateway's forecast corrections (one misread length moved a tier's by 21 %)."""
        return self.floor > 0.0 and self.expected_answer_tokens <= answer_tokens_from_log(self.floor)

    @property
    def top_features(self) -> tuple[tuple[str, float], ...]:
        top = self._top
        if top is None:
            scorer, f = self._lazy  # type: ignore[misc]
            top = self._top = scorer.contributions(f)
            self._lazy = None
        return top

    def with_answer_log_delta(self, log_delta: float) -> ScoreResult:
        """This result with its answer tokens scaled by ``e^log_delta`` (``classifiers.answer_tokens``);
        itself for a delta of 0 (nothing embedded: e^log(19) is 18.999…, and tokens are truncated) or no finite number."""
        if log_delta == 0 or not math.isfinite(log_delta):
            return self
        tokens = answer_tokens_from_log(math.log(max(self.expected_answer_tokens, 1)) + log_delta)
        return ScoreResult(self.score, tokens, self._top, self._lazy, self.floor)

    def expected_completion_tokens(self, effort: str, thinking_budget: int | None = None) -> int:
        """Answer tokens plus expected reasoning tokens for ``effort`` (see ``reasoning_tokens``)."""
        return self.expected_answer_tokens + reasoning_tokens(self.score, effort, thinking_budget)

    def _key(self) -> tuple[float, int, tuple[tuple[str, float], ...]]:
        return self.score, self.expected_answer_tokens, self.top_features

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScoreResult) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"ScoreResult(score={self.score!r}, expected_answer_tokens={self.expected_answer_tokens!r}, "
                f"top_features={self.top_features!r})")


_FALLBACK_TOP = ((FALLBACK, 0.0),)


class ComplexityClassifier:
    """Scores conversations; thread-safe (read-only after load).

    ``estimator`` is a fitted :class:`~classifiers.model.ComplexityEstimator` (training,
    evaluation) or a :class:`~classifiers.inference.LinearScorer` (the serving path, loaded
    from the ``.npz`` bundle); both featurize and score the same way.
    """

    def __init__(self, estimator: ComplexityEstimator | LinearScorer, metadata: dict[str, Any] | None = None) -> None:
        self.estimator = estimator
        self.metadata: dict[str, Any] = metadata or {}

    def score(self, messages: Sequence[Mapping[str, Any]]) -> ScoreResult:
        """Score one OpenAI-style conversation. Never raises on malformed messages."""
        est = self.estimator
        try:
            f = est.featurize(messages)
        except INPUT_ERRORS as exc:  # hostile input: a score is still returned, and logged once
            _warn_fallback(exc)
            return ScoreResult(0.5, 300, _FALLBACK_TOP)
        sc = est.scorer
        return ScoreResult(sc.score_one(f), answer_tokens_from_log(sc.log_tokens_one(f)), None, (sc, f), f.echo)

    def score_batch(self, conversations: Sequence[Sequence[Mapping[str, Any]]]) -> list[ScoreResult]:
        """Score many conversations: featurize in a loop, then one matrix product for the
        logits and answer lengths. Same results as :meth:`score` on each (up to float
        rounding in the last bits)."""
        est = self.estimator
        featurize = est.featurize
        feats: list[Featurized | None] = []
        for c in conversations:
            try:
                feats.append(featurize(c))
            except INPUT_ERRORS as exc:
                _warn_fallback(exc)
                feats.append(None)
        ok = [f for f in feats if f is not None]
        if not ok:
            return [ScoreResult(0.5, 300, _FALLBACK_TOP) for _ in feats]
        sc = est.scorer
        scores, toks = sc.batch(ok)
        it = zip(scores.tolist(), toks.tolist(), ok)
        out: list[ScoreResult] = []
        for f in feats:
            if f is None:
                out.append(ScoreResult(0.5, 300, _FALLBACK_TOP))
            else:
                s, t, g = next(it)
                out.append(ScoreResult(s, t, None, (sc, g), g.echo))
        return out

    def score_prompts(self, prompts: Sequence[str]) -> np.ndarray:
        """Scores for plain user prompts (evaluation / calibration helper)."""
        return np.array([self.score([{"role": "user", "content": p}]).score for p in prompts])


def load_classifier(artifact: str = "default") -> ComplexityClassifier:
    """Load ``"default"`` (the packaged artifact) or a ``.skops`` path.

    Serves from the ``.npz`` bundle beside the ``.skops`` file when it was exported from that
    file (sha256 match): numpy only, no scikit-learn / scipy / skops import. Otherwise loads
    the ``.skops`` file itself (trusted types only). Raises :class:`ClassifierLoadError` on a
    missing, corrupt, untrusted or mismatched artifact or bundle.
    """
    path: Path = resolve(artifact)
    packaged_common_words()  # the featurizer's word list, read now rather than by the first request
    if not path.is_file():
        raise ClassifierLoadError(f"classifier artifact not found: {path}")
    meta = read_metadata(path)
    bundle = bundle_path(path)
    if path.suffix == ".skops" and bundle.is_file():
        params = read_bundle(bundle, sha256_file(path))
        if params is not None:
            untrusted = untrusted_schema_types(path)  # the bundle is only numbers; the artifact it stands for must be trusted too
            if untrusted:
                raise ClassifierLoadError(f"classifier artifact {path} contains untrusted types {untrusted}; refusing to load it")
            record = (meta.get("inference_bundle") or {}) if isinstance(meta, Mapping) else {}
            if not isinstance(record, Mapping):
                raise ClassifierLoadError(f"classifier metadata of {path}: inference_bundle is not an object")
            recorded = record.get("sha256")
            if recorded is not None and recorded != sha256_file(bundle):
                raise ClassifierLoadError(f"classifier bundle {bundle} is not the one its metadata records (sha256 "
                                          f"{str(recorded)[:12]}…); re-export it with `complexity-router export`")
            return ComplexityClassifier(validate(params, meta, bundle), meta)
        log.warning("classifier bundle %s was exported from another version of %s; loading the .skops file "
                    "(run `complexity-router export` to serve without scikit-learn)", bundle, path)
    from classifiers.persist import load_estimator

    est = load_estimator(path)
    est.__dict__["_fast_cache"] = validate(params_of(est), meta, path)
    return ComplexityClassifier(est, meta)


#: Largest magnitude a fitted parameter may have (the shipped artifact's largest is 2,000, ``max_iter``;
#: its coefficients stay under 10): a `tokens_hash_scale` of 1e308 made every answer 16,384 tokens.
MAX_PARAMETER = 1e6


def validate(params: Mapping[str, Any], meta: Mapping[str, Any], path: Any = "artifact") -> LinearScorer:
    """Check that fitted parameters match this code's featurizer and return their scorer;
    :class:`ClassifierLoadError` if not.

    Catches at start-up what would otherwise surface per request: a different feature count
    or order, a wrong-sized coefficient block, a feature-version mismatch, a broken score map.
    """
    def bad(why: str) -> ClassifierLoadError:
        return ClassifierLoadError(f"classifier artifact {path} does not match this featurizer "
                                   f"(feature version {FEATURE_VERSION}, {N_FEATURES} features): {why}; retrain it "
                                   "with `complexity-router train`")

    for fv in (meta.get("feature_version") if isinstance(meta, Mapping) else None, params.get("feature_version")):
        if fv is not None and str(fv) != FEATURE_VERSION:
            raise bad(f"its metadata says feature version {fv}")
    if params.get("n_features_in_") != N_FEATURES:
        raise bad(f"it was fitted on {params.get('n_features_in_')} features")
    names = params.get("feature_names_")
    if names is not None and list(names) != list(FEATURE_NAMES):
        raise bad("its feature names differ")
    for attr, n in (("coef_", N_FEATURES), ("mean_", N_FEATURES), ("scale_", N_FEATURES), ("tok_coef_", N_FEATURES),
                    ("hash_coef_", HASH_DIM), ("tok_hash_coef_", HASH_DIM)):
        a = params.get(attr)
        if a is None or np.shape(a) != (n,):
            raise bad(f"{attr} has shape {np.shape(a) if a is not None else None}, expected ({n},)")
    for attr in ("tok_shape_coef_", "shape_mean_", "shape_scale_"):
        a = params.get(attr)
        if a is not None and np.shape(a) != (N_SHAPE,):
            raise bad(f"{attr} has shape {np.shape(a)}, expected ({N_SHAPE},)")
    for name, value in params.items():  # a NaN coefficient passed the probes and failed one word's requests
        if isinstance(value, str) or value is None or (isinstance(value, list) and value and isinstance(value[0], str)):
            continue
        numbers = np.asarray(value)
        if numbers.dtype.kind not in "iufb":  # complex coefficients scored every prompt alike, strings were read as numbers
            raise bad(f"{name} holds {numbers.dtype} values, not real numbers")
        if not (np.all(np.isfinite(numbers)) and np.all(np.abs(numbers) <= MAX_PARAMETER)):
            raise bad(f"{name} holds values that are not finite numbers up to {MAX_PARAMETER:g} in size")
    kx, ky = params.get("score_knots_x_"), params.get("score_knots_y_")
    if kx is not None or ky is not None:
        kx, ky = np.asarray(kx, dtype=float), np.asarray(ky, dtype=float)
        if (kx.shape != ky.shape or kx.ndim != 1 or len(kx) < 2 or not np.all(np.diff(kx) > 0)
                or not np.all(np.diff(ky) > 0) or not (0 < ky[0] and ky[-1] < 1)):
            raise bad("its score map is not a strictly increasing map into (0, 1)")
    try:  # a smoke test of the whole request path on fixed inputs
        scorer = LinearScorer(params)
        for probe in ("hi", "Prove that there are infinitely many primes."):
            f = scorer.featurize(probe)
            vals = (scorer.score_one(f), scorer.log_tokens_one(f))
            if not all(np.isfinite(v) for v in vals) or not 0.0 <= vals[0] <= 1.0:
                raise bad(f"a probe prompt scored {vals}")
    except ClassifierLoadError:
        raise
    except Exception as exc:  # any failure here is an artifact problem
        raise bad(f"a probe prompt failed ({type(exc).__name__}: {exc})") from exc
    return scorer
