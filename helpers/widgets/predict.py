"""A "predict before you look" box shared by the steppers: type a value or a shape, get ✓ or ✗.

The box never blocks anything: the stepper reveals the answer whether or not a prediction was
typed. Any text is valid input: what cannot be read as a number (or a shape) gets a short note
on how to write it, never a traceback.

    box = PredictionBox()
    box.ask("d.grad", -8.0)                  # a value, judged to 3 significant digits
    box.ask("∂J/∂W2", (2, 4), kind="shape")   # a shape: "2x4", "2×4", "(2, 4)"; "scalar" for ()
    box.ask("∂L/∂d × L.grad", -8.0, prompt="Predict what <b>L._backward()</b> adds to <b>d.grad</b>:")
    box.close("nothing left to predict")      # disabled, e.g. at the last step

Every sentence it shows is one template with named fields, translated by `helpers.i18n`; a
caller's `prompt` and `close` message are sentences the caller has translated already.
"""
from __future__ import annotations

import html
import math
import re
from typing import Callable

import ipywidgets as W

from helpers.i18n import N_, message, translate
from helpers.widgets import CSS, status_html

REL_TOL = 5e-3  # a value rounded to 3 significant digits is within 0.5/100 of it (0.135 for 0.13536: 2.7e-3)
NEAR_TOL = 5e-2


def parse_value(text: str) -> float | None:
    """A typed number: "-8", "−8", "0.25", "1e-3", "1/3", "-2/3"; None if it is not one."""
    if not isinstance(text, str):
        return None
    t = text.strip().replace("−", "-").replace(" ", "")
    m = re.fullmatch(r"([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)/(\d+(?:\.\d*)?|\.\d+)", t)
    try:
        value = float(m.group(1)) / float(m.group(2)) if m else float(t)
    except (ValueError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None


def parse_shape(text: str) -> tuple[int, ...] | None:
    """A typed shape: "2x4", "2×4", "2, 4", "(2, 4)", "[4]"; "scalar" or "()" for a 0-d tensor."""
    if not isinstance(text, str):
        return None
    t = text.strip().lower()
    if t in ("scalar", "()", "0-d", "0d"):
        return ()
    t = t.strip("()[] ")
    if not re.fullmatch(r"\d+(?:\s*[x×,*]\s*\d+|\s+\d+)*\s*,?", t):
        return None
    return tuple(int(p) for p in re.findall(r"\d+", t))


def _shape_text(shape: tuple[int, ...]) -> str:
    return message("scalar") if shape == () else "×".join(map(str, shape))


class PredictionBox:
    """Label, text field, Check button and a feedback line; `verdict` is the last outcome.

    Pressing Enter in the field (or clicking Check) judges the text against the target set by
    `ask`. `explain(value)` may return a targeted hint for a wrong value.
    """

    def __init__(self):
        self.label = W.HTML()
        self.text = W.Text(placeholder=translate("your prediction"), continuous_update=False,
                           layout=W.Layout(width="11em"))
        self.text.add_class(CSS["predict_input"])
        self.button = W.Button(description=translate("Check"), tooltip=translate("check your prediction (or press Enter)"),
                               layout=W.Layout(width="6em"))
        self.button.add_class(CSS["predict_check"])
        self.feedback = W.HTML()
        self.feedback.add_class(CSS["predict_feedback"])
        self.widget = W.HBox([self.label, self.text, self.button, self.feedback])
        self.widget.add_class(CSS["predict"])
        self.target = None
        self.kind = "value"
        self.name = ""
        self.explain: Callable[[float], str | None] | None = None
        self.verdict: str | None = None  # "right", "wrong", "unreadable" or None
        self.text.observe(lambda _: self.check(), names="value")
        self.button.on_click(lambda _: self.check())
        self.close("")

    def ask(self, name: str, target, kind: str = "value",
            explain: Callable[[float], str | None] | None = None, prompt: str | None = None) -> None:
        """Ask for a prediction of `name`: a value (float) or a shape (tuple of ints). `prompt`
        (HTML, already translated) replaces the label "Predict <name>:"; `name` still names the
        answer in the ✓ line."""
        if kind not in ("value", "shape"):
            raise ValueError(message("kind must be 'value' or 'shape', got {kind!r}", kind=kind))
        if kind == "value" and not (isinstance(target, (int, float)) and math.isfinite(target)):
            raise ValueError(message("a value target must be a finite number, got {target!r}", target=target))
        if kind == "shape" and not (isinstance(target, tuple) and all(isinstance(n, int) for n in target)):
            raise ValueError(message("a shape target must be a tuple of ints, got {target!r}", target=target))
        self.name, self.target, self.kind, self.explain = name, target, kind, explain
        if prompt is None:
            template = N_("Predict the shape of <b>{name}</b>:") if kind == "shape" else N_("Predict <b>{name}</b>:")
            prompt = message(template, name=html.escape(name))
        self.label.value = prompt
        self.text.placeholder = message("e.g. 2x4 or scalar") if kind == "shape" else message("e.g. -0.5 or 1/3")
        self._reset(disabled=False)

    def close(self, message: str) -> None:
        """Nothing to predict now: the field and button are disabled and `message` is shown."""
        self.target = None
        self.label.value = html.escape(message)
        self._reset(disabled=True)

    def _reset(self, disabled: bool) -> None:
        self.verdict = None
        self.text.disabled = self.button.disabled = disabled
        if self.text.value:
            self.text.value = ""  # fires check(), which ignores an empty field
        self.feedback.value = ""

    def check(self) -> str | None:
        """Judge the field's text; sets and returns `verdict` (None when empty or closed)."""
        text = self.text.value.strip()
        if self.target is None or not text:
            self.verdict = None
            self.feedback.value = ""
            return None
        name = html.escape(self.name)
        if self.kind == "shape":
            shape = parse_shape(text)
            if shape is None:
                return self._show("unreadable", "info", message("write a shape like 2x4, 4x1 or scalar"))
            if shape == self.target:
                return self._show("right", "ok", message("✓ right: {name} has shape {shape}", name=name,
                                                         shape=_shape_text(shape)))
            return self._show("wrong", "error", message("✗ not {shape}: a gradient has the shape of what it is "
                                                        "the gradient of", shape=_shape_text(shape)))
        value = parse_value(text)
        if value is None:
            return self._show("unreadable", "info", message("type a number, e.g. -0.5, 2 or 1/3"))
        if math.isclose(value, self.target, rel_tol=REL_TOL, abs_tol=1e-9):
            return self._show("right", "ok", message("✓ right: {name} = {value:.4g}", name=name, value=self.target))
        hint = self.explain(value) if self.explain else None
        if hint is None and math.isclose(value, self.target, rel_tol=NEAR_TOL):
            hint = message("close: give 3 significant digits")
        if hint:
            return self._show("wrong", "error", message("✗ not {value:.4g}: {hint}", value=value,
                                                        hint=html.escape(hint)))
        return self._show("wrong", "error", message("✗ not {value:.4g}", value=value))

    def _show(self, verdict: str, kind: str, text: str) -> str:
        self.verdict = verdict
        self.feedback.value = status_html(kind, text)
        return verdict
