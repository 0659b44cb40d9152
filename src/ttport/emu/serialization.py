"""ttnn.dump_tensor / ttnn.load_tensor, used by the model cache.

The emulator's files hold the stored values and tensor metadata (torch.save); they are not real ttnn's .bin
format, so a cache written by the emulator is read only by the emulator.
"""

from __future__ import annotations

import pathlib

import torch

from .errors import TTNNError
from .tensor import Tensor
from .types import DataType, Layout


def dump_tensor(file_name, tensor, distribute=None):
    record = {
        "format": "ttport-emulator-tensor-1",
        "stored": tensor._values,
        "shape": tuple(tensor.shape),
        "dtype": tensor.dtype.name,
        "layout": tensor.layout.name,
    }
    torch.save(record, pathlib.Path(file_name))


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
