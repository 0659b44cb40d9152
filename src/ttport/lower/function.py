"""One module call -> its TTNN function: items in order, each op placed (device rule, alias, or torch on host),
fusions applied, conversions between forms inserted, then names, deallocations and text (emit.py)."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import torch
from torch import fx

from ..capture.bind import is_symbolic
from ..capture.tree import ModuleCall
from ..codegen.body import expression, live_items, reads_of
from ..codegen.builder import FunctionBuilder, Item, parameter_expression
from ..codegen.expr import Expr, literal
from ..codegen.statements import Statement
from ..ported import Fallback, InputSpec
from .attributes import attribute_steps, place_attributes
from .channels_last import layout_comment, returned_form, take_channels_last
from .errors import LoweringError, internal
from .fusions import FUSIONS
from .graph import arguments, is_float, meta, op_name, same_shape
from .render import Render, size_text
from .rules import IDENTITY_WHEN, RESHAPES, RULES
from .rules_conv import NHWC, TO_NCHW, read_channels_last, stays_channels_last
from .steps import DEVICE_FORMS, Step

# Ops that only move a value unchanged when input and output shapes are equal.
SHAPE_IDENTITY = set(RESHAPES) | {"expand", "contiguous"}


class _Builder(FunctionBuilder):
    """The reference's function builder, reading values through the names the lowering chose."""

    def __init__(self, owner, context, lowering):
        super().__init__(owner, context)
        self.current: dict[fx.Node, str] = {}
        self.lowering = lowering

    def attribute(self, node: fx.Node, transposed_ok: bool = False) -> str:
        """A parameter read by torch code on host: kept as a torch tensor (Linear weights pre-transposed)."""
        relative = self.context.relative_attribute(node.target, self.owner.path)
        if relative is not None:
            self.lowering.record(relative, "host")
        return super().attribute(node, transposed_ok)

    def held_dim(self, node: fx.Node, dim: int) -> int:
        """A channels-last argument holds NCHW dim d at (0, 3, 1, 2)[d] of [N, H, W, C]."""
        return TO_NCHW[dim] if self.lowering.form.get(node) == NHWC else dim

    def ref(self, node: fx.Node) -> Expr:
        resolved = self.lowering.resolve(node)  # through the lowering's aliases too (an identity reshape on device)
        if resolved in self.current:
            return Expr(self.current[resolved])
        return super().ref(resolved)


@dataclass
class LoweredCall:
    """One call lowered: enough for its caller (input and output forms) and for the kind's port."""

    kind: str
    steps: list[Step]
    inputs: list[InputSpec]
    params: list[str]
    kwargs: dict
    output_keys: list
    output_fresh: list[bool]
    fallbacks: list[Fallback] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    preparations: dict = field(default_factory=dict)  # (module path, attribute) -> preparation
    fused: dict = field(default_factory=dict)  # module path -> (fusion name, details) for parameters.py
    convs: dict = field(default_factory=dict)  # conv weight path -> its geometry, for parameters.py (rules_conv.py)
    output_names: list[str] = field(default_factory=list)
    inline: bool = False  # an activation wrapper: callers emit its op in place of the call
    uses_parameters: bool = False
    takes_device: bool = False  # no device tensor to take the device from: a `device` keyword (tt-metal's way)
    preparation: str = ""  # prepare_inputs(<inputs>, *, device) -> this function's arguments (prepare.py), or ""
    prepare_name: str = ""  # that function's name: prepare_inputs for the model, prepare_<kind>_inputs below it
    prepare_params: list[str] = field(default_factory=list)  # what it takes: the module's inputs
    prepared: list[tuple[str, str]] = field(default_factory=list)  # (name, form) of the arguments it makes
    text: str = ""
    peak_bytes: int = 0

    @property
    def output_forms(self) -> list[str]:
        return [form for _, form in self.output_keys]


