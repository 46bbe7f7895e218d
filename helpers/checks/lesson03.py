"""Lesson 03 (your own autograd engine): the "Your turn" exercises and their common mistakes.

Three answers are pieces of the learner's engine: a method such as ``mul(self, other)``
that returns a Value with its ``_backward``. `EngineExercise` runs such a method on small
graphs (made with the learner's own ``Value`` class, found in the method's module) and
compares the gradients it produces with the reference engine's. Every graph uses its input
twice, so ``=`` instead of ``+=`` in ``_backward`` never passes. The usual wrong answers
(upstream gradient left out, ``=`` instead of ``+=``, the wrong local gradient) are no constant
factor, so they are *recognised*: an answer that gives the same gradients as a declared mistake
gets that mistake's hint. An exception inside the learner's ``_backward`` is reported with its
own type; the None placeholder and a Value put into ``.grad`` get their own hints.
tests/test_factor_hints.py feeds every mistake to its check; tests/test_checks_lesson03.py
feeds the near misses (a custom `evaluate` is not covered by the generic ones).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from helpers.engine import Value, topological_order
from helpers.exercises import Exercise, Feedback, Mistake, failed
from helpers.i18n import translate

__all__ = ["EngineExercise", "mul_exercise", "tanh_exercise", "exp_bug_exercise", "fanout_exercise",
           "fanout_graph"]

PLACEHOLDER_HINT = "a None placeholder is still in your _backward: replace it with the gradient"
PLACEHOLDER_ERROR = r"TypeError: unsupported operand type\(s\) for \+=: 'float' and 'NoneType'"
UPSTREAM_HINT = "multiply the local gradient by out.grad, the upstream gradient"
ACCUMULATE_HINT = "use += in _backward: a Value used twice must add up what both uses send back"
VALUE_GRAD_HINT = ("a .grad must hold a plain number: in _backward use the .data of a Value (other.data, "
                   "out.data), not the Value itself")
# `other * out.grad` where the class has no __mul__ or __radd__ yet: a TypeError naming two types, neither None
VALUE_GRAD_ERROR = r"TypeError: unsupported operand type\(s\) for [^:]+: '(?!NoneType')\w+' and '(?!NoneType')\w+'"


def _value_class(method: Callable) -> type:
    """The Value class the learner's method builds with (its module's `Value`)."""
    return getattr(method, "__globals__", {}).get("Value", Value)


def _run_backward(root) -> None:
    """root's backward pass with whatever `_backward`s its nodes hold: seed 1 is set by the caller,
    then every node, output first (the reference's order: the learner's `backward` may not exist yet)."""
    for node in reversed(topological_order(root)):
        node._backward()


def mul_grads(method: Callable) -> Callable:
    """a, b, g ↦ (a.grad, b.grad, the grad of a in a * a) for out = a * b with out.grad = g."""
    cls = _value_class(method)

    def grads(a: float, b: float, g: float) -> tuple:
        x, y, z = cls(a), cls(b), cls(a)
        out = method(x, y)
        out.grad = g
        out._backward()
        square = method(z, z)
        square.grad = g
        square._backward()
        return (x.grad, y.grad, z.grad)
    return grads


def tanh_grads(method: Callable) -> Callable:
    """a, g ↦ (x.grad,) after the backward pass of f = x + tanh(x) (tanh = method), f.grad = g:
    x is used twice, by the addition and by tanh, so both shares must add up."""
    cls = _value_class(method)

    def grads(a: float, g: float) -> tuple:
        x = cls(a)
        f = x + method(x)
        f.grad = g
        _run_backward(f)
        return (x.grad,)
    return grads


def x_exp_x_grads(method: Callable) -> Callable:
    """a, g ↦ (x.grad,) after the backward pass of f = x · exp(x) (exp = method), f.grad = g."""
    cls = _value_class(method)

    def grads(a: float, g: float) -> tuple:
        x = cls(a)
        f = x * method(x)
        f.grad = g
        _run_backward(f)
        return (x.grad,)
    return grads


def _holds_a_value(result) -> bool:
    """Whether a gradient in `result` is a Value (something with a _backward) instead of a number."""
    items = result if isinstance(result, (tuple, list)) else (result,)
    return any(hasattr(item, "_backward") for item in items)


@dataclass(frozen=True)
class EngineExercise(Exercise):
    """An exercise whose answer is a method of the engine; `run` turns a method into the
    function of numbers that is compared (the reference and every mistake go through it too)."""

    run: Callable | None = None

    def evaluate(self, answer) -> Feedback:
        if self.run is None:
            raise TypeError("EngineExercise needs run, which turns a method into a function of numbers")
        if not callable(answer):  # the placeholder or a wrong type: the generic messages say so
            return Exercise.evaluate(self, answer)
        if self._puts_a_value_into_grad(answer):
            return failed("{what} is not right yet: {hint}.", what=translate(self.what),
                          hint=translate(VALUE_GRAD_HINT))
        wrapped = {m.name: Mistake(m.name, self.run(m.answer), m.hint) for m in self.mistakes}
        plain = Exercise(what=self.what, reference=self.run(self.reference), inputs=self.inputs,
                         factor_hints=self.factor_hints, mistakes=tuple(wrapped.values()), rtol=self.rtol,
                         atol=self.atol, success=self.success, parts=self.parts, arg_names=self.arg_names,
                         error_hints=self.error_hints,
                         recognised=tuple(wrapped[m.name] for m in self.recognised))
        return plain.evaluate(self.run(answer))

    def _puts_a_value_into_grad(self, answer) -> bool:
        """Whether the answer's _backward leaves a Value in some .grad (`other * out.grad` instead of
        `other.data * out.grad`); an exception here is left for the full check to report."""
        try:
            return _holds_a_value(self.run(answer)(*self.inputs[0]))
        except Exception:
            return False


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


def _mul_value(self, other, out):  # other * out.grad: a Value, not a number
    self.grad += other * out.grad
    other.grad += self * out.grad


ENGINE_ERRORS = ((PLACEHOLDER_ERROR, PLACEHOLDER_HINT), (VALUE_GRAD_ERROR, VALUE_GRAD_HINT))

_MUL_NO_UPSTREAM = Mistake("upstream gradient left out", _mul(_mul_no_upstream), UPSTREAM_HINT)
_MUL_SWAPPED = Mistake("own value instead of the other factor", _mul(_mul_swapped),
                       "∂(a·b)/∂a is b, the *other* factor (other.data for self)")
_MUL_ASSIGN = Mistake("= instead of +=", _mul(_mul_assign), ACCUMULATE_HINT)

mul_exercise = EngineExercise(
    what="your __mul__",
    reference=Value.__mul__,
    inputs=[(2.0, -3.0, 1.5), (-0.5, 4.0, -2.0), (1.25, 0.75, 3.0)],
    run=mul_grads,
    parts=("a.grad", "b.grad", "a.grad in a * a"),
    arg_names=("a", "b", "out.grad"),
    error_hints=ENGINE_ERRORS,
    mistakes=(_MUL_NO_UPSTREAM, _MUL_SWAPPED, _MUL_ASSIGN,
              Mistake("placeholder left in", _mul(_mul_placeholder), PLACEHOLDER_HINT),
              Mistake("a Value put into .grad", _mul(_mul_value), VALUE_GRAD_HINT)),
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


def _tanh_assign(self, out):
    self.grad = (1 - out.data ** 2) * out.grad


def _tanh_placeholder(self, out):
    self.grad += None


def _tanh_value(self, out):  # out instead of out.data: a Value, not a number
    self.grad += (1 - out ** 2) * out.grad


_TANH_NO_UPSTREAM = Mistake("upstream gradient left out", _tanh(_tanh_no_upstream), UPSTREAM_HINT)
_TANH_OF_INPUT = Mistake("1 − x² instead of 1 − tanh²x", _tanh(_tanh_of_input),
                         "the slope is 1 − tanh(x)²: square out.data, the output, not self.data")
_TANH_SIGMOID = Mistake("the sigmoid's slope", _tanh(_tanh_sigmoid_slope),
                        "t(1 − t) is the sigmoid's slope; tanh's is 1 − t²")
_TANH_ASSIGN = Mistake("= instead of +=", _tanh(_tanh_assign), ACCUMULATE_HINT)

tanh_exercise = EngineExercise(
    what="your tanh",
    reference=Value.tanh,
    inputs=[(0.5, 1.0), (-1.2, 2.5), (2.0, -0.75)],
    run=tanh_grads,
    parts=("x.grad in f = x + tanh(x)",),
    arg_names=("x", "f.grad"),
    error_hints=ENGINE_ERRORS,
    mistakes=(_TANH_NO_UPSTREAM, _TANH_OF_INPUT, _TANH_SIGMOID, _TANH_ASSIGN,
              Mistake("placeholder left in", _tanh(_tanh_placeholder), PLACEHOLDER_HINT),
              Mistake("a Value put into .grad", _tanh(_tanh_value), VALUE_GRAD_HINT)),
    recognised=(_TANH_NO_UPSTREAM, _TANH_OF_INPUT, _TANH_SIGMOID, _TANH_ASSIGN),
    success="your tanh sends (1 − tanh²)·out.grad back to its input, and adds it to what x already has.",
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


def _exp_value(self, out):  # out instead of out.data: a Value, not a number
    self.grad += out * out.grad


_EXP_ASSIGN = Mistake("the bug left in (= instead of +=)", _exp(_exp_assign), ACCUMULATE_HINT)
_EXP_NO_UPSTREAM = Mistake("+= but the upstream gradient left out", _exp(_exp_no_upstream), UPSTREAM_HINT)
_EXP_INPUT = Mistake("self.data instead of out.data", _exp(_exp_input),
                     "the slope of eˣ is eˣ itself: use out.data, not self.data")

exp_bug_exercise = EngineExercise(
    what="your exp",
    reference=Value.exp,
    inputs=[(0.5, 1.0), (-1.0, 2.0), (1.5, -0.5)],
    run=x_exp_x_grads,
    parts=("x.grad in f = x · exp(x)",),
    arg_names=("x", "f.grad"),
    error_hints=((VALUE_GRAD_ERROR, VALUE_GRAD_HINT),),
    mistakes=(_EXP_ASSIGN, _EXP_NO_UPSTREAM, _EXP_INPUT,
              Mistake("a Value put into .grad", _exp(_exp_value), VALUE_GRAD_HINT)),
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


def _fanout_paths() -> tuple[float, float, float, float, float]:
    """(through a, through b, ∂a/∂x, ∂b/∂x, L): what each use of x sends back, the local
    gradients, and the value of L itself."""
    x, a, b, L = fanout_graph()
    return b.data * 2.0, a.data * 2 * x.data, 2.0, 2 * x.data, L.data


_VIA_A, _VIA_B, _LOCAL_A, _LOCAL_B, _L_VALUE = _fanout_paths()
_ONE_PATH = "x is used twice (by a and by b): add what both uses send back"
_FAN_A = Mistake("only the path through a", _VIA_A, _ONE_PATH)
_FAN_B = Mistake("only the path through b", _VIA_B, _ONE_PATH)
_FAN_PRODUCT = Mistake("the two paths multiplied", _VIA_A * _VIA_B,
                       "the contributions of two uses add up; they do not multiply")
_FAN_LOCAL = Mistake("local gradients added without their upstream gradients", _LOCAL_A + _LOCAL_B,
                     "multiply each local gradient by its upstream gradient (a.grad = b, b.grad = a) first")
_FAN_VALUE = Mistake("the value of L", _L_VALUE,
                     "that is L itself, a·b = 6.75; x.grad is dL/dx, how fast L changes when x is nudged")

fanout_exercise = Exercise(
    what="x.grad",
    reference=_fanout_reference(),
    mistakes=(_FAN_A, _FAN_B, _FAN_PRODUCT, _FAN_LOCAL, _FAN_VALUE),
    recognised=(_FAN_A, _FAN_B, _FAN_PRODUCT, _FAN_LOCAL, _FAN_VALUE),
    success="x.grad is the sum over both uses of x.",
)
