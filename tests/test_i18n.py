"""helpers.i18n: the language follows the notebook (its folder), an override wins, and a
message without a translation shows in English."""
import ast
import os
from pathlib import Path

import pytest

from helpers import i18n


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    return monkeypatch


def test_english_by_default(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    assert i18n.language() == "en"


def test_a_kernel_in_the_chinese_folder_speaks_chinese(clean_env, tmp_path):
    folder = tmp_path / "notebooks" / "zh-CN"
    folder.mkdir(parents=True)
    clean_env.chdir(folder)
    assert i18n.language() == "zh-CN"


def test_jupyterlab_session_name_names_the_notebook(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    clean_env.setenv("JPY_SESSION_NAME", os.path.join("notebooks", "zh-CN", "01_chain_rule.ipynb"))
    assert i18n.language() == "zh-CN"


def test_the_override_wins_and_is_validated(clean_env, tmp_path):
    clean_env.chdir(tmp_path / ".")
    clean_env.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    assert i18n.language() == "zh-CN"
    clean_env.setenv(i18n.LANGUAGE_ENV, "fr")
    with pytest.raises(ValueError, match="COURSE_LANG"):
        i18n.language()


def test_an_untranslated_template_is_shown_in_english(clean_env, capsys):
    i18n.say("The slope is {slope:.2f}.", slope=2.0)
    assert capsys.readouterr().out == "The slope is 2.00.\n"
    with pytest.raises(TypeError, match="str template"):
        i18n.translate(3)


# --------------------------------------------------------------------------- the helpers speak Chinese
@pytest.fixture
def chinese_catalog(clean_env, tmp_path):
    """A catalog of a few entries, standing in for helpers/locale/zh-CN.po (which the tests must
    not depend on being complete): the helpers' own templates, translated."""
    import polib

    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for english, chinese in (("{name} must be {wanted}, got {kind}", "{name} 必须是{wanted}，得到的是 {kind}"),
                             ("an integer number of points", "表示点数的整数"),
                             ("{name} must be {wanted}, got {value!r}", "{name} 必须{wanted}，得到的是 {value!r}"),
                             ("{name} must be {wanted} such as {example}, got {value!r}",
                              "{name} 必须{wanted}（例如 {example}），得到的是 {value!r}"),
                             ("between {min} and {max}", "介于 {min} 与 {max} 之间"),
                             ("Check", "检查"), ("your prediction", "你的预测")):
        po.append(polib.POEntry(msgid=english, msgstr=chinese))
    po.save(str(tmp_path / "zh-CN.po"))
    clean_env.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalog.cache_clear()
    yield clean_env
    i18n.catalog.cache_clear()


def test_a_helper_says_what_was_wrong_in_the_learners_language(chinese_catalog):
    from helpers.toy_data import two_moons

    chinese_catalog.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    with pytest.raises(TypeError) as wrong_kind:
        two_moons(n="200")
    assert str(wrong_kind.value) == "n 必须是表示点数的整数，得到的是 str"
    with pytest.raises(ValueError) as out_of_range:
        two_moons(n=100, noise=0.1, seed=-1)
    assert str(out_of_range.value) == "seed 必须介于 0 与 18446744073709551615 之间（例如 0），得到的是 -1"
    chinese_catalog.setenv(i18n.LANGUAGE_ENV, "en")
    with pytest.raises(TypeError) as english:
        two_moons(n="200")
    assert str(english.value) == "n must be an integer number of points, got str"


def test_a_widget_is_labelled_in_the_learners_language(chinese_catalog):
    from helpers.widgets.predict import PredictionBox

    chinese_catalog.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    box = PredictionBox()
    assert (box.button.description, box.text.placeholder) == ("检查", "你的预测")
    chinese_catalog.setenv(i18n.LANGUAGE_ENV, "en")
    box = PredictionBox()
    assert (box.button.description, box.text.placeholder) == ("Check", "your prediction")


# --------------------------------------------------------------------------- no English-only error
HELPERS = Path(__file__).resolve().parents[1] / "helpers"
TRANSLATING = {"message", "translate"}
ARGUMENT_ERRORS = {"ValueError", "TypeError"}


def _untranslated_text(node: ast.expr) -> bool:
    """True for text written in place: a str literal, an f-string, "…".format(…), or a sum of those."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _untranslated_text(node.left) or _untranslated_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _untranslated_text(node.func.value)
    return False


def english_only_errors(source: str, where: str) -> list[str]:
    """`raise ValueError(…)` / `raise TypeError(…)` whose message is text written in place rather
    than a template passed through `message`/`translate` (helpers.i18n)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        if isinstance(func, ast.Name) and func.id in ARGUMENT_ERRORS and node.exc.args \
                and _untranslated_text(node.exc.args[0]):
            found.append(f"{where}:{node.lineno}")
    return found


def test_the_scan_finds_an_english_only_error():
    assert english_only_errors('raise ValueError(f"x must be > 0, got {x}")', "f") == ["f:1"]
    assert english_only_errors('raise TypeError("n must be an int, got " + kind)', "f") == ["f:1"]
    assert english_only_errors('raise ValueError("{x} bad".format(x=x))', "f") == ["f:1"]
    assert english_only_errors('raise ValueError(message("x must be > 0, got {x}", x=x))', "f") == []


def test_every_helper_error_goes_through_the_translation():
    """Every ValueError/TypeError a helper raises for bad input is a template passed through
    `message` or `translate`, so it reads in the learner's language (helpers/checks/ holds data, and
    helpers/i18n.py is the translator itself: its own errors cannot be translated)."""
    found = []
    for path in sorted(HELPERS.rglob("*.py")):
        relative = path.relative_to(HELPERS.parent).as_posix()
        if path.parent.name == "checks" or path.name == "i18n.py":
            continue
        found += english_only_errors(path.read_text(encoding="utf-8"), relative)
    assert not found, "raised in English only (wrap in helpers.i18n.message):\n" + "\n".join(found)


def test_chinese_figure_text_draws_without_a_missing_glyph(clean_env):
    """With a CJK font installed, `use_figure_fonts` makes matplotlib draw Chinese glyphs (no
    "Glyph … missing" warning), and a formula beside Chinese text is plain Unicode, not mathtext
    (whose own font has no Chinese glyphs)."""
    import warnings

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    clean_env.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    if i18n.cjk_font() is None:
        pytest.skip("no CJK font on this machine (CI installs fonts-wqy-microhei)")
    assert i18n.maths("$x^2$", "x²") == "x²"
    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error")
        i18n.use_figure_fonts()
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.add_subplot().set_xlabel("轮（epoch）")
        fig.canvas.draw()
    clean_env.setenv(i18n.LANGUAGE_ENV, "en")
    assert i18n.maths("$x^2$", "x²") == "$x^2$"


# --------------------------------------------------------------------------- lists and spaces in Chinese
def test_a_list_is_joined_with_the_languages_comma(clean_env):
    assert i18n.join_list(["Python", "device"]) == "Python, device"
    assert i18n.join_list(["a"]) == "a" and i18n.join_list([]) == ""
    clean_env.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    assert i18n.join_list(["Python", "设备", "SymPy"]) == "Python、设备、SymPy"


def test_a_chinese_value_leaves_no_stray_space_in_a_chinese_sentence(clean_env):
    """A Chinese template spaces a placeholder from the Chinese around it (right for a Latin value);
    a value that is Chinese itself is closed up, and a run of spaces (a layout) is kept."""
    assert i18n.close_up("与 自动求导 一致", "zh-CN") == "与自动求导一致"
    assert i18n.close_up("与 autograd 一致", "zh-CN") == "与 autograd 一致"
    assert i18n.close_up("轮   原始程序", "zh-CN") == "轮   原始程序"
    assert i18n.close_up("与 自动求导 一致", "en") == "与 自动求导 一致"
    clean_env.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    name = i18n.translate("autograd")
    assert name == "自动求导"
    against = i18n.message("{name} (shape {shape}) matches {against}: relative error below {below:.0e}",
                           name="G_W", shape="2×3", against=name, below=1e-12)
    assert "与自动求导一致" in against, against
