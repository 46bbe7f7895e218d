"""Lesson 03 (your own autograd engine): the "Your turn" exercises and their common mistakes.

Three answers are pieces of the learner's engine: a method such as ``mul(self, other)``
that returns a Value with its ``_backward``. `EngineExercise` runs such a method on small
graphs (made with the learner's own ``Value`` class, found in the method's module) and
compares the gradients it produces with the reference engine's. The usual wrong answers
(upstream gradient left out, fan-out not summed, ``=`` instead of ``+=``) are no constant
factor, so they are *recognised*: an answer that gives the same gradients as a declared
mistake gets that mistake's hint. tests/test_factor_hints.py feeds every mistake to its check.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from helpers.engine import Value, topological_order
from helpers.exercises import Exercise, Feedback, Mistake, describe_args

__all__ = ["EngineExercise", "mul_exercise", "tanh_exercise", "exp_bug_exercise", "fanout_exercise",
           "fanout_graph"]

PLACEHOLDER_HINT = "a None placeholder is still in your _backward: replace it with the gradient"
UPSTREAM_HINT = "multiply the local gradient by out.grad, the upstream gradient"
ACCUMULATE_HINT = "use += in _backward: a Value used twice must add up what both uses send back"


def _value_class(method: Callable) -> type:
    """The Value class the learner's method builds with (its module's `Value`)."""
    return getattr(method, "__globals__", {}).get("Value", Value)


def _run(method: Callable, out) -> None:
    """Call `out._backward()`, turning a None placeholder's TypeError into a clear message."""
    try:
        out._backward()
    except TypeError as exc:
        if "NoneType" in str(exc):
            raise ValueError(PLACEHOLDER_HINT) from None
        raise


def mul_grads(method: Callable) -> Callable:
    """a, b, g ↦ (a.grad, b.grad) for out = a * b with out.grad = g, and the grad of a in a * a."""
    cls = _value_class(method)

    def grads(a: float, b: float, g: float) -> tuple[float, float, float]:
        x, y, z = cls(a), cls(b), cls(a)
        out = method(x, y)
        out.grad = g
        _run(method, out)
        square = method(z, z)
        square.grad = g
        _run(method, square)
        return (x.grad, y.grad, z.grad)
    return grads


def unary_grad(method: Callable) -> Callable:
    """a, g ↦ a.grad for out = method(a) with out.grad = g."""
    cls = _value_class(method)

    def grad(a: float, g: float) -> float:
        x = cls(a)
        out = method(x)
        out.grad = g
        _run(method, out)
        return x.grad
    return grad


def x_exp_x_grad(method: Callable) -> Callable:
    """a, g ↦ a.grad after the backward pass of f = a · exp(a) (exp = method), f.grad = g."""
    cls = _value_class(method)

    def grad(a: float, g: float) -> float:
        x = cls(a)
        f = x * method(x)
        order = topological_order(f)
        f.grad = g
        for node in reversed(order):
            _run(method, node)
        return x.grad
    return grad


@dataclass(frozen=True)
class EngineExercise(Exercise):
    """An exercise whose answer is a method of the engine; `run` turns a method into the
    function of numbers that is compared (the reference and every mistake go through it too)."""

    run: Callable | None = None
    arg_names: tuple[str, ...] = ()   # names for the numbers of an input, used in messages

    def evaluate(self, answer) -> Feedback:
        if self.run is None:
            raise TypeError("EngineExercise needs run, which turns a method into a function of numbers")
        if not callable(answer):  # the placeholder or a wrong type: the generic messages say so
            return Exercise.evaluate(self, answer)
        wrapped = {m.name: Mistake(m.name, self.run(m.answer), m.hint) for m in self.mistakes}
        plain = Exercise(what=self.what, reference=self.run(self.reference), inputs=self.inputs,
                                  mistakes=tuple(wrapped.values()), rtol=self.rtol, atol=self.atol,
                                  success=self.success,
                                  recognised=tuple(wrapped[m.name] for m in self.recognised))
        return self._name_args(plain.evaluate(self.run(answer)))

    def _name_args(self, result: Feedback) -> Feedback:
        """Name an input's numbers in a message: "(2, -3, 1.5)" becomes "(a = 2, b = −3, out.grad = 1.5)"."""
        for args in self.inputs if self.arg_names else ():
            plain = describe_args(args)
            if plain and plain in result.message:
                named = ", ".join(f"{n} = {v:.3g}".replace("-", "−") for n, v in zip(self.arg_names, args))
                return Feedback(result.ok, result.message.replace(plain, f" ({named})"))
        return result


