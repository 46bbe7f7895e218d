"""Lesson 07's exercises (custom autograd Functions) and their common mistakes.

A learner writes the backward of a `torch.autograd.Function`. The check runs it through
`gradients_through`: the forward on fresh copies of the inputs, then the backward with a
*random*, seeded grad_output G (J = Σ output ⊙ G, so ∂J/∂output = G), and compares the
gradients autograd hands back with those of PyTorch's own operation. With G = ones a backward
that ignores `grad_output` would pass; with a random G it fails with its own hint.

G is an argument of the checked function and autograd hands that very tensor to the learner's
backward, so a backward that changes `grad_output` in place (``grad_output[x < 0] = 0``) fails
with the exercises' "changed its argument grad_output in place" message, even though the
gradient it returns is right: in a real graph autograd may hand the same tensor to other
functions too. tests/test_factor_hints.py feeds each mistake to its check.
"""
import torch
import torch.nn.functional as F

from helpers.exercises import Exercise, Mistake, seeded_inputs
from helpers.i18n import message

SEED_G = 6
GRAD_OUTPUT_IGNORED = ("grad_output is ignored: the backward must multiply its local derivative by "
                       "grad_output (G), the gradient that arrives from after the Function")
IN_PLACE = "changed its argument grad_output in place"


def gradients_through(function):
    """A function of (*inputs, grad_output) that returns the gradients `function` passes back.

    `function` is a `torch.autograd.Function` subclass (its `apply` is used) or a plain
    differentiable function. The returned function runs output = function(*inputs) on fresh
    copies of the inputs, then output.backward(grad_output) (grad_output must have the output's
    shape), and returns ∂J/∂input for J = Σ output ⊙ grad_output, for every input (a tuple; one
    tensor for one input); None where no gradient arrived. grad_output itself reaches the
    Function's backward, unchanged by autograd.
    """
    if isinstance(function, type) and issubclass(function, torch.autograd.Function):
        function = function.apply
    if not callable(function):
        raise TypeError(message("function must be a torch.autograd.Function or a function, got {kind}",
                                kind=type(function).__name__))

    def gradients(*args):
        if len(args) < 2 or not all(isinstance(a, torch.Tensor) for a in args):
            raise TypeError(message("gradients_through(...) takes the input tensors and then grad_output, all tensors"))
        *inputs, grad_output = args
        leaves = [t.detach().clone().requires_grad_() for t in inputs]
        output = function(*leaves)
        if not isinstance(output, torch.Tensor) or output.shape != grad_output.shape:
            raise ValueError(message("grad_output must have the shape of the output, {want}, got {got}",
                                     want=tuple(getattr(output, "shape", ())), got=tuple(grad_output.shape)))
        output.backward(grad_output)
        grads = tuple(leaf.grad for leaf in leaves)
        return grads[0] if len(grads) == 1 else grads

    return gradients


def _with_grad_output(make_inputs, output_shape):
    """Seeded argument tuples: the inputs from `make_inputs(gen)`, then a random G of the output's shape."""
    def make(gen):
        inputs = make_inputs(gen)
        G = torch.randn(output_shape(*inputs), dtype=torch.float64, generator=gen)
        return (*inputs, G)
    return make


def _function(forward, backward, save=lambda inputs, output: inputs):
    """A Function class from a forward, a backward(*saved, grad_output) and what to save."""
    return type("Mistake", (torch.autograd.Function,), {
        "forward": staticmethod(forward),
        "setup_context": staticmethod(lambda ctx, inputs, output: ctx.save_for_backward(*save(inputs, output))),
        "backward": staticmethod(lambda ctx, grad_output: backward(*ctx.saved_tensors, grad_output)),
    })


def _through(forward, backward, save=lambda inputs, output: inputs):
    return gradients_through(_function(forward, backward, save))


def _masked_in_place(x, G):
    G[x < 0] = 0            # what PyTorch's own ReLU example avoids by cloning first
    return G


def _times_in_place(G, factor):
    return G.mul_(factor)


_matrices = seeded_inputs(_with_grad_output(lambda g: (torch.randn(4, 2, dtype=torch.float64, generator=g),),
                                            lambda x: x.shape), n=3, seed=0)

