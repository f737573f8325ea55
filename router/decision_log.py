"""The decision log: one JSON line per request, written by a background thread, size-rotated.

The request path only builds a small dict and puts it on a queue; a `QueueListener` thread
hashes the prompt, serialises the line and appends it through a `RotatingFileHandler`. So no
disk I/O (and no hashing of large prompts) happens on the event loop.

With several worker processes each writes its own file (`{pid}` in the path, or `.PID` added
before the suffix), because size rotation of one file by several processes loses lines.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import tempfile
import threading
from datetime import UTC, datetime
from logging.handlers import QueueListener, RotatingFileHandler
from pathlib import Path
from typing import Any

import orjson

from router.config import ConfigError
from router.opsconfig import DecisionLogConfig

log = logging.getLogger("complexity_router.decision_log")

WORKERS_ENV = "COMPLEXITY_ROUTER_WORKERS"


def resolve_path(path: str, pid: int | None = None) -> Path:
    """`{pid}` replaced; with several workers and no `{pid}`, `.PID` goes before the suffix."""
    pid = os.getpid() if pid is None else pid
    if "{pid}" in path:
        return Path(path.replace("{pid}", str(pid)))
    resolved = Path(path)
    if int(os.environ.get(WORKERS_ENV, "1") or 1) > 1:
        resolved = resolved.with_name(f"{resolved.stem}.{pid}{resolved.suffix}")
    return resolved


def checked_path(config: DecisionLogConfig, *, create: bool = True) -> Path:
    """The log's file, its directory made if missing (``create``; else its nearest existing folder) and written to
    once: a worker that cannot open its log fails to start, so `check-config` — the supervisor's test of a reloaded
    file — refuses such a path too (it passed, became the respawns' config, and a crashed worker's respawn then
    stopped the whole server). Without ``create`` nothing is left behind (a `{pid}` folder would be check-config's)."""
    assert config.path is not None
    path = resolve_path(config.path)
    folder = path.parent
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = next(parent for parent in (folder, *folder.parents) if parent.exists())
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ConfigError(f"decision_log.path: cannot write to {folder}: {exc.strerror or exc}") from None
    return path


def prompt_hash(messages: Any) -> str:
    return hashlib.sha256(orjson.dumps(messages, option=orjson.OPT_SORT_KEYS)).hexdigest()


class _LineFormatter(logging.Formatter):
    """Turns the queued entry into its JSON line, once per record (rotation checks format too)."""

    def __init__(self, log_prompts: bool) -> None:
        super().__init__()
        self.log_prompts = log_prompts

    def format(self, record: logging.LogRecord) -> str:
        line = getattr(record, "line", None)
        if line is None:
            entry: dict[str, Any] = record.entry  # type: ignore[attr-defined]
            messages = record.messages  # type: ignore[attr-defined]
            entry["time"] = datetime.fromtimestamp(entry["time"], UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if messages is not None:
                try:
                    entry["prompt_sha256"] = prompt_hash(messages)
                except TypeError:
                    entry["prompt_sha256"] = None
                if self.log_prompts:
                    entry["messages"] = messages
            line = orjson.dumps(entry, default=str).decode()
            record.line = line  # type: ignore[attr-defined]
        return line


class _Marker(logging.LogRecord):
    """Queued behind the lines a test waits for; sets its event when reached."""

    def __init__(self) -> None:
        super().__init__("complexity_router.decisions", logging.INFO, "", 0, "", None, None)
        self.done = threading.Event()


class _Handler(RotatingFileHandler):
    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        if isinstance(record, _Marker):
            self.flush()
            record.done.set()
            return True
        return bool(super().handle(record))


class DecisionLog:
    """Appends decision entries to `config.path` from a background thread."""

    def __init__(self, config: DecisionLogConfig) -> None:
        assert config.path is not None
        self.config = config
        self.path = checked_path(config)
        self._handler = _Handler(self.path, maxBytes=config.max_bytes, backupCount=config.backups, encoding="utf-8")
        self._handler.setFormatter(_LineFormatter(config.log_prompts))
        self._queue: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        self._listener = QueueListener(self._queue, self._handler)
        self._listener.start()
        self._closed = False
        log.info("decision log: %s (rotate at %d bytes, %d backups, prompts %s)", self.path, config.max_bytes, config.backups,
                 "logged" if config.log_prompts else "hashed only")

    def write(self, entry: dict[str, Any], messages: Any = None) -> None:
        """Queue one entry (`time` as a Unix timestamp); `messages` are hashed, and logged if enabled, off the loop."""
        if self._closed:
            return
        record = logging.makeLogRecord({"entry": entry, "messages": messages})
        self._queue.put_nowait(record)

    def sync(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is on disk (tests, shutdown)."""
        if self._closed:
            return True
        marker = _Marker()
        self._queue.put_nowait(marker)
        return marker.done.wait(timeout)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._listener.stop()  # drains the queue first
        self._handler.close()

    def signature(self) -> tuple[Any, ...]:
        return (self.config.path, self.config.max_bytes, self.config.backups, self.config.log_prompts)


def signature(config: DecisionLogConfig) -> tuple[Any, ...]:
    return (config.path, config.max_bytes, config.backups, config.log_prompts)
