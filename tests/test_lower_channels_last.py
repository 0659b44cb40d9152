"""Channels-last across module boundaries (lower/channels_last.py): a conv module's function takes and returns NHWC,
its caller passes and receives that form as it holds it, and NCHW <-> NHWC is one ttnn.permute where the model's
own function meets torch's layout or a reader needs NCHW (a flatten before a linear), not a pair per module. The
per-module PCC still compares the torch module's NCHW output (verify and the generated tests permute it back)."""

from __future__ import annotations

import pathlib

import torch
from test_lower_helpers import lower_and_verify, report

from ttport.capture import capture
from ttport.lower.channels_last import layout_comment
from ttport.port.emit import emit
from ttport.port.runner import run_tests
from ttport.reference.generate import generate

SPEC = "test_lower_channels_last:two_readers"
TESTS = str(pathlib.Path(__file__).parent)


def _image() -> torch.Tensor:
    return torch.randn(1, 8, 8, 8, generator=torch.Generator().manual_seed(3))


class ConvBlock(torch.nn.Module):
    def __init__(self, channels: int = 8):
        super().__init__()
        self.conv = torch.nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x))


class Head(torch.nn.Module):
    """flatten + linear: reads its input NCHW (the flattened order is torch's)."""

    def __init__(self, features: int = 8 * 8 * 8, classes: int = 4):
        super().__init__()
        self.linear = torch.nn.Linear(features, classes)

    def forward(self, x):
        return self.linear(x.flatten(1))


