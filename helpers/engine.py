"""A scalar autograd engine (after micrograd): the tested reference copy of lesson 03's `Value`.

Each operation computes its output and, right beside it, a `_backward` closure that adds
local gradient × upstream gradient (``out.grad``) into each parent's ``.grad`` with ``+=``,
so a Value used twice (fan-out) sums what both uses send back. ``backward()`` orders the graph
topologically (without recursion, so a graph 100 000 nodes deep works) and calls every
``_backward`` from the output down.

    a, b = Value(2.0), Value(-3.0)
    L = (a * b + a) ** 2
    L.backward()            # a.grad == 16.0, b.grad == -16.0

The lesson builds the same class cell by cell; tests/test_engine.py proves the two agree.
`trace_backward` records what each `_backward` call does, for the lesson's stepper; it works
on any object with micrograd's attributes (data, grad, _prev, _op, _backward), so it also
steps through the learner's own class. `value_graph` converts a graph for `helpers.graph`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from helpers.i18n import N_, message, translate
from helpers.validation import require_int, require_real, require_seed


def _number(x: object, name: str, what: str = N_("a real number (int or float)")) -> float:
    """x as a float: a real number (not a bool or NaN; ±inf can come out of arithmetic). `name` is
    translated only when x is refused: every Value passes through here."""
    try:
        return require_real(name, x, finite=False, what=what)
    except (TypeError, ValueError):
        return require_real(translate(name), x, finite=False, what=what)  # raises again, in the learner's language


class Value:
    """A number that remembers how it was made, so the chain rule can run backwards through it."""

    def __init__(self, data, _prev=(), _op=""):
        self.data = _number(data, N_("Value's data"))
        self.grad = 0.0  # ∂(output of backward())/∂(this value), filled in by backward()
        self._prev = tuple(_prev)  # the Values it was computed from (twice for a + a)
        self._op = _op  # the operation that made it, for printing and drawing
        self._backward = lambda: None  # adds this node's gradient into its parents' .grad

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad  # ∂(a + b)/∂a = 1
            other.grad += out.grad  # ∂(a + b)/∂b = 1
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # ∂(a·b)/∂a = b
            other.grad += self.data * out.grad  # ∂(a·b)/∂b = a
        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, Value):
            raise TypeError(message("only a constant exponent (an int or float) is supported: v ** "
                                    "2, not v ** Value(2)"))
        k = _number(k, N_("the exponent"))
        if self.data == 0 and k < 0:
            raise ValueError(message("0 ** {k:g} divides by zero: the exponent must be ≥ 0 at 0", k=k))
        if self.data < 0 and not k.is_integer():
            raise ValueError(message("a negative number to a fractional power ({data:g} ** {k:g}) is not real",
                                     data=self.data, k=k))
        value = _power(self.data, k)
        if math.isinf(value) and math.isfinite(self.data):
            raise ValueError(message("{base:g} ** {k:g} overflows a float (the limit is about "
                                     "1.8e308): the exponent is too large for this base", base=self.data, k=k))
        out = Value(value, (self,), f"**{k:g}")

        def _backward():
            local = 0.0 if k == 0 else k * _power(self.data, k - 1)  # ∂(a^k)/∂a = k a^(k−1)
            self.grad += local * out.grad  # inf where the slope is infinite: √a at 0, as in PyTorch
        out._backward = _backward
        return out

    def __neg__(self):
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad  # ∂(−a)/∂a = −1
        out._backward = _backward
        return out

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise ValueError(message("exp({data:g}) overflows a float (the limit is about exp(709))", data=self.data)) from None
        out = Value(e, (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad  # ∂eᵃ/∂a = eᵃ, the output itself
        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(message("log needs a positive number, got {data:g}", data=self.data))
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data  # ∂ log a/∂a = 1/a
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad  # ∂ tanh a/∂a = 1 − tanh²a
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad  # slope 1 where a > 0, else 0 (PyTorch: 0 at 0)
        out._backward = _backward
        return out

    def sigmoid(self):
        a = self.data  # σ(a) = 1/(1 + e^−a), written so that neither branch overflows
        s = 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad  # σ′ = σ(1 − σ)
        out._backward = _backward
        return out

    # the rest is built from the operations above: no new local gradients
    def __radd__(self, other):  # 2 + v
        return self + other

    def __rmul__(self, other):  # 2 * v
        return self * other

    def __sub__(self, other):  # v - w
        return self + (-other)

    def __rsub__(self, other):  # 1 - v
        return other + (-self)

    def __truediv__(self, other):  # v / w = v · w⁻¹
        other = _as_value(other)
        if other.data == 0:
            raise ValueError(message("division by zero: the other operand is 0"))
        return self * other ** -1

    def __rtruediv__(self, other):  # 1 / v
        if self.data == 0:
            raise ValueError(message("division by zero: the Value divided by is 0"))
        return other * self ** -1

    def backward(self) -> None:
        """Fill every .grad of the graph with ∂self/∂node: seed 1, then each _backward, output first."""
        order = topological_order(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def _power(base: float, k: float) -> float:
    """base ** k with IEEE results where Python raises: ±inf for 0 to a negative power (the
    slope of √a at 0) and for an overflow, as PyTorch and NumPy give."""
    try:
        return base ** k
    except (ZeroDivisionError, OverflowError):
        odd = k.is_integer() and int(k) % 2 == 1
        return -math.inf if (odd and math.copysign(1.0, base) < 0) else math.inf


def _as_value(x) -> Value:
    if isinstance(x, Value):
        return x
    return Value(_number(x, N_("the other operand"), what=N_("a number or a Value")))


def _check_node(node: object, what: str = "root") -> None:
    missing = [a for a in ("data", "grad", "_prev", "_backward") if not hasattr(node, a)]
    if missing:
        raise TypeError(message("{what} must be a Value (with data, grad, _prev and _backward), got "
                                "{kind} without {missing}",
                                what=what, kind=type(node).__name__, missing=', '.join(missing)))


def topological_order(root) -> list:
    """Every node of root's graph, each after all the nodes it was computed from (root last).

    A depth-first search with an explicit stack instead of recursion: the recursive version
    stops with RecursionError on a chain deeper than Python's recursion limit (about 1000).
    It visits parents in the same order as the recursive version, so both give the same list.
    """
    _check_node(root)
    order, seen = [], {id(root)}
    stack = [(root, iter(root._prev))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append((p, iter(p._prev)))
                break
        else:  # all parents placed: the node can go
            stack.pop()
            order.append(node)
    return order


def zero_grad(root) -> None:
    """Set .grad = 0 on every node of root's graph, intermediate nodes included."""
    for node in topological_order(root):
        node.grad = 0.0


