"""Every public helper under a learner's mistakes: a result, or a TypeError/ValueError that names
the argument that was wrong. Nothing else: no KeyError, no traceback from inside NumPy or torch.

Each helper has a valid call (its baseline, itself tested below); hypothesis replaces one or two of
its arguments with something a learner might pass by mistake (None, a string, a bool, NaN, inf, a
huge or negative number, a list for a tensor, a tensor of the wrong dtype, shape or device state, a
function that returns junk) or a near miss of the right value (the tensor transposed, in float32,
with a NaN, requiring grad, empty). The run is deterministic (derandomize=True, no example
database), has a bounded number of examples per helper and a deadline per example, and every test
has a timeout, so it cannot hang. `test_every_public_helper_is_fuzzed_or_excused` keeps the list
complete: a new public helper must join the fuzz or be excused here with a reason.
"""
from __future__ import annotations

import importlib
import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import classification as C
from helpers import columns, decision, depth, derivatives, engine, gradients, graph, mlp, plotting, symbolic
from helpers import toy_data, training
from helpers.widgets import BlitFigureView, FigureView, status_html
from helpers.widgets.depth_explorer import DepthExplorer
from helpers.widgets.engine_stepper import EngineStepper
from helpers.widgets.explorer import LearningRateExplorer, check_start
from helpers.widgets.predict import parse_shape, parse_value
from helpers.widgets.setup_demo import SquareSlider, square_text
from helpers.widgets.slope import SlopeExplorer
from helpers.widgets.stepper import BackwardStepper

pytestmark = pytest.mark.timeout(240)

MODULES = ["classification", "columns", "decision", "depth", "derivatives", "engine", "gradients", "graph", "mlp",
           "plotting", "symbolic", "toy_data", "training", "widgets", "widgets.depth_explorer",
           "widgets.engine_stepper", "widgets.explorer", "widgets.predict", "widgets.setup_demo",
           "widgets.slope", "widgets.stepper"]
# Not fuzzed, and why. (helpers/__init__, kernel, env_check, exercises and checks are other
# engineers' modules and are not in MODULES.)
EXCUSED = {
    "plotting.use_house_style": "no arguments (the lead's kernel-wide setting)",
    "plotting.inline_backend": "no arguments (the lead's kernel-wide setting)",
    "symbolic.torch_functions": "no arguments",
    "widgets.quiet_numerics": "no arguments",
    "widgets.predict.PredictionBox": "no arguments",
    "gradients.LowPrecisionWarning": "a warning class",
    "plotting.house_style": "no arguments (a matplotlib rc context)",
    "mlp.plot_difference_errors": "draws an ErrorCurve that difference_error_curve (fuzzed) made",
    **{name: "a record (dataclass) that helpers return; nothing to check" for name in (
        "depth.ActivationStats", "derivatives.CentralErrorModel", "mlp.ErrorCurve",
        "widgets.engine_stepper.Question")},
    **{name: "a record (dataclass) that helpers return; nothing to check" for name in (
        "classification.Forward", "mlp.Forward", "mlp.DifferenceErrors", "mlp.BackwardStep",
        "depth.GradientProfile", "derivatives.ErrorVsH", "engine.BackwardCall", "gradients.GradientComparison",
        "graph.GraphNode", "graph.GraphEdge", "graph.AutogradGraph", "symbolic.ThreeWayRow",
        "symbolic.ThreeWayTable", "training.Trajectory", "widgets.explorer.AxisLimits",
        "widgets.explorer.PlotData")},
}


# --------------------------------------------------------------------------- valid inputs
def _spiral():
    return toy_data.spiral_classes(4, 3, seed=0)


def _moons():
    return toy_data.two_moons(16, seed=0, dtype=torch.float64)


def _predict(points):
    return torch.sigmoid(points[:, 0] - points[:, 1])


def _engine_root():
    a, b = engine.Value(2.0), engine.Value(-3.0)
    return (a * b + a) ** 2


def _autograd_output():
    w = torch.tensor(3.0, requires_grad=True)
    return (w * 2.0 - 6.5) ** 2


def _mlp_fwd():
    return mlp.forward(mlp.init_params(), *mlp.make_data(), 0.1)


def _c_fwd():
    return C.forward(C.init_params(2, 4, 3), *_spiral())


def _tables():
    return [["W1", "good"], ["b", "wrong"]]


def _enter_closed_on_error(fig):
    with plotting.closed_on_error(fig):
        pass


def _enter_axes_for(ax):
    with plotting.axes_for(ax) as drawn_on:
        return drawn_on


@dataclass
class Helper:
    call: Callable
    make: Callable[[], dict]              # the valid arguments, by name, made fresh for each example
    examples: int = 25
    aliases: dict = field(default_factory=dict)  # argument → other words its messages may use


def _log_axis():
    fig, ax = plotting.new_figure()
    ax.set_yscale("log")
    return ax.yaxis


