"""The serving path: the .npz inference bundle, its consistency checks and its imports."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifiers import ClassifierLoadError, load_classifier
from classifiers.bundle import bundle_path, sha256_file, write_bundle
from classifiers.inference import LinearScorer
from classifiers.model import ComplexityEstimator
from classifiers.persist import DEFAULT_ARTIFACT, save_estimator
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD
from tests.classifiers.zipdamage import damaged

ROOT = Path(__file__).resolve().parents[2]


def _u(t: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": t}]


@pytest.fixture()
def exported(tmp_path: Path, tiny_estimator: ComplexityEstimator) -> Path:
    p = tmp_path / "m.skops"
    save_estimator(tiny_estimator, p)
    write_bundle(tiny_estimator, p)
    return p


def test_serving_imports_neither_sklearn_nor_scipy_nor_skops():
    code = ("import sys\n"
            "from classifiers import load_classifier\n"
            "c = load_classifier('default')\n"
            "r = c.score([{'role': 'user', 'content': 'Prove that there are infinitely many primes.'}])\n"
            "c.score_batch([[{'role': 'user', 'content': 'hi'}]])\n"
            "assert r.top_features and 0 < r.score < 1\n"
            "import router.cli, router.classifier_commands\n"  # the `complexity-router serve` entry point
            "print(type(c.estimator).__name__, sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'skops'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["LinearScorer", "[]"], out


def test_default_bundle_is_the_default_artifact():
    meta = json.loads(DEFAULT_ARTIFACT.with_suffix(".json").read_text())
    info = meta["inference_bundle"]
    assert info["skops_sha256"] == meta["artifact_sha256"] == sha256_file(DEFAULT_ARTIFACT)
    assert info["sha256"] == sha256_file(bundle_path(DEFAULT_ARTIFACT))
    assert isinstance(load_classifier().estimator, LinearScorer)


def test_bundle_scores_like_the_estimator(exported: Path, tiny_classifier):
    clf = load_classifier(str(exported))
    assert isinstance(clf.estimator, LinearScorer)
    convs = [_u(t) for t in EASY + HARD + [OLYMPIAD]]
    for c in convs:
        assert clf.score(c) == tiny_classifier.score(c)  # score, tokens and top features, exactly
    assert clf.score_batch(convs) == tiny_classifier.score_batch(convs)


def test_bundle_is_reproducible(exported: Path, tiny_estimator: ComplexityEstimator):
    first = exported.with_suffix(".npz").read_bytes()
    write_bundle(tiny_estimator, exported)
    assert exported.with_suffix(".npz").read_bytes() == first


def test_stale_bundle_falls_back_to_the_skops_file(exported: Path, tiny_estimator: ComplexityEstimator, caplog):
    import copy

    est = copy.deepcopy(tiny_estimator)
    est.tok_intercept_ += 1.0  # "retrained": a new .skops, the old bundle left beside it
    save_estimator(est, exported)
    with caplog.at_level(logging.WARNING, logger="classifiers.classifier"):
        clf = load_classifier(str(exported))
    assert isinstance(clf.estimator, ComplexityEstimator)
    assert "another version" in caplog.text


@pytest.mark.parametrize("payload", [b"", b"not a zip", b"PK\x03\x04garbage" * 10])
def test_corrupt_bundle_is_a_load_error(exported: Path, payload: bytes):
    exported.with_suffix(".npz").write_bytes(payload)
    with pytest.raises(ClassifierLoadError, match="corrupt"):
        load_classifier(str(exported))


def _rewrite(path: Path, **changes: np.ndarray) -> None:
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(changes)
    np.savez(path, **arrays)


def test_mismatched_bundle_is_a_load_error(exported: Path):
    npz = exported.with_suffix(".npz")
    _rewrite(npz, coef_=np.zeros(3))
    with pytest.raises(ClassifierLoadError, match="coef_ has shape"):
        load_classifier(str(exported))
    _rewrite(npz, feature_version=np.array("0"))
    with pytest.raises(ClassifierLoadError, match="feature version 0"):
        load_classifier(str(exported))


@pytest.mark.parametrize(("field", "value"), [("tok_hash_coef_", "nan"), ("coef_", "inf"), ("tokens_hash_scale", "huge")])
def test_a_bundle_with_numbers_no_training_makes_is_a_load_error(exported: Path, field: str, value: str):
    """A NaN in one word's coefficient passed the start-up probes and then failed every request with that
    word (a 500); a tokens_hash_scale of 1e308 made every answer 16,384 tokens."""
    npz = exported.with_suffix(".npz")
    with np.load(npz, allow_pickle=False) as f:
        array = f[field].astype(float)
    if value == "huge":
        array = np.array(1e308)
    else:
        array[7] = np.nan if value == "nan" else np.inf
    _rewrite(npz, **{field: array})
    with pytest.raises(ClassifierLoadError, match=f"{field} holds values that are not finite"):
        load_classifier(str(exported))


def test_metadata_that_is_not_utf8_is_a_load_error(exported: Path):
    exported.with_suffix(".json").write_bytes(b'{"feature_version": "\xff"}')
    with pytest.raises(ClassifierLoadError, match="metadata"):
        load_classifier(str(exported))


def test_an_untrusted_artifact_fails_start_up_even_beside_a_matching_bundle(exported: Path):
    """The bundle is only numbers, but the artifact it stands for must be trusted too: a .skops file
    naming `os.system`, with a bundle re-stamped to its hash, served before."""
    with zipfile.ZipFile(exported) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    schema = json.loads(members["schema.json"])
    schema["content"]["evil"] = {"__class__": "system", "__module__": "os", "__loader__": "ObjectNode", "__id__": 9999}
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(exported, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    _rewrite(exported.with_suffix(".npz"), skops_sha256=np.array(sha256_file(exported)))
    with pytest.raises(ClassifierLoadError, match=r"untrusted types \['os.system'\]"):
        load_classifier(str(exported))


def test_a_bundle_other_than_the_one_the_metadata_records_fails_start_up(exported: Path):
    exported.with_suffix(".json").write_text(json.dumps({"inference_bundle": {"sha256": "0" * 64}}))
    with pytest.raises(ClassifierLoadError, match="not the one its metadata records"):
        load_classifier(str(exported))


def test_bundle_never_unpickles(exported: Path):
    npz = exported.with_suffix(".npz")
    with np.load(npz, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["coef_"] = np.array([{"a": 1}], dtype=object)  # an object array needs pickle to load
    np.savez(npz, **arrays)
    with pytest.raises(ClassifierLoadError, match="corrupt"):
        load_classifier(str(exported))
    with zipfile.ZipFile(npz) as zf:
        assert "coef_.npy" in zf.namelist()


def test_incomplete_bundle_is_a_load_error(exported: Path):
    npz = exported.with_suffix(".npz")
    with np.load(npz, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files if k != "tok_coef_"}
    np.savez(npz, **arrays)
    with pytest.raises(ClassifierLoadError, match="lacks"):
        load_classifier(str(exported))


def test_top_features_are_computed_when_read(default):
    r = default.score(_u(OLYMPIAD))
    assert r._top is None  # not computed by score()
    top = r.top_features
    assert top == default.estimator.contributions(default.estimator.featurize(_u(OLYMPIAD)))
    assert r.top_features is top and 1 <= len(top) <= 5


def test_export_command_writes_and_records_the_bundle(tmp_path: Path, tiny_estimator: ComplexityEstimator, capsys):
    import argparse

    from classifiers.commands import register

    p = tmp_path / "m.skops"
    save_estimator(tiny_estimator, p)
    p.with_suffix(".json").write_text('{"version": "test"}')
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["export", "--artifact", str(p)])
    assert args.func(args) == 0
    meta = json.loads(p.with_suffix(".json").read_text())
    assert meta["version"] == "test"
    assert meta["inference_bundle"] == {"file": "m.npz", "sha256": sha256_file(p.with_suffix(".npz")),
                                        "skops_sha256": sha256_file(p)}
    assert isinstance(load_classifier(str(p)).estimator, LinearScorer)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_damage_to_the_bundle_or_the_artifact_is_a_load_error(tmp_path: Path, data: st.DataObject):
    """A cut file, or a byte flipped anywhere, is refused with the load error or still loads; nothing
    else escapes (zlib's error inside a deflated member, zipfile's NotImplementedError for a flipped
    version or method, its RuntimeError for a flipped "encrypted" flag all did once)."""
    from classifiers.bundle import read_bundle
    from classifiers.classifier import validate
    from classifiers.persist import load_estimator

    if data.draw(st.booleans(), label="bundle"):
        path = tmp_path / "default.npz"
        path.write_bytes(damaged(DEFAULT_ARTIFACT.with_suffix(".npz").read_bytes(), data))
        try:
            params = read_bundle(path, sha256_file(DEFAULT_ARTIFACT))
            if params is not None:
                validate(params, {}, path)
        except ClassifierLoadError:
            pass
    else:
        path = tmp_path / "default.skops"
        path.write_bytes(damaged(DEFAULT_ARTIFACT.read_bytes(), data))
        try:
            load_estimator(path)
        except ClassifierLoadError:
            pass


def test_arrays_that_are_no_real_numbers_are_a_load_error(exported: Path):
    """Complex coefficients passed (every prompt then scored 0.7173, all traffic on one tier), as did numbers as strings."""
    npz = exported.with_suffix(".npz")
    with np.load(npz, allow_pickle=False) as f:
        coef = f["coef_"]
    _rewrite(npz, coef_=coef * 1j)
    with pytest.raises(ClassifierLoadError, match="coef_ holds complex128 values, not real numbers"):
        load_classifier(str(exported))


def test_metadata_whose_bundle_record_is_no_object_is_a_load_error(exported: Path):
    exported.with_suffix(".json").write_text(json.dumps({"inference_bundle": "x"}))
    with pytest.raises(ClassifierLoadError, match="inference_bundle is not an object"):
        load_classifier(str(exported))


@pytest.mark.parametrize("member", ["skops", "npz"])
def test_a_member_that_would_inflate_past_the_cap_is_refused_before_it_is_read(exported: Path, member: str, monkeypatch: pytest.MonkeyPatch):
    """A 1 MB artifact whose schema inflated to 1 GiB was read whole (7.7 s, and memory); an array header claiming 72 TiB
    raised numpy's MemoryError, a traceback. Sizes are checked first, and a MemoryError is a load error."""
    from classifiers import persist

    monkeypatch.setattr(persist, "MAX_MEMBER_BYTES", 1000)  # the shipped members are far larger than this cap: any trips it
    if member == "npz":
        with pytest.raises(ClassifierLoadError, match="would inflate to"):
            load_classifier(str(exported))
    else:
        exported.with_suffix(".npz").unlink()
        with pytest.raises(ClassifierLoadError, match="m.skops is corrupt: its member .* would inflate to"):
            load_classifier(str(exported))


@pytest.mark.parametrize("header", [b"{'''", b"{'descr': '<f8'}}", b"{'descr': (",
                                    b"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }"])
def test_an_array_header_numpy_cannot_parse_is_a_load_error(tmp_path: Path, header: bytes):
    """numpy reads an .npy header with `ast.literal_eval`: a flipped byte made it a SyntaxError or tokenize's TokenError,
    which escaped the load error (found by the damage property above); a shape past a C long, an OverflowError."""
    from classifiers.bundle import read_bundle

    body = header.ljust(118) + b"\n"
    member = b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body + b"\x00" * 8
    path = tmp_path / "default.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("coef_.npy", member)
    with pytest.raises(ClassifierLoadError):
        read_bundle(path, "0" * 64)
