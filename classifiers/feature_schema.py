"""The feature vector's schema: the names in order, its version, and which features the fit
leaves alone. Training, the artifact check at load and the scorer read it; ``classifiers.features``
computes the vector in this order."""

from __future__ import annotations

from classifiers.lexicons import LEXICON_NAMES

__all__ = ["CONVERSATION_FEATURES", "FEATURE_NAMES", "FEATURE_VERSION", "NON_ASCII_FEATURE", "NUMBERS_PRIOR_FEATURE",
           "N_FEATURES", "PRIOR_FEATURE", "RELATION_FEATURE", "UNFITTED_FEATURES"]

FEATURE_VERSION = "47"  # 47: an output-format phrase is no code: a format name (JSON, YAML, XML, TOML, CSV, Markdown; HTML as a table or a list) after "as", "into", "in", "respond / reply / answer with" or a verb giving the answer that opens a sentence ("Return only valid JSON", "Give me a JSON object"), after at most three fillers ("a", "valid", "proper"; a demonstrative only with the shape named: "in the following JSON format"), with its noun ("object", "array", "document", "format", "a JSON array of strings"), and "return" opening that sentence or after "and" / "then" with the answer or data as its object ("Return it / the results / them … as JSON"): their code cues are taken off the code count before anything reads it (no writes_code), unless a program's word follows the phrase ("in JSON schema", "as a JSON parser", "JSON.parse") or its sentence speaks of a program (a language, "function", "script", "endpoint", "returns", "saves" …: output_format.PROGRAM_SENTENCE_WORDS): "List three European capitals as a JSON array." 0.74, "Return the same information as a JSON array with keys …" 0.81 had the code domain and the request's length (classifiers.output_format); 46: "none", "null" and "self" are no code cues: everyday words ("or say none if there are none", "none of the above", "the null hypothesis", "self-esteem"), and in code they come with def, return, class and the rest ("List the rivers of Spain that flow into the Atlantic, or say none if there are none." 0.77 -> 0.25: two cues in 17 words made a request for a program); 45: in a request for a program that gets REQUEST_EXTRA_CHARS, each distinct cue of an algorithmic problem (an optimum or a count: "minimum number", "number of ways", "lexicographically"; a structure or technique: subsequence, subarray, graph, edges, intervals, queries, xor, bitmask, k-th, trie, "dynamic programming", "shortest path"; "modulo 10^9 + 7", a bound of 10^4 or more, an "O(…)" time bound; lock-free, thread-safe, concurrent, atomic, hazard, amortized) adds 200 characters (at most four cues), and without one each distinct plumbing cue ("true if", "check whether", "even or odd", "leap year", Celsius, vowels, "reverse a", average, uppercase, factorial, palindrome) takes 100 away (at most two), in a request that names a program (classifiers.algorithmic.PROGRAM_WORDS; English cues only): "Write a Python function that checks whether a string is a palindrome" 0.77 -> 0.60, "Implement a lock-free multi-producer queue with hazard pointers" 0.75 -> 0.89; LeetCode LOSO Spearman 0.299 -> 0.372; 44: an instruction to extract, list, classify, summarize, convert or reformat (classifiers.echo.MATERIAL_VERBS, opening the prompt after at most one lead, or the clause after an opening phrase that points at the material: "From the following article, list …") that points at material after it ("this", "these", "following", "below", or two or more lines of items) after a colon, a line break or an opening quote, in the first 200 characters: with arithmetic cues and numbers and no math word or notation, that material is no word problem (its figures are no quantities) and no closed problem (no length prior), at any length (classifiers.echo.instructs_over_material): "Extract the ingredient list from this recipe:" 0.98, "Classify the sentiment of each of these tweets:" 0.85; 43: "write" is code too when the head of what it writes, at most five words after it, is a program's part (no text nor preposition before it; after it the end, a preposition or conjunction, or the word opening the next sentence: written_code.HEAD_FOLLOWERS): "write a lock-free queue", "a thread pool with work stealing", "an LRU cache" (written_code.HEAD_PARTS; not the parts a text or a plan can be, AMBIGUOUS_PARTS: game, application, template, counter, service, routine, program…; "tree", "list", "map", "filter", "sort"… only after their kind, KIND_PARTS: "a red-black tree", "a linked list", not "a family tree", "a shopping list"); 42: "write" is code too when what it writes is "in <language>" within eight words ("en", "em", "w", "на", "dalam" after the write verbs of other languages; no text before it; "in C", "in Go" … only after a program's part: "an LRU cache in Go", not "a melody in C") or a program's part right after its language ("a CUDA kernel", "a GLSL shader"), and in a request to write code the writing cues of the next eight words name what the program handles ("a regex for email addresses"): code cues (written_code.IN_LANGUAGES, CODE_PARTS, WRITTEN_TEXTS, WRITE_SUBJECT_GAP); 41: a turn of fewer than four words (dense-script characters counted as words) is no request for a program or a proof: it gets no REQUEST_EXTRA_CHARS in the length prior ("a string", "dict not list", "in python", "prove it": a fragment, a follow-up; written_code.REQUEST_MIN_WORDS); 40: in a multiple-choice question the reasoning, logic, science, writing and role-play cues are counted in its stem, above the lettered options that end it or before inline ones (the candidates' words set no domain), math and arithmetic cues and logic connectives in the options too; a stem giving a computation (LaTeX, or three or more quantities with algebra) reads 100 characters longer in the length prior (classifiers.quiz_stem); logic notation (∀ ∃ ¬ ∧ ∨ ⊃ ≡ ↔ ⊢ ⊨) is a logic cue in the domains; a quiz's vignette past 600 characters keeps its figures as data with fewer than one math word in 50 (arithmetic words too when it asks for a quantity); 39: every assert line's numbers are no quantities, fenced or indented too (MBPP in a chat wrapper); in a multiple-choice question whose lettered options end it the relation cues are counted above them (Winogrande's two-sentence layout doubled one comparison into a chain); the code-fence count is the last user turn's (an answer's fences say how the model writes); the Llama 3 evaluation template's task and format lines are dropped (answer_format); few-shot prompts with "[BEGIN]" / "[DONE]" code examples, "Correct answer:" markers or a "###" separator line after each answer are split; a table of data's figures (three or more rows of four or more numbers) are no word problem's quantities; a script after a media word ("a video script", "a radio ad script") is a writing cue, not a code cue, when such scripts are all its code cues; 38: a paragraph saying only how to answer ("The last line of your response should be …", "Think step by step before answering.", a \\boxed reminder) at the start or end of the question is not read (classifiers.answer_format); a word problem's length prior counts from its first paragraph with a number at every length; "¿", "¡", "„", "…" and dashes split words; "eine Python-Funktion" asks for code; 37: answer options lettered "A - x" are options; a request opened by "Now"/"Then" is judged by its next word ("Now show that … by induction" asks for a proof, no question); 36: a request to write code ("write a function …", no LaTeX) is a request for a program whatever its topic (the request length), and the tests it gives on lines of their own ("assert f(3) == 7", MBPP's format) are code, their numbers no quantities: math words and assert numbers had taken such requests out of the code domain; 35: LaTeX commands are the backslash words of math writing (classifiers.latex.LATEX_COMMANDS), not every backslash and letters: code escapes ("\\n", "\\d+") and Windows paths were notation; 34: in a text longer than a word problem (600 characters) with no math word and no notation, numbers are data, no math-domain cue (a report's figures, a log's timestamps); 33: outside a quiz, the documents a question is asked over (a RAG prompt: a word naming a context in the first 300 characters, a "Question:" / "Query:" label after 200+ characters of it; classifiers.retrieved) are no part of the statement, and such a question is no request for a program; 32: a long text (800+ characters) to translate, rewrite, proofread or summarize (the instruction in its first or last 300 characters; classifiers.echo.works_on_text) is material: no length in a closed problem, whatever its figures; 31: two or more relations between named things ("older than", "north of", "to the left of"; the relation cues, unfitted) are a reasoning cue, an ordering puzzle; "imagine you" is role-play only with a persona ("imagine you are a …"), not a scenario ("imagine you are in a dark room"); "brainteaser", "trick question", "lateral thinking" are logic cues; 30: so does a request for a proof ("Prove that …", "a proof of", "show that" in its first 60 words, in the eighteen languages of the cue lexicons; written_code.asks_for_proof), and a polite request ("Can you write …", not "Can you explain …") is no question; the constant is REQUEST_EXTRA_CHARS; 29: in a request for a program (code domain, not opened as a question) the length prior reads the statement as 245 characters longer; 28: a multiple-choice question's length bonus leaves out the passages it quotes (200+ characters); 27: docstrings in pasted code are statement, not code (HumanEval stubs); 26: the length prior reads the statement, not the code pasted with it (code_blocks: fences and indented lines); 25: an Asymptote figure's code ("[asy] … [/asy]") is not read (diagrams); training reads the prompt as serving does (figures dropped, pasted data sampled); 24: a dollar amount ("$100.", "$2.50 per") is currency, not a LaTeX delimiter; "go", "class", "library" are no code cues; "percentage", "how old", "how tall" are arithmetic cues; 23: answer options bulleted after a question or written "Option 1:" are options (their numbered markers no quantities); a year alone as an answer option is no quantity; 22: answer options numbered 1, 2, 3 … after a question are options, not a list, and their markers no quantities (classifiers/options.py); 21: pasted data (a run of 9+ lines with 3+ numbers each) is read as its first 2 lines (pasted_data); a date or time written with two separators ("2024-05-07", "12:58:36") is one number; 20: "math"/"mathematics" are math cues (and in the other languages), programming languages and libraries beyond the first few are code cues; 19: superlatives (largest, smallest, least, greatest, minimum, maximum) are quiz cues, not reasoning cues: they weigh only with quantities; 18: Latin-script words written against Chinese or Japanese characters without a space are read ("写一个Python函数"); "python*" a code stem ("w Pythonie"); 17: "regular expression", "time complexity" and "space complexity" are code cues ("write a regular expression" too); 16: "write <code>" (a function, a Python script, unit tests) is a code cue, not a writing cue; 15: pseudo-counts in the number and operator densities (a bare "2+2" read as a dense formula); 14: cue lexicons in other languages (lexicons_intl: words and stems; Chinese and Japanese substrings); 13: Chinese and Japanese characters count as dense-script length and words (DENSE_CHAR_WEIGHT); 12: a requested length written with thousands separators ("1,000 words") is read; 11: a prompt serialized twice (escaped line breaks, a JSON string, a list repr) is read as the text it encodes; 10: a chain-of-thought trigger ending the prompt is not read; a word problem: its numbers include those written as words, one option-like line does not undo it, its length counts from the first paragraph with a number; 9: numbers in a word problem (a second prior); 8: answer options written inline count as a multiple-choice question; 7: the length prior also covers multiple-choice questions; 6: answer-shape cues + n-grams

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
)
#: Index of the length-in-a-closed-problem feature (math/code/reasoning domain, or a
#: multiple-choice question); its weight is a LOSO-chosen prior, not fitted.
PRIOR_FEATURE = FEATURE_NAMES.index("length in a closed problem")
#: Index of the numbers-in-a-word-problem feature; its weight is a prior too (``numbers_prior``).
NUMBERS_PRIOR_FEATURE = FEATURE_NAMES.index("numbers in a word problem")
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
