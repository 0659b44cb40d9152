"""One test per op rule (ttport.lower.rules.RULES): a module made of that op lowers to its ttnn call, with no
fallback, and the generated function matches torch on the emulated device (PCC >= 0.999)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from test_lower_conv import CONV_CASES
from test_lower_eltwise import ELTWISE_CASES
from test_lower_helpers import Forward, lower_and_verify, report
from test_lower_selection import SELECTION_CASES

from ttport.lower.rules import RULES

G = torch.Generator().manual_seed(0)


def randn(*shape):
    return torch.randn(*shape, generator=G)


def positive(*shape):
    return torch.rand(*shape, generator=G) + 0.5


X = randn(2, 8, 64)
Y = randn(2, 8, 64)
aten = torch.ops.aten

# rule name -> (forward, inputs, submodules/parameters, the ttnn call it must become)
CASES = {
    "linear": (lambda m, x: m.proj(x), {"x": X}, {"proj": torch.nn.Linear(64, 32)}, "ttnn.linear"),
    "addmm": (
        lambda m, x: torch.addmm(m.b, x, m.w),
        {"x": randn(8, 64)},
        {"w": randn(64, 32) * 0.1, "b": randn(32)},
        "ttnn.linear",
    ),
    "matmul": (lambda m, x, y: x @ y, {"x": X, "y": randn(2, 64, 32)}, {}, "ttnn.matmul"),
    "mm": (lambda m, x, y: torch.mm(x, y), {"x": randn(8, 64), "y": randn(64, 32)}, {}, "ttnn.matmul"),
    "bmm": (lambda m, x, y: torch.bmm(x, y), {"x": X, "y": randn(2, 64, 32)}, {}, "ttnn.matmul"),
    "add": (lambda m, x, y: x + y, {"x": X, "y": Y}, {}, "ttnn.add"),
    "sub": (lambda m, x, y: x - y, {"x": X, "y": Y}, {}, "ttnn.subtract"),
    "rsub": (lambda m, x: 1.5 - x, {"x": X}, {}, "ttnn.neg"),
    "mul": (lambda m, x, y: x * y, {"x": X, "y": Y}, {}, "ttnn.multiply"),
    "div": (lambda m, x, y: x / y, {"x": X, "y": positive(2, 8, 64)}, {}, "ttnn.divide"),
    "pow": (lambda m, x: x**2, {"x": X}, {}, "ttnn.pow"),
    "gelu": (lambda m, x: F.gelu(x), {"x": X}, {}, "ttnn.gelu"),
    "relu": (lambda m, x: torch.relu(x), {"x": X}, {}, "ttnn.relu"),
    "silu": (lambda m, x: F.silu(x), {"x": X}, {}, "ttnn.silu"),
    "tanh": (lambda m, x: torch.tanh(x), {"x": X}, {}, "ttnn.tanh"),
    "sigmoid": (lambda m, x: torch.sigmoid(x), {"x": X}, {}, "ttnn.sigmoid"),
    "exp": (lambda m, x: torch.exp(x), {"x": X}, {}, "ttnn.exp"),
    "sqrt": (lambda m, x: torch.sqrt(x), {"x": positive(2, 8, 64)}, {}, "ttnn.sqrt"),
    "rsqrt": (lambda m, x: torch.rsqrt(x), {"x": positive(2, 8, 64)}, {}, "ttnn.rsqrt"),
    "reciprocal": (lambda m, x: torch.reciprocal(x), {"x": positive(2, 8, 64)}, {}, "ttnn.reciprocal"),
    "neg": (lambda m, x: -x, {"x": X}, {}, "ttnn.neg"),
    "softmax": (lambda m, x: torch.softmax(x, dim=-1), {"x": X}, {}, "ttnn.softmax"),
    "_softmax": (lambda m, x: aten._softmax(x, -1, False), {"x": X}, {}, "ttnn.softmax"),
    "layer_norm": (lambda m, x: m.norm(x), {"x": X}, {"norm": torch.nn.LayerNorm(64)}, "ttnn.layer_norm"),
    "embedding": (
        lambda m, x: m.table(x),
        {"x": torch.randint(0, 50, (2, 8), generator=G)},
        {"table": torch.nn.Embedding(50, 64)},
        "ttnn.embedding",
    ),
    "view": (lambda m, x: x.view(2, 8, 4, 16), {"x": X}, {}, "ttnn.reshape"),
    "reshape": (lambda m, x: x.reshape(2, 8, 4, 16), {"x": X}, {}, "ttnn.reshape"),
    "_unsafe_view": (lambda m, x: aten._unsafe_view(x, [2, 8, 4, 16]), {"x": X}, {}, "ttnn.reshape"),
    "flatten": (lambda m, x: x.flatten(2), {"x": randn(2, 4, 8, 16)}, {}, "ttnn.reshape"),
    "unsqueeze": (lambda m, x: x.unsqueeze(1), {"x": X}, {}, "ttnn.reshape"),
    "squeeze": (lambda m, x: x.squeeze(1), {"x": randn(2, 1, 8, 64)}, {}, "ttnn.reshape"),
    "permute": (lambda m, x: x.permute(0, 2, 1), {"x": X}, {}, "ttnn.permute"),
    "transpose": (lambda m, x: x.transpose(1, 2), {"x": X}, {}, "ttnn.permute"),
    "t": (lambda m, x: aten.t(x), {"x": randn(8, 64)}, {}, "ttnn.permute"),
    "slice": (lambda m, x: x[:, 2:6], {"x": X}, {}, "ttnn.slice"),
    "select": (lambda m, x: x[:, 0], {"x": X}, {}, "ttnn.slice"),
    "cat": (lambda m, x, y: torch.cat([x, y], dim=-1), {"x": X, "y": Y}, {}, "ttnn.concat"),
    "split": (lambda m, x: x.split(32, dim=-1)[1], {"x": X}, {}, "ttnn.split"),
    "mean": (lambda m, x: x.mean(-1, keepdim=True), {"x": X}, {}, "ttnn.mean"),
    "sum": (lambda m, x: x.sum(-1, keepdim=True), {"x": X}, {}, "ttnn.sum"),
    "amax": (lambda m, x: x.amax(-1, keepdim=True), {"x": X}, {}, "ttnn.max"),
    "where": (lambda m, x, y: torch.where(y > 0, x, y), {"x": X, "y": Y}, {}, "ttnn.where"),
    "clamp": (lambda m, x: x.clamp(-0.5, 0.5), {"x": X}, {}, "ttnn.clamp"),
    "scaled_dot_product_attention": (
        lambda m, x: F.scaled_dot_product_attention(x, x * 0.5, x),
        {"x": randn(2, 2, 32, 32)},
        {},
        "ttnn.transformer.scaled_dot_product_attention",
    ),
    # data movement (rules_movement.py)
    "expand": (lambda m, x: x[:, :, None].expand(2, 4, 3, 8, 16), {"x": randn(2, 4, 8, 16)}, {}, "ttnn.concat"),
    "chunk": (lambda m, x: x.chunk(2, dim=-1)[1] * 2, {"x": X}, {}, "ttnn.split"),
    "unbind": (lambda m, x: x.unbind(1)[2] * 2, {"x": randn(2, 4, 8, 32)}, {}, "ttnn.split"),
    "stack": (lambda m, x, y: torch.stack([x, y], dim=1), {"x": X, "y": Y}, {}, "ttnn.concat"),
    "pad": (lambda m, x: F.pad(x, (1, 2, 0, 3), value=0.5), {"x": X}, {}, "ttnn.pad"),
    "constant_pad_nd": (lambda m, x: aten.constant_pad_nd(x, [0, 4]), {"x": X}, {}, "ttnn.pad"),
    "upsample_nearest2d": (
        lambda m, x: F.interpolate(x, scale_factor=2, mode="nearest"),
        {"x": randn(2, 3, 4, 8)},
        {},
        "ttnn.concat",
    ),
    # compute (rules_compute.py)
    "baddbmm": (
        lambda m, x, y: torch.baddbmm(y, x, x.transpose(1, 2), beta=0.5, alpha=0.25),
        {"x": X, "y": randn(2, 8, 8)},
        {},
        "ttnn.matmul",
    ),
    "masked_fill": (lambda m, x, y: x.masked_fill(y, -1.0), {"x": X, "y": Y > 0.5}, {}, "ttnn.where"),
    "hardtanh": (lambda m, x: F.hardtanh(x, -0.5, 0.5), {"x": X}, {}, "ttnn.clamp"),
    "group_norm": (
        lambda m, x: m.norm(x),
        {"x": randn(2, 8, 4, 8)},
        {"norm": torch.nn.GroupNorm(4, 8)},
        "ttnn.layer_norm",
    ),
    "add_": (lambda m, x, y: (x * 2).add_(y), {"x": X, "y": Y}, {}, "ttnn.add"),
    "sub_": (lambda m, x, y: (x * 2).sub_(y), {"x": X, "y": Y}, {}, "ttnn.subtract"),
    "mul_": (lambda m, x, y: (x + 1).mul_(y), {"x": X, "y": Y}, {}, "ttnn.multiply"),
    "div_": (lambda m, x: (x * 2).div_(3.0), {"x": X}, {}, "ttnn.divide"),
}
CASES.update(CONV_CASES)  # convolution, pooling, batch norm, resize: test_lower_conv.py
CASES.update(ELTWISE_CASES)  # element-wise math, comparisons, logical ops: test_lower_eltwise.py
CASES.update(SELECTION_CASES)  # gather, index, repeat, roll, cumsum: test_lower_selection.py
# Ops a case needs besides the one under test that run on host by design (where's condition: `>` has no rule).
ALLOWED_FALLBACKS = {"where": {"aten.gt.Scalar"}}


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("op", sorted(CASES))
def test_rule(op, device):
    forward, inputs, children, call = CASES[op]
    lowered, checks, source = lower_and_verify(Forward(forward, **children), inputs, device, name=op)
    assert f"{call}(" in source, source
    fallbacks = {f.op for kind in lowered.kinds for f in kind.fallbacks}
    assert fallbacks <= ALLOWED_FALLBACKS.get(op, set()), fallbacks
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_tanh_approximate_gelu_is_written_out_on_device(device):
    forward = Forward(lambda m, x: F.gelu(x, approximate="tanh"))
    lowered, checks, source = lower_and_verify(forward, {"x": X * 3}, device, name="gelu_tanh")
    assert "ttnn.tanh(" in source and "0.044715" in source, source
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_index_with_one_index_tensor_reads_rows_of_the_first_dim(device):
    forward = Forward(lambda m, x, y: x[y] * 2)
    inputs = {"x": randn(6, 4, 32), "y": torch.tensor([[5, 0], [2, 2]])}
    lowered, checks, source = lower_and_verify(forward, inputs, device, name="rows")
    assert "ttnn.embedding(" in source and not [f for kind in lowered.kinds for f in kind.fallbacks], source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_a_slice_to_a_run_time_size_is_a_device_slice(device):
    """x[:, : y.shape[1]]: the bound is the sequence length, a size known at run time only."""
    forward = Forward(lambda m, x, y: x[:, : y.shape[1]] + y)
    lowered, checks, source = lower_and_verify(forward, {"x": randn(2, 12, 64), "y": randn(2, 8, 64)}, device)
    assert "ttnn.slice(" in source and not [f for kind in lowered.kinds for f in kind.fallbacks], source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_a_matmul_broadcasting_one_key_head_repeats_it(device):
    """Falcon's multi-query attention: (b, heads, q, d) @ (b, 1, d, k); ttnn.matmul does not broadcast b's heads."""
    forward = Forward(lambda m, x, y: x @ y.transpose(-1, -2))
    inputs = {"x": randn(2, 4, 8, 16), "y": randn(2, 1, 8, 16)}
    lowered, checks, source = lower_and_verify(forward, inputs, device, name="multi_query")
    assert "] * 4, dim=1" in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
