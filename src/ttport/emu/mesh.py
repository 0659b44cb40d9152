"""Mesh devices on the emulator: one n150 is a 1x1 mesh, so mappers and composers are the identity.

In ttnn 0.81.1 every device is a MeshDevice (ttnn.Device is ttnn.MeshDevice, open_device returns a 1x1 mesh). Code
written for meshes (open_mesh_device, from_torch(mesh_mapper=...), to_torch(mesh_composer=...)) runs here on a
1x1 mesh: replicating to, sharding over or concatenating from one device leaves the tensor as it is. Larger meshes
are refused, since there is only one emulated chip.
"""

from __future__ import annotations

from .device import Device, close_device, open_device
from .errors import TTNNError


class MeshShape:
    """ttnn.MeshShape(rows, cols[, depth]) or MeshShape([dims])."""

    def __init__(self, *dims):
        values = list(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else list(dims)
        if not values or any(not isinstance(d, int) or d < 1 for d in values):
            raise TTNNError(f"ttnn.MeshShape: dims must be positive ints, got {values}")
        self._dims = values

    def dims(self) -> int:
        return len(self._dims)

    def mesh_size(self) -> int:
        size = 1
        for d in self._dims:
            size *= d
        return size

    def __getitem__(self, index: int) -> int:
        return self._dims[index]

    def __iter__(self):
        return iter(self._dims)

    def __eq__(self, other) -> bool:
        return isinstance(other, MeshShape) and other._dims == self._dims

    def __ne__(self, other) -> bool:
        return not self == other

    def __repr__(self) -> str:
        return f"MeshShape({self._dims})"


def _one_device(op: str, mesh_shape) -> None:
    if mesh_shape is None:
        return
    shape = mesh_shape if isinstance(mesh_shape, MeshShape) else MeshShape(*mesh_shape)
    if shape.mesh_size() != 1:
        raise TTNNError(
            f"{op}: mesh_shape {shape} needs {shape.mesh_size()} chips; the emulator is one n150, so only a 1x1 "
            "mesh opens (ttnn.MeshShape(1, 1))"
        )


def open_mesh_device(
    mesh_shape=None,
    l1_small_size=0,
    trace_region_size=0,
    num_command_queues=1,
    dispatch_core_config=None,
    offset=None,
    physical_device_ids=[],  # noqa: B006 - ttnn's default, never mutated
    worker_l1_size=0,
) -> Device:
    """A 1x1 mesh: the emulated n150 itself."""
    _one_device("ttnn.open_mesh_device", mesh_shape)
    if physical_device_ids and list(physical_device_ids) != [0]:
        raise TTNNError(f"ttnn.open_mesh_device: physical_device_ids {physical_device_ids}: only device 0 exists")
    return open_device(
        device_id=0,
        l1_small_size=l1_small_size,
        trace_region_size=trace_region_size,
        dispatch_core_config=dispatch_core_config,
        worker_l1_size=worker_l1_size,
    )


def close_mesh_device(mesh_device) -> None:
    close_device(mesh_device)


class TensorToMesh:
    """How a host tensor is spread over a mesh's devices (from_torch(mesh_mapper=...)); on one device, as it is."""

    def __init__(self, mesh_device: Device, kind: str, dim: int | None = None):
        if not isinstance(mesh_device, Device):
            raise TTNNError(f"ttnn.{kind}: mesh_device must be a device from ttnn.open_mesh_device")
        self._kind, self._dim = kind, dim

    @property
    def config(self) -> str:
        return f"{self._kind}(dim={self._dim})" if self._dim is not None else self._kind


class MeshToTensor:
    """How a mesh's per-device tensors become one host tensor (to_torch(mesh_composer=...)); on one device, as it is."""

    def __init__(self, mesh_device: Device, kind: str, dim: int):
        if not isinstance(mesh_device, Device):
            raise TTNNError(f"ttnn.{kind}: mesh_device must be a device from ttnn.open_mesh_device")
        self._kind, self._dim = kind, dim


def ReplicateTensorToMesh(mesh_device) -> TensorToMesh:  # noqa: N802 - ttnn's name
    return TensorToMesh(mesh_device, "ReplicateTensorToMesh")


def ShardTensorToMesh(mesh_device, dim: int) -> TensorToMesh:  # noqa: N802 - ttnn's name
    return TensorToMesh(mesh_device, "ShardTensorToMesh", dim)


def ConcatMeshToTensor(mesh_device, dim: int) -> MeshToTensor:  # noqa: N802 - ttnn's name
    return MeshToTensor(mesh_device, "ConcatMeshToTensor", dim)


def check_mapper(op: str, mapper, expected: type) -> None:
    """A mesh_mapper / mesh_composer must be one of ttnn's; on one device it changes nothing."""
    if mapper is not None and not isinstance(mapper, expected):
        raise TTNNError(
            f"{op}: {type(mapper).__name__} is not a ttnn {expected.__name__}; use ttnn.ReplicateTensorToMesh, "
            "ttnn.ShardTensorToMesh or ttnn.ConcatMeshToTensor"
        )
