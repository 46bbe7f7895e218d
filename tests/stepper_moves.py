"""Random learner moves on a stepper with a prediction box (buttons, slider, typed text), shared
by the sweeps of the engine stepper (lesson 03) and the MLP stepper (lesson 06)."""
from __future__ import annotations

from hypothesis import strategies as st


def moves(last_step: int, max_text: int, max_size: int):
    """Lists of moves: a slider position, 'next', 'prev', or text typed into the prediction box."""
    return st.lists(st.one_of(st.integers(0, last_step), st.sampled_from(["next", "prev"]),
                              st.text(max_size=max_text)), min_size=1, max_size=max_size)


def apply_move(stepper, move) -> None:
    if move == "next":
        stepper.next.click()
    elif move == "prev":
        stepper.prev.click()
    elif isinstance(move, str):
        if not stepper.predict.text.disabled:
            stepper.predict.text.value = move
            assert stepper.predict.verdict in (None, "right", "wrong", "unreadable")
    else:
        stepper.slider.value = move
