"""Speed and memory of the complexity classifier (prints a small table).

Run: ``taskset -c 0 python bench/classifier_bench.py`` (one core). Targets from issue 3:
2,000-char prompt p99 <= 0.5 ms, 100,000 chars <= 5 ms, batch >= 5,000 prompts/s,
loaded classifier <= 50 MB RSS; issue 5: <= 150 MB RSS per gateway worker. Memory is measured
in fresh interpreters on the serving path (``load_classifier()`` + ``score()``, which reads
the .npz bundle) and, for comparison, on the .skops path (scikit-learn, scipy, skops).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("the integer function prove that sum of all primes less than 100 write a poem about "  # noqa: SIM905 (one wrapped string reads better than 60 quoted words)
         "python code def return list array how many ways triangle area compute derivative "
         "explain why the history of rome is interesting please help me fix this bug in my "
         "javascript async function and make sure it runs in O(n log n) time").split()
#: Non-ASCII text: `str.lower` and a new str per word (the ASCII word cache does not hold them), and the rules' Unicode paths.
WORDS_RU = ("докажите что сумма всех простых чисел меньше 100 напишите стихотворение о python код функция "  # noqa: SIM905
            "сколько способов площадь треугольника производная объясните почему история рима интересна").split()
WORDS_ZH = ("证明 小于 100 的 所有 素数 之和 写 一首 关于 秋天 的 诗 用 python 代码 实现 函数 有 多少 种 方法 "  # noqa: SIM905
            "三角形 面积 导数 解释 为什么 罗马 历史 很 有趣 请 帮 我 修复 这个 错误 ， 。").split()


def _prompt(rng: random.Random, chars: int, words: Sequence[str] = WORDS, sep: str = " ") -> list[dict[str, str]]:
    out, n = [], 0
    while n < chars:
        w = rng.choice(words)
        if rng.random() < 0.05:
            w += "\n"
        out.append(w)
        n += len(w) + len(sep)
    return [{"role": "user", "content": sep.join(out)[:chars]}]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(int(q * len(xs)), len(xs) - 1)]


def timing(clf, prompts: list, reps: int) -> tuple[float, float]:
    ts = []
    for i in range(reps):
        p = prompts[i % len(prompts)]
        t0 = time.perf_counter()
        clf.score(p)
        ts.append(time.perf_counter() - t0)
    return _pct(ts, 0.5) * 1e3, _pct(ts, 0.99) * 1e3


def memory(skops: bool = False) -> tuple[float, float, float, list[str]]:
    """RSS (MB) of a fresh interpreter: at start, after ``import numpy``, after
    ``load_classifier()`` + one ``score()``; and which of sklearn / scipy / skops got imported.
    ``skops=True``: ignore the .npz bundle (the fallback path)."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from bench.classifier_bench import _rss_mb\n"
        "a = _rss_mb(); import numpy; b = _rss_mb()\n"
        "import classifiers.classifier as cc\n"
        f"if {skops!r}: cc.bundle_path = lambda p: cc.Path('/nonexistent.npz')\n"
        "c = cc.load_classifier(); c.score([{'role':'user','content':'hi'}])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'skops'})\n"
        "print(a, b, _rss_mb(), ','.join(heavy) or '-')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), [m for m in out[3].split(",") if m != "-"]


#: Repeated units for the worst-case row: every printable character alone and beside each kind of
#: white space (a regex that backtracks over blank lines showed up here: 290 ms for 100,000 "\n"),
#: and the structures the parser reads (escapes, templates, few-shot markers, options, LaTeX).
_WHITESPACE = (" ", "\n", "\t", "\r", "\x0b", "\x0c", "\u00a0", "\u2028")
_STRUCTURES = ("\\n", "\\\\", "\\neq ", "1.", "- ", "A.", "(A) ", "Q:", "A:", "Answer:", "```", "$$", "\\frac",
               "<|im_start|>", "[INST]", "Let's think step by step. ", "? A. 1 B. 2 ", "Question: x\nAnswer: y\n\n",
               "1 + 2 = ", "### ", "User: ", "Human: ", "    x\n", "two ", "['", "', '", '"', "{", "((", "1,000 ", "50% ")