class Lowering:
    def __init__(self, call: ModuleCall, context, ports: dict, kind_name: str, *, l1: bool):
        self.call, self.context, self.ports, self.kind_name, self.l1 = call, context, ports, kind_name, l1
        self.builder = _Builder(call, context, self)
        self.form: dict[fx.Node, str] = {}  # node -> native form
        self.alias: dict[fx.Node, fx.Node] = {}  # node -> node whose value it is (no op)
        self.fallback_reason: dict[fx.Node, str] = {}
        self.preparations: dict = {}
        self.fused: dict = {}
        self.convs: dict = {}  # conv weight path -> geometry (rules_conv._record)
        self.claimed: dict[fx.Node, object] = {}  # node -> the fusion match that replaces it
        self.attributes: dict[fx.Node, str] = {}  # tensor attribute read as a value -> its form (attributes.py)
        self.steps: list[Step] = []
        self.at = None  # the node, child call or step being worked on (for error messages)
        self.nchw_only = False  # take no argument channels-last (channels_last.take_channels_last)

    # -- items ------------------------------------------------------------------------------------------------------
    def collect(self) -> None:
        items = []
        for item in self.builder.collect():
            port = self.ports.get(item.call.key) if item.call is not None else None
            if port is not None and port.inline:
                child = FunctionBuilder(item.call, self.context)
                items += child.collect()
                self.builder.aliases.update(child.aliases)
            else:
                items.append(item)
        self.outputs = [self.resolve(n) for _, n in self.call.outputs if n is not None]
        reads = [reads_of(self.builder, item) for item in items]
        live = live_items(self.builder, items, reads, self.outputs)
        self.items: list[Item] = [item for item, keep in zip(items, live) if keep]
        self.reads = [r for r, keep in zip(reads, live) if keep]
        self.users: dict[fx.Node, list[Item]] = {}
        for item, nodes in zip(self.items, self.reads):
            for node in nodes:
                self.users.setdefault(node, []).append(item)
        self.inputs = {self.resolve(node): expr for expr, node in self.call.inputs}

    def resolve(self, node: fx.Node) -> fx.Node:
        node = self.builder.resolve(node)
        while node in self.alias:
            node = self.builder.resolve(self.alias[node])
        return node

    def where(self) -> str:
        return f"{self.call.path or '<root>'} ({self.call.cls.__name__})"

    # -- placement ----------------------------------------------------------------------------------------------------
    def place_inputs(self) -> None:
        for node in self.inputs:
            self.form[node] = self.input_form(node)

    def place_items(self) -> None:
        """Each item's form, in order (again from scratch when tensor attributes have taken forms)."""
        self.form = {node: form for node, form in self.form.items() if node in self.inputs or node in self.attributes}
        self.alias, self.fallback_reason = {}, {}
        for item in self.items:
            self.at = item.node if item.node is not None else item.call
            if item.node is not None:
                self.place(item.node)
            else:
                self.place_call(item.call)

    def input_form(self, node: fx.Node) -> str:
        value = meta(node)
        if value is not None and value.is_floating_point():
            return "tile"
        return "ids" if self.wants_ids(node) else "host"

    def wants_ids(self, node: fx.Node) -> bool:
        """An integer tensor whose every use is an embedding's indices (directly, through reshapes or callees)."""
        users = self.users.get(node, [])
        if not users:
            return False
        for item in users:
            if item.call is not None:
                port = self.ports[item.call.key]
                forms = [self.leaf_form(port, expr) for expr, n in item.call.inputs if self.resolve(n) is node]
                if not forms or any(f != "ids" for f in forms):
                    return False
            elif op_name(item.node) == "embedding":
                if arguments(item.node).get("indices") is not node:
                    return False
            elif op_name(item.node) in RESHAPES:
                if not self.wants_ids(item.node):
                    return False
            else:
                return False
        return True

    @staticmethod
    def leaf_form(port: LoweredCall, expr: str) -> str:
        base = expr.split("[", 1)[0]
        spec = next((s for s in port.inputs if s.name == base), None)
        forms = {"activation": "tile", "mask": "tile", "ids": "ids", "nhwc": NHWC}
        return forms.get(spec.kind if spec else "host", "host")

    def sources(self, node: fx.Node) -> list[fx.Node]:
        """The tensors an op reads (identities read through), sizes and parameters read in place left out."""
        resolved = (self.resolve(v) for v in node.all_input_nodes)
        return [v for v in resolved if not self.is_parameter(v) and not is_symbolic(v)]

    def place(self, node: fx.Node) -> None:
        op = op_name(node)
        values = arguments(node)
        sources = self.sources(node)
        # a fallback's result goes back to the device for the ops after it
        on_device = any(self.form.get(s) in DEVICE_FORMS or s in self.fallback_reason for s in sources)
        if op == "getitem":
            self.form[node] = self.item_form(sources[0], node.args[1])
            return
        if on_device and self._is_identity(node, op, sources):
            self.alias[node] = sources[0]
            return
        rule = RULES.get(op)
        weighted = rule is not None and any(self.is_parameter(values.get(a)) for a in rule.weights)
        # a bool or integer result stays a torch tensor (the device form is bfloat16), unless it stays ids
        kept = rule is not None and (
            rule.keeps_form or is_float(node) or meta(node) is None or _bool_kept(rule, node) or _integer_kept(rule)
        )
        if kept and (on_device or (weighted and self.device_weight_slot(rule, values))):
            reason = rule.when(node, self) if rule.when else None
            if reason is None:
                first = self.form.get(sources[0], "tile") if sources else "tile"
                keeps = rule.keeps_form and first in DEVICE_FORMS and first != NHWC  # a reshape leaves NHWC
                self.form[node] = first if keeps else rule.output_form
                if stays_channels_last(node, op, [self.form.get(s) for s in sources]):
                    self.form[node] = NHWC
                return
            self.fallback_reason[node] = reason
        elif on_device:
            self.fallback_reason[node] = "no TTNN rule"
        self.form[node] = "host"

    def item_form(self, source: fx.Node, index) -> str:
        """The form of item `index` of a tuple value: its rule's item_forms when the op ran on device."""
        form = self.form.get(source, "host")
        rule = RULES.get(op_name(source)) if source.op == "call_function" else None
        if form in DEVICE_FORMS and rule is not None and rule.item_forms and isinstance(index, int):
            return rule.item_forms[index]
        return form

    def place_call(self, child: ModuleCall) -> None:
        port = self.ports[child.key]
        returned = [self.resolve(node) for _, node in child.outputs if node is not None]
        for node, form in zip(returned, port.output_forms):
            self.form.setdefault(node, form)

    def device_weight_slot(self, rule, values) -> bool:
        return any(a in ("weight", "mat2") and self.is_parameter(values.get(a)) for a in rule.weights)

    def _is_identity(self, node, op, sources) -> bool:
        if op in SHAPE_IDENTITY and sources and same_shape(node, sources[0]):
            return True
        when = IDENTITY_WHEN.get(op)
        return when is not None and when(node, self) is None and self.form.get(sources[0]) == "tile"

    # -- parameters ---------------------------------------------------------------------------------------------------
    def is_parameter(self, value) -> bool:
        """A tensor attribute read in place as `parameters.<name>` (not an argument, not a value: attributes.py)."""
        return (
            isinstance(value, fx.Node)
            and value.op == "get_attr"
            and value not in self.inputs
            and value not in self.attributes
        )

    def is_own_parameter(self, value) -> bool:
        """A parameter or buffer of this module or its children read in place (not a captured constant)."""
        relative = self.context.relative_attribute(value.target, self.call.path) if self.is_parameter(value) else None
        return relative is not None

    def is_linear_parameter(self, node: fx.Node) -> bool:
        relative = self.context.relative_attribute(node.target, self.call.path)
        return relative is not None and self.context.is_linear_weight(self.call.path, relative)

    def parameter_text(self, node: fx.Node, preparation: str) -> str:
        relative = self.context.relative_attribute(node.target, self.call.path)
        if relative is None:
            raise LoweringError(
                f"{self.where()}: constant {node.target} is not a parameter of this module; lowering cannot "
                "place it on device (make it a parameter or buffer of the module)"
            )
        self.builder.uses_parameters = True
        self.record(relative, preparation)
        return parameter_expression(relative)

    def parameter_expression(self, relative: str) -> str:
        """parameters.<relative> for a tensor a fusion prepares itself (parameters.py writes it)."""
        self.builder.uses_parameters = True
        return parameter_expression(relative)

    def record(self, relative: str, preparation: str) -> None:
        full = f"{self.call.path}.{relative}" if self.call.path else relative
        module, _, attribute = full.rpartition(".")
        previous = self.preparations.setdefault((module, attribute), preparation)
        if previous != preparation:
            raise LoweringError(
                f"{self.where()}: parameter {full} is read as {previous} and as {preparation}; one tensor cannot be "
                "prepared both ways (copy the parameter in the model, or add a fusion rule)"
            )

    # -- text helpers used by rules ----------------------------------------------------------------------------------
    def tensor_text(self, value, form: str, preparation: str) -> str:
        if isinstance(value, fx.Node):
            value = self.resolve(value)
        if self.is_parameter(value):
            return self.parameter_text(value, preparation)
        if not isinstance(value, fx.Node):
            return self.literal(value)
        return self.name_of((self.resolve(value), form))

    def literal(self, value) -> str:
        """A constant as source; ints and floats take a configuration name when one matches."""
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        at = self.at.outputs[0][0] if isinstance(self.at, Step) and self.at.outputs else self.at
        named = self.builder.config_name(value, at if isinstance(at, fx.Node) else None)
        return named or literal(value)

    def size_text(self, size) -> str:
        return size_text(self, size)

    def offset_text(self, size, offset) -> str:
        if offset is None:
            return self.size_text(size)
        if isinstance(offset, fx.Node):  # a run-time size (x[:, :sequence_length]), by its size name
            return self.builder.value(offset).text
        if offset >= 0:
            return str(offset)
        if isinstance(size, int):
            return str(size + offset)
        return f"{self.size_text(size)} - {-offset}"

    def name_of(self, key) -> str:
        return self.names[key]

    # -- steps --------------------------------------------------------------------------------------------------------
    def build_steps(self) -> None:
        self.steps += attribute_steps(self)
        for position, item in enumerate(self.items):
            self.at = item.node if item.call is None else item.call
            if item.call is not None:
                self.steps += self.call_steps(item)
                continue
            node = item.node
            if node in self.claimed:
                match = self.claimed[node]
                if match.anchor is node:
                    self.steps += match.steps(self)
                continue
            if node in self.alias or is_symbolic(node):
                continue
            self.steps += self.op_steps(node, position)

    def op_steps(self, node: fx.Node, position: int) -> list[Step]:
        """The op's step, after the step making the ids it reads (Rule.ids) when it has one."""
        step = self.op_step(node, position)
        rule = RULES.get(op_name(node))
        if self.form[node] == "host" or rule is None or rule.ids is None:
            return [step]
        key, host = (node, "ids"), [read for read in step.reads if read[1] == "host"]
        ids = Step([key], host, lambda: rule.ids(Render(self, node, rule)), device_ops=("ttnn.from_torch",))
        ids.suffix = "ids"
        step.reads = [read for read in step.reads if read not in host] + [key]
        return [ids, step]

    def op_step(self, node: fx.Node, position: int) -> Step:
        form = self.form[node]
        sources = self.sources(node)
        op = op_name(node)
        if form == "host":
            reads = [(s, "host") for s in sources]
            comment = ""
            if node in self.fallback_reason:
                comment = (
                    f"fallback: aten.{op} runs in torch on host ({self.fallback_reason[node]}); "
                    "ttnn.to_torch -> torch -> ttnn.from_torch"
                )
                comment = "\n".join(textwrap.wrap(comment, 110))  # one comment line per 110 columns
            return Step([(node, "host")], reads, lambda: expression(self.builder, node).text, comment)
        if op == "getitem":
            parent = (sources[0], self.form[sources[0]])
            return Step([(node, form)], [parent], lambda: f"{self.name_of(parent)}[{node.args[1]}]")
        rule = RULES[op]
        reads = [(s, self.read_form(node, self.argument_of(node, s), rule)) for s in sources]
        step = Step([(node, form)], reads, lambda: rule.render(Render(self, node, rule)), device_ops=(rule.call,))
        if rule.alias and sources:
            step.shares = {(node, form): (sources[0], form)}
        return step

    def read_form(self, node: fx.Node, argument: str, rule) -> str:
        """The form `node` reads `argument` in: its rule's, channels-last where the op computes the same on it
        (rules_conv.read_channels_last), else tile."""
        if argument in rule.forms:
            return rule.forms[argument]
        value = arguments(node).get(argument)
        source = self.resolve(value) if isinstance(value, fx.Node) else None
        if read_channels_last(node, self.form.get(node), source, self.form.get(source)):
            return NHWC
        return "tile"

    def argument_of(self, node: fx.Node, source: fx.Node) -> str:
        """The argument of `node` that reads `source` (read through identities: `0 + x` is x)."""
        for name, value in arguments(node).items():
            for item in value if isinstance(value, (list, tuple)) else [value]:  # a list of tensors (index's)
                if isinstance(item, fx.Node) and not self.is_parameter(item) and self.resolve(item) is source:
                    return name
        return ""

    def call_steps(self, item: Item) -> list[Step]:
        from .calls import child_call_steps

        return child_call_steps(self, item)

    def run_fusions(self) -> None:
        mine = {item.node for item in self.items if item.node is not None}
        for fusion in FUSIONS:
            forms = getattr(fusion, "FORMS", DEVICE_FORMS)
            for item in self.items:
                node = self.at = item.node
                if node is None or node in self.claimed or self.form.get(node) not in forms:
                    continue
                match = fusion.match(node, self)
                if match is not None and match.nodes <= mine and not (match.nodes & set(self.claimed)):
                    for claimed in match.nodes:
                        self.claimed[claimed] = match

    def fallbacks(self) -> list[Fallback]:
        found = []
        for node, reason in self.fallback_reason.items():
            if self.form.get(node) == "host" and node not in self.claimed:
                found.append(Fallback(f"aten.{op_name(node)}.{node.target._overloadname}", self.kind_name, reason))
        return found