# ----------------------------------------------------------------------------- tracing the backward pass
@dataclass(frozen=True)
class BackwardCall:
    """What one `_backward` call does: the node, its (final) gradient, and for each distinct
    parent the local gradient ∂node/∂parent and the product added to parent.grad.

    A parent used twice by the node (b = a + a) appears once, with the summed local gradient.
    `grads` holds every node's .grad right after this call (by position in `order`).
    """

    index: int
    node: object
    upstream: float
    parents: tuple
    local: tuple[float, ...]
    added: tuple[float, ...]
    grads: tuple[float, ...]


def _distinct(nodes) -> list:
    out, seen = [], set()
    for n in nodes:
        if id(n) not in seen:
            seen.add(id(n))
            out.append(n)
    return out


def trace_backward(root) -> tuple[list, list[BackwardCall]]:
    """Run root's backward pass one `_backward` at a time and record each call.

    Returns (order, calls): the nodes in the order their `_backward` runs (root first) and
    one BackwardCall per node. The local gradient is measured by running the node's own
    `_backward` once with out.grad = 1 on zeroed parents, so it is exactly what the code does.
    The graph's .grad values are restored afterwards: the Values are left as they were found.
    """
    order = list(reversed(topological_order(root)))
    saved = [n.grad for n in order]
    calls: list[BackwardCall] = []
    try:
        for n in order:
            n.grad = 0.0
        root.grad = 1.0
        for i, node in enumerate(order):
            parents = _distinct(node._prev)
            upstream = node.grad
            before = [p.grad for p in parents]
            for p in parents:  # probe: local gradients = what _backward adds for out.grad = 1
                p.grad = 0.0
            node.grad = 1.0
            node._backward()
            local = tuple(float(p.grad) for p in parents)
            for p, g in zip(parents, before):
                p.grad = g
            node.grad = upstream
            node._backward()  # the real call
            added = tuple(float(p.grad - g) for p, g in zip(parents, before))
            grads = tuple(float(n.grad) for n in order)
            calls.append(BackwardCall(i, node, float(upstream), tuple(parents), local, added, grads))
    except Exception as exc:
        raise ValueError(message("the backward pass failed at node {k} of {n} ({error}: {message}): "
                                 "check that node's _backward",
                                 k=len(calls) + 1, n=len(order), error=type(exc).__name__, message=exc)) from None
    finally:
        for n, g in zip(order, saved):
            n.grad = g
    return order, calls


