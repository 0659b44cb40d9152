"""Which matmuls accumulate in fp32: those over a long inner dimension.

Without a compute_kernel_config, a bfloat16 ttnn.linear / ttnn.matmul keeps a 16-bit destination register
(fp32_dest_acc_en = output is float32: docs/ttnn-numerics.md §2), so every 16-deep partial sum is rounded to bfloat16:
an error that grows with the inner dimension K. On the emulator one matmul loses 1 - PCC = 9e-5 at K 2048 and 3.6e-4
at K 8192 (2.7e-5 at 512); a Llama-3.2-1B-shaped layer (K 2048 and 8192) fell to 0.99867 on it, 0.99972 with fp32
accumulation (docs/ttnn-numerics.md, "Llama-3.2-1B"). From K 2048 one matmul costs a tenth of a module's 0.001, so
those accumulate in fp32 at the default fidelity, as tt-metal's tt_transformers does for its attention projections
(models/tt_transformers/tt/model_config.py: HiFi2, fp32_dest_acc_en, packer_l1_acc; "FP32 accumulate is important
here"). Shorter or symbolic inner dims keep ttnn's default.
"""

from __future__ import annotations

MIN_INNER = 2048
# ttnn's matmul default apart from the destination: HiFi2, math_approx_mode False, packer_l1_acc True
CONFIG = (
    "ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, math_approx_mode=False, "
    "fp32_dest_acc_en=True, packer_l1_acc=True)"
)
# the operand whose last dim is the inner dimension, per ATen op lowered to ttnn.linear / ttnn.matmul
INNER_OPERAND = {"linear": "input", "addmm": "mat1", "matmul": "self", "mm": "self", "bmm": "self", "baddbmm": "batch1"}


def keywords(inner) -> list[str]:
    """The compute_kernel_config keyword for a matmul over `inner` (an int, or a symbolic size), if it needs one."""
    return [f"compute_kernel_config={CONFIG}"] if isinstance(inner, int) and inner >= MIN_INNER else []