def _bool_kept(rule, node: fx.Node) -> bool:
    """A bool result of a rule that holds it on device (comparisons, logical ops: 1.0 / 0.0)."""
    value = meta(node)
    return rule.bool_result and value is not None and value.dtype == torch.bool


def _integer_kept(rule) -> bool:
    """A rule whose result is integer positions held on device (argmax: uint32 ids)."""
    return rule.output_form in ("ids", "index")


def lower_call(call: ModuleCall, context, ports: dict, kind_name: str, *, l1: bool) -> LoweredCall:
    """Plan, fuse, name and render one call's TTNN function; any failure is a LoweringError naming the op."""
    lowering = Lowering(call, context, ports, kind_name, l1=l1)
    try:
        lowered = _lower(lowering, call, kind_name)
        if lowered.preparation and NHWC in [spec.kind for spec in lowered.inputs]:
            # its prepare function joins the model's prepare_inputs, which runs before any device op (a permute):
            # it takes its arguments as torch holds them (ViT's embeddings: cls tokens expanded by the batch size)
            lowering = Lowering(call, context, ports, kind_name, l1=l1)
            lowering.nchw_only = True
            lowered = _lower(lowering, call, kind_name)
        return lowered
    except LoweringError:
        raise
    except Exception as exc:  # a construct no rule foresaw: name the module and the op instead of a bare KeyError
        raise internal(lowering.where(), lowering.at, exc) from exc


