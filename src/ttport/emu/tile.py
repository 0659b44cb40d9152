"""ttnn.Tile: the tile shape of a TILE-layout tensor. The emulator models ttnn's default 32x32 tile (four 16x16 faces);
other tile shapes (16x32, 32x16, ... for tiny tensors) are refused where a tensor would be made with one."""

from __future__ import annotations

from .errors import UnsupportedError
from .types import TILE_HEIGHT

FACE = 16


class Tile:
    """ttnn.Tile(tile_shape, transpose_tile=False)."""

    def __init__(self, tile_shape, transpose_tile: bool = False):
        self.tile_shape = [int(d) for d in tile_shape]
        self._transpose = bool(transpose_tile)
        self.face_shape = [min(FACE, d) for d in self.tile_shape]
        self.num_faces = (self.tile_shape[0] // self.face_shape[0]) * (self.tile_shape[1] // self.face_shape[1])
        self.partial_face = self.tile_shape[0] < FACE
        self.narrow_tile = self.tile_shape[1] < FACE
        self.transpose_within_face = self._transpose
        self.transpose_of_faces = self._transpose

    def get_tile_size(self, format) -> int:  # noqa: A002 - ttnn's name
        from .types import DTYPE_INFO

        return int(self.tile_shape[0] * self.tile_shape[1] * DTYPE_INFO[format].element_bytes)

    def __eq__(self, other) -> bool:
        return isinstance(other, Tile) and (other.tile_shape, other._transpose) == (self.tile_shape, self._transpose)

    def __repr__(self) -> str:
        return f"Tile with shape: {self.tile_shape}"


DEFAULT_TILE = Tile((TILE_HEIGHT, TILE_HEIGHT))


def require_default_tile(op: str, tile) -> None:
    if tile is None:
        return
    if not isinstance(tile, Tile):
        raise UnsupportedError(f"{op}: tile must be a ttnn.Tile, got {type(tile).__name__}")
    if tile != DEFAULT_TILE:
        raise UnsupportedError(
            f"{op}: {tile!r} (transpose={tile._transpose}) is not modelled; the emulator models 32x32 tiles only, "
            "so drop tile= or pass ttnn.Tile((32, 32))"
        )