def worst_case(clf, chars: int = 100_000) -> tuple[float, str, int]:
    """The slowest ``score()`` (ms, best of 2) over ``chars``-long repetitions of short units and a
    few list literals, that text's head, and how many texts were tried."""
    import string

    singles = [*string.printable, "\u00e9", "\u4e2d", "\u3002", "\u2022", "\ufeff"]
    units = {*singles, *_STRUCTURES, *(a + w for a in singles for w in _WHITESPACE),
             *(w + a for a in singles for w in _WHITESPACE)}
    # and whole texts the serialized-prompt reader parses: list literals near its limits
    texts = [(unit * (chars // len(unit) + 1))[:chars] for unit in sorted(units)]
    texts += ["['" + "a', '" * (chars // 5) + "']", str(["ab"] * 1000), str([{"role": "user", "content": "x" * 150}] * 200),
              json.dumps([{"role": "user", "content": "x" * 300}] * 256), "[" * (chars // 2) + "]" * (chars // 2),
              json.dumps({"messages": [{"role": "user", "content": "x" * 300}] * 256}), str({i: i for i in range(4_000)}),
              "['a'" + "+'a'" * (chars // 4) + "]", json.dumps({f"k{i}": i for i in range(chars // 12)}),
              # found by fuzzing (session 16): list literals that are all syntax, a question after blank lines
              "['a', " + "[1]*" * (chars // 4 - 2) + "1]", "['a'" + "+1" * (chars // 2 - 3) + "]",
              "Q: x\n" + "\n" * (chars - 14) + "\nQ: what?", "Human: Q: x\n" + "\n" * (chars - 34) + "\nQ: what?\nAssistant:",
              # quiz questions whose quoted passages the length prior leaves out (session 17): an open quote, many quotes
              '"' + "word " * (chars // 5 - 10) + "\nA. 1\nB. 2\nC. 3", ('"' + "w" * 249) * (chars // 250 - 1) + "\nA. 1\nB. 2\nC. 3",
              ("\u201c" + "w" * 300 + "\u201d") * (chars // 302 - 1) + "\nA. 1\nB. 2\nC. 3",
              # found by the input audit (session 27): transcripts of plain-word turns left open for the reply (each header
              # search re-read the text for the anchors that never come: 40 ms), a list of more strings than turns
              ("Human: " + "w" * 80 + "\nAssistant: " + "r" * 80 + "\n") * (chars // 182) + "Assistant:",
              "User: u\n" * (chars // 8 - 2) + "Assistant:", "USER: q\nASSISTANT: a\n" * (chars // 21 - 1) + "ASSISTANT:",
              str(["ab"] * (chars // 6))]
    # and whole conversations: parts by the ten thousand, many messages of many parts
    conversations = [[{"role": "user", "content": [{"type": "text", "text": "a"}] * (chars // 2)}],
                     [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}] * chars + [{"type": "text", "text": "hi"}]}],
                     [{"role": "user" if i % 2 else "assistant", "content": [{"type": "text", "text": "a"}] * 48} for i in range(2048)],
                     # a follow-up after a reply of lone surrogates (its token count ran the UTF-16 codec's handler per character)
                     [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "\ud800" * chars}, {"role": "user", "content": "translate it"}]]
    worst = (0.0, "")
    for msgs in [[{"role": "user", "content": text}] for text in texts] + conversations:
        text = str(msgs[-1]["content"])
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            clf.score(msgs)
            best = min(best, time.perf_counter() - t0)
        worst = max(worst, (best * 1e3, text[:24]))
    return (*worst, len(texts) + len(conversations))


def reference_ms() -> float:
    """A fixed pure-Python workload (median of 5 runs, ms) to normalise for machine load.

    Report ``p99 / reference`` beside the raw numbers: the machine is shared, and the ratio
    is comparable across runs where the raw milliseconds are not.
    """
    ts = []
    for _ in range(5):
        t0 = time.perf_counter()
        acc = 0
        for i in range(200_000):
            acc += i * i % 7
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[2] * 1e3


def rule_texts() -> list[list[dict[str, str]]]:
    """2,000-character texts built against the rules that read more than the words: a judge frame over a long question
    (featurized again), decimals and letter-task triggers, a pasted record, answer templates, format phrases."""
    body = ("1. 2\n- 3\nA. 4\n(B) 5\n" * 80)[:1500]
    texts = ["Rate the answer from 1 to 10.\nQuestion: " + body + "\nAnswer: " + body,
             "9.11 or 9.9 and 1.2, " * 200,
             "The quick brown fox ran by the river from the farm, or so they say. " * 40,
             "Which store is this receipt from?\n" + "2 x Bananas 2.16\nSUBTOTAL 9.93\nTOTAL 10.72\n" * 60,
             'Return {"name": "", "moons": 0, "au": 0.0, "type": "string"} for Mars. ' * 40,
             "Summarize and return it as json. status x read a " * 60]
    return [[{"role": "user", "content": t[:2000]}] for t in texts]


def accelerator() -> str:
    """Whether the featurizer runs the optional C accelerator (``classifiers/_speedups*.c``)."""
    from classifiers.lexicons import SPEEDUPS

    if SPEEDUPS is not None:
        return "active"
    try:
        import classifiers._speedups  # noqa: F401
    except ImportError:
        return "not built (pure Python)"
    return "built, off: COMPLEXITY_ROUTER_PURE_PYTHON is set (pure Python)"


def main() -> int:
    from classifiers import load_classifier

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    clf = load_classifier()
    rng = random.Random(0)
    ref0 = reference_ms()
    rows = []
    for chars, reps in ((200, 3000), (2000, 3000), (20_000, 500), (100_000, 200), (1_000_000, 20)):
        prompts = [_prompt(rng, chars) for _ in range(20)]
        timing(clf, prompts, 50)  # warm-up
        p50, p99 = timing(clf, prompts, reps)
        rows.append((f"score(), {chars:,} chars", f"p50 {p50:.3f} ms", f"p99 {p99:.3f} ms",
                     f"{p50 / ref0 * 1e3:.1f} / {p99 / ref0 * 1e3:.1f}"))
    for label, words, sep in (("Russian", WORDS_RU, " "), ("Chinese", WORDS_ZH, "")):
        prompts = [_prompt(rng, 2000, words, sep) for _ in range(20)]
        timing(clf, prompts, 50)
        p50, p99 = timing(clf, prompts, 3000)
        rows.append((f"score(), 2,000 chars of {label}", f"p50 {p50:.3f} ms", f"p99 {p99:.3f} ms",
                     f"{p50 / ref0 * 1e3:.1f} / {p99 / ref0 * 1e3:.1f}"))
    prompts = rule_texts()
    timing(clf, prompts, 50)
    p50, p99 = timing(clf, prompts, 1000)
    rows.append(("score(), 2,000 chars built against the rules", f"p50 {p50:.3f} ms", f"p99 {p99:.3f} ms",
                 f"{p50 / ref0 * 1e3:.1f} / {p99 / ref0 * 1e3:.1f}"))
    ms, unit, n_units = worst_case(clf)
    rows.append((f"score(), worst of {n_units:,} hostile texts, ~100k", f"max {ms:.3f} ms", f"({unit!r})",
                 f"{ms / ref0 * 1e3:.1f}"))
    # a follow-up: the earlier user turns are featurized too (the conversation context)
    convs = [_prompt(rng, 2000) + [{"role": "assistant", "content": "ok"}] + _prompt(rng, 2000)
             + [{"role": "assistant", "content": "ok"}] + _prompt(rng, 2000) for _ in range(20)]
    timing(clf, convs, 50)
    p50, p99 = timing(clf, convs, 2000)
    rows.append(("score(), 3 user turns x 2,000 chars", f"p50 {p50:.3f} ms", f"p99 {p99:.3f} ms",
                 f"{p50 / ref0 * 1e3:.1f} / {p99 / ref0 * 1e3:.1f}"))
    batch = [_prompt(rng, rng.choice((60, 200, 600, 2000))) for _ in range(5000)]
    t0 = time.perf_counter()
    clf.score_batch(batch)
    dt = time.perf_counter() - t0
    rows.append(("score_batch(), 5,000 mixed prompts", f"{len(batch) / dt:,.0f} prompts/s", f"{dt:.2f} s",
                 f"{len(batch) / dt * ref0 / 1e3:,.0f} per ref"))
    for label, skops in (("serving path (.npz)", False), (".skops path", True)):
        _, np_mb, loaded, heavy = memory(skops)
        rows.append((f"RSS after load+score, {label}", f"{loaded:.0f} MB total", f"+{loaded - np_mb:.1f} over numpy",
                     "imports " + ("+".join(heavy) if heavy else "no sklearn/scipy/skops")))
    ref1 = reference_ms()
    w = max(len(r[0]) for r in rows)
    print(f"reference workload (200k-iteration pure-Python loop): {ref0:.1f} ms before, {ref1:.1f} ms after "
          f"(the ratio column divides by the 'before' value)")
    print(f"C accelerator (classifiers._speedups): {accelerator()}")
    print(f"{'measurement':{w}s}  {'value':>22s}  {'':>14s}  {'x1000/ref (p50 / p99)':>22s}")
    for a, b, c, d in rows:
        print(f"{a:{w}s}  {b:>22s}  {c:>14s}  {d:>22s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