# ----------------------------------------------------------------------------- drawing
def node_names(root, names: Mapping[str, object] | None = None) -> dict[int, str]:
    """A name for every node (by id): from `names` (label → Value), else v1, v2, … in topological order."""
    if names is None:
        names = {}
    if not isinstance(names, Mapping) or not all(isinstance(k, str) for k in names):
        raise TypeError(message("names must be a dict of label → Value, e.g. {{'a': a, 'L': L}}"))
    given = {id(v): k for k, v in names.items()}
    out, count = {}, 0
    for node in topological_order(root):
        if id(node) in given:
            out[id(node)] = given[id(node)]
        else:
            count += 1
            out[id(node)] = f"v{count}"
    return out


def value_graph(root, names: Mapping[str, object] | None = None, digits: int = 4):
    """The graph of a Value as `helpers.graph.AutogradGraph`, for `helpers.graph.draw_autograd_graph`.

    Each Value is one box: a leaf shows name, data and grad; a computed Value shows its
    operation, name, data and grad. Edges point from a Value to the Values it was made from,
    the way backward() sends gradients.
    """
    from helpers.graph import AutogradGraph, GraphEdge, GraphNode, format_number

    digits = require_int("digits", digits, min=1, example="4")
    label = node_names(root, names)
    order = list(reversed(topological_order(root)))
    ids = {id(n): f"n{i}" for i, n in enumerate(order)}
    nodes = []
    for n in order:
        data, grad = format_number(n.data, digits), format_number(n.grad, digits)
        if n._prev:
            nodes.append(GraphNode(ids[id(n)], "op", getattr(n, "_op", "") or "op",
                                   value=data, grad=grad, tensor=f"{label[id(n)]} = {data}\ngrad {grad}"))
        else:
            nodes.append(GraphNode(ids[id(n)], "leaf", label[id(n)], value=data, grad=grad))
    edges = [GraphEdge(ids[id(n)], ids[id(p)], slot) for n in order for slot, p in enumerate(n._prev)]
    return AutogradGraph.from_edges(nodes, edges)


# ----------------------------------------------------------------------------- test expressions
OPS = ("add", "sub", "mul", "div", "pow", "neg", "exp", "log", "tanh", "sigmoid", "relu", "rsub", "rmul", "rdiv")


def random_program(seed: int, n_inputs: int = 3, n_ops: int = 12) -> list[tuple]:
    """A seeded random expression: a list of (op, i, j, constant) that `run_program` evaluates.

    Operands are drawn from every earlier result, so values are reused (fan-out). Every op
    stays in its domain: log and pow with a fractional exponent act on a² + 1, division by
    b² + 1, exp on tanh(a).
    """
    import random

    seed = require_seed("seed", seed)
    n_inputs = require_int("n_inputs", n_inputs, min=1, max=1000)
    n_ops = require_int("n_ops", n_ops, min=3, max=10_000)
    rng = random.Random(seed)
    program = []
    for k in range(n_ops):
        size = n_inputs + k
        program.append((rng.choice(OPS), rng.randrange(size), rng.randrange(size),
                        rng.choice((0.5, 2.0, 3.0, -1.5))))
    return program


