"""The emulator's host conversions and shape rules against a recording of real ttnn 0.81.1, bit for bit.

The recording (tests/data/ttnn_formats_0.81.1.npz, made by tools/ttnn_oracle/record.py with the real package on a
mock N150) holds, per case, the input, what real ttnn reported (shape, padded_shape, volume, element size, dtype,
layout) and its readback, or its refusal. Every case is one test id.

How values are compared: readbacks as unsigned integers of their own width (float32 -> uint32, uint16 -> uint16,
...), so -0 / +0 and NaN payloads count. Every NaN in the recording is the canonical quiet NaN 0x7FC00000 (inputs and
outputs), and the emulator must produce exactly that; NaNs with other payloads are not recorded, so what either side
does with them is unverified. Real ttnn reads bfloat16 back through Python floats (to_list), which is exact for
bfloat16 values; the emulator's bfloat16 readback is widened to float32 by its bits.

A deliberate or not-yet-fixable difference is listed in ALLOWED with its reason; such a case is run and must still
differ (strict xfail), so the list cannot go stale silently.
"""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import ttnn

from ttport.emu.errors import TTNNError
from ttport.emu.formats import bfloat16_to_float32
from ttport.validate.api_check import recorded_api_path

DATA = Path(__file__).resolve().parents[1] / "data"
FORMATS = np.load(DATA / "ttnn_formats_0.81.1.npz")
INDEX = json.loads(str(FORMATS["index"]))
PROBES = json.loads(recorded_api_path().read_text())["probes"]

LAYOUTS = {"TILE": ttnn.TILE_LAYOUT, "ROW_MAJOR": ttnn.ROW_MAJOR_LAYOUT}

# case id -> why the emulator differs from the recording (the test must still fail: strict xfail).
ALLOWED = {
    "host_op.39 Tensor.pad_to_tile(0.0)": "Tensor.pad_to_tile (ROW_MAJOR with a tile-padded padded_shape) is not "
    "emulated; no port uses it",
    "host_op.40 Tensor.pad_to_tile(-1.0)": "same as host_op.39",
}

# Where real ttnn crashed the process, the emulator refuses with an error naming the fix; checked as a refusal.
CRASHES_REFUSED = {
    "host_op.44 ttnn.clone(t)": "ttnn.clone of a host tensor is a SIGSEGV in ttnn 0.81.1; the emulator raises "
    "StorageError ('input is on host; call ttnn.to_device(x, device)')",
}


def _params(cases):
    """pytest params, one per case id, with allow-listed ones marked strict xfail."""
    return [
        pytest.param(case_id, case, id=case_id, marks=[pytest.mark.xfail(strict=True, reason=ALLOWED[case_id])])
        if case_id in ALLOWED
        else pytest.param(case_id, case, id=case_id)
        for case_id, case in cases
    ]


# ----------------------------------------------------------------------------------------------------------------
# Comparison helpers


def readback(tensor) -> np.ndarray:
    """The emulated tensor read back the way the recording read real ttnn (bfloat16 widened to float32 by bits)."""
    out = ttnn.to_torch(tensor)
    if out.dtype == torch.bfloat16:
        return bfloat16_to_float32(out).numpy()
    if out.dtype in (torch.uint32, torch.uint16):
        return out.to(torch.int64).numpy().astype(np.uint32 if out.dtype == torch.uint32 else np.uint16)
    return out.numpy()


def as_bits(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array).view(f"uint{array.dtype.itemsize * 8}")


def assert_same_bits(real: np.ndarray, emulated: np.ndarray, inputs: np.ndarray | None = None) -> None:
    """Equal shape, dtype and bits; otherwise name the first differing element: index, input, real and emulated."""
    assert emulated.shape == real.shape, f"readback shape: real {real.shape}, emulated {emulated.shape}"
    assert emulated.dtype == real.dtype, f"readback dtype: real {real.dtype}, emulated {emulated.dtype}"
    real_bits, emu_bits = as_bits(real).ravel(), as_bits(emulated).ravel()
    differ = np.flatnonzero(real_bits != emu_bits)
    if differ.size:
        i = int(differ[0])
        where = tuple(int(k) for k in np.unravel_index(i, real.shape))
        given = inputs.ravel()[i] if inputs is not None and inputs.size == real.size else "n/a"
        width = real.dtype.itemsize * 2
        pytest.fail(
            f"{differ.size} of {real.size} elements differ; first at index {where}: input {given!r}, "
            f"real {real.ravel()[i]!r} (0x{int(real_bits[i]):0{width}x}), "
            f"emulated {emulated.ravel()[i]!r} (0x{int(emu_bits[i]):0{width}x})"
        )


