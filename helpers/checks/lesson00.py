"""Lesson 00's exercise: the derivative of g(x) = x³ at x = 2 with autograd (3x² = 12 there).

Its common mistakes and the hint each gets. The hint for a factor names the mistake that
really gives that factor: x² instead of 3x² (or the example's 2x, copied unchanged) gives
4 = 12/3; the example's x = 3 kept with x**2, or 3x instead of 3x², gives 6 = 12/2;
`backward()` run twice on the same x adds the gradient twice, 24 = 2 · 12. Two mistakes are
no constant factor and are recognised by their value: g(2) = 8 itself, and 27 = 3x² at the
example's x = 3, and 33 = 6 + 27: the example's x (x = 3, whose x.grad already holds 6) reused
for x**3 without creating x again, so backward() adds 27 to the 6.
"""
from helpers.exercises import Exercise, Mistake

X = 2.0

VALUE_NOT_SLOPE = Mistake("the value g(2) = 8 instead of its slope", X**3,
                          "8 is g(2) = 2³, the value of g itself, not its slope: read x.grad after backward()")
EXAMPLE_X = Mistake("3x² at x = 3 (the example's x)", 3 * 3.0**2,
                    "27 is 3x² at x = 3, the example's x: the exercise asks for the slope at x = 2")
EXAMPLE_GRAD_KEPT = Mistake("the example's x reused: its 6 plus 3x² = 27 at x = 3", 2 * 3.0 + 3 * 3.0**2,
                            "33 = 6 + 27: the example's x (x = 3) still held x.grad = 6, and backward() added 3x² = 27 "
                            "to it. Create a new x = 2 with requires_grad=True, then call backward() once.")

first_derivative = Exercise(
    what="dg/dx at x = 2",
    reference=3 * X**2,
    factor_hints={
        1 / 3: "the derivative of x³ is 3x²: did you drop the 3, or keep x**2 from the example above?",
        0.5: "the derivative of x³ is 3x² (not 3x), taken at x = 2 (the example above uses x = 3).",
        2: "x.grad adds up: backward() ran twice on the same x. Create x again before calling backward().",
    },
    mistakes=(
        Mistake("x² instead of 3x² (dropped the 3)", X**2, "did you drop the 3"),
        Mistake("the example's x**2 kept: its slope 2x at x = 2", 2 * X, "did you drop the 3"),
        Mistake("the example unchanged: x**2 at x = 3", 2 * 3.0, "taken at x = 2"),
        Mistake("3x instead of 3x²", 3 * X, "not 3x"),
        Mistake("backward() twice on the same x", 2 * 3 * X**2, "x.grad adds up"),
        VALUE_NOT_SLOPE,
        EXAMPLE_X,
        EXAMPLE_GRAD_KEPT,
    ),
    recognised=(VALUE_NOT_SLOPE, EXAMPLE_X, EXAMPLE_GRAD_KEPT),
    success="dg/dx at x = 2 is right: autograd found 3x² = 12 from the code of g alone.",
)
