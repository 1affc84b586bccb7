"""Labels of codes and variables in Kyrgyz, Russian and English: one place for the whole project.

Where a label comes from:

* **questionnaire items** (registry, phase 1, phase 2, employer): the XLSForms in
  ``questionnaires/`` (question text and choice labels, :mod:`analysis.instruments.xlsform`);
* **programme** and **faculty**: ``definitions/programmes.csv`` and ``definitions/faculties.csv``
  (columns ``name_ky``, ``name_ru``, ``name_en``);
* **derived variables** of the graduates table (:data:`analysis.derive.graduates.DERIVED_COLUMNS`): the
  tables :data:`DERIVED_VARIABLE_LABELS` and :data:`DERIVED_VALUE_LABELS` below. The labour-status
  values reuse the report's message catalogue (``definitions/messages/*.yaml``). A derived column
  missing from the table falls back to the label of the indicator that reads it
  (``definitions/indicators.yaml``).

Code lists become pandas ``Categorical`` columns whose categories are the labels, in the list's
order. They are *ordered* where the codes are ordered: 5-point scales, study level, work during
studies, firm size, and the derived ordinal variables (labour status, NACE outcome, skill level,
income band, vertical match, degree effectiveness). Typical use::

    from analysis.publish.labels import label_values, column_labels
    shown = label_values(graduates, "ky")                # codes → Kyrgyz labels
    shown = shown.rename(columns=column_labels(shown.columns, "ky"))

Everything is cached: the four forms are read once per process (about 0.6–0.9 s), then labelling a
2 000 × 160 table takes a fraction of a second.
"""

from __future__ import annotations

import csv
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.i18n import LANGS, catalogue
from analysis.core.paths import DEFINITIONS, ROOT_ENV, SOURCE_ROOT
from analysis.core.paths import project_root as _root
from analysis.derive.graduates import CROSSWALK_KEEP, DERIVED_COLUMNS, FLAG_COLUMNS
from analysis.derive.registry import load_registry
from analysis.errors import ConfigError, user_stacklevel
from analysis.instruments.xlsform import load_instrument, pick_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "LANGS",
    "INSTRUMENT_ORDER",
    "ORDERED_LISTS",
    "DERIVED_VARIABLE_LABELS",
    "DERIVED_VALUE_LABELS",
    "LabelWarning",
    "ValueSpec",
    "label_values",
    "column_labels",
    "value_label",
    "value_spec",
    "variable_source",
    "forms_dir",
]

#: where an unprefixed column name is looked up, in this order (the graduates table's own order)
INSTRUMENT_ORDER = ("registry", "phase1", "phase2", "employer")
#: choice lists whose codes are ordered (every other list is nominal: categories keep form order)
ORDERED_LISTS = frozenset({"scale5", "level", "worked_studies", "size_band"})
#: prefixes the graduates table gives to items asked in both phases (``p1_consent``, ``p2_mode``)
PHASE_PREFIX = {"p1_": "phase1", "p2_": "phase2"}
_PHASE_SUFFIX = {"phase1": {"ky": "1-этап", "ru": "этап 1", "en": "phase 1"},
                 "phase2": {"ky": "2-этап", "ru": "этап 2", "en": "phase 2"}}
_MULTI_SEP = "; "


class LabelWarning(UserWarning):
    """A value could not be labelled (an unknown code in an ordered list); it was set missing."""


def _l(ky: str, ru: str, en: str) -> dict[str, str]:
    return {"ky": ky, "ru": ru, "en": en}


