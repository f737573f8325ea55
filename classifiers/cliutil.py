"""What the classifier subcommands share: the error exit (a message on stderr, exit code 2)."""

from __future__ import annotations

import sys


def fail(msg: str, code: int = 2) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return code
