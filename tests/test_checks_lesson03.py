"""Lesson 03's engine exercises (`EngineExercise`): near misses never pass, the usual wrong
answers get their own hint, an exception keeps its real type, and messages name the gradients.
(tests/test_factor_hints.py feeds every declared mistake; its generic near misses skip a custom
`evaluate`, so they are here.)"""
import math

import pytest

from helpers.checks import lesson03 as L
from helpers.engine import Value

pytestmark = pytest.mark.timeout(120)

ENGINE_EXERCISES = {"mul": L.mul_exercise, "tanh": L.tanh_exercise, "exp": L.exp_bug_exercise}
NEAR_MISSES = {"1 % too large": lambda d: 1.01 * d, "sign flipped": lambda d: -d, "shifted by one": lambda d: d + 1}


def perturbed(method, change):
    """`method` with a _backward that adds change(what the right _backward adds) to each parent."""
    def wrong(*args):
        out = method(*args)
        right = out._backward
        parents = list(dict.fromkeys(out._prev))

        def _backward():
            before = [p.grad for p in parents]
            right()
            for p, g in zip(parents, before):
                p.grad = g + change(p.grad - g)
        out._backward = _backward
        return out
    return wrong


@pytest.mark.parametrize("how", list(NEAR_MISSES))
@pytest.mark.parametrize("name", list(ENGINE_EXERCISES))
def test_a_near_miss_never_passes(name, how):
    ex = ENGINE_EXERCISES[name]
    assert ex.evaluate(ex.reference).ok
    result = ex.evaluate(perturbed(ex.reference, NEAR_MISSES[how]))
    assert not result.ok, f"{name}: an answer {how} passes: {result.message}"


def test_tanh_with_assignment_fails_on_a_graph_that_reuses_its_input():
    """The lesson's point is +=: a tanh with = used to pass, since the check's graph never reused x."""
    def tanh_with_assignment(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad = (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out
    result = L.tanh_exercise.evaluate(tanh_with_assignment)
    assert not result.ok, result.message
    assert "use += in _backward" in result.message, result.message


def test_messages_name_the_gradients_not_result_indices():
    wrong_b = perturbed(Value.__mul__, lambda d: d)  # right, then b.grad spoiled below

    def mul(self, other):
        out = wrong_b(self, other)
        right = out._backward

        def _backward():
            right()
            if self is not other:
                other.grad += 1.0
        out._backward = _backward
        return out
    message = L.mul_exercise.evaluate(mul).message
    assert "b.grad" in message and "result[" not in message, message
    assert "x.grad in f = x + tanh(x)" in L.tanh_exercise.evaluate(
        perturbed(Value.tanh, lambda d: 2 * d)).message


def test_an_exception_keeps_its_type_and_only_the_placeholder_gets_the_placeholder_hint():
    def mul_dividing_by_zero(self, other):
        out = Value.__mul__(self, other)

        def _backward():
            self.grad += other.data * out.grad / 0
        out._backward = _backward
        return out

    def mul_none_times(self, other):
        out = Value.__mul__(self, other)

        def _backward():
            self.grad += None * out.grad
        out._backward = _backward
        return out
    zero = L.mul_exercise.evaluate(mul_dividing_by_zero)
    assert not zero.ok and zero.raised and "ZeroDivisionError" in zero.message
    none = L.mul_exercise.evaluate(mul_none_times)
    assert "TypeError" in none.message and "'NoneType' and 'float'" in none.message
    assert L.PLACEHOLDER_HINT not in none.message and "ValueError" not in none.message
    placeholder = L.mul_exercise.evaluate(next(m for m in L.mul_exercise.mistakes if "placeholder" in m.name).answer)
    assert "TypeError" in placeholder.message and L.PLACEHOLDER_HINT in placeholder.message


def test_a_value_in_grad_gets_the_data_hint_also_where_it_raises():
    """In the lesson, the mul exercise comes before Value has __radd__ and __mul__: `other * out.grad`
    raises a TypeError there instead of putting a Value into .grad. Both get the .data hint."""
    class Bare:
        def __init__(self, data, _prev=(), _op=""):
            self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(_prev), _op
            self._backward = lambda: None

    namespace = {"Bare": Bare}
    exec("def mul(self, other):\n"
         "    out = Bare(self.data * other.data, (self, other), '*')\n"
         "    def _backward():\n"
         "        self.grad += other * out.grad\n"
         "        other.grad += self * out.grad\n"
         "    out._backward = _backward\n"
         "    return out\n", namespace)
    mul = namespace["mul"]
    mul.__globals__["Value"] = Bare
    result = L.mul_exercise.evaluate(mul)
    assert not result.ok and L.VALUE_GRAD_HINT in result.message, result.message


def test_the_value_of_l_is_recognised_at_the_fan_out():
    x, a, b, L_ = L.fanout_graph()
    assert math.isclose(L_.data, 6.75)
    message = L.fanout_exercise.evaluate(6.75).message
    assert "that is L itself" in message and "factor" not in message