def assert_same_facts(record: dict, tensor) -> None:
    """shape, padded_shape, volumes, element size, dtype and layout as real ttnn reported them."""
    assert list(tensor.shape) == record["shape"]
    assert list(tensor.padded_shape) == record["padded_shape"], f"padded_shape of {record['shape']}"
    assert tensor.volume() == record["volume"]
    assert tensor.logical_volume() == record["logical_volume"]
    assert tensor.dtype.name == record["tensor_dtype"]
    assert tensor.layout.name == record["tensor_layout"]
    if "element_size_error" in record:
        with pytest.raises(TTNNError, match=record["element_size_error"]):
            tensor.element_size()
    else:
        assert tensor.element_size() == record["element_size"]


def assert_same_refusal(record: dict, call) -> None:
    """A refused case must be refused too: a RuntimeError (every TTNNError is one) carrying ttnn's own words."""
    assert record["error_type"] == "RuntimeError", record
    with pytest.raises(RuntimeError) as caught:
        call()
    assert record["error_info"] in str(caught.value), f"real: {record['error_info']!r}"


# ----------------------------------------------------------------------------------------------------------------
# conversions: ttnn.Tensor(tensor=x, data_type=..., layout=..., **kwargs), which ttnn.from_torch calls


def convert(record: dict):
    inputs = torch.from_numpy(FORMATS[record["input"]].copy())
    kwargs = {name: ast.literal_eval(value) for name, value in record["kwargs"].items()}
    return ttnn.from_torch(inputs, dtype=getattr(ttnn, record["dtype"]), layout=LAYOUTS[record["layout"]], **kwargs)


@pytest.mark.parametrize("case_id, record", _params(INDEX["conversions"].items()))
def test_conversion(case_id, record):
    if not record["ok"]:
        assert_same_refusal(record, lambda: convert(record))
        return
    tensor = convert(record)
    assert_same_facts(record, tensor)
    assert_same_bits(FORMATS[record["output"]], readback(tensor), FORMATS[record["input"]])


# ----------------------------------------------------------------------------------------------------------------
# shape_rules: shapes of rank 0 to 5 (zero-sized ones too) per dtype and layout


def shape_rule_input(record: dict) -> np.ndarray:
    """The recorder's input: 0, 1, 2, ... modulo 251, int32 for integer types, float32 otherwise."""
    shape = tuple(record["input_shape"])
    kind = np.int32 if record["dtype"].startswith(("uint", "int")) else np.float32
    return (np.arange(math.prod(shape)) % 251).astype(kind).reshape(shape)


SHAPE_RULES = [
    (f"{'x'.join(map(str, r['input_shape'])) or 'scalar'}.{r['dtype']}.{r['layout']}", r) for r in INDEX["shape_rules"]
]


@pytest.mark.parametrize("case_id, record", _params(SHAPE_RULES))
def test_shape_rule(case_id, record):
    values = shape_rule_input(record)
    make = lambda: ttnn.from_torch(  # noqa: E731
        torch.from_numpy(values.copy()), dtype=getattr(ttnn, record["dtype"]), layout=LAYOUTS[record["layout"]]
    )
    if not record["ok"]:
        assert_same_refusal(record, make)
        return
    tensor = make()
    assert_same_facts(record, tensor)
    back = readback(tensor)
    assert list(back.shape) == record["readback_shape"]
    assert bool(np.array_equal(back.astype(values.dtype), values)) == record["readback_equals_input"]


# ----------------------------------------------------------------------------------------------------------------
# host_ops: conversions of an existing host tensor


