"""skops persistence with a committed allow-list of types. Nothing is ever unpickled."""

from __future__ import annotations

import io
import json
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the serving path loads the .npz bundle and never imports scikit-learn
    from classifiers.model import ComplexityEstimator

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
DEFAULT_ARTIFACT = ARTIFACT_DIR / "default.skops"

#: The only non-default types an artifact may contain (numpy arrays and builtins are
#: trusted by skops itself). Anything else in a file is rejected before loading.
TRUSTED_TYPES: tuple[str, ...] = ("classifiers.model.ComplexityEstimator",)


#: What else a ComplexityEstimator's skops file holds: containers, strings and numbers, numpy arrays.
#: The serving path reads the .npz bundle and never the .skops file, so it checks the file's schema
#: against these itself (``untrusted_schema_types``) rather than importing skops.
_SCHEMA_TYPES = frozenset({"builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int", "builtins.float",
                           "builtins.bool", "numpy.ndarray", "numpy.float64", "numpy.int64"})


class ClassifierLoadError(Exception):
    """The artifact is missing, corrupt, untrusted, or of the wrong type."""

    #: The config key whose value could not be loaded (the CLI's one-line error names it).
    config_key = "classifier.artifact"


#: What reading a damaged zip file (a .skops artifact, an .npz bundle or head) raises: a cut or foreign
#: file, a byte flipped inside a deflated member (zlib), a header flag or version flipped to one zipfile
#: does not support (NotImplementedError) or to "encrypted" (RuntimeError), a broken member.
ZIP_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error,
                                               NotImplementedError, RuntimeError, MemoryError,
                                               SyntaxError, tokenize.TokenError, OverflowError)  # an .npy header numpy reads as a literal
#: Largest member an artifact's zip may inflate to (the shipped ones: 295 KB and 128 KB): a 1 MB file whose schema
#: inflated to 1 GiB took 7.7 s and could exhaust memory before it was refused.
MAX_MEMBER_BYTES = 64 * 1024 * 1024


def check_member_sizes(zf: zipfile.ZipFile, path: Path) -> None:
    """`ClassifierLoadError` if a member of the artifact's zip would inflate past `MAX_MEMBER_BYTES`."""
    for info in zf.infolist():
        if info.file_size > MAX_MEMBER_BYTES:
            raise ClassifierLoadError(f"classifier artifact {path} is corrupt: its member {info.filename} would inflate to "
                                      f"{info.file_size:,} bytes")


def untrusted_schema_types(path: str | Path) -> list[str]:
    """The types in a skops file's schema that are neither in :data:`TRUSTED_TYPES` nor plain data
    (the check skops makes before loading, without importing it); :class:`ClassifierLoadError` if the
    file is no skops file."""
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as zf:
            check_member_sizes(zf, p)
            schema = json.loads(zf.read("schema.json"))
    except ZIP_ERRORS as exc:
        raise ClassifierLoadError(f"classifier artifact {p} is corrupt or not a skops file: {exc}") from exc
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node or "__module__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(found - _SCHEMA_TYPES - set(TRUSTED_TYPES))


def save_estimator(est: ComplexityEstimator, path: str | Path) -> None:
    """Write ``est`` as a skops file, byte for byte the same for the same model (``_canonical``)."""
    import skops.io as sio

    Path(path).write_bytes(_canonical(sio.dumps(est)))


#: The timestamp of every member of a canonical artifact (the zip format's earliest).
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _canonical(data: bytes) -> bytes:
    """A skops file rewritten so that the same model gives the same bytes: skops names objects
    and array members by ``id()`` (memory addresses) and stamps members with the time, so two
    trainings of one model differed in every byte-level hash. Ids become their order of first
    appearance in the schema, members are stored in name order with a fixed timestamp."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        schema = json.loads(src.read("schema.json"))
        ids: dict[int, int] = {}
        _renumber(schema, ids)
        members = {"schema.json": json.dumps(schema, indent=2).encode("utf-8")}
        for info in src.infolist():
            if info.filename != "schema.json":
                members[_renamed(info.filename, ids)] = src.read(info)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name in sorted(members):
            dst.writestr(zipfile.ZipInfo(name, date_time=_EPOCH), members[name])
    return out.getvalue()


def _renamed(name: str, ids: dict[int, int]) -> str:
    """``"<id>.<ext>"`` with the id renumbered (``ids``: old -> order of first appearance)."""
    stem, dot, ext = name.partition(".")
    return f"{ids.setdefault(int(stem), len(ids) + 1)}{dot}{ext}" if stem.isdigit() else name


def _renumber(node: Any, ids: dict[int, int]) -> None:
    """Replace, in place, each ``__id__`` and each ``"<id>.<ext>"`` member name by the id's order
    of first appearance (``ids`` maps old to new)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "__id__" and isinstance(value, int):
                node[key] = ids.setdefault(value, len(ids) + 1)
            elif key == "file" and isinstance(value, str):
                node[key] = _renamed(value, ids)
            else:
                _renumber(value, ids)
    elif isinstance(node, list):
        for item in node:
            _renumber(item, ids)


def load_estimator(path: str | Path) -> ComplexityEstimator:
    """Load an estimator; only types in :data:`TRUSTED_TYPES` are accepted."""
    import skops.io as sio

    from classifiers.model import ComplexityEstimator

    p = Path(path)
    if not p.is_file():
        raise ClassifierLoadError(f"classifier artifact not found: {p}")
    try:
        with zipfile.ZipFile(p) as zf:
            check_member_sizes(zf, p)
        untrusted = sio.get_untrusted_types(file=str(p))
    except (*ZIP_ERRORS, TypeError) as exc:
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
    except (OSError, ValueError) as exc:  # ValueError: bad JSON, or bytes that are not UTF-8
        raise ClassifierLoadError(f"classifier metadata {meta} is unreadable: {exc}") from exc


def resolve(artifact: str | Path) -> Path:
    return DEFAULT_ARTIFACT if str(artifact) in ("", "default") else Path(artifact).expanduser()
