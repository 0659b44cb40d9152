"""The emulator's API against real ttnn 0.81.1's, as recorded by tools/ttnn_oracle/record.py.

Every recorded function and operation: same parameter names, kinds and defaults as one of its real overloads.
Every recorded class: constructor like one real overload, and no public member real ttnn lacks. Every recorded
enum: the emulator's members exist with the same values. Deliberate differences are in ALLOWED, each with its
reason; an entry whose difference has gone away fails, so the list cannot go stale.
"""

from __future__ import annotations

import builtins
import dataclasses
import inspect
import json
import re

import pytest

from ttport import emu
from ttport.emu import registry
from ttport.validate.api_check import recorded_api_path

API = json.loads(recorded_api_path().read_text())

# name -> why the emulator's signature (or members) differ from every recorded overload.
ALLOWED = {
    "arange": "real ttnn has two overloads, arange(end) and arange(start, end, step); one Python function serves "
    "both, so `end` defaults to None",
    "open_device": "real ttnn's signature text is hand-written without defaults; its docstring gives them "
    "(l1_small_size 0, ...), which the emulator uses",
    "CoreCoord": "real ttnn's overloads CoreCoord(x, y) and CoreCoord((x, y)) are one positional-only constructor",
    "UnaryWithParam": "real ttnn's five positional-only overloads (op_type[, param[, param]] or a tuple) are one "
    "constructor",
    "Shape": "the emulator's Shape subclasses tuple, so it also has tuple's count() and index()",
    "interleaved_to_sharded": "one Python function serves real ttnn's two overloads, (tensor, sharded_memory_config"
    "[, output_dtype]) and (tensor, grid, shard_shape, shard_scheme, shard_orientation[, output_dtype]), so the "
    "second overload's shard_shape / shard_scheme / shard_orientation default to None",
    "Device": "real ttnn's Device (= MeshDevice) has no Python constructor (made by ttnn.open_device); the emulator's "
    "takes the device id and sizes open_device passes",
    "MeshShape": "real ttnn's three overloads MeshShape(s0, s1), (s0, s1, s2) and (shape) are one constructor",
    "MeshDevice": "the same class as Device (ttnn.MeshDevice is ttnn.Device in 0.81.1)",
    "TensorToMesh": "real ttnn's has no Python constructor (made by ttnn.ReplicateTensorToMesh / ShardTensorToMesh)",
    "MeshToTensor": "real ttnn's has no Python constructor (made by ttnn.ConcatMeshToTensor)",
    "empty": "real ttnn's device parameter has no default but follows defaulted ones (a C++ binding can say that, "
    "Python cannot), so the emulator's defaults to None and refuses None",
    "Tensor": "emulator tensors are made by from_torch and ops; the ttnn.Tensor(...) constructors (from Python "
    "lists or numpy arrays) are not emulated, so its constructor is the emulator's own",
}


def _resolve(name: str):
    target = emu
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _default(value) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    if type(value).__repr__ is object.__repr__:  # recorded as "<module.Class object>": compare the class name
        return f"<{type(value).__name__} object>"
    return repr(value)


def _recorded_default(text: str | None) -> str | None:
    match = re.fullmatch(r"<(?:[\w.]+\.)?(\w+) object>", text or "")
    return f"<{match.group(1)} object>" if match else text


def _emulated(function) -> list[tuple]:
    factories = _default_factories(function)
    return [
        (p.name, p.kind.name, _default(factories[p.name]() if p.name in factories else p.default))
        for p in inspect.signature(function).parameters.values()
    ]


def _default_factories(cls) -> dict:
    """A dataclass's default_factory fields: inspect shows them as '<factory>'; real ttnn records the value made."""
    if not dataclasses.is_dataclass(cls):
        return {}
    return {f.name: f.default_factory for f in dataclasses.fields(cls) if f.default_factory is not dataclasses.MISSING}


def _recorded(signature) -> list[tuple]:
    return [
        (p["name"], p["kind"], _recorded_default(p["default"])) for p in signature["parameters"] if p["name"] != "self"
    ]


def _is_emulated(name: str) -> bool:
    try:
        _resolve(name)
    except AttributeError:
        return False
    return True


def _names(kinds: tuple[str, ...]) -> list[str]:
    """Recorded names of these kinds that the emulator has (the recorder also keeps names not emulated yet)."""
    return sorted(name for name, entry in API["names"].items() if entry["kind"] in kinds and _is_emulated(name))


@pytest.mark.parametrize("name", sorted(registry.OPS))
def test_every_emulated_op_has_a_recorded_signature(name):
    short = name.removeprefix("ttnn.")
    assert short in API["names"], (
        f"{name} is emulated but not recorded: add it to API_NAMES in tools/ttnn_oracle/record.py"
    )


