"""Report prose exists in all three languages, numbers are formatted per language, charts keep Kyrgyz letters."""

from __future__ import annotations

import re

import pytest

from analysis.core import i18n
from analysis.errors import ConfigError
from analysis.publish import formatting


def test_every_message_has_kyrgyz_russian_and_english():
    for key, texts in i18n.catalogue().items():
        assert set(texts) == set(i18n.LANGS), key
        for lang, text in texts.items():
            assert text.strip(), f"{key}/{lang} is empty"
        # the same placeholders in every language
        # (except {s} and {s_match}: English plural endings the notices derive from n, analysis.ingest.notices)
        ph = {lang: set(re.findall(r"{(\w+)}", text)) - {"s", "s_match"} for lang, text in texts.items()}
        assert ph["ky"] == ph["ru"] == ph["en"], key


def test_the_catalogue_is_several_files_whose_keys_never_repeat(tmp_path, monkeypatch):
    assert len(i18n.catalogue_files()) >= 5
    (tmp_path / "a.yaml").write_text("x:\n  ky: a\n  ru: a\n  en: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("x:\n  ky: b\n  ru: b\n  en: b\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "_CATALOGUE", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(ConfigError, match="'x' is already defined in a.yaml"):
            i18n.catalogue()
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_kyrgyz_messages_are_not_russian_copies():
    cat = i18n.catalogue()
    long = [k for k, v in cat.items() if len(v["ky"]) > 25]
    assert long
    for key in long:
        assert cat[key]["ky"] != cat[key]["ru"], key
    assert any(ch in "".join(v["ky"] for v in cat.values()) for ch in "ңөү")


def test_placeholders_are_filled_and_unknown_keys_fail():
    assert "2025" in i18n.t("report_subtitle", "ky", year=2025, months=9, institution="ЖАМУ")
    with pytest.raises(ConfigError):
        i18n.t("no_such_message", "ky")
    with pytest.raises(ConfigError):
        i18n.t("report_title", "de", cohort="x")


@pytest.mark.parametrize("lang, number, pct", [
    ("ky", "1\u00a0234,5", "87,0%"),
    ("ru", "1\u00a0234,5", "87,0\u00a0%"),
    ("en", "1,234.5", "87.0%"),
])
def test_numbers_follow_the_language(lang, number, pct):
    assert formatting.fmt_number(1234.5, lang, 1) == number
    assert formatting.fmt_pct(0.87, lang) == pct
    assert formatting.fmt_pct(float("nan"), lang) == ".."


@pytest.mark.parametrize("lang, one, two, pct", [
    ("ky", "12,3", "0,13", "12,3%"), ("ru", "12,3", "0,13", "12,3\u00a0%"), ("en", "12.3", "0.13", "12.3%")])
def test_one_formatter_rounds_half_up_in_every_language(lang, one, two, pct):
    # Babel alone would round half to even (12.25 → 12.2); docs/privacy.md promises half up
    assert formatting.fmt_number(12.25, lang, 1) == one
    assert formatting.fmt_number(0.125, lang, 2) == two
    assert formatting.fmt_pct(0.12345, lang) == pct


def test_charts_draw_kyrgyz_letters_without_missing_glyphs():
    import matplotlib.pyplot as plt

    from analysis.publish.charts import bars_with_ci, dumbbell

    fig = bars_with_ci(["Ңөү факультети", "Үй-бүлө"], [0.4, 0.6], [0.3, 0.5], [0.5, 0.7],
                       "Иштегендердин үлүшү", "үлүш", reference=0.5, reference_label="бардыгы")
    fig.canvas.draw()  # a missing glyph warning is an error (tests/conftest.py)
    fig2 = dumbbell(["Чет тили", "Өз алдынча өнүгүү"], [3, 3.5], [4, 4.2], "бүтүргөндө", "жумушта", "Көндүмдөр")
    fig2.canvas.draw()
    plt.close("all")


def test_every_validation_rule_has_a_short_title():
    from analysis.validate.messages import RULES

    for key in RULES:
        assert f"rule_{key}" in i18n.catalogue(), f"no short title for validation rule '{key}'"
