"""Teacher and CI tooling for Backprop Step by Step: NOT imported by lessons.

Learners' code lives in `helpers/`; this package holds what runs the course around the lessons:

    lessons     where the lessons are (lookup by number), the kernel environment, execute + tidy
    masks       the output masks (read from tests/nbval_sanitize.cfg, the one source)
    notebooks   regenerate, reset, assignments, backups        (python -m course_tools …)
    lab         the JupyterLab launch: command line, settings, start/stop; used by `course.py lab`,
                the browser tests and the benchmarks
    browser     Chromium driven by Playwright, and a lesson page in JupyterLab (jupyterlab.js)
    gpu_check   every lesson on a CUDA machine, compared with the stored outputs

`course.py` (standard library only) sets up `.venv`, then runs `python -m course_tools …` in it.
"""
