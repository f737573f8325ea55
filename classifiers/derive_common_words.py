"""Derive ``classifiers/common_words.txt``, the common-word list of ``classifiers.rare_words``.

A word is common when at least ``--min-docs`` (``rare_words.MIN_DOCS``) prompts hold it: document frequency of the
ASCII-letter words (``rare_words.word_parts`` of ``lexicons.lower_words``; "common-law" counts "common" and "law") over
every prompt training reads, uncapped and deduplicated (``data.load_all``: shared/'s difficulty/ and outcomes/ files,
28,793 prompts). Words shorter than ``rare_words.MIN_CHARS`` are left out (never counted). Sorted, one a line: the
same data gives the same file. Run: ``python -m classifiers.derive_common_words --data ../shared/data``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from classifiers.lexicons import lower_words
from classifiers.rare_words import COMMON_WORDS_PATH, MIN_CHARS, MIN_DOCS, word_parts

#: More rows than any training file has: every prompt counts, not training's capped sample.
ALL_ROWS = 10**9


def document_frequency(texts: list[str]) -> Counter[str]:
    """How many of ``texts`` hold each ASCII-letter word."""
    df: Counter[str] = Counter()
    for text in texts:
        df.update({p for w in set(lower_words(text)) for p in word_parts(w)})
    return df


def common_words(texts: list[str], min_docs: int = MIN_DOCS) -> list[str]:
    """The words of at least ``MIN_CHARS`` letters that ``min_docs`` or more of ``texts`` hold, sorted."""
    return sorted(w for w, k in document_frequency(texts).items() if k >= min_docs and len(w) >= MIN_CHARS)


def main(argv: list[str] | None = None) -> None:
    from classifiers.data import load_all

    ap = argparse.ArgumentParser(description="Derive the common-word list of classifiers.rare_words.")
    ap.add_argument("--data", default="../shared/data", help="the shared/data folder training reads")
    ap.add_argument("--min-docs", type=int, default=MIN_DOCS, help="prompts a word must occur in to be common")
    ap.add_argument("--out", default=str(COMMON_WORDS_PATH))
    args = ap.parse_args(argv)
    examples, _ = load_all(args.data, cap=ALL_ROWS)
    words = common_words([e.text for e in examples], args.min_docs)
    Path(args.out).write_text("".join(w + "\n" for w in words), encoding="ascii")
    print(f"{len(examples)} prompts -> {len(words)} common words (in {args.min_docs}+ prompts) -> {args.out}")


if __name__ == "__main__":
    main()
