"""Failure classes of the reference generator (issue 10), each on the smallest model that showed it."""

from __future__ import annotations

import torch
from torch import nn

from ttport.capture import capture
from ttport.reference import generate
from ttport.reference.verify import verify


def generated_and_rows(model: nn.Module, inputs: dict, **options):
    captured = capture(model.eval(), inputs, **options)
    generated = generate(captured, "model")
    rows = verify(captured, generated)
    failures = [row for row in rows if not row.passed]
    assert not failures, "\n".join(map(str, failures)) + "\n" + generated.source
    assert len(rows) == len(captured.calls())
    return generated, rows


# -- class 4: a dynamic size a child reads, export took from another root input ----------------------------------
class Positions(nn.Module):
    """BART's learned positions: input_ids is read only for its length."""

    def __init__(self):
        super().__init__()
        self.table = nn.Embedding(16, 8)

    def forward(self, input_ids):
        return self.table(torch.arange(input_ids.shape[1]))


class Windows(nn.Module):
    """Swin's windows: the batch the parent computed with is folded into this module's first dim."""

    def forward(self, x):
        b, n, c = x.shape
        return x.view(b, n // 2, 2, c).sum(2) * b


class MaskedRoot(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.positions = Positions()
        self.windows = Windows()

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids) * attention_mask[..., None] + self.positions(input_ids)
        b, s = attention_mask.shape  # export spells batch and length through the mask
        return self.windows(x.reshape(b * s // 2, 2, 8))


def masked_inputs(batch=2, length=8):
    return {"input_ids": torch.randint(0, 20, (batch, length)), "attention_mask": torch.ones(batch, length)}


def test_sizes_from_another_root_input_are_spelled_from_the_childs_own_arguments():
    generated, _ = generated_and_rows(MaskedRoot(), masked_inputs())
    assert "def positions(input_ids, *, parameters):" in generated.source
    assert "x.shape[0]" in generated.source  # Windows: its first dim, not the root's batch
    namespace = {}
    exec(generated.source, namespace)
    from ttport.reference import reference_parameters

    model = MaskedRoot().eval()
    inputs = masked_inputs(batch=3, length=6)  # other sizes than the captured ones
    parameters = reference_parameters(model)
    with torch.no_grad():
        expected = model(**inputs)  # no CONFIG: the reshape writes 8, not self.embed.embedding_dim
        actual = namespace["masked_root"](**inputs, parameters=parameters, **namespace.get("CONFIG", {}))
    torch.testing.assert_close(actual, expected)


def test_static_capture_of_the_same_model_verifies_too():
    generated_and_rows(MaskedRoot(), masked_inputs(), dynamic=False)


# -- class 6: generator bugs -----------------------------------------------------------------------------------------
class MergeHeads(nn.Module):
    """GPT-Neo's _merge_heads: a view of a permuted tensor needs the model's .contiguous()."""

    def forward(self, x):
        b, h, s, d = x.shape
        return x.permute(0, 2, 1, 3).contiguous().view(b, s, h * d)


def test_view_after_contiguous_keeps_contiguous():
    generated, _ = generated_and_rows(MergeHeads(), {"x": torch.randn(2, 4, 8, 16)})
    assert ".contiguous().view(" in generated.source


class Diff(nn.Module):
    """Whisper / causal LMs without a mask: torch.diff with `prepend`, which comes after `n` and `dim`."""

    def forward(self, x):
        return torch.diff(x, prepend=x[:, :1] * 0 - 1) + torch.histc(x, bins=4, min=0, max=3).sum()


def test_skipped_default_arguments_turn_later_ones_into_keywords():
    generated, _ = generated_and_rows(Diff(), {"x": torch.randn(2, 8)}, dynamic=False)
    assert "prepend=" in generated.source and "max=3" in generated.source


class Scores(nn.Module):
    """BLOOM's alibi scores: baddbmm with beta and alpha, which the readable form must not drop."""

    def forward(self, bias, q, k):
        return torch.baddbmm(bias, q, k, beta=1.0, alpha=0.25).cumsum(-1, dtype=torch.float64)


def test_an_argument_the_readable_form_would_drop_is_kept():
    inputs = {"bias": torch.randn(2, 4, 4), "q": torch.randn(2, 4, 8), "k": torch.randn(2, 8, 4)}
    generated, _ = generated_and_rows(Scores(), inputs)
    assert "alpha=0.25" in generated.source and "dtype=torch.float64" in generated.source


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Linear(8, 8)

    def forward(self, x):
        return self.up(x)


class Parallel(nn.Module):
    """Falcon's parallel block: the MLP's output is updated in place after the MLP returned it."""

    def __init__(self):
        super().__init__()
        self.mlp = Mlp()

    def forward(self, x):
        out = self.mlp(x)
        out += x
        return out


def test_a_module_output_updated_in_place_later_is_recorded_as_returned():
    generated, rows = generated_and_rows(Parallel(), {"x": torch.randn(2, 8)})
    assert [row.path for row in rows] == ["<root>", "mlp"]


class Shift(nn.Module):
    """BART's shift_tokens_right: writes into views of a new tensor, then returns it."""

    def forward(self, input_ids):
        shifted = input_ids.new_zeros(input_ids.shape)
        shifted[:, 1:] = input_ids[:, :-1].clone()
        shifted[:, 0] = 2
        return shifted.masked_fill_(shifted == -100, 1)


def test_in_place_writes_into_views_are_kept():
    generated_and_rows(Shift(), {"input_ids": torch.randint(3, 20, (2, 8))})


class Config:
    """A config whose fields coincide with literals the model's code never derives from them."""

    def __init__(self):
        self.n_layer, self.max_positions, self.head_dim = 2, 64, 16


class Heads(nn.Module):
    """BLOOM's permute(0, 2, 1, 3) (n_layer is 2) and GPT-J's merged width (max_positions is 64)."""

    def __init__(self):
        super().__init__()
        self.config = Config()
        self.head_dim = 16

    def forward(self, x):
        b, s, _ = x.shape
        heads = x.view(b, s, 4, self.head_dim).permute(0, 2, 1, 3)
        return heads.permute(0, 2, 1, 3).reshape(b, s, 64)


def test_a_literal_takes_a_config_name_only_where_the_code_derives_it_from_one():
    generated, _ = generated_and_rows(Heads(), {"x": torch.randn(2, 8, 64)})
    assert "head_dim" in generated.source  # self.head_dim in the line that computed it
    assert "n_layer" not in generated.source and "max_positions" not in generated.source
    assert ".permute(0, 2, 1, 3)" in generated.source


class Relative(nn.Module):
    """DeBERTa's attention: takes the encoder's rel_embeddings.weight as an argument."""

    def forward(self, x, table):
        return x @ table.T


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rel_embeddings = nn.Embedding(8, 16)
        self.layer = Relative()

    def forward(self, x):
        return self.layer(x, self.rel_embeddings.weight)


def test_a_parameter_of_another_module_passed_as_an_argument_is_an_input():
    generated, rows = generated_and_rows(Encoder(), {"x": torch.randn(2, 16)})
    assert "def relative(x, table):" in generated.source
    assert [row.path for row in rows] == ["<root>", "layer"]


class Interpolate(nn.Module):
    """BEiT / YOLOS resize a table with interpolate(size=...): scale_factors is None but has no default."""

    def forward(self, x):
        return torch.nn.functional.interpolate(x, size=(6, 6), mode="bilinear", align_corners=False)


def test_an_argument_without_default_is_passed_even_when_none():
    generated_and_rows(Interpolate(), {"x": torch.randn(1, 2, 4, 4)}, dynamic=False)


class Count(nn.Module):
    """Takes a length as a Python int: no argument of this module has it as a dimension."""

    def forward(self, x, n):
        return x * torch.arange(n).sum()


class Counted(nn.Module):
    def __init__(self):
        super().__init__()
        self.count = Count()

    def forward(self, input_ids):
        return self.count(torch.ones(4), input_ids.shape[1])


def test_a_size_no_argument_spells_falls_back_to_static_shapes_and_says_so(caplog):
    from ttport.reference.pipeline import run

    with caplog.at_level("WARNING", logger="ttport"):
        result = run(Counted(), {"input_ids": torch.zeros(2, 8, dtype=torch.long)}, "counted")
    assert result.passed, result.rows
    assert result.captured.notes and "static shapes" in result.captured.notes[0]
    assert "count (Count)" in caplog.text and "static shapes" in caplog.text


class WeightNormed(nn.Module):
    """Wav2Vec2's positional conv: weight_norm computes conv.weight from original0/original1, which the port reads
    as the computed tensor (capture/parametrized.py), beside a ModuleList that stays a list."""

    def __init__(self):
        super().__init__()
        self.conv = nn.utils.parametrizations.weight_norm(nn.Conv1d(4, 4, 3, padding=1), dim=2)
        self.layers = nn.ModuleList(nn.Linear(4, 4) for _ in range(2))

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)
        for layer in self.layers:
            x = layer(x)
        return x


def test_tensors_of_a_module_list_are_reachable_by_name_and_lists_stay_lists():
    from ttport.emu.model_preprocessing import ParameterList
    from ttport.reference import reference_parameters

    model = WeightNormed().eval()
    parameters = reference_parameters(model)
    assert isinstance(parameters.layers, ParameterList)
    assert torch.equal(parameters.conv.weight, model.conv.weight)
    generated_and_rows(model, {"x": torch.randn(2, 4, 8)})
