"""What flows through the benchmark: the canned upstream answers nginx serves, the chat bodies
clients send (``model: auto``, so the classifier scores each), and the keys both sides use."""

from __future__ import annotations

from typing import Any

API_KEY = "sk-bench-client-key"
UPSTREAM_KEY = "sk-bench-upstream"

ANSWER_TEXT = (
    "Sure. The short answer is that a write-ahead log gives you durability without forcing every page to disk: "
    "each change is appended to a sequential log and fsynced once, and the data pages follow lazily. On a crash "
    "you replay the log from the last checkpoint. The trade-off is extra write volume and a recovery step, which "
    "is why most databases checkpoint periodically to bound the replay time."
)
ANSWER_WORDS = ANSWER_TEXT.split(" ")
STREAM_CHUNKS = len(ANSWER_WORDS)  # one content event per word, like a token stream
CREATED = 1_700_000_000


def canned_completion() -> bytes:
    import orjson

    return orjson.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": CREATED,
            "model": "bench-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": " ".join(ANSWER_WORDS)}, "logprobs": None, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": 412,
                "completion_tokens": 96,
                "total_tokens": 508,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        }
    )


def canned_stream() -> bytes:
    """vLLM-shaped SSE: a role chunk, one chunk per word, a finish chunk, a usage-only chunk, [DONE]."""
    import orjson

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        body = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": "bench-model",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extra,
        }
        return b"data: " + orjson.dumps(body) + b"\n\n"

    frames = [chunk({"role": "assistant", "content": ""})]
    frames += [chunk({"content": (" " if i else "") + word}) for i, word in enumerate(ANSWER_WORDS)]
    frames.append(chunk({}, "stop"))
    usage = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": "bench-model",
        "choices": [],
        "usage": {"prompt_tokens": 412, "completion_tokens": STREAM_CHUNKS, "total_tokens": 412 + STREAM_CHUNKS},
    }
    frames.append(b"data: " + orjson.dumps(usage) + b"\n\n")
    frames.append(b"data: [DONE]\n\n")
    return b"".join(frames)


SYSTEM = (
    "You are a senior engineer on an infrastructure team. Answer precisely, show the reasoning that matters, "
    "prefer short code over prose, and say so when you are unsure. Use the conventions of the codebase the "
    "user describes; do not invent APIs."
)
PROMPTS = [
    # a one-liner a cheap tier handles
    [{"role": "user", "content": "What does HTTP status 429 mean, and which header tells a client when to retry?"}],
    # a multi-turn coding exchange
    [
        {"role": "user", "content": "I have a Python service that reads a 2 GB CSV with pandas and runs out of memory on a 4 GB box."},
        {
            "role": "assistant",
            "content": "Read it in chunks with `pd.read_csv(path, chunksize=100_000)` and aggregate per chunk, "
            "or select only the columns you need with `usecols` and narrow dtypes with `dtype=`.",
        },
        {
            "role": "user",
            "content": "The aggregation is a group-by over a user id with a median per group, so chunks do not combine "
            "simply. How would you restructure it so the memory stays bounded but the medians stay exact?",
        },
    ],
    # a reasoning-heavy question
    [
        {
            "role": "user",
            "content": "Prove that for every integer n >= 1 the number n^5 - n is divisible by 30, then generalise: for which "
            "k is n^k - n divisible by 30 for all n? Give a complete argument, not just examples.",
        }
    ],
    # a design question with context
    [
        {
            "role": "user",
            "content": "We run a rate limiter as a Redis token bucket per API key with a Lua script. At 40k req/s across "
            "12 gateway pods we see p99 latency spikes of 30 ms correlated with Redis CPU at 90%. Compare three "
            "designs: local buckets with periodic sync, a sliding-window counter with pipelining, and sharding "
            "keys across a Redis cluster. Which would you choose, what are the failure modes, and how would you "
            "test it before rollout?",
        }
    ],
]


def chat_bodies(model: str = "auto", stream: bool = False) -> list[bytes]:
    import orjson

    bodies = []
    for messages in PROMPTS:
        body: dict[str, Any] = {"model": model, "messages": [{"role": "system", "content": SYSTEM}, *messages], "temperature": 0.2, "max_tokens": 512}
        if stream:
            body["stream"] = True
        bodies.append(orjson.dumps(body))
    return bodies