def _typecast(name):
    return lambda t: ttnn.typecast(t, getattr(ttnn, name))


HOST_OPS = {
    "Tensor.to(ROW_MAJOR_LAYOUT)": lambda t: t.to(ttnn.ROW_MAJOR_LAYOUT),
    "Tensor.to(TILE_LAYOUT)": lambda t: t.to(ttnn.TILE_LAYOUT),
    "to_layout(ROW_MAJOR_LAYOUT)": lambda t: ttnn.to_layout(t, ttnn.ROW_MAJOR_LAYOUT),
    "to_layout(TILE_LAYOUT)": lambda t: ttnn.to_layout(t, ttnn.TILE_LAYOUT),
    "to_layout(TILE_LAYOUT, dtype=bfloat8_b)": lambda t: ttnn.to_layout(t, ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b),
    "to_layout(ROW_MAJOR_LAYOUT, dtype=bfloat16)": lambda t: ttnn.to_layout(
        t, ttnn.ROW_MAJOR_LAYOUT, dtype=ttnn.bfloat16
    ),
    **{f"typecast({name})": _typecast(name) for name in ("float32", "bfloat16", "bfloat8_b", "bfloat4_b")},
    **{f"typecast({name})": _typecast(name) for name in ("uint32", "int32")},
    "Tensor.pad_to_tile(0.0)": lambda t: t.pad_to_tile(0.0),
    "Tensor.pad_to_tile(-1.0)": lambda t: t.pad_to_tile(-1.0),
    "Tensor.reshape([7, 50])": lambda t: t.reshape([7, 50]),
    "ttnn.reshape(t, (1, 7, 50))": lambda t: ttnn.reshape(t, (1, 7, 50)),
    "ttnn.clone(t)": lambda t: ttnn.clone(t),
    "ttnn.to_memory_config(t, L1_MEMORY_CONFIG)": lambda t: ttnn.to_memory_config(t, ttnn.L1_MEMORY_CONFIG),
}

HOST_OP_CASES = [(f"{key} {r['op']}", r) for key, r in INDEX["host_ops"].items()]


@pytest.mark.parametrize("case_id, record", _params(HOST_OP_CASES))
def test_host_op(case_id, record):
    inputs = FORMATS[record["input"]]
    source = ttnn.from_torch(
        torch.from_numpy(inputs.copy()),
        dtype=getattr(ttnn, record["source_dtype"]),
        layout=LAYOUTS[record["source_layout"]],
    )
    operation = HOST_OPS[record["op"]]
    if record.get("crashed"):
        assert case_id in CRASHES_REFUSED, f"real ttnn crashed ({record['crashed']}); document the emulator's answer"
        with pytest.raises(RuntimeError):
            operation(source)
        return
    if "source_output" in record:  # the recorder kept the source's readback when the op did not raise
        assert_same_bits(FORMATS[record["source_output"]], readback(source), inputs)
    if not record["ok"]:
        assert_same_refusal(record, lambda: operation(source))
        return
    result = operation(source)
    assert_same_facts(record, result)
    assert_same_bits(FORMATS[record["output"]], readback(result), inputs)


# ----------------------------------------------------------------------------------------------------------------
# probes of host tensors and Shape (src/ttport/validate/data/ttnn_api_0.81.1.json)


def _probe(expression: str, setup: str = "") -> dict:
    found = [p for p in PROBES if p["expression"] == expression and p["setup"] == setup]
    assert len(found) == 1, f"probe {expression!r} is not in the recording"
    return found[0]


HOST = "t = ttnn.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), ttnn.bfloat16)"


def _host_tensor():
    return ttnn.from_torch(torch.arange(6, dtype=torch.float32).reshape(2, 3), dtype=ttnn.bfloat16)


