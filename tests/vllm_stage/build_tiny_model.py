#!/usr/bin/env python
"""Build a tiny random-weight Llama model directory for the real-vLLM test stage.

Usage:  python build_tiny_model.py OUT_DIR

Everything is made locally and deterministically (fixed seeds, no hub access):

* a byte-level BPE tokenizer trained with `tokenizers` on text generated here,
  wrapped as a `transformers.PreTrainedTokenizerFast` with bos/eos/pad tokens,
  ChatML special tokens, `<think>`/`</think>` added tokens and a ChatML chat
  template that honours `add_generation_prompt` and the `enable_thinking`
  template kwarg (Qwen3-style: an empty `<think>\\n\\n</think>\\n\\n` block is
  emitted when `enable_thinking` is false; otherwise the generation prompt
  ends with an open `<think>\\n`, see CHAT_TEMPLATE);
* a 2-layer `LlamaConfig` (hidden 128, 2 heads, head_dim 64 -- the CPU
  attention kernels reject head_dim 16 -- max_position_embeddings 512) with
  random float32 weights, saved as safetensors.

If OUT_DIR already holds a complete build of the same BUILD_VERSION, nothing is
done. The build goes to a temporary sibling directory that is renamed into
place, so an interrupted run never leaves a half-built OUT_DIR behind.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Deterministic BPE training: one rayon thread.
os.environ.setdefault("RAYON_RS_NUM_CPUS", "1")
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BUILD_VERSION = "2"
MARKER = ".tiny-model-complete"
SEED = 1234
TARGET_VOCAB = 1536

# Special tokens (ids are assigned in this order, starting at 0).
PAD = "<|pad|>"
BOS = "<|begin_of_text|>"
EOS = "<|im_end|>"
IM_START = "<|im_start|>"
ENDOFTEXT = "<|endoftext|>"
SPECIAL_TOKENS = [PAD, BOS, EOS, IM_START, ENDOFTEXT]
# Added (not special) tokens, like Qwen3: single ids, kept in decoded text so a
# reasoning parser (or a client) can see them.
THINK_TOKENS = ["<think>", "</think>"]

REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
)

# ChatML template with Qwen3-like handling of `enable_thinking`:
#   enable_thinking=false      -> "<|im_start|>assistant\n<think>\n\n</think>\n\n"
#   enable_thinking unset/true -> "<|im_start|>assistant\n<think>\n"
# The thinking block is opened in the prompt (as Qwen3-Thinking / DeepSeek-R1
# templates do) because a random-weight model never emits <think> itself; this
# makes vLLM's `thinking_token_budget` (which starts counting at the last
# <think> in prompt+output) and the qwen3 reasoning parser work end to end.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['content'] is string -%}"
    "{%- set content = message['content'] -%}"
    "{%- else -%}"
    "{%- set content = '' -%}"
    "{%- endif -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + content + '<|im_end|>' + '\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- if enable_thinking is defined and enable_thinking is false -%}"
    "{{- '<think>\\n\\n</think>\\n\\n' -}}"
    "{%- else -%}"
    "{{- '<think>\\n' -}}"
    "{%- endif -%}"
    "{%- endif -%}"
)

_WORDS = (  # noqa: SIM905 (a wrapped string, not 190 quoted words)
    "the a an of to in and or is are was be not for with on at by from this that "
    "it as can will would should could may must do does did have has had you we "
    "they he she i me my your our their what which who when where why how "
    "request route router model token tokens prompt completion chat message "
    "system user assistant reply answer question simple complex hard easy fast "
    "slow cheap expensive small large tiny latency budget thinking reasoning step "
    "plan code python function class return value list dict string number error "
    "test server client stream usage cost price gateway backend classifier score "
    "hello world please thanks explain write summarize translate compute sort "
    "search find count add multiply divide prove theorem data file json http api "
    "one two three four five six seven eight nine ten hundred first second last "
    "good bad better best new old big little long short high low open close"
).split()
_SYLLABLES = "ka ri to mu sen lo va dre qui zan pol eth or un bel tra gi nox"
_PUNCT = [".", ",", "?", "!", ":", ";"]


def corpus(rng: random.Random, n_sentences: int = 900) -> str:
    """A few tens of KB of deterministic pseudo-English plus code/number snippets."""
    syl = _SYLLABLES.split()
    lines = []
    for i in range(n_sentences):
        n = rng.randint(4, 14)
        words = []
        for _ in range(n):
            r = rng.random()
            if r < 0.78:
                words.append(rng.choice(_WORDS))
            elif r < 0.9:
                words.append("".join(rng.choice(syl) for _ in range(rng.randint(2, 3))))
            else:
                words.append(str(rng.randint(0, 2048)))
        s = " ".join(words)
        s = s[0].upper() + s[1:] + rng.choice(_PUNCT)
        if i % 11 == 0:
            s += f"\ndef f_{i}(x, y):\n    return x * {rng.randint(1, 99)} + y  # {rng.choice(_WORDS)}"
        if i % 17 == 0:
            role = rng.choice(["user", "system", "assistant"])
            s += f' {{"role": "{role}", "content": "{rng.choice(_WORDS)}"}}'
        lines.append(s)
    return "\n".join(lines) + "\n"


def is_complete(out: Path) -> bool:
    marker = out / MARKER
    if not marker.is_file() or any(not (out / f).is_file() for f in REQUIRED_FILES):
        return False
    try:
        return json.loads(marker.read_text()).get("build_version") == BUILD_VERSION
    except (OSError, ValueError):
        return False


def build(out: Path) -> dict:
    import numpy as np
    import torch
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)

    # ---- tokenizer
    text = corpus(rng)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TARGET_VOCAB,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    chunks = [text[i : i + 2000] for i in range(0, len(text), 2000)]
    tok.train_from_iterator(chunks, trainer=trainer)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in THINK_TOKENS])

    hf_tok = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=None,
        model_max_length=512,
        clean_up_tokenization_spaces=False,
    )
    hf_tok.chat_template = CHAT_TEMPLATE
    vocab_size = len(hf_tok)

    # ---- model
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=64,
        max_position_embeddings=512,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        tie_word_embeddings=False,
        bos_token_id=hf_tok.convert_tokens_to_ids(BOS),
        eos_token_id=hf_tok.convert_tokens_to_ids(EOS),
        pad_token_id=hf_tok.convert_tokens_to_ids(PAD),
    )
    torch.manual_seed(SEED)
    model = LlamaForCausalLM(config).to(torch.float32).eval()

    model.save_pretrained(out, safe_serialization=True)
    hf_tok.save_pretrained(out)

    # Sanity check the round trip and the template.
    reloaded = PreTrainedTokenizerFast.from_pretrained(out)
    msgs = [{"role": "user", "content": "hello world"}]
    rendered = reloaded.apply_chat_template(
        msgs, tokenize=False, add_generation_prompt=True, enable_thinking=False
    )
    assert rendered == "<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", rendered
    rendered = reloaded.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
    assert rendered == "<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\n<think>\n", rendered
    rendered = reloaded.apply_chat_template(msgs, tokenize=False, add_generation_prompt=False)
    assert rendered == "<|im_start|>user\nhello world<|im_end|>\n", rendered
    for t in THINK_TOKENS + [IM_START, EOS]:
        assert len(reloaded.encode(t, add_special_tokens=False)) == 1, t

    info = {
        "build_version": BUILD_VERSION,
        "seed": SEED,
        "vocab_size": vocab_size,
        "corpus_chars": len(text),
        "params": sum(p.numel() for p in model.parameters()),
        "special_tokens": {t: hf_tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS + THINK_TOKENS},
    }
    (out / MARKER).write_text(json.dumps(info, indent=2) + "\n")
    return info


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = Path(argv[1]).expanduser().resolve()
    if is_complete(out):
        print(f"tiny model already complete: {out}")
        return 0
    t0 = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        info = build(tmp)
        tmp.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"built tiny model in {time.monotonic() - t0:.1f}s: {out} "
        f"(vocab {info['vocab_size']}, {info['params']} params)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
