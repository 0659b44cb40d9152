"""ttnn.dump_tensor / ttnn.load_tensor and ttnn.as_tensor, used by the model cache and tt-metal's weight caches.

The emulator's files hold the stored values and tensor metadata (torch.save); they are not real ttnn's flatbuffer
format, so a cache written by the emulator is read only by the emulator (and a real ttnn cache file is treated as
a cache miss and rewritten, as real ttnn treats a file it cannot load).
"""

from __future__ import annotations

import pathlib

import torch

from .errors import TTNNError
from .tensor import Tensor
from .types import DataType, Layout, TTNNEnum


class DumpTensorMode(TTNNEnum):
    """How a mesh tensor is written; with one device both write the same file."""

    DISTRIBUTED_GATHER = 0
    LOCAL = 1


def dump_tensor(file_name, tensor, *, mode=DumpTensorMode.DISTRIBUTED_GATHER):
    record = {
        "format": "ttport-emulator-tensor-1",
        "stored": tensor._values,
        "shape": tuple(tensor.shape),
        "dtype": tensor.dtype.name,
        "layout": tensor.layout.name,
    }
    path = pathlib.Path(file_name)
    temporary = path.with_name(path.name + ".partial")
    torch.save(record, temporary)
    temporary.replace(path)  # a reader never sees half a file


def load_tensor(file_name, *, device=None):
    try:
        record = torch.load(pathlib.Path(file_name), weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file gets the same explanation
        raise TTNNError(
            f"ttnn.load_tensor: {file_name} is not a tensor file written by ttnn.dump_tensor ({error})"
        ) from None
    if not isinstance(record, dict) or record.get("format") != "ttport-emulator-tensor-1":
        raise TTNNError(f"ttnn.load_tensor: {file_name} was not written by the emulator's ttnn.dump_tensor")
    tensor = Tensor(record["stored"], record["shape"], DataType[record["dtype"]], Layout[record["layout"]])
    if device is not None:
        from .ops.conversion import to_device

        return to_device(tensor, device)
    return tensor


def as_tensor(
    tensor,
    dtype=None,
    *,
    layout=Layout.ROW_MAJOR,
    device=None,
    memory_config=None,
    cache_file_name=None,
    preprocess=None,
    mesh_mapper=None,
    cache_dump_mode=DumpTensorMode.DISTRIBUTED_GATHER,
):
    """ttnn.from_torch with an on-disk cache: `cache_file_name` + "_dtype_<DTYPE>_layout_<LAYOUT>.tensorbin" is
    loaded if it is there (and readable), else written from `preprocess(tensor)` converted on host.
    As real ttnn's (ttnn/operations/core.py), it needs memory_config when a device is given."""
    from .ops.conversion import from_torch, to_device

    if device is not None and memory_config is None:
        raise TTNNError("memory_config must be specified when device is specified (ttnn.as_tensor)")

    def convert(on_device):
        source = preprocess(tensor) if preprocess else tensor
        return from_torch(
            source, dtype=dtype, layout=layout, mesh_mapper=mesh_mapper, memory_config=memory_config, device=on_device
        )

    if cache_file_name is None:
        return convert(device)
    dtype_name = dtype.name if dtype is not None else "None"
    layout_name = layout.name if layout is not None else "None"
    path = pathlib.Path(f"{cache_file_name}_dtype_{dtype_name}_layout_{layout_name}.tensorbin")
    host = _load_or_none(path)
    if host is None:
        host = convert(None)
        path.parent.mkdir(parents=True, exist_ok=True)
        dump_tensor(path, host, mode=cache_dump_mode)
    return to_device(host, device, memory_config=memory_config) if device is not None else host


def _load_or_none(path: pathlib.Path):
    """The cached tensor, or None when there is none or it cannot be read (real ttnn then regenerates it)."""
    if not path.is_file():
        return None
    try:
        return load_tensor(path)
    except TTNNError:
        return None
