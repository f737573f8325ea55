"""The inference bundle: the fitted arrays of a ``.skops`` artifact as a plain ``.npz``.

The ``.skops`` file stays the source of truth (trusted-type checked, used by training,
evaluation and calibration). The bundle beside it (``default.npz`` next to ``default.skops``)
holds only numbers and strings, is read with ``np.load(allow_pickle=False)`` (no object can
be unpickled from it) and records the sha256 of the ``.skops`` file it was exported from, so
a gateway worker can serve without importing scikit-learn, scipy or skops, and a bundle left
over from an older artifact is detected and ignored.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.feature_schema import FEATURE_VERSION
from classifiers.inference import ARRAYS, NAMES, OPTIONAL_ARRAYS, PARAMS, SCALARS, params_of
from classifiers.persist import ZIP_ERRORS, ClassifierLoadError, check_member_sizes

BUNDLE_FORMAT = "1"
_META = ("bundle_format", "feature_version", "skops_sha256")


def bundle_path(artifact: str | Path) -> Path:
    return Path(artifact).with_suffix(".npz")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_npz(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an ``.npz`` that is byte-for-byte the same for the same arrays (fixed zip
    dates, sorted members) and needs no pickle to read."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[k], allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(f"{k}.npy", date_time=(1980, 1, 1, 0, 0, 0)), member.getvalue(),
                        compress_type=zipfile.ZIP_DEFLATED)
    Path(path).write_bytes(buf.getvalue())


def read_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` at ``path``, read with ``allow_pickle=False``; one of
    ``classifiers.persist.ZIP_ERRORS`` when the file is damaged."""
    with zipfile.ZipFile(path) as zf:  # an array header may claim any shape: sizes checked before numpy allocates them
        check_member_sizes(zf, Path(path))
    with np.load(Path(path), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def write_bundle(estimator: Any, artifact: str | Path) -> dict[str, str]:
    """Write the bundle of the fitted ``estimator`` saved at ``artifact`` (.skops); returns
    what the JSON metadata records about it. Byte-for-byte reproducible (fixed zip dates)."""
    arrays: dict[str, np.ndarray] = {
        "bundle_format": np.array(BUNDLE_FORMAT), "feature_version": np.array(FEATURE_VERSION),
        "skops_sha256": np.array(sha256_file(artifact)),
    }
    for k, v in params_of(estimator).items():
        if v is None:
            continue
        arrays[k] = np.array([str(x) for x in v]) if k in NAMES else np.asarray(v)
        if arrays[k].dtype == object:
            raise ValueError(f"{k} would need pickle")
    out = bundle_path(artifact)
    write_npz(out, arrays)
    return {"file": out.name, "sha256": sha256_file(out), "skops_sha256": str(arrays["skops_sha256"])}


def read_bundle(path: str | Path, skops_sha256: str) -> dict[str, Any] | None:
    """The scoring parameters stored in the bundle at ``path``; ``None`` if it was exported from
    a different ``.skops`` file (stale). :class:`ClassifierLoadError` if it is unreadable or
    incomplete (shapes and names are checked afterwards by ``validate``)."""
    p = Path(path)
    try:
        raw = read_npz(p)
    except ZIP_ERRORS as exc:
        raise ClassifierLoadError(f"classifier bundle {p} is corrupt or not an .npz file: {exc}") from exc
    missing = [k for k in (*_META, *ARRAYS, "intercept_", "tok_intercept_", "hash_scale", "tokens_hash_scale")
               if k not in raw]
    if missing:
        raise ClassifierLoadError(f"classifier bundle {p} lacks {missing}; re-export it with "
                                  "`complexity-router export`")
    if str(raw["bundle_format"]) != BUNDLE_FORMAT:
        raise ClassifierLoadError(f"classifier bundle {p} has format {raw['bundle_format']}, expected "
                                  f"{BUNDLE_FORMAT}; re-export it with `complexity-router export`")
    if str(raw["skops_sha256"]) != skops_sha256:
        return None
    params: dict[str, Any] = {k: None for k in PARAMS}
    for k in ARRAYS + OPTIONAL_ARRAYS:
        if k in raw:
            params[k] = raw[k]
    for k in SCALARS:
        if k in raw:
            if raw[k].shape != ():
                raise ClassifierLoadError(f"classifier bundle {p}: {k} has shape {raw[k].shape}, expected a scalar")
            params[k] = raw[k].item()
    for k in NAMES:
        if k in raw:
            params[k] = [str(x) for x in raw[k].tolist()]
    params["feature_version"] = str(raw["feature_version"])
    return params
