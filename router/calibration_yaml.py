"""Writing calibrated thresholds and shares into the gateway's YAML config, keeping its comments and layout (the
thresholds themselves: ``classifiers/calibrate.py``; priced for a budget: ``router/calibration.py``)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from classifiers.calibrate import DECIMALS

_TIER_LINE = re.compile(r"^(?P<ind>\s+)(?P<name>[^\s:#]+):\s*(?P<rest>.*)$")


def _key(name: str) -> re.Pattern[str]:
    """``name: value`` for a value YAML reads as a number or null, tagged or quoted too ("'0.40'", "~", "!!float 0.4"):
    unmatched, the key was added a second time (a duplicate key other YAML parsers refuse)."""
    number = r"[-+0-9.eE]+|null|Null|NULL|~"
    return re.compile(rf"(?<![\w-]){name}:[ \t]*(?:!!\w+[ \t]+)?(?:{number}|'(?:{number})'|\"(?:{number})\")")


def write_calibration(path: str | Path, thresholds: Mapping[str, float | None], shares: Mapping[str, float],
                      validate: Callable[[Path], Any] | None = None) -> None:
    """Set each tier's ``max_score`` (the last tier has none) and ``expected_share`` in the YAML
    file, keeping its comments and layout: the gateway exports the shares, so the drift alert can
    compare live traffic with what was calibrated. The new text is written beside the file and,
    once ``validate`` accepts it, renamed over it: a failed check leaves the config untouched."""
    p = Path(path).resolve()  # a symlinked config (a ConfigMap's) is written where it points, not replaced by a file
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    for key, values in (("expected_share", dict(shares)), ("max_score", {k: v for k, v in thresholds.items() if v is not None})):
        _write_key(lines, key, values)
    # the last tier takes every score above the others, whatever its max_score says: one it has (0.8, valid) stopped a
    # new threshold below it from being written ("max_score must increase"); it becomes 1, where it has one
    _write_key(lines, "max_score", {k: 1.0 for k, v in thresholds.items() if v is None}, add=False)
    staged = p.with_name(f".{p.name}.calibrating")
    staged.write_text("".join(lines), encoding="utf-8")
    try:
        shutil.copymode(p, staged)  # a 0600 config (it may hold api keys) stays 0600
        if validate is not None:
            validate(staged)
        os.replace(staged, p)
    finally:
        staged.unlink(missing_ok=True)


def _write_key(lines: list[str], key: str, values: dict[str, float], *, add: bool = True) -> None:
    """Set ``key`` of each tier in ``values`` in place (flow or block style); a missing key is
    added as the tier's last entry (``add``), or left missing."""
    pattern, todo = _key(key), dict(values)
    flow = next((i for i, ln in enumerate(lines) if re.match(r"^tiers:\s*\{", ln)), None)
    if flow is not None:
        for name in list(todo):
            lines[flow] = _set_in_flow(lines[flow], name, f"{key}: {todo.pop(name):.{DECIMALS}f}", pattern, add=add)
        return
    start = next((i for i, ln in enumerate(lines) if re.match(r"^tiers:\s*(#.*)?$", ln)), None)
    if start is None:
        raise ValueError("no 'tiers:' section found")
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^[^\s#]", lines[i])), len(lines))  # a column-0 comment: still in
    tier_ind: str | None = None
    i = start + 1
    while i < end:
        m = _TIER_LINE.match(lines[i])
        if m and (tier_ind is None or m["ind"] == tier_ind) and not lines[i].lstrip().startswith("#"):
            tier_ind = m["ind"]
            name, rest = m["name"], m["rest"]
            if name in todo:
                val = f"{key}: {todo.pop(name):.{DECIMALS}f}"
                if rest.startswith("{"):  # a flow mapping, on this line or over several
                    k = _flow_end(lines, i, end)
                    lines[i : k + 1] = _set_in_flow("".join(lines[i : k + 1]), name, val, pattern, add=add).splitlines(keepends=True)
                else:
                    j, last, child = i + 1, i, None
                    while j < end and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > len(tier_ind)):
                        if lines[j].strip():
                            child = child or lines[j][: len(lines[j]) - len(lines[j].lstrip())]
                            last = j
                        if pattern.search(_code(lines[j])):  # the key itself, not a comment that names it
                            lines[j] = pattern.sub(val, lines[j], count=1)
                            break
                        j += 1
                    else:
                        if add:
                            lines.insert(last + 1, f"{child or tier_ind + '  '}{val}\n")
                            end += 1
        i += 1
    if todo:
        raise ValueError(f"tiers not found in the config: {', '.join(todo)}")


def _code(line: str) -> str:
    """A YAML line without its comment."""
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0]


def _flow_end(lines: list[str], start: int, end: int) -> int:
    """The line where the flow mapping opened on line ``start`` closes (``end - 1`` if it never does)."""
    depth = 0
    for k in range(start, end):
        for char in lines[k]:
            depth += {"{": 1, "}": -1}.get(char, 0)
        if depth <= 0:
            return k
    return end - 1


def _set_in_flow(line: str, name: str, val: str, pattern: re.Pattern[str], *, add: bool = True) -> str:
    """Set ``val`` (``key: value``) inside ``name: {...}`` on a flow-style line (a tier's own, or ``tiers:``)."""
    m = re.search(r"(?<![\w-])" + re.escape(name) + r"\s*:\s*\{", line)
    if not m:
        raise ValueError(f"tier {name!r} not found in the config")
    depth, j = 1, m.end()
    while j < len(line) and depth:
        depth += {"{": 1, "}": -1}.get(line[j], 0)
        j += 1
    if depth:  # the mapping goes on past this line: the key goes first
        rest = line[m.end() :]
        if pattern.search(rest):
            return line[: m.end()] + pattern.sub(val, rest, count=1)
        return (line[: m.end()] + f"{val}, {rest}") if add else line
    body = line[m.end() : j - 1]
    if not pattern.search(body):
        if not add:
            return line
        body = f"{body.rstrip()}, {val}"
    else:
        body = pattern.sub(val, body, count=1)
    return line[: m.end()] + body + line[j - 1 :]