HELPERS: dict[str, Helper] = {
    # classification
    "classification.softmax": Helper(C.softmax, lambda: {"O": 3 * torch.randn(4, 3, dtype=torch.float64)}),
    "classification.log_softmax": Helper(C.log_softmax, lambda: {"O": 3 * torch.randn(4, 3, dtype=torch.float64)}),
    "classification.one_hot": Helper(C.one_hot, lambda: {"y": torch.tensor([0, 2, 1]), "num_classes": 3,
                                                         "dtype": torch.float64}),
    "classification.cross_entropy": Helper(C.cross_entropy, lambda: {"O": torch.randn(3, 3, dtype=torch.float64),
                                                                     "y": torch.tensor([0, 2, 1])}),
    "classification.cross_entropy_grad": Helper(C.cross_entropy_grad, lambda: {
        "O": torch.randn(3, 3, dtype=torch.float64), "y": torch.tensor([0, 2, 1])}),
    "classification.init_params": Helper(C.init_params, lambda: {"n_in": 2, "n_hidden": 4, "n_classes": 3,
                                                                 "seed": 0, "dtype": torch.float64}),
    "classification.forward": Helper(C.forward, lambda: {"params": C.init_params(2, 4, 3),
                                                         **dict(zip("Xy", _spiral()))}),
    "classification.backward": Helper(C.backward, lambda: {"params": C.init_params(2, 4, 3), "fwd": _c_fwd()}),
    "classification.autograd_grads": Helper(C.autograd_grads, lambda: {"params": C.init_params(2, 4, 3),
                                                                       **dict(zip("Xy", _spiral()))}),
    "classification.train_classifier": Helper(C.train_classifier, lambda: {
        **dict(zip("Xy", _spiral())), "n_hidden": 4, "steps": 3, "lr": 0.5, "seed": 0}),
    "classification.predict_classes": Helper(C.predict_classes, lambda: {"params": C.init_params(2, 4, 3),
                                                                         "X": _spiral()[0]}),
    "classification.accuracy": Helper(C.accuracy, lambda: {"params": C.init_params(2, 4, 3),
                                                           **dict(zip("Xy", _spiral()))}),
    "classification.plot_decision_regions": Helper(C.plot_decision_regions, lambda: {
        "params": C.init_params(2, 4, 3), **dict(zip("Xy", _spiral())), "ax": None, "resolution": 8,
        "title": None}, examples=12),
    "classification.classifier_figure": Helper(C.classifier_figure, lambda: {
        "params": C.init_params(2, 4, 3), "losses": [1.0, 0.5], **dict(zip("Xy", _spiral())), "resolution": 8},
        examples=12),
    # decision
    # columns
    "columns.text_width": Helper(columns.text_width, lambda: {"text": "损失 loss"}),
    "columns.pad": Helper(columns.pad, lambda: {"text": "损失 loss", "width": 12, "align": ">"}),
    "decision.boundary_grid": Helper(decision.boundary_grid, lambda: {"X": _moons()[0], "resolution": 8,
                                                                      "margin": 0.5}),
    "decision.predict_proba": Helper(decision.predict_proba, lambda: {
        "predict": _predict, "points": decision.boundary_grid(_moons()[0], 4)[2]}),
    "decision.binary_accuracy": Helper(decision.binary_accuracy, lambda: {"predict": _predict,
                                                                          **dict(zip("Xy", _moons()))}),
    "decision.plot_decision_boundary": Helper(decision.plot_decision_boundary, lambda: {
        "predict": _predict, **dict(zip("Xy", _moons())), "ax": None, "resolution": 8, "title": None},
        examples=12),
    "decision.plot_loss_with_title": Helper(decision.plot_loss_with_title, lambda: {
        "losses": [0.7, 0.3], "title": None, "ax": None, "label": None, "ylabel": "loss"}, examples=12),
    "decision.training_figure": Helper(decision.training_figure, lambda: {
        "curves": {"mine": [0.7, 0.3]}, "predict": _predict, **dict(zip("Xy", _moons())), "resolution": 8},
        examples=12),
    # depth
    **{f"depth.{name}": Helper(getattr(depth, name), lambda: {"a": np.linspace(-2, 2, 5)}, examples=10)
       for name in ("sigmoid", "dsigmoid", "tanh", "dtanh", "relu", "drelu")},
    "depth.base_draws": Helper(depth.base_draws, lambda: {"width": 8, "batch": 4, "seed": 0}),
    "depth.weights": Helper(depth.weights, lambda: {"depth": 3, "gain": 1.0, "width": 8, "seed": 0}),
    "depth.gradient_status": Helper(depth.gradient_status, lambda: {"norms": [1.0, 0.5]}),
    "depth.gradient_profile": Helper(depth.gradient_profile, lambda: {
        "depth": 3, "activation": "tanh", "gain": 1.0, "residual": False, "width": 8, "seed": 0}),
    "depth.gradient_profiles": Helper(depth.gradient_profiles, lambda: {
        "depth": 3, "activation": "tanh", "gains": [0.5, "Xavier"], "residual": False, "width": 8, "seed": 0}),
    "depth.autograd_norms": Helper(depth.autograd_norms, lambda: {
        "depth": 3, "activation": "relu", "gain": 1.0, "residual": True, "width": 8, "seed": 0}),
    "depth.factor_bounds": Helper(depth.factor_bounds, lambda: {
        "depth": 3, "activation": "sigmoid", "gain": 1.0, "spectral_norm": None, "width": 8, "seed": 0}),
    "depth.scheme_table": Helper(depth.scheme_table, lambda: {"depth": 3, "width": 8, "seed": 0}),
    "depth.normalised_ratio": Helper(depth.normalised_ratio, lambda: {
        "depth": 3, "activation": "tanh", "gain": 1.0, "width": 8, "seed": 0}),
    "depth.profiles_figure": Helper(depth.profiles_figure, lambda: {"depth": 3, "width": 8, "seed": 0},
                                    examples=8),
    "depth.residual_figure": Helper(depth.residual_figure, lambda: {
        "depth": 3, "activation": "sigmoid", "gain": "Xavier", "width": 8, "seed": 0}, examples=8),
    # derivatives
    "derivatives.estimate_slope": Helper(derivatives.estimate_slope, lambda: {
        "f": torch.sin, "x0": 1.0, "h": 1e-3, "dtype": torch.float64, "method": "central"}),
    "derivatives.error_vs_h": Helper(derivatives.error_vs_h, lambda: {
        "f": torch.sin, "df": torch.cos, "x0": 1.0, "hs": [1e-3, 1e-5], "dtype": torch.float64}),
    "derivatives.exact_slope": Helper(derivatives.exact_slope, lambda: {"df": torch.cos, "x0": 1.0}),
    "derivatives.plot_error_vs_h": Helper(derivatives.plot_error_vs_h, lambda: {
        "results": derivatives.error_vs_h(torch.sin, torch.cos, 1.0, [1e-3, 1e-5]), "ax": None, "title": None},
        examples=10),
    "derivatives.line_through": Helper(derivatives.line_through, lambda: {
        "x0": 1.0, "y0": 2.0, "slope": 3.0, "half_width": 0.5}),
    "derivatives.plot_tangent": Helper(derivatives.plot_tangent, lambda: {
        "f": torch.sin, "x0": 1.0, "df": None, "h": 0.1, "xlim": (-3.0, 3.0), "ax": None, "title": None},
        examples=12),
    # engine
    "engine.Value": Helper(lambda data: engine.Value(data), lambda: {"data": 2.0}),
    "engine.Value + other": Helper(lambda other: engine.Value(2.0) + other, lambda: {"other": 3.0},
                                   aliases={"other": ["the other operand"]}),
    "engine.Value * other": Helper(lambda other: engine.Value(2.0) * other, lambda: {"other": 3.0},
                                   aliases={"other": ["the other operand"]}),
    "engine.Value / other": Helper(lambda other: engine.Value(2.0) / other, lambda: {"other": 3.0},
                                   aliases={"other": ["the other operand"]}),
    "engine.Value ** k": Helper(lambda k: engine.Value(2.0) ** k, lambda: {"k": 3.0},
                                aliases={"k": ["the exponent", "exponent"]}),
    "engine.topological_order": Helper(engine.topological_order, lambda: {"root": _engine_root()}),
    "engine.zero_grad": Helper(engine.zero_grad, lambda: {"root": _engine_root()}),
    "engine.trace_backward": Helper(engine.trace_backward, lambda: {"root": _engine_root()}),
    "engine.node_names": Helper(engine.node_names, lambda: {"root": _engine_root(), "names": None}),
    "engine.value_graph": Helper(engine.value_graph, lambda: {"root": _engine_root(), "names": None,
                                                              "digits": 4}),
    "engine.random_program": Helper(engine.random_program, lambda: {"seed": 0, "n_inputs": 3, "n_ops": 5}),
    "engine.run_program": Helper(engine.run_program, lambda: {
        "program": engine.random_program(0, 3, 5), "inputs": [engine.Value(0.5), engine.Value(-1.0),
                                                             engine.Value(1.5)]}),
    "engine.program_text": Helper(engine.program_text, lambda: {"program": engine.random_program(0, 3, 5),
                                                                "n_inputs": 3}),
    # gradients
    "gradients.warn_if_low_precision": Helper(gradients.warn_if_low_precision, lambda: {
        "what": "x", "dtype": torch.float64, "fix": "x.double()", "stacklevel": 2}),
    "gradients.forward_difference": Helper(gradients.forward_difference, lambda: {
        "f": lambda x: x ** 3, "x": 1.0, "h": 1e-5}),
    "gradients.central_difference": Helper(gradients.central_difference, lambda: {
        "f": lambda x: (x ** 2).sum(), "x": torch.tensor([1.0, 2.0], dtype=torch.float64), "h": 1e-5}),
    "gradients.numeric_grad": Helper(gradients.numeric_grad, lambda: (lambda w: {
        "f": lambda: (w ** 2).sum(), "params": {"w": w}, "h": 1e-5})(torch.tensor([1.0, 2.0], dtype=torch.float64))),
    "gradients.rel_error": Helper(gradients.rel_error, lambda: {"a": [1.0, 2.0], "b": [1.0, 2.0 + 1e-9]}),
    "gradients.verdict": Helper(gradients.verdict, lambda: {"error": 1e-9}),
    "gradients.band_limit": Helper(gradients.band_limit, lambda: {"error": 1e-9}),
    "gradients.error_class": Helper(gradients.error_class, lambda: {"error": 1e-9}),
    "gradients.text_table": Helper(gradients.text_table, lambda: {"header": ["name", "verdict"], "rows": _tables()}),
    "gradients.html_table": Helper(gradients.html_table, lambda: {"header": ["name", "verdict"], "rows": _tables()}),
    "gradients.compare_gradients": Helper(
        lambda manual, autograd: gradients.compare_gradients(manual=manual, autograd=autograd),
        lambda: {"manual": {"w": torch.ones(2, dtype=torch.float64)},
                 "autograd": {"w": torch.ones(2, dtype=torch.float64)}}),
    # graph
    "graph.op_name": Helper(graph.op_name, lambda: {"fn": _autograd_output().grad_fn}),
    "graph.format_number": Helper(graph.format_number, lambda: {"value": 2.5, "digits": 4}),
    "graph.format_tensor": Helper(graph.format_tensor, lambda: {"t": torch.tensor([1.0, -2.5]), "digits": 4}),
    "graph.autograd_graph": Helper(graph.autograd_graph, lambda: {
        "tensor": _autograd_output(), "names": None, "output_name": "l", "digits": 4, "max_nodes": 60}),
    "graph.layout": Helper(graph.layout, lambda: {"graph": graph.autograd_graph(_autograd_output())}),
    "graph.node_width": Helper(graph.node_width, lambda: {"n": graph.autograd_graph(_autograd_output()).nodes[0]}),
    "graph.draw_graph": Helper(graph.draw_graph, lambda: {
        "tensor": _autograd_output(), "ax": None, "names": None, "output_name": None, "title": None, "digits": 4,
        "caption": True}, examples=12),
    "graph.draw_autograd_graph": Helper(graph.draw_autograd_graph, lambda: {
        "graph": graph.autograd_graph(_autograd_output()), "ax": None, "title": None, "caption": True},
        examples=12),
    "graph.edge_curvatures": Helper(graph.edge_curvatures, lambda: {
        "edges": graph.autograd_graph(_autograd_output()).edges}),
    # mlp
    **{f"mlp.{name}": Helper(getattr(mlp, name), lambda: {"z": torch.linspace(-2, 2, 5, dtype=torch.float64)},
                             examples=10) for name in ("sigmoid", "dsigmoid", "tanh", "dtanh")},
    "mlp.init_params": Helper(mlp.init_params, lambda: {"n_in": 3, "n_hidden": 4, "n_out": 2, "bias": True,
                                                        "dtype": torch.float64, "seed": 0}),
    "mlp.make_data": Helper(mlp.make_data, lambda: {"n": 5, "n_in": 3, "n_out": 2, "dtype": torch.float64,
                                                    "seed": 1}),
    "mlp.cast": Helper(mlp.cast, lambda: {"params": mlp.init_params(), "dtype": torch.float32}),
    "mlp.forward": Helper(mlp.forward, lambda: {"params": mlp.init_params(), **dict(zip("XY", mlp.make_data())),
                                                "lam": 0.1, "activation": "sigmoid"}),
    "mlp.backward": Helper(mlp.backward, lambda: {"params": mlp.init_params(), "fwd": _mlp_fwd(), "dphi": None}),
    "mlp.autograd_grads": Helper(mlp.autograd_grads, lambda: {
        "params": mlp.init_params(), **dict(zip("XY", mlp.make_data())), "lam": 0.1, "activation": "tanh"}),
    "mlp.numeric_grads": Helper(mlp.numeric_grads, lambda: {
        "params": mlp.init_params(1, 2, 1), **dict(zip("XY", mlp.make_data(2, 1, 1))), "lam": 0.1,
        "activation": "tanh", "h": 1e-5}),
    "mlp.check_backward": Helper(mlp.check_backward, lambda: {
        "backward_fn": mlp.backward, "params": mlp.init_params(1, 2, 1), **dict(zip("XY", mlp.make_data(2, 1, 1))),
        "lam": 0.1, "activation": "sigmoid", "h": 1e-5}, examples=15),
    **{f"mlp.{name}": Helper(getattr(mlp, name), lambda: {"params": mlp.init_params(), "fwd": _mlp_fwd()})
       for name in ("backward_missing_transpose", "backward_forgot_lambda", "backward_wrong_dphi")},
    "mlp.show": Helper(mlp.show, lambda: {"table": gradients.compare_gradients(
        manual={"w": torch.ones(2, dtype=torch.float64)}, autograd={"w": torch.ones(2, dtype=torch.float64)})}),
    "mlp.third_derivatives": Helper(mlp.third_derivatives, lambda: {
        "params": mlp.init_params(1, 2, 1), **dict(zip("XY", mlp.make_data(2, 1, 1))), "lam": 0.1,
        "activation": "tanh"}, examples=15),
    "mlp.difference_errors": Helper(mlp.difference_errors, lambda: {
        "params": mlp.init_params(1, 2, 1), **dict(zip("XY", mlp.make_data(2, 1, 1))), "lam": 0.1,
        "activation": "tanh", "h": 1e-5}, examples=15),
    "mlp.backward_steps": Helper(mlp.backward_steps, lambda: {
        "params": mlp.init_params(bias=False), "X": mlp.make_data()[0][:1], "Y": mlp.make_data()[1][:1],
        "lam": 0.1, "activation": "sigmoid"}),
    # plotting
    "plotting.new_figure": Helper(plotting.new_figure, lambda: {"ncols": 1, "nrows": 1, "width": 3.0,
                                                                "height": 2.0}, examples=12),
    "plotting.power_of_ten": Helper(plotting.power_of_ten, lambda: {"value": 1e-4}),
    "plotting.plain_log_ticks": Helper(
        lambda axis, numticks, minor: plotting.plain_log_ticks(axis, numticks=numticks, minor=minor),
        lambda: {"axis": _log_axis(), "numticks": 5, "minor": False}, examples=12),
    "plotting.close_figure": Helper(plotting.close_figure, lambda: {"fig": plotting.new_figure()[0]}),
    "plotting.closed_on_error": Helper(_enter_closed_on_error, lambda: {"fig": plotting.new_figure()[0]}),
    "plotting.axes_for": Helper(_enter_axes_for, lambda: {"ax": None}, examples=12),
    "plotting.finite_clipped": Helper(plotting.finite_clipped, lambda: {"values": [1.0, math.nan], "limit": 1e12}),
    "plotting.plot_loss_curve": Helper(plotting.plot_loss_curve, lambda: {
        "losses": [4.0, 1.0], "ax": None, "label": None, "title": None, "logy": True}, examples=12),
    # symbolic
    "symbolic.three_way": Helper(symbolic.three_way, lambda: {"expr": "sin(x**2)", "at": 0.7, "wrt": None,
                                                              "label": None, "h": 1e-6}, examples=15),
    # toy_data
    "toy_data.two_moons": Helper(toy_data.two_moons, lambda: {"n": 10, "noise": 0.1, "seed": 0,
                                                              "dtype": torch.float32}),
    "toy_data.spirals": Helper(toy_data.spirals, lambda: {"n": 10, "noise": 0.05, "seed": 0, "turns": 1.5,
                                                          "dtype": torch.float32}),
    "toy_data.spiral_classes": Helper(toy_data.spiral_classes, lambda: {
        "n_per_class": 5, "classes": 3, "noise": 0.2, "seed": 0, "turns": 0.75, "dtype": torch.float64}),
    # training
    "training.stability_threshold": Helper(training.stability_threshold, lambda: {"x": (1.0, 2.0, 3.0)}),
    "training.step_factors": Helper(training.step_factors, lambda: {"lr": 0.01, "x": (1.0, 2.0, 3.0)}),
    "training.epoch_factor": Helper(training.epoch_factor, lambda: {"lr": 0.01, "x": (1.0, 2.0, 3.0),
                                                                    "mode": "per_sample"}),
    "training.divergence_lr": Helper(training.divergence_lr, lambda: {"x": (1.0, 2.0, 3.0), "mode": "batch"}),
    "training.cost": Helper(training.cost, lambda: {"w": np.array([1.0, 2.0]), "x": (1.0, 2.0, 3.0),
                                                    "y": (2.0, 4.0, 6.0)}),
    "training.trajectory_status": Helper(training.trajectory_status, lambda: {
        "ws": np.array([3.0, 2.5]), "epoch_factor_": 0.5,
        "fixed_point": 2.0, "diverged": False}),
    "training.sgd_trajectory": Helper(training.sgd_trajectory, lambda: {
        "w0": 3.0, "lr": 0.01, "epochs": 5, "x": (1.0, 2.0, 3.0), "y": (2.0, 4.0, 6.0), "mode": "per_sample",
        "backend": "closed_form"}),
    # widgets: constructors and the plain functions behind their callbacks
    "widgets.FigureView": Helper(FigureView, lambda: {"fig": plotting.new_figure()[0], "css_class": "plot"},
                                 examples=10),
    "widgets.BlitFigureView": Helper(BlitFigureView, lambda: (lambda fig_ax: {
        "fig": fig_ax[0], "css_class": "plot", "dynamic_artists": fig_ax[1].plot([0, 1])})(plotting.new_figure()),
        examples=10),
    "widgets.status_html": Helper(status_html, lambda: {"kind": "ok", "text": "fine"}),
    "widgets.depth_explorer.DepthExplorer": Helper(DepthExplorer, lambda: {
        "depth": 3, "activation": "tanh", "init": "Xavier", "residual": False}, examples=6),
    "widgets.engine_stepper.EngineStepper": Helper(EngineStepper, lambda: {
        "root": _engine_root(), "names": None, "digits": 4}, examples=6),
    "widgets.explorer.check_start": Helper(check_start, lambda: {"lr": 0.01, "w0": 3.0, "epochs": 10}),
    "widgets.explorer.LearningRateExplorer": Helper(LearningRateExplorer, lambda: {
        "backend": "closed_form", "show_backend_toggle": False, "x": (1.0, 2.0, 3.0), "y": (2.0, 4.0, 6.0),
        "w0": 3.0, "lr": 0.01, "epochs": 10}, examples=6),
    "widgets.predict.parse_value": Helper(parse_value, lambda: {"text": "-8"}),
    "widgets.predict.parse_shape": Helper(parse_shape, lambda: {"text": "2x4"}),
    "widgets.setup_demo.square_text": Helper(square_text, lambda: {"n": 3}),
    "widgets.setup_demo.SquareSlider": Helper(SquareSlider, lambda: {"value": 3}, examples=10),
    "widgets.slope.SlopeExplorer": Helper(SlopeExplorer, lambda: {
        "f": torch.sin, "df": torch.cos, "x": 1.0, "h": 0.1, "x_range": (-3.0, 3.0), "label": "sin(x)"}, examples=6),
    "widgets.stepper.BackwardStepper": Helper(BackwardStepper, lambda: {
        "steps": mlp.backward_steps(mlp.init_params(bias=False), mlp.make_data()[0][:1],
                                    mlp.make_data()[1][:1], 0.1), "predict": True}, examples=6),
    # added with the lessons of this round
    "depth.activation_stats": Helper(depth.activation_stats, lambda: {
        "depth": 3, "activation": "tanh", "gain": 1.0, "width": 8, "seed": 0}, examples=10),
    "depth.deep_relu_net": Helper(depth.deep_relu_net, lambda: {
        "depth": 3, "gain": 2.0, "n_in": 2, "width": 8, "n_out": 3, "seed": 0}, examples=10),
    "depth.ratio_text": Helper(depth.ratio_text, lambda: {"r": 0.5}),
    "depth.show_forward_backward": Helper(depth.show_forward_backward, lambda: {
        "depth": 3, "activation": "tanh", "gains": None, "width": 8, "seed": 0}, examples=6),
    "depth.show_scheme_table": Helper(depth.show_scheme_table, lambda: {"depth": 3, "width": 8, "seed": 0},
                                      examples=6),
    "derivatives.central_error_model": Helper(derivatives.central_error_model, lambda: {
        "f": torch.sin, "x0": 1.0, "dtype": torch.float64}, examples=10),
    "gradients.confirm_gradient": Helper(gradients.confirm_gradient, lambda: {
        "name": "∂J/∂w", "mine": torch.ones(2, dtype=torch.float64), "reference": torch.ones(2, dtype=torch.float64),
        "against": "autograd", "below": 1e-12}),
    "mlp.difference_error_curve": Helper(mlp.difference_error_curve, lambda: {
        "params": mlp.init_params(1, 2, 1), **dict(zip("XY", mlp.make_data(2, 1, 1))), "lam": 0.1,
        "activation": "tanh", "hs": [1e-3, 1e-5]}, examples=8),
}


