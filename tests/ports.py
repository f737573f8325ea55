"""A free loopback port, the one helper every suite that starts a server needs (standard library only, so the
real-vLLM stage's `server.py` and the benchmarks can import it too)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback TCP port the kernel just handed out and released: nothing listens on it until a server binds it
    (a test that wants a refused connection uses it unbound)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_port() -> int:
    """A loopback port nobody listens on: a connection to it is refused (a backend that is down)."""
    return free_port()
