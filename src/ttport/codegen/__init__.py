"""ttport.codegen: the Python-writing layer the reference and lower generators share (below both).

builder (FunctionBuilder: values, parameters, sizes of one module call), body (order, liveness, inlining, names,
child calls of a function body), arguments / ops / expr (an op node -> readable torch source), naming,
statements (statements and loop re-rolling), context (what all functions of a model share), config_values
(literals -> configuration names), canonical (code equal up to local names), format (ruff format).
"""
