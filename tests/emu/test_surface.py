"""The installed `ttnn` holds real ttnn 0.81.1 names only, and every other name gets a message that says what it is."""

from __future__ import annotations

import sys

import pytest
import ttnn

from ttport.emu import registry, surface

REAL = surface.real_module_names()


def _installed_modules():
    return {name: module for name, module in sys.modules.items() if name == "ttnn" or name.startswith("ttnn.")}


def test_every_public_attribute_of_the_installed_ttnn_is_real_ttnn():
    invented = {
        f"{path}.{name}"
        for path, module in _installed_modules().items()
        for name in dir(module)
        if not name.startswith("_") and name not in REAL.get(path, ())
    }
    assert not invented, f"emulator-only names reachable under ttnn: {sorted(invented)}"


def test_every_emulated_op_is_reachable_under_its_ttnn_name():
    unreachable = []
    for name in registry.OPS:
        target = ttnn
        try:
            for part in name.split(".")[1:]:
                target = getattr(target, part)
        except AttributeError:
            unreachable.append(name)
    assert not unreachable, f"emulated ops missing from the installed ttnn: {unreachable}"


@pytest.mark.parametrize("name", ["install", "set_numerics", "registry", "UnsupportedError", "TTNNError", "trace"])
def test_emulator_api_is_not_under_ttnn(name):
    with pytest.raises(AttributeError, match=rf"ttnn\.{name} is not a ttnn name"):
        getattr(ttnn, name)


@pytest.mark.parametrize(
    "path, name", [("ttnn", "moe"), ("ttnn", "embedding_bw"), ("ttnn.experimental", "all_gather_async")]
)
def test_real_but_unemulated_names_say_so(path, name):
    module = sys.modules[path]
    with pytest.raises(AttributeError, match=rf"{path}\.{name} is real ttnn \(0\.81\.1\) but not emulated"):
        getattr(module, name)


def test_a_misspelt_name_gets_suggestions():
    with pytest.raises(AttributeError, match=r"ttnn\.layernorm is not a ttnn name .* did you mean ttnn\.layer_norm"):
        ttnn.layernorm  # noqa: B018


def test_submodule_paths_tests_import_from():
    from ttnn.device import Arch, is_wormhole_b0
    from ttnn.model_preprocessing import preprocess_model_parameters
    from ttnn.operations.core import from_torch

    assert from_torch is ttnn.from_torch and callable(preprocess_model_parameters)
    assert Arch.WORMHOLE_B0 is ttnn.device.Arch.WORMHOLE_B0 and is_wormhole_b0()


def test_hasattr_is_false_for_missing_names():
    assert not hasattr(ttnn, "conv2d_is_not_here")
    assert hasattr(ttnn, "add") and hasattr(ttnn, "experimental")


def test_the_installed_ttnn_reports_the_emulated_version():
    assert ttnn.__version__ == "0.81.1+ttport.emu" and ttnn.__ttport_emulator__
