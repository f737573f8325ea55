"""Pluggable final-answer extractors for self-consistency voting.

An extractor turns one completion's text into a normalised answer key (or None when it finds
none); samples vote with those keys. `EXTRACTORS` is the registry a tier's
`strategy.extractor` names:

* `number`  — the final numeric answer: GSM8K's `#### 72`, "the answer is 72", else the last
  number in the text; `1,000`, `$1000`, `1000.00` and `1e3` all become `1000`.
* `boxed`   — the last `\\boxed{...}` / `\\fbox{...}` (nested braces kept), LaTeX-normalised;
  a numeric box is normalised like `number`.
* `choice`  — a multiple-choice letter A–J: "answer is (B)", "Answer: B", a last line "B)".
* `last_line` — the last non-empty line, lower-cased, markdown and punctuation stripped.
* `auto`    — boxed, then an explicit answer marker (####, "answer is", "Answer:"), then the last
  number, then the last line.

Adding one is adding a function to `EXTRACTORS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

Extractor = Callable[[str], "str | None"]

_NUMBER = re.compile(r"(?<![\w.])[-+−]?\$?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?|(?<![\w.])[-+−]?\.\d+")
_MARKERS = (
    re.compile(r"####\s*(.+)"),
    re.compile(r"(?i)final answer\s*(?:is|:)?\s*(?:[:\-](?=\s))?\s*(.+)"),
    re.compile(r"(?i)the answer is\s*(?:[:\-](?=\s))?\s*(.+)"),
    re.compile(r"(?im)^\s*\**answer\**\s*[:\-]\s*(.+)"),
)
_CHOICE_PATTERNS = (
    re.compile(r"(?i)answer\s*(?:is|:)\s*\(?\**\s*([A-J])\s*\**\)?(?![A-Za-z])"),
    re.compile(r"(?i)(?:option|choice)\s*\(?([A-J])\)?(?![A-Za-z])"),
    re.compile(r"\(([A-J])\)"),
)
_LAST_LINE_CHOICE = re.compile(r"^\s*\(?\**([A-J])\**\)?[.):]?\s*$")
_MARKDOWN = re.compile(r"[*_`#>]+")
_SPACE = re.compile(r"\s+")


def normalize_number(text: str) -> str | None:
    """A canonical decimal string for a number written many ways, or None."""
    cleaned = text.strip().replace("−", "-").replace(",", "").replace("$", "").replace(" ", "").rstrip(".")
    cleaned = cleaned.rstrip("%")
    try:
        value = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    if value == value.to_integral_value():
        return str(int(value))  # int(): no exponent, no trailing zeros, -0 → 0
    return format(value.normalize(), "f")


def _last_number(text: str) -> str | None:
    for match in reversed(_NUMBER.findall(text)):
        number = normalize_number(match)
        if number is not None:
            return number
    return None


def extract_number(text: str) -> str | None:
    for marker in _MARKERS:
        found = marker.findall(text)
        if found:
            number = _last_number(found[-1])
            if number is not None:
                return number
    return _last_number(text)


def _boxed_contents(text: str) -> str | None:
    """The content of the last \\boxed{...} or \\fbox{...}, braces balanced."""
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    brace = text.find("{", start)
    if brace < 0:
        rest = text[start + len("\\boxed") :].strip()  # "\boxed 5"
        return rest.split()[0] if rest else None
    depth = 0
    for index in range(brace, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[brace + 1 : index]
    return None


def normalize_latex(text: str) -> str:
    """A light LaTeX normalisation so equal answers written slightly differently compare equal."""
    value = text.strip().strip("$").strip()
    for old, new in (("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\left", ""), ("\\right", ""), ("\\!", ""), ("\\,", ""), ("\\;", ""),
                     ("^\\circ", ""), ("^{\\circ}", ""), ("\\%", ""), ("\\$", "")):
        value = value.replace(old, new)
    value = re.sub(r"\\text\{\s*([^{}]*)\}", r"\1", value)
    value = _SPACE.sub("", value).rstrip(".")
    number = normalize_number(value)
    return number if number is not None else value


def extract_boxed(text: str) -> str | None:
    content = _boxed_contents(text)
    if content is None:
        return None
    value = normalize_latex(content)
    return value or None


def extract_choice(text: str) -> str | None:
    """An explicit "answer is X" / "option X" wins, then a last line that is just a letter, then the last "(X)"."""
    for pattern in _CHOICE_PATTERNS[:2]:
        found = pattern.findall(text)
        if found:
            return found[-1].upper()
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        match = _LAST_LINE_CHOICE.match(lines[-1])
        if match:
            return match.group(1).upper()
    found = _CHOICE_PATTERNS[2].findall(text)
    return found[-1].upper() if found else None


def normalize_line(line: str) -> str:
    value = _MARKDOWN.sub("", line).strip().lower()
    value = re.sub(r"^(?:final answer|answer)\s*[:\-]\s*", "", value)
    value = _SPACE.sub(" ", value).strip(" .,:;!\"'")
    return value


def extract_last_line(text: str) -> str | None:
    for line in reversed(text.splitlines()):
        value = normalize_line(line)
        if value:
            return value
    return None


def extract_auto(text: str) -> str | None:
    boxed = extract_boxed(text)
    if boxed is not None:
        return boxed
    for marker in _MARKERS:
        found = marker.findall(text)
        if found:
            answer = found[-1]
            number = _last_number(answer)
            if number is not None:
                return number
            choice = _LAST_LINE_CHOICE.match(answer)
            if choice:
                return choice.group(1).upper()
            line = normalize_line(answer)
            if line:
                return line
    return _last_number(text) or extract_last_line(text)


EXTRACTORS: dict[str, Extractor] = {
    "auto": extract_auto,
    "number": extract_number,
    "boxed": extract_boxed,
    "choice": extract_choice,
    "last_line": extract_last_line,
}