def _lower(lowering: Lowering, call: ModuleCall, kind_name: str) -> LoweredCall:
    from . import emit, prepare

    lowering.child_kinds = []
    lowering.takes_device = False
    lowering.collect()
    lowering.place_inputs()
    lowering.place_items()
    if place_attributes(lowering):  # a tensor attribute now on device: its host readers may run there too
        lowering.place_items()
    take_channels_last(lowering)  # arguments that save permutes taken channels-last (channels_last.py)
    lowering.wanted = emit.Wanted(lowering)
    lowering.run_fusions()
    lowering.input_keys = [(node, lowering.form[node]) for node in lowering.inputs]
    lowering.params = _params(call, lowering.inputs)
    lowering.build_steps()
    lowering.at = None
    # channels-last values leave a function below the model as they are; the model returns NCHW
    lowering.output_keys = [
        (n, returned_form(lowering.form.get(n, "host"), not call.path)) for n in map(lowering.resolve, lowering.outputs)
    ]
    emit.insert_conversions(lowering)
    plan = emit.Plan(lowering)
    emit.assign_names(lowering, plan)
    moved = prepare.hoisted(lowering, plan)
    prepare.separate_exports(lowering, moved)
    body = emit.render(lowering, plan, only=set(moved)) if moved else []
    returned = [lowering.names[key] for key in prepare.exports(lowering, moved)]
    prepare.rename_exports(lowering, moved)  # the forward's argument is "attention_mask", not "..._device"
    statements = emit.render(lowering, plan, skip=moved)
    kept_steps = [s for i, s in enumerate(lowering.steps) if i not in moved]
    statements = _prelude(lowering, statements, kept_steps) + statements
    statements = emit.loops(lowering, statements)
    specs, params = _input_specs(lowering), list(lowering.params)  # what the module is called with
    name = prepare.prepare_name(kind_name, not call.path)
    preparation = _preparation(lowering, name, moved, body, returned, statements) if moved else ""
    output_fresh = [_fresh(lowering, plan, key) for key in lowering.output_keys]
    result = LoweredCall(
        kind=kind_name,
        steps=lowering.steps,
        inputs=specs,
        params=params,
        kwargs=dict(lowering.builder.kwargs),
        output_keys=lowering.output_keys,
        output_fresh=output_fresh,
        fallbacks=lowering.fallbacks(),
        calls=list(dict.fromkeys(lowering.child_kinds)),
        preparations=lowering.preparations,
        fused=lowering.fused,
        convs=lowering.convs,
        uses_parameters=lowering.builder.uses_parameters,
        takes_device=lowering.takes_device,
    )
    result.inline = _is_activation(lowering)
    result.output_names = [lowering.names[k].split("[", 1)[0] for k in lowering.output_keys]
    result.preparation = preparation
    if preparation:
        result.prepare_name, result.prepare_params = name, params
        result.params = list(lowering.params)  # what its function takes: the inputs still read, the prepared
        result.prepared = [(lowering.names[key], key[1]) for key in prepare.exports(lowering, moved)]
    result.text = _function_text(lowering, statements, kind_name)
    result.peak_bytes = emit.peak_bytes(lowering, plan)
    return result


