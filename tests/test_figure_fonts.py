"""In the Chinese edition a figure draws Chinese glyphs with the CJK font: no missing-glyph warning."""
import warnings

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import i18n

pytestmark = pytest.mark.timeout(60)


def test_chinese_text_draws_without_a_missing_glyph(monkeypatch):
    if i18n.cjk_font() is None:
        pytest.skip("no CJK font on this machine")
    monkeypatch.setenv(i18n.LANGUAGE_ENV, i18n.CHINESE)
    with matplotlib.rc_context():
        i18n.use_figure_fonts()
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.add_subplot().set_title("第 1 步（共 8 步）: G_W1")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
            fig.canvas.draw()
