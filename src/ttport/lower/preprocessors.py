"""Which preprocessors tt/parameters.py has: one per module class the TTNN code reads tensors of, preparing each tensor
the way most instances read it, and one per group of instances that read theirs differently (a parent reads a
child's weight directly as a matrix, a projection used once on host). ttnn's preprocess_model_parameters passes the
module's name to custom_preprocessor (tt-metal ttnn/ttnn/model_preprocessing.py, convert_torch_model_to_ttnn_model:
`name=f"{name}.{child_name}"`, starting from `prefix`), so an instance's preprocessor is chosen by its name. Each
tensor is prepared once, in the one form its reader needs."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from dataclasses import dataclass, field

import torch

from ..capture.parametrized import PARAMETRIZATIONS
from ..codegen.naming import snake
from .errors import LoweringError


class ParameterError(LoweringError):
    """One tensor read in two forms by two functions: it is prepared once, so one of them would read it wrong."""


@dataclass
class Preprocessor:
    """One generated preprocessor: for a class (`patterns` empty) or for the instances its name patterns match."""

    cls: type  # the class of the modules it prepares (the first instance's, for the docstring)
    tensors: dict[str, str]  # attribute -> preparation
    fused: tuple | None = None  # (fusion, details) of a fusion that prepares children's tensors together
    optional: set[str] = field(default_factory=set)  # attributes some covered instance lacks (k_proj's bias)
    children: bool = False  # some covered instance has child modules the walk goes on into
    skip: tuple[str, ...] = ()  # children it does not walk (fused ones, a parametrized module's parametrizations)
    patterns: list[str] = field(default_factory=list)  # module name patterns; empty for the class's own
    differs: list[str] = field(default_factory=list)  # attributes read unlike the class's (for the docstring)
    name: str = ""  # the generated function's name
    absent: set[str] = field(default_factory=set)  # optional attributes some instance does not have at all (Cvt's
    # cls_token exists only on the stages that use one): read with getattr


def gather(ports) -> tuple[dict, dict, dict]:
    """The preparations ((module path, attribute) -> preparation), fusions (module path -> spec) and device-prepared
    convs (weight path -> geometry) of every lowered call; a tensor two functions read in different forms is refused
    by name rather than prepared for one of them."""
    preparations, readers, fused, convs = {}, {}, {}, {}
    for port in ports:
        fused.update(port.fused)
        convs.update(port.convs)
        for key, preparation in port.preparations.items():
            previous = preparations.setdefault(key, preparation)
            reader = readers.setdefault(key, port.kind)
            if previous != preparation:
                raise ParameterError(
                    f"{'.'.join(filter(None, key))} is read as {previous} by {reader} and as {preparation} by "
                    f"{port.kind}; each tensor is prepared once, in one form: give one reader its own copy of the "
                    "tensor (a parameter of its own), or report it with this message"
                )
    return preparations, fused, convs


def plan_preprocessors(model: torch.nn.Module, preparations: dict, fused: dict) -> list[Preprocessor]:
    """The preprocessors for `preparations` ((module path, attribute) -> preparation) and `fused` (module path ->
    fusion spec): class preprocessors first, then instance ones, with unique function names."""
    modules = dict(model.named_modules(remove_duplicate=False))
    specs = _specs(modules, preparations, fused)
    paths_of: dict[str, list[str]] = {}
    for path, module in modules.items():
        paths_of.setdefault(type(module).__name__, []).append(path)
    classes, instances = [], []
    for cls_name in dict.fromkeys(type(modules[path]).__name__ for path in specs):
        common = _common([specs.get(path, _EMPTY) for path in paths_of[cls_name]])
        groups = _differing(paths_of[cls_name], specs, common, modules)
        grouped = {path for _, _, paths in groups for path in paths}
        covered = [path for path in paths_of[cls_name] if path not in grouped]
        if covered:
            classes.append(_preprocessor(modules, covered, _read_by(specs, covered, common["fused"]), []))
        for tensors, fusion, paths in groups:
            spec = _read_by(specs, paths, fusion)
            made = _preprocessor(modules, paths, spec, _patterns(paths, set(modules) - set(paths)))
            made.differs = list(tensors) or ["fused children"]
            instances.append(made)
    _name(classes, instances)
    return classes + instances


_EMPTY = {"tensors": {}, "fused": None}


def _specs(modules: dict, preparations: dict, fused: dict) -> dict[str, dict]:
    """Module path -> {"tensors": {attribute: preparation}, "fused": spec or None}, for every module read."""
    specs: dict[str, dict] = {}
    for (path, attribute), preparation in preparations.items():
        if preparation == "host" and isinstance(modules[path], torch.nn.Linear) and attribute == "weight":
            preparation = "host_linear_weight"  # the reference reads Linear weights (in, out)
        specs.setdefault(path, {"tensors": {}, "fused": None})["tensors"][attribute] = preparation
    for path, spec in fused.items():
        specs.setdefault(path, {"tensors": {}, "fused": None})["fused"] = spec
    return specs


def _common(specs: list[dict]) -> dict:
    """Each attribute's most frequent preparation (first seen on a tie), and the most frequent fusion."""
    counts: dict[str, Counter] = {}
    for spec in specs:
        for attribute, preparation in spec["tensors"].items():
            counts.setdefault(attribute, Counter())[preparation] += 1
    fusions = Counter(_fusion_key(spec["fused"]) for spec in specs)
    top = fusions.most_common(1)[0][0]
    return {
        "tensors": {attribute: count.most_common(1)[0][0] for attribute, count in counts.items()},
        "fused": next(spec["fused"] for spec in specs if _fusion_key(spec["fused"]) == top),
    }


