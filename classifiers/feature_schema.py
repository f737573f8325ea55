"""The feature vector's schema: the names in order, its version, and which features the fit
leaves alone. Training, the artifact check at load and the scorer read it; ``classifiers.features``
computes the vector in this order."""

from __future__ import annotations

from classifiers.lexicons import LEXICON_NAMES

__all__ = ["CONVERSATION_FEATURES", "FEATURE_NAMES", "FEATURE_VERSION", "NON_ASCII_FEATURE", "NUMBERS_PRIOR_FEATURE",
           "N_FEATURES", "PRIOR_FEATURE", "RARE_PRIOR_FEATURE", "RELATIONS_PRIOR_FEATURE", "RELATION_FEATURE", "UNFITTED_FEATURES"]

FEATURE_VERSION = "116"  # what each version changed: docs/feature_versions.md (a new version adds its line there)

FEATURE_NAMES: tuple[str, ...] = (
    "prompt length",
    "word count",
    "system prompt length",
    "history length",
    "user turns",
    "line count",
    "code fences",
    "indented lines",
    "code syntax density",
    "LaTeX commands",
    "math operator density",
    "numbers",
    "number density",
    "questions",
    "list items",
    "sentences",
    "mean word length",
    "non-ASCII share",
    "multiple-choice options",
    *(f"{k} cues" for k in LEXICON_NAMES),
    *(f"{k} density" for k in ("math", "code", "logic", "reason", "writing", "knowledge")),
    "math domain",
    "code domain",
    "reasoning domain",
    "writing domain",
    "length x math",
    "length x code",
    "length x reasoning",
    "length x writing",
    "numbers x math",
    "sentences x math",
    "units",
    "quiz x quantitative",
    "history code",
    "history math",
    "short follow-up",
    "length in a closed problem",
    "numbers in a word problem",
    "relations in a word problem",
    "rare words in a quiz",
)
#: Index of the length-in-a-closed-problem feature (math/code/reasoning domain, or a
#: multiple-choice question); its weight is a LOSO-chosen prior, not fitted.
PRIOR_FEATURE = FEATURE_NAMES.index("length in a closed problem")
#: Index of the numbers-in-a-word-problem feature; its weight is a prior too (``numbers_prior``).
NUMBERS_PRIOR_FEATURE = FEATURE_NAMES.index("numbers in a word problem")
#: Index of the relations-in-a-word-problem feature (``word_problems.relation_kinds``); a prior (``relations_prior``):
#: the outcome data has few word problems, and GSM8K, held out, cannot teach its own weight.
RELATIONS_PRIOR_FEATURE = FEATURE_NAMES.index("relations in a word problem")
#: Index of the rare-words-in-a-quiz feature (``rare_words``: log1p of a quiz stem's uncommon words); a prior (``rare_prior``):
#: no training source has multiple-choice outcomes to fit it by (fitted, its weight came out -0.03 logit, from BBH).
RARE_PRIOR_FEATURE = FEATURE_NAMES.index("rare words in a quiz")
#: Indexes of the conversation features. The training data is single-turn with no system prompt (a
#: few-shot prompt's solved examples are its only history), so they are not fitted: weight 0 in both models (one
#: few-shot training prompt once gave them a weight that lifted "go on" after a haiku 0.05 -> 0.28).
#: A follow-up's score comes from the conversation-context rule (``classifiers.inference``).
CONVERSATION_FEATURES = tuple(FEATURE_NAMES.index(n) for n in
                              ("system prompt length", "history length", "user turns", "history code", "history math",
                               "short follow-up"))
#: Index of the non-ASCII share. Not fitted either: every training prompt with a share above 0.3 comes
#: from one source (arena-hard v2's non-English prompts), and a weight learned on shares near 0
#: extrapolated to Chinese text (share 2) added ~5 logits, so "hello" in Chinese scored like a proof.
NON_ASCII_FEATURE = FEATURE_NAMES.index("non-ASCII share")
#: Index of the relation cues ("older than", "north of"). Not fitted: they are a reasoning cue only as a
#: chain of two or more (``features.RELATION_CHAIN``), and nearly all training prompts with one are BBH's
#: ordering puzzles, so a fitted weight would learn the benchmark (it lifted "My brother is older than me.
#: What gift should I buy him?" 0.21 -> 0.27).
RELATION_FEATURE = FEATURE_NAMES.index("relation cues")
#: Features both models leave at weight 0.
UNFITTED_FEATURES = (*CONVERSATION_FEATURES, NON_ASCII_FEATURE, RELATION_FEATURE)
N_FEATURES = len(FEATURE_NAMES)
