"""The classifier with its answer-token estimate corrected by a sentence embedding.

``score`` stays the default classifier's (a fraction of a millisecond, safe on the event loop);
the embedding (milliseconds of a CPU core) is a separate step, ``answer_log_deltas``, that the
gateway runs in a worker thread before it prices a request (router/answer_embedding.py), and that
``score_batch`` (the ``score`` and ``calibrate`` commands) and the ``route`` command run in line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.classifier import INPUT_ERRORS, ComplexityClassifier, ScoreResult, load_classifier
from classifiers.embedding import (
    DEFAULT_HEAD,
    AnswerTokensHead,
    Embedder,
    EmbeddingLoadError,
    SentenceTransformerEmbedder,
    check_probe,
    embedding_text,
)

log = logging.getLogger(__name__)


class EmbeddingTokensClassifier:
    """A :class:`ComplexityClassifier` plus an embedding head for its answer-token estimate."""

    def __init__(self, base: ComplexityClassifier, head: AnswerTokensHead, embedder: Embedder,
                 head_metadata: Mapping[str, Any] | None = None) -> None:
        self.base = base
        self.head = head
        self.embedder = embedder
        self.metadata: dict[str, Any] = {**base.metadata, "answer_embedding": dict(head_metadata or {})}

    @property
    def estimator(self) -> Any:
        return self.base.estimator

    def score(self, messages: Sequence[Mapping[str, Any]]) -> ScoreResult:
        """The default classifier's result: no embedding (see ``refine``)."""
        return self.base.score(messages)

    def answer_log_deltas(self, conversations: Sequence[Any]) -> np.ndarray:
        """Log-token corrections of the conversations' answer estimates (blocking: the embedding)."""
        texts = []
        for c in conversations:
            try:
                texts.append(embedding_text(c))
            except INPUT_ERRORS:
                texts.append("")  # the classifier scored it with its fallback; no correction either
        deltas = self.head.log_delta(self.embedder.encode(texts))
        return np.where([bool(t.strip()) for t in texts], deltas, 0.0)

    def refine(self, result: ScoreResult, answer_log_delta: float) -> ScoreResult:
        return result.with_answer_log_delta(answer_log_delta)

    def score_batch(self, conversations: Sequence[Sequence[Mapping[str, Any]]]) -> list[ScoreResult]:
        results = self.base.score_batch(conversations)
        if not results:
            return results
        deltas = self.answer_log_deltas(conversations)
        return [r.with_answer_log_delta(float(d)) for r, d in zip(results, deltas)]

    def score_prompts(self, prompts: Sequence[str]) -> np.ndarray:
        return self.base.score_prompts(prompts)


def load_embedding_classifier(artifact: str, model_dir: str, head: str = "default", threads: int = 1,
                              embedder: Embedder | None = None) -> ComplexityClassifier | EmbeddingTokensClassifier:
    """The classifier at ``artifact`` with the embedding head at ``head`` over the model in
    ``model_dir``. Without sentence-transformers, or without a model in ``model_dir``, a warning and
    the default classifier (the extra is optional); a corrupt head, a model that is there but does not
    load, or one that is not the model the head was fitted on, raises :class:`~classifiers.embedding.EmbeddingLoadError`."""
    base = load_classifier(artifact)
    fitted, probe = AnswerTokensHead.load(head)
    head_path = DEFAULT_HEAD if head in ("", "default") else Path(head).expanduser()
    if embedder is None:
        try:
            embedder = SentenceTransformerEmbedder(model_dir, threads=threads, max_seq_length=fitted.max_seq_length)
        except ImportError as exc:
            log.warning("classifier.embedding: %s (install the `embedding` extra); answer tokens use the default "
                        "estimate", exc)
            return base
        except FileNotFoundError as exc:
            log.warning("classifier.embedding: %s; answer tokens use the default estimate", exc)
            return base
        except Exception as exc:  # whatever torch, safetensors or transformers raise on a broken model
            raise EmbeddingLoadError(f"the model in {model_dir} is there but does not load "
                                      f"({type(exc).__name__}: {exc})") from exc
    check_probe(embedder, probe, head_path)
    meta_path = head_path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    except (OSError, ValueError) as exc:
        raise EmbeddingLoadError(f"embedding head metadata {meta_path} is unreadable: {exc}") from exc
    return EmbeddingTokensClassifier(base, fitted, embedder, {**meta, "head": str(head_path), "model_dir": str(model_dir)})


def load_configured(artifact: str, embedding: Any | None = None) -> ComplexityClassifier | EmbeddingTokensClassifier:
    """The classifier a config names: ``classifier.artifact``, with ``classifier.embedding`` (an object
    with ``model``, ``head`` and ``threads``) when it is set."""
    if embedding is None:
        return load_classifier(artifact)
    return load_embedding_classifier(artifact, embedding.model, embedding.head, embedding.threads)