PROBE_CASES = [
    ("probe Shape repr", "ttnn.Shape([1, 2, 3])", "", lambda: repr(ttnn.Shape([1, 2, 3]))),
    ("probe Shape repr empty", "ttnn.Shape([])", "", lambda: repr(ttnn.Shape([]))),
    ("probe Shape == list", "ttnn.Shape([1, 2, 3]) == [1, 2, 3]", "", lambda: repr(ttnn.Shape([1, 2, 3]) == [1, 2, 3])),
    (
        "probe Shape == tuple",
        "ttnn.Shape([1, 2, 3]) == (1, 2, 3)",
        "",
        lambda: repr(ttnn.Shape([1, 2, 3]) == (1, 2, 3)),
    ),
    ("probe Shape[-1]", "ttnn.Shape([1, 2, 3])[-1]", "", lambda: repr(ttnn.Shape([1, 2, 3])[-1])),
    ("probe Shape slice", "ttnn.Shape([1, 2, 3])[0:2]", "", lambda: repr(ttnn.Shape([1, 2, 3])[0:2])),
    ("probe Shape[3]", "ttnn.Shape([1, 2, 3])[3]", "", lambda: repr(ttnn.Shape([1, 2, 3])[3])),
    ("probe Shape rank", "ttnn.Shape([1, 2, 3]).rank", "", lambda: repr(ttnn.Shape([1, 2, 3]).rank)),
    ("probe Shape list", "list(ttnn.Shape([1, 2, 3]))", "", lambda: repr(list(ttnn.Shape([1, 2, 3])))),
    ("probe host storage_type", "t.storage_type()", HOST, lambda: repr(_host_tensor().storage_type())),
    ("probe host device", "t.device()", HOST, lambda: repr(_host_tensor().device())),
    ("probe host is_allocated", "t.is_allocated()", HOST, lambda: repr(_host_tensor().is_allocated())),
    ("probe host is_sharded", "t.is_sharded()", HOST, lambda: repr(_host_tensor().is_sharded())),
    ("probe host shape", "t.shape", HOST, lambda: repr(_host_tensor().shape)),
    ("probe host dtype", "t.dtype", HOST, lambda: repr(_host_tensor().dtype)),
    ("probe host layout", "t.layout", HOST, lambda: repr(_host_tensor().layout)),
]


def _deallocated_host_is_allocated():
    tensor = _host_tensor()
    ttnn.deallocate(tensor)
    return repr(tensor.is_allocated())


PROBE_CASES.append(
    (
        "probe host deallocate",
        "t.is_allocated()",
        HOST + "\nttnn.deallocate(t)",
        _deallocated_host_is_allocated,
    )
)


@pytest.mark.parametrize(
    "case_id, case", _params([(case_id, (expr, setup, run)) for case_id, expr, setup, run in PROBE_CASES])
)
def test_probe(case_id, case):
    expression, setup, run = case
    record = _probe(expression, setup)
    if "error_type" in record:
        expected = TypeError if record["error_type"] == "TypeError" else RuntimeError
        with pytest.raises(expected) as caught:
            run()
        if expected is RuntimeError:
            assert record["error_info"] in str(caught.value)
        return
    assert run() == record["repr"]


def test_int64_and_float_defaults_follow_ttnn():
    # Probes: a numpy int64 array becomes UINT32, float32 stays FLOAT32 (from_torch hands torch tensors to the same
    # constructor, and torch.int64 maps like numpy's int64).
    assert _probe("ttnn.Tensor(np.zeros((2, 3), dtype=np.int64))")["repr"].endswith(
        "dtype=DataType::UINT32, layout=Layout::ROW_MAJOR)"
    )
    assert ttnn.from_torch(torch.zeros(2, 3, dtype=torch.int64)).dtype == ttnn.uint32
    assert ttnn.from_torch(torch.zeros(2, 3)).dtype == ttnn.float32
    # layout=None: TILE for block floats (pytensor.cpp), ROW_MAJOR otherwise.
    assert ttnn.from_torch(torch.zeros(7, 50), dtype=ttnn.bfloat8_b).layout == ttnn.TILE_LAYOUT
    assert ttnn.from_torch(torch.zeros(7, 50), dtype=ttnn.bfloat16).layout == ttnn.ROW_MAJOR_LAYOUT


def test_counts():
    """The recording is what this file says it checks (the numbers appear in the report / README)."""
    assert len(INDEX["conversions"]) == 136
    assert len(INDEX["shape_rules"]) == 144
    assert len(INDEX["host_ops"]) == 46
