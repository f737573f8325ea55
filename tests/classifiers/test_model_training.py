"""The model's outputs, fit and training: metadata, tokens by effort, top features, determinism, level sets,
LOSO and the shipped artifact."""


import numpy as np
import pytest

from backends.reasoning import EFFORTS as GATEWAY_EFFORTS
from classifiers import ScoreResult, reasoning_tokens
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.model import ComplexityEstimator
from classifiers.train import ARTIFACT_VERSION
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD


def test_default_metadata_and_tokens(default):
    m = default.metadata
    assert m["version"] and m["training_files"] and m["library_versions"]["scikit-learn"]
    assert m["version"] == ARTIFACT_VERSION, "the shipped artifact is what `train` writes today (retrain it after a version bump)"
    short = default.score([{"role": "user", "content": "Answer yes or no: is 7 prime?"}])
    long = default.score([{"role": "user", "content": "Write a detailed 2000-word essay on the history of Rome."}])
    assert long.expected_answer_tokens > short.expected_answer_tokens


def test_top_features_are_named(default):
    r = default.score([{"role": "user", "content": OLYMPIAD}])
    assert 1 <= len(r.top_features) <= 5
    assert all(isinstance(n, str) and isinstance(v, float) for n, v in r.top_features)


def test_batch_equals_single(default):
    convs = [[{"role": "user", "content": t}] for t in EASY + HARD]
    batch = [r.score for r in default.score_batch(convs)]
    assert batch == pytest.approx([default.score(c).score for c in convs], abs=1e-9)


def test_expected_completion_tokens_by_effort():
    r = ScoreResult(0.8, 200, ())
    # every effort the gateway can ask an upstream for has a forecast, growing along its ladder
    vals = [r.expected_completion_tokens(e) for e in GATEWAY_EFFORTS]
    assert vals[0] == 200 and vals == sorted(vals) and vals[-1] > vals[-2]
    assert r.expected_completion_tokens("high", thinking_budget=1000) == 1200
    assert reasoning_tokens(0.9, "medium") > reasoning_tokens(0.1, "medium")
    with pytest.raises(ValueError):
        r.expected_completion_tokens("extreme")


def test_fit_is_deterministic():
    X, y = EASY + HARD, [0.1] * len(EASY) + [0.9] * len(HARD)
    a = ComplexityEstimator(hash_scale=0.5).fit(X, y)
    b = ComplexityEstimator(hash_scale=0.5).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_) and np.array_equal(a.hash_coef_, b.hash_coef_)
    p = a.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(1), 1)
    assert p[len(EASY):, 1].mean() > p[: len(EASY), 1].mean()


def test_reference_answers_teach_order_not_level():
    """Written reference answers (far terser than a chat model's) get their own intercept: their
    order within the set is learned, their level does not pull chat predictions down; passed as
    chat answers, the same rows would."""
    chat = EASY + HARD
    chat_tokens = [50.0] * len(EASY) + [400.0] * len(HARD)

    def fit(refs: list[str], ref_tokens: list[float], name: str | None) -> ComplexityEstimator:
        return ComplexityEstimator(tokens_hash_scale=0.0, tokens_alpha=1.0).fit(
            chat + refs, [0.5] * (len(chat) + len(refs)), answer_tokens=chat_tokens + ref_tokens,
            answer_references=[None] * len(chat) + [name] * len(refs))

    def level(est: ComplexityEstimator) -> float:
        return float(np.mean(np.log(est.predict_tokens(HARD)) - np.log(chat_tokens[len(EASY):])))

    alone = ComplexityEstimator(tokens_hash_scale=0.0, tokens_alpha=1.0).fit(
        chat, [0.5] * len(chat), answer_tokens=chat_tokens)
    terse = (list(HARD), [20.0] * len(HARD))  # the same problems, answers written 20x terser
    assert abs(level(fit(*terse, "exercises")) - level(alone)) < 0.1
    assert level(fit(*terse, None)) < level(alone) - 0.5
    steps = [f"Exercise {k}: {h}" + " Justify each step." * k for k, h in enumerate(HARD, 1)]
    ranked = fit(steps, [5.0 * k for k in range(1, len(HARD) + 1)], "exercises").predict_tokens(steps)
    assert np.corrcoef(np.argsort(np.argsort(ranked)), np.arange(len(steps)))[0, 1] > 0.8


IDENTIFY = [f"Identify the programming language of the given code.\n\n{c}" for c in (
    "print('hi')", "fmt.Println(x)", "console.log(y);", "puts 'a'", "echo $HOME", "SELECT 1;", "printf(\"%d\", n);")]