# --------------------------------------------------------------------------- a learner's mistakes
def _raises_inside(*_args, **_kwargs):
    raise ZeroDivisionError("the learner's own function failed")


JUNK = {  # label → a fresh value each time (helpers must not be able to change a shared one)
    "None": lambda: None, "True": lambda: True, "0": lambda: 0, "1": lambda: 1, "-1": lambda: -1, "2": lambda: 2,
    "10**10": lambda: 10 ** 10, "2**64": lambda: 2 ** 64, "1.5": lambda: 1.5, "-0.5": lambda: -0.5,
    "0.0": lambda: 0.0, "nan": lambda: math.nan, "inf": lambda: math.inf, "-inf": lambda: -math.inf,
    "1e-300": lambda: 1e-300, "1e300": lambda: 1e300, "'x'": lambda: "x", "''": lambda: "",
    "'sigmoid'": lambda: "sigmoid", "b'x'": lambda: b"x", "[]": lambda: [], "[1.0, 2.0]": lambda: [1.0, 2.0],
    "[[1.0]]": lambda: [[1.0]], "(1.0,)": lambda: (1.0,), "{}": lambda: {}, "{'a': 1}": lambda: {"a": 1},
    "object()": object, "np.nan": lambda: np.float64("nan"), "np.array": lambda: np.array([1.0, np.nan]),
    "np.int64(3)": lambda: np.int64(3), "tensor(nan)": lambda: torch.tensor(math.nan),
    "tensor(1.)": lambda: torch.tensor(1.0), "tensor([1, 2])": lambda: torch.tensor([1, 2]),
    "tensor(0 elements)": lambda: torch.zeros(0), "zeros(2, 3)": lambda: torch.zeros(2, 3),
    "zeros(2, 3) f64": lambda: torch.zeros(2, 3, dtype=torch.float64),
    "requires grad": lambda: torch.ones(3, dtype=torch.float64, requires_grad=True) * 2,
    "bool tensor": lambda: torch.tensor([True, False]), "complex tensor": lambda: torch.tensor([1 + 2j]),
    "torch.int64": lambda: torch.int64, "torch.float16": lambda: torch.float16, "torch.float32": lambda: torch.float32,
    "float": lambda: float, "returns None": lambda: (lambda *a, **k: None),
    "returns 'x'": lambda: (lambda *a, **k: "x"), "returns zeros(3)": lambda: (lambda *a, **k: torch.zeros(3)),
    "returns nan": lambda: (lambda *a, **k: math.nan), "returns a list": lambda: (lambda *a, **k: [1.0]),
    "a figure": lambda: plotting.new_figure()[0], "a Value": lambda: engine.Value(1.0),
}


