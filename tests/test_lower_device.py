"""Where a lowered function takes the device from: a device tensor input, a parameter, or (when it has neither, as
RoBERTa's model, whose inputs are all integer ids used on host) a `device` keyword its caller passes; uploads of
values made from the inputs alone move to the prepare functions (lower/prepare.py), which take the device."""

from __future__ import annotations

import inspect

import torch
from test_lower_helpers import lower_and_verify, report

from ttport.lower.verify import load


class PositionEmbeddings(torch.nn.Module):
    """RoBERTa's position ids: counted on host from the ids that are not padding, then embedded."""

    def __init__(self):
        super().__init__()
        self.words = torch.nn.Embedding(50, 32)
        self.positions = torch.nn.Embedding(20, 32)

    def forward(self, input_ids):
        mask = input_ids.ne(1).int()
        position_ids = torch.cumsum(mask, dim=1) * mask + 1
        return self.words(input_ids) + self.positions(position_ids)


class IdsOnly(torch.nn.Module):
    """A root with integer inputs only, whose one tensor of its own (a buffer) is read by torch on host: nothing
    on the device to take the device from."""

    def __init__(self):
        super().__init__()
        self.embeddings = PositionEmbeddings()
        self.register_buffer("shift", torch.tensor([0, 1]), persistent=False)

    def forward(self, input_ids, attention_mask):
        keep = attention_mask[:, :, None].to(torch.float32)
        return self.embeddings(input_ids) * keep * self.shift[1:].to(torch.float32)


def test_a_root_with_only_host_inputs_takes_the_device_as_a_keyword(device):
    ids = torch.randint(2, 50, (2, 8), generator=torch.Generator().manual_seed(0))
    ids[1, 6:] = 1
    mask = (ids != 1).long()
    lowered, checks, _ = lower_and_verify(IdsOnly(), {"input_ids": ids, "attention_mask": mask}, device)
    assert all(c.passed for c in checks), report(checks)
    namespace = load(lowered)
    # every upload reads only the model's inputs and buffers: the prepare functions make them, and take the device
    assert "device" not in inspect.signature(namespace.ids_only).parameters
    assert inspect.signature(namespace.prepare_inputs).parameters["device"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "device" not in inspect.signature(namespace.position_embeddings).parameters
    assert "prepare_position_embeddings_inputs(" in lowered.top.source
