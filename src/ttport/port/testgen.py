"""tests/ of a generated project: one test function per kind, one parametrized case per tested module instance.

Each case loads the inputs the module saw in a real forward (tests/data/captured.pt), puts them on the device as
the lowered function takes them, calls it with the model's TTNN parameters at the module's path, and compares
every output with the captured one at the instance's ModuleCheck threshold.
"""

from __future__ import annotations

import pathlib
import textwrap

from ..ported import INPUT_KINDS, KindPort, LoweredModel, ModuleCheck
from .provenance import ModelSource
from .sources import EmitError, docstring, file_stem, groups, signature

TEMPLATES = pathlib.Path(__file__).parent / "templates"
# Used only for an instance verification returned no check for (model.py: ModuleCheck.threshold).
DEFAULT_THRESHOLD, MODEL_THRESHOLD = 0.999, 0.99
_IMPORTED = {"pytest", "assert_outputs_with_pcc", "from_channels_last", "load_case", "subtree", "to_device"}
_TEST_NAMES = {"path", "threshold", "config", "parameters", "device", "record_property", "case", "outputs"}


def tests_stem(lowered: LoweredModel, group: str) -> str:
    return "test_model" if group == lowered.top.group else f"test_{group}"


def helpers_source() -> str:
    return (TEMPLATES / "helpers.py").read_text()


_CONFTEST_DOC = '''"""Fixtures of the generated tests: the torch model (for its weights), its TTNN parameters, a device.

Nothing here imports ttport: `import ttnn` is the real package on a card, or ttport's CPU emulator where its pytest
plugin is installed and there is no card.
"""'''

_CONFTEST_FIXTURES = """

if not TT_METAL:  # in a tt-metal checkout its conftest.py provides `device`

    @pytest.fixture(scope="session")
    def device():
        device = ttnn.open_device(device_id=0)
        yield device
        ttnn.close_device(device)


@pytest.fixture(scope="session")
def torch_model():
    return load_torch_model(MODEL, {arguments})


# tt-metal's `device` fixture (its conftest.py) opens a device per test: parameters on it live as long.
@pytest.fixture(scope="function" if TT_METAL else "session")
def parameters(torch_model, device):
    return create_ttnn_parameters(torch_model, device)
"""


def conftest_source(source: ModelSource, variable: str) -> str:
    """tests/conftest.py: the torch model rebuilt as `source` records (`variable` in the environment overrides it),
    its TTNN parameters, and a device fixture unless tt-metal's conftest provides one."""
    shipped = "package_directory(" in source.default
    helpers = ["TT_METAL", "load_torch_model"] + (["package_directory"] if shipped else [])
    lines = [_CONFTEST_DOC, "", "import os"] + (["import pathlib"] if "PROJECT" in source.default else [])
    lines += ["", "import pytest", "import ttnn", "", "from ..tt.parameters import create_ttnn_parameters"]
    lines += [f"from .helpers import {', '.join(helpers)}", ""]
    if "PROJECT" in source.default:
        lines.append("PROJECT = pathlib.Path(__file__).resolve().parents[1]")
    comment = f"{source.summary} Set {variable} to load another model: {_OVERRIDE}"
    lines += [f"# {line}" for line in textwrap.wrap(comment, 117, break_on_hyphens=False, break_long_words=False)]
    lines.append(f"MODEL = os.environ.get({variable!r}) or {source.default}")
    arguments = ", ".join([repr(source.model_class)] + [f"{name}={value!r}" for name, value in source.options.items()])
    return "\n".join(lines) + "\n" + _CONFTEST_FIXTURES.format(arguments=arguments)


_OVERRIDE = "a local Hugging Face directory or model id, or package.module:factory returning the model."


def generated_tests(lowered: LoweredModel, paths: dict[str, list[str]], checks: list[ModuleCheck]) -> dict[str, str]:
    """tests/test_<group>.py sources; `paths`: kind name -> the module paths of its instances."""
    thresholds = {check.path: check.threshold for check in checks}
    clashes = sorted({kind.name for kind in lowered.kinds} & _IMPORTED)
    if clashes:
        raise EmitError(f"functions named {clashes} would clash with what the generated tests import")
    files = {}
    for group, kinds in groups(lowered).items():
        stem = file_stem(lowered, group)
        prepares = [kind.prepare_name for kind in kinds if kind.prepare_inputs]
        names = ", ".join(sorted(kind.name for kind in kinds) + prepares)
        helpers = ["assert_outputs_with_pcc", "load_case", "subtree", "to_device"]
        if any(NHWC in kind.output_forms for kind in kinds):
            helpers.insert(1, "from_channels_last")
        header = [
            docstring(f"tt/{stem}.py on the inputs each module saw in a real forward of {lowered.model_name}."),
            "",
            "import pytest",
            "",
            f"from ..tt.{stem} import {names}",
            f"from .helpers import {', '.join(helpers)}",
            "",
        ]
        tests = [_test(kind, paths[kind.name], thresholds) for kind in kinds]
        files[f"{tests_stem(lowered, group)}.py"] = "\n".join(header) + "\n" + "\n\n".join(tests)
    return files


