"""The lessons' "Your turn" exercises, one module per lesson (``lesson00`` … ``lesson08``).

Each module declares its exercises as `helpers.exercises.Exercise` objects: the reference
answer, the inputs a learner's function is tried on, and the common mistakes with the hint
each must get. A notebook only calls ``exercise.check(answer)``; tests/test_factor_hints.py
feeds every declared mistake to its check, so a hint can never name a mistake that does not
produce it.
"""