# ------------------------------------------------------------------ derived variables: names
#: Labels of the columns ``derive_graduates`` adds (registry extras, flags, derived variables) and of
#: the provenance columns ingestion adds. ``comp_gap_<c>`` labels are built from the form's
#: competence names. Standards in brackets are those the derivation follows (see indicators.py).
DERIVED_VARIABLE_LABELS: dict[str, dict[str, str]] = {
    "pid": _l("Бүтүрүүчүнүн псевдоними", "Псевдоним выпускника", "Graduate pseudonym"),
    "age_at_grad": _l("Бүтүргөндөгү жашы (жыл)", "Возраст при выпуске (лет)", "Age at graduation (years)"),
    "isced_level": _l("ISCED 2011 деңгээли", "Уровень МСКО 2011", "ISCED 2011 level"),
    "isced_f": _l("Билим берүү тармагы (ISCED-F 2013)", "Область образования (МСКО-О 2013)",
                  "Field of education (ISCED-F 2013)"),
    "expected_isco": _l("Программага шайкеш ISCO-08 топтору", "Ожидаемые группы МСКЗ-08 для программы",
                        "Expected ISCO-08 groups for the programme"),
    "resp_p1": _l("1-этапка жооп берди (жарактуу жооп)", "Ответил на этапе 1 (валидный ответ)",
                  "Responded in phase 1 (valid response)"),
    "resp_p2": _l("2-этапка жооп берди (жарактуу жооп)", "Ответил на этапе 2 (валидный ответ)",
                  "Responded in phase 2 (valid response)"),
    "outcome_known": _l("Натыйжасы белгилүү (NACE)", "Результат известен (NACE)", "Outcome known (NACE)"),
    "labour_status": _l("Эмгек статусу (ЭЭУ)", "Статус занятости (МОТ)", "Labour status (ILO)"),
    "employed": _l("Иштейт (ЭЭУ)", "Занят (МОТ)", "Employed (ILO)"),
    "unemployed": _l("Жумушсуз (ЭЭУ)", "Безработный (МОТ)", "Unemployed (ILO)"),
    "in_labour_force": _l("Жумушчу күчүнүн курамында (ЭЭУ)", "В составе рабочей силы (МОТ)",
                          "In the labour force (ILO)"),
    "full_time": _l("Толук жумуш убактысында иштейт", "Занят полный рабочий день", "Employed full-time"),
    "available_full_time": _l("Толук жумуш убактысына даяр (QILT)", "Доступен для работы полный день (QILT)",
                              "Available for full-time work (QILT)"),
    "further_study": _l("Окуусун улантууда (ар кандай формада)", "Продолжает обучение (любая форма)",
                        "In further study (any mode)"),
    "further_study_ft": _l("Күндүзгү окууну улантууда", "Продолжает очное обучение",
                           "In full-time further study"),
    "nace_outcome": _l("Бүтүргөндөн кийинки натыйжа (NACE)", "Результат после выпуска (NACE)",
                       "First-destination outcome (NACE)"),
    "career_outcome": _l("Карьералык ийгиликтүү натыйжа (NACE)", "Успешный карьерный результат (NACE)",
                         "Career outcome achieved (NACE)"),
    "months_since_grad": _l("Бүтүргөндөн бери өткөн убакыт (ай)", "Прошло месяцев после выпуска",
                            "Months since graduation"),
    "months_to_first_job": _l("Биринчи жумушка чейинки убакыт (ай)", "Время до первой работы (месяцев)",
                              "Months to first job"),
    "first_job_event": _l("Биринчи жумуш окуясы (1 = жумуш, 2 = окуу, 0 = цензураланган)",
                          "Событие первой работы (1 = работа, 2 = учёба, 0 = цензурировано)",
                          "First-job event (1 = job, 2 = further study, 0 = censored)"),
    "first_job_censored": _l("Биринчи жумушка чейинки убакыт цензураланган",
                             "Время до первой работы цензурировано", "Time to first job is censored"),
    "first_job_before_grad": _l("Биринчи жумуш бүтүрүүгө чейин башталган", "Первая работа до выпуска",
                                "First job started before graduation"),
    "job_within_6m": _l("6 айдын ичинде жумуш тапты", "Нашёл работу в течение 6 месяцев",
                        "Found a job within 6 months"),
    "job_search_months": _l("Жумуш издөө мөөнөтү (ай)", "Продолжительность поиска работы (месяцев)",
                            "Job-search duration (months)"),
    "job_search_censored": _l("Жумуш издөө мөөнөтү цензураланган", "Продолжительность поиска цензурирована",
                              "Job-search duration is censored"),
    "job_search_upper_bound": _l("Жумуш издөө мөөнөтү — жогорку чек", "Продолжительность поиска — верхняя граница",
                                 "Job-search duration is an upper bound"),
    "isco1": _l("Кесип, ISCO-08 негизги тобу", "Занятие, основная группа МСКЗ-08",
                "Occupation, ISCO-08 major group"),
    "isco2": _l("Кесип, ISCO-08 кичи тобу (2 сан)", "Занятие, подгруппа МСКЗ-08 (2 знака)",
                "Occupation, ISCO-08 sub-major group (2 digits)"),
    "skill_level": _l("Квалификация деңгээли (ISCO-08)", "Уровень квалификации (МСКЗ-08)", "Skill level (ISCO-08)"),
    "high_skilled": _l("Жогорку квалификациялуу жумуш (ISCO-08 1–3-топтор)",
                       "Высококвалифицированная работа (группы МСКЗ-08 1–3)", "High-skilled job (ISCO-08 groups 1–3)"),
    "gked_section": _l("Экономикалык иштин түрү (ГКЭД-3 бөлүмү)", "Вид экономической деятельности (секция ГКЭД-3)",
                       "Economic activity (GKED-3 / NACE Rev. 2 section)"),
    "sector_broad": _l("Экономиканын тармагы (чоң топтор)", "Сектор экономики (укрупнённо)", "Broad economic sector"),
    "informal": _l("Формалдуу эмес жумуш (ЭЭУ)", "Неформальная занятость (МОТ)", "Informal job (ILO)"),
    "abroad": _l("Чет өлкөдө иштейт", "Работает за рубежом", "Works abroad"),
    "works_in_region": _l("Өз облусунда иштейт", "Работает в своей области", "Works in the home oblast"),
    "income_kgs": _l("Айлык таза киреше (сом)", "Ежемесячный чистый доход (сом)", "Monthly net income (KGS)"),
    "income_band_mid_kgs": _l("Киреше тобунун ортосу (сом)", "Середина интервала дохода (сом)",
                              "Income band midpoint (KGS)"),
    "income_from_band": _l("Киреше тобу боюнча гана белгилүү", "Доход известен только по интервалу",
                           "Income known from the band only"),
    "income_band_any": _l("Киреше тобу", "Интервал дохода", "Income band"),
    "income_stat": _l("Статистика үчүн киреше (толук жумуш күнү, сом)", "Доход для статистики (полный день, сом)",
                      "Income for statistics (full-time, KGS)"),
    "income_excluded_reason": _l("Киреше статистикага кирбеген себеп", "Причина исключения дохода из статистики",
                                 "Why the income is left out of statistics"),
    "income_rel_oblast": _l("Облустагы орточо эмгек акыга карата киреше",
                            "Доход относительно средней зарплаты по области",
                            "Income relative to the oblast average wage"),
    "below_min_wage": _l("Минималдуу эмгек акыдан аз табат", "Доход ниже минимальной заработной платы",
                         "Earns below the minimum wage"),
    "vm_subjective": _l("Вертикалдык шайкештик (өзүн-өзү баалоо)", "Вертикальное соответствие (самооценка)",
                        "Vertical match, self-assessed"),
    "vm_normative": _l("Вертикалдык шайкештик, нормативдик (ISCO-08 жана ISCED)",
                       "Вертикальное соответствие, нормативное (МСКЗ-08 и МСКО)",
                       "Vertical match, normative (ISCO-08 vs ISCED)"),
    "hm_subjective": _l("Горизонталдык шайкештик (өзүн-өзү баалоо)", "Горизонтальное соответствие (самооценка)",
                        "Horizontal match, self-assessed"),
    "hm_normative": _l("Горизонталдык шайкештик, нормативдик (адистик жана кесип)",
                       "Горизонтальное соответствие, нормативное (специальность и занятие)",
                       "Horizontal match, normative (field vs occupation)"),
    "degree_effectiveness": _l("Дипломдун натыйжалуулугу (AlmaLaurea)", "Эффективность диплома (AlmaLaurea)",
                               "Degree effectiveness (AlmaLaurea)"),
    "job_satisfied": _l("Жумушуна канааттанат (4–5)", "Удовлетворён работой (4–5)", "Satisfied with the job (4–5)"),
    "usefulness_high": _l("Программа жумуш үчүн пайдалуу (4–5)", "Программа полезна для работы (4–5)",
                          "Programme useful for the job (4–5)"),
    "programme_eval_score": _l("Программага берилген орточо баа (1–5)", "Средняя оценка программы (1–5)",
                               "Programme evaluation score (mean, 1–5)"),
    "needs_more_education": _l("Кошумча билимге муктаж", "Нуждается в дополнительном образовании",
                               "Needs further education"),
    # added by ingestion (provenance), carried with a p1_/p2_ prefix in the graduates table
    "mode": _l("Сурамжылоонун ыкмасы", "Способ опроса", "Survey mode"),
    "_mode": _l("Сурамжылоонун ыкмасы", "Способ опроса", "Survey mode"),
    "_instrument": _l("Сурамжылоо куралы", "Инструмент", "Instrument"),
    "_source_file": _l("Булак файл", "Исходный файл", "Source file"),
    "_source_row": _l("Булак файлдагы сап", "Строка исходного файла", "Row in the source file"),
    "_submission_id": _l("Жөнөтүүнүн идентификатору", "Идентификатор отправки", "Submission id"),
    "_submitted_at": _l("Жөнөтүлгөн убакыт", "Время отправки", "Submitted at"),
    "_review_state": _l("Текшерүү абалы (платформада)", "Статус проверки (на платформе)", "Review state (platform)"),
    "_outcome": _l("Саптын текшерүү жыйынтыгы", "Итог проверки строки", "Row outcome (validation)"),
}
_COMP_GAP = _l("{c}: ажырым (талап кылынган − бүтүрүүдөгү деңгээл)",
               "{c}: разрыв (требуемый − достигнутый к выпуску уровень)",
               "{c}: gap (required − reached at graduation)")

