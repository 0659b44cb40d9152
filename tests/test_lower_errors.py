"""What the lowering cannot handle fails with a LoweringError naming the module, the op and what to do: never a
bare KeyError / AttributeError from inside ttport.lower."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from test_lower_helpers import Forward, lower_and_verify, report

from ttport.capture import capture
from ttport.lower import LoweringError, lower, verify
from ttport.lower.rules import RULES
from ttport.reference.generate import generate

X = torch.randn(2, 8, 64, generator=torch.Generator().manual_seed(3))


class Child(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(64, 64)

    def forward(self, pair):
        return self.proj(pair["a"][0]) + pair["b"]


class Parent(torch.nn.Module):
    """Hands its child a dict holding a list."""

    def __init__(self):
        super().__init__()
        self.child = Child()

    def forward(self, x):
        return self.child({"a": [x], "b": x * 2})


def lowered(model, name="model"):
    captured = capture(model.eval(), {"x": X})
    return captured, lower(captured, generate(captured, name))


def test_a_nested_container_argument_is_passed_shaped_like_the_models(device):
    """Once refused here ("cannot pass argument 'pair'"); codegen/structure.py now rebuilds a dict holding a list."""
    lowered_model, checks, source = lower_and_verify(Parent(), {"x": X}, device, name="nested")
    assert 'child({"a": [x], "b": mul}' in source, source
    assert all(check.passed for check in checks), report(checks)


def test_an_unforeseen_failure_inside_a_rule_names_the_module_the_op_and_its_source_line(monkeypatch):
    def broken(render):
        raise KeyError("scale")

    monkeypatch.setitem(RULES, "mul", dataclasses.replace(RULES["mul"], render=broken))
    model = Forward(lambda m, x: m.proj(x) * 0.5, proj=torch.nn.Linear(64, 64))
    with pytest.raises(LoweringError) as error:
        lowered(model)
    message = str(error.value)
    assert message.startswith("<root> (Forward): cannot lower aten.mul (mul)"), message
    assert "(internal KeyError: 'scale')" in message and "report it with this message" in message, message
    assert "test_lower_helpers.py:" in message, message  # the model's source line that made the op
    assert isinstance(error.value.__cause__, KeyError)


def test_a_failing_preprocessor_names_the_module_and_the_generated_line(device):
    model = Forward(lambda m, x: m.proj(x), proj=torch.nn.Linear(64, 64))
    captured, result = lowered(model)
    result.parameters_source = result.parameters_source.replace("model.bias", "model.scale")
    with pytest.raises(LoweringError) as error:
        verify(result, captured, device)
    message = str(error.value)
    assert message.startswith("model: tt/parameters.py failed for proj (Linear): AttributeError:"), message
    assert 'at `"bias": preprocess_linear_bias(model.scale' in message, message


def test_a_generated_function_that_raises_is_a_failed_check_naming_its_line(device):
    model = Forward(lambda m, x: m.proj(x), proj=torch.nn.Linear(64, 64))
    captured, result = lowered(model)
    kind = result.kinds[-1]
    kind.source = kind.source.replace("parameters.proj.bias", "parameters.proj.scale")
    (check,) = verify(result, captured, device)
    assert not check.passed and check.error.startswith("AttributeError:"), check
    assert "at `" in check.error and "parameters.proj.scale" in check.error, check.error
