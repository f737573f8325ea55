"""Field nouns in an extraction list: "total", "sum", "average" named as a field to take out, not worked out (version 60).

Version 56 took every word of ``echo.WORKS_OUT`` in an instruction as working figures out, and so vetoed the
material reading. "Extract the store name, date and total from this receipt as JSON." scored 0.96 (a word problem
over the receipt's prices), "Extract the store name and date …" 0.36: the receipt prints its TOTAL line, the
request copies it. Such a word is a noun when it sits in the object list of an extraction verb (``EXTRACTION_VERBS``:
"extract", "pull out", "list", "get", "give me" …, then noun phrases joined by commas, "and", "or", "&" or "/"), or in
the keys of a shape ("as a JSON array of {qty, unit_price, line_total}", "with columns date, item, total").
It still works figures out before "of", "per", "by", "for", "across" ("the total of each order", "the total spend per
category") or before an object of its own ("total the prices", "sum them"): a verb. Version 67: in an extraction verb's
list it is a field only when the material prints it (a line labelled "TOTAL", "Subtotal:", a column "Total"):
"List the total and average for this week:" over daily figures has none to copy, so they are worked out.
"""

from __future__ import annotations

import re

__all__ = ["AGGREGATES", "EXTRACTION_VERBS", "FIELD_NOUNS", "KEY_WORDS", "LIST_JOINS", "MAX_ITEM_WORDS",
           "PRINTED_HEAD_CHARS", "PRINTED_TAIL_CHARS", "WORKED_AFTER", "prints_field", "unlisted_works_out"]

#: Words of ``echo.WORKS_OUT`` that also name a field of a record (its TOTAL, SUBTOTAL, AVERAGE line).
FIELD_NOUNS = frozenset(("total", "sum", "average", "mean", "median"))
#: Verbs that take fields out of a record ("Pull out the PO number, vendor and total", "Give me the date and total").
EXTRACTION_VERBS = frozenset(("extract", "list", "pull", "get", "give", "grab", "capture"))
#: Words that join the noun phrases of one object list.
LIST_JOINS = frozenset((",", "and", "or", "&", "/"))
#: A noun phrase of the list has at most this many words ("the total amount paid", "the invoice due date").
MAX_ITEM_WORDS = 5
#: Words right after a field noun that make it a verb with an object of its own ("total the prices", "sum them up").
WORKED_AFTER = frozenset(("the", "them", "it", "up", "all", "these", "this", "those", "each", "every", "my",
                          "everything"))
#: Words of aggregation later in the field noun's phrase that make it a computation ("the total of each order", "the
#: total spend per category", "the average across stores", "the sum by month").
AGGREGATES = frozenset(("of", "per", "by", "across", "over", "each", "every"))
#: Words after which a comma-separated list names a shape's keys ("with columns date, item, total", "fields: …").
KEY_WORDS = frozenset(("columns", "column", "keys", "key", "fields", "field", "headers", "headings"))
#: Tokens of the instruction: words (with the characters ``lower_words`` keeps inside them: "sub-total" is one word,
#: "line_total" two) and the punctuation the list reading needs.
_RE_TOKEN = re.compile(r"[a-z0-9'#+-]+|[,&/{}\[\]().:;!?]")
_OPEN, _CLOSE = frozenset("{["), frozenset("}]")
#: Punctuation that ends a clause (and so an object list).
_BREAKS = frozenset(".:;!?()")
#: Words that end an object list ("… and total from this receipt", "… as JSON").
_PREPOSITIONS = frozenset(("from", "in", "on", "into", "as", "of", "for", "to", "with", "using", "at", "per", "by",
                           "then", "than", "if", "that", "which", "where", "when"))
#: The material is read for a printed field in its first and last this many characters (a receipt's TOTAL is at its
#: end; the material of an instruction may be of any length).
PRINTED_HEAD_CHARS, PRINTED_TAIL_CHARS = 1500, 500
#: A field noun (or "sub" / "grand" + it) as a run of letters in a line's label, before its first digit.
_RE_PRINTED = {noun: re.compile(rf"(?m)^[^\d\n]*?(?<![a-z])(?:sub|grand)?{noun}(?![a-z])") for noun in FIELD_NOUNS}


def unlisted_works_out(instruction: str, works_out: frozenset[str], material: str) -> bool:
    """Whether lower-cased ``instruction`` holds a word of ``works_out`` that is not a field noun of an extraction list
    (``FIELD_NOUNS`` in the objects of ``EXTRACTION_VERBS`` that ``material`` prints, or in a shape's keys, not followed
    by ``WORKED_AFTER``). The instruction is at most ``echo.MATERIAL_INSTRUCTION_CHARS`` characters: one pass over its
    tokens."""
    tokens = _RE_TOKEN.findall(instruction)
    listing = False  # inside an extraction verb's object list or a shape's keys
    extracting = False  # that list is an extraction verb's (not a shape's keys): its fields must be printed
    braces = 0  # depth inside {…} / […]: a template's keys
    item_words = 0  # words of the current noun phrase
    for i, tok in enumerate(tokens):
        if tok in _OPEN:
            braces += 1
            continue
        if tok in _CLOSE:
            braces = max(braces - 1, 0)
            listing = False
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        listed = braces > 0 or (listing and item_words < MAX_ITEM_WORDS)  # (the noun is its phrase's word too)
        if tok in works_out and not (listed and tok in FIELD_NOUNS and nxt not in WORKED_AFTER
                                     and not _aggregated(tokens, i + 1)
                                     and (braces > 0 or not extracting or prints_field(material, tok))):
            return True
        if braces:
            continue
        if tok in EXTRACTION_VERBS or tok in KEY_WORDS:
            listing, item_words, extracting = True, 0, tok in EXTRACTION_VERBS
        elif tok in _BREAKS:
            listing = False
        elif tok in LIST_JOINS:
            item_words = 0
        elif listing:
            item_words += 1
            if item_words > MAX_ITEM_WORDS or tok in _PREPOSITIONS:
                listing = False
    return False


def prints_field(material: str, noun: str) -> bool:
    """Whether a line of ``material`` (its first ``PRINTED_HEAD_CHARS`` and last ``PRINTED_TAIL_CHARS`` characters) has
    ``noun``, "sub" + ``noun`` or "grand" + ``noun`` among the words of its label, before its first digit ("TOTAL 8.79",
    "Subtotal: 12.00", a header "Qty Item Unit Total"): the field is there to copy, not to work out."""
    part = material if len(material) <= PRINTED_HEAD_CHARS + PRINTED_TAIL_CHARS else (
        material[:PRINTED_HEAD_CHARS] + "\n" + material[-PRINTED_TAIL_CHARS:])
    part = part.lower()
    return noun in part and _RE_PRINTED[noun].search(part) is not None


def _aggregated(tokens: list[str], start: int) -> bool:
    """Whether a word of ``AGGREGATES`` comes in the rest of the noun phrase from ``tokens[start]`` (up to a join, a
    break or another preposition, at most ``MAX_ITEM_WORDS`` tokens)."""
    for tok in tokens[start:start + MAX_ITEM_WORDS]:
        if tok in AGGREGATES:
            return True
        if tok in LIST_JOINS or tok in _BREAKS or tok in _CLOSE or (tok in _PREPOSITIONS and tok != "for"):
            return False  # (read on past "for": "the total for each category")
    return False
