"""Shared pytest set-up: the same kernel environment as `course.py regenerate`, so that
nbval compares like with like (fixed hash seed, inline plots, no display)."""
import os

from helpers.notebook_tools import kernel_env

os.environ.update(kernel_env())
os.environ.pop("DISPLAY", None)
