"""A question about a non-quantity field of a pasted business record is a lookup, not a word problem (version 60).

"Which store is this receipt from?", "What card was used for this purchase?", "What is the invoice number?" over a
receipt or an invoice scored 0.95-0.96 (the expensive tier): no verb named the record as material to read
(``echo.instructs_over_material``), so the question mark made its prices a word problem's quantities, each another
step. A record is a block of at least ``RECORD_MIN_LINES`` lines, most of them ending in an amount ("Oat milk 1L x2
5.98", "TOTAL 17.09", "VISA ****4821") or laid out as a label and a value ("Potassium 5.6 mmol/L (ref 3.5-5.1) H",
"Mon 08:30-17:00 (lunch 30m)"), with the question on its own line before or after it. The question asks for a field
that is no quantity: which / what / who with a field word (``FIELD_WORDS``: store, vendor, card, date, name, a
number that is not "the number of" …) and no word that works figures out or compares them (``QUANTITY_ASKS``: the
words of ``echo.WORKS_OUT``, how much / many, cheapest, should, if, after …). So "How many hours were worked in total
this week?" over a timesheet, "Does the subtotal match the sum of the items?" and a word problem over the same
figures stay problems. A word problem seldom lays its figures out as a record, and never asks for such a field.
Work is bounded: texts of at most ``RECORD_MAX_CHARS`` characters (the longest a word problem's prior reads).
Version 67 (review_s40_b H2): a word list missed the superlatives and orders of a table problem ("Who worked overtime
this week?" over a timesheet, "On which date did my balance first go negative?" over a statement, "Which carrier
delivers fastest …" 0.65 -> 0.35). Now any "-est" word (``_is_superlative``), an order or threshold word
(``QUANTITY_ASKS``: first, last, overtime, negative, than …) vetoes; the ask must read a field (``LOOKUP_WORDS``: a
copula, "used", "paid", "from" …, or a get / give / tell / show request); and a record whose lines mostly hold two or
more figures is a table to compute over unless the field is printed on it (``PRINTED_FIELDS``, or any field word beside
a document word: "the employee name on this timesheet").
"""

from __future__ import annotations

import re

from classifiers.echo import WORKS_OUT
from classifiers.field_lists import unlisted_works_out
from classifiers.lexicons import lower_words
from classifiers.word_problems import WORD_PROBLEM_SCAN

__all__ = [
    "ASK_MAX_CHARS",
    "ASK_OPENERS",
    "DOCUMENT_WORDS",
    "FIELD_PHRASES",
    "FIELD_WORDS",
    "LOOKUP_WORDS",
    "NOT_SUPERLATIVES",
    "PRINTED_FIELDS",
    "QUANTITY_ASKS",
    "RECORD_LINE_MAX_WORDS",
    "RECORD_MAX_CHARS",
    "RECORD_MIN_LINES",
    "RECORD_SCAN_LINES",
    "figures",
    "is_record_line",
    "looks_up_a_record",
]

#: Longer texts are not read (a word problem's prior reads no more: ``word_problems.problem_chars``).
RECORD_MAX_CHARS = WORD_PROBLEM_SCAN
#: A record has at least this many lines that end in an amount or hold a label and a value.
RECORD_MIN_LINES = 4
#: This many lines next to the question are read (a receipt's or a lab panel's; the text is at most
#: ``RECORD_MAX_CHARS`` long, but its 500 short lines took 0.5 ms to read whole).
RECORD_SCAN_LINES = 30
#: A record line has at most this many words (a sentence of a word problem has more).
RECORD_LINE_MAX_WORDS = 12
#: The question is one line of at most this many characters.
ASK_MAX_CHARS = 200
#: Words that open the question, within its first ``_OPENER_WORDS`` words ("Can you tell me which store …"), or the
#: request ("Get the supplier name and invoice date", "Give me the card and the store"; "extract", "list", "pull" are
#: ``echo.MATERIAL_VERBS``).
ASK_OPENERS = frozenset(("which", "what", "what's", "whats", "who", "who's", "whose", "get", "give", "tell", "show"))
_OPENER_WORDS = 4
#: Fields of a record that are no quantity, within ``_FIELD_WORDS_AFTER`` words of the opener; "who" asks for one.
FIELD_WORDS = frozenset((
    "store", "shop", "merchant", "vendor", "supplier", "seller", "retailer", "restaurant", "pharmacy", "business",
    "company", "brand", "branch", "location", "card", "payment", "method", "currency", "date", "name", "address",
    "customer", "client", "patient", "employee", "cashier", "carrier", "number", "id", "reference", "account", "phone",
    "email", "flagged", "marked", "who", "who's", "whose"))
