"""Build one function body: order, dead code, inlining of single-use values, names, child calls, loops."""

from __future__ import annotations

from torch import fx

from ..capture.bind import is_symbolic
from ..capture.identity import view_base
from ..capture.record import written
from .arguments import Arguments
from .builder import Body, FunctionBuilder, GenerationError, Item, op_name, parameter_expression
from .expr import Expr
from .naming import Names, snake, targets
from .ops import OPS
from .statements import Call, Statement, call_text, reroll
from .structure import rebuild


def build_body(builder: FunctionBuilder, kinds) -> Body:
    items = builder.collect()
    reads = [reads_of(builder, item) for item in items]
    outputs = [builder.resolve(n) for _, n in builder.owner.outputs if n is not None]
    live = live_items(builder, items, reads, outputs)
    items = [item for item, keep in zip(items, live) if keep]
    reads = [r for r, keep in zip(reads, live) if keep]
    inlined = _inlined(items, reads, outputs)
    last_use = _last_use(items, reads, inlined, outputs)
    params = _params(builder.owner)
    names = Names(set(builder.context.function_names))
    for expr, node in builder.owner.inputs:
        names.hold(expr.split("[", 1)[0], last_use.get(node, -1))
    statements = []
    for position, item in enumerate(items):
        if item.call is not None:
            statements.append(_call_statement(builder, item, position, names, last_use, kinds))
            continue
        expr = expression(builder, item.node)
        if item.node in inlined:
            builder.exprs[item.node] = expr
            continue
        if item.node not in last_use and written(item.node):  # an in-place write nothing reads by this name
            statements.append(Statement([], expr.text))
            continue
        name = names.assign(wanted_name(builder, items, position), position, last_use.get(item.node, position))
        builder.exprs[item.node] = Expr(name)
        statements.append(Statement([name], expr.text))
    returns = [builder.ref(n).text for _, n in builder.owner.outputs if n is not None]
    for name in builder.prelude:
        if name in names.live_until:
            raise GenerationError(f"{builder.where()}: size name {name} clashes with a variable")
    prelude = [Statement([name], text) for name, text in builder.prelude.items()]
    taken = builder.context.function_names | set(names.live_until) | set(params)
    statements = reroll(prelude + statements, builder.context.list_lengths(builder.owner), taken)
    return Body(params, dict(builder.kwargs), statements, returns, builder.uses_parameters)


def _params(owner) -> list[str]:
    order = list(owner.record.arguments) if owner.record is not None else []
    names = []
    for expr, _ in owner.inputs:
        base = expr.split("[", 1)[0]
        if base not in names:
            names.append(base)
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


def reads_of(builder, item: Item) -> list[fx.Node]:
    nodes = [n for _, n in item.call.inputs] if item.call is not None else item.node.all_input_nodes
    resolved = (builder.resolve(n) for n in nodes)
    return [n for n in resolved if (n.op != "get_attr" or n in builder.inputs) and not is_symbolic(n)]


def _produced(builder, item: Item) -> list[fx.Node]:
    if item.call is None:
        return [item.node]
    return [builder.resolve(n) for _, n in item.call.outputs if n is not None]


def live_items(builder, items, reads, outputs) -> list[bool]:
    """Items whose values are needed, and in-place writes into a tensor read later (BART's shift_tokens_right
    fills `shifted[:, 1:]`, a view of the tensor it returns)."""
    needed = set(outputs)
    bases = {view_base(n) for n in needed}
    live = [False] * len(items)
    for i in range(len(items) - 1, -1, -1):
        writes = written(items[i].node) if items[i].node is not None else []
        if any(n in needed for n in _produced(builder, items[i])) or any(view_base(n) in bases for n in writes):
            live[i] = True
            needed.update(reads[i])
            bases.update(view_base(n) for n in reads[i])
    return live


def _inlined(items, reads, outputs) -> set[fx.Node]:
    """Values used once, by the next op on the same source line, are written inside that op's expression."""
    users: dict[fx.Node, list[int]] = {}
    for i, nodes in enumerate(reads):
        for n in nodes:
            users.setdefault(n, []).append(i)
    inlined = set()
    for item in items:
        if item.node is None or item.node in outputs or item.line is None:
            continue
        use = users.get(item.node, [])
        if len(use) == 1 and items[use[0]].line == item.line and items[use[0]].node is not None:
            inlined.add(item.node)
    return inlined


def _last_use(items, reads, inlined, outputs) -> dict:
    """Statement position of each value's last read (inlined values are read where their user is written)."""
    where: dict[fx.Node, int] = {}
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if item.node in inlined:
            where[item.node] = _materialised(items, reads, where, item.node)
    last = {}
    for i, nodes in enumerate(reads):
        position = where.get(items[i].node, i) if items[i].node is not None else i
        for n in nodes:
            last[n] = max(last.get(n, -1), position)
    for n in outputs:
        last[n] = len(items)
    return last


def _materialised(items, reads, where, node) -> int:
    for i, nodes in enumerate(reads):
        if node in nodes:
            return where.get(items[i].node, i)
    return len(items)


def expression(builder, node: fx.Node) -> Expr:
    emitter = OPS.get(op_name(node))
    arguments = Arguments(node, builder)
    if node.target.__module__ == "_operator" and op_name(node) == "getitem":
        return Expr(f"{arguments.e(0, 100)}[{node.args[1]!r}]")
    if emitter is None and _in_place(node):
        return _method(builder, node, arguments)
    if emitter is None:
        return _generic(builder, node, arguments)
    expr = emitter(arguments)
    if arguments.unread():  # the readable form would drop an argument: write the exact ATen call instead
        return _generic(builder, node, Arguments(node, builder))
    return expr


