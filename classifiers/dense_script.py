"""How much length and how many words a character of a dense script is worth.

Chinese and Japanese are written without spaces between words, Korean packs a syllable into a
character: read as Latin script, their length, word counts and cue densities mean something else
than in English. The featurizer weighs their characters by these constants, counted as UTF-8 lead
bytes (one ``bytes.translate``), not a regex character class.
"""

from __future__ import annotations

#: Chinese and Japanese script (U+3000-U+9FFF: CJK punctuation, kana, ideographs): written without
#: spaces between words, and denser than Latin script (the same text in English runs 3-4x the
#: characters). A character of it counts as ``DENSE_CHAR_WEIGHT`` characters of length and as
#: 1 / ``DENSE_CHARS_PER_WORD`` of a word (Chinese words average ~1.5 characters), so length, word
#: counts and cue densities mean what they mean in English: read as one "word" per run between
#: spaces, a Chinese role-play prompt with two numbers had the number density of a math problem
#: (feature version 13, docs/classifier_history.md). Counted as the UTF-8 lead bytes of that range
#: (0xE3-0xE9, never continuation bytes) in the encoding the non-ASCII share already makes: 2 us
#: for 2,000 characters, where a regex character class took 57 us.
DENSE_LEADS = bytes(range(0xE3, 0xEA))
DENSE_CHAR_WEIGHT = 3.0
DENSE_CHARS_PER_WORD = 1.5
#: Korean separates words with spaces but packs a syllable into a character: the same text in
#: English runs about twice the characters, so a Hangul character counts as ``HANGUL_CHAR_WEIGHT``
#: characters of length (words are counted as written). UTF-8 lead bytes 0xEA-0xED: U+A000-U+D7FF,
#: the Hangul syllables and a few rare scripts beside them.
HANGUL_LEADS = bytes(range(0xEA, 0xEE))
HANGUL_CHAR_WEIGHT = 2.0