_FIELD_WORDS_AFTER = 6
#: Words of a question that works the figures out or weighs them: it stays a problem.
QUANTITY_ASKS = WORKS_OUT | frozenset((
    "much", "many", "more", "most", "less", "least", "fewer", "fewest", "cheaper", "cheapest", "expensive", "costliest",
    "highest", "lowest", "largest", "smallest", "biggest", "greater", "greatest", "longest", "shortest", "best",
    "better", "worse", "worst", "should", "would", "could", "will", "if", "afford", "save", "saved", "change", "left",
    "remaining", "remain", "each", "per", "split", "share", "tip", "exceed", "exceeds", "above", "below", "over",
    "under", "match", "matches", "correct", "wrong", "right", "error", "errors", "mistake", "why", "enough", "cost",
    "costs", "spend", "spent", "owe", "owed", "rate", "ratio", "after", "before", "until", "since", "between", "ago",
    "later", "earlier",
    # version 67: orders, thresholds and comparisons ("first go negative", "worked overtime", "more than", "faster")
    "first", "last", "overtime", "negative", "positive", "given", "totaling", "totalling", "go", "goes", "went", "gone",
    "than", "exceeded", "exceeding", "beyond", "within", "overdue", "overdrawn", "deficit", "surplus", "ahead",
    "behind", "top", "bottom", "rank", "ranked", "fast", "faster", "slow", "slower", "quick", "quicker", "early", "late",
    "higher", "lower", "larger", "smaller", "bigger", "longer", "shorter", "newer", "older", "grew", "grow", "growth",
    "increase", "increased", "decrease", "decreased", "qualify", "qualifies"))
#: Phrases of a printed field whose words are order or position words, read as the field (review_s40_c M2: "What is the
#: customer's first name on this invoice?", "the store name at the top of this receipt" were vetoed as orders).
FIELD_PHRASES = (("first name", "name"), ("last name", "name"), ("given name", "name"), ("at the top of", "on"),
                 ("at the bottom of", "on"), ("given on", "on"))
#: Words ending in "est" that are no superlatives (``_is_superlative``).
NOT_SUPERLATIVES = frozenset((
    "request", "requested", "interest", "guest", "forest", "harvest", "suggest", "contest", "protest", "invest",
    "manifest", "digest", "honest", "modest", "arrest", "inquest", "conquest", "earnest", "priest", "southwest",
    "northwest", "midwest", "bequest", "behest", "attest", "detest"))
#: Words that make the ask read a field off the record: a copula ("What is the invoice number?", "Which store is this
#: from?") or a verb or preposition of what the record shows ("What card was this paid with?"; "Who worked overtime?",
#: "Which carrier delivers fastest?" have none).
LOOKUP_WORDS = frozenset((
    "is", "are", "was", "were", "what's", "whats", "who's", "used", "paid", "pay", "printed", "listed", "shown",
    "issued", "sent", "billed", "charged", "from", "flagged", "marked", "appears", "appear", "says", "say"))
#: Openers that request the field ("Get the supplier name and the date"): a lookup phrasing of their own.
_REQUEST_OPENERS = frozenset(("get", "give", "tell", "show"))
#: Fields printed on a record whatever its layout: a table's row label asked for ("who", "which employee", "which
#: date") is instead often chosen by working its figures out.
PRINTED_FIELDS = FIELD_WORDS - frozenset((
    "name", "customer", "client", "patient", "employee", "carrier", "account", "date", "who", "who's", "whose"))
#: Words that name the record a field is printed on ("the employee name on this timesheet", "the date of the invoice").
DOCUMENT_WORDS = frozenset((
    "receipt", "receipts", "invoice", "invoices", "bill", "order", "po", "statement", "timesheet", "panel", "report",
    "label", "ticket", "booking", "reservation", "prescription", "slip", "form", "purchase"))
#: The last word of a record line as an amount: a number, maybe signed, after a currency sign, "#", "@" or a card's
#: masking asterisks, with a per cent sign or a short unit ("17.09", "$4.50", "****4821", "#0412", "135-145)", "30m)").
_RE_AMOUNT = re.compile(r"[-+(~@]?[$€£¥#*]*\d[\d,.:/-]*(?:%|[a-zA-Z]{1,5})?\)?")
#: A word that opens with a figure (``figures``).
_RE_FIGURE = re.compile(r"[-+]?[$€£¥]?\d")


