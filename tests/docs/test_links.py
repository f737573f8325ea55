"""Every relative link in README.md and docs/*.md reaches its file, and its `#anchor` a heading there (GitHub's slug
rules): the docs were split and moved by hand (docs/classifier.md → classifier_history.md), and a link that no longer
lands is a README that no longer tells the truth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"```.*?```", re.DOTALL)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} (.*?)\s*#*\s*$")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, backticks and punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", "")).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of ``path``'s headings outside code fences; a repeated heading's get -1, -2, … as on GitHub."""
    out: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            name = slug(match.group(1))
            out.add(name if name not in seen else f"{name}-{seen[name]}")
            seen[name] = seen.get(name, 0) + 1
    return out


def broken_links(doc: Path) -> list[str]:
    """The relative links of ``doc`` (outside code fences) whose file or anchor is missing."""
    broken = []
    for target in _LINK.findall(_FENCE.sub("", doc.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target} (no such heading)")
    return broken


def test_slug_follows_github() -> None:
    assert slug("Speed and memory (`taskset -c 1 python bench/classifier_bench.py`)") == (
        "speed-and-memory-taskset--c-1-python-benchclassifier_benchpy")
    assert slug("What it reads, as the README told it to artifact 7.85.0") == "what-it-reads-as-the-readme-told-it-to-artifact-7850"


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Top\n\n## Part\n\n## Part\n\n[ok](#part-1) [gone](#nowhere) [file](b.md)\n", encoding="utf-8")
    assert broken_links(tmp_path / "a.md") == ["#nowhere (no such heading)", "b.md (no such file)"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_relative_links_land(doc: Path) -> None:
    assert broken_links(doc) == []
