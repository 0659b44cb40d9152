"""Integer buffers used as embedding ids: prepared once as uint32 ROW_MAJOR parameters, never uploaded as bfloat16
nor rebuilt on host every call (issue 11; CLIP's vision embeddings read their position-id buffer directly, BERT's
and CLIP text's slice it to the sequence length)."""

from __future__ import annotations

import ast

import torch
from test_lower_helpers import lower_and_verify, report

from ttport.port.testgen import generated_tests
from ttport.ported import KindPort, LoweredModel


class Positions(torch.nn.Module):
    """x (batch, seq, 16) plus a position embedding looked up at a registered int64 position-id buffer, whole
    (CLIPVisionEmbeddings) or sliced to the sequence length (BertEmbeddings, CLIPTextEmbeddings)."""

    def __init__(self, positions: int, sliced: bool):
        super().__init__()
        self.sliced = sliced
        self.position_embedding = torch.nn.Embedding(positions, 16)
        self.register_buffer("position_ids", torch.arange(positions).expand((1, -1)), persistent=False)

    def forward(self, x):
        ids = self.position_ids[:, : x.shape[1]] if self.sliced else self.position_ids
        return x + self.position_embedding(ids)


def _body(source: str, name: str) -> str:
    tree = ast.parse(source)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return "\n".join(ast.unparse(statement) for statement in function.body)


def test_an_int_buffer_read_as_ids_is_a_uint32_row_major_parameter(device):
    torch.manual_seed(0)
    lowered, checks, _ = lower_and_verify(Positions(4, sliced=False), {"x": torch.randn(2, 4, 16)}, device)
    assert all(c.passed for c in checks), report(checks)
    assert "model.position_ids, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT" in lowered.parameters_source
    assert "from_torch" not in _body(lowered.top.source, lowered.top.name), lowered.top.source


def test_an_int_buffer_sliced_to_the_sequence_is_prepared_once_per_batch_outside_the_forward(device):
    torch.manual_seed(0)
    lowered, checks, _ = lower_and_verify(Positions(8, sliced=True), {"x": torch.randn(2, 5, 16)}, device)
    assert all(c.passed for c in checks), report(checks)
    top = lowered.top
    assert top.prepare_name == "prepare_inputs"
    assert "from_torch" not in _body(top.source, top.name), top.source
    assert "parameters.position_ids[:, :" in _body(top.source, "prepare_inputs"), top.source


def test_the_test_of_a_module_with_no_tensor_input_calls_its_prepare_function_with_the_device_only():
    """Marian's and Pegasus' positional embedding is called with a shape: its prepare function takes no input."""
    source = (
        "def prepare_positions_inputs(*, device):\n    return (ttnn.from_torch(torch.arange(8), device=device),)\n"
        "def positions(ids, *, parameters):\n    return ttnn.embedding(ids, parameters.weight)\n"
    )
    kind = KindPort("positions", "model", source, [], prepare_inputs=True, prepare_name="prepare_positions_inputs")
    kind.config, kind.instances = {}, {"p": {}}
    text = generated_tests(LoweredModel("m", [kind], "", ""), {"positions": ["p"]}, [])["test_model.py"]
    ast.parse(text)
    assert "positions(*prepare_positions_inputs(device=device), parameters=subtree(parameters, path))" in text
