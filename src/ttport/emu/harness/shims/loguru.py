"""loguru's `logger`, for tt-metal test files that import it where loguru is not installed (it only logs)."""

from __future__ import annotations

import logging

logger = logging.getLogger("tt-metal-test")