# ---------------------------------------------------------------- Your turn 1: Square
_square = lambda x: x * x  # noqa: E731
_SQUARE_MISTAKES = (
    Mistake("G · x: the 2 dropped", _through(_square, lambda x, G: G * x), "drop the 2"),
    Mistake("2x: grad_output ignored", _through(_square, lambda x, G: 2 * x), GRAD_OUTPUT_IGNORED),
    Mistake("G · x²: the forward again", _through(_square, lambda x, G: G * x * x),
            "that is G times the forward's x²; the backward needs G times the derivative, 2x"),
    Mistake("2 · G: the x dropped", _through(_square, lambda x, G: 2 * G),
            "d(x²)/dx = 2x: the x is missing, the backward returns 2G"),
    Mistake("G alone: the slope taken as 1", _through(_square, lambda x, G: G),
            "G passes unchanged, as if d(x²)/dx were 1; it is 2x"),
    Mistake("grad_output changed in place", _through(_square, lambda x, G: _times_in_place(G, 2 * x)), IN_PLACE),
)
square = Exercise(
    what="Square's backward",
    reference=gradients_through(torch.square),
    inputs=_matrices,
    arg_names=("x", "grad_output"),
    factor_hints={0.5: "d(x²)/dx = 2x: did you drop the 2?"},
    mistakes=_SQUARE_MISTAKES,
    recognised=_SQUARE_MISTAKES[1:5],
)

# ---------------------------------------------------------------- Your turn 4: ReLU
_relu = lambda x: x.clamp(min=0)  # noqa: E731
_RELU_MISTAKES = (
    Mistake("G everywhere (no mask)", _through(_relu, lambda x, G: G),
            "G passes everywhere: block it (0) where x < 0, where relu is flat"),
    Mistake("the mask alone: grad_output ignored", _through(_relu, lambda x, G: (x > 0).to(x.dtype)),
            GRAD_OUTPUT_IGNORED),
    Mistake("the mask reversed (x < 0)", _through(_relu, lambda x, G: G * (x < 0)),
            "the mask is reversed: relu passes G where x > 0 and blocks it where x < 0"),
    Mistake("the mask taken from grad_output's sign", _through(_relu, lambda x, G: G.clamp(min=0)),
            "the mask must come from the input x saved in setup_context, not from the sign of grad_output: "
            "pass G where x > 0"),
    Mistake("relu(x) · G: the forward again", _through(_relu, lambda x, G: x.clamp(min=0) * G),
            "that is G times relu(x), the forward's value; the backward needs G times relu's slope, "
            "1 where x > 0 and 0 elsewhere"),
    Mistake("grad_output[x < 0] = 0 in place", _through(_relu, _masked_in_place), IN_PLACE),
)
relu = Exercise(
    what="MyReLU's backward",
    reference=gradients_through(torch.relu),
    inputs=_matrices,
    arg_names=("x", "grad_output"),
    mistakes=_RELU_MISTAKES,
    recognised=_RELU_MISTAKES[:5],
)

