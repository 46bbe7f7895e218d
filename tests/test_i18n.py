"""helpers.i18n: the language follows the notebook (its folder), an override wins, and a
message without a translation shows in English."""
import os

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
