"""What the classifier's subcommands share (and the gateway's commands built on them, ``router/classifier_commands.py``):
the error exit, a message on stderr and exit code 2."""

from __future__ import annotations

import sys


def fail(msg: str, code: int = 2) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return code