# ------------------------------------------------------------------ derived variables: values
_MODE = {"online": _l("Онлайн", "Онлайн", "Online"), "phone": _l("Телефон аркылуу", "По телефону", "Phone"),
         "paper": _l("Кагаз анкета", "Бумажная анкета", "Paper")}
#: Value labels of derived code lists, in the derivation's order (``None`` = labels from a form list
#: or from the message catalogue, see ``_DERIVED_FROM``).
DERIVED_VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "nace_outcome": {
        "employed": _l("Иштейт", "Работает", "Employed"),
        "military": _l("Аскер кызматында", "Военная служба", "Military service"),
        "continuing_education": _l("Окуусун улантууда", "Продолжает обучение", "Continuing education"),
        "seeking": _l("Жумуш издеп жатат", "Ищет работу", "Seeking employment"),
        "not_seeking": _l("Жумуш издебейт", "Не ищет работу", "Not seeking employment"),
    },
    "skill_level": {
        "1": _l("Квалификациянын 1-деңгээли", "1-й уровень квалификации", "Skill level 1"),
        "2": _l("Квалификациянын 2-деңгээли", "2-й уровень квалификации", "Skill level 2"),
        "3": _l("Квалификациянын 3-деңгээли", "3-й уровень квалификации", "Skill level 3"),
        "3-4": _l("Квалификациянын 3–4-деңгээли", "3–4-й уровень квалификации", "Skill level 3–4"),
        "4": _l("Квалификациянын 4-деңгээли", "4-й уровень квалификации", "Skill level 4"),
    },
    "sector_broad": {
        "agriculture": _l("Айыл чарба", "Сельское хозяйство", "Agriculture"),
        "industry": _l("Өнөр жай жана курулуш", "Промышленность и строительство", "Industry and construction"),
        "services": _l("Кызмат көрсөтүү", "Услуги", "Services"),
    },
    "income_excluded_reason": {
        "unpaid_family_work": _l("Үй-бүлөлүк ишканада акысыз иш", "Неоплачиваемая работа в семейном деле",
                                 "Unpaid family work"),
        "no_exact_income": _l("Так киреше көрсөтүлгөн эмес", "Точный доход не указан", "No exact income"),
        "hours_unknown": _l("Иш сааттары белгисиз", "Часы работы неизвестны", "Hours unknown"),
        "not_full_time": _l("Толук эмес жумуш убактысы", "Неполный рабочий день", "Not full-time"),
        "below_min_wage": _l("Минималдуу эмгек акыдан төмөн", "Ниже минимальной зарплаты", "Below the minimum wage"),
        "top_0_1pct": _l("Эң жогорку 0,1%", "Верхние 0,1%", "Top 0.1%"),
    },
    "vm_subjective": {
        "under_educated": _l("Билим деңгээли жумушка жетишсиз", "Уровень образования ниже требуемого",
                             "Under-educated"),
        "matched": _l("Билим деңгээли шайкеш", "Уровень образования соответствует", "Matched"),
        "over_educated": _l("Билим деңгээли жумуштан жогору", "Уровень образования выше требуемого",
                            "Over-educated"),
    },
    "vm_normative": {
        "under_qualified": _l("Квалификациясы жетишсиз", "Недостаточная квалификация", "Under-qualified"),
        "matched": _l("Шайкеш", "Соответствует", "Matched"),
        "over_qualified": _l("Ашыкча квалификация", "Избыточная квалификация", "Over-qualified"),
    },
    "degree_effectiveness": {
        "not_effective": _l("Натыйжасыз", "Неэффективен", "Not effective"),
        "slightly_effective": _l("Аз натыйжалуу", "Малоэффективен", "Slightly effective"),
        "fairly_effective": _l("Орточо натыйжалуу", "Достаточно эффективен", "Fairly effective"),
        "effective": _l("Натыйжалуу", "Эффективен", "Effective"),
        "very_effective": _l("Абдан натыйжалуу", "Очень эффективен", "Very effective"),
    },
    "mode": _MODE,
    "_mode": _MODE,
    "_outcome": {
        "accepted": _l("Кабыл алынды", "Принята", "Accepted"),
        "warning": _l("Эскертүү менен кабыл алынды", "Принята с предупреждением", "Accepted with warnings"),
        "quarantined": _l("Карантинде", "В карантине", "Quarantined"),
        "merged_duplicate": _l("Кайталанма, бириктирилди", "Дубликат, объединена", "Merged duplicate"),
    },
}
#: derived columns whose values use another source: (instrument, choice list) or the message catalogue
_DERIVED_FROM: dict[str, tuple[str, str]] = {
    "labour_status": ("messages", "status_"),
    "gked_section": ("phase2", "gked"),
    "isco1": ("phase2", "isco_major"),
    "income_band_any": ("phase2", "income_band"),
}
#: derived code lists that are ordered (the order of derive_graduates' categoricals)
_DERIVED_ORDERED = frozenset({"labour_status", "nace_outcome", "skill_level", "income_band_any", "vm_subjective",
                              "vm_normative", "degree_effectiveness"})