def run_program(program, inputs: list):
    """Evaluate `random_program`'s expression on Values or on torch tensors (same method names).

    Returns the sum of the last three results, so the output depends on several branches.
    """
    if not isinstance(inputs, (list, tuple)) or not all(
            all(hasattr(v, m) for m in ("tanh", "exp", "log", "sigmoid")) for v in inputs):
        raise TypeError(message("inputs must be a list of Values (yours or helpers.engine's) or of "
                                "torch tensors, one per input of the program, got {kind}",
                                kind=type(inputs).__name__))
    _check_program(program, len(inputs))
    pool = list(inputs)
    for op, i, j, c in program:
        a, b = pool[i], pool[j]
        pool.append({
            "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
            "div": lambda: a / (b * b + 1), "neg": lambda: -a,
            "pow": lambda: (a * a + 1) ** c if c < 1 else a ** c,
            "exp": lambda: a.tanh().exp(), "log": lambda: (a * a + 1).log(), "tanh": lambda: a.tanh(),
            "sigmoid": lambda: a.sigmoid(), "relu": lambda: a.relu(),
            "rsub": lambda: c - a, "rmul": lambda: c * a, "rdiv": lambda: c / (a * a + 1),
        }[op]())
    return pool[-1] + pool[-2] + pool[-3]


def _check_program(program: object, n_inputs: int) -> None:
    """A program of `random_program`'s form for n_inputs inputs: at least three steps (op, i, j, c),
    each op one of OPS, reading only the inputs and earlier results."""
    if not isinstance(program, (list, tuple)) or len(program) < 3:
        raise TypeError(message("program must be a list of at least three steps from "
                                "random_program(...), got {kind}", kind=type(program).__name__))
    for k, step in enumerate(program):
        ok = isinstance(step, (list, tuple)) and len(step) == 4 and isinstance(step[0], str) and step[0] in OPS
        ok = ok and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < n_inputs + k for v in step[1:3])
        if not ok or isinstance(step[3], bool) or not isinstance(step[3], (int, float)):
            raise ValueError(message("program[{k}] must be a step (op, i, j, c) of random_program "
                                     "for n_inputs={n} inputs, got {step!r}", k=k, n=n_inputs, step=step))


def program_text(program, n_inputs: int = 3) -> str:
    """`random_program`'s expression as readable lines: "v1 = x2 * x3", …, "out = v10 + v11 + v12"."""
    n_inputs = require_int("n_inputs", n_inputs, min=1, max=1000)
    _check_program(program, n_inputs)
    names = [f"x{i + 1}" for i in range(n_inputs)]
    forms = {"add": "{a} + {b}", "sub": "{a} - {b}", "mul": "{a} * {b}", "div": "{a} / ({b}² + 1)",
             "neg": "-{a}", "exp": "exp(tanh({a}))", "log": "log({a}² + 1)", "tanh": "tanh({a})",
             "sigmoid": "σ({a})", "relu": "relu({a})", "rsub": "{c:g} - {a}", "rmul": "{c:g} * {a}",
             "rdiv": "{c:g} / ({a}² + 1)"}
    lines = []
    for k, (op, i, j, c) in enumerate(program):
        a, b = names[i], names[j]
        if op == "pow":
            text = f"({a}² + 1) ** {c:g}" if c < 1 else f"{a} ** {c:g}"
        else:
            text = forms[op].format(a=a, b=b, c=c)
        names.append(f"v{k + 1}")
        lines.append(f"{names[-1]} = {text}")
    lines.append(f"out = {names[-1]} + {names[-2]} + {names[-3]}")
    return "\n".join(lines)
