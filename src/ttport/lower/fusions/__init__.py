"""Fusion rules, tried in this order on every device op; each claims a group of ops and emits fewer TTNN calls."""

from __future__ import annotations

FUSIONS: list = []
