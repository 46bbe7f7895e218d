"""helpers.engine: the reference Value against torch (float64), fan-out, deep graphs, bad input,
backward steps, the graph conversion, and agreement with the Value class lesson 03 builds."""
import contextlib
import io
import math
import random
from pathlib import Path

import nbformat
import pytest
import torch

from helpers.engine import (Value, node_names, program_text, random_program, run_program, topological_order,
                            trace_backward, value_graph, zero_grad)

pytestmark = pytest.mark.timeout(300)

LESSON = Path(__file__).resolve().parent.parent / "notebooks" / "03_autograd_engine.ipynb"
X_IN, W_IN, B_IN, Y = [1.5, -0.5, 2.0], [0.4, -0.6, 0.1], -0.3, 1.0


def logistic_grads(cls):
    """Lesson 01's logistic neuron built from `cls` Values: (dL/dw…, dL/db, L)."""
    w = [cls(v) for v in W_IN]
    b = cls(B_IN)
    z = sum((wi * xi for wi, xi in zip(w, X_IN)), b)
    a = z.sigmoid()
    L = -(Y * a.log() + (1 - Y) * (1 - a).log())
    L.backward()
    return [wi.grad for wi in w] + [b.grad, L.data]


def torch_logistic_grads():
    w = torch.tensor(W_IN, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(B_IN, dtype=torch.float64, requires_grad=True)
    a = torch.sigmoid(w @ torch.tensor(X_IN, dtype=torch.float64) + b)
    L = -(Y * torch.log(a) + (1 - Y) * torch.log(1 - a))
    L.backward()
    return w.grad.tolist() + [b.grad.item(), L.item()]


def program_grads(cls_or_tensor, seed):
    rng = random.Random(seed)
    inputs = [rng.uniform(-2, 2) for _ in range(3)]
    if cls_or_tensor == "torch":
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    else:
        leaves = [cls_or_tensor(v) for v in inputs]
    out = run_program(random_program(seed), leaves)
    out.backward()
    if cls_or_tensor == "torch":
        return [0.0 if t.grad is None else t.grad.item() for t in leaves] + [out.item()]
    return [v.grad for v in leaves] + [out.data]


def close(a, b, tol=1e-12):
    return all(abs(x - y) <= tol * max(1.0, abs(y)) for x, y in zip(a, b)) and len(a) == len(b)


# --------------------------------------------------------------------------- against torch
def test_logistic_neuron_matches_torch_to_1e12():
    assert close(logistic_grads(Value), torch_logistic_grads())


@pytest.mark.parametrize("seed", range(100))
def test_random_expressions_match_torch(seed):
    mine, theirs = program_grads(Value, seed), program_grads("torch", seed)
    assert all(math.isfinite(v) for v in mine)
    assert close(mine, theirs), (program_text(random_program(seed)), mine, theirs)


def ops_reaching_output(program, n_inputs=3):
    """The kinds of operation on some path to the output (the sum of the last three results)."""
    needed, ops = {n_inputs + len(program) - k for k in (1, 2, 3)}, set()
    for k in reversed(range(len(program))):
        op, i, j, _ = program[k]
        if n_inputs + k in needed:  # the output depends on result k
            ops.add(op)
            needed |= {i, j} if op in ("add", "sub", "mul", "div") else {i}
    return ops


def test_every_operation_reaches_an_output_in_the_lessons_fifty_programs():
    """Lesson 03 compares the engine with torch on random_program(0 … 49): together their outputs
    depend on every kind of operation, so each one's backward is checked there."""
    ops = set().union(*(ops_reaching_output(random_program(seed)) for seed in range(50)))
    assert ops == {"add", "sub", "mul", "div", "pow", "neg", "exp", "log", "tanh", "sigmoid", "relu", "rsub",
                   "rmul", "rdiv"}


def test_relu_forward_and_backward_match_torch():
    for x in (-1.5, 0.0, 2.0):
        v, t = Value(x), torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out, out_t = v.relu(), t.relu()
        (out * 3.0).backward()
        (out_t * 3.0).backward()
        assert out.data == out_t.item() and v.grad == t.grad.item()


def test_numbers_on_either_side():
    v = Value(0.5)
    for result, expected in [(2 + v, 2.5), (v + 2, 2.5), (1 - v, 0.5), (v - 1, -0.5), (3 * v, 1.5),
                             (v * 3, 1.5), (v / 4, 0.125), (1 / v, 2.0), (-v, -0.5), (v ** 3, 0.125)]:
        assert result.data == expected


def test_sigmoid_does_not_overflow():
    for x in (-800.0, 800.0):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        assert 0.0 <= s.data <= 1.0 and v.grad == 0.0


# --------------------------------------------------------------------------- the lesson's claims
def test_fan_out_sums_both_uses():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    L = d ** 2
    L.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (16.0, -16.0, -8.0, -8.0)


def test_b_equals_a_plus_a_twice():
    a = Value(1.5)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0


def test_second_backward_accumulates_and_zero_grad_resets():
    a, b = Value(2.0), Value(-3.0)
    d = a * b + a
    L = d ** 2
    L.backward()
    first = (a.grad, b.grad, d.grad)
    L.backward()
    assert d.grad == 2 * first[2] and a.grad == 72.0  # intermediate grads are sent on again
    zero_grad(L)
    assert all(n.grad == 0.0 for n in topological_order(L))
    L.backward()
    assert (a.grad, b.grad, d.grad) == first


def sum_chain_grad(cls) -> float:
    """x.grad for total = 0 + 0.001 x + … (5000 terms): a graph 5000 additions deep."""
    x = cls(0.5)
    total = cls(0.0)
    for _ in range(5000):
        total = total + x * 0.001
    total.backward()
    return x.grad


def test_deep_chain_without_recursion_error():
    assert math.isclose(sum_chain_grad(Value), 5.0, rel_tol=1e-12)
    chain = Value(1.0)
    for _ in range(50_000):
        chain = chain * 1.0
    chain.backward()
    del chain  # freeing a deep graph must not crash either


def test_topological_order_puts_parents_first_and_root_last():
    a, b = Value(1.0), Value(2.0)
    L = ((a * b).tanh() + a).exp()
    order = topological_order(L)
    assert order[-1] is L and len(order) == len({id(n) for n in order})
    where = {id(n): i for i, n in enumerate(order)}
    assert all(where[id(p)] < where[id(n)] for n in order for p in n._prev)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", ["3", None, [1.0], True])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_operations_reject_bad_operands():
    v = Value(2.0)
    with pytest.raises(TypeError, match="a number or a Value, got str"):
        v + "1"
    with pytest.raises(TypeError, match="constant exponent"):
        v ** Value(2.0)
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="overflows"):
        Value(1000.0).exp()
    with pytest.raises(ValueError, match="fractional power"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match=r"^0 \*\* -1 divides by zero: the exponent must be ≥ 0 at 0$"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="overflows a float"):
        Value(1e200) ** 2
    with pytest.raises(TypeError, match="must be a Value"):
        topological_order(3.0)
    with pytest.raises(TypeError, match="integer"):
        random_program(1.5)


