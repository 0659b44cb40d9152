"""ttport.capture: a model and example inputs -> its module call tree, each call's graph, inputs and outputs."""

from .capture import Captured, capture
from .errors import (
    BindingError,
    CaptureError,
    DataDependentControlFlowError,
    DynamicShapeError,
    UnsupportedInputError,
    UnsupportedOperatorError,
)
from .tree import ModuleCall
