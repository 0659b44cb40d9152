"""ttport.lower: a captured model and its functional reference -> TTNN functions per module kind, parameter
preprocessing, and verification of each function against the captured module on a ttnn backend."""

from .errors import LoweringError
from .lower import lower
from .verify import verify

__all__ = ["LoweringError", "lower", "verify"]