def is_record_line(line: str) -> bool:
    """Whether stripped, non-blank ``line`` is a record's: at most ``RECORD_LINE_MAX_WORDS`` words, the last an amount,
    or (not a sentence: no ".", "?", "!" ending it) a word first and a figure among the next three ("Hemoglobin 13.1
    g/dL …", "Mon 08:30-17:00 …", "Date: 2024-03-02")."""
    toks = line.split()
    if len(toks) > RECORD_LINE_MAX_WORDS:
        return False
    if _RE_AMOUNT.fullmatch(toks[-1]):
        return True
    return line[-1] not in ".?!" and toks[0][0].isalpha() and any(t[0].isdigit() or t[0] in "$€£¥" for t in toks[1:4])


def figures(line: str) -> int:
    """How many words of ``line`` open with a figure: a digit, maybe after a sign and a currency sign ("8,", "-350.00",
    "$4.20", "14:00")."""
    return sum(1 for t in line.split() if _RE_FIGURE.match(t))


def _is_superlative(word: str) -> bool:
    """Whether ``word`` is a superlative ("fastest", "earliest", "latest"; not "request", "guest")."""
    return len(word) >= 6 and word.endswith("est") and word not in NOT_SUPERLATIVES


def _asks_for_a_field(ask: str, material: str) -> int:
    """0 unless the line ``ask`` asks which / what / who for a field that is no quantity (see the module's docstring)
    over ``material``; else 2 when the field is printed on a record of any layout (``PRINTED_FIELDS`` or a document
    word), 1 when a table's figures may choose it."""
    if len(ask) > ASK_MAX_CHARS:
        return 0
    ask = ask.lower()
    for phrase, field in FIELD_PHRASES:
        ask = ask.replace(phrase, field)
    words = lower_words(ask)
    if any(map(_is_superlative, words)):
        return 0
    if not QUANTITY_ASKS.isdisjoint(words) and unlisted_works_out(ask.lower(), QUANTITY_ASKS, material):
        return 0  # ("Get the vendor, date and total": a printed field noun of a list, ``field_lists``)
    opener = next((i for i, w in enumerate(words[:_OPENER_WORDS]) if w in ASK_OPENERS), -1)
    if opener < 0 or (words[opener] not in _REQUEST_OPENERS and LOOKUP_WORDS.isdisjoint(words)):
        return 0
    after = words[opener:opener + 1 + _FIELD_WORDS_AFTER]
    fields = [w for j, w in enumerate(after)
              if w in FIELD_WORDS and not (w == "number" and words[opener + j + 1:opener + j + 2] == ["of"])]
    if not fields:
        return 0
    return 2 if not PRINTED_FIELDS.isdisjoint(fields) or not DOCUMENT_WORDS.isdisjoint(words) else 1


def looks_up_a_record(text: str) -> bool:
    """Whether ``text``'s first non-blank line (else its last) is a question about a non-quantity field of the record
    the rest holds: at least ``RECORD_MIN_LINES`` record lines, more than half of the non-blank ones among the
    ``RECORD_SCAN_LINES`` lines next to the question, and, unless the field is printed on any record, no more than half
    of them with two or more figures (a timesheet's days, a ledger's dates and amounts: a table to compute over). Its
    figures are data to read. The question is read first."""
    if len(text) > RECORD_MAX_CHARS or text.count("\n") < RECORD_MIN_LINES:
        return False
    body = text.strip()
    first_end, last_start = body.find("\n"), body.rfind("\n") + 1
    if first_end < 0:
        return False
    kind = _asks_for_a_field(body[:first_end].strip(), body[first_end + 1:])
    if kind:
        lines = body[first_end + 1:].split("\n", RECORD_SCAN_LINES)[:RECORD_SCAN_LINES]  # the lines after it …
    else:
        kind = _asks_for_a_field(body[last_start:].strip(), body[:last_start])
        if not kind:
            return False
        lines = body[:last_start - 1].rsplit("\n", RECORD_SCAN_LINES)[-RECORD_SCAN_LINES:]  # … or before it
    lines = [line for line in map(str.strip, lines) if line]
    records = sum(map(is_record_line, lines))
    if records < RECORD_MIN_LINES or 2 * records <= len(lines):
        return False
    return kind == 2 or 2 * sum(figures(line) >= 2 for line in lines) <= len(lines)
