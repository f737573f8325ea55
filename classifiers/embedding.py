"""Answer length from a sentence embedding: the optional `embedding` extra.

The default classifier predicts answer tokens from hand-made features and hashed words (LOSO
Spearman 0.46 on the chat-answered prompts of ``shared/data``). A ridge regression on the
embedding of the prompt (all-MiniLM-L6-v2) learns what kind of answer a request asks for, which
words alone miss; half its centred prediction, added to the default estimate's log tokens, lifts
the held-out Spearman to 0.565 and lowers the mean log error 0.584 → 0.563 (docs/classifier_history.md).
It changes only the token estimate, never the score: on routing the same stack measured no gain.

Nothing here imports torch or sentence-transformers until an embedder is built, and nothing is
ever downloaded: the model is a directory on disk the operator names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from classifiers.bundle import read_npz, write_npz
from classifiers.persist import ZIP_ERRORS, ClassifierLoadError
from classifiers.text import parse_messages

#: The packaged head (all-MiniLM-L6-v2), ``classifier.embedding.head: default``.
DEFAULT_HEAD = Path(__file__).resolve().parent / "artifacts" / "embedding-minilm.npz"
HEAD_FORMAT = "1"
#: Characters of a prompt that are embedded: more than the head's ``max_seq_length`` word pieces
#: span (128 pieces: about 500 English characters), and a bound on the tokenizer's work on huge prompts.
EMBED_MAX_CHARS = 2_000
#: Word pieces the model reads: 128, not MiniLM's 256, halves a long prompt's embedding time for the
#: same held-out figure (LOSO answer tokens 0.586 at 256, 0.583 at 128, 0.566 at 64; docs/classifier_history.md).
MAX_SEQ_LENGTH = 128
#: A fixed sentence whose embedding the head stores: a model directory that embeds it differently
#: is not the model the head was fitted on.
PROBE = "Explain how a hash table handles collisions, with an example in Python."
PROBE_MIN_COSINE = 0.99
#: Largest log-token correction applied (e^2 ≈ 7.4x either way): a stray embedding cannot send an
#: estimate to a million tokens.
MAX_LOG_DELTA = 2.0


class EmbeddingLoadError(ClassifierLoadError):
    """The embedding head or model is corrupt, or the two do not belong together."""

    config_key = "classifier.embedding"


class Embedder(Protocol):
    """Turns texts into unit-length rows (one per text)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory, offline."""

    def __init__(self, model_dir: str | Path, threads: int = 1, max_seq_length: int = MAX_SEQ_LENGTH) -> None:
        path = Path(model_dir).expanduser()
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise FileNotFoundError(f"no sentence-transformers model in {path} (config.json / modules.json missing)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a model name mistaken for a path must not reach for the hub
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a loading bar per start-up in the gateway's log
        torch.set_num_threads(threads)
        self.model_dir = path
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._model.max_seq_length = max_seq_length

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = self._model.encode(list(texts), batch_size=32, show_progress_bar=False,
                                  normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(rows, dtype=np.float32)


def embedding_text(messages: Any) -> str:
    """What is embedded for a conversation: its last user turn, as the classifier reads it (the
    training rows are single prompts), cut to ``EMBED_MAX_CHARS``; serving and training both embed this."""
    return parse_messages(messages).last_user[:EMBED_MAX_CHARS]


class AnswerTokensHead:
    """Ridge regression from an embedding to log answer tokens; ``log_delta`` is its prediction
    minus its mean prediction on the training rows, times ``weight`` (the correction added to the
    default estimate's log tokens). ``alpha`` and ``weight`` were chosen by LOSO (docs/classifier_history.md:
    weight 0.75 ranks answers best, 0.5 keeps most of that and is the more accurate estimate);
    ``max_seq_length`` is how many word pieces the embeddings it is fitted on read (serving reads as many)."""

    def __init__(self, alpha: float = 1.0, weight: float = 0.5, max_seq_length: int = MAX_SEQ_LENGTH) -> None:
        self.alpha = alpha
        self.weight = weight
        self.max_seq_length = max_seq_length

    def fit(self, embeddings: np.ndarray, log_tokens: np.ndarray) -> AnswerTokensHead:
        X = np.asarray(embeddings, dtype=np.float64)
        y = np.asarray(log_tokens, dtype=np.float64)
        x_mean, y_mean = X.mean(axis=0), y.mean()
        Xc = X - x_mean
        coef = np.linalg.solve(Xc.T @ Xc + self.alpha * np.eye(X.shape[1]), Xc.T @ (y - y_mean))
        self.coef_ = coef
        self.intercept_ = float(y_mean - x_mean @ coef)
        self.centre_ = float((X @ coef).mean() + self.intercept_)
        return self

    def log_delta(self, embeddings: np.ndarray) -> np.ndarray:
        raw = np.asarray(embeddings, dtype=np.float64) @ self.coef_ + self.intercept_ - self.centre_
        delta = np.clip(self.weight * raw, -MAX_LOG_DELTA, MAX_LOG_DELTA)
        return np.where(np.isfinite(delta), delta, 0.0)  # a NaN row (a zero vector normalised) corrects nothing

    # -- persistence: numbers only, read with allow_pickle=False -----------------------
    def save(self, path: str | Path, probe_embedding: np.ndarray, metadata: Mapping[str, Any]) -> None:
        """Write the head (``.npz``) and its metadata (``.json`` beside it), byte-for-byte reproducible."""
        arrays = {"head_format": np.array(HEAD_FORMAT), "coef_": self.coef_, "intercept_": np.array(self.intercept_),
                  "centre_": np.array(self.centre_), "alpha": np.array(self.alpha), "weight": np.array(self.weight),
                  "max_seq_length": np.array(self.max_seq_length),
                  "probe_embedding_": np.asarray(probe_embedding, dtype=np.float64)}
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_npz(out, arrays)
        out.with_suffix(".json").write_text(json.dumps(dict(metadata), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> tuple[AnswerTokensHead, np.ndarray]:
        """The head at ``path`` and the probe embedding it was fitted with; :class:`EmbeddingLoadError`
        when the file is missing, corrupt, or holds numbers a head cannot have."""
        p = DEFAULT_HEAD if str(path) in ("", "default") else Path(path).expanduser()
        try:
            raw = read_npz(p)
        except (*ZIP_ERRORS, ClassifierLoadError) as exc:  # read_npz's own checks (a member inflating past its cap) name it an artifact
            raise EmbeddingLoadError(f"embedding head {p} is missing, corrupt or not an .npz file: {exc}") from exc
        missing = [k for k in ("head_format", "coef_", "intercept_", "centre_", "alpha", "weight", "max_seq_length",
                               "probe_embedding_")
                   if k not in raw]
        if missing or str(raw.get("head_format")) != HEAD_FORMAT:
            raise EmbeddingLoadError(f"embedding head {p} is not a format-{HEAD_FORMAT} head (lacks {missing}); "
                                      "retrain it with `complexity-router train-embedding`")
        coef, probe = raw["coef_"], raw["probe_embedding_"]
        numbers = [coef, probe, *(raw[k] for k in ("intercept_", "centre_", "alpha", "weight"))]
        if (coef.ndim != 1 or probe.shape != coef.shape or not all(np.all(np.isfinite(a)) for a in numbers)
                or not 0 < float(raw["weight"]) <= 1 or not 8 <= int(raw["max_seq_length"]) <= 8192):
            raise EmbeddingLoadError(f"embedding head {p} holds coefficients of mismatched shapes or values that "
                                      "are not finite numbers")
        head = cls(alpha=float(raw["alpha"]), weight=float(raw["weight"]), max_seq_length=int(raw["max_seq_length"]))
        head.coef_ = coef.astype(np.float64)
        head.intercept_, head.centre_ = float(raw["intercept_"]), float(raw["centre_"])
        return head, probe.astype(np.float64)


def check_probe(embedder: Embedder, probe_embedding: np.ndarray, head_path: str | Path) -> None:
    """Refuse a model directory that is not the model the head was fitted on (another model, or
    another dimension): its corrections would be noise."""
    got = np.asarray(embedder.encode([PROBE]), dtype=np.float64)
    if got.shape != (1, probe_embedding.shape[0]):
        raise EmbeddingLoadError(f"embedding head {head_path} was fitted on {probe_embedding.shape[0]}-dimensional "
                                  f"embeddings; this model gives {got.shape[-1]}")
    cosine = float(got[0] @ probe_embedding / (np.linalg.norm(got[0]) * np.linalg.norm(probe_embedding) or 1.0))
    if cosine < PROBE_MIN_COSINE:
        raise EmbeddingLoadError(f"embedding head {head_path} was fitted on another embedding model (probe "
                                  f"cosine {cosine:.3f} < {PROBE_MIN_COSINE})")