def _test(kind: KindPort, paths: list[str], thresholds: dict[str, float]) -> str:
    if not paths:
        raise EmitError(f"no module instance of {kind.name} was captured: nothing to test it on")
    inputs = [spec.name for spec in kind.inputs]
    _check_signature(kind, inputs)
    configs = {path: dict(kind.instances.get(path, kind.config)) for path in paths}
    shared = all(config == kind.config for config in configs.values())
    columns = "path, threshold" if shared else "path, threshold, config"
    cases = [f"({path!r}, {_threshold(path, thresholds)}" for path in paths]
    if not shared:
        cases = [f"{case}, {_literal(configs[path])}" for case, path in zip(cases, paths)]
    lines = ["@pytest.mark.parametrize(", f'    "{columns}",', "    [", *(f"        {case})," for case in cases)]
    lines += ["    ],", ")", f"def test_{kind.name}({columns}, parameters, device, record_property):"]
    lines.append(f"    case = load_case({kind.name!r}, path)")
    lines += _layout_comment(kind)
    for spec in kind.inputs:
        lines.append(f'    {spec.name} = to_device(case["inputs"][{spec.name!r}], {spec.kind!r}, device)')
    arguments = list(inputs)
    if "parameters" in signature(kind).keywords:
        arguments.append("parameters=subtree(parameters, path)")
    if "device" in signature(kind).keywords:
        arguments.append("device=device")
    if shared:
        arguments += [f"{name}={_literal(value)}" for name, value in kind.config.items()]
    else:
        arguments.append("**config")
    if kind.prepare_inputs:  # the inputs go through the generated prepare function (ttport.lower.prepare)
        given = (
            ["parameters=subtree(parameters, path)"]
            if "parameters" in signature(kind, kind.prepare_name).keywords
            else []
        )
        arguments[: len(inputs)] = [f"*{kind.prepare_name}({', '.join(inputs + given + ['device=device'])})"]
    lines.append(f"    outputs = {kind.name}({', '.join(arguments)})")
    channels_last = [index for index, form in enumerate(kind.output_forms) if form == NHWC]
    if channels_last:
        lines.append(f"    outputs = from_channels_last(outputs, {channels_last})")
    lines.append("    assert_outputs_with_pcc(case, outputs, threshold, record_property)")
    return "\n".join(lines) + "\n"


NHWC = "nhwc"  # ported.INPUT_KINDS: channels-last [N, H, W, C] (ttport.lower.channels_last)


def _layout_comment(kind: KindPort) -> list[str]:
    """Where the function takes or returns channels-last values, the test says how it compares them with torch."""
    taken = [spec.name for spec in kind.inputs if spec.kind == NHWC]
    text = ""
    if taken:
        text = f"{kind.name} takes {', '.join(taken)} channels-last (NHWC): to_device permutes the captured NCHW value."
    if NHWC in kind.output_forms:
        text += " It returns channels-last: from_channels_last permutes back to NCHW to compare with the torch module."
    wrapped = textwrap.wrap(text.strip(), 114, break_on_hyphens=False)
    return [f"    # {line}" for line in wrapped]


def _check_signature(kind: KindPort, inputs: list[str]) -> None:
    function = signature(kind)
    takes = signature(kind, kind.prepare_name).positional if kind.prepare_inputs else function.positional
    unknown = [spec.name for spec in kind.inputs if spec.kind not in INPUT_KINDS]
    if unknown:
        raise EmitError(f"{kind.name}: inputs {unknown} have kinds that are not in INPUT_KINDS")
    if takes[: len(inputs)] != inputs:
        raise EmitError(f"{kind.name}: its inputs {inputs} are not the function's first parameters {takes}")
    configured = set(kind.config).union(*(set(c) for c in kind.instances.values()))
    extra = sorted(configured - set(function.keywords))
    if extra:
        raise EmitError(f"{kind.name}: config values {extra} are not keyword arguments of the lowered function")
    clashes = sorted(set(inputs) & _TEST_NAMES)
    if clashes:
        raise EmitError(f"{kind.name}: inputs named {clashes} would shadow the generated test's own variables")


def _threshold(path: str, thresholds: dict[str, float]) -> float:
    if path in thresholds:
        return thresholds[path]
    return MODEL_THRESHOLD if path == "" else DEFAULT_THRESHOLD


def _literal(value) -> str:
    """Python source for a config value (repr, except floats repr cannot spell: inf and nan)."""
    if isinstance(value, float) and value != value:
        return 'float("nan")'
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return f'float("{value}")'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        items = ", ".join(map(_literal, value)) + ("," if isinstance(value, tuple) and len(value) == 1 else "")
        return f"({items})" if isinstance(value, tuple) else f"[{items}]"
    return repr(value)
