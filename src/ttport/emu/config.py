"""ttnn.CONFIG: run-time settings, overridable by the TTNN_CONFIG_OVERRIDES environment variable (JSON), as in ttnn.

Only the settings the emulator acts on are listed; model_preprocessing reads enable_model_cache and model_cache_path.
"""

from __future__ import annotations

import json
import os
import pathlib
from dataclasses import dataclass, field, fields


@dataclass
class Config:
    cache_path: pathlib.Path = field(default_factory=lambda: pathlib.Path.home() / ".cache" / "ttnn")
    model_cache_path: pathlib.Path = field(default_factory=lambda: pathlib.Path.home() / ".cache" / "ttnn" / "models")
    tmp_dir: pathlib.Path = field(default_factory=lambda: pathlib.Path("/tmp/ttnn"))
    enable_model_cache: bool = False
    enable_fast_runtime_mode: bool = True
    enable_logging: bool = False
    throw_exception_on_fallback: bool = False

    def __setattr__(self, name, value):
        if name not in {f.name for f in fields(self)}:
            raise AttributeError(f"ttnn.CONFIG has no setting {name!r}; known: {sorted(f.name for f in fields(self))}")
        if name.endswith(("_path", "_dir")):
            value = pathlib.Path(value)
        super().__setattr__(name, value)


def load_config() -> Config:
    config = Config()
    overrides = os.environ.get("TTNN_CONFIG_OVERRIDES")
    if overrides:
        try:
            values = json.loads(overrides)
        except json.JSONDecodeError as error:
            raise ValueError(f"TTNN_CONFIG_OVERRIDES is not valid JSON ({error}): {overrides!r}") from None
        for name, value in values.items():
            setattr(config, name, value)
    return config


CONFIG = load_config()
