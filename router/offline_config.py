"""The gateway's config as the commands that reach no backend read it (`score`, `calibrate`, `evaluate`, `route`):
without the secrets they do not use."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from router.config import RouterConfig, default_config_path, parse_config, read_config_data
from router.envexpand import MalformedExpansionError, MissingVariableError, expand_string

#: Where an offline command points a backend whose URL is an unset `${VAR}`: an address nothing answers (RFC 2606).
OFFLINE_BASE_URL = "http://offline.invalid"
#: The sections an offline command reads: an unset `${VAR}` there is still an error.
OFFLINE_READS = frozenset({"models", "tiers", "classifier"})


def load_offline_config(path: str | Path, env: Mapping[str, str] | None = None) -> tuple[RouterConfig, list[str]]:
    """The config of a command that reaches no backend, serves no client and keeps no state (`score`, `calibrate`,
    `evaluate`, `route`), and the settings it left out: outside the models, tiers and classifier, a value naming a
    `${VAR}` that is not set (a backend's key, the clients' keys, the Redis URL) is left out — a backend's URL becomes
    one nothing answers — where it stopped the command (scoring in CI needed the production secrets exported)."""
    data, env = read_config_data(path), os.environ if env is None else env
    left_out: list[str] = []
    if isinstance(data, dict):
        for section in [name for name in data if name not in OFFLINE_READS]:
            data[section] = _without_unset(data[section], env, str(section), left_out)
        backends = data.get("backends")
        for name, backend in backends.items() if isinstance(backends, dict) else ():
            if isinstance(backend, dict) and f"backends.{name}.base_url" in left_out:
                backend["base_url"] = OFFLINE_BASE_URL
    return parse_config(data, env), left_out


def load_router_config(path: str | Path | None, *, quiet: bool = False) -> RouterConfig:
    """The gateway's config as an offline command reads it (``load_offline_config``: settings naming an unset ``${VAR}``
    outside the models, tiers and classifier are left out, said on stderr unless ``quiet``); None: the one a command
    finds with no ``--config``."""
    config, left_out = load_offline_config(default_config_path() if path is None else path)
    if left_out and not quiet:
        print(f"note: left out, their environment variables unset (this command reaches no backend and serves no client): "
              f"{', '.join(left_out)}", file=sys.stderr)
    return config


_UNSET = object()


def _without_unset(data: Any, env: Mapping[str, str], path: str, left_out: list[str]) -> Any:
    """``data`` without the strings that name an unset `${VAR}` (their paths added to ``left_out``); a malformed
    expansion stays, for `parse_config` to report."""
    if isinstance(data, str):
        try:
            expand_string(data, env, path)
        except MalformedExpansionError:
            return data
        except MissingVariableError:
            left_out.append(path)
            return _UNSET
        return data
    if isinstance(data, dict):
        kept = {key: _without_unset(value, env, f"{path}.{key}", left_out) for key, value in data.items()}
        return {key: value for key, value in kept.items() if value is not _UNSET}
    if isinstance(data, list):
        kept_items = [_without_unset(item, env, f"{path}[{index}]", left_out) for index, item in enumerate(data)]
        return [item for item in kept_items if item is not _UNSET]
    return data
