"""The validation rules and their messages in Kyrgyz, Russian and English.

Each rule has a **severity** and an **action** (what happens to the row or cell):

=========  ================  ==========================================================================
severity   action            effect on the raw row
=========  ================  ==========================================================================
error      quarantine_row    the row is ``quarantined``: kept out of the accepted table until fixed
warning    null_cell         the row is accepted (``warning``); this cell is set to empty in the
                             accepted table (the raw value stays in ``quarantine.parquet``)
warning    flag              the row is accepted (``warning``) unchanged
merged     merge             the row is ``merged_duplicate``: superseded by the kept row named in the
                             message
=========  ================  ==========================================================================

Messages of rules that come from a questionnaire constraint use the XLSForm's own
``constraint_message`` when it has one; otherwise the text here. Placeholders in ``{braces}``
are filled from the expectation's parameters and the row's values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from analysis.core.i18n import LANGS
from analysis.errors import ConfigError


@dataclass(frozen=True)
class Rule:
    """One validation rule: its key, severity, action, and message per language."""

    key: str
    severity: str
    action: str
    text: dict[str, str]


def _r(key: str, severity: str, action: str, ky: str, ru: str, en: str) -> Rule:
    return Rule(key, severity, action, {"ky": ky, "ru": ru, "en": en})


_RULES: tuple[Rule, ...] = (
    # ---- from the questionnaire (great-expectations suites)
    _r("type_integer", "error", "quarantine_row",
       "Жооп бүтүн сан болушу керек.",
       "Ответ должен быть целым числом.",
       "The answer must be a whole number."),
    _r("type_decimal", "error", "quarantine_row",
       "Жооп сан болушу керек (мисалы, 3.5).",
       "Ответ должен быть числом (например, 3.5).",
       "The answer must be a number (e.g. 3.5)."),
    _r("type_date", "warning", "null_cell",
       "Жоопту чыныгы дата катары окууга болбойт (ЖЖЖЖ-АА-КК, КК.АА.ЖЖЖЖ, КК/АА/ЖЖЖЖ же Excel датасы); "
       "уяча эсепке алынбайт, катар сакталат.",
       "Ответ не читается как существующая дата (ГГГГ-ММ-ДД, ДД.ММ.ГГГГ, ДД/ММ/ГГГГ или дата Excel); "
       "ячейка не учитывается, строка сохраняется.",
       "The answer cannot be read as a real date (YYYY-MM-DD, dd.mm.yyyy, dd/mm/yyyy or an Excel date); "
       "the cell is set aside, the row is kept."),
    _r("date_ambiguous", "warning", "null_cell",
       "{value} датасын күн-ай-жыл же ай-күн-жыл катары окууга болот; уяча эсепке алынбайт, катар сакталат. "
       "Когорта файлында бул файл үчүн dayfirst көрсөтүңүз.",
       "Дату {value} можно прочитать и как день-месяц-год, и как месяц-день-год; ячейка не учитывается, "
       "строка сохраняется. Укажите dayfirst для этого файла в файле когорты.",
       "The date {value} reads both day-first and month-first; the cell is set aside, the row is kept. "
       "Declare dayfirst for this file in the cohort file."),
    _r("unknown_code", "error", "quarantine_row",
       "Жооп «{list}» тизмесиндеги коддордун бири эмес.",
       "Ответ не является кодом из списка «{list}».",
       "The answer is not a code of the list '{list}'."),
    _r("out_of_range", "error", "quarantine_row",
       "Жооп {min} – {max} аралыгында болушу керек.",
       "Ответ должен быть в пределах {min} – {max}.",
       "The answer must be between {min} and {max}."),
    _r("pattern", "error", "quarantine_row",
       "Жооп талап кылынган үлгүгө ({pattern}) туура келбейт.",
       "Ответ не соответствует образцу ({pattern}).",
       "The answer does not match the required pattern ({pattern})."),
    _r("contact_pattern", "warning", "flag",
       "Байланыш маалыматы күтүлгөн үлгүгө ({pattern}) туура келбейт; текшериңиз.",
       "Контактные данные не соответствуют образцу ({pattern}); проверьте.",
       "The contact detail does not match the expected pattern ({pattern}); please check it."),
    _r("constraint", "error", "quarantine_row",
       "Жооп анкетанын чектөөсүнө ({constraint}) туура келбейт.",
       "Ответ нарушает ограничение анкеты ({constraint}).",
       "The answer breaks the questionnaire's constraint ({constraint})."),
    _r("required", "error", "quarantine_row",
       "Милдеттүү суроого жооп жок.",
       "Нет ответа на обязательный вопрос.",
       "A required answer is missing."),
    _r("not_relevant", "warning", "null_cell",
       "Бул суроо респондентке тиешелүү эмес ({relevant}), бирок жооп берилген; жооп эсепке алынбайт.",
       "Вопрос не относится к респонденту ({relevant}), но ответ дан; ответ не учитывается.",
       "The question does not apply to this respondent ({relevant}) but was answered; the answer "
       "is set aside."),
    _r("duplicate_id", "info", "none",
       "Бул ID бир нече катарда кездешет.",
       "Этот ID встречается в нескольких строках.",
       "This id appears on more than one row."),
    # ---- hand-written cross-field and cross-file rules (crossfile.py)
    _r("exact_duplicate", "merged", "merge",
       "Катар {kept_file} файлынын {kept_row}-катарынын так көчүрмөсү; бир гана жолу эсептелет.",
       "Строка — точная копия строки {kept_row} файла {kept_file}; учитывается один раз.",
       "The row is an exact copy of {kept_file}, row {kept_row}; it is counted once."),
    _r("duplicate_submission", "merged", "merge",
       "Ошол эле респонденттин кайра тапшырылган анкетасы; {kept_file} файлынын {kept_row}-катары "
       "сакталды (эреже: каталары жок, толук, эң акыркы тапшырылган анкета калат).",
       "Повторная анкета того же респондента; сохранена строка {kept_row} файла {kept_file} "
       "(правило: остаётся анкета без ошибок, полная и поданная последней).",
       "A resubmission by the same respondent; {kept_file}, row {kept_row} is kept "
       "(rule: the error-free, complete, most recently submitted questionnaire is kept)."),
    _r("not_in_registry", "error", "quarantine_row",
       "Студенттин ID'си бүтүрүүчүлөр реестринде жок.",
       "ID студента отсутствует в реестре выпускников.",
       "The student id is not in the graduate registry."),
    _r("survey_before_graduation", "error", "quarantine_row",
       "Сурамжылоонун датасы ({value}) бүтүрүү датасынан ({graduation_date}) кийин болушу керек.",
       "Дата опроса ({value}) должна быть позже даты выпуска ({graduation_date}).",
       "The survey date ({value}) must be after the graduation date ({graduation_date})."),
    _r("first_job_too_early", "error", "quarantine_row",
       "Биринчи жумуштун датасы ({value}) бүтүрүүдөн ({graduation_date}) {years} жылдан ашык мурун.",
       "Дата первой работы ({value}) более чем на {years} лет раньше выпуска ({graduation_date}).",
       "The first job date ({value}) is more than {years} years before graduation ({graduation_date})."),
    _r("first_job_after_survey", "error", "quarantine_row",
       "Биринчи жумуштун датасы ({value}) сурамжылоонун датасынан ({survey_date}) кийин.",
       "Дата первой работы ({value}) позже даты опроса ({survey_date}).",
       "The first job date ({value}) is after the survey date ({survey_date})."),
    _r("hours_range", "error", "quarantine_row",
       "Жумуш сааттары жумасына {min} – {max} аралыгында болушу керек.",
       "Рабочие часы должны быть в пределах {min} – {max} в неделю.",
       "Working hours must be between {min} and {max} a week."),
    _r("income_implausible", "error", "quarantine_row",
       "Айлык киреше {min} – {max} сом аралыгында болушу керек.",
       "Месячный доход должен быть в пределах {min} – {max} сом.",
       "Monthly income must be between {min} and {max} KGS."),
    _r("income_below_min_wage", "warning", "flag",
       "Толук жумуш күнү ({hours} саат) иштегенде киреше минималдуу эмгек акыдан ({floor} сом) аз; "
       "текшериңиз.",
       "Доход при полной занятости ({hours} ч) ниже минимальной заработной платы ({floor} сом); "
       "проверьте.",
       "Income for full-time work ({hours} h) is below the minimum wage ({floor} KGS); please check."),
    _r("replies_gt_applications", "error", "quarantine_row",
       "Жооп алынган арыздар ({value}) жөнөтүлгөн арыздардан ({applications_n}) көп болбошу керек.",
       "Число ответов ({value}) не может превышать число заявлений ({applications_n}).",
       "Replies ({value}) cannot exceed applications ({applications_n})."),
    _r("interviews_gt_replies", "error", "quarantine_row",
       "Маектешүүлөр ({value}) жооптордон ({replies_n}) көп болбошу керек.",
       "Число собеседований ({value}) не может превышать число ответов ({replies_n}).",
       "Interviews ({value}) cannot exceed replies ({replies_n})."),
    _r("programme_mismatch", "warning", "flag",
       "Факультет же деңгээл ({value}) «{programme}» программасына туура келбейт "
       "(definitions/programmes.csv боюнча: {expected}).",
       "Факультет или уровень ({value}) не соответствует программе «{programme}» "
       "(по definitions/programmes.csv: {expected}).",
       "The faculty or level ({value}) does not match programme '{programme}' "
       "(definitions/programmes.csv: {expected})."),
    _r("select_multiple_repeated", "warning", "flag",
       "Бир эле код бир нече жолу тандалган.",
       "Один и тот же код выбран несколько раз.",
       "The same code is selected more than once."),
    _r("select_multiple_exclusive", "error", "quarantine_row",
       "«{code}» коду башка варианттар менен бирге тандалбашы керек.",
       "Код «{code}» нельзя выбирать вместе с другими вариантами.",
       "The code '{code}' cannot be combined with other options."),
    _r("select_multiple_split", "warning", "flag",
       "Жалпы мамыча ({value}) менен варианттардын мамычалары ({split}) дал келбейт.",
       "Сводный столбец ({value}) и столбцы вариантов ({split}) не совпадают.",
       "The summary column ({value}) and the option columns ({split}) disagree."),
    _r("job_block_missing", "warning", "flag",
       "Респондент иштейт (ЭЭУ аныктамасы), бирок жумуш тууралуу суроолорго жооп жок.",
       "Респондент занят (определение МОТ), но на вопросы о работе ответов нет.",
       "The respondent is employed (ILO definition) but the job questions are unanswered."),
    _r("job_block_not_employed", "warning", "null_cell",
       "Респондент иштебейт (ЭЭУ аныктамасы), бирок жумуш тууралуу суроого жооп берилген; "
       "жооп эсепке алынбайт.",
       "Респондент не занят (определение МОТ), но ответил на вопрос о работе; ответ не учитывается.",
       "The respondent is not employed (ILO definition) but answered a job question; the answer is "
       "set aside."),
)

RULES: dict[str, Rule] = {r.key: r for r in _RULES}
"""Every rule by key."""

SEVERITIES = ("error", "warning", "merged", "info")


def rule(key: str) -> Rule:
    """The :class:`Rule` ``key`` (KeyError for an unknown rule: a programming error)."""
    return RULES[key]


ALL_LANGS = "all"
"""``lang`` value asking :func:`message` for every language at once (a JSON object)."""


def split_messages(df: pd.DataFrame, column: str = "message") -> pd.DataFrame:
    """Turn JSON messages made with ``lang="all"`` into ``message_ky``, ``message_ru``, ``message_en``
    columns; ``message`` keeps the Kyrgyz text. Plain (one-language) messages are copied to all three."""
    out = df.copy()
    parsed = [json.loads(m) if isinstance(m, str) and m.startswith("{") else None for m in out[column]]
    for code in LANGS:
        out[f"{column}_{code}"] = [p[code] if p else m for p, m in zip(parsed, out[column])]
    out[column] = out[f"{column}_ky"]
    return out


def message(key: str, lang: str = "ky", override: dict[str, str] | None = None, **fmt: object) -> str:
    """The message of rule ``key`` in ``lang`` with placeholders filled.

    ``override`` is a per-language text from the questionnaire (an XLSForm ``constraint_message``);
    it wins when it has text for ``lang``. Unknown placeholders are left as written.
    """
    if lang == ALL_LANGS:
        # every language at once (JSON), so one validation run serves reports in ky, ru and en
        return json.dumps({code: message(key, code, override, **fmt) for code in LANGS},
                          ensure_ascii=False, sort_keys=True)
    if lang not in LANGS:
        raise ConfigError(f"language '{lang}' is not supported for validation messages "
                          f"(choose from {', '.join(LANGS)})")
    text = (override or {}).get(lang) or RULES[key].text[lang]
    return text.format_map(_Keep(fmt))


class _Keep(dict):
    """``str.format_map`` mapping that leaves unknown placeholders as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