def _params(call: ModuleCall, inputs: dict) -> list[str]:
    order = list(call.record.arguments) if call.record is not None else []
    names = []
    for expr in inputs.values():
        base = expr.split("[", 1)[0]
        if base not in names:
            names.append(base)
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


SPEC_OF_FORM = {"tile": "activation", "ids": "ids", "host": "host", NHWC: "nhwc"}


def _input_specs(lowering: Lowering) -> list[InputSpec]:
    specs = []
    for name in lowering.params:
        forms = [lowering.form[n] for n, expr in lowering.inputs.items() if expr.split("[", 1)[0] == name]
        kind = SPEC_OF_FORM[forms[0]] if forms else "host"
        if kind == "activation" and "mask" in name:
            kind = "mask"
        specs.append(InputSpec(name, kind))
    return specs


def _fresh(lowering: Lowering, plan, key) -> bool:
    """An output in a buffer of its own (not an input passed through, nor a view of one)."""
    if key[1] not in DEVICE_FORMS:
        return False
    root = plan.root(key)
    step_fresh = all(s.fresh.get(k, True) for s in lowering.steps for k in s.outputs if k == key)
    return root not in lowering.input_keys and key not in lowering.input_keys and step_fresh


def _is_activation(lowering: Lowering) -> bool:
    """A wrapper module whose function is one element-wise device op on its one input (GELUActivation, SiLU)."""
    ops = [s for s in lowering.steps if s.device_ops]
    return (
        len(lowering.steps) == 1
        and len(ops) == 1
        and ops[0].call is None
        and len(lowering.inputs) == 1
        and not lowering.builder.uses_parameters
        and ops[0].device_ops[0] in ACTIVATIONS
    )


