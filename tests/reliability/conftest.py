"""Fixtures for the reliability and security suite: loopback upstream rigs and the in-process harness of
tests/router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.reliability.loopback_rig import Rig
from tests.reliability.loopback_upstream import FakeUpstream
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