@pytest.mark.parametrize("base, k", [(0.0, 0.5), (0.0, 0.25), (0.0, 0.0), (0.0, 1.5), (0.0, 3.0),
                                     (1e-200, 0.5), (2.0, 0.5), (-2.0, 3.0), (1e150, 2.0)])
def test_pow_backward_gives_what_torch_gives_even_where_the_slope_is_infinite(base, k):
    """(√a)′ at 0 is +inf: the engine gives inf, as PyTorch, instead of a ZeroDivisionError
    raised inside a _backward closure."""
    v = Value(base)
    (v ** k).backward()
    t = torch.tensor(base, dtype=torch.float64, requires_grad=True)
    (t ** k).backward()
    expected = t.grad.item()
    assert v.grad == expected if math.isinf(expected) or expected == 0 else math.isclose(v.grad, expected, rel_tol=1e-15)


def test_sqrt_at_zero_inside_a_larger_graph():
    a = Value(0.0)
    L = (a ** 0.5) * 3 + a
    L.backward()
    assert a.grad == math.inf


# --------------------------------------------------------------------------- tracing the backward pass, drawing
def test_trace_backward_records_each_call_and_restores_grads():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    L = d ** 2
    order, steps = trace_backward(L)
    assert [n for n in order] == [L, d, c, b, a]
    assert all(n.grad == 0.0 for n in order)  # left as found
    c_step = steps[2]
    assert c_step.node is c and c_step.upstream == -8.0
    assert c_step.parents == (a, b) and c_step.local == (-3.0, 2.0) and c_step.added == (24.0, -16.0)
    assert steps[1].added == (-8.0, -8.0)  # d sends -8 to c and to a
    assert steps[-1].grads == (1.0, -8.0, -8.0, -16.0, 16.0)
    for st in steps:
        assert all(math.isclose(x, st.upstream * l) for x, l in zip(st.added, st.local))


def test_trace_backward_of_a_parent_used_twice():
    a = Value(3.0)
    b = a + a
    _, steps = trace_backward(b)
    assert steps[0].parents == (a,) and steps[0].local == (2.0,) and steps[0].added == (2.0,)


def test_trace_backward_reports_a_broken_backward():
    a = Value(1.0)
    b = a * 2

    def broken():
        a.grad += None
    b._backward = broken
    with pytest.raises(ValueError, match="node 1 of 3.*_backward"):
        trace_backward(b)
    assert a.grad == 0.0


def test_value_graph_and_names():
    a, b = Value(2.0), Value(-3.0)
    L = (a * b + a) ** 2
    g = value_graph(L, {"a": a, "b": b, "L": L})
    assert str(g).splitlines()[0] == "**2 → L = 16.0, grad 0.0"
    assert g.node("a").grad == "0.0" and g.node("b").value == "-3.0"
    assert g.layers[g.node("a").id] == 3
    assert sorted(node_names(L, {"a": a}).values()) == ["a", "v1", "v2", "v3", "v4"]
    with pytest.raises(TypeError, match="dict of label"):
        value_graph(L, names=[a])
    with pytest.raises(ValueError, match="digits"):
        value_graph(L, digits=0)


# --------------------------------------------------------------------------- the notebook's own class
def notebook_namespace() -> dict:
    """Run lesson 03's code cells up to the iterative topological sort; return its namespace."""
    nb = nbformat.read(LESSON, as_version=4)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
                continue
            exec(compile(cell.source, str(LESSON), "exec"), namespace)
            if "stack = [(root, iter(root._prev))]" in cell.source:
                return namespace
    raise AssertionError("lesson 03 has no cell with the iterative topological sort")


@pytest.fixture(scope="module")
def lesson_value():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    return notebook_namespace()["Value"]


def test_notebook_value_matches_the_reference_on_the_logistic_neuron(lesson_value):
    assert logistic_grads(lesson_value) == logistic_grads(Value)


@pytest.mark.parametrize("seed", range(30))
def test_notebook_value_matches_the_reference_on_random_expressions(lesson_value, seed):
    assert close(program_grads(lesson_value, seed), program_grads(Value, seed), tol=1e-15)


def test_notebook_value_handles_a_deep_chain(lesson_value):
    assert math.isclose(sum_chain_grad(lesson_value), 5.0, rel_tol=1e-12)