# ---------------------------------------------------------------- Your turn 2: find the bug in Mul
_mul = lambda a, b: a * b  # noqa: E731
_MUL_MISTAKES = (
    Mistake("the bug left in: G·a for a, G·b for b", _through(_mul, lambda a, b, G: (G * a, G * b)),
            "the gradients are still those of the cell as given: run gradcheck(Mul.apply, ...) on float64 "
            "inputs and compare ∂(a ⊙ b)/∂a with what the backward returns for a"),
    Mistake("grad_output ignored: (b, a)", _through(_mul, lambda a, b, G: (b, a)), GRAD_OUTPUT_IGNORED),
    Mistake("only a's gradient fixed", _through(_mul, lambda a, b, G: (G * b, G * b)),
            "a's gradient is fixed, b's is still G ⊙ b: ∂(a ⊙ b)/∂b = a, so it is G ⊙ a"),
    Mistake("only b's gradient fixed", _through(_mul, lambda a, b, G: (G * a, G * a)),
            "b's gradient is fixed, a's is still G ⊙ a: ∂(a ⊙ b)/∂a = b, so it is G ⊙ b"),
)
mul = Exercise(
    what="Mul's backward",
    reference=gradients_through(torch.mul),
    inputs=seeded_inputs(_with_grad_output(lambda g: (torch.randn(3, dtype=torch.float64, generator=g),
                                                      torch.randn(3, dtype=torch.float64, generator=g)),
                                           lambda a, b: a.shape), n=3, seed=0),
    arg_names=("a", "b", "grad_output"),
    parts=("a's gradient", "b's gradient"),
    mistakes=_MUL_MISTAKES,
    recognised=_MUL_MISTAKES,
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


_LS_MISTAKES = (
    Mistake("grad_output ignored (G taken as ones)", _linear_sigmoid_with(
        lambda X, W, S, G: _right(X, W, S, G, gZ=S * (1 - S))), GRAD_OUTPUT_IGNORED),
    Mistake("σ′ forgotten: the linear layer's backward alone", _linear_sigmoid_with(
        lambda X, W, S, G: _right(X, W, S, G, gZ=G)),
        "the sigmoid's slope is missing: first G_Z = G ⊙ S(1 − S), then the linear layer's three formulas"),
    Mistake("σ′ as S, not S(1 − S)", _linear_sigmoid_with(
        lambda X, W, S, G: _right(X, W, S, G, gZ=G * S)), "the sigmoid's slope is S(1 − S), not S"),
    Mistake("σ′ as σ(S)(1 − σ(S)): the sigmoid applied twice", _linear_sigmoid_with(
        lambda X, W, S, G: _right(X, W, S, G, gZ=G * torch.sigmoid(S) * (1 - torch.sigmoid(S)))),
        "S is already σ(Z), so σ′(Z) = S(1 − S); σ(S)(1 − σ(S)) applies the sigmoid a second time"),
    Mistake("bias gradient averaged", _linear_sigmoid_with(
        lambda X, W, S, G: (*_right(X, W, S, G)[:2], (G * S * (1 - S)).mean(dim=0))), "do not average"),
    Mistake("weight gradient averaged", _linear_sigmoid_with(
        lambda X, W, S, G: (_right(X, W, S, G)[0], _right(X, W, S, G)[1] / X.shape[0], _right(X, W, S, G)[2])),
        "do not average"),
    Mistake("grad_weight as Xᵀ(∂J/∂Z): transposed", _linear_sigmoid_with(
        lambda X, W, S, G: (G * S * (1 - S) @ W, X.T @ (G * S * (1 - S)), (G * S * (1 - S)).sum(dim=0))),
        "grad_weight must have W's shape (out, in)"),
    Mistake("grad_output changed in place", _linear_sigmoid_with(
        lambda X, W, S, G: _right(X, W, S, G, gZ=_times_in_place(G, S * (1 - S)))), IN_PLACE),
)
linear_sigmoid_backward = Exercise(
    what="LinearSigmoid's backward",
    reference=gradients_through(linear_sigmoid),
    inputs=seeded_inputs(_with_grad_output(lambda g: (torch.randn(5, 3, dtype=torch.float64, generator=g),
                                                      torch.randn(2, 3, dtype=torch.float64, generator=g),
                                                      torch.randn(2, dtype=torch.float64, generator=g)),
                                           lambda X, W, b: (X.shape[0], W.shape[0])), n=3, seed=3),
    arg_names=("input", "weight", "bias", "grad_output"),
    parts=("grad_input", "grad_weight", "grad_bias"),
    factor_hints={1 / 5: "each of the N = 5 samples adds its share to the weight and the bias: add the shares up "
                         "(a sum over the rows of G_Z), do not average them."},
    error_hints=((r"invalid gradient at index 1",
                  "grad_weight must have W's shape (out, in): the shapes say G_Zᵀ X, not Xᵀ G_Z."),),
    mistakes=_LS_MISTAKES,
    recognised=_LS_MISTAKES[:4],
    success="LinearSigmoid's backward is right on all 3 test inputs, with a random G.",
)

# ---------------------------------------------------------------- Your turn 3: needs_input_grad
_NEEDS_MISTAKES = (
    Mistake("the second layer's input taken for data", ((False, True, True), (False, True, True)),
            "the second layer's input is not the data: it is tanh of the first layer's output, which depends "
            "on the first layer's weight and bias, so autograd needs its gradient"),
    Mistake("the frozen first layer changes nothing", ((True, True, True), (True, True, True)),
            "with the first layer frozen, nothing before the second layer needs a gradient, so neither "
            "does its input"),
    Mistake("freezing the first layer freezes the second too", ((True, True, True), (False, False, False)),
            "freezing the first layer leaves the second layer's weight and bias trainable: they still "
            "need gradients"),
)
needs_input_grad = Exercise(
    what="needs",
    reference=((True, True, True), (False, True, True)),
    parts=("the second layer's needs_input_grad", "the second layer's needs_input_grad with the first frozen"),
    mistakes=_NEEDS_MISTAKES,
    recognised=_NEEDS_MISTAKES,
    success="needs is right: the second layer's input needs a gradient exactly when something before it is trained.",
)