ACTIVATIONS = {"ttnn.gelu", "ttnn.relu", "ttnn.silu", "ttnn.tanh", "ttnn.sigmoid"}


def _preparation(lowering: Lowering, name: str, moved: list[int], body, returned: list[str], statements) -> str:
    """prepare_inputs' text; the function's parameters become what it returns (the inputs still read, then the
    prepared values)."""
    from . import prepare

    sizes = [Statement([name], text) for name, text in lowering.builder.prelude.items()]
    root_text = "\n".join(line for statement in statements for line in statement.lines())
    root_text += "\n" + " ".join(lowering.names[key] for key in lowering.output_keys)
    kept = [name for name in lowering.params if re.search(rf"\b{re.escape(name)}\b", root_text)]
    text = prepare.function_text(name, list(lowering.params), body, _kept(sizes, body, []), kept + returned)
    lowering.params = kept + [lowering.names[key] for key in prepare.exports(lowering, moved)]
    return text


def _prelude(lowering: Lowering, statements: list[Statement], steps: list) -> list[Statement]:
    """Sizes and the device read up front, each kept only if something after it reads it (a fused or lowered op
    may no longer need a size the torch code used)."""
    prelude = [Statement([name], text) for name, text in lowering.builder.prelude.items()]
    if _needs_device(lowering, steps):
        source = _device_source(lowering)
        if source is None:  # every input is on host and no parameter is read here: the caller passes the device
            lowering.takes_device = True
        else:
            prelude.append(Statement(["device"], source))
    return _kept(prelude, statements, [lowering.names[key] for key in lowering.output_keys])


