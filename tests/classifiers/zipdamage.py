"""Damaged copies of a zip file (artifact, bundle, head) for the load-error property tests."""

from __future__ import annotations

from hypothesis import strategies as st


def damaged(good: bytes, data: st.DataObject) -> bytes:
    """``good`` cut short or with one byte flipped, most often in the zip headers at either end."""
    n = len(good)
    at = data.draw(st.one_of(st.integers(0, min(200, n - 1)), st.integers(max(0, n - 600), n - 1), st.integers(0, n - 1)))
    if data.draw(st.booleans()):
        return good[:at]
    return good[:at] + bytes([good[at] ^ data.draw(st.integers(1, 255))]) + good[at + 1:]
