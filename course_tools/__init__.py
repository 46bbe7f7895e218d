"""Teacher and CI tooling for Backprop Step by Step: NOT imported by lessons.

Learners' code lives in `helpers/`; this package holds what runs the course around the lessons:

    cli         the command line, defined once (course.py parses it before set-up, __main__ after)
    lessons     where the lessons are (lookup by number), the kernel environment, execute + tidy
    originals   a lesson's original: git's last commit, or the copy the first set-up stored
    masks       the output masks (read from tests/nbval_sanitize.cfg, the one source)
    notebooks   regenerate, reset, assignments, backups        (python -m course_tools …)
    lab         the JupyterLab launch: command line, settings, start/stop; used by `course.py lab`,
                the browser tests and the benchmarks
    browser     Chromium driven by Playwright, and a lesson page in JupyterLab (jupyterlab.js)
    gpu_check   every lesson on a CUDA machine, compared with the stored outputs

`course.py` (standard library only) sets up `.venv`, then runs `python -m course_tools …` in it;
cli, lessons and originals import only the standard library, since course.py imports them too.
"""