class TwoBlocks(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.block1, self.block2 = ConvBlock(), ConvBlock()

    def forward(self, x):
        return self.block2(self.block1(x))


class BlocksThenHead(TwoBlocks):
    def __init__(self):
        super().__init__()
        self.head = Head()

    def forward(self, x):
        return self.head(self.block2(self.block1(x)))


class TwoReaders(BlocksThenHead):
    """block1's output is read by a conv module (channels-last) and by the head (NCHW)."""

    def forward(self, x):
        y = self.block1(x)
        return self.block2(y), self.head(y)


class Scaled(torch.nn.Module):
    def forward(self, x):
        return torch.softmax(x * 2, dim=-1)


class ScaledBlock(torch.nn.Module):
    """A module with no channels-last op (a transformer's kind) after a conv module."""

    def __init__(self):
        super().__init__()
        self.block, self.scaled = ConvBlock(), Scaled()

    def forward(self, x):
        return self.scaled(self.block(x))


class Residual(torch.nn.Module):
    """HF ResNet's basic layer: `hidden += residual` in place, then relu."""

    def __init__(self):
        super().__init__()
        self.block = ConvBlock()

    def forward(self, x):
        hidden = self.block(x)
        hidden += x
        return torch.relu(hidden)


class NormAfterConvModule(torch.nn.Module):
    """EfficientNet's depthwise layer: a conv module (an nn.Conv2d subclass), then this module's own batch norm."""

    class Depthwise(torch.nn.Conv2d):
        def forward(self, x):
            return super().forward(x)

    def __init__(self):
        super().__init__()
        self.conv = self.Depthwise(8, 8, 3, padding=1, groups=8, bias=False)
        self.norm = torch.nn.BatchNorm2d(8)
        self.norm.running_mean.uniform_(-0.5, 0.5)
        self.norm.running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        return torch.nn.functional.silu(self.norm(self.conv(x)))


class Stem(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem, self.layer = torch.nn.Conv2d(8, 8, 1), NormAfterConvModule()

    def forward(self, x):
        return self.layer(self.stem(x))


def two_readers():
    """The factory the generated project's conftest loads (SPEC)."""
    torch.manual_seed(0)
    return TwoReaders().eval()


def _lowered(model, name: str, device):
    torch.manual_seed(0)
    lowered, checks, source = lower_and_verify(model.eval(), {"x": _image()}, device, name=name)
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
    return lowered, source


def _function(lowered, cls: str):
    return next(kind for kind in lowered.kinds if f"({cls})" in kind.source)


def _conv_block_takes_and_returns_nhwc(lowered) -> None:
    block = _function(lowered, "ConvBlock")
    assert [spec.kind for spec in block.inputs] == ["nhwc"] and block.output_forms == ["nhwc"], block.source
    assert "ttnn.permute(" not in block.source, block.source
    assert "# takes x channels-last (NHWC, [N, H, W, C])" in block.source, block.source
    assert "# returns its result channels-last (NHWC, [N, H, W, C])" in block.source, block.source


def test_two_conv_modules_in_a_row_pay_one_permute_each_way(device):
    """Before: a permute pair inside each block (4); now the model's function permutes its input and its output."""
    lowered, source = _lowered(TwoBlocks(), "two_blocks", device)
    _conv_block_takes_and_returns_nhwc(lowered)
    assert source.count("ttnn.permute(") == 2, source
    top = lowered.top.source
    assert "ttnn.permute(x, (0, 2, 3, 1))" in top and top.count("(0, 3, 1, 2))") == 1, top
    assert [spec.kind for spec in lowered.top.inputs] == ["activation"] and lowered.top.output_forms == ["tile"]


def test_a_flatten_and_linear_head_takes_nchw_from_one_permute(device):
    """The head flattens in torch's order: it takes NCHW, and the model's function permutes once before it."""
    lowered, source = _lowered(BlocksThenHead(), "blocks_then_head", device)
    _conv_block_takes_and_returns_nhwc(lowered)
    head = _function(lowered, "Head")
    assert [spec.kind for spec in head.inputs] == ["activation"] and head.output_forms == ["tile"], head.source
    assert source.count("ttnn.permute(") == 2, source  # the image in, block2's output before the head
    assert lowered.top.source.count("ttnn.permute(") == 2, lowered.top.source


def test_an_output_read_in_two_forms_is_permuted_once_for_the_nchw_reader(device):
    """block1's output goes to block2 as it is and to the head permuted once; block2's output leaves the model NCHW."""
    lowered, source = _lowered(TwoReaders(), "two_readers", device)
    _conv_block_takes_and_returns_nhwc(lowered)
    top = lowered.top.source
    assert source.count("ttnn.permute(") == 3 and top.count("ttnn.permute(") == 3, source
    assert top.count("(0, 3, 1, 2))") == 2, top  # y for the head, block2's output at the return
    assert lowered.top.output_forms == ["tile", "tile"]


def test_a_module_with_no_channels_last_op_keeps_nchw(device):
    """Taking NHWC would not save a permute in Scaled's function (its softmax reads NCHW): it keeps torch's layout."""
    lowered, source = _lowered(ScaledBlock(), "scaled_block", device)
    scaled = _function(lowered, "Scaled")
    assert [spec.kind for spec in scaled.inputs] == ["activation"] and scaled.output_forms == ["tile"], scaled.source
    assert "channels-last" not in scaled.source, scaled.source
    assert source.count("ttnn.permute(") == 2, source


def test_generated_tests_permute_a_channels_last_module_in_and_out(tmp_path, device):
    """The project's test of the conv block feeds it the captured input permuted to NHWC and compares its output
    permuted back: the PCC it records is verify's (the same NCHW numbers as the torch module's)."""
    model = two_readers()
    captured = capture(model, {"x": _image()})
    generated = generate(captured, "two_readers")
    lowered, checks, _ = lower_and_verify(model, {"x": _image()}, device, name="two_readers")
    out = tmp_path / "two_readers"
    assert emit(lowered, captured, generated, checks, out, model_spec=SPEC).problems == []
    tests = "\n".join(path.read_text() for path in (out / "tests").glob("test_*.py"))
    assert 'to_device(case["inputs"]["x"], "nhwc", device)' in tests, tests
    assert "outputs = from_channels_last(outputs, [0])" in tests, tests
    assert "Channels-last activations:" in (out / "README.md").read_text()
    run = run_tests(out, pythonpath=[TESTS])
    assert run.passed, run.output[-3000:]
    by_path = {check.path: check for check in checks}
    for case in run.cases:
        assert abs(case.pcc - by_path[case.path].pcc) < 1e-9, (case.path, case.pcc, by_path[case.path].pcc)


def test_an_in_place_residual_add_stays_channels_last(device):
    """`hidden += x` of two channels-last values is channels-last too: the block takes and returns NHWC, and the
    model's function holds the only two permutes."""
    lowered, source = _lowered(_residuals(), "residuals", device)
    residual = _function(lowered, "Residual")
    assert [spec.kind for spec in residual.inputs] == ["nhwc"] and residual.output_forms == ["nhwc"], residual.source
    assert "ttnn.permute(" not in residual.source and source.count("ttnn.permute(") == 2, source


def _residuals():
    class Residuals(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = Residual(), Residual()

        def forward(self, x):
            return self.second(self.first(x))

    return Residuals()


def test_a_norm_after_a_conv_module_is_not_folded_into_the_child(device):
    """The child's conv output reaches the parent channels-last, but the conv is the child's: the parent's norm is
    its own channels-last affine (parameters.py prepares it), not a fold into a conv it does not run."""
    lowered, source = _lowered(Stem(), "stem", device)
    layer = _function(lowered, "NormAfterConvModule")
    assert "ttnn.multiply(" in layer.source and "ttnn.permute(" not in layer.source, layer.source
    assert "fold_batch_norm2d_into_conv2d(" not in lowered.parameters_source


class SqueezeExcite(torch.nn.Module):
    """x * sigmoid(conv(pool(x))): the [N, C, 1, 1] gate broadcasts over x channels-last as it does NCHW."""

    def __init__(self):
        super().__init__()
        self.block, self.gate = ConvBlock(), torch.nn.Conv2d(8, 8, 1)

    def forward(self, x):
        x = self.block(x)
        return x * torch.sigmoid(self.gate(torch.nn.functional.adaptive_avg_pool2d(x, 1)))


def test_a_broadcast_gate_stays_channels_last(device):
    """Before: the gate went back to NCHW for the multiply, and the block's output with it (two permutes more)."""
    lowered, source = _lowered(SqueezeExcite(), "squeeze_excite", device)
    assert source.count("ttnn.permute(") == 2 and lowered.top.source.count("ttnn.permute(") == 2, source


class PatchEmbeddings(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.projection = torch.nn.Conv2d(8, 16, 4, stride=4)

    def forward(self, x):
        return self.projection(x).flatten(2).transpose(1, 2)


class Embeddings(torch.nn.Module):
    """ViT's: class tokens expanded by the batch size (its prepare function), then the patch embedding's conv."""

    def __init__(self):
        super().__init__()
        self.cls_token = torch.nn.Parameter(torch.randn(1, 1, 16))
        self.patches = PatchEmbeddings()

    def forward(self, x):
        return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), self.patches(x)], dim=1)


class Vision(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()

    def forward(self, x):
        return self.embeddings(x) * 2


def test_a_function_with_a_prepare_function_takes_nchw(device):
    """Its prepare function joins the model's prepare_inputs, which runs before any device op: taking the image
    channels-last would need a permute first and keep the class-token upload in every forward."""
    torch.manual_seed(0)
    model = Vision().eval()
    image = torch.randn(2, 8, 8, 8, generator=torch.Generator().manual_seed(3))
    lowered, checks, source = lower_and_verify(model, {"x": image}, device, name="vision")
    assert all(c.passed for c in checks), report(checks)
    embeddings = _function(lowered, "Embeddings")
    assert [spec.kind for spec in embeddings.inputs] == ["activation"], embeddings.source
    patches = _function(lowered, "PatchEmbeddings")
    assert [spec.kind for spec in patches.inputs] == ["nhwc"], patches.source
    top = lowered.top.source
    forward = top[top.index("def vision(") :]
    assert "prepare_embeddings_inputs(" in top and "prepare_embeddings_inputs(" not in forward, top


def test_layout_comments_fit_the_generated_codes_columns():
    """DPT's neck returns four channels-last values: one unwrapped comment line was 127 columns (ruff E501)."""
    lines = layout_comment(["hidden_states"], [f"fused_hidden_state_{i}" for i in range(1, 5)], all_outputs=True)
    assert len(lines) > 2 and all(line.startswith("# ") and len(line) <= 120 for line in lines), lines
    assert " ".join(line[2:] for line in lines).startswith("takes hidden_states channels-last (NHWC"), lines
