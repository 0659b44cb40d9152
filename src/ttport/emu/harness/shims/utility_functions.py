"""models.(common.)utility_functions: comparisons, random inputs and architecture checks tt-metal's tests use."""

from __future__ import annotations

import pytest
import torch

from ....validate.pcc import pcc as _pcc


def torch_random(shape, low, high, dtype):
    """Uniform values in [low, high) of `dtype`."""
    return torch.zeros(shape, dtype=torch.float32).uniform_(low, high).to(dtype)


def _as_torch(value) -> torch.Tensor:
    import ttnn

    if isinstance(value, ttnn.Tensor):
        value = ttnn.to_torch(value)
    if value.dtype in (torch.uint16, torch.uint32):
        value = value.to(torch.int64)
    return value


def comp_pcc(golden, calculated, pcc=0.99):
    """(passed, PCC): comp_pcc's special cases (both all-NaN pass, one all-NaN fails, NaN/inf zeroed)."""
    value = _pcc(_as_torch(golden), _as_torch(calculated))
    return value >= pcc, value


def comp_allclose(golden, calculated, rtol=1e-05, atol=1e-08):
    golden, calculated = _as_torch(golden).float(), _as_torch(calculated).float()
    passed = torch.allclose(golden, calculated, rtol, atol, True)
    difference = (golden - calculated).abs()
    return (
        passed,
        f"Max ATOL Delta: {difference.max().item()}, Max RTOL Delta: {(difference / golden.abs()).max().item()}",
    )


def comp_equal(golden, calculated):
    golden, calculated = _as_torch(golden), _as_torch(calculated)
    return torch.equal(golden, calculated), f"Max ATOL Delta: {(golden.float() - calculated.float()).abs().max()}"


def divup(a: int, b: int) -> int:
    return -(-a // b)


def roundup(a: int, b: int) -> int:
    return divup(a, b) * b


def is_wormhole_b0(device=None) -> bool:
    import ttnn

    return ttnn.device.is_wormhole_b0(device)


def is_blackhole(device=None) -> bool:
    import ttnn

    return ttnn.device.is_blackhole(device)


def is_grayskull(device=None) -> bool:
    return False


def _skip_if(condition: bool, reason: str):
    return pytest.mark.skipif(condition, reason=reason)


def skip_for_wormhole_b0(reason_str="not working for Wormhole B0"):
    return _skip_if(is_wormhole_b0(), reason_str)


def skip_for_blackhole(reason_str="not working for Blackhole"):
    return _skip_if(is_blackhole(), reason_str)


def skip_for_grayskull(reason_str="not working for Grayskull"):
    return _skip_if(is_grayskull(), reason_str)


from .ulp import comp_ulp  # noqa: E402, F401 - tt-metal's comp_ulp lives in this module
