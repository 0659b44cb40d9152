"""ttnn.dot_access: a dict whose keys read as attributes (tt-metal's model configs use it, e.g. BERT's
update_model_config). Behaviour as real ttnn 0.81.1's module (read from the installed wheel)."""

from __future__ import annotations


class DotAccessDict(dict):
    __getattr__ = dict.__getitem__
    __delattr__ = dict.__delitem__


def make_dot_access_dict(dictionary, *, ignore_types=None) -> DotAccessDict:
    """`dictionary` with every nested dict (not of `ignore_types`) turned into a DotAccessDict."""
    if isinstance(dictionary, DotAccessDict):
        return dictionary
    if ignore_types is not None and isinstance(dictionary, ignore_types):
        return dictionary
    converted = {
        key: make_dot_access_dict(value, ignore_types=ignore_types) if isinstance(value, dict) else value
        for key, value in dictionary.items()
    }
    return DotAccessDict(converted)
