"""A script a text is to speak or perform ("a YouTube video script"): a writing cue, not a code cue (a correction of
the lexicon counts of ``classifiers.lexicons``, as ``written_code.move_written_code`` is the other way round)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from classifiers.lexicons import LEXICON_NAMES

_WRITING_ID, _CODE_ID = LEXICON_NAMES.index("writing"), LEXICON_NAMES.index("code")

#: What a script after one of these words is: a text to speak or perform, a writing cue, not code ("a YouTube video
#: script", "a 30-second radio ad script": 0.74 and 0.75, a thinking tier, where "write a podcast script" was 0.38).
MEDIA_WORDS = frozenset((
    "video", "videos", "youtube", "tiktok", "reel", "reels", "shorts", "podcast", "episode", "radio", "tv", "television",
    "ad", "advert", "commercial", "promo", "trailer", "movie", "film", "theatre", "theater", "comedy", "sketch",
    "stand-up", "standup", "monologue", "dialogue", "presentation", "keynote", "pitch", "webinar", "voiceover",
    "voice-over", "narration", "intro", "sales", "marketing", "telemarketing", "cold", "interview", "wedding",
    "explainer", "documentary", "skit",
))
_SCRIPTS = frozenset(("script", "scripts"))


def move_media_scripts(counts: list[int], words: list[str], present: AbstractSet[str] | None = None) -> list[int]:
    """``counts`` with each script of ``MEDIA_WORDS`` ("a video script") counted as a writing cue instead of a code
    cue, when they are all its code cues: "a movie script parser in Python", "my podcast script crashes with a
    KeyError" are code (0.77 and 0.80 before this guard; 0.41 and 0.34 without it). ``present``: the set of ``words``
    (two scans of 2,000 characters' words for "script" cost 9 us)."""
    if not counts[_CODE_ID] or _SCRIPTS.isdisjoint(words if present is None else present):
        return counts
    moved = sum(1 for i in range(1, len(words)) if words[i] in _SCRIPTS and words[i - 1] in MEDIA_WORDS)
    if moved < counts[_CODE_ID]:
        return counts
    moved = counts[_CODE_ID]
    counts[_CODE_ID] = 0
    counts[_WRITING_ID] += moved
    return counts
