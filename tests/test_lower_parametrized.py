"""Parametrized tensors (weight_norm, spectral_norm, orthogonal): the port reads the computed `module.weight`,
prepared once by the preprocessor, never the parametrization's originals (issue 10: Wav2Vec2/HuBERT's
`parameters.conv.parametrizations.weight.original1`)."""

from __future__ import annotations

import torch
from test_lower_helpers import lower_and_verify, report
from torch import nn
from torch.nn.utils import parametrizations, parametrize

from ttport.capture import capture
from ttport.reference import generate
from ttport.reference.verify import verify as verify_reference


class Parametrized(nn.Module):
    """A grouped Conv1d with weight_norm over the kernel dim (as Wav2Vec2's positional conv), a Linear with
    weight_norm, one with spectral_norm and one with orthogonal: four parametrizations of three classes."""

    def __init__(self):
        super().__init__()
        self.conv = parametrizations.weight_norm(nn.Conv1d(32, 32, 3, padding=1, groups=4), dim=2)
        self.proj = parametrizations.weight_norm(nn.Linear(32, 32))
        self.spectral = parametrizations.spectral_norm(nn.Linear(32, 32))
        self.ortho = parametrizations.orthogonal(nn.Linear(32, 32))

    def forward(self, x):
        h = self.conv(x.transpose(1, 2)).transpose(1, 2)
        return self.ortho(self.spectral(self.proj(h)))


def _model() -> Parametrized:
    torch.manual_seed(0)
    model = Parametrized().eval()
    with torch.no_grad():  # weight_norm's magnitude away from the norm it was initialised to: a visible scale
        model.conv.parametrizations.weight.original0.mul_(1.5)
        model.proj.parametrizations.weight.original0.uniform_(0.5, 2.0)
    return model


X = torch.randn(2, 16, 32, generator=torch.Generator().manual_seed(1))


def test_the_graph_reads_the_computed_weight_and_the_model_is_restored():
    model = _model()
    keys = list(model.state_dict())
    captured = capture(model, {"x": X})
    targets = {str(n.target) for n in captured.graph_module.graph.nodes if n.op == "get_attr"}
    assert {"conv.weight", "proj.weight", "spectral.weight", "ortho.weight"} <= targets, targets
    assert not any("parametrizations" in t for t in targets), targets
    assert not any("weight_norm" in str(n.target) for n in captured.graph_module.graph.nodes)
    assert all(parametrize.is_parametrized(getattr(model, name)) for name in ("conv", "proj", "spectral", "ortho"))
    assert type(model.conv).__name__ == "ParametrizedConv1d" and list(model.state_dict()) == keys


def test_reference_reads_the_computed_weight():
    captured = capture(_model(), {"x": X})
    generated = generate(captured, "parametrized")
    assert "parametrizations" not in generated.source and "parameters.conv.weight" in generated.source
    rows = verify_reference(captured, generated)
    assert rows and all(row.passed for row in rows), "\n".join(map(str, rows))


def test_every_parametrization_is_prepared_once_from_model_weight(device):
    lowered, checks, source = lower_and_verify(_model(), {"x": X}, device, name="parametrized")
    parameters = lowered.parameters_source
    assert "parametrizations" not in source and "original0" not in source, parameters
    assert "preprocess_linear_weight(model.weight, dtype=WEIGHTS_DTYPE)" in parameters, parameters
    assert '"ParametrizedLinear": parametrized_linear_parameters' in parameters, parameters
    assert parameters.count("def parametrized_linear_parameters(") == 1, parameters  # one per class name
    assert "_children(" not in parameters.split("PREPROCESSORS = {")[0], parameters  # parametrizations not walked
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


def test_a_parametrized_buffer_stays_a_buffer():
    """parametrize.register_parametrization on a buffer: export sees a buffer under the buffer's name."""

    class Scale(nn.Module):
        def forward(self, x):
            return x.abs() + 1.0

    module = nn.Module()
    module.register_buffer("gain", torch.randn(32))
    parametrize.register_parametrization(module, "gain", Scale())
    model = _GainModel(module)
    captured = capture(model, {"x": X})
    signature = captured.program.graph_signature
    assert "gains.gain" in signature.inputs_to_buffers.values(), signature
    assert parametrize.is_parametrized(model.gains, "gain")
    torch.testing.assert_close(captured.program.module()(x=X), model(X))


class _GainModel(nn.Module):
    def __init__(self, gains: nn.Module):
        super().__init__()
        self.gains = gains

    def forward(self, x):
        return x * self.gains.gain
