"""helpers.columns: text padded by the columns a monospace font gives it, so the tables the helpers
print line up in the Chinese edition too (a Chinese character takes two columns)."""
import pytest

from helpers import depth, gradients, i18n
from helpers.columns import pad, text_width


def test_a_chinese_character_counts_two_columns():
    assert text_width("grad") == 4
    assert text_width("反向传播") == 8
    assert text_width("w·x − y，反向") == 7 + 2 + 4  # "·" and "−" are one column, "，" two
    assert text_width("增益 γ") == 6 and text_width("‖G_Z1‖") == 6  # Greek and ‖ are one column


def test_pad_fills_to_columns_not_characters():
    assert pad("结论", 6) == "结论  " and pad("结论", 6, ">") == "  结论"
    assert pad("verdict", 4) == "verdict"  # never cut
    assert pad("", 3) == "   "
    with pytest.raises(TypeError, match="text"):
        pad(3, 4)
    with pytest.raises(ValueError, match="align"):
        pad("a", 4, "^")
    with pytest.raises(ValueError, match="width"):
        pad("a", -1)


def _ends(lines: list[str]) -> set[int]:
    """The column (in a monospace font) at which each line ends."""
    return {text_width(line) for line in lines}


def test_a_text_table_with_chinese_cells_lines_up():
    table = gradients.text_table(["参数", "v"], [["w", "良好"], ["偏置 b", "2"]]).splitlines()
    assert table == ["参数    v", "------  ----", "w       良好", "偏置 b  2"]
    starts = {text_width(line[:line.index(cell)]) for line, cell in zip(table[2:], ("良好", "2"))}
    assert starts == {8}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_depth_tables_line_up_in_both_languages(monkeypatch, capsys, lang):
    monkeypatch.setenv(i18n.LANGUAGE_ENV, lang)
    depth.show_forward_backward(20, "tanh", [0.5, 2.0])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and len(_ends(lines)) == 1, lines  # right-aligned: every line ends together
    depth.show_scheme_table(20)
    lines = capsys.readouterr().out.splitlines()
    # every column but the last (the verdict, left-aligned) ends at the same place on every line
    assert len(_ends([line.rsplit("   ", 1)[0] for line in lines])) == 1, lines
    if lang == "zh-CN":
        assert "梯度消失" in lines[1]
