"""ttport.emu: the ttnn Python API (0.81.1) emulated on the CPU.

import ttport.emu
ttport.emu.install()          # registers the emulator as `ttnn` unless real ttnn and a card are present
import ttnn
with ttnn.manage_device(0) as device:
    x = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    y = ttnn.to_torch(ttnn.gelu(x))
"""

from __future__ import annotations

from . import experimental, golden, model_preprocessing, ops, transformer  # noqa: F401  (registers every op)
from .config import CONFIG
from .conv_config import Conv1dConfig, Conv2dConfig, PaddingMode
from .device import (
    Arch,
    Device,
    DispatchCoreAxis,
    DispatchCoreConfig,
    DispatchCoreType,
    SubDevice,
    SubDeviceId,
    close_device,
    get_arch_name,
    is_blackhole,
    is_wormhole_b0,
    manage_device,
    open_device,
    synchronize_device,
)
from .errors import (
    DeallocatedError,
    DTypeError,
    LayoutError,
    OutOfMemoryError,
    ShapeError,
    StorageError,
    TTNNError,
    UnsupportedError,
)
from .golden import get_fallback_function, get_golden_function, pearson_correlation_coefficient
from .install import BACKEND_ENV, backend_description, install
from .memory import (
    DRAM_MEMORY_CONFIG,
    L1_BLOCK_SHARDED_MEMORY_CONFIG,
    L1_HEIGHT_SHARDED_MEMORY_CONFIG,
    L1_MEMORY_CONFIG,
    L1_WIDTH_SHARDED_MEMORY_CONFIG,
    BufferType,
    CoreCoord,
    CoreGrid,
    CoreRange,
    CoreRangeSet,
    MemoryConfig,
    ShardOrientation,
    ShardSpec,
    ShardStrategy,
    TensorMemoryLayout,
    create_sharded_memory_config,
)
from .mesh import (
    ConcatMeshToTensor,
    MeshShape,
    MeshToTensor,
    ReplicateTensorToMesh,
    ShardTensorToMesh,
    TensorToMesh,
    close_mesh_device,
    open_mesh_device,
)
from .numerics import (
    MathFidelity,
    Numerics,
    ThrottleLevel,
    WormholeComputeKernelConfig,
    init_device_compute_kernel_config,
    numerics,
    set_numerics,
)
from .ops.activations import UnaryOpType, UnaryWithParam
from .ops.arrangement import chunk, expand, narrow, repeat, repeat_interleave, roll, stack, tril, triu, view
from .ops.batch_norm import batch_norm
from .ops.binary_ops import *  # noqa: F403 - the binary table's ops (eq, maximum, logical_and, ...)
from .ops.conv import conv1d, conv2d
from .ops.conv_prepare import prepare_conv_bias, prepare_conv_weights
from .ops.conv_transpose import conv_transpose2d
from .ops.conversion import (
    clone,
    deallocate,
    fill_implicit_tile_padding,
    from_device,
    from_torch,
    is_tensor_storage_on_device,
    reallocate,
    to_device,
    to_layout,
    to_memory_config,
    to_torch,
    typecast,
)
from .ops.copying import assign, copy, empty, empty_like, fill, outer, rand, to_dtype
from .ops.creation import arange, full, full_like, ones, ones_like, zeros, zeros_like
from .ops.cumulative import cumprod, cumsum
from .ops.data_movement import (
    TileReshapeMapMode,
    concat,
    pad,
    permute,
    reshape,
    slice,
    split,
    squeeze,
    transpose,
    unsqueeze,
    unsqueeze_to_4D,
)
from .ops.eltwise import (
    SigmoidMode,
    add,
    clamp,
    divide,
    exp,
    gelu,
    multiply,
    neg,
    pow,
    reciprocal,
    relu,
    rsqrt,
    sigmoid,
    silu,
    sqrt,
    subtract,
    tanh,
    where,
)
from .ops.embedding import EmbeddingsType, embedding
from .ops.fold import fold
from .ops.group_norm import create_group_norm_input_mask, create_group_norm_weight_bias_rm, group_norm
from .ops.matmul import linear, matmul
from .ops.normalization import layer_norm, rms_norm, softmax
from .ops.pool import adaptive_avg_pool2d, avg_pool2d, global_avg_pool2d, max_pool2d
from .ops.reduction import max, mean, min, prod, std, sum, var
from .ops.selection import argmax, gather, index_fill, nonzero, scatter, sort, topk
from .ops.sharded import interleaved_to_sharded, sharded_to_interleaved
from .ops.ternary_ops import *  # noqa: F403 - addcmul, lerp, glu, polyval, prelu, clip, ...
from .ops.tilize import (
    tilize,
    tilize_with_val_padding,
    tilize_with_zero_padding,
    untilize,
    untilize_with_unpadding,
)
from .ops.unary_ops import *  # noqa: F403 - the unary table's ops (abs, log, sin, eqz, ...)
from .ops.upsample import upsample
from .program_configs import (
    LayerNormDefaultProgramConfig,
    LayerNormShardedMultiCoreProgramConfig,
    MatmulMultiCoreReuseMultiCast1DProgramConfig,
    MatmulMultiCoreReuseMultiCastProgramConfig,
    MatmulMultiCoreReuseProgramConfig,
    SDPAProgramConfig,
    SoftmaxDefaultProgramConfig,
    SoftmaxShardedMultiCoreProgramConfig,
)
from .serialization import DumpTensorMode, as_tensor, dump_tensor, load_tensor
from .tensor import Shape, Tensor
from .tile import Tile
from .trace import OpRecord, trace
from .types import TILE_HEIGHT, DataType, Layout, StorageType

golden.attach()
MeshDevice = Device  # in ttnn 0.81.1 every device is a mesh device (ttnn.Device is ttnn.MeshDevice)
mul = multiply  # ttnn 0.81.1's aliases
div = divide
sub = subtract
TILE_SIZE = TILE_HEIGHT
bfloat16 = DataType.BFLOAT16
float32 = DataType.FLOAT32
bfloat8_b = DataType.BFLOAT8_B
bfloat4_b = DataType.BFLOAT4_B
uint32 = DataType.UINT32
int32 = DataType.INT32
uint16 = DataType.UINT16
uint8 = DataType.UINT8
ROW_MAJOR_LAYOUT = Layout.ROW_MAJOR
TILE_LAYOUT = Layout.TILE

__version__ = "0.81.1+ttport.emu"
