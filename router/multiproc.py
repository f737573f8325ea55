"""Prometheus metrics across `serve --workers N` (prometheus-client's multiprocess mode).

Each worker writes its samples to memory-mapped files in `PROMETHEUS_MULTIPROC_DIR`; `/metrics`,
served by whichever worker the scrape reaches, merges all of them, so totals are the totals of
every worker. `cmd_serve` prepares the directory before the workers start (created, or emptied
of a previous run's files, which would otherwise be added to this run's counters).

Workers that go away: a worker marks itself dead when it stops; a worker that was killed cannot,
so every scrape also drops the live-gauge files of processes that no longer run (gone, or a zombie
its parent has not reaped yet). Counters and
histograms of dead workers stay in the sums, as they must for totals to stay monotonic.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry

log = logging.getLogger("complexity_router.metrics")

ENV = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_GAUGE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


def directory() -> str | None:
    return os.environ.get(ENV) or None


def prepare(workers: int) -> tuple[str | None, bool]:
    """Set up multiprocess mode before workers fork: returns (directory, whether we created it).

    With one worker and no `PROMETHEUS_MULTIPROC_DIR`, nothing changes (single-process metrics).
    A directory given in the environment is emptied of `*.db` files; otherwise a fresh
    temporary one is made and exported for the workers.
    """
    path = directory()
    if path is None and workers <= 1:
        return None, False
    created = path is None
    if created:
        path = tempfile.mkdtemp(prefix="complexity-router-metrics-")
        os.environ[ENV] = path
    assert path is not None
    Path(path).mkdir(parents=True, exist_ok=True)
    for stale in glob.glob(os.path.join(path, "*.db")):
        os.remove(stale)
    return path, created


@contextlib.contextmanager
def shared_values() -> Iterator[None]:
    """Metrics created inside write to this process's files in the directory, as the workers' do: `serve`'s parent
    imported prometheus-client before `prepare` named the directory, so its metrics would stay in its memory, unseen."""
    from prometheus_client import values

    previous = values.ValueClass
    values.ValueClass = values.MultiProcessValue()
    try:
        yield
    finally:
        values.ValueClass = previous


def cleanup(path: str | None, created: bool) -> None:
    if path is not None and created:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs. A killed worker stays a zombie until the parent reaps it (uvicorn's supervisor
    does so between its health pings, which can take a while): signal 0 still reaches a zombie, so Linux's
    process state is read too."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:  # no procfs (macOS), or the process went in between: signal 0 decided
        return True
    return stat[stat.rfind(")") + 2 : stat.rfind(")") + 3] not in ("Z", "X")  # the state follows the command's ")"


def reap_dead_workers(path: str) -> list[int]:
    """Drop the live-gauge files of processes that no longer run; returns their pids."""
    from prometheus_client import multiprocess

    dead: set[int] = set()
    for name in os.listdir(path):
        match = _LIVE_GAUGE.match(name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            dead.add(int(match.group(1)))
    for pid in dead:
        multiprocess.mark_process_dead(pid, path)
    return sorted(dead)


def registry_for_scrape() -> CollectorRegistry | None:
    """A registry merging every worker's samples, or None outside multiprocess mode."""
    path = directory()
    if path is None:
        return None
    from prometheus_client import multiprocess

    reap_dead_workers(path)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)
    return registry


def mark_this_worker_dead() -> None:
    """At worker shutdown: its live gauges leave the sums (its counters stay)."""
    path = directory()
    if path is None:
        return
    from prometheus_client import multiprocess

    try:
        multiprocess.mark_process_dead(os.getpid(), path)
    except OSError as exc:  # the directory may already be gone at shutdown
        log.debug("mark_process_dead failed: %s", exc)
