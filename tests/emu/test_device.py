"""The emulated n150: allocator capacities, out-of-memory, deallocation, reallocation; and the op trace."""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport import emu
from ttport.emu import errors
from ttport.emu.device import DRAM_BANK_BYTES, DRAM_BANKS, L1_BYTES_PER_CORE, L1_RESERVED_BYTES


def l1_in_use(device) -> int:
    return device._allocator.in_use[ttnn.BufferType.L1]


def test_grid_and_capacities(device):
    grid = device.compute_with_storage_grid_size()
    assert (grid.x, grid.y) == (8, 8)
    assert DRAM_BANKS * DRAM_BANK_BYTES == 12 * 1024**3
    assert L1_BYTES_PER_CORE == 1464 * 1024


def test_buffers_are_allocated_and_freed(device):
    tensor = ttnn.from_torch(
        torch.randn(64, 64),
        dtype=ttnn.bfloat16,
        layout=ttnn.TILE_LAYOUT,
        device=device,
        memory_config=ttnn.L1_MEMORY_CONFIG,
    )
    # Four 2 KiB tiles spread over 64 L1 banks: each bank reserves one tile-sized page.
    assert l1_in_use(device) == 64 * 2048
    ttnn.deallocate(tensor)
    assert l1_in_use(device) == 0


def test_garbage_collected_tensors_free_their_buffers(device):
    tensor = ttnn.from_torch(
        torch.randn(64, 64),
        dtype=ttnn.bfloat16,
        layout=ttnn.TILE_LAYOUT,
        device=device,
        memory_config=ttnn.L1_MEMORY_CONFIG,
    )
    del tensor
    assert l1_in_use(device) == 0


def test_l1_out_of_memory(device):
    per_bank = L1_BYTES_PER_CORE - L1_RESERVED_BYTES
    rows = (per_bank * 64) // (2 * 1024) + 64  # more bf16 rows of 1024 than all of L1 holds
    big = torch.zeros(rows, 1024)
    with pytest.raises(errors.OutOfMemoryError, match=r"Out of Memory: Not enough space to allocate .* L1 buffer"):
        ttnn.from_torch(
            big, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=ttnn.L1_MEMORY_CONFIG
        )
    # The same tensor fits in DRAM.
    ttnn.from_torch(big, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def test_fragmentation_and_reallocate(device):
    pages_per_bank = (L1_BYTES_PER_CORE - L1_RESERVED_BYTES) // 2048  # bf16 tiles each L1 bank holds

    def l1_tensor(pages: int):
        # pages * 64 tiles: every one of the 64 L1 banks stores `pages` tiles.
        return ttnn.from_torch(
            torch.zeros(32 * pages, 32 * 64),
            dtype=ttnn.bfloat16,
            layout=ttnn.TILE_LAYOUT,
            device=device,
            memory_config=ttnn.L1_MEMORY_CONFIG,
        )

    third = pages_per_bank // 3
    a, b, c = l1_tensor(third), l1_tensor(third), l1_tensor(third)
    ttnn.deallocate(a)
    ttnn.deallocate(c)
    # Two free thirds that are not adjacent: a bigger-than-a-third tensor fits only once b moves to the top
    # (L1 allocates top-down, as ttnn's does).
    with pytest.raises(errors.OutOfMemoryError, match="largest free block"):
        l1_tensor(third + 60)
    b = ttnn.reallocate(b)
    assert b.buffer_address() == L1_BYTES_PER_CORE - third * 2048
    l1_tensor(third + 60)


def test_peak_is_tracked(device):
    device._allocator.reset_peak()
    x = ttnn.from_torch(torch.randn(128, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    ttnn.deallocate(x)
    assert device._allocator.peak[ttnn.BufferType.DRAM] >= 128 * 128 * 2
    assert device._allocator.in_use[ttnn.BufferType.DRAM] == 0


def test_bfloat8_b_takes_1088_bytes_per_tile(device):
    tensor = ttnn.from_torch(torch.randn(32, 32 * 12), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device)
    assert tensor.is_allocated()
    assert device._allocator.in_use[ttnn.BufferType.DRAM] == 12 * 1088


def test_trace_records_every_op(device):
    a = ttnn.from_torch(torch.randn(2, 64, 96), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    w = ttnn.from_torch(torch.randn(96, 32), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device)
    with emu.trace() as records:
        y = ttnn.linear(a, w, memory_config=ttnn.L1_MEMORY_CONFIG)
        ttnn.gelu(y)
    assert [r.op for r in records] == ["ttnn.linear", "ttnn.gelu"]
    linear = records[0]
    assert linear.flops == 2 * 2 * 64 * 32 * 96
    assert [i.dtype for i in linear.inputs] == ["bfloat16", "bfloat8_b"]
    assert linear.outputs[0].memory == "L1" and linear.outputs[0].shape == (2, 64, 32)
    assert linear.bytes_read == 2 * 2 * 3 * 2048 + 3 * 1088
    assert linear.bytes_written == 2 * 2 * 2048


def test_no_records_outside_trace(device):
    with emu.trace() as records:
        pass
    ttnn.relu(ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device))
    assert records == []


def test_ideal_numerics_keep_float32(device):
    x = torch.randn(64, 64)
    with emu.numerics("ideal"):
        tx = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        result = ttnn.to_torch(ttnn.matmul(tx, tx))
    assert result.dtype == torch.float32
    assert torch.allclose(result, x @ x, atol=1e-4)


def test_manage_device_closes():
    with ttnn.manage_device(0) as device:
        assert device._is_open
    assert not device._is_open
    with pytest.raises(errors.StorageError, match="the device was closed"):
        ttnn.from_torch(torch.randn(2, 2), device=device)


def test_l1_allocates_top_down_and_dram_bottom_up(device):
    def tensor(memory_config):
        return ttnn.from_torch(
            torch.zeros(64, 64),
            dtype=ttnn.bfloat16,
            layout=ttnn.TILE_LAYOUT,
            device=device,
            memory_config=memory_config,
        )

    first, second = tensor(ttnn.L1_MEMORY_CONFIG), tensor(ttnn.L1_MEMORY_CONFIG)
    assert first.buffer_address() + 2048 == L1_BYTES_PER_CORE  # 4 tiles over 64 banks: one padded page per bank
    assert second.buffer_address() < first.buffer_address()
    low, high = tensor(ttnn.DRAM_MEMORY_CONFIG), tensor(ttnn.DRAM_MEMORY_CONFIG)
    assert low.buffer_address() < high.buffer_address()
