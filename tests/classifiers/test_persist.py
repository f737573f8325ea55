from pathlib import Path

import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression

from classifiers import ClassifierLoadError, load_classifier
from classifiers.classifier import ComplexityClassifier
from classifiers.persist import save_estimator
from tests.classifiers.conftest import EASY, HARD


def test_round_trip(tmp_path: Path, tiny_classifier):
    p = tmp_path / "m.skops"
    save_estimator(tiny_classifier.estimator, p)
    loaded = load_classifier(str(p))
    for t in EASY + HARD:
        m = [{"role": "user", "content": t}]
        assert loaded.score(m) == tiny_classifier.score(m)


def test_untrusted_types_rejected(tmp_path: Path):
    p = tmp_path / "evil.skops"
    sio.dump({"model": LogisticRegression()}, str(p))
    with pytest.raises(ClassifierLoadError, match="untrusted"):
        load_classifier(str(p))


def test_wrong_object_rejected(tmp_path: Path):
    p = tmp_path / "dict.skops"
    sio.dump({"a": 1}, str(p))
    with pytest.raises(ClassifierLoadError, match="ComplexityEstimator"):
        load_classifier(str(p))


@pytest.mark.parametrize("payload", [b"", b"not a zip file", b"PK\x03\x04garbage" * 10])
def test_corrupt_rejected(tmp_path: Path, payload: bytes):
    p = tmp_path / "bad.skops"
    p.write_bytes(payload)
    with pytest.raises(ClassifierLoadError):
        load_classifier(str(p))


def test_pickle_is_never_loaded(tmp_path: Path):
    import pickle

    p = tmp_path / "model.pkl"
    p.write_bytes(pickle.dumps({"x": 1}))
    with pytest.raises(ClassifierLoadError):
        load_classifier(str(p))


def test_missing_rejected(tmp_path: Path):
    with pytest.raises(ClassifierLoadError, match="not found"):
        load_classifier(str(tmp_path / "nope.skops"))


def test_the_same_model_is_saved_as_the_same_bytes(tmp_path: Path, tiny_estimator):
    """skops names members by ``id()`` and stamps the time; the saved file is canonical."""
    import copy
    import zipfile

    a, b = tmp_path / "a.skops", tmp_path / "b.skops"
    save_estimator(tiny_estimator, a)
    save_estimator(copy.deepcopy(tiny_estimator), b)  # other objects, other ids
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    msgs = [{"role": "user", "content": t} for t in (*EASY, *HARD)]
    loaded = load_classifier(str(a))
    assert [loaded.score([m]).score for m in msgs] == [ComplexityClassifier(tiny_estimator, {}).score([m]).score
                                                       for m in msgs]
