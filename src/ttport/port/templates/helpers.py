"""Helpers of the generated tests: the torch model, captured cases, module inputs onto the device, PCC checks.

Standalone: nothing here imports ttport. Inside a tt-metal checkout the tests use tt-metal's own `assert_with_pcc`
(tests/ttnn/utils_for_testing.py) and its `device` fixture (its conftest.py); elsewhere the local equivalents below,
with the same names and arguments.
"""

import functools
import importlib
import importlib.util
import pathlib

import torch
import ttnn

DATA = pathlib.Path(__file__).parent / "data"

try:  # tt-metal's conventions, when its test utilities are importable (running from a tt-metal checkout)
    from tests.ttnn.utils_for_testing import assert_with_pcc

    TT_METAL = True
except ImportError:
    TT_METAL = False

    def assert_with_pcc(expected_pytorch_result, actual_pytorch_result, pcc=0.9999):
        """tt-metal's assert_with_pcc: same shape, and PCC (comp_pcc) >= pcc; returns (passed, PCC)."""
        expected_shape, actual_shape = list(expected_pytorch_result.shape), list(actual_pytorch_result.shape)
        assert expected_shape == actual_shape, f"shape {actual_shape}, expected {expected_shape}"
        value = comp_pcc(expected_pytorch_result, actual_pytorch_result)
        assert value >= pcc, f"PCC {value:.6f} < {pcc}"
        return True, value


def package_directory(package, relative, install):
    """A directory shipped inside an installed Python package (a model's weights), or how to install it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the model's weights ship in the Python package {package!r}: {install}")
    return str(pathlib.Path(list(spec.submodule_search_locations)[0]) / relative)


def _imported(dotted):
    """package.module:name -> that object."""
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def load_torch_model(spec, model_class, **options):
    """The torch model from `spec`: package.module:factory (returning the model or (model, inputs)), else a local
    Hugging Face directory or model id loaded with model_class.from_pretrained(spec, **options); model_class is a
    name transformers exports (BertModel) or module:Class."""
    if ":" in spec and not pathlib.Path(spec).exists():
        made = _imported(spec)()
        model = made[0] if isinstance(made, (tuple, list)) else made
    else:
        model_class = _imported(model_class if ":" in model_class else f"transformers:{model_class}")
        model = model_class.from_pretrained(spec, **options)
    return model.eval()


@functools.cache
def _captured():
    return torch.load(DATA / "captured.pt", weights_only=True)


def load_case(kind, path):
    """{"kind", "path", "inputs": {name: value}, "outputs": [tensor, ...]}: what the module at `path` saw."""
    return {"kind": kind, "path": path, **_captured()[kind][path]}


def subtree(parameters, path):
    """The parameters of the module at `path`: subtree(p, "encoder.layer.0") is p.encoder.layer[0]."""
    node = parameters
    for part in path.split(".") if path else []:
        node = node[int(part)] if part.isdigit() else node[part]
    return node


def to_device(value, kind, device):
    """A captured torch value as the generated function takes it: ids as uint32 ROW_MAJOR, activations and masks
    as bfloat16 TILE ("nhwc": permuted from NCHW to channels-last [N, H, W, C] first, as ttnn's convs hold
    activations), host and scalar inputs unchanged."""
    if isinstance(value, (tuple, list)):
        return type(value)(to_device(item, kind, device) for item in value)
    if not isinstance(value, torch.Tensor) or kind in ("host", "scalar"):
        return value
    if kind == "ids":
        return ttnn.from_torch(value, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    if kind == "nhwc":
        value = torch.permute(value, (0, 2, 3, 1))
    if value.is_floating_point():  # float32's min/max (additive masks) would become -inf/inf in bfloat16
        limit = torch.finfo(torch.bfloat16).max
        value = torch.where(value.isfinite(), value.clamp(-limit, limit), value)
    return ttnn.from_torch(value, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def from_channels_last(outputs, indices):
    """The outputs at `indices`, returned channels-last [N, H, W, C], permuted to NCHW as the torch module returns
    them (the others as they are), so the PCC compares the same numbers."""
    values = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    for index in indices:
        values[index] = torch.permute(_as_torch(values[index]), (0, 3, 1, 2))
    return values if isinstance(outputs, (tuple, list)) else values[0]


def comp_pcc(expected, actual):
    """Pearson correlation in float64 with tt-metal's special cases (all-NaN, all-zero, identical)."""
    expected = expected.detach().to(torch.float64).flatten()
    actual = actual.detach().to(torch.float64).flatten()
    expected_nan, actual_nan = bool(torch.isnan(expected).all()), bool(torch.isnan(actual).all())
    if expected_nan or actual_nan:
        return 1.0 if expected_nan and actual_nan else 0.0
    expected = torch.nan_to_num(expected, nan=0.0, posinf=0.0, neginf=0.0)
    actual = torch.nan_to_num(actual, nan=0.0, posinf=0.0, neginf=0.0)
    if bool(expected.any()) != bool(actual.any()):
        return 0.0
    if torch.equal(expected, actual):
        return 1.0
    expected = expected - expected.mean()
    actual = actual - actual.mean()
    denominator = expected.norm() * actual.norm()
    return float((expected @ actual) / denominator) if denominator else 0.0