def _read_by(specs: dict, paths: list[str], fused) -> dict:
    """The spec of one preprocessor: every tensor the instances at `paths` read (they agree on how)."""
    tensors = {a: p for path in paths for a, p in specs.get(path, _EMPTY)["tensors"].items()}
    return {"tensors": tensors, "fused": fused}


def _differing(paths: list[str], specs: dict, common: dict, modules: dict) -> list[tuple[dict, dict, list[str]]]:
    """(differing tensors, fusion, paths) per group of instances that read the same tensors unlike the class; a
    module shared at several paths is walked (and named) at each of them, so all its paths join its group."""
    groups: dict[tuple, tuple[dict, object, list[str]]] = {}
    for path in paths:
        spec = specs.get(path, _EMPTY)
        tensors = {a: p for a, p in spec["tensors"].items() if common["tensors"][a] != p}
        if tensors or _fusion_key(spec["fused"]) != _fusion_key(common["fused"]):
            key = (tuple(tensors.items()), _fusion_key(spec["fused"]))
            groups.setdefault(key, (tensors, spec["fused"], []))[2].append(path)
    for _, _, members in groups.values():
        ids = {id(modules[p]) for p in members}
        members.extend(p for p in paths if id(modules[p]) in ids and p not in members)
    return list(groups.values())


def _fusion_key(fused) -> str:
    return repr(fused)


def _preprocessor(modules: dict, paths: list[str], spec: dict, patterns: list[str]) -> Preprocessor:
    instances = [modules[path] for path in paths]
    optional = {a for a in spec["tensors"] if any(getattr(m, a, None) is None for m in instances)}
    parametrized = any(PARAMETRIZATIONS in m._modules for m in instances)
    skip = tuple(spec["fused"][1]["children"]) if spec["fused"] is not None else ()
    skip += (PARAMETRIZATIONS,) if parametrized else ()
    children = any(name not in skip for m in instances for name, _ in m.named_children())
    absent = {a for a in optional if any(not hasattr(m, a) for m in instances)}
    return Preprocessor(
        type(instances[0]), dict(spec["tensors"]), spec["fused"], optional, children, skip, patterns, absent=absent
    )


def _patterns(paths: list[str], others: set[str]) -> list[str]:
    """Module name patterns matching exactly `paths`: list indices as `*` where that matches no other module."""
    patterns = []
    for path in paths:
        general = re.sub(r"(?<=\.)\d+(?=\.|$)|^\d+(?=\.|$)", "*", path)
        pattern = general if not any(fnmatch.fnmatchcase(other, general) for other in others) else path
        patterns.append(pattern)
    return list(dict.fromkeys(patterns))


def _attribute_name(patterns: list[str]) -> list[str]:
    """[the instance's attribute name] (dt_proj of layers.*.mixer.dt_proj), or [] (a class's, or a list item)."""
    words = [part for part in (patterns[0].split(".") if patterns else []) if part.isidentifier()]
    return [snake(words[-1])] if words else []


def _name(classes: list[Preprocessor], instances: list[Preprocessor]) -> None:
    taken: set[str] = set()
    for preprocessor in classes + instances:
        base = "_".join([snake(preprocessor.cls.__name__), *_attribute_name(preprocessor.patterns)])
        name, n = f"{base}_parameters", 2
        while name in taken:
            name, n = f"{base}_{n}_parameters", n + 1
        preprocessor.name = name
        taken.add(name)