def _near_misses(value) -> dict[str, Callable]:
    """Mistakes built from the valid value itself: the right thing, slightly wrong."""
    out: dict[str, Callable] = {}
    if isinstance(value, torch.Tensor):
        v = value.detach()
        out.update({"float32": lambda: v.float(), "int64": lambda: v.long(), "flattened": lambda: v.flatten(),
                    "extra dim": lambda: v.unsqueeze(0), "empty": lambda: v[:0], "with nan": lambda: v * math.nan,
                    "with inf": lambda: v * math.inf, "requires grad": lambda: v.double().clone().requires_grad_(),
                    "as list": lambda: v.tolist(), "huge": lambda: v * 1e300, "negated": lambda: -v})
        if v.ndim >= 2:
            out["transposed"] = lambda: v.transpose(-1, -2)
            out["one column"] = lambda: v[..., :1]
    elif isinstance(value, dict) and value and all(isinstance(t, torch.Tensor) for t in value.values()):
        first = next(iter(value))
        out.update({
            "key missing": lambda: {k: t for k, t in value.items() if k != first},
            "extra key": lambda: {**value, "W9": torch.zeros(1, dtype=torch.float64)},
            "one float32": lambda: {**value, first: value[first].float()},
            "one int64": lambda: {**value, first: value[first].long()},
            "one transposed": lambda: {**value, first: value[first].T},
            "one list": lambda: {**value, first: value[first].tolist()},
            "one nan": lambda: {**value, first: value[first] * math.nan},
            "as list": lambda: list(value.values()),
        })
    elif isinstance(value, (list, tuple)) and value:
        out.update({"first dropped": lambda: value[1:], "first as str": lambda: ["x", *value[1:]],
                    "first nan": lambda: [math.nan, *value[1:]] if isinstance(value[0], float) else [None, *value[1:]],
                    "doubled": lambda: [*value, *value]})
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.update({"negated": lambda: -value, "times 1e9": lambda: value * 10 ** 9, "as str": lambda: str(value),
                    "as tensor": lambda: torch.tensor(value), "as float": lambda: float(value) + 0.5})
    return out