def _kept(prelude: list[Statement], statements: list[Statement], returned: list[str]) -> list[Statement]:
    """The prelude statements something after them reads (the statements, the returned names, a later size)."""
    readers = "\n".join(line for statement in statements for line in statement.lines())
    readers += "\n" + " ".join(returned)  # the return line
    kept = []
    for statement in reversed(prelude):
        if re.search(rf"\b{re.escape(statement.targets[0])}\b", readers):
            kept.append(statement)
            readers += "\n" + statement.text
    return kept[::-1]


NEEDS_DEVICE = {"ttnn.from_torch", "ttnn.conv2d", "ttnn.conv1d"}  # calls that take device=device


def _needs_device(lowering: Lowering, steps: list) -> bool:
    """A host value goes to the device here, or a callee takes the device as a keyword."""
    uploads = any(op in NEEDS_DEVICE for s in steps for op in s.device_ops)
    return uploads or any(lowering.ports[s.call_key].takes_device for s in steps if s.call_key)


def _device_source(lowering: Lowering) -> str | None:
    """Where this function takes the device from: a device tensor input, else a device parameter, else None."""
    for node, expr in lowering.inputs.items():
        if lowering.form[node] in DEVICE_FORMS:
            return f"{expr}.device()"
    for (module, attribute), preparation in lowering.preparations.items():
        if preparation != "host":
            relative = f"{module}.{attribute}"[len(lowering.call.path) + 1 if lowering.call.path else 0 :]
            return f"{parameter_expression(relative)}.device()"
    return None


def _function_text(lowering: Lowering, statements: list[Statement], kind_name: str) -> str:
    params = list(lowering.params)
    keywords = ["parameters"] if lowering.builder.uses_parameters else []
    keywords += (["device"] if lowering.takes_device else []) + list(lowering.builder.kwargs)
    if keywords:
        params += ["*"] + keywords
    cls = lowering.call.cls
    lines = [f"# from {cls.__module__} ({cls.__qualname__})"] + _layout_lines(lowering)
    lines.append(f"def {kind_name}({', '.join(params)}):")
    for statement in statements:
        lines += statement.lines()
    returns = ", ".join(lowering.names[k] for k in lowering.output_keys) or "None"
    lines.append(f"    return {returns}")
    return "\n".join(lines) + "\n"


def _layout_lines(lowering: Lowering) -> list[str]:
    """Which arguments it takes and which results it returns channels-last (channels_last.py)."""
    taken = [
        name
        for name in lowering.params
        if any(form == NHWC for (node, form) in lowering.input_keys if lowering.inputs[node].split("[", 1)[0] == name)
    ]
    keys = lowering.output_keys
    returned = [lowering.names[key] for key in keys if key[1] == NHWC]
    return layout_comment(taken, returned, len(returned) == len(keys))
