"""pytest fixtures tt-metal's tests take from its root conftest.py, on the emulated device.

`device_params` is tt-metal's convention for device options (`@pytest.mark.parametrize("device_params",
[{"l1_small_size": 16384}], indirect=True)`); the emulator opens its n150 with them.
"""

from __future__ import annotations

import pytest
import torch

# The option names ttnn.open_device takes; tt-metal tests also pass dispatch / fabric options that only place work.
DEVICE_OPTIONS = ("l1_small_size", "trace_region_size", "dispatch_core_config", "worker_l1_size")


@pytest.fixture
def device_params(request):
    return getattr(request, "param", {})


def _open(device_params):
    import ttnn

    options = {k: v for k, v in device_params.items() if k in DEVICE_OPTIONS}
    return ttnn.open_device(device_id=0, **options)


@pytest.fixture
def device(device_params):
    import ttnn

    opened = _open(device_params)
    yield opened
    ttnn.close_device(opened)


@pytest.fixture
def mesh_device(device_params):
    """A 1x1 mesh: the emulator is one chip (tests parametrizing a larger mesh fail with the reason)."""
    import ttnn

    opened = ttnn.open_mesh_device(
        ttnn.MeshShape(1, 1), **{k: v for k, v in device_params.items() if k in DEVICE_OPTIONS}
    )
    yield opened
    ttnn.close_mesh_device(opened)


@pytest.fixture
def reset_seeds():
    torch.manual_seed(213919)


@pytest.fixture
def use_program_cache():
    """The emulator compiles no programs; the fixture exists so tests that request it run."""


@pytest.fixture
def function_level_defaults():
    """tt-metal resets its runtime defaults per test; the emulator has none to reset."""


# Markers tt-metal's conftest registers; the harness registers them so its tests collect without warnings.
TT_METAL_MARKERS = ("use_module_device", "requires_fast_runtime_mode_off", "models_performance_bare_metal")


def pytest_configure(config):
    for marker in TT_METAL_MARKERS:
        config.addinivalue_line("markers", f"{marker}: tt-metal test marker (no effect on the emulator)")


def pytest_report_header(config):
    from ttport.emu import backend_description

    return f"ttport harness: device fixtures from ttport, tt-metal's conftest not loaded; {backend_description()}"
