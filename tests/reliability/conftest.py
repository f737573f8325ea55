"""Fixtures for the reliability and security suite: loopback upstream rigs, the drain reset, and
the in-process harness of tests/router."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from router.shutdown import DRAIN
from tests.reliability.loopback import FakeUpstream, Rig
from tests.router.conftest import harness, make_harness, spare_handler  # noqa: F401  (re-exported fixtures)


@pytest.fixture
async def rig(fake_classifier: Any) -> AsyncIterator[Rig]:
    """Two loopback upstreams (`rig.a`, `rig.b`) and gateways built in front of them."""
    a = await FakeUpstream().start()
    b = await FakeUpstream().start()
    rig = Rig(a, b, fake_classifier)
    try:
        yield rig
    finally:
        await rig.aclose()


@pytest.fixture(autouse=True)
def _no_drain() -> Iterator[None]:
    """The drain is process-wide (signals are): every test starts and ends outside it."""
    DRAIN.reset()
    yield
    DRAIN.reset()
