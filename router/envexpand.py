"""`${VAR}` and `${VAR:-default}` expansion over parsed YAML data.

Expansion runs on scalar strings *after* YAML parsing, so an environment value can never
inject YAML structure (keys, lists, anchors) into the configuration: config files are data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\$")


class MissingVariableError(KeyError):
    """A `${VAR}` without default names a variable that is not set."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(name)
        self.name = name
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: environment variable {self.name} is not set (use ${{{self.name}:-default}})"


class MalformedExpansionError(MissingVariableError):
    """A `${` that starts no expansion this syntax has (`${VAR:default}` for `${VAR:-default}`): left as text, it became
    part of a URL or a key that failed far from here."""

    def __str__(self) -> str:
        return f"{self.path}: {self.name!r} is no expansion: write ${{VAR}} or ${{VAR:-default}} ($$ for a literal $)"


def expand_string(value: str, env: Mapping[str, str], path: str = "") -> str:
    """Expand one string; `$$` escapes a literal dollar sign."""
    if "${" in value and "${" in (rest := _PATTERN.sub("", value)):
        start = rest.index("${")
        raise MalformedExpansionError(rest[start : rest.find("}", start) + 1 or start + 40], path)

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise MissingVariableError(name, path)

    return _PATTERN.sub(replace, value)


class MissingVariablesError(MissingVariableError):
    """Every expansion that failed in a tree, named together: fixing a config took one run per missing variable."""

    def __init__(self, errors: list[MissingVariableError]) -> None:
        super().__init__(errors[0].name, errors[0].path)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def expand_tree(data: Any, env: Mapping[str, str], path: str = "") -> Any:
    """Return a copy of `data` with every string value expanded (keys are left alone); every variable that is not set
    (or malformed) is reported at once."""
    errors: list[MissingVariableError] = []
    expanded = _expand(data, env, path, errors)
    if errors:
        raise errors[0] if len(errors) == 1 else MissingVariablesError(errors)
    return expanded


def _expand(data: Any, env: Mapping[str, str], path: str, errors: list[MissingVariableError]) -> Any:
    if isinstance(data, str):
        try:
            return expand_string(data, env, path)
        except MissingVariableError as exc:
            errors.append(exc)
            return data
    if isinstance(data, dict):
        return {key: _expand(value, env, f"{path}.{key}" if path else str(key), errors) for key, value in data.items()}
    if isinstance(data, list):
        return [_expand(item, env, f"{path}[{index}]", errors) for index, item in enumerate(data)]
    return data
