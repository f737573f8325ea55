"""Scoring with fitted coefficients: numpy and plain Python only (no scikit-learn, scipy, skops).

A gateway worker needs only this module, the featurizer and the coefficient arrays (from the
``.npz`` bundle, or from a loaded ``ComplexityEstimator``, which delegates here). Inference
folds the standardization into the coefficients and runs in plain Python (dot products over
~60 floats are faster in pure Python than numpy's per-call overhead); ``score_batch`` uses
numpy for the dense part once per batch.
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import replace
from math import fsum
from operator import mul, sub
from typing import Any
from zlib import crc32

import numpy as np

from classifiers.asked_length import asked_floor
from classifiers.diagrams import strip_diagrams
from classifiers.echo import echo_floor
from classifiers.feature_schema import FEATURE_NAMES, NUMBERS_PRIOR_FEATURE, PRIOR_FEATURE
from classifiers.features import HASH_DIM, N_SHAPE, bucket, conversation_features, handcrafted, tokens_of
from classifiers.lexicons import SPEEDUPS, lower
from classifiers.pasted_data import sample_pasted_data
from classifiers.shape import gram_keys, system_words
from classifiers.text import Conversation, context_conversation, parse_messages
from classifiers.turns import closes, quiz_after_bare_answer, states_own_equation

MAX_ANSWER_TOKENS = 16_384
HASH_MASK = HASH_DIM - 1
GRAM_MEMO_MAX = 50_000  # n-gram coefficient memo per scorer (a few MB at most)
#: A turn scores at least the logit of the user turns before it minus this. The training data
#: is single-turn, so the model cannot learn that "continue" after an olympiad proof is still
#: a hard request; this prior makes a follow-up inherit its conversation's difficulty, and never lowers a score.
#: 0: a second turn is no easier than the first for the weaker model (MT-Bench's published per-turn scores: weaker
#: models lose more on the second turn); at 0.5 every fully inherited follow-up ranked below its own first turn.
CONTEXT_DECAY = 0.0
#: How much a turn reads as a follow-up, from its length, as (full weight, no weight) points:
#: log-characters of the turn (e^4 ≈ 55: "continue", "are you sure?"; e^4.5 ≈ 90), and log of
#: the mean earlier user turn over the turn (8 times longer, 3 times). Linear in between, the
#: higher of the two. A self-contained turn (the question after few-shot examples sent as earlier
#: turns) keeps its own score: a floor from the examples would give every such question the same.
FOLLOW_UP_SHORT = (4.0, 4.5)
FOLLOW_UP_RATIO = (math.log(8.0), math.log(3.0))
#: Phrases that make a turn of any length a follow-up (it points back at the conversation),
#: looked for as whole words in its first ``FOLLOW_UP_HEAD`` characters, lower-cased ("discontinued" holds no
#: "continue", "explain its" no "explain it"), the nouns in the plural too ("your answers"). Phrases common in
#: self-contained problems ("the same", "again", "previous"; "continues", "continued fraction") are left out.
FOLLOW_UP_PHRASES = ("your previous", "previous response", "previous answer", "previous question", "your response",
                     "your answer", "your solution", "your code", "your function", "your program", "your story", "your poem",
                     "previous responses", "previous answers", "previous questions", "your responses", "your answers",
                     "your solutions", "your functions", "your programs", "your stories", "your poems", "your essays",
                     "your proofs", "your replies",
                     "your essay", "your proof", "your earlier", "your last", "your reply", "your own", "you said",
                     "you wrote", "you mentioned", "you just", "you gave",
                     "you provided", "above", "continue", "elaborate", "rewrite", "rephrase", "expand on",
                     "explain that", "explain it", "do the same", "the same for", "now do", "now write", "now make",
                     "now rewrite", "now implement", "now solve", "now prove", "can you also")
_RE_FOLLOW_UP_PHRASE = re.compile(r"\b(?:" + "|".join(map(re.escape, FOLLOW_UP_PHRASES)) + r")\b")
FOLLOW_UP_HEAD = 300
#: Characters stripped from the start of a turn before its opening is read (quotes, markdown).
OPENING_PUNCTUATION = " \t\r\n\"'*-_([>#."
#: Openings that make a turn of any length a follow-up: it starts by pointing at the conversation
#: ("What if …", "Make it …", "Now …", "Which of these …"). Matched as whole words at the start of
#: the turn, lower-cased. Openings that also start self-contained problems ("Suppose", "This",
#: "It") are left out: these start 19 of the 28,793 single-turn prompts in ``shared/`` (10 of them
#: vicuna's counterfactual "What if …?" questions) and none of the 7,473 GSM8K problems.
FOLLOW_UP_OPENERS = ("continued", "what if", "what about", "how about", "and what", "and if", "and how", "now", "then", "but",
                     "also", "ok", "okay", "thanks", "thank you", "great", "perfect", "hmm", "wait", "no",
                     "make it", "make them", "make this", "make that", "change it", "try again", "compare that",
                     "compare this", "compare it", "which of these", "why is that", "is that", "can you make",
                     "could you make", "same",
                     # a change to the answer named by "it" or "your": "Extend it to …", "Modify your code so …" (a ring
                     # buffer's follow-up 0.79 → 0.38 in an MT-bench-style probe, session 37), and "Generalize …"; not
                     # "this" ("Simplify this expression", "Modify this script: <code>" open self-contained requests)
                     *(f"{verb} {what}" for verb in ("extend", "modify", "improve", "optimize", "optimise", "refactor", "adapt")
                       for what in ("it", "your")),
                     "generalize", "generalise")
#: Prefix of the explanation entries when the conversation context set the score.
CONTEXT_PREFIX = "earlier turns: "
#: Prefix of a feature the prompt lacks (value 0) in the explanation: its contribution is the training mean's, reversed.
ABSENT_PREFIX = "no "
#: Features that are 0 below an anchor, not only when absent, and what their 0 says ("length in a closed problem" is 0 for
#: a haiku and for a short closed problem alike).
_ANCHORED = {PRIOR_FEATURE: "short or no closed problem", NUMBERS_PRIOR_FEATURE: "few or no word-problem numbers"}


#: A domain's words' density, the domain and its length slope, told as one reason named by the domain: the fit splits its
#: effect among them with opposite signs, which read as a proof lowering its own score ("reasoning domain" -0.48 beside
#: "length x reasoning" +0.61) and a haiku raised by its writing ("writing domain" +0.64, "writing density" -1.38).
_DOMAIN_GROUPS = tuple((FEATURE_NAMES.index(f"{d} domain"), (FEATURE_NAMES.index(f"{density} density"), FEATURE_NAMES.index(f"length x {d}")))
                       for d, density in (("math", "math"), ("code", "code"), ("reasoning", "reason"), ("writing", "writing")))
_GROUPED = frozenset(i for _, members in _DOMAIN_GROUPS for i in members)


def _absent_name(i: int) -> str:
    """How ``route`` names dense feature ``i`` at 0."""
    return _ANCHORED.get(i) or ABSENT_PREFIX + FEATURE_NAMES[i]

#: Fitted arrays a scorer reads (``None`` allowed for the optional ones), scalars and names.
ARRAYS: tuple[str, ...] = ("coef_", "mean_", "scale_", "tok_coef_", "hash_coef_", "tok_hash_coef_")
OPTIONAL_ARRAYS: tuple[str, ...] = ("tok_shape_coef_", "shape_mean_", "shape_scale_", "score_knots_x_",
                                    "score_knots_y_")
SCALARS: tuple[str, ...] = ("intercept_", "tok_intercept_", "hash_scale", "tokens_hash_scale", "length_prior",
                            "numbers_prior", "relations_prior", "rare_prior", "C", "tokens_alpha", "max_iter", "n_features_in_")
NAMES: tuple[str, ...] = ("feature_names_", "shape_names_")
PARAMS: tuple[str, ...] = ARRAYS + OPTIONAL_ARRAYS + SCALARS + NAMES


def params_of(obj: Any) -> dict[str, Any]:
    """The scoring parameters of a fitted estimator (missing ones as ``None``)."""
    return {k: getattr(obj, k, None) for k in PARAMS}


def as_conversation(x: Any) -> Conversation:
    if isinstance(x, Conversation):
        return x
    if isinstance(x, str):
        return parse_messages([{"role": "user", "content": x}])
    return parse_messages(x)


def scored_conversation(c: Conversation) -> Conversation:
    """The conversation as the score reads it, in training and serving alike: the last user turn
    without diagram code and with pasted data sampled (``diagrams``, ``pasted_data``). The cost
    estimate reads the turn whole."""
    text = sample_pasted_data(strip_diagrams(c.last_user))
    return c if text is c.last_user else replace(c, last_user=text)


def follow_up_weight(c: Conversation) -> float:
    """In [0, 1]: 1 when the last user turn is a follow-up that inherits the earlier turns'
    difficulty, 0 when it is a request of its own (``FOLLOW_UP_PHRASES``, ``FOLLOW_UP_OPENERS``,
    ``FOLLOW_UP_SHORT``, ``FOLLOW_UP_RATIO``)."""
    if not c.earlier_user or closes(c.last_user, c.reply, c.dropped_courtesy) or quiz_after_bare_answer(c.last_user, c.reply, c.earlier_user):  # classifiers.turns
        return 0.0
    if states_own_equation(c.last_user, c.earlier_user):  # "Now solve 2x + 3 = 11.": its own difficulty (version 92)
        return 0.0
    head = lower(c.last_user[:FOLLOW_UP_HEAD])
    if _RE_FOLLOW_UP_PHRASE.search(head) or _opens_with(head.lstrip(OPENING_PUNCTUATION), FOLLOW_UP_OPENERS):
        return 1.0
    ln = math.log1p(len(c.last_user))
    shorter = math.log1p(len(c.earlier_user) / max(c.n_user_turns - 1, 1)) - ln  # log of mean / own
    return max(_ramp(ln, *FOLLOW_UP_SHORT), _ramp(shorter, *FOLLOW_UP_RATIO))


def _opens_with(text: str, openers: tuple[str, ...]) -> bool:
    """Whether ``text`` starts with one of ``openers`` as whole words."""
    return any(text.startswith(o) and not text[len(o):len(o) + 1].isalnum() for o in openers)


def _ramp(x: float, full: float, none: float) -> float:
    """1 at ``full``, 0 at ``none``, linear in between, clipped to [0, 1]."""
    return min(1.0, max(0.0, (x - none) / (full - none)))


class Featurized:
    """Features of one conversation: raw dense vector (a list) + hashed buckets for the score
    model (``buckets``, only when ``hash_scale > 0``) + answer-shape cues and the summed
    coefficients of the head n-grams' buckets for the answer-length model (``shape``,
    ``gram_sum``, weighted by ``gram_w`` = 1 / sqrt(number of n-grams)) + the dense vector of
    the earlier user turns read as one prompt (``ctx``, with the ``follow_up_weight`` ``ctx_w``;
    ``None`` unless the turn is a follow-up) + ``echo``, the log of the answer-length floor of a
    request whose answer returns its input (``classifiers.echo``; 0 for none)."""

    __slots__ = ("buckets", "ctx", "ctx_w", "echo", "gram_sum", "gram_w", "h", "hash_w", "shape", "toks")

    def __init__(self, h: list[float], toks: list[str], buckets: list[int], hash_w: float,
                 shape: list[float] | None = None, gram_sum: float = 0.0, gram_w: float = 0.0,
                 ctx: list[float] | None = None, ctx_w: float = 1.0, echo: float = 0.0) -> None:
        self.h, self.toks, self.buckets, self.hash_w = h, toks, buckets, hash_w
        self.echo = echo
        self.shape = shape if shape is not None else [0.0] * N_SHAPE
        self.gram_sum = gram_sum
        self.gram_w = gram_w
        self.ctx = ctx
        self.ctx_w = ctx_w


class LinearScorer:
    """Coefficients folded with the standardization: plain lists for one prompt, numpy arrays
    for a batch. Read-only after construction (thread-safe). Other fitted parameters (e.g.
    ``coef_``, ``length_prior``) are readable as attributes."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        p = self.params = dict(params)
        mean, scale = np.asarray(p["mean_"], dtype=float), np.asarray(p["scale_"], dtype=float)
        w = np.asarray(p["coef_"], dtype=float) / scale
        self.w = w.tolist()
        self.wm = (w * mean).tolist()
        self.b = float(float(p["intercept_"]) - float(np.dot(w, mean)))
        tw = np.asarray(p["tok_coef_"], dtype=float) / scale
        self.tw = tw.tolist()
        self.tb = float(float(p["tok_intercept_"]) - float(np.dot(tw, mean)))
        self.hs = float(p["hash_scale"])
        self.ths = float(p["tokens_hash_scale"])
        self.hc = np.asarray(p["hash_coef_"]).tolist() if self.hs > 0 else []
        self.th = np.asarray(p["tok_hash_coef_"], dtype=float).tolist() if self.ths > 0 else []
        sm, ss, sc = p.get("shape_mean_"), p.get("shape_scale_"), p.get("tok_shape_coef_")
        if sc is not None and sm is not None and ss is not None:
            sw = np.asarray(sc, dtype=float) / ss
            self.tb -= float(np.dot(sw, sm))
        else:
            sw = np.zeros(N_SHAPE)
        self.sw = sw.tolist()
        kx, ky = p.get("score_knots_x_"), p.get("score_knots_y_")
        self.kx = np.asarray(kx, dtype=float).tolist() if kx is not None else []
        self.ky = np.asarray(ky, dtype=float).tolist() if ky is not None else []
        # numpy copies for score_batch (one matmul per batch)
        self.W, self.TW, self.SW = w, tw, sw
        self._gram_coef: dict[str, float] = {}  # n-gram -> its bucket's coefficient
        # the C n-gram sum reads the coefficients as a buffer of doubles
        self._th_c = array("d", self.th) if SPEEDUPS is not None and len(self.th) == HASH_DIM else None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["params"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def scorer(self) -> LinearScorer:
        return self

    # ---- one conversation -------------------------------------------------------------
    def featurize(self, x: Any) -> Featurized:
        c = as_conversation(x)
        # all of it: a conversion returns every row of pasted data; a length asked for is a floor too
        echo = max(echo_floor(c.last_user, c.reply), asked_floor(c.last_user))
        c = scored_conversation(c)
        h, shape, head, wl = conversation_features(c, with_grams=self.ths > 0)
        if self.hs > 0:
            ts = list(tokens_of(wl, c.system))
            b, hw = [bucket(t) for t in ts], (1.0 / math.sqrt(len(ts)) if ts else 0.0)
        else:
            ts, b, hw = [], [], 0.0
        # a follow-up's earlier user turns as one prompt (hashed words, if any, are not read for it)
        cw = follow_up_weight(c)
        ctx = handcrafted(scored_conversation(context_conversation(c))) if cw > 0.0 else None  # read as a turn is
        if self.ths > 0:
            gs, n = self.gram_stats(head, c.system)
            if n:
                return Featurized(h, ts, b, hw, shape, gs, 1.0 / math.sqrt(n), ctx, cw, echo)
        return Featurized(h, ts, b, hw, shape, 0.0, 0.0, ctx, cw, echo)

    def gram_stats(self, head_words: list[str], system: str) -> tuple[float, int]:
        """(``_gram_sum`` of ``gram_keys(head_words, system)``, their number): in C when built
        (words without a lone surrogate), else in Python."""
        if self._th_c is not None:
            out = SPEEDUPS.gram_sum(head_words, system_words(system), self._th_c)
            if out is not None:
                return out
        keys = gram_keys(head_words, system)
        return (self._gram_sum(keys) if keys else 0.0), len(keys)

    def _gram_sum(self, keys: set[str]) -> float:
        """Sum of the answer-length coefficients of the n-grams' buckets (memoized per n-gram).
        ``math.fsum``: exactly rounded, so independent of the (per-process) set order."""
        memo = self._gram_coef
        missing = keys.difference(memo)  # a dict argument: one pass over ``keys``, stored hashes
        if missing:
            if len(memo) + len(missing) > GRAM_MEMO_MAX:
                memo.clear()
                missing = keys
            th = self.th
            for k in missing:
                memo[k] = th[crc32(k.encode("utf-8", "replace")) & HASH_MASK]
        try:
            return fsum(map(memo.__getitem__, keys))
        except KeyError:  # another thread cleared the memo meanwhile
            th = self.th
            return fsum([th[crc32(k.encode("utf-8", "replace")) & HASH_MASK] for k in keys])

    def logit_one(self, f: Featurized) -> float:
        """The turn's logit, with its conversation context (``_with_context``)."""
        return self._with_context(self._own_logit(f), f)

    def _with_context(self, v: float, f: Featurized) -> float:
        """The turn's own logit ``v``, raised by the follow-up weight times the amount by which
        its context's logit minus ``CONTEXT_DECAY`` exceeds it."""
        if f.ctx is not None:
            c = self._context_logit(f.ctx)
            if c > v:
                return v + f.ctx_w * (c - v)
        return v

    def _own_logit(self, f: Featurized) -> float:
        v = sum(map(mul, self.w, f.h)) + self.b
        if self.hs > 0 and f.buckets:
            v += f.hash_w * self.hs * float(sum(map(self.hc.__getitem__, f.buckets)))
        return v

    def _context_logit(self, ctx: list[float]) -> float:
        return sum(map(mul, self.w, ctx)) + self.b - CONTEXT_DECAY

    def log_tokens_one(self, f: Featurized) -> float:
        v = sum(map(mul, self.tw, f.h)) + sum(map(mul, self.sw, f.shape)) + self.tb
        if f.gram_w:
            v += f.gram_w * self.ths * f.gram_sum
        return max(v, f.echo)

    def score_one(self, f: Featurized) -> float:
        """Calibrated score in (0, 1) (sigmoid of the logit when no map is stored)."""
        return self.calibrated(self.logit_one(f))

    def calibrated(self, v: float) -> float:
        """Logit -> score in (0, 1): the stored monotone piecewise-linear map (sigmoid if none)."""
        if not self.kx:
            return sigmoid(v)
        return calibrate(v, self.kx, self.ky)

    def contributions(self, f: Featurized, k: int = 5) -> tuple[tuple[str, float], ...]:
        """Top-``k`` signed contributions to the logit, by magnitude (those of the earlier
        turns, named ``"earlier turns: ..."``, when the conversation context set the logit; what it added as one entry,
        ``"earlier turns"``, when it raised the logit at a lower follow-up weight)."""
        items = []
        if f.ctx is not None and (gain := self._context_logit(f.ctx) - self._own_logit(f)) > 0:
            if f.ctx_w >= 0.5:
                return tuple((CONTEXT_PREFIX + n, round(v, 4)) for n, v in self._top(f.ctx, k))
            items.append((CONTEXT_PREFIX.removesuffix(": "), f.ctx_w * gain))
        items += self._top(f.h, k)
        if self.hs > 0 and f.buckets:
            wc = [f.hash_w * self.hs * self.hc[b] for b in f.buckets]
            for i in sorted(range(len(wc)), key=lambda i: -abs(wc[i]))[:k]:
                items.append((f"word {f.toks[i]!r}", wc[i]))
        items.sort(key=lambda t: -abs(t[1]))
        return tuple((n, round(v, 4)) for n, v in items[:k])

    def _top(self, h: list[float], k: int) -> list[tuple[str, float]]:
        """Top-``k`` dense-feature contributions of vector ``h``, by magnitude. A contribution is measured from the
        training mean, so a feature the prompt lacks contributes too: it is named as absent ("no LaTeX commands"),
        not as if the prompt held it. A domain's features are one reason (``_DOMAIN_GROUPS``)."""
        c = list(map(sub, map(mul, self.w, h), self.wm))
        for domain, members in _DOMAIN_GROUPS:  # one reason each, named by the domain (``_DOMAIN_GROUPS``)
            for i in members:
                c[domain] += c[i]
        # == heapq.nlargest(k, ...) (documented equivalent; ties keep index order)
        top = [i for i in sorted(range(len(c)), key=list(map(abs, c)).__getitem__, reverse=True) if i not in _GROUPED][:k]
        return [(_absent_name(i) if h[i] == 0 else FEATURE_NAMES[i], c[i]) for i in top]

    # ---- many conversations -----------------------------------------------------------
    def batch(self, feats: Sequence[Featurized]) -> tuple[np.ndarray, np.ndarray]:
        """Scores and answer tokens of featurized conversations: one matrix product each."""
        H = np.array([f.h for f in feats], dtype=np.float64)
        S = np.array([f.shape for f in feats], dtype=np.float64)
        if self.hs > 0:
            logits = np.array([self.logit_one(f) for f in feats])
        else:
            logits = H @ self.W + self.b
            for i, f in enumerate(feats):
                if f.ctx is not None:
                    logits[i] = self._with_context(float(logits[i]), f)
        lt = H @ self.TW + S @ self.SW + self.tb
        if self.ths > 0:
            ths = self.ths
            lt += np.array([f.gram_w * ths * f.gram_sum if f.gram_w else 0.0 for f in feats])
        lt = np.maximum(lt, [f.echo for f in feats])
        if self.kx:
            kx, ky = self.kx, self.ky
            scores = np.interp(logits, kx, ky)
            for i in np.nonzero(~((logits > kx[0]) & (logits < kx[-1])))[0]:
                scores[i] = calibrate(float(logits[i]), kx, ky)
        else:
            scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -700, 700)))
        toks = np.clip(np.exp(np.minimum(lt, 20.0)), 1.0, MAX_ANSWER_TOKENS).astype(int)
        return scores, toks


def calibrate(v: float, kx: list[float], ky: list[float]) -> float:
    """Strictly increasing map through the knots ``(kx, ky)``; beyond the end knots the last
    segment's slope decays exponentially so the score stays inside (0, 1) and keeps ranking."""
    n = len(kx)
    if v <= kx[0]:
        s0 = (ky[1] - ky[0]) / (kx[1] - kx[0])
        return ky[0] * math.exp(max((v - kx[0]) * s0 / ky[0], -700.0))
    if v >= kx[-1]:
        s1 = (ky[-1] - ky[-2]) / (kx[-1] - kx[-2])
        return 1.0 - (1.0 - ky[-1]) * math.exp(max(-(v - kx[-1]) * s1 / (1.0 - ky[-1]), -700.0))
    i = bisect_right(kx, v) - 1
    if i >= n - 1:
        i = n - 2
    return ky[i] + (ky[i + 1] - ky[i]) * (v - kx[i]) / (kx[i + 1] - kx[i])


def sigmoid(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def answer_tokens_from_log(v: float) -> int:
    return int(min(max(math.exp(min(v, 20.0)), 1.0), MAX_ANSWER_TOKENS) + 1e-9)  # exp(log(19)) is 18.99999…: not 18
