"""Lesson 07's exercises (custom autograd Functions) and their common mistakes.

A learner writes the backward of a `torch.autograd.Function`. The check runs it through
`gradients_through`: J = Σ output ⊙ G with a *random*, seeded G, so ∂J/∂output = G, and the
gradients autograd hands back are compared with those of PyTorch's own operation. With
G = ones a backward that ignores `grad_output` would pass; with a random G it fails, and the
mistakes below prove it. tests/test_factor_hints.py feeds each mistake to its check.
"""
import torch
import torch.nn.functional as F

from helpers.exercises import Exercise, Mistake, seeded_inputs

SEED_G = 6


def gradients_through(function):
    """A function of the inputs that returns the gradients `function` passes back.

    `function` is a `torch.autograd.Function` subclass (its `apply` is used) or a plain
    differentiable function. For J = Σ function(*inputs) ⊙ G, with G random (seeded, the
    output's shape), it returns ∂J/∂input for every input (a tuple; one tensor for one
    input), computed on fresh copies; None where no gradient arrived.
    """
    if isinstance(function, type) and issubclass(function, torch.autograd.Function):
        function = function.apply
    if not callable(function):
        raise TypeError(f"function must be a torch.autograd.Function or a function, got {type(function).__name__}")

    def gradients(*inputs):
        leaves = [t.detach().clone().requires_grad_() for t in inputs]
        output = function(*leaves)
        G = torch.randn(output.shape, dtype=output.dtype, generator=torch.Generator().manual_seed(SEED_G))
        (output * G).sum().backward()
        grads = tuple(leaf.grad for leaf in leaves)
        return grads[0] if len(grads) == 1 else grads

    return gradients


def _function(forward, backward, save=lambda inputs, output: inputs):
    """A Function class from a forward, a backward(saved, grad_output) and what to save."""
    return type("Mistake", (torch.autograd.Function,), {
        "forward": staticmethod(forward),
        "setup_context": staticmethod(lambda ctx, inputs, output: ctx.save_for_backward(*save(inputs, output))),
        "backward": staticmethod(lambda ctx, grad_output: backward(*ctx.saved_tensors, grad_output)),
    })


def _through(forward, backward, save=lambda inputs, output: inputs):
    return gradients_through(_function(forward, backward, save))


_matrices = seeded_inputs(lambda g: (torch.randn(4, 2, dtype=torch.float64, generator=g),), n=3, seed=0)

# ---------------------------------------------------------------- Your turn 1: Square
_square = lambda x: x * x  # noqa: E731

square = Exercise(
    what="Square's backward",
    reference=gradients_through(torch.square),
    inputs=_matrices,
    factor_hints={0.5: "d(x²)/dx = 2x: did you drop the 2?"},
    mistakes=(
        Mistake("G · x: the 2 dropped", _through(_square, lambda x, G: G * x), "drop the 2"),
        Mistake("2x: grad_output ignored", _through(_square, lambda x, G: 2 * x), None),
        Mistake("G · x²: the forward again", _through(_square, lambda x, G: G * x * x), None),
    ),
)

# ---------------------------------------------------------------- Your turn 2: ReLU
_relu = lambda x: x.clamp(min=0)  # noqa: E731

relu = Exercise(
    what="MyReLU's backward",
    reference=gradients_through(torch.relu),
    inputs=_matrices,
    mistakes=(
        Mistake("G everywhere (no mask)", _through(_relu, lambda x, G: G), None),
        Mistake("the mask alone: grad_output ignored", _through(_relu, lambda x, G: (x > 0).to(x.dtype)), None),
        Mistake("the mask reversed (x < 0)", _through(_relu, lambda x, G: G * (x < 0)), None),
    ),
)

# ---------------------------------------------------------------- Your turn 3: find the bug in Mul
_mul = lambda a, b: a * b  # noqa: E731

mul = Exercise(
    what="Mul's backward",
    reference=gradients_through(torch.mul),
    inputs=seeded_inputs(lambda g: (torch.randn(3, dtype=torch.float64, generator=g),
                                    torch.randn(3, dtype=torch.float64, generator=g)), n=3, seed=0),
    mistakes=(
        Mistake("the bug left in: G·a for a, G·b for b", _through(_mul, lambda a, b, G: (G * a, G * b)), None),
        Mistake("grad_output ignored: (b, a)", _through(_mul, lambda a, b, G: (b, a)), None),
    ),
)

# ---------------------------------------------------------------- Your turn 4: needs_input_grad
needs_input_grad = Exercise(
    what="needs_input_grad",
    reference=(False, True, True),
    mistakes=(
        Mistake("every input needs a gradient", (True, True, True), None),
        Mistake("the bias needs none", (False, True, False), None),
    ),
)


# ---------------------------------------------------------------- Your turn 5: a linear layer with a sigmoid
def linear_sigmoid(input, weight, bias):
    """σ(X Wᵀ + b), from PyTorch's operations: the reference for `LinearSigmoid`."""
    return torch.sigmoid(F.linear(input, weight, bias))


def _linear_sigmoid_forward(input, weight, bias):
    return torch.sigmoid(input @ weight.T + bias)


def _save_x_w_y(inputs, output):
    return inputs[0], inputs[1], output


def _linear_sigmoid_with(rule):
    """The Function with backward `rule(X, W, S, G)`; S = σ(X Wᵀ + b) is the saved output."""
    return _through(_linear_sigmoid_forward, rule, _save_x_w_y)


def _right(X, W, S, G, gZ=None):
    gZ = G * S * (1 - S) if gZ is None else gZ
    return gZ @ W, gZ.T @ X, gZ.sum(dim=0)


linear_sigmoid_backward = Exercise(
    what="LinearSigmoid's backward",
    reference=gradients_through(linear_sigmoid),
    inputs=seeded_inputs(lambda g: (torch.randn(5, 3, dtype=torch.float64, generator=g),
                                    torch.randn(2, 3, dtype=torch.float64, generator=g),
                                    torch.randn(2, dtype=torch.float64, generator=g)), n=3, seed=3),
    factor_hints={1 / 5: "the bias is used once per sample: add up (sum) the N rows of ∂J/∂Z, do not average them"},
    mistakes=(
        Mistake("grad_output ignored (G taken as ones)", _linear_sigmoid_with(
            lambda X, W, S, G: _right(X, W, S, G, gZ=S * (1 - S))), None),
        Mistake("σ′ forgotten: the linear layer's backward alone", _linear_sigmoid_with(
            lambda X, W, S, G: _right(X, W, S, G, gZ=G)), None),
        Mistake("σ′ as S, not S(1 − S)", _linear_sigmoid_with(
            lambda X, W, S, G: _right(X, W, S, G, gZ=G * S)), None),
        Mistake("bias gradient averaged", _linear_sigmoid_with(
            lambda X, W, S, G: (*_right(X, W, S, G)[:2], (G * S * (1 - S)).mean(dim=0))), "do not average"),
        Mistake("grad_weight as Xᵀ(∂J/∂Z): transposed", _linear_sigmoid_with(
            lambda X, W, S, G: (G * S * (1 - S) @ W, X.T @ (G * S * (1 - S)), (G * S * (1 - S)).sum(dim=0))),
            "invalid gradient at index 1"),
    ),
    success="LinearSigmoid's backward is right on all 3 test inputs, with a random G.",
)