_LABOUR_STATUS = ("employed", "unemployed", "olf_study", "olf_other")


# ------------------------------------------------------------------ the catalogue (cached)
@dataclass(frozen=True)
class ValueSpec:
    """The code list of one column: codes in order, their labels per language, and the list's kind."""

    codes: tuple[str, ...]
    labels: dict[str, tuple[str, ...]]
    ordered: bool
    multiple: bool = False
    source: str = ""

    def label_of(self, code: str, lang: str) -> str:
        """Label of ``code`` in ``lang`` (the code itself when it is not in the list)."""
        try:
            return self.labels[lang][self.codes.index(code)]
        except ValueError:
            return code


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ConfigError(f"language '{lang}' is not supported (choose from {', '.join(LANGS)})")


def forms_dir(project_root: str | Path | None = None) -> Path:
    """The folder of the XLSForms: ``<project_root>/questionnaires`` when it exists, else the project's own.

    A temporary project folder (tests, a copy of the processed data) has no questionnaires; its
    labels then come from the forms of the installed project.
    """

    return _forms_dir_cached(str(project_root or ""), os.environ.get(ROOT_ENV, ""), os.getcwd())


@lru_cache(maxsize=32)
def _forms_dir_cached(project_root: str, _env: str, _cwd: str) -> Path:
    candidates = [Path(project_root) / "questionnaires"] if project_root else []
    candidates += [_root() / "questionnaires", SOURCE_ROOT / "questionnaires"]
    for folder in candidates:
        if (folder / "registry.xlsx").is_file():
            return folder.resolve()
    raise ConfigError(f"{candidates[0]}: questionnaires not found (needed for labels) — "
                      "restore questionnaires/ from the repository")