def _generic(builder, node, arguments) -> Expr:
    """torch.ops.aten.<op>.<overload>(...): exact for any ATen op without a readable rule."""
    schema = getattr(node.target, "_schema", None)
    if schema is None:
        raise GenerationError(f"{builder.where()}: no rule for {node.target}")
    parts, skipped = [], False
    for argument in schema.arguments:
        placement = argument.name in ("device", "pin_memory", "layout")
        if placement or not (arguments.given(argument.name) or not argument.has_default_value()):
            skipped = True  # what follows goes by keyword: diff(x, prepend=p) is not diff(x, p), which sets n
            continue
        text = arguments.fmt(arguments.raw(argument.name))
        parts.append(f"{argument.name}={text}" if argument.kwarg_only or skipped else text)
    namespace = node.target.namespace
    if namespace != "aten":
        builder.context.imports.add(registering_module(node.target))
    packet = f"torch.ops.{namespace}.{node.target.overloadpacket.__name__}.{node.target._overloadname}"
    return Expr(f"{packet}({', '.join(parts)})")


def registering_module(target) -> str:
    """The Python module whose import defines a custom op (transformers' MoE registers grouped_mm_fallback)."""
    from torch._library import custom_ops  # torch's registry of torch.library.custom_op definitions

    definition = custom_ops.OPDEFS.get(f"{target.namespace}::{target.overloadpacket.__name__}")
    module = getattr(getattr(definition, "_init_fn", None), "__module__", None)
    if module is None:
        raise GenerationError(f"torch.ops.{target.namespace}: no Python module is known to define {target}")
    return module


def _in_place(node) -> bool:
    name = op_name(node)
    return name.endswith("_") and not name.startswith("_") and getattr(node.target, "_schema", None) is not None


def _method(builder, node, arguments) -> Expr:
    """x.add_(y): in-place ops stay in place, so later reads of x see the update as in the model."""
    schema = node.target._schema
    parts, skipped = [], False
    for a in schema.arguments[1:]:
        skipped = skipped or not arguments.given(a.name)
        if arguments.given(a.name):
            text = arguments.fmt(arguments.raw(a.name))
            parts.append(f"{a.name}={text}" if a.kwarg_only or skipped else text)
    return Expr(f"{arguments.e(schema.arguments[0].name, 100)}.{op_name(node)}({', '.join(parts)})")


def wanted_name(builder, items, position) -> str:
    """Name for a value: the source line's assignment target, else the inline module's name, else the op's."""
    item = items[position]
    names = targets(item.code)
    if op_name(item.node) == "getitem":  # a, b, c = x.split(...): each item takes its target
        index = item.node.args[1]
        return names[index] if len(names) > 1 and index < len(names) else f"{op_name(item.node.args[0])}_{index}"
    later_same_line = any(other.line == item.line for other in items[position + 1 :] if other.line is not None)
    if len(names) == 1 and not later_same_line:
        return names[0]
    stack = list((item.node.meta.get("nn_module_stack") or {}).values())
    if stack and builder.context.is_builtin_path(stack[-1][0]) and stack[-1][0] != builder.owner.path:
        path = stack[-1][0].split("@")[0]
        return snake(path[len(builder.owner.path) :].lstrip(".") if builder.owner.path else path)
    return op_name(item.node).strip("_")


def _call_statement(builder, item: Item, position, names: Names, last_use, kinds) -> Statement:
    child = item.call
    kind = kinds[child.key]
    args = [_argument(builder, child, name) for name in kind.params]
    keywords = []
    for name, value in kind.kwargs_of(child).items():
        if builder.kwargs.get(name, value) == value:
            builder.kwargs[name] = value
            keywords.append(f"{name}={name}")
        else:
            keywords.append(f"{name}={value!r}")
    relative = child.relative_path(builder.owner)
    parameters = parameter_expression(relative) if kind.uses_parameters else None
    builder.uses_parameters |= kind.uses_parameters
    call = Call(relative, kind.name, args, keywords, parameters)
    wanted = targets(item.code)
    returned = [builder.resolve(n) for _, n in child.outputs if n is not None]
    leaf_paths = [p for p, n in child.outputs if n is not None]
    result = []
    for index, node in enumerate(returned):
        if last_use.get(node, -1) < position:
            result.append("_")
            continue
        name = output_name(wanted, leaf_paths[index], child, len(returned))
        name = names.assign(name, position, last_use[node])
        builder.exprs[node] = Expr(name)
        result.append(name)
    if result and all(r == "_" for r in result):
        result = []
    return Statement(result, call_text(call, parameters), call=call)


def output_name(wanted: list[str], path: tuple, child, count: int) -> str:
    if len(wanted) == count == 1:
        return wanted[0]
    if path and isinstance(path[0], int) and len(wanted) > path[0] and len(wanted) > 1:
        return wanted[path[0]]
    if path and isinstance(path[-1], str):
        return path[-1]
    if len(wanted) == 1:
        return f"{wanted[0]}_{path[0] if path else 0}"
    return f"{snake(child.name)}_output"


def _argument(builder, child, name: str) -> str:
    mine = [(expr, node) for expr, node in child.inputs if expr.split("[", 1)[0] == name]
    parts = [(expr[len(name) :], builder.ref(node).text) for expr, node in mine]
    text = rebuild(parts, child.record.arguments.get(name) if child.record else None)
    if text is None:
        raise GenerationError(f"{builder.where()}: cannot rebuild argument {name!r} of {child.path} from {parts}")
    return text
