"""group_norm over a length known only at run time (Wav2Vec2 / HuBERT's feature encoder: conv1d -> GroupNorm over
the audio length, which export keeps dynamic) lowers to ttnn.layer_norm on the device, its reshapes written from the
function's inputs, and the generated function is right at lengths other than the captured one."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from test_lower_helpers import Forward, lower_and_verify, report

from ttport.lower.verify import load, prepare

G = torch.Generator().manual_seed(0)


def _encoder_layer(m, x):
    """Wav2Vec2FeatureEncoder's first layer: input_values[:, None] -> conv1d -> group norm -> gelu."""
    return F.gelu(m.norm(m.conv(x[:, None])))


def _model(groups: int) -> Forward:
    torch.manual_seed(groups)
    conv = torch.nn.Conv1d(1, 8, 10, stride=5, bias=False)
    norm = torch.nn.GroupNorm(groups, 8)
    torch.nn.init.normal_(norm.weight, 1.0, 0.2)
    torch.nn.init.normal_(norm.bias, 0.0, 0.2)
    return Forward(_encoder_layer, conv=conv, norm=norm).eval()


def _run(lowered, model, device, x: torch.Tensor) -> torch.Tensor:
    """The generated root function on `x` (any length), as torch."""
    import ttnn

    namespace = load(lowered)
    parameters = namespace.create_ttnn_parameters(model, device)
    root = next(kind for kind in lowered.kinds if "" in kind.instances)
    function = getattr(namespace, root.name)
    output = function(prepare(x, root.inputs[0].kind, device), parameters=parameters, **root.instances[""])
    return ttnn.to_torch(output).float()


def _pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    return torch.corrcoef(torch.stack([a.flatten().double(), b.flatten().double()]))[0, 1].item()


@pytest.mark.parametrize("groups", [4, 8])
def test_group_norm_over_a_run_time_length_is_on_the_device(groups, device):
    model = _model(groups)
    lowered, checks, source = lower_and_verify(model, {"x": torch.randn(2, 400, generator=G)}, device)
    fallbacks = [f for kind in lowered.kinds for f in kind.fallbacks]
    assert not fallbacks and "ttnn.layer_norm(" in source and "aten.group_norm" not in source, source
    assert "sequence_length = x.shape[1]" in source, source  # the length is read at run time, not the captured 400
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
    for length in (333, 1000):  # 65 and 199 frames: neither the captured 79 nor a multiple of a tile
        x = torch.randn(3, length, generator=G)
        expected = model(x)
        actual = _run(lowered, model, device, x)
        assert actual.shape == expected.shape and _pcc(actual, expected) >= 0.999, (length, _pcc(actual, expected))


def test_one_channel_per_group_normalizes_each_channel_with_no_reshape(device):
    """GroupNorm(C, C) (Wav2Vec2's) on (N, C, L) is layer_norm over L as it stands: no reshape before or after."""
    lowered, checks, source = lower_and_verify(_model(8), {"x": torch.randn(2, 400, generator=G)}, device)
    norm = source[source.index("norm = ") :]
    norm = norm[: norm.index("ttnn.deallocate")]
    assert "ttnn.layer_norm(conv," in norm and "ttnn.reshape" not in norm, norm
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
