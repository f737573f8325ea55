"""Backend kinds by name: the config's `kind` picks a class here, never an if-chain."""

from __future__ import annotations

import httpx

from backends.anthropic import AnthropicBackend
from backends.base import Backend, BackendConfig
from backends.openai_compat import OpenAICompatibleBackend

BACKEND_KINDS: dict[str, type[Backend]] = {cls.kind: cls for cls in (OpenAICompatibleBackend, AnthropicBackend)}


def create_backend(name: str, config: BackendConfig, transport: httpx.AsyncBaseTransport | None = None) -> Backend:
    """Instantiate the adapter for `config.kind` (validated at config load)."""
    return BACKEND_KINDS[config.kind](name, config, transport=transport)
