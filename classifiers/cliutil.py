"""What the classifier subcommands share: the error exit (a message on stderr, exit code 2), the gateway's config,
and the classifier that config names."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def fail(msg: str, code: int = 2) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return code


def load_router_config(path: str | None, *, quiet: bool = False) -> Any:
    """The gateway's config as an offline command reads it (``router.offline_config.load_offline_config``: settings naming an
    unset ``${VAR}`` outside the models, tiers and classifier are left out, said on stderr unless ``quiet``); None: the
    one a command finds with no ``--config``."""
    from router.config import default_config_path
    from router.offline_config import load_offline_config

    config, left_out = load_offline_config(default_config_path() if path is None else path)
    if left_out and not quiet:
        print(f"note: left out, their environment variables unset (this command reaches no backend and serves no client): "
              f"{', '.join(left_out)}", file=sys.stderr)
    return config


def configured_classifier(args: argparse.Namespace, config: Any | None) -> Any:
    """The classifier an offline command scores with: the one the config names (``--artifact`` overrides it),
    as the gateway serves it; the embedding extra, when configured, on every core (`threads` leaves cores to a
    gateway's event loop; a batch has none to leave)."""
    from classifiers.answer_tokens import load_configured

    artifact = getattr(args, "artifact", None) or (config.classifier.artifact if config is not None else "default")
    embedding = config.classifier.embedding if config is not None else None
    if embedding is not None:
        embedding = embedding.model_copy(update={"threads": max(embedding.threads, os.cpu_count() or 1)})
    return load_configured(artifact, embedding)
