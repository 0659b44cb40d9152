"""pytest plugin (entry point `ttport_ttnn`): makes `import ttnn` work in test runs and says which backend it is."""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    from ttport.emu import install

    install()


def pytest_report_header(config):
    from ttport.emu import backend_description

    return backend_description()


def pytest_collection_modifyitems(config, items):
    import sys

    from ttport.emu.install import is_emulator

    module = sys.modules.get("ttnn")
    on_emulator = module is None or is_emulator(module)
    if not on_emulator:
        return
    skip = pytest.mark.skip(reason="needs a Tenstorrent card and the real ttnn package (running on the emulator)")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)