def test_a_level_set_teaches_its_level_but_keeps_the_chat_level():
    """A reference set in ``tokens_level_sets`` (the Self-Instruct seed tasks: everyday instructions, written
    answers) teaches that its kind of request gets a short answer -- a held-out one is forecast shorter than with
    the set's free intercept -- while the chat rows' mean log residual stays zero (the set does not pull every
    forecast down)."""
    chat = EASY + HARD
    chat_tokens = [50.0] * len(EASY) + [400.0] * len(HARD)

    def fit(level_sets: tuple[str, ...]) -> ComplexityEstimator:
        return ComplexityEstimator(tokens_hash_scale=2.0, tokens_alpha=1.0, tokens_level_sets=level_sets).fit(
            chat + IDENTIFY[:-1], [0.5] * (len(chat) + len(IDENTIFY) - 1),
            answer_tokens=chat_tokens + [3.0] * (len(IDENTIFY) - 1),
            answer_references=[None] * len(chat) + ["seed_tasks"] * (len(IDENTIFY) - 1))

    def log_tokens(est: ComplexityEstimator, texts: list[str]) -> np.ndarray:
        return np.array([est.log_tokens_one(est.featurize(t)) for t in texts])

    free, level = fit(()), fit(("seed_tasks",))
    held_out = IDENTIFY[-1:]
    assert log_tokens(level, held_out)[0] < log_tokens(free, held_out)[0] - 0.5
    for est in (free, level):
        assert abs(float(np.mean(log_tokens(est, chat) - np.log(chat_tokens)))) < 1e-6


def test_a_level_set_without_rows_is_warned_of():
    """A misspelt or absent name in ``tokens_level_sets`` changes nothing: training says so rather than fit silently."""
    chat = EASY + HARD
    with pytest.warns(UserWarning, match="seed_taks"):
        ComplexityEstimator(tokens_level_sets=("seed_taks",)).fit(
            chat + IDENTIFY, [0.5] * (len(chat) + len(IDENTIFY)), answer_tokens=[50.0] * len(chat) + [3.0] * len(IDENTIFY),
            answer_references=[None] * len(chat) + ["seed_tasks"] * len(IDENTIFY))


def test_loso_reports_each_held_out_sources_answer_level():
    """A held-out source whose answers run 10x the others' ranks fine within itself but is forecast at the
    others' level: ``tokens_per_source`` says so (median forecast / answer), which its Spearman cannot."""
    from classifiers.data import Example
    from classifiers.train import loso

    def rows(source: str, texts: list[str], tokens: float) -> list[Example]:
        return [Example(t, source, 0.5, answer_tokens=tokens * (1 + k)) for k, t in enumerate(texts)]

    wordy = [f"Please: {t}" for t in EASY + HARD]
    examples = rows("alpaca:terse", EASY + HARD, 20.0) + rows("alpaca:wordy", wordy, 200.0)
    report = loso(examples, [], ("alpaca:terse", "alpaca:wordy"), log=lambda *_: None, tokens_hash_scale=0.0,
                  tokens_alpha=1.0)
    level = {src: row["median_predicted_over_actual"] for src, row in report["tokens_per_source"].items()}
    assert level["alpaca:wordy"] < 0.3 and level["alpaca:terse"] > 3.0


def test_the_shipped_artifact_is_what_train_writes(default, shared_data, tmp_path):
    """``train`` on ``shared/`` reproduces the committed artifact: byte for byte with the library
    versions and BLAS kernels it was trained with (a featurizer change without a retrain fails here), to the
    sixth decimal of every probe score with others (their float arithmetic may differ: another CPU's
    OpenBLAS kernel moved coefficients by a few ulps)."""
    import json

    from classifiers.classifier import load_classifier
    from classifiers.persist import DEFAULT_ARTIFACT
    from classifiers.train import library_versions, train_artifact

    meta = json.loads(DEFAULT_ARTIFACT.with_suffix(".json").read_text(encoding="utf-8"))
    fresh = train_artifact(shared_data, tmp_path / "again.skops", validate=False, log=lambda *_: None)
    here = library_versions()
    assert fresh["library_versions"] == here
    probes = [[{"role": "user", "content": t}] for t in (*EASY, *HARD, OLYMPIAD)]
    again = load_classifier(str(tmp_path / "again.skops"))
    assert [r.score for r in again.score_batch(probes)] == pytest.approx([r.score for r in default.score_batch(probes)],
                                                                         abs=1e-6)
    if here == meta["library_versions"]:
        assert fresh["artifact_sha256"] == meta["artifact_sha256"]
        assert fresh["inference_bundle"]["sha256"] == meta["inference_bundle"]["sha256"]


def test_top_features_name_what_the_prompt_lacks_as_absent(default):
    """Contributions are measured from the training mean, so a lacking feature shows up too: "What is the capital of
    France?" listed "LaTeX commands −0.28", as if it held LaTeX; it is named "no LaTeX commands"."""
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    features = dict(zip(FEATURE_NAMES, default.estimator.featurize(messages).h, strict=True))
    top = dict(default.score(messages).top_features)
    assert "no LaTeX commands" in top and "LaTeX commands" not in top
    for name in top:
        base = name.removeprefix("no ")
        if base in features:
            assert (features[base] == 0) == name.startswith("no "), (name, features[base])
    # a prior that is 0 below its anchor is no absent feature: a short closed problem is still one
    for prompt in ("Solve 3x + 5 = 20.", "Write a haiku about autumn."):  # ("x^2" is notation: 80)
        names = [n for n, _ in default.score([{"role": "user", "content": prompt}]).top_features]
        assert "short or no closed problem" in names and "no length in a closed problem" not in names
    long_problem = "Solve for x, showing every step: " + "3x + 7 = 2(x - 4) + 5x - 9, then check it. " * 6
    assert "length in a closed problem" in [n for n, _ in default.score([{"role": "user", "content": long_problem}]).top_features]
