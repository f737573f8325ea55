"""Words by which a text names a program, shared by the rules that ask whether it does (version 50).

Three lists had answered that question apart and drifted: ``algorithmic.PROGRAM_WORDS`` (a request whose algorithmic
cues count), ``output_format.PROGRAM_SENTENCE_WORDS`` (a format phrase that is a program's output) and the languages of
``written_code`` (a thing written "in Python"). One had "server" and "express", another "return" and "class": a review
(session 38) found "Rate each server at the restaurant … return them as JSON" kept as code by one while the other left
it. ``NAMES_A_PROGRAM`` is what all of them mean by a program; each rule adds its own few words to it (a program's verbs
for the format phrases, "return" for a request's result). Words whose everyday sense is the common one stay out:
"server" (a restaurant's), "express" ("express the answer as JSON"), "solution" (a problem's), "node", "react"; it
still holds words with an everyday sense beside a program's (program, class, module, rust, java …): near a format
phrase, outside its own sentence, only ``output_format.NEIGHBOUR_WORDS`` count (version 51).
"""

from __future__ import annotations

#: Programming languages and the libraries written like one ("in Python", "in pandas"): no text is written in them.
IN_LANGUAGES = frozenset((
    "python", "java", "javascript", "typescript", "c++", "c#", "f#", "rust", "golang", "bash", "zsh", "powershell",
    "sql", "ruby", "php", "kotlin", "matlab", "scala", "haskell", "perl", "lua", "ocaml", "elixir", "erlang", "clojure",
    "fortran", "cobol", "zig", "dart", "nim", "racket", "prolog", "lisp", "groovy", "objective-c", "cpp", "js", "ts",
    "cuda", "opencl", "verilog", "systemverilog", "vhdl", "solidity", "glsl", "hlsl", "wgsl", "x86", "asm", "awk",
    "vba", "pyspark", "pytorch", "numpy", "pandas", "tensorflow", "jax", "django", "flask", "react", "node", "nodejs",
    "vulkan", "opengl", "webgl", "directx",
))
#: Languages whose name is also a letter, a game, a bird, a key … ("in C", "in Go", "Swift"): a program's only beside one.
AMBIGUOUS_LANGUAGES = frozenset(("c", "r", "go", "d", "swift", "julia", "scheme", "assembly", "arm", "elm", "crystal"))
#: Words that name a program wherever they stand: a language (not an ambiguous one, nor "node" / "react", a graph's
#: node and a person's reaction), a program's kinds and parts, its interface (not "endpoint": a segment's, in geometry).
NAMES_A_PROGRAM = (IN_LANGUAGES - AMBIGUOUS_LANGUAGES - {"node", "react"}) | frozenset((
    "python3", "function", "functions", "program", "programs", "code", "script", "scripts", "class", "classes",
    "implement", "implementation", "algorithm", "algorithms", "def", "api", "module", "snippet", "parser", "regex",
    "backend", "handler", "cli",
))