def _unique(labels: Sequence[str], codes: Sequence[str]) -> tuple[str, ...]:
    """Labels made unique: a label used twice gets its code in brackets (pandas needs unique categories)."""
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    return tuple(f"{lab} [{code}]" if seen[lab] > 1 else lab for lab, code in zip(labels, codes))


def _spec(codes: Sequence[str], texts: Sequence[dict[str, str]], ordered: bool, multiple: bool = False,
          source: str = "") -> ValueSpec:
    codes = tuple(str(c) for c in codes)
    labels = {lang: _unique([pick_text(t, lang) or c for c, t in zip(codes, texts)], codes) for lang in LANGS}
    return ValueSpec(codes, labels, ordered, multiple, source)


def _csv_spec(name: str, key: str) -> ValueSpec:
    with (DEFINITIONS / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return _spec([r[key] for r in rows], [{lang: r[f"name_{lang}"] for lang in LANGS} for r in rows],
                  ordered=False, source=f"definitions/{name}")


@lru_cache(maxsize=4)
def _catalogue(folder: str) -> dict[str, Any]:
    """Every label the project knows, read once per forms folder.

    Returns ``{"questions": {instrument: {name: (labels, list_name, type)}}, "lists": {instrument:
    {list: choices}}, "csv": {"programme": ValueSpec, "faculty": ValueSpec}}``.
    """
    questions: dict[str, dict[str, tuple]] = {}
    lists: dict[str, dict[str, tuple]] = {}
    for name in INSTRUMENT_ORDER:
        inst = load_instrument(name, folder)
        questions[name] = {q.name: (q.labels, q.list_name, q.type) for q in inst.data_questions}
        lists[name] = dict(inst.choices)
    return {"questions": questions, "lists": lists,
            "csv": {"programme": _csv_spec("programmes.csv", "programme"),
                    "faculty": _csv_spec("faculties.csv", "faculty")}}


def _resolve(column: str, instrument: str | None, cat: dict[str, Any]) -> tuple[str, str] | None:
    """(instrument, item name) of a questionnaire column, or None when it is not a question."""
    qs = cat["questions"]
    if instrument is not None:
        return (instrument, column) if column in qs.get(instrument, {}) else None
    for prefix, inst in PHASE_PREFIX.items():
        if column.startswith(prefix) and column[len(prefix):] in qs[inst]:
            return inst, column[len(prefix):]
    for inst in INSTRUMENT_ORDER:
        if column in qs[inst]:
            return inst, column
    return None


def _strip_phase(column: str) -> tuple[str, str | None]:
    for prefix, inst in PHASE_PREFIX.items():
        if column.startswith(prefix):
            return column[len(prefix):], inst
    return column, None


@lru_cache(maxsize=2048)
def _value_spec_cached(column: str, instrument: str | None, folder: str) -> ValueSpec | None:
    cat = _catalogue(folder)
    if column in cat["csv"] and instrument in (None, "registry"):
        return cat["csv"][column]
    if instrument is None:
        if column == "labour_status":
            msgs = catalogue()
            return _spec(_LABOUR_STATUS, [msgs.get(f"status_{c}", {}) for c in _LABOUR_STATUS], True,
                         source="definitions/messages/*.yaml")
        if column in _DERIVED_FROM:
            inst, list_name = _DERIVED_FROM[column]
            choices = [c for c in cat["lists"][inst][list_name] if c.name != "refuse"]
            return _spec([c.name for c in choices], [c.labels for c in choices], column in _DERIVED_ORDERED,
                         source=f"questionnaires/{inst}.xlsx")
        base, _phase = _strip_phase(column)
        for key in (column, base):
            if key in DERIVED_VALUE_LABELS:
                table = DERIVED_VALUE_LABELS[key]
                return _spec(list(table), list(table.values()), key in _DERIVED_ORDERED,
                             source="analysis.publish.labels")
    where = _resolve(column, instrument, cat)
    if where is None:
        return None
    inst, item = where
    _labels, list_name, qtype = cat["questions"][inst][item]
    if not list_name:
        return None
    if list_name in cat["csv"] and item == list_name:
        return cat["csv"][list_name]
    choices = cat["lists"][inst][list_name]
    return _spec([c.name for c in choices], [c.labels for c in choices], list_name in ORDERED_LISTS,
                 multiple=qtype == "select_multiple", source=f"questionnaires/{inst}.xlsx")


def value_spec(column: str, instrument: str | None = None, project_root: str | Path | None = None) -> ValueSpec | None:
    """The code list of ``column`` (``None`` for numbers, dates, free text and flags).

    ``instrument`` restricts the look-up to one form (use ``"employer"`` for the employers table);
    by default derived variables come first, then registry, phase 1, phase 2 and employer items,
    with ``p1_``/``p2_`` prefixes resolved to their phase.
    """
    return _value_spec_cached(str(column), instrument, str(forms_dir(project_root)))


def _code_text(v: Any) -> str | None:
    """One value as a code string (``None`` when missing or empty); 3 and 3.0 become '3'."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def _already_labelled(present: set[str], spec: ValueSpec, labels: Sequence[str]) -> bool:
    """True when the values are labels already: some are labels that are not codes, none a code that is not a label."""
    codes_only = set(spec.codes) - set(labels)
    labels_only = set(labels) - set(spec.codes)
    if spec.multiple:
        codes = set(spec.codes)
        as_labels = {t for v in present for t in v.split(_MULTI_SEP)}
        pure_codes = any(set(v.split()) <= codes and set(v.split()) & codes_only for v in present)
        return bool(as_labels & labels_only) and not pure_codes
    return bool(present & labels_only) and not present & codes_only


def _label_column(s: pd.Series, spec: ValueSpec, lang: str, name: str) -> pd.Series:
    labels = spec.labels[lang]
    positions, uniques = pd.factorize(s, use_na_sentinel=True)  # the work is done once per distinct value
    texts = [_code_text(u) for u in uniques]
    present = {t for t in texts if t is not None}
    if _already_labelled(present, spec, labels):
        return s
    if spec.multiple:
        lookup = dict(zip(spec.codes, labels))
        joined = [None if t is None else _MULTI_SEP.join(lookup.get(c, c) for c in t.split()) for t in texts]
        out = np.array([*joined, None], dtype=object)[positions]
        return pd.Series(out, index=s.index, dtype="string", name=s.name)
    unknown = sorted(present - set(spec.codes))
    codes, cats = list(spec.codes), list(labels)
    if unknown and spec.ordered:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        warnings.warn(f"column '{name}': {len(unknown)} value(s) not in its ordered code list set missing: {shown}",
                      LabelWarning, stacklevel=user_stacklevel())
    elif unknown:
        codes += unknown
        cats += [u if u not in cats else f"{u} [?]" for u in unknown]
    where = {c: i for i, c in enumerate(codes)}
    lookup_pos = np.array([*(where.get(t, -1) if t is not None else -1 for t in texts), -1], dtype=np.int64)
    cat = pd.Categorical.from_codes(lookup_pos[positions], categories=cats, ordered=spec.ordered)
    return pd.Series(cat, index=s.index, name=s.name)


def label_values(df: pd.DataFrame, lang: str = "ky", columns: Iterable[str] | None = None,
                 instrument: str | None = None, project_root: str | Path | None = None) -> pd.DataFrame:
    """A copy of ``df`` whose coded columns hold their labels in ``lang`` as pandas Categoricals.

    Parameters
    ----------
    df
        Any table with the contract's column names: the graduates table, a validated phase table,
        the employers table.
    lang
        ``ky``, ``ru`` or ``en``.
    columns
        Only these columns (default: every column that has a code list). Columns without a code
        list are left as they are: numbers, dates, booleans, free text.
    instrument
        Look columns up in this form only (``"employer"`` for the employers table).
    project_root
        Project whose ``questionnaires/`` to use (default: the current project).

    Returns
    -------
    pandas.DataFrame
        Categories are the labels in the list's order; ``ordered=True`` for ordinal lists
        (:data:`ORDERED_LISTS` and the derived ordinal variables). Empty strings become missing.
        Codes outside the list are kept verbatim as extra categories of a nominal column; in an
        ordered column they have no place in the order and become missing, with a
        :class:`LabelWarning`. ``select_multiple`` columns become text: the labels of the chosen
        codes joined by ``"; "``. Labelling twice is harmless (labelled columns are recognised).
    """
    _check_lang(lang)
    folder = str(forms_dir(project_root))
    if columns is None:
        todo = list(df.columns)
    else:
        todo = list(columns)
        missing = [c for c in todo if c not in df.columns]
        if missing:
            raise ConfigError(f"label_values: column(s) {', '.join(map(str, missing))} not in the table")
    out = df.copy()
    for col in todo:
        if str(col).startswith("comp_gap_"):
            continue
        spec = _value_spec_cached(str(col), instrument, folder)
        if spec is None or str(out[col].dtype) in ("bool", "boolean"):
            continue
        out[col] = _label_column(out[col], spec, lang, str(col))
    return out


def value_label(column: str, code: Any, lang: str = "ky", instrument: str | None = None,
                project_root: str | Path | None = None) -> str:
    """Label of one ``code`` of ``column`` in ``lang`` (e.g. ``value_label("faculty", "PED", "ky")``).

    Returns the code as text when the column has no code list or the code is not in it.
    """
    _check_lang(lang)
    spec = value_spec(column, instrument, project_root)
    text = "" if code is None else str(code)
    return spec.label_of(text, lang) if spec is not None else text


@lru_cache(maxsize=1)
def _indicator_labels() -> dict[str, dict[str, str]]:
    """Derived column → label of the first registry indicator that reads it (fallback labels)."""
    out: dict[str, dict[str, str]] = {}
    for ind in load_registry():
        if not ind.items:
            out.setdefault(ind.variable, dict(ind.label))
    return out


def _competence_name(item: str, cat: dict[str, Any], lang: str) -> str:
    q = cat["questions"]["phase2"].get(f"comp_job_{item}")
    text = pick_text(q[0], lang) if q else ""
    return re.split(r"\s+[—–-]\s+", text)[0] if text else item


@lru_cache(maxsize=8192)
def _column_label_cached(column: str, lang: str, instrument: str | None, folder: str) -> str:
    cat = _catalogue(folder)
    if instrument is None:
        if column in DERIVED_VARIABLE_LABELS:
            return DERIVED_VARIABLE_LABELS[column][lang]
        if column.startswith("comp_gap_"):
            return _COMP_GAP[lang].format(c=_competence_name(column[len("comp_gap_"):], cat, lang))
    where = _resolve(column, instrument, cat)
    if where is not None:
        inst, item = where
        text = pick_text(cat["questions"][inst][item][0], lang) or column
        if instrument is None and column != item:  # p1_/p2_ item asked in both phases
            text = f"{text} ({_PHASE_SUFFIX[inst][lang]})"
        return text
    if instrument is None:
        base, phase = _strip_phase(column)
        if phase and base in DERIVED_VARIABLE_LABELS:
            return f"{DERIVED_VARIABLE_LABELS[base][lang]} ({_PHASE_SUFFIX[phase][lang]})"
        fallback = _indicator_labels().get(column)
        if fallback:
            return fallback[lang]
    return column


def column_labels(columns: Iterable[str], lang: str = "ky", instrument: str | None = None,
                  project_root: str | Path | None = None) -> dict[str, str]:
    """Human label of each column in ``lang``: ``{column: label}``, for ``df.rename(columns=...)``.

    The label is the question text for questionnaire items (``p1_``/``p2_`` items get the phase in
    brackets), the derived-variable label for the columns ``derive_graduates`` adds (falling back
    to the indicator registry's label), and the column name itself for anything else.
    """
    _check_lang(lang)
    folder = str(forms_dir(project_root))
    return {str(c): _column_label_cached(str(c), lang, instrument, folder) for c in columns}


def variable_source(column: str, instrument: str | None = None) -> str:
    """Where ``column`` comes from: ``registry``, ``phase1``, ``phase2``, ``employer``, ``derived`` or ``""``."""
    column = str(column)
    if instrument is None and (column in DERIVED_COLUMNS or column in FLAG_COLUMNS or column in CROSSWALK_KEEP
                               or column == "age_at_grad"):
        return "derived"
    if column == "pid":
        return "registry"
    base, _phase = _strip_phase(column)
    if column.startswith("_") or base.startswith("_") or base == "mode":
        return "provenance"
    where = _resolve(column, instrument, _catalogue(str(forms_dir())))
    return where[0] if where else ""