class LearnersCodeFailed(Exception):
    """Raised in place of any error from a function the learner passed in (f, predict, dphi, …):
    a helper may let the learner's own code fail in the learner's own way."""


def _as_learners_code(fn: Callable) -> Callable:
    def learners_function(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            raise LearnersCodeFailed(f"{type(exc).__name__}: {exc}") from exc

    return learners_function


def _names_pattern(words) -> re.Pattern:
    return re.compile("|".join(rf"(?<![\w]){re.escape(w)}(?![\w])" for w in words))


@st.composite
def mistaken_call(draw, helper: Helper):
    kwargs = helper.make()
    replaced = draw(st.lists(st.sampled_from(sorted(kwargs)), min_size=1, max_size=min(2, len(kwargs)),
                             unique=True))
    labels = {}
    for name in replaced:
        choices = {**JUNK, **_near_misses(kwargs[name])}
        label = draw(st.sampled_from(sorted(choices)))
        kwargs[name], labels[name] = choices[label](), label
    return replaced, labels, kwargs


def _is_function(value) -> bool:
    return callable(value) and not isinstance(value, (torch.Tensor, engine.Value)) and not hasattr(
        value, "savefig")


def _run(helper: Helper, kwargs: dict):
    """Call the helper, every function argument wrapped as the learner's code."""
    kwargs = {k: _as_learners_code(v) if _is_function(v) else v for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return helper.call(**kwargs)


FUZZED = sorted(HELPERS)


@pytest.mark.parametrize("name", FUZZED)
def test_the_valid_call_of_each_helper_works(name):
    """The baseline the fuzz starts from is itself a correct call, so each mistake is the only one."""
    _run(HELPERS[name], HELPERS[name].make())


def _fuzz(helper: Helper, deadline=timedelta(seconds=20)) -> None:
    """Run the helper on its mistaken calls; fail on any exception other than a TypeError or
    ValueError that names a replaced argument."""
    @settings(max_examples=helper.examples, derandomize=True, database=None, deadline=deadline,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(call=mistaken_call(helper))
    def check(call):
        replaced, labels, kwargs = call
        try:
            _run(helper, kwargs)
        except LearnersCodeFailed:
            pass  # the learner's own function failed on what it was given: its error, in its words
        except (TypeError, ValueError) as exc:
            functions = [k for k, v in kwargs.items() if _is_function(v)]  # "f must return a scalar, …"
            words = [w for name in (*replaced, *functions) for w in (name, *helper.aliases.get(name, ()))]
            assert _names_pattern(words).search(str(exc)), (
                f"{type(exc).__name__} for {labels} does not name {words}: {exc}")
        except Exception as exc:  # noqa: BLE001  (anything else is what this test exists to find)
            raise AssertionError(f"{labels} raised {type(exc).__name__}: {exc}") from exc
        finally:
            matplotlib.pyplot.close("all")

    check()


@pytest.mark.parametrize("name", FUZZED)
def test_a_learners_mistakes_get_a_result_or_an_error_naming_the_argument(name):
    _fuzz(HELPERS[name])


def _public_callables() -> set[str]:
    found = set()
    for short in MODULES:
        module = importlib.import_module(f"helpers.{short}")
        for attr, obj in vars(module).items():
            if not attr.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == module.__name__:
                found.add(f"{short}.{attr}")
    return found


def test_every_public_helper_is_fuzzed_or_excused():
    fuzzed = {name.split(" ")[0] for name in HELPERS}
    missing = _public_callables() - fuzzed - set(EXCUSED)
    assert missing == set(), f"add these to HELPERS (or EXCUSED, with a reason): {sorted(missing)}"
    stale = (set(EXCUSED) | {n for n in fuzzed if not n.startswith("engine.Value")}) - _public_callables()
    assert stale == set(), f"no longer public: {sorted(stale)}"


def test_the_message_check_finds_a_name_and_only_a_whole_name():
    assert _names_pattern(["X"]).search("X must be a 2-D tensor")
    assert _names_pattern(["params"]).search("params['W1'] must be a floating-point tensor")
    assert not _names_pattern(["x"]).search("max must be positive")
    assert not _names_pattern(["n"]).search("n_in must be ≥ 1")


def test_the_fuzz_would_catch_a_helper_that_leaks_an_error():
    """A helper with a bare KeyError, and one with an unnamed ValueError, fail the check."""
    def leaky(params):
        return params["W2"]

    def vague(n):
        if n != 3:
            raise ValueError("bad input")

    for call, make in ((leaky, lambda: {"params": {"W2": 1}}), (vague, lambda: {"n": 3})):
        with pytest.raises((AssertionError, ExceptionGroup)):
            _fuzz(Helper(call, make, examples=30), deadline=None)


# --------------------------------------------------------------------------- what the fuzz found, pinned
FOUND = [  # (call, error, argument it must name): each failed before its fix, some worse than a traceback
    (lambda: engine.program_text(engine.random_program(0), n_inputs=10 ** 10), ValueError, "n_inputs"),  # hung
    (lambda: mlp.init_params(n_hidden=10 ** 9), ValueError, "n_hidden"),           # tried to allocate 96 GB
    (lambda: mlp.make_data(n=10 ** 10), ValueError, "n"),
    (lambda: mlp.init_params(bias=torch.zeros(2, 3)), TypeError, "bias"),
    (lambda: mlp.numeric_grads(mlp.init_params(), *mlp.make_data(), h=""), TypeError, "h"),
    (lambda: depth.gradient_profiles(3, "tanh", [torch.ones(3, requires_grad=True)]), TypeError, "gains"),
    (lambda: depth.gradient_profile(3, ["tanh"], 1.0), TypeError, "activation"),
    (lambda: depth.factor_bounds(3, "tanh", 1.0, spectral_norm=""), TypeError, "spectral_norm"),
    (lambda: depth.sigmoid(""), TypeError, "a"),
    (lambda: depth.gradient_status(["x"]), TypeError, "norms"),
    (lambda: derivatives.estimate_slope(torch.sin, 1.0, 1e-3, method=np.array([1.0, 2.0])), TypeError, "method"),
    (lambda: derivatives.line_through(0.0, 0.0, 1.0, torch.ones(3, requires_grad=True)), TypeError, "half_width"),
    (lambda: derivatives.plot_error_vs_h(-0.5), TypeError, "results"),
    (lambda: derivatives.plot_tangent(torch.sin, 1.0, xlim=-0.5), TypeError, "xlim"),
    (lambda: derivatives.exact_slope(torch.cos, (1.0,)), TypeError, "x0"),
    (lambda: decision.plot_decision_boundary(_predict, *_moons(), ax=""), TypeError, "ax"),
    (lambda: decision.plot_loss_with_title([1.0], title=torch.ones(2)), TypeError, "title"),
    (lambda: gradients.text_table("sigmoid", []), TypeError, "header"),
    (lambda: gradients.html_table(["a"], [["1", "2"]]), ValueError, "rows"),
    (lambda: gradients.warn_if_low_precision("x", ""), TypeError, "dtype"),
    (lambda: graph.node_width(""), TypeError, "n"),
    (lambda: graph.edge_curvatures("sigmoid"), TypeError, "edges"),
    (lambda: graph.draw_autograd_graph("graph"), TypeError, "graph"),
    (lambda: engine.Value(2.0) / 0, ValueError, "the other operand"),
    (lambda: engine.Value(2.0) ** 10 ** 10, ValueError, "exponent"),
    (lambda: engine.run_program(engine.random_program(0), ["a", "b", "c"]), TypeError, "inputs"),
    (lambda: plotting.finite_clipped([1.0], limit=""), TypeError, "limit"),
    (lambda: plotting.new_figure(height=""), TypeError, "height"),
    (lambda: plotting.power_of_ten(""), TypeError, "value"),
    (lambda: plotting.plot_loss_curve([1.0], logy=torch.ones(2)), TypeError, "logy"),
    (lambda: plotting.plain_log_ticks(_log_axis(), minor=torch.zeros(0)), TypeError, "minor"),
    (lambda: symbolic.three_way("sin(x)", 1.0, wrt=-0.5), TypeError, "wrt"),
    (lambda: symbolic.three_way("", 1.0), ValueError, "expr"),
    (lambda: training.stability_threshold(torch.tensor(1.0)), TypeError, "x"),
    (lambda: training.cost(""), TypeError, "w"),
    (lambda: training.trajectory_status("ws", 0.5, 2.0, False), TypeError, "ws"),
    (lambda: FigureView(""), TypeError, "fig"),
    (lambda: FigureView(plotting.new_figure()[0], css_class=(1.0,)), TypeError, "css_class"),
    (lambda: BlitFigureView(plotting.new_figure()[0], dynamic_artists="sigmoid"), TypeError, "dynamic_artists"),
    (lambda: status_html([1.0], "x"), TypeError, "kind"),
    (lambda: SquareSlider(""), TypeError, "value"),
    (lambda: SlopeExplorer(x_range=-0.5), TypeError, "x_range"),
    (lambda: SlopeExplorer(h=""), TypeError, "h"),
]


@pytest.mark.parametrize("index", range(len(FOUND)))
def test_what_the_fuzz_found_stays_fixed(index):
    call, error, argument = FOUND[index]
    with pytest.raises(error, match=_names_pattern([argument])):
        call()