def _as_torch(value):
    return value if isinstance(value, torch.Tensor) else ttnn.to_torch(value)


def non_finite_mismatch(expected, actual):
    """How many elements are NaN/inf on one side and not the same NaN/inf on the other (PCC zeroes both), with the
    counts per side for the message; ttport's verification applies the same rule."""
    expected_nan, actual_nan = torch.isnan(expected), torch.isnan(actual)
    expected_inf, actual_inf = torch.isinf(expected), torch.isinf(actual)
    same = (expected_nan & actual_nan) | (expected_inf & (actual == expected))
    differing = int(((expected_nan | actual_nan | expected_inf | actual_inf) & ~same).sum())
    counts = f"NaN: original {int(expected_nan.sum())}, port {int(actual_nan.sum())}; "
    counts += f"inf: original {int(expected_inf.sum())}, port {int(actual_inf.sum())}"
    return differing, counts


def assert_outputs_with_pcc(case, outputs, threshold, record_property):
    """Every output against the case's captured one: same shape, NaN/inf where the original has them and nowhere
    else, PCC >= threshold (assert_with_pcc); the worst PCC and max abs error are recorded."""
    record_property("kind", case["kind"])
    record_property("module", case["path"])
    expected = case["outputs"]
    outputs = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    assert len(outputs) == len(expected), f"{len(outputs)} outputs returned, the module returned {len(expected)}"
    actuals = [_as_torch(output).to(torch.float32) for output in outputs]
    worst_pcc, worst_error = 1.0, 0.0
    for index, (reference, actual) in enumerate(zip(expected, actuals)):
        assert tuple(actual.shape) == tuple(reference.shape), (
            f"output {index}: shape {tuple(actual.shape)}, expected {tuple(reference.shape)}"
        )
        differing, counts = non_finite_mismatch(reference.to(torch.float32), actual)
        assert differing == 0, f"output {index}: NaN/inf differ at {differing} elements ({counts})"
        worst_pcc = min(worst_pcc, comp_pcc(reference, actual))
        difference = (actual - reference.to(torch.float32)).abs()
        worst_error = max(worst_error, float(difference.max()) if difference.numel() else 0.0)
    record_property("pcc", worst_pcc)
    record_property("max_abs_error", worst_error)
    record_property("threshold", threshold)
    print(f"PCC {worst_pcc:.6f} (threshold {threshold}), max abs error {worst_error:.4g}")
    for reference, actual in zip(expected, actuals):
        assert_with_pcc(reference.to(torch.float32), actual, threshold)