def _mismatch(name: str, emulated, overloads) -> str:
    lines = [f"{name}: the emulator's signature matches none of real ttnn's {len(overloads)} overload(s)"]
    lines.append(f"  emulator: {emulated}")
    for overload in overloads:
        lines.append(f"  real:     {overload}")
        first = next(
            (i for i, (e, r) in enumerate(zip(emulated, overload)) if e != r), min(len(emulated), len(overload))
        )
        lines.append(
            f"    first difference at parameter {first}: emulator {emulated[first : first + 1]} "
            f"vs real {overload[first : first + 1]}"
        )
    return "\n".join(lines)


def _check(name: str, matches: bool, message: str) -> None:
    if name in ALLOWED:
        assert not matches, f"{name} now matches real ttnn: remove its ALLOWED entry ({ALLOWED[name]})"
    else:
        assert matches, message


@pytest.mark.parametrize("name", _names(("operation", "function")))
def test_function_signature_matches_real_ttnn(name):
    entry = API["names"][name]
    emulated = _emulated(_resolve(name))
    overloads = [_recorded(signature) for signature in entry["signatures"]]
    _check(name, emulated in overloads, _mismatch(name, emulated, overloads))


@pytest.mark.parametrize("name", _names(("class",)))
def test_class_matches_real_ttnn(name):
    entry = API["names"][name]
    cls = _resolve(name)
    bases = {base.rsplit(".", 1)[-1] for base in entry.get("bases", [])}
    inherited = set().union(*(dir(getattr(builtins, b, object)) for b in bases))
    invented = sorted(
        member
        for member in dir(cls)
        if not member.startswith("_") and member not in entry.get("members", {}) and member not in inherited
    )
    if entry.get("init"):
        emulated = _emulated(cls)
        overloads = [_recorded(signature) for signature in entry["init"]]
        matches = emulated in overloads and not invented
        message = _mismatch(name, emulated, overloads) + (
            f"\n  members real ttnn lacks: {invented}" if invented else ""
        )
    else:  # recorded from source: a dict / list subclass whose constructor is its base's
        matches = not invented and {b.__name__ for b in cls.__mro__} >= bases
        message = f"{name}: members real ttnn lacks: {invented}; real bases {sorted(bases)}"
    _check(name, matches, message)


@pytest.mark.parametrize("name", sorted(API["enums"]))
def test_enum_values_match_real_ttnn(name):
    real = {member["name"]: member["value"] for member in API["enums"][name]["members"]}
    emulated = {member.name: member.value for member in _resolve(name)}
    wrong = {member: (value, real.get(member)) for member, value in emulated.items() if real.get(member) != value}
    assert not wrong, f"{name}: emulator (value, real value) differ for {wrong}"


@pytest.mark.parametrize("name", sorted(n for n, e in API["names"].items() if e["kind"] == "enum_member"))
def test_dtype_and_layout_aliases(name):
    recorded = API["names"][name]
    emulated = _resolve(name)
    assert (repr(emulated), emulated.value) == (recorded["repr"], recorded["value"]), recorded


def _probe(expression: str):
    return next(p for p in API["probes"] if p.get("expression") == expression)


@pytest.mark.parametrize(
    "expression",
    [
        "ttnn.DRAM_MEMORY_CONFIG",
        "ttnn.L1_MEMORY_CONFIG",
        "ttnn.L1_WIDTH_SHARDED_MEMORY_CONFIG",
        "ttnn.BufferType.DRAM",
        "ttnn.TensorMemoryLayout.HEIGHT_SHARDED",
        "ttnn.MathFidelity.HiFi4",
        "ttnn.CoreGrid(x=8, y=8)",
        "ttnn.CoreCoord(1, 2)",
        "ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))",
        "ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))})",
        "ttnn.create_sharded_memory_config((1, 1, 64, 64), ttnn.CoreGrid(x=2, y=1), ttnn.ShardStrategy.WIDTH)",
        "ttnn.create_sharded_memory_config((1, 1, 64, 64), ttnn.CoreGrid(x=1, y=2), ttnn.ShardStrategy.HEIGHT)",
        "ttnn.CoreGrid(x=8, y=8).num_cores",
        "ttnn.DRAM_MEMORY_CONFIG == ttnn.MemoryConfig()",
        "ttnn.MemoryConfig(ttnn.TensorMemoryLayout.INTERLEAVED, ttnn.BufferType.L1) == ttnn.L1_MEMORY_CONFIG",
    ],
)
def test_probe_reprs_match_real_ttnn(expression):
    assert repr(eval(expression, {"ttnn": emu})) == _probe(expression)["repr"]


def test_compute_kernel_config_defaults_match_real_ttnn():
    config = emu.WormholeComputeKernelConfig()
    recorded = API["attributes"]["WormholeComputeKernelConfig()"]
    assert {field: repr(getattr(config, field)) for field in recorded} == recorded


@pytest.mark.parametrize("name", [n for n in API["attributes"] if n.endswith("_MEMORY_CONFIG")])
def test_memory_config_constants_match_real_ttnn(name):
    config = _resolve(name)
    recorded = API["attributes"][name]
    emulated = {
        field: repr(getattr(config, field)() if field == "is_sharded" else getattr(config, field)) for field in recorded
    }
    assert emulated == recorded
