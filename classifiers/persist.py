"""skops persistence with a committed allow-list of types. Nothing is ever unpickled."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the serving path loads the .npz bundle and never imports scikit-learn
    from classifiers.model import ComplexityEstimator

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
DEFAULT_ARTIFACT = ARTIFACT_DIR / "default.skops"

#: The only non-default types an artifact may contain (numpy arrays and builtins are
#: trusted by skops itself). Anything else in a file is rejected before loading.
TRUSTED_TYPES: tuple[str, ...] = ("classifiers.model.ComplexityEstimator",)


class ClassifierLoadError(Exception):
    """The artifact is missing, corrupt, untrusted, or of the wrong type."""


def save_estimator(est: ComplexityEstimator, path: str | Path) -> None:
    import skops.io as sio

    sio.dump(est, str(path))


def load_estimator(path: str | Path) -> ComplexityEstimator:
    """Load an estimator; only types in :data:`TRUSTED_TYPES` are accepted."""
    import skops.io as sio

    from classifiers.model import ComplexityEstimator

    p = Path(path)
    if not p.is_file():
        raise ClassifierLoadError(f"classifier artifact not found: {p}")
    try:
        untrusted = sio.get_untrusted_types(file=str(p))
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, ValueError, OSError, TypeError) as exc:
        raise ClassifierLoadError(f"classifier artifact {p} is corrupt or not a skops file: {exc}") from exc
    bad = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if bad:
        raise ClassifierLoadError(f"classifier artifact {p} contains untrusted types {bad}; refusing to load it")
    try:
        est = sio.load(str(p), trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # skops raises many types on malformed content
        raise ClassifierLoadError(f"classifier artifact {p} could not be loaded: {exc}") from exc
    if not isinstance(est, ComplexityEstimator) or not hasattr(est, "coef_"):
        raise ClassifierLoadError(f"classifier artifact {p} does not hold a fitted ComplexityEstimator")
    return est


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The JSON metadata beside an artifact (empty dict if absent)."""
    meta = Path(path).with_suffix(".json")
    if not meta.is_file():
        return {}
    try:
        return json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ClassifierLoadError(f"classifier metadata {meta} is unreadable: {exc}") from exc


def resolve(artifact: str | Path) -> Path:
    return DEFAULT_ARTIFACT if str(artifact) in ("", "default") else Path(artifact).expanduser()
