"""Score scale (calibrated map), load-time validation, the narrowed fallback, and fast paths."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import numpy as np
import pytest

from classifiers import ClassifierLoadError, load_classifier
from classifiers import classifier as clf_mod
from classifiers.features import _slice, lexicon_counts, lexicon_counts_reference, words_of
from classifiers.model import ComplexityEstimator, _calibrate
from classifiers.persist import save_estimator
from classifiers.shape import SHAPE_GROUPS, shape_cues
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _u(t: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": t}]


def test_map_is_strictly_monotone_and_inside_unit_interval():
    kx, ky = [-2.0, -1.0, 0.5, 2.0], [0.02, 0.4, 0.75, 0.98]
    xs = np.linspace(-60, 60, 4001)
    ys = [_calibrate(float(x), kx, ky) for x in xs]
    assert all(0.0 <= y <= 1.0 for y in ys)
    assert all(b > a for a, b in itertools.pairwise(ys) if 1e-12 < a and b < 1 - 1e-12)
    assert _calibrate(-1.0, kx, ky) == pytest.approx(0.4) and _calibrate(0.5, kx, ky) == pytest.approx(0.75)


def test_default_artifact_stores_the_map(default):
    est = default.estimator
    assert np.all(np.diff(est.score_knots_x_) > 0) and np.all(np.diff(est.score_knots_y_) > 0)
    assert 0 < est.score_knots_y_[0] and est.score_knots_y_[-1] < 1
    cal = default.metadata["calibration"]
    assert cal["mix"] and cal["shares_at_0.40_0.75"]


def test_reference_mix_shares_50_30_20(default, shared_data):
    from classifiers.data import load_all
    from classifiers.train import reference_mix

    examples, _ = load_all(shared_data, seed=default.metadata.get("seed", 0))
    mix = reference_mix(examples, seed=default.metadata.get("seed", 0))
    s = np.array([r.score for r in default.score_batch([_u(e.text) for e in mix])])
    assert np.mean(s <= 0.40) == pytest.approx(0.5, abs=0.02)
    assert np.mean((s > 0.40) & (s <= 0.75)) == pytest.approx(0.3, abs=0.02)
    assert np.mean(s > 0.75) == pytest.approx(0.2, abs=0.02)


def test_easy_low_olympiad_high(default):
    for t in ("hi", "hello", "What is the capital of France?", "Who wrote Hamlet?", "thanks!", "good morning"):
        assert default.score(_u(t)).score <= 0.40, t
    assert default.score(_u(OLYMPIAD)).score > 0.75


def test_mismatched_artifact_fails_at_load(tmp_path: Path, tiny_estimator: ComplexityEstimator):
    import copy

    est = copy.deepcopy(tiny_estimator)
    for a in ("coef_", "mean_", "scale_", "tok_coef_"):
        setattr(est, a, getattr(est, a)[:-1])  # an artifact fitted on one feature fewer
    est.n_features_in_ -= 1
    p = tmp_path / "old.skops"
    save_estimator(est, p)
    with pytest.raises(ClassifierLoadError, match="does not match"):
        load_classifier(str(p))


def test_feature_version_mismatch_fails_at_load(tmp_path: Path, tiny_estimator: ComplexityEstimator):
    p = tmp_path / "m.skops"
    save_estimator(tiny_estimator, p)
    p.with_suffix(".json").write_text('{"feature_version": "0"}')
    with pytest.raises(ClassifierLoadError, match="feature version"):
        load_classifier(str(p))


def test_bugs_propagate_bad_input_falls_back_and_logs_once(tiny_estimator, monkeypatch, caplog):
    import copy

    est = copy.deepcopy(tiny_estimator)  # patched below; never the shared fixture
    tiny_classifier = clf_mod.ComplexityClassifier(est, {})

    def broken(x):
        raise KeyError("a bug, not bad input")

    monkeypatch.setattr(est, "featurize", broken)
    with pytest.raises(KeyError):
        tiny_classifier.score(_u("hi"))

    def hostile(x):
        raise ValueError("secret prompt text")

    monkeypatch.setattr(est, "featurize", hostile)
    monkeypatch.setattr(clf_mod, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="classifiers.classifier"):
        a = tiny_classifier.score(_u("secret prompt text"))
        b = tiny_classifier.score_batch([_u("secret prompt text")])[0]
    assert a.score == b.score == 0.5 and a.top_features[0][0] == "unparseable input"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "secret" not in warnings[0].getMessage()


def test_batch_matches_single(default):
    convs = [_u(t) for t in EASY + HARD + [OLYMPIAD, "x" * 50_000]] + [[], None, [{"role": "user", "content": 3}]]
    batch = default.score_batch(convs)
    for c, b in zip(convs, batch):
        s = default.score(c)
        assert b.score == pytest.approx(s.score, abs=1e-9)
        assert b.expected_answer_tokens == s.expected_answer_tokens
        assert [n for n, _ in b.top_features] == [n for n, _ in s.top_features]


def test_fast_lexicon_equals_reference():
    texts = EASY + HARD + [OLYMPIAD, "if and only if if and only if step by step how many ways how many",
                           "what is the what is the capital of " * 30]
    for t in texts:
        w = words_of(_slice(t).lower())
        assert lexicon_counts(w) == lexicon_counts_reference(w)


@pytest.mark.parametrize("written", ["1,000", "1000"])
def test_a_requested_length_reads_thousands_separators(written):
    """"a 1,000 word story" asks for 1,000 words (it read as "000": none), and its "1" is no list size."""
    head = f"write me a different {written} word cozy mini-mystery story"
    cues = shape_cues(head, head)
    k = len(SHAPE_GROUPS)
    assert cues[k + 1] == pytest.approx(np.log1p(1000)) and cues[k] == 0.0


def test_answer_tokens_follow_shape_cues(default):
    tok = lambda t: default.score(_u(t)).expected_answer_tokens
    assert tok("Answer in one word: what colour is the sky?") < tok("Write a detailed 1500-word essay on the causes of WWI.")
    short = "Rewrite this sentence more formally: " + "we went there and it was fine. "
    long = "Rewrite this text more formally: " + "we went there and it was fine. " * 40
    assert tok(long) > tok(short)
