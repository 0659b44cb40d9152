"""Helpers of the generated tests: captured cases, module inputs onto the device, PCC as tt-metal's comp_pcc."""

import functools
import pathlib

import torch
import ttnn

DATA = pathlib.Path(__file__).parent / "data"


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
    as bfloat16 TILE, host and scalar inputs unchanged (kinds: ttport.port.model.INPUT_KINDS)."""
    if isinstance(value, (tuple, list)):
        return type(value)(to_device(item, kind, device) for item in value)
    if not isinstance(value, torch.Tensor) or kind in ("host", "scalar"):
        return value
    if kind == "ids":
        return ttnn.from_torch(value, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    if value.is_floating_point():  # float32's min/max (additive masks) would become -inf/inf in bfloat16
        limit = torch.finfo(torch.bfloat16).max
        value = torch.where(value.isfinite(), value.clamp(-limit, limit), value)
    return ttnn.from_torch(value, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


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


def assert_outputs_with_pcc(case, outputs, threshold, record_property):
    """Every output against the case's captured one: same shape, PCC >= threshold; the worst PCC is recorded."""
    record_property("kind", case["kind"])
    record_property("module", case["path"])
    expected = case["outputs"]
    outputs = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    assert len(outputs) == len(expected), f"{len(outputs)} outputs returned, the module returned {len(expected)}"
    worst_pcc, worst_error = 1.0, 0.0
    for index, (reference, output) in enumerate(zip(expected, outputs)):
        actual = _as_torch(output).to(torch.float32)
        assert tuple(actual.shape) == tuple(reference.shape), (
            f"output {index}: shape {tuple(actual.shape)}, expected {tuple(reference.shape)}"
        )
        worst_pcc = min(worst_pcc, comp_pcc(reference, actual))
        difference = (actual - reference.to(torch.float32)).abs()
        worst_error = max(worst_error, float(difference.max()) if difference.numel() else 0.0)
    record_property("pcc", worst_pcc)
    record_property("max_abs_error", worst_error)
    record_property("threshold", threshold)
    print(f"PCC {worst_pcc:.6f} (threshold {threshold}), max abs error {worst_error:.4g}")
    assert worst_pcc >= threshold, f"PCC {worst_pcc:.6f} < {threshold}"
