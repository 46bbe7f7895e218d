"""One shape for the helpers: one name per idea, one seed policy, one rule for dtype errors,
the same contract for both two-layer networks, and no private names shared between modules."""
import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import classification, decision, depth, engine, mlp, toy_data, training
from helpers.validation import SEED_MAX, require_seed

pytestmark = [pytest.mark.timeout(120), pytest.mark.filterwarnings("error")]

HELPERS = Path(__file__).resolve().parent.parent / "helpers"


def names(argument: str) -> str:
    """A regex that finds `argument` as a name of its own in a message (not inside a longer word)."""
    return rf"(?<![\w']){re.escape(argument)}(?![\w'])"


# --------------------------------------------------------------------------- seeds
SEEDED = {
    "mlp.init_params": lambda seed: mlp.init_params(seed=seed),
    "mlp.make_data": lambda seed: mlp.make_data(seed=seed),
    "classification.init_params": lambda seed: classification.init_params(seed=seed),
    "classification.train_classifier": lambda seed: classification.train_classifier(
        *toy_data.spiral_classes(5, 2), n_hidden=4, steps=2, seed=seed),
    "toy_data.two_moons": lambda seed: toy_data.two_moons(10, seed=seed),
    "toy_data.spirals": lambda seed: toy_data.spirals(10, seed=seed),
    "toy_data.spiral_classes": lambda seed: toy_data.spiral_classes(5, seed=seed),
    "depth.base_draws": lambda seed: depth.base_draws(seed=seed),
    "depth.gradient_profile": lambda seed: depth.gradient_profile(3, "tanh", 1.0, seed=seed),
    "engine.random_program": lambda seed: engine.random_program(seed),
}


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, depth.GradientProfile):
        return _same(a.norms, b.norms)
    return a == b


@pytest.mark.parametrize("helper", SEEDED)
def test_every_seeded_helper_follows_one_seed_policy(helper):
    call = SEEDED[helper]
    assert _same(call(3), call(np.int64(3)))                 # any integer type, the same draw
    assert not _same(call(3), call(4))
    assert _same(call(SEED_MAX), call(SEED_MAX))
    for bad in (1.5, 3.0, True, "3", None):                  # never int(1.5), never a torch error
        with pytest.raises(TypeError, match=r"^seed must be an integer ≥ 0 such as 0, got \w+$"):
            call(bad)
    for bad in (-1, SEED_MAX + 1):
        with pytest.raises(ValueError, match="^seed must be between 0 and 18446744073709551615"):
            call(bad)


def test_depth_seed_is_checked_before_the_cache():
    """lru_cache treats True as 1 and 1.0 as 1: a cached draw must not let them through."""
    depth.base_draws(seed=1)
    for bad in (True, 1.0):
        with pytest.raises(TypeError, match="^seed must be"):
            depth.base_draws(seed=bad)


def test_require_seed_returns_a_plain_int():
    value = require_seed("seed", np.uint64(7))
    assert value == 7 and type(value) is int


# --------------------------------------------------------------------------- dtypes: one exception type
WRONG_DTYPE_VALUES = {  # a tensor or dtype of the wrong dtype is a wrong value: ValueError
    "mlp.init_params dtype": (lambda: mlp.init_params(dtype=torch.int64), "dtype"),
    "mlp.make_data dtype": (lambda: mlp.make_data(dtype=torch.float16), "dtype"),
    "mlp.forward params": (lambda: mlp.forward({k: v.long() for k, v in mlp.init_params().items()},
                                               *mlp.make_data()), "params['W1']"),
    "mlp.forward X": (lambda: mlp.forward(mlp.init_params(), mlp.make_data()[0].long(), mlp.make_data()[1]), "X"),
    "mlp.forward X float32": (lambda: mlp.forward(mlp.init_params(), mlp.make_data()[0].float(),
                                                  mlp.make_data()[1]), "X"),
    "classification.init_params dtype": (lambda: classification.init_params(dtype=torch.int64), "dtype"),
    "classification.forward X float32": (lambda: classification.forward(
        classification.init_params(), torch.zeros(3, 2), torch.tensor([0, 1, 2])), "X"),
    "classification.softmax O": (lambda: classification.softmax(torch.tensor([1, 2])), "O"),
    "classification.cross_entropy y": (lambda: classification.cross_entropy(
        torch.zeros(2, 3), torch.tensor([0.0, 1.0])), "y"),
    "classification.one_hot dtype": (lambda: classification.one_hot(torch.tensor([0]), 2, torch.int64), "dtype"),
    "toy_data.two_moons dtype": (lambda: toy_data.two_moons(dtype=torch.int64), "dtype"),
    "decision.boundary_grid X": (lambda: decision.boundary_grid(torch.zeros(3, 2, dtype=torch.int64)), "X"),
}
WRONG_DTYPE_KINDS = {  # not a dtype or not a tensor at all: TypeError
    "mlp.init_params dtype": (lambda: mlp.init_params(dtype="float64"), "dtype"),
    "classification.init_params dtype": (lambda: classification.init_params(dtype="float64"), "dtype"),
    "toy_data.spirals dtype": (lambda: toy_data.spirals(dtype=float), "dtype"),
    "mlp.forward X": (lambda: mlp.forward(mlp.init_params(), [[1.0, 2.0, 3.0]], mlp.make_data()[1]), "X"),
    "classification.softmax O": (lambda: classification.softmax([1.0, 2.0]), "O"),
}