# --------------------------------------------------------------------- Your turn 1: __mul__'s backward
def _mul(backward: Callable) -> Callable:
    """A __mul__ whose _backward is `backward(self, other, out)`: the mistakes below."""
    def mul(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        out._backward = lambda: backward(self, other, out)
        return out
    return mul


def _mul_no_upstream(self, other, out):
    self.grad += other.data
    other.grad += self.data


def _mul_swapped(self, other, out):
    self.grad += self.data * out.grad
    other.grad += other.data * out.grad


def _mul_assign(self, other, out):
    self.grad = other.data * out.grad
    other.grad = self.data * out.grad


def _mul_placeholder(self, other, out):
    self.grad += None


_MUL_NO_UPSTREAM = Mistake("upstream gradient left out", _mul(_mul_no_upstream), UPSTREAM_HINT)
_MUL_SWAPPED = Mistake("own value instead of the other factor", _mul(_mul_swapped),
                       "∂(a·b)/∂a is b, the *other* factor (other.data for self)")
_MUL_ASSIGN = Mistake("= instead of +=", _mul(_mul_assign), ACCUMULATE_HINT)

mul_exercise = EngineExercise(
    what="your __mul__",
    reference=Value.__mul__,
    inputs=[(2.0, -3.0, 1.5), (-0.5, 4.0, -2.0), (1.25, 0.75, 3.0)],
    run=mul_grads,
    arg_names=("a", "b", "out.grad"),
    mistakes=(_MUL_NO_UPSTREAM, _MUL_SWAPPED, _MUL_ASSIGN,
              Mistake("placeholder left in", _mul(_mul_placeholder), PLACEHOLDER_HINT)),
    recognised=(_MUL_NO_UPSTREAM, _MUL_SWAPPED, _MUL_ASSIGN),
    success="your __mul__ sends b·out.grad to a and a·out.grad to b, and a * a gets 2a·out.grad.",
)


# --------------------------------------------------------------------- Your turn 2: tanh's backward
def _tanh(backward: Callable) -> Callable:
    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")
        out._backward = lambda: backward(self, out)
        return out
    return tanh


def _tanh_no_upstream(self, out):
    self.grad += 1 - out.data ** 2


def _tanh_of_input(self, out):
    self.grad += (1 - self.data ** 2) * out.grad


def _tanh_sigmoid_slope(self, out):
    self.grad += out.data * (1 - out.data) * out.grad


_TANH_NO_UPSTREAM = Mistake("upstream gradient left out", _tanh(_tanh_no_upstream), UPSTREAM_HINT)
_TANH_OF_INPUT = Mistake("1 − x² instead of 1 − tanh²x", _tanh(_tanh_of_input),
                         "the slope is 1 − tanh(x)²: square out.data, the output, not self.data")
_TANH_SIGMOID = Mistake("the sigmoid's slope", _tanh(_tanh_sigmoid_slope),
                        "t(1 − t) is the sigmoid's slope; tanh's is 1 − t²")

tanh_exercise = EngineExercise(
    what="your tanh",
    reference=Value.tanh,
    inputs=[(0.5, 1.0), (-1.2, 2.5), (2.0, -0.75)],
    run=unary_grad,
    arg_names=("x", "out.grad"),
    mistakes=(_TANH_NO_UPSTREAM, _TANH_OF_INPUT, _TANH_SIGMOID),
    recognised=(_TANH_NO_UPSTREAM, _TANH_OF_INPUT, _TANH_SIGMOID),
    success="your tanh sends (1 − tanh²)·out.grad back to its input.",
)


# --------------------------------------------------------------------- Your turn 3: find the bug
def _exp(backward: Callable) -> Callable:
    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")
        out._backward = lambda: backward(self, out)
        return out
    return exp


def _exp_assign(self, out):  # the bug the learner is given
    self.grad = out.data * out.grad


def _exp_no_upstream(self, out):
    self.grad += out.data


def _exp_input(self, out):
    self.grad += self.data * out.grad


_EXP_ASSIGN = Mistake("the bug left in (= instead of +=)", _exp(_exp_assign), ACCUMULATE_HINT)
_EXP_NO_UPSTREAM = Mistake("+= but the upstream gradient left out", _exp(_exp_no_upstream), UPSTREAM_HINT)
_EXP_INPUT = Mistake("self.data instead of out.data", _exp(_exp_input),
                     "the slope of eˣ is eˣ itself: use out.data, not self.data")

exp_bug_exercise = EngineExercise(
    what="your exp",
    reference=Value.exp,
    inputs=[(0.5, 1.0), (-1.0, 2.0), (1.5, -0.5)],
    run=x_exp_x_grad,
    arg_names=("x", "f.grad"),
    mistakes=(_EXP_ASSIGN, _EXP_NO_UPSTREAM, _EXP_INPUT),
    recognised=(_EXP_ASSIGN, _EXP_NO_UPSTREAM, _EXP_INPUT),
    success="x · exp(x) now gets (1 + x)·eˣ: both uses of x add up.",
)


# --------------------------------------------------------------------- Your turn 4: predict at a fan-out
def fanout_graph(x: float = 1.5) -> tuple[Value, Value, Value, Value]:
    """x, a = 2x, b = x², L = a·b: x is used twice (by a and by b). Returns (x, a, b, L)."""
    xv = Value(x)
    a = xv * 2
    b = xv ** 2
    return xv, a, b, a * b


def _fanout_reference() -> float:
    x, a, b, L = fanout_graph()
    L.backward()
    return x.grad


def _fanout_paths() -> tuple[float, float, float, float]:
    """(through a, through b, ∂a/∂x, ∂b/∂x): what each use of x sends back, and the local gradients."""
    x, a, b, _ = fanout_graph()
    return b.data * 2.0, a.data * 2 * x.data, 2.0, 2 * x.data


_VIA_A, _VIA_B, _LOCAL_A, _LOCAL_B = _fanout_paths()
_ONE_PATH = "x is used twice (by a and by b): add what both uses send back"
_FAN_A = Mistake("only the path through a", _VIA_A, _ONE_PATH)
_FAN_B = Mistake("only the path through b", _VIA_B, _ONE_PATH)
_FAN_PRODUCT = Mistake("the two paths multiplied", _VIA_A * _VIA_B,
                       "the contributions of two uses add up; they do not multiply")
_FAN_LOCAL = Mistake("local gradients added without their upstream gradients", _LOCAL_A + _LOCAL_B,
                     "multiply each local gradient by its upstream gradient (a.grad = b, b.grad = a) first")

fanout_exercise = Exercise(
    what="x.grad",
    reference=_fanout_reference(),
    mistakes=(_FAN_A, _FAN_B, _FAN_PRODUCT, _FAN_LOCAL),
    recognised=(_FAN_A, _FAN_B, _FAN_PRODUCT, _FAN_LOCAL),
    success="x.grad is the sum over both uses of x.",
)
