"""The token-count routes' own rate limit (`/v1/messages/count_tokens`, `/v1/responses/input_tokens`): per key, requests
per sliding minute (`limits.*.count_requests_per_minute`, else the key's `requests_per_minute`) in a bucket of their own.

They were authorized but never limited: a key could have megabyte prompts tokenized without end. Anthropic limits token
counting by requests per minute, "separate and independent" of message creation (usage of one does not count against
the other), so a count takes nothing from the key's requests and reserves no tokens: it costs the gateway a parse and a
count, never an upstream call or spend. Checked before the body is read, so a refused count costs no parse either.
"""

from __future__ import annotations

import time

from router.limits import OK, Limiter, LimitStoreUnavailable, requests_wait

#: A key's count bucket in the limit store, beside its requests': `1a2b3c4d:count` (its own minute windows).
COUNT_BUCKET = ":count"
#: The limit's name: its `router_limit_rejections_total` reason and its decision-log lines' `limit`.
COUNT_LIMIT = "count_requests"


async def admit_count(limiter: Limiter, key: str) -> None:
    """Take one count from `key`'s bucket, or raise its 429 (`rate_limit_exceeded`, Retry-After); the store unreachable:
    as for requests (`state.on_redis_error`: counted unmetered, or 503). Not held as a request refusal is: a count
    refused costs one store call, and holding it would refuse the key's requests too."""
    limit = limiter.rule(key).count_limit
    if limit is None:
        return
    now = time.time()
    try:
        counts = await limiter.store.admit(key + COUNT_BUCKET, now, limit, None, 0, None, "", False)
    except LimitStoreUnavailable as exc:
        limiter.unavailable(exc)
        return
    if counts.status != OK:
        message = f"Rate limit reached for API key {key}: {limit} token counts per minute"
        raise limiter.refusal(COUNT_LIMIT, "rate_limit_exceeded", message, {}, requests_wait(counts, now, limit))