@pytest.mark.parametrize("case", WRONG_DTYPE_VALUES)
def test_a_wrong_dtype_is_a_value_error_everywhere(case):
    call, argument = WRONG_DTYPE_VALUES[case]
    with pytest.raises(ValueError, match=names(argument)):
        call()


@pytest.mark.parametrize("case", WRONG_DTYPE_KINDS)
def test_a_wrong_kind_of_thing_is_a_type_error_everywhere(case):
    call, argument = WRONG_DTYPE_KINDS[case]
    with pytest.raises(TypeError, match=names(argument)):
        call()


# --------------------------------------------------------------------------- the two networks: one contract
NETWORKS = {
    "mlp": (mlp, lambda: mlp.init_params(3, 4, 2, seed=0), lambda: mlp.make_data(5, 3, 2, seed=1)),
    "classification": (classification, lambda: classification.init_params(2, 4, 3, seed=0),
                       lambda: toy_data.spiral_classes(4, 3, seed=0)),
}


@pytest.mark.parametrize("network", NETWORKS)
def test_both_networks_share_one_contract(network):
    module, make_params, make_data = NETWORKS[network]
    for name in ("init_params", "forward", "backward", "autograd_grads", "ACTIVATIONS" if module is mlp else "Forward"):
        assert hasattr(module, name), name
    assert list(inspect.signature(module.init_params).parameters)[:3] == ["n_in", "n_hidden",
                                                                         "n_out" if module is mlp else "n_classes"]
    assert {"seed", "dtype"} <= set(inspect.signature(module.init_params).parameters)
    assert list(inspect.signature(module.forward).parameters)[:2] == ["params", "X"]
    assert list(inspect.signature(module.backward).parameters)[:2] == ["params", "fwd"]
    assert list(inspect.signature(module.autograd_grads).parameters)[:2] == ["params", "X"]

    params, (X, targets) = make_params(), make_data()
    fwd = module.forward(params, X, targets)
    assert isinstance(fwd, module.Forward) and fwd.J.ndim == 0
    reordered = dict(reversed(list(params.items())))
    manual = module.backward(reordered, module.forward(reordered, X, targets))
    auto = module.autograd_grads(reordered, X, targets)
    assert list(manual) == list(auto) == list(reordered)         # grads come in params' order
    for k in params:
        torch.testing.assert_close(manual[k], auto[k], rtol=1e-12, atol=1e-14)
    with pytest.raises(TypeError, match=names("fwd")):
        module.backward(params, "fwd")
    other = NETWORKS["classification" if module is mlp else "mlp"]
    with pytest.raises(TypeError, match=names("fwd")):           # the other network's Forward is not this one's
        module.backward(params, other[0].forward(other[1](), *other[2]()))


def test_activation_tables_map_a_name_to_the_function_and_its_derivative():
    a = np.linspace(-4, 4, 17)
    for table, wrap in ((mlp.ACTIVATIONS, torch.from_numpy), (depth.ACTIVATIONS, lambda v: v)):
        assert isinstance(table, dict)
        for name, (phi, dphi) in table.items():
            t = torch.tensor(a, requires_grad=True)
            reference = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[name]
            (slope,) = torch.autograd.grad(reference(t).sum(), t)
            np.testing.assert_allclose(np.asarray(phi(wrap(a))), reference(t).detach().numpy(), rtol=1e-14, atol=1e-15)
            np.testing.assert_allclose(np.asarray(dphi(wrap(a))), slope.numpy(), rtol=1e-14, atol=1e-15)
    assert set(mlp.ACTIVATIONS) <= set(depth.ACTIVATIONS)


# --------------------------------------------------------------------------- one name per idea
def test_one_name_per_idea():
    """Names that meant two things now say which: each exists once, in its own module."""
    assert not hasattr(training, "classify") and not hasattr(depth, "classify")
    assert callable(training.trajectory_status) and callable(depth.gradient_status)
    assert not hasattr(decision, "accuracy") and callable(decision.binary_accuracy)
    assert not hasattr(engine, "backward_steps") and not hasattr(engine, "BackwardStep")
    assert callable(engine.trace_backward) and callable(mlp.backward_steps)
    assert not hasattr(classification, "init_classifier") and not hasattr(classification, "Cache")


def _private_imports(path: Path) -> list[str]:
    """`from helpers.x import _name` and `helpers.x._name` in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return found


def test_no_private_names_are_imported_across_helper_modules():
    # helpers/exercises.py and helpers/checks/ are being restructured separately (checks/lesson03
    # imports exercises._describe_args); every other module is scanned
    checked = [p for p in HELPERS.rglob("*.py") if "checks" not in p.parts and p.name != "exercises.py"]
    assert len(checked) > 15
    offenders = {str(p.relative_to(HELPERS)): _private_imports(p) for p in checked}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_private_import_scan_finds_one(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from helpers.gradients import _point, rel_error\n", encoding="utf-8")
    assert _private_imports(sample) == ["helpers.gradients._point"]
