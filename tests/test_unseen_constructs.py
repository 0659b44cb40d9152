"""Constructs found by porting architectures the zoo did not have (docs/unseen-triage.md), each on a minimal module
that failed before its fix: it captures, its reference and TTNN functions generate, and every module matches torch
on the emulated device (PCC >= 0.999)."""

from __future__ import annotations

import pytest
import torch
from test_lower_helpers import lower_and_verify, report

from ttport.capture import capture
from ttport.capture.state import StateMutationError
from ttport.codegen.format import COLUMNS, docstring, format_source
from ttport.codegen.sizes import size_source
from ttport.codegen.structure import rebuild

G = torch.Generator().manual_seed(3)
X = torch.randn(2, 8, 64, generator=G)


class Scored(torch.nn.Module):
    """Reads one tensor of a nested argument and not the others, as FunnelRelMultiheadAttention reads
    `attention_inputs = (position_embeds, token_type_mat, attention_mask, cls_mask)`, position_embeds a list."""

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(64, 64)

    def forward(self, x, extras):
        (positions, _unused), _types, mask = extras
        return self.proj(x + positions[0]) * mask


class Nested(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scored = Scored()

    def forward(self, x, y):
        positions = [y * 0.5, y * 2.0]
        mask = (x[..., :1] > 0).to(x.dtype)
        return self.scored(x, ((positions, y + 1.0), y * 3.0, mask))


def test_a_nested_argument_with_unread_leaves_is_rebuilt(device):
    lowered, checks, source = lower_and_verify(Nested(), {"x": X, "y": torch.randn(2, 8, 64, generator=G)}, device)
    assert "scored(x, (([" in source and "None" in source, source  # the list inside the tuple, unread leaves None
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


def test_rebuild_refuses_parts_that_do_not_fit_the_argument():
    assert rebuild([("[0][1]", "a"), ("[2]", "b")], ([1.0, 2.0], 3, 4)) == "([1.0, a], 3, b)"
    assert rebuild([("['k']", "a")], {"k": 1, "j": None}) == "{'k': a, 'j': None}"
    assert rebuild([("[3]", "a")], (1, 2)) is None  # no such leaf
    assert rebuild([(".real", "a")], (1, 2)) is None  # not an index or key chain


class CrossAttention(torch.nn.Module):
    """Queries from one argument, keys from another (Canine's CanineSelfAttention(from_tensor, to_tensor))."""

    def __init__(self):
        super().__init__()
        self.query, self.key = torch.nn.Linear(64, 64), torch.nn.Linear(64, 64)

    def forward(self, from_tensor, to_tensor):
        scores = self.query(from_tensor) @ self.key(to_tensor).transpose(-1, -2)
        return scores.softmax(-1) @ to_tensor


class Chunks(torch.nn.Module):
    """Passes two slices with equal bounds, hence equal values, as both arguments."""

    def __init__(self):
        super().__init__()
        self.attention = CrossAttention()

    def forward(self, x):
        return self.attention(x[:, 0:4], x[:, 0:4] * 1.0)


def test_arguments_with_equal_values_bind_to_different_nodes(device):
    lowered, checks, source = lower_and_verify(Chunks(), {"x": X}, device)
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


class SelfAssigned(torch.nn.Module):
    """CTRL's `self.pos_encoding = self.pos_encoding.to(device=..., dtype=...)`: a write of the buffer into itself."""

    def __init__(self):
        super().__init__()
        self.register_buffer("table", torch.randn(8, 64, generator=G))

    def forward(self, x):
        self.table = self.table.to(device=x.device, dtype=x.dtype)
        return x + self.table


class Overwritten(SelfAssigned):
    def forward(self, x):
        self.table.copy_(self.table * 2.0)  # a real write: refused
        return x + self.table


def test_a_buffer_assigned_to_itself_is_not_state(device):
    lowered, checks, source = lower_and_verify(SelfAssigned(), {"x": X}, device)
    assert "copy_" not in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


def test_a_buffer_written_with_a_new_value_is_still_refused():
    with pytest.raises(StateMutationError, match="buffer `table`"):
        capture(Overwritten().eval(), {"x": X})


@pytest.mark.parametrize("length", [60, 113, 114, 115, 117, 118, 200, 400])
@pytest.mark.parametrize("indent", ["", "    "])
def test_generated_docstrings_fit_the_line_length(length, indent):
    summary = " ".join(["word"] * 80)[:length].rstrip() + "."
    text = docstring(summary, indent)
    formatted = format_source(f"def f():\n{text}\n" if indent else text + "\n")  # as ruff format leaves it
    assert all(len(line) <= COLUMNS for line in formatted.splitlines()), formatted
    assert " ".join(text.replace('"""', "").split()) == summary


def test_size_source_prints_python():
    """sympy's str printed MPT's reshape size as `1 - Max(0, 1 - sequence_length)`: a name the port does not define."""
    import sympy
    from torch.utils._sympy.functions import FloorDiv, PythonMod

    n = sympy.Symbol("n", integer=True, positive=True)
    assert size_source(sympy.Max(0, 64 - n)) == "max(0, 64 - n)"
    assert size_source(sympy.Min(n, 8) + 1) == "min(8, n) + 1"
    assert eval(size_source(FloorDiv(n + 3, 2) * PythonMod(n, 5)), {"n": 9}) == 6 * 4


class Staged(torch.nn.Module):
    def __init__(self, token: bool):
        super().__init__()
        self.proj = torch.nn.Linear(64, 64)
        if token:  # Cvt's CvtStage: the attribute exists only on the stages that use a class token
            self.token = torch.nn.Parameter(torch.randn(1, 1, 64, generator=G))

    def forward(self, x):
        x = self.proj(x)
        return torch.cat([self.token.expand(x.shape[0], -1, -1), x], 1) if hasattr(self, "token") else x


class Stages(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stages = torch.nn.ModuleList([Staged(False), Staged(True)])

    def forward(self, x):
        for stage in self.stages:
            x = stage(x)
        return x


def test_a_parameter_some_instances_do_not_have(device):
    lowered, checks, source = lower_and_verify(Stages(), {"x": X}, device)
    assert 'getattr(model, "token", None) is not None' in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
