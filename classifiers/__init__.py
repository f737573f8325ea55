"""Prompt complexity classifier: score in [0, 1] + expected completion tokens."""

from classifiers.classifier import ComplexityClassifier, ScoreResult, load_classifier, reasoning_tokens
from classifiers.persist import ClassifierLoadError

__all__ = ["ClassifierLoadError", "ComplexityClassifier", "ScoreResult", "load_classifier", "reasoning_tokens"]
