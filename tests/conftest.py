"""Shared fixtures: an emulated device per test (the closeness check op tests use is tests/closeness.py)."""

from __future__ import annotations

import pytest
import ttnn


@pytest.fixture
def device():
    device = ttnn.open_device(device_id=0)
    yield device
    ttnn.close_device(device)
