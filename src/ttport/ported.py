"""What passes between lower, verify and emit: a model lowered to TTNN, module kind by module kind, and checks.

capture (ttport.capture) -> reference (ttport.reference) -> lower (ttport.lower) -> verify -> emit (ttport.port).
The lowering produces a LoweredModel; verification runs each generated TTNN function on the inputs captured at each
module instance (on the emulator, or real ttnn) and returns one ModuleCheck per instance; emission writes the
project (tt/, reference/, tests/, README.md) from both. This module sits below all three stages and imports none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How a module input reaches a generated TTNN function (and how a test prepares it from a captured torch value).
INPUT_KINDS = {
    "activation": "bfloat16, TILE, on device",
    "nhwc": "bfloat16, TILE, on device, channels-last [N, H, W, C]: a 4-D NCHW value permuted, as ttnn's convs take it",
    "ids": "uint32, ROW_MAJOR, on device (token / position ids for ttnn.embedding)",
    "mask": "bfloat16, TILE, on device, additive (0 keep, large negative drop), shaped (batch, 1, 1, seq)",
    "host": "a torch tensor left on host (an input only host fallbacks read)",
    "scalar": "a Python number",
}


@dataclass(frozen=True)
class InputSpec:
    name: str  # the parameter name in the generated function
    kind: str  # a key of INPUT_KINDS


@dataclass(frozen=True)
class Fallback:
    """An op with no TTNN rule, run in torch on host in the generated code (with a comment there)."""

    op: str  # e.g. "aten.gather.default"
    kind: str  # the module kind whose function contains it
    reason: str  # why it has no rule, in a few words


@dataclass
class KindPort:
    """One module kind lowered to TTNN: a function `def <name>(<inputs>, *, parameters, <config>)`."""

    name: str  # the reference function's name, e.g. "bert_self_attention"
    group: str  # the tt/ file it lives in: "embeddings", "attention", "feedforward", "model", ...
    source: str  # the TTNN function's source (Python 3.10, `import ttnn` style, no imports inside)
    inputs: list[InputSpec]
    preprocessor: str = ""  # source of this kind's custom_preprocessor, or "" when ttnn's defaults convert it
    calls: list[str] = field(default_factory=list)  # other kinds it calls
    fallbacks: list[Fallback] = field(default_factory=list)
    config: dict = field(default_factory=dict)  # its config keyword arguments and their values for this model
    instances: dict = field(default_factory=dict)  # module path of every instance -> its config keyword values
    keys: list = field(default_factory=list)  # capture call keys of its instances (a module called twice: one path)
    # its source also defines prepare_inputs(<inputs>, *, [parameters,] device) (prepare_<name>_inputs below the
    # model), whose results are the function's arguments
    prepare_inputs: bool = False
    prepare_name: str = ""
    # the form of each returned output, in order ("nhwc": channels-last [N, H, W, C], not NCHW as torch returns it)
    output_forms: list[str] = field(default_factory=list)


@dataclass
class LoweredModel:
    model_name: str  # snake_case, e.g. "minilm"
    kinds: list[KindPort]  # callees before callers; the last is the top-level function
    reference_source: str  # reference/torch_<model>.py, from ttport.reference
    parameters_source: str  # tt/parameters.py: create_ttnn_parameters(torch_model, device) and the preprocessors
    weights: str = "bf16"  # "bf16" or "bfp8"
    memory_plan: str = ""  # where activations live and the input shapes that was planned and checked for (README)

    @property
    def top(self) -> KindPort:
        return self.kinds[-1]

    def kind(self, name: str) -> KindPort:
        return next(k for k in self.kinds if k.name == name)


@dataclass(frozen=True)
class ModuleCheck:
    """A generated TTNN function run on one module instance's captured inputs, against its captured output."""

    path: str  # the module's path in the model, e.g. "encoder.layer.0.attention"; "" for the model
    kind: str
    pcc: float  # the worst output leaf's
    max_abs_error: float
    threshold: float  # 0.999 per module, 0.99 for the whole model (DESIGN.md §5)
    device_ops: int  # ttnn device ops issued by this call (emulator trace)
    error: str = ""  # the exception the generated function raised, if it did
    problems: tuple[str, ...] = ()  # every output check it missed, with the value and the limit (validate.outputs)
    nonfinite: int = 0  # output elements whose NaN/inf differ from the original's

    @property
    def passed(self) -> bool:
        return not self.error and not self.problems and self.pcc >= self.threshold

    @property
    def failure(self) -> str:
        """Why the check failed, one line; "" when it passed."""
        if self.error or self.problems:
            return self.error or "; ".join(self.problems)
        return "" if self.passed else f"PCC {self.pcc:.6f} < {self.threshold}"
