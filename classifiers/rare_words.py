"""Uncommon words in a multiple-choice question's stem: the specialised knowledge it asks for.

A quiz item is hard for a weak model when it asks for specialised knowledge (law, medicine, graduate science, obscure
history), not when it is long, and no other feature reads how specialised its vocabulary is: "Which planet is known as
the Red Planet?" and "Which Byzantine emperor issued the Ecloga …?" scored alike (0.36, 0.37). A word is common when at
least ``MIN_DOCS`` training prompts hold it (``common_words.txt``, derived by ``classifiers.derive_common_words``);
the feature counts the distinct other words of at least ``MIN_CHARS`` ASCII letters in the last ``STEM_CHARS``
characters of the stem's last line, its question, and is ``log1p`` of those beyond ``RARE_ANCHOR``. On an outside
sweep's 25 quiz items (difficulty 1-5) the count alone ranks at Spearman 0.72 (the classifier 0.45, prompt length
0.71); as a prior of 2.0 logit per unit the classifier's quiz ranking there went 0.447 -> 0.796, but not on the
sweep's held-out half (0.698 -> 0.702), and on a second probe of 120 MMLU-style items over 30 subjects, labelled by how
likely an 8B model fails them, it fell 0.539 -> 0.406 (the list is of mostly mathematical prompts: a genetics item's
textbook terms count as rare). ``train.DEFAULT_PARAMS["rare_prior"]`` is 0.3 since artifact 7.83.0 (that probe
0.540, the sweep's halves 0.573 / 0.726): a nudge among quizzes of one length, no longer their order. Fitted instead
(no source in shared/ has quiz outcomes), its weight came out slightly negative and the sweep's quiz ranking fell
(0.447 -> 0.373); ungated (every prompt outside the code domain) it fell too (0.431), and chat and app with it.

What is not counted: numbers, words with other characters (code, Chinese, Cyrillic: read elsewhere or neutral), a
stem in another language written in Latin letters (none of ``ENGLISH_WORDS``: no count), the options (the candidates'
names: "Jupiter", "Saturn" in an easy astronomy item), the lines above the question (a passage to read, its names:
MMLU's "This question refers to the following information." items), a quiz about code (``RARE_CODE_MAX``) and any
text that is not a quiz (typos in chat, names in a pasted document, an open question): the feature is 0 there.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

from classifiers.lexicons import lower_words

#: The common-word list: the ASCII words of at least ``MIN_CHARS`` letters that ``MIN_DOCS`` or more training prompts
#: hold, one a line, sorted.
COMMON_WORDS_PATH = Path(__file__).with_name("common_words.txt")
#: Prompts a word must occur in to be common. Two: a word seen once is a name, a typo or a term of one prompt. On the
#: sweep's quiz items (prior 1.0 logit, options read too) 2 / 3 / 5 / 10 prompts ranked at 0.694 / 0.667 / 0.639 / 0.663;
#: 1 (every word seen) 0.690 with a list of 285 KB against 116 KB. The training prompts are mostly math: everyday words
#: they lack ("liver", "objected", "closure") count as uncommon too.
MIN_DOCS = 2
#: Shorter words are never counted ("pH", "Ka", "AR": symbols and abbreviations; 2 / 3 / 4 / 5 letters, options read
#: too: 0.694 / 0.694 / 0.686 / 0.675).
MIN_CHARS = 3
#: Characters read at the end of the stem's last line, where its question is (~100 words; read as the last 30 / 60 /
#: 80-150 words of its last paragraph: 0.718 / 0.737 / 0.753, the sweep's stems being short). A bound on the work too:
#: a 2,000-character one-line stem read whole took 14 us, its last 600 characters 10 (a short stem 4; no quiz 0).
STEM_CHARS = 600
#: A last line of at most this many words ending in ":" is a label over the options ("Options:", "Answer Choices:"), not
#: the question (BIG-Bench's items end their stems so).
LABEL_WORDS = 3
#: Uncommon words that count nothing: one is often an everyday word the mostly mathematical training prompts lack
#: ("Which of the following is the holy book of Islam?" 0.36 -> 0.54 counting it, "… photosynthesis?" the sweep's
#: easiest kind). The sweep's quiz ranking at prior 1.5 / 2.0 / 3.0: 0.745 / 0.757 / 0.800 counting every word, 0.726 /
#: 0.796 / 0.800 beyond the first.
RARE_ANCHOR = 1
#: Uncommon words counted at most (4 / 6 / 8 / 12, prior 1.0, options read too: 0.679 / 0.694 / 0.694 / 0.694).
MAX_RARE = 8
#: A stem holding none of these words is not English: in another language written in Latin letters ("¿Cuál de los
#: siguientes planetas es conocido como el planeta rojo?") every word is uncommon. Words of no other such language
#: ("of" is Dutch, "is" Dutch, "was" German). A share of uncommon words could not tell: short specialised stems are
#: mostly uncommon words ("Which enzyme is deficient in Lesch-Nyhan syndrome?" 3 of 5, the Spanish stem 5 of 7).
ENGLISH_WORDS = frozenset(("the", "and", "which", "what", "who", "how", "does", "with", "that", "this", "following"))
#: A quiz at this code domain or above is about code: its identifiers ("useState", "setData") are read by the code
#: features. Not 0.2: code-lexicon words in a medical or an econometrics stem ("kidney function", "a lagged dependent
#: variable … process") reach 0.24 and 0.39, a quiz over pasted code 0.96-1.0.
RARE_CODE_MAX = 0.5


def load_common_words(path: Path = COMMON_WORDS_PATH) -> frozenset[str]:
    """The common-word list at ``path`` (14,615 words: 1.3 MB in memory, 1.5 ms to read)."""
    return frozenset(path.read_text(encoding="ascii").split())


@functools.cache
def packaged_common_words() -> frozenset[str]:
    """The packaged list, read once when first needed — by ``load_classifier``, at start-up — not when imported."""
    return load_common_words()


def word_parts(word: str) -> list[str]:
    """The ASCII-letter words that ``word`` (lower-cased, from ``lexicons.words_of``) is made of: itself, or its parts
    split at "-" and "'" ("common-law", "widow's"); none for words with a digit or another character."""
    if not word.isascii():
        return []
    if word.isalpha():
        return [word]
    return [p for p in word.replace("'", "-").split("-") if p.isalpha()]


def rare_words(words: list[str], common: frozenset[str] | None = None) -> int:
    """Distinct uncommon words of at least ``MIN_CHARS`` letters among ``words`` (``common``: the packaged list), at
    most ``MAX_RARE``; 0 when ``words`` hold none of ``ENGLISH_WORDS``. A set difference with the list first: the words
    left are few."""
    read = set(words)
    if read.isdisjoint(ENGLISH_WORDS):
        return 0
    common = packaged_common_words() if common is None else common
    left = read.difference(common)
    rare = {w for w in left if w.isalpha() and w.isascii() and len(w) >= MIN_CHARS}
    for w in left:
        if not w.isalpha():  # "common-law", "widow's", "x2": their parts
            rare.update(p for p in word_parts(w) if len(p) >= MIN_CHARS and p not in common)
    return min(len(rare), MAX_RARE)


def stem_rare_words(stem: str) -> int:
    """``rare_words`` of the last ``STEM_CHARS`` characters of a quiz stem's last line (the first word dropped when cut:
    it may be a part; the line above a label such as "Options:"). A passage or a lead-in above it ("This question refers
    to the following information.", "The following are multiple choice questions about …") is not the question: read as
    the last paragraph, a passage on lines of its own counted 8 words (the sweep's ranking 0.753 so, 0.745 by lines, at
    prior 1.5 counting every word)."""
    lines = stem.rstrip().rsplit("\n", 2)
    line = lines[-2] if len(lines) > 1 and lines[-1].endswith(":") and len(lines[-1].split()) <= LABEL_WORDS else lines[-1]
    if len(line) <= STEM_CHARS:
        return rare_words(lower_words(line))
    return rare_words(lower_words(line[-STEM_CHARS:])[1:])


def quiz_rare_words(stem: str) -> float:
    """The feature: ``log1p`` of a quiz stem's uncommon words beyond ``RARE_ANCHOR`` (``stem_rare_words``)."""
    return math.log1p(max(stem_rare_words(stem) - RARE_ANCHOR, 0))
