"""The seeded synthetic demo cohort ``demo-2025``: a registry, two graduate surveys and an employer survey.

Every person and employer here is fictitious. The generator draws ~2,000 graduates of June 2025 over the
35 programmes of ``definitions/programmes.csv`` and lets each live through a plausible first nine months
(ILO labour status, 19th ICLS 2013; occupation ISCO-08; economic activity ГКЭД-3 / NACE Rev.2 sections;
money in KGS net per month, against the Jalal-Abad oblast average wage of ~34.6 thousand som in 2025
from ``data/raw/open/kg-open/kg_avg_wage_by_region.csv``). It then writes the files a real cohort would arrive as:

=======================  ==========  =============  ======  ==============================================
file                     instrument  format         mode    what it imitates
=======================  ==========  =============  ======  ==============================================
registry.xlsx            registry    registry_xlsx  —       the registrar's spreadsheet (contact database)
phase1_kobo.csv          phase1      kobo_csv       online  KoboToolbox CSV export, XML values and headers
phase2_online_kobo.csv   phase2      kobo_csv       online  KoboToolbox CSV export, XML values and headers
phase2_phone_odk.csv     phase2      odk_csv        phone   ODK Central CSV export (interviewers' tablets)
phase2_paper_entry.xlsx  phase2      entry_xlsx     paper   paper questionnaires keyed into the project's
                                                            data-entry workbook (analysis.instruments.forms)
employers_kobo.xlsx      employer    kobo_xlsx      online  KoboToolbox XLSX export
=======================  ==========  =============  ======  ==============================================

plus ``planted_defects.csv`` (the deliberate data-quality problems, by file, row and column),
``truth.csv`` (the population values of the main indicators, from the generator's latent state of every
graduate, :func:`truth_table`) and a ``README.md``. The output is a pure function of the arguments: the
same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from analysis.core.paths import DEFINITIONS
from analysis.demo.frame import frame_csv
from analysis.derive.graduates import P1_ITEMS, P2_ITEMS, DeriveParams
from analysis.derive.match import COMPETENCES
from analysis.derive.registry import get_indicator, indicator_values
from analysis.derive.transition import DAYS_PER_MONTH
from analysis.errors import ConfigError
from analysis.ingest.writers import (
    deterministic_xlsx,
    write_kobo_csv,
    write_kobo_xlsx,
    write_odk_csv,
)
from analysis.instruments.entry_workbook import CHOICE_SEP, entry_workbook
from analysis.instruments.xlsform import load_instrument

__all__ = ["DEMO_FILES", "COMPETENCES", "TRUTH_INDICATORS", "generate_cohort", "graduate_truth", "planted_defects",
           "truth_table"]

DEFAULT_SEED = 20250630
DEFAULT_N = 2000

DEMO_FILES: tuple[dict[str, str], ...] = (
    {"path": "registry.xlsx", "instrument": "registry", "format": "registry_xlsx"},
    {"path": "phase1_kobo.csv", "instrument": "phase1", "format": "kobo_csv", "mode": "online"},
    {"path": "phase2_online_kobo.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "online"},
    {"path": "phase2_phone_odk.csv", "instrument": "phase2", "format": "odk_csv", "mode": "phone"},
    {"path": "phase2_paper_entry.xlsx", "instrument": "phase2", "format": "entry_xlsx", "mode": "paper"},
    {"path": "employers_kobo.xlsx", "instrument": "employer", "format": "kobo_xlsx", "mode": "online"},
)
"""The raw files of the demo cohort, as entries of ``inputs:`` in ``cohorts/demo-2025.yaml``
(keys as :class:`analysis.core.config.InputFile`; paths relative to the cohort folder)."""



# ----------------------------------------------------------------------------- the contract's columns
REGISTRY_COLUMNS = (
    "student_id", "full_name", "sex", "date_of_birth", "programme", "faculty", "level", "graduation_date",
    "gpa", "funding", "home_oblast", "home_rayon", "email", "phone_mobile", "phone_landline",
    "social_network", "social_handle", "parent_name", "parent_phone",
)
PHASE1_COLUMNS = P1_ITEMS
PHASE2_COLUMNS = P2_ITEMS
EMPLOYER_COLUMNS = (
    "employer_id", "respondent_type", "legal_form", "sector", "sector_text", "rayon", "size_band",
    "staff_women", "staff_men", "grads_higher", "grads_vocational", "need_3y_specialty",
    "need_3y_profession", "need_3y_n", "need_3y_women", "need_3y_men", "ready_to_train",
    "curriculum_suggestions", "vacancies_n", "vacancy_isco", "hard_to_fill_n", "hard_to_fill_reasons",
    "skills_gap", *(f"rate_{c}" for c in COMPETENCES), "recruit_channels", "internships_offered",
    "internships_n",
)

# ----------------------------------------------------------------------------- programme parameters
# base size (graduates in a 2,000 cohort), share of women, share state-funded, outcome group
_PROGRAMME_PARAMS: dict[str, tuple[int, float, float, str]] = {
    "PED-PRIM-B": (120, 0.93, 0.60, "teach"), "PED-MATH-B": (65, 0.62, 0.60, "teach"),
    "PED-BIO-B": (45, 0.80, 0.55, "teach"), "PED-CHEM-B": (30, 0.78, 0.55, "teach"),
    "PED-GEO-B": (28, 0.60, 0.55, "teach"), "PED-PE-B": (55, 0.25, 0.45, "teach"),
    "PED-MATH-M": (12, 0.70, 0.50, "master"), "PED-PRIM-M": (15, 0.95, 0.50, "master"),
    "PHIL-KYR-B": (70, 0.85, 0.55, "teach"), "PHIL-RUS-B": (40, 0.90, 0.45, "teach"),
    "PHIL-ENG-B": (100, 0.80, 0.30, "lang"), "PHIL-JOUR-B": (25, 0.65, 0.30, "lang"),
    "PHIL-KYR-M": (8, 0.90, 0.50, "master"), "PHIL-ENG-M": (10, 0.85, 0.40, "master"),
    "MED-GEN-S": (150, 0.62, 0.15, "med"), "MED-PED-S": (60, 0.75, 0.15, "med"),
    "MED-DENT-S": (45, 0.55, 0.05, "med"),
    "ENG-POW-B": (40, 0.10, 0.55, "eng"), "ENG-CIV-B": (50, 0.15, 0.45, "eng"),
    "ENG-IST-B": (70, 0.35, 0.40, "it"), "ENG-INF-B": (55, 0.35, 0.40, "it"),
    "ENG-TRN-B": (30, 0.10, 0.40, "eng"),
    "ECON-ECO-B": (70, 0.60, 0.15, "econ"), "ECON-FIN-B": (60, 0.65, 0.15, "econ"),
    "ECON-ACC-B": (80, 0.80, 0.15, "econ"), "ECON-MAN-B": (70, 0.50, 0.10, "econ"),
    "ECON-TOUR-B": (25, 0.65, 0.10, "econ"),
    "AGRI-VET-S": (35, 0.25, 0.60, "vet"), "AGRI-AGR-B": (40, 0.30, 0.65, "agri"),
    "LAW-JUR-B": (130, 0.45, 0.10, "law"),
    "COL-NUR-C": (150, 0.92, 0.30, "nurse"), "COL-PHA-C": (60, 0.85, 0.20, "nurse"),
    "COL-ELE-C": (35, 0.05, 0.50, "eng"), "COL-ACC-C": (40, 0.80, 0.25, "econ"),
    "COL-TEA-C": (80, 0.95, 0.45, "teach"),
}

# probability of being employed nine months after graduation, for graduates not in further study
_P_EMPLOYED = {
    "teach": 0.72, "lang": 0.58, "master": 0.88, "med": 0.80, "eng": 0.68, "it": 0.80,
    "econ": 0.63, "vet": 0.70, "agri": 0.68, "law": 0.58, "nurse": 0.80,
}
# probability that an employee's job is in the field of study
_P_MATCH = {
    "teach": 0.80, "lang": 0.50, "master": 0.88, "med": 0.93, "eng": 0.58, "it": 0.65,
    "econ": 0.55, "vet": 0.62, "agri": 0.55, "law": 0.52, "nurse": 0.86,
}
_P_EMPLOYED_PROGRAMME = {"PHIL-JOUR-B": 0.52}  # programmes whose market is weaker than their group's

# ----------------------------------------------------------------------------- occupations
# ISCO-08 unit group → (job title ky, job title ru, ГКЭД sections with weights, pay median KGS net/month)
_JOBS: dict[str, tuple[str, str, dict[str, float], int]] = {
    "1211": ("Финансы менеджери", "Финансовый менеджер", {"K": 0.7, "G": 0.3}, 32000),
    "1324": ("Жеткирүү бөлүмүнүн башчысы", "Начальник отдела логистики", {"H": 0.8, "G": 0.2}, 30000),
    "1345": ("Мектептин окуу бөлүмүнүн башчысы", "Завуч школы", {"P": 1.0}, 22000),
    "1411": ("Мейманкана менеджери", "Менеджер гостиницы", {"I": 1.0}, 26000),
    "1420": ("Дүкөндүн башчысы", "Управляющий магазином", {"G": 1.0}, 25000),
    "2113": ("Химик-лаборант", "Химик-лаборант", {"C": 0.6, "M": 0.4}, 18000),
    "2131": ("Биолог", "Биолог лаборатории", {"M": 0.6, "Q": 0.4}, 17000),
    "2132": ("Агроном", "Агроном", {"A": 0.85, "O": 0.15}, 18000),
    "2142": ("Курулуш инженери", "Инженер-строитель", {"F": 0.9, "O": 0.1}, 30000),
    "2151": ("Энергетик-инженер", "Инженер-энергетик", {"D": 1.0}, 30000),
    "2211": ("Үй-бүлөлүк дарыгер", "Врач общей практики", {"Q": 1.0}, 20000),
    "2212": ("Дарыгер-ординатор", "Врач-ординатор", {"Q": 1.0}, 17000),
    "2250": ("Ветеринар", "Ветеринарный врач", {"M": 0.5, "A": 0.3, "O": 0.2}, 18000),
    "2261": ("Тиш доктур", "Стоматолог", {"Q": 1.0}, 30000),
    "2262": ("Фармацевт", "Провизор", {"G": 0.7, "Q": 0.3}, 18000),
    "2310": ("Жогорку окуу жайдын окутуучусу", "Преподаватель вуза", {"P": 1.0}, 16000),
    "2330": ("Мектеп мугалими", "Учитель средней школы", {"P": 1.0}, 17500),
    "2341": ("Башталгыч класстын мугалими", "Учитель начальных классов", {"P": 1.0}, 17000),
    "2342": ("Бала бакчанын тарбиячысы", "Воспитатель детского сада", {"P": 1.0}, 13000),
    "2353": ("Тил курсунун мугалими", "Преподаватель языковых курсов", {"P": 1.0}, 20000),
    "2359": ("Репетитор", "Репетитор", {"P": 1.0}, 18000),
    "2411": ("Бухгалтер", "Бухгалтер", {"M": 0.35, "G": 0.25, "O": 0.2, "K": 0.2}, 23000),
    "2412": ("Финансы боюнча кеңешчи", "Финансовый консультант", {"K": 1.0}, 26000),
    "2413": ("Финансылык аналитик", "Финансовый аналитик", {"K": 0.8, "O": 0.2}, 27000),
    "2421": ("Менеджер-аналитик", "Менеджер-аналитик", {"M": 0.5, "N": 0.5}, 26000),
    "2422": ("Мамлекеттик кызматкер", "Специалист госслужбы", {"O": 1.0}, 20000),
    "2511": ("Системалык аналитик", "Системный аналитик", {"J": 0.7, "K": 0.3}, 40000),
    "2512": ("Программист", "Программист", {"J": 0.8, "K": 0.2}, 38000),
    "2514": ("Тиркеме иштеп чыгуучу", "Разработчик приложений", {"J": 1.0}, 40000),
    "2519": ("Программалык камсыздоо тестирлөөчү", "Тестировщик ПО", {"J": 1.0}, 32000),
    "2522": ("Системалык администратор", "Системный администратор", {"J": 0.5, "K": 0.3, "O": 0.2}, 28000),
    "2611": ("Юрист", "Юрист", {"M": 0.7, "K": 0.3}, 22000),
    "2619": ("Юрисконсульт", "Юрисконсульт", {"O": 0.6, "M": 0.4}, 21000),
    "2631": ("Экономист", "Экономист", {"O": 0.4, "K": 0.3, "M": 0.3}, 22000),
    "2632": ("Географ-адис", "Специалист-географ", {"O": 0.6, "M": 0.4}, 17000),
    "2641": ("Редактор", "Редактор", {"J": 1.0}, 18000),
    "2642": ("Журналист", "Журналист", {"J": 1.0}, 20000),
    "2643": ("Котормочу", "Переводчик", {"M": 0.7, "N": 0.3}, 24000),
    "3111": ("Химия боюнча техник", "Техник-химик", {"C": 1.0}, 17000),
    "3112": ("Прораб", "Прораб", {"F": 1.0}, 26000),
    "3113": ("Электр техниги", "Техник-электрик", {"D": 0.8, "F": 0.2}, 23000),
    "3115": ("Механик", "Техник-механик", {"H": 0.7, "C": 0.3}, 22000),
    "3123": ("Курулуш мастери", "Мастер участка", {"F": 1.0}, 25000),
    "3142": ("Агротехник", "Агротехник", {"A": 1.0}, 15000),
    "3213": ("Фармацевт (дарыкана)", "Фармацевт в аптеке", {"G": 0.85, "Q": 0.15}, 15000),
    "3221": ("Медайым", "Медсестра", {"Q": 1.0}, 14500),
    "3222": ("Акушерка", "Акушерка", {"Q": 1.0}, 14500),
    "3240": ("Ветфельдшер", "Ветфельдшер", {"A": 0.6, "M": 0.4}, 14000),
    "3312": ("Кредит адиси", "Кредитный специалист", {"K": 1.0}, 24000),
    "3313": ("Бухгалтер-кассир", "Бухгалтер-кассир", {"G": 0.4, "K": 0.3, "M": 0.3}, 19000),
    "3322": ("Сатуу боюнча өкүл", "Торговый представитель", {"G": 1.0}, 22000),
    "3323": ("Сатып алуу менеджери", "Менеджер по закупкам", {"G": 1.0}, 23000),
    "3339": ("Туристтик агент", "Турагент", {"N": 1.0}, 18000),
    "3411": ("Юристтин жардамчысы", "Помощник юриста", {"M": 0.5, "O": 0.5}, 17000),
    "3422": ("Спорт машыктыруучусу", "Тренер", {"R": 0.6, "P": 0.4}, 15000),
    "3431": ("Фотограф", "Фотограф", {"J": 0.7, "M": 0.3}, 16000),
    "3512": ("IT колдоо адиси", "Специалист IT-поддержки", {"J": 0.6, "K": 0.4}, 26000),
    "3513": ("Тармак техниги", "Техник компьютерных сетей", {"J": 1.0}, 25000),
    "4110": ("Офис-менеджер", "Офис-менеджер", {"O": 0.4, "G": 0.3, "P": 0.3}, 15000),
    "4211": ("Банктын кассири", "Кассир банка", {"K": 1.0}, 18000),
    "4221": ("Туристтик агенттиктин кызматкери", "Сотрудник турагентства", {"N": 1.0}, 16000),
    "4222": ("Колл-борбордун оператору", "Оператор колл-центра", {"N": 1.0}, 17000),
    "4224": ("Мейманкананын администратору", "Администратор гостиницы", {"I": 1.0}, 15000),
    "4311": ("Эсепчи", "Счетовод", {"G": 0.5, "O": 0.5}, 15000),
    "4321": ("Кампа эсепчиси", "Кладовщик", {"G": 0.6, "H": 0.4}, 15000),
    "5113": ("Гид", "Гид-экскурсовод", {"N": 0.6, "I": 0.4}, 15000),
    "5120": ("Ашпозчу", "Повар", {"I": 1.0}, 16000),
    "5131": ("Официант", "Официант", {"I": 1.0}, 13000),
    "5142": ("Косметолог", "Косметолог", {"S": 1.0}, 16000),
    "5223": ("Сатуучу", "Продавец", {"G": 1.0}, 14000),
    "5230": ("Кассир", "Кассир", {"G": 1.0}, 14000),
    "5311": ("Бала багуучу", "Няня", {"Q": 0.5, "T": 0.5}, 11000),
    "5312": ("Мугалимдин жардамчысы", "Помощник учителя", {"P": 1.0}, 11000),
    "5412": ("Милиция кызматкери", "Сотрудник милиции", {"O": 1.0}, 21000),
    "5414": ("Күзөтчү", "Охранник", {"N": 1.0}, 14000),
    "6111": ("Дыйкан", "Фермер", {"A": 1.0}, 13000),
    "6121": ("Малчы", "Животновод", {"A": 1.0}, 12000),
    "6130": ("Фермер (аралаш чарба)", "Фермер (смешанное хозяйство)", {"A": 1.0}, 14000),
    "7112": ("Кыш тергич", "Каменщик", {"F": 1.0}, 20000),
    "7411": ("Электрик", "Электромонтёр", {"D": 0.6, "F": 0.4}, 20000),
    "7412": ("Электр механиги", "Электромеханик", {"D": 0.5, "C": 0.5}, 19000),
    "7531": ("Тигүүчү", "Швея", {"C": 1.0}, 13000),
    "8322": ("Айдоочу", "Водитель", {"H": 1.0}, 21000),
    "8332": ("Жүк ташуучу айдоочу", "Водитель грузовика", {"H": 1.0}, 24000),
    "9112": ("Тазалоочу", "Уборщица", {"N": 0.6, "Q": 0.2, "P": 0.2}, 11000),
    "9211": ("Талаа жумушчусу", "Сельхозрабочий", {"A": 1.0}, 10000),
    "9313": ("Курулуш жумушчусу", "Разнорабочий на стройке", {"F": 1.0}, 16000),
    "9321": ("Таңгактоочу", "Упаковщик на складе", {"C": 0.5, "G": 0.5}, 15000),
    "9329": ("Заводдо жумушчу", "Рабочий на заводе", {"C": 1.0}, 16000),
}
# ISCO unit groups of jobs in the field of each programme (weights); their sub-major groups (first two
# digits) are among the programme's expected_isco in definitions/programmes.csv
_MATCHED_JOBS: dict[str, dict[str, float]] = {
    "PED-PRIM-B": {"2341": 8, "2342": 2, "5312": 1}, "PED-MATH-B": {"2330": 8, "2359": 2},
    "PED-BIO-B": {"2330": 8, "2131": 1}, "PED-CHEM-B": {"2330": 7, "2113": 1, "3111": 1},
    "PED-GEO-B": {"2330": 8, "2632": 1}, "PED-PE-B": {"2330": 6, "3422": 4},
    "PED-MATH-M": {"2330": 7, "2310": 3}, "PED-PRIM-M": {"2341": 7, "1345": 2, "2310": 1},
    "PHIL-KYR-B": {"2330": 8, "2641": 1, "2642": 1}, "PHIL-RUS-B": {"2330": 8, "2643": 1},
    "PHIL-ENG-B": {"2330": 5, "2353": 3, "2643": 2, "4222": 1}, "PHIL-JOUR-B": {"2642": 7, "2641": 2, "3431": 1},
    "PHIL-KYR-M": {"2330": 5, "2310": 4, "2641": 1}, "PHIL-ENG-M": {"2310": 4, "2330": 4, "2643": 2},
    "MED-GEN-S": {"2211": 6, "2212": 4}, "MED-PED-S": {"2212": 6, "2211": 4}, "MED-DENT-S": {"2261": 1},
    "ENG-POW-B": {"2151": 4, "3113": 4, "7411": 2}, "ENG-CIV-B": {"2142": 5, "3112": 3, "3123": 2},
    "ENG-IST-B": {"2512": 3, "2511": 2, "3512": 3, "2522": 2},
    "ENG-INF-B": {"2512": 4, "2514": 2, "2519": 1, "3512": 2, "3513": 1},
    "ENG-TRN-B": {"1324": 3, "3115": 4, "8332": 3},
    "ECON-ECO-B": {"2631": 4, "2413": 2, "3312": 3, "3313": 1},
    "ECON-FIN-B": {"2412": 2, "2413": 2, "3312": 4, "4211": 2},
    "ECON-ACC-B": {"2411": 6, "3313": 3, "4311": 1},
    "ECON-MAN-B": {"1420": 2, "1211": 1, "2421": 2, "3322": 3, "3323": 2},
    "ECON-TOUR-B": {"4221": 3, "4224": 3, "1411": 1, "5113": 2, "3339": 1},
    "AGRI-VET-S": {"2250": 6, "3240": 4}, "AGRI-AGR-B": {"2132": 5, "3142": 2, "6111": 2, "6130": 1},
    "LAW-JUR-B": {"2611": 4, "2619": 3, "3411": 3, "5412": 2, "2422": 2},
    "COL-NUR-C": {"3221": 9, "3222": 1}, "COL-PHA-C": {"3213": 8, "2262": 1},
    "COL-ELE-C": {"7411": 5, "7412": 3, "3113": 2}, "COL-ACC-C": {"4311": 5, "3313": 5},
    "COL-TEA-C": {"2341": 4, "2342": 3, "5311": 1, "5312": 2},
}
_MISMATCHED_JOBS = {
    "5223": 10, "5230": 4, "5120": 4, "5131": 4, "9112": 3, "9313": 3, "8322": 5, "4110": 6, "4222": 3,
    "9211": 2, "6121": 2, "5414": 3, "4321": 3, "3322": 3, "5142": 2, "7531": 2,
}
_ABROAD_JOBS = {"9313": 6, "8322": 4, "5223": 4, "9321": 3, "9329": 4, "5120": 3, "9112": 3, "5131": 3, "7112": 2,
                "9211": 2}
_SELF_EMPLOYED_JOBS = {"5223": 6, "2359": 3, "8322": 4, "6111": 3, "5142": 2, "7531": 2, "2512": 1, "6121": 2}
_FAMILY_JOBS = {"6111": 5, "6121": 3, "9211": 3, "5223": 3}
_ABROAD_COUNTRIES = {"RU": 0.56, "KZ": 0.18, "TR": 0.1, "KR": 0.1, "AE": 0.03, "DE": 0.01, "US": 0.01, "other": 0.01}
_PART_TIME_JOBS = {"2330", "2341", "2353", "2359", "2310", "3422", "5312"}  # teaching loads in hours

# ----------------------------------------------------------------------------- places
_RAYONS = {  # Jalal-Abad oblast: weights ~ population (kg-open/jalal_abad_rayons.csv)
    "suzak": 30, "bazar_korgon": 18, "nooken": 14, "aksy": 11, "ala_buka": 9, "toktogul": 8,
    "toguz_toro": 2, "chatkal": 2, "jalal_abad_city": 16, "kara_kul_city": 2, "mailuu_suu_city": 2,
    "tash_komur_city": 3,
}
_REMOTE_RAYONS = {"chatkal", "toguz_toro", "toktogul", "ala_buka", "aksy"}
_HOME_OBLAST = {"jalal_abad": 0.86, "osh_oblast": 0.07, "batken": 0.03, "osh_city": 0.01, "naryn": 0.01,
                "talas": 0.01, "chui": 0.005, "bishkek": 0.005}
_WORK_OBLAST = {"jalal_abad": 0.76, "bishkek": 0.11, "osh_city": 0.05, "osh_oblast": 0.04, "chui": 0.02,
                "batken": 0.01, "naryn": 0.01}

# ----------------------------------------------------------------------------- names (fictitious)
_FIRST_F = (
    "Айгерим", "Айпери", "Нургүл", "Жылдыз", "Гүлзат", "Бегимай", "Айзада", "Мээрим", "Асель", "Чолпон",
    "Назгүл", "Динара", "Аида", "Жибек", "Бермет", "Элиза", "Акмөөр", "Сезим", "Нуриза", "Алина",
    "Камила", "Айназик", "Гулайым", "Зарина", "Мадина", "Каныкей", "Айжамал", "Нурайым", "Толгонай",
    "Уулкан", "Гүлмира", "Эльмира", "Нилуфар", "Дилноза", "Шахноза", "Мохира", "Анара", "Салтанат",
    "Адинай", "Самара", "Жаңылай", "Күмүшай", "Асема", "Айсулуу", "Элнура",
)
_FIRST_M = (
    "Азамат", "Бакыт", "Нурлан", "Эрлан", "Улан", "Бекзат", "Айбек", "Эрмек", "Темирлан", "Нурбек",
    "Канат", "Марат", "Тилек", "Алмаз", "Жоомарт", "Актан", "Данияр", "Руслан", "Бектур", "Адилет",
    "Мирлан", "Арстан", "Чыңгыз", "Эмир", "Нурсултан", "Байэл", "Талант", "Максат", "Самат", "Эльдар",
    "Жыргалбек", "Кубаныч", "Үмүт", "Төлөн", "Сардор", "Шерзод", "Жасур", "Алишер", "Дамир", "Нурэл",
    "Эржан", "Бакай", "Исхак", "Сыймык", "Өмүрбек",
)
_FATHERS = (
    "Бакыт", "Нурлан", "Эрлан", "Айбек", "Эрмек", "Канат", "Марат", "Тилек", "Алмаз", "Актан", "Данияр",
    "Талант", "Максат", "Самат", "Мамат", "Абдыкадыр", "Токтосун", "Асан", "Жумабек", "Турдубек", "Сыдык",
    "Бакир", "Эркин", "Замир", "Кенеш", "Мырзабек", "Абдрахман", "Рустам", "Бахтияр", "Улук", "Төлөгөн",
    "Кубат", "Шамшыбек", "Жолдош", "Медер", "Русланбек", "Тойчубек", "Орозбек", "Каныбек", "Анарбек",
)
_SURNAMES = (  # male forms; the female form adds "а"
    "Абдыкадыров", "Осмонов", "Токтогулов", "Жээнбеков", "Мамытов", "Асанов", "Сыдыков", "Бакиров",
    "Турдубаев", "Эргешов", "Абдраимов", "Карабаев", "Жумабаев", "Момунов", "Кадыров", "Маматов", "Алиев",
    "Исаков", "Садыков", "Орозбаев", "Султанов", "Байышов", "Турсунов", "Эшматов", "Ысмаилов", "Бообеков",
    "Кочкоров", "Акматов", "Рахманов", "Ташиев", "Жолдошев", "Мырзаев", "Төрөбеков", "Абдылдаев",
    "Үсөнов", "Сатаров", "Юсупов", "Каримов", "Рахимов", "Умаров", "Хасанов", "Абдуллаев", "Мирзаев",
    "Назаров", "Эсенгулов", "Курманов", "Калыбеков", "Ормонов", "Тагаев", "Айтиев",
)
_RUSSIAN = (  # (surname male, surname female, first male, first female, patronymic male, patronymic female)
    ("Иванов", "Иванова", "Андрей", "Анна", "Сергеевич", "Сергеевна"),
    ("Петренко", "Петренко", "Дмитрий", "Елена", "Николаевич", "Николаевна"),
    ("Ким", "Ким", "Виктор", "Ольга", "Владимирович", "Владимировна"),
    ("Соколов", "Соколова", "Игорь", "Наталья", "Александрович", "Александровна"),
)
_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "ng", "o", "o", "p", "r",
     "s", "t", "u", "u", "f", "kh", "ts", "ch", "sh", "sh", "", "y", "", "e", "yu", "ya"],
))
_MAIL_DOMAINS = {"gmail.com": 0.68, "mail.ru": 0.22, "list.ru": 0.03, "inbox.ru": 0.03, "yandex.ru": 0.04}
_NETWORKS = {"whatsapp": 0.42, "telegram": 0.2, "instagram": 0.22, "facebook": 0.04, "vk": 0.02,
             "odnoklassniki": 0.02, "tiktok": 0.06, "none": 0.02}
_MOBILE_PREFIXES = ("550", "551", "552", "555", "556", "557", "559", "700", "701", "702", "703", "705",
                    "706", "707", "708", "709", "770", "771", "772", "773", "775", "777", "778", "779",
                    "990", "995", "996", "997", "998", "999", "220", "221", "222", "224", "227")

# ----------------------------------------------------------------------------- open answers (ky / ru)
_STRENGTHS = (
    "Мугалимдер тажрыйбалуу жана жоопкерчиликтүү", "Практика жакшы уюштурулган", "Теориялык билим күчтүү",
    "Хорошие преподаватели", "Сильная теоретическая подготовка", "Дружный коллектив, помощь кураторов",
    "Клиникалык практика пайдалуу болду", "Китепкана жакшы", "Контракттын баасы жеткиликтүү",
    "Хорошая практика в школах", "Окутуу кыргыз тилинде, бул ыңгайлуу", "Есть возможность участвовать в олимпиадах",
    "Лабораториялар жакшы жабдылган", "Билим сапаты жакшы",
)
_WEAKNESSES = (
    "Практика аз", "Жабдуулар эскирген", "Англис тили начар окутулат", "Мало практики",
    "Устаревшее оборудование", "Компьютерлер жетишсиз", "Слабый английский", "Нет связи с работодателями",
    "Окуу программасы эскирген", "Мало часов по специальности", "Жатакана жок, батир кымбат",
    "Интернет начар иштейт", "Много ненужных общих предметов", "Окуу куралдары орусча гана",
)
_SUGGESTIONS = (
    "Практиканы көбөйтүү керек", "Иш берүүчүлөр менен байланышты күчөтүү", "Больше практических занятий",
    "Обновить компьютерные классы", "Англис тилин тереңдетип окутуу", "Добавить курсы по цифровым навыкам",
    "Стажировки на предприятиях", "Карьера борборун активдештирүү", "Заманбап программаларды окутуу (Excel, 1С)",
    "Больше часов клинической практики", "Бүтүрүүчүлөргө жумуш табууга жардам берүү",
    "Приглашать практиков с производства",
)
_EMP_SPECIALTIES = (
    "Мугалим (математика, англис тили)", "Медайым", "Врач общей практики", "Бухгалтер", "Агроном",
    "Программист", "Электрик", "Инженер-строитель", "Ветеринар", "Юрист", "Менеджер по продажам",
    "Логист", "Фармацевт", "Тарбиячы", "Экономист", "Повар", "Водитель категории С",
)
_EMP_SUGGESTIONS = (
    "Практиканы ишканада өтүү керек", "Больше практики на производстве", "Студенттер Excel жана 1С билиши керек",
    "Англис тилин күчөтүү", "Учить деловому общению", "Коммуникация жана команда менен иштөө",
    "Знание законодательства и документооборота", "Заманбап техника менен иштөөгө үйрөтүү",
    "Сабактарга иш берүүчүлөрдү чакыруу", "Больше внимания дисциплине и ответственности",
)
_SECTOR_TEXT = {
    "A": ("Дыйкан чарбасы", "Фермерское хозяйство", "Мал чарбачылыгы", "Бакчачылык (жаңгак, мөмө)"),
    "C": ("Тигүү цехи", "Нан бышыруучу жай", "Пищевое производство", "Кирпичный завод"),
    "D": ("Электр энергиясын бөлүштүрүү", "Электростанция", "РЭС (распределение электроэнергии)"),
    "F": ("Курулуш компаниясы", "Строительная фирма", "Ремонт жана курулуш"),
    "G": ("Азык-түлүк дүкөнү", "Магазин бытовой техники", "Дарыкана", "Оптовая торговля", "Базарда соода"),
    "H": ("Жүк ташуу", "Пассажирские перевозки", "Автобаза"),
    "I": ("Кафе", "Ресторан", "Мейманкана", "Санаторий-курорт"),
    "J": ("Интернет-провайдер", "IT-компания", "Жергиликтүү телеканал"),
    "K": ("Банк филиалы", "Микрокредитная компания", "Страховая компания"),
    "M": ("Бухгалтердик кызматтар", "Юридические услуги", "Ветеринардык клиника"),
    "N": ("Туристтик агенттик", "Клининговая компания", "Күзөт кызматы"),
    "O": ("Айыл өкмөтү", "Районная администрация", "Салык кызматы"),
    "P": ("Орто мектеп", "Гимназия", "Бала бакча", "Колледж"),
    "Q": ("Үй-бүлөлүк медицина борбору", "Территориялык оорукана", "ЦСМ", "Частная клиника"),
    "R": ("Спорт мектеби", "Маданият үйү"),
    "S": ("Сулуулук салону", "Ремонт телефонов"),
}


# ============================================================================= random helpers
class _Rand:
    """A thin wrapper of :class:`numpy.random.Generator` with the few draws the generator needs."""

    def __init__(self, seed: int, stream: int) -> None:
        self.g = np.random.default_rng(np.random.SeedSequence([int(seed), int(stream)]))

    def u(self) -> float:
        return float(self.g.random())

    def p(self, prob: float) -> bool:
        return self.g.random() < prob

    def pick(self, seq: Any) -> Any:
        return seq[int(self.g.integers(len(seq)))]

    def weighted(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        w = [float(weights[k]) for k in keys]
        x = self.g.random() * sum(w)
        acc = 0.0
        for k, wk in zip(keys, w):
            acc += wk
            if x < acc:
                return k
        return keys[-1]

    def int(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi] (both included)."""
        return int(self.g.integers(lo, hi + 1))

    def normal(self, mu: float = 0.0, sd: float = 1.0) -> float:
        return float(self.g.normal(mu, sd))

    def sample(self, weights: dict[str, float], k: int) -> list[str]:
        """``k`` distinct keys drawn with probability proportional to weight, in the order of ``weights``
        (give the weights in choice-list order: ODK and Kobo store multiple answers in that order)."""
        pool = dict(weights)
        chosen: set[str] = set()
        for _ in range(min(k, len(pool))):
            key = self.weighted(pool)
            chosen.add(key)
            pool.pop(key)
        return [k_ for k_ in weights if k_ in chosen]

    def hexstr(self, n: int) -> str:
        return "".join(f"{int(b):02x}" for b in self.g.integers(0, 256, size=n))

    def uuid4(self) -> str:
        """A random (version 4) UUID made from this stream, so it is reproducible."""
        h = list(self.hexstr(16))
        h[12] = "4"
        h[16] = "89ab"[int(h[16], 16) % 4]
        s = "".join(h)
        return f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}"


def _scale(r: _Rand, mu: float, sd: float = 0.8) -> str:
    """A 1–5 answer around ``mu``."""
    return str(min(5, max(1, round(r.normal(mu, sd)))))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _shift(effects: Mapping[str, float] | None, outcome: str, reg: dict[str, str]) -> float:
    """The planted logit shift of ``outcome`` for one graduate: the sum of ``effects["OUTCOME:all"]``,
    ``effects["OUTCOME:faculty:F"]`` and ``effects["OUTCOME:programme:P"]`` that apply (0 without effects).
    Used by the trend scenarios (:mod:`analysis.demo.trends`) to plant changes between demo cohorts."""
    if not effects:
        return 0.0
    keys = (f"{outcome}:all", f"{outcome}:faculty:{reg['faculty']}", f"{outcome}:programme:{reg['programme']}")
    return float(sum(effects.get(k, 0.0) for k in keys))


def _month_add(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


# ============================================================================= the people
@dataclass
class _Graduate:
    """One fictitious graduate: registry row, the true situation at nine months, survey behaviour."""

    reg: dict[str, str]
    group: str
    age: int
    # truth at nine months
    status: str = ""            # employed | study | military | family_care | seeking | seeking_na | waiting | other
    study_level: str = ""       # master, residency, bachelor, phd, course or ""
    emp_kind: str = ""          # employee | self_employed | employer | family_worker | paid_intern
    absent: bool = False
    abroad: str = ""            # country code when working abroad
    matched: bool = False
    job: str = ""               # ISCO unit group
    before_grad: bool = False   # the current job was already held before graduation
    worked: str = ""            # work during studies (phase-1 worked_during_studies)
    job_before: bool = False    # any job held before graduation (phase-2 job_before_grad)
    first_job: date | None = None
    ability: float = 0.0
    satisfaction: float = 0.0
    p1: dict[str, str] | None = None
    p2: dict[str, str] | None = None
    p2_mode: str = ""
    # reference-week details settled with the phase-2 answers (or by _complete_latent for everyone else):
    # search (sought, available, future start), study_full_time, hours, work_oblast, income,
    # horizontal_match (1–5), and survey_date for those surveyed
    extra: dict[str, Any] = field(default_factory=dict)


def _programmes() -> list[dict[str, str]]:
    path = DEFINITIONS / "programmes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _allocate(n: int, sizes: dict[str, int]) -> dict[str, int]:
    """Split ``n`` graduates over programmes in proportion to ``sizes`` (largest remainder), at least 1 each."""
    total = sum(sizes.values())
    if n < len(sizes):
        raise ValueError(f"n_graduates must be at least {len(sizes)} (one per programme), got {n}")
    base = {k: max(1, math.floor(v * n / total)) for k, v in sizes.items()}
    rema = sorted(sizes, key=lambda k: (-(sizes[k] * n / total - math.floor(sizes[k] * n / total)), k))
    i = 0
    while sum(base.values()) < n:
        base[rema[i % len(rema)]] += 1
        i += 1
    while sum(base.values()) > n:
        k = max(base, key=lambda k_: (base[k_], k_))
        base[k] -= 1
    return base


def _translit(s: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in s.lower())


def _phone(r: _Rand) -> str:
    return "+996" + r.pick(_MOBILE_PREFIXES) + f"{r.int(0, 999999):06d}"


def _name(r: _Rand, female: bool) -> tuple[str, str, str, str]:
    """(full name as the registrar writes it, first name, family surname in male form, father's name).

    Russian-style "Surname First Patronymic-ovich/-ovna" (most), Kyrgyz "Surname First Father уулу/кызы",
    or Kyrgyz "Father уулу/кызы First" without a surname; surname forms agree with sex.
    """
    if r.p(0.02):
        sur_m, sur_f, first_m, first_f, patr_m, patr_f = r.pick(_RUSSIAN)
        first = first_f if female else first_m
        father = {"Сергеевич": "Сергей", "Николаевич": "Николай", "Владимирович": "Владимир",
                  "Александрович": "Александр"}[patr_m]
        return f"{sur_f if female else sur_m} {first} {patr_f if female else patr_m}", first, sur_m, father
    first = r.pick(_FIRST_F if female else _FIRST_M)
    father = r.pick(_FATHERS)
    sur = r.pick(_SURNAMES)
    surname = _surname_form(sur, female)
    x = r.u()
    if x < 0.78:
        return f"{surname} {first} {father}{'овна' if female else 'ович'}", first, sur, father
    if x < 0.94:
        return f"{surname} {first} {father} {'кызы' if female else 'уулу'}", first, sur, father
    return f"{father} {'кызы' if female else 'уулу'} {first}", first, sur, father


def _surname_form(male: str, female: bool) -> str:
    """The surname in the form agreeing with sex (-ов/-ев/-ин + а; invariant ones unchanged)."""
    if not female:
        return male
    for russian in _RUSSIAN:
        if russian[0] == male:
            return russian[1]
    return male + "а"


def _registry(r: _Rand, n: int, year: int = 2025) -> list[_Graduate]:
    progs = _programmes()
    sizes = _allocate(n, {p["programme"]: _PROGRAMME_PARAMS[p["programme"]][0] for p in progs})
    used_ids: set[str] = set()
    grads: list[_Graduate] = []
    enrol_year = {k: v + year - 2025 for k, v in {"bachelor": 21, "specialist": 19, "master": 23,
                                                  "college": 22}.items()}  # prefixes move with the year
    for p in progs:
        code, level, faculty = p["programme"], p["level"], p["faculty"]
        _, p_female, p_state, group = _PROGRAMME_PARAMS[code]
        # one ceremony date per programme; a few late defences in July
        if level == "college":
            ceremony = date(year, 6, r.int(10, 27))
        else:
            ceremony = date(year, 6, r.int(20, 30))
        for _ in range(sizes[code]):
            female = r.p(p_female)
            full, first, family, father = _name(r, female)
            while True:
                sid = f"{enrol_year[level] - (1 if r.p(0.06) else 0):02d}{r.int(0, 999999):06d}"
                if sid not in used_ids:
                    used_ids.add(sid)
                    break
            age = {"bachelor": r.weighted({"20": 1, "21": 5, "22": 6, "23": 2, "24": 1}),
                   "specialist": r.weighted({"22": 2, "23": 6, "24": 4, "25": 2, "26": 1}),
                   "master": r.weighted({"23": 3, "24": 4, "25": 3, "26": 2, "28": 2, "31": 1, "35": 1}),
                   "college": r.weighted({"18": 3, "19": 5, "20": 2})}[level]
            age_i = int(age)
            grad_date = ceremony if r.p(0.97) else date(year, 7, r.int(1, 10))
            dob = date(grad_date.year - age_i, grad_date.month, grad_date.day) - timedelta(days=r.int(0, 364))
            gpa = min(4.0, max(2.0, r.normal(3.25 + (0.15 if female else 0.0), 0.42)))
            state = r.p(p_state)
            oblast = r.weighted(_HOME_OBLAST)
            rayon = r.weighted(_RAYONS) if oblast == "jalal_abad" else ""
            own_surname = _surname_form(family, female)
            login = _translit(first) + r.pick((".", "_", "")) + _translit(own_surname if r.p(0.9) else father)
            email = f"{login}{r.pick(('', str(dob.year % 100), str(r.int(1, 99))))}@{r.weighted(_MAIL_DOMAINS)}"
            network = r.weighted(_NETWORKS)
            handle = ""  # WhatsApp: the mobile number is the handle
            if network in ("telegram", "instagram", "tiktok"):
                handle = "@" + _translit(first) + r.pick(("_", ".", "")) + _translit(family)[:6] + str(r.int(1, 99))
            elif network in ("facebook", "vk", "odnoklassniki"):
                handle = _translit(first).capitalize() + " " + _translit(own_surname).capitalize()
            if r.p(0.55):  # father
                parent = f"{family} {father}"
            else:
                parent = f"{_surname_form(family, True)} {r.pick(_FIRST_F)}"
            reg = {
                "student_id": sid,
                "full_name": full,
                "sex": "female" if female else "male",
                "date_of_birth": dob.isoformat(),
                "programme": code,
                "faculty": faculty,
                "level": level,
                "graduation_date": grad_date.isoformat(),
                "gpa": f"{gpa:.2f}".rstrip("0").rstrip("."),  # as Excel shows a number
                "funding": "state" if state else "contract",
                "home_oblast": oblast,
                "home_rayon": rayon,
                "email": email if r.p(0.93) else "",
                "phone_mobile": _phone(r),
                "phone_landline": f"+9963722{r.int(20000, 79999)}" if r.p(0.12) else "",
                "social_network": network,
                "social_handle": handle,
                "parent_name": parent,
                "parent_phone": _phone(r) if r.p(0.95) else "",
            }
            g = _Graduate(reg=reg, group=group, age=age_i)
            g.ability = r.normal(0, 0.5) + (gpa - 3.25) * 0.6
            g.satisfaction = r.normal(0, 0.6)
            grads.append(g)
    grads.sort(key=lambda g_: (g_.reg["programme"], g_.reg["full_name"], g_.reg["student_id"]))
    return grads


# ============================================================================= nine months later
def _outcomes(r: _Rand, grads: list[_Graduate], effects: Mapping[str, float] | None = None) -> None:
    """Draw each graduate's true situation at the phase-2 reference week (ILO 19th ICLS categories);
    ``effects`` shift the employment logit (:func:`_shift`, outcome ``employment``)."""
    for g in grads:
        reg = g.reg
        female = reg["sex"] == "female"
        level, prog = reg["level"], reg["programme"]
        state = reg["funding"] == "state"
        gpa = float(reg["gpa"])
        # further study
        if prog.startswith("MED-"):
            p_study, study_level = 0.55, "residency"
        elif level == "bachelor":
            p_study = 0.07 + (0.05 if reg["faculty"] in ("PED", "PHIL", "ECON") else 0) + max(0.0, gpa - 3.5) * 0.2
            study_level = "master"
        elif level == "college":
            p_study, study_level = 0.22, "bachelor"
        elif level == "master":
            p_study, study_level = 0.05, "phd"
        else:
            p_study, study_level = 0.03, "course"
        studying = r.p(p_study)
        if not studying and r.p(0.04):
            studying, study_level = True, "course"
        g.study_level = study_level if studying else ""
        # life events
        young_children = female and g.age >= 21 and r.p(0.13 if level != "master" else 0.08)
        conscript = (not female) and level in ("college", "bachelor") and g.age <= 23 and r.p(0.05)
        # employment
        base = _P_EMPLOYED_PROGRAMME.get(prog, _P_EMPLOYED[g.group])
        x = _logit(base) + (0.45 if state else -0.1) + 0.35 * (gpa - 3.25) + (0.2 if not female else 0.0)
        if reg["home_oblast"] != "jalal_abad":
            x -= 0.15
        if studying:
            x = _logit({"residency": 0.62, "master": 0.5, "bachelor": 0.42, "phd": 0.8, "course": 0.55}[study_level])
        if young_children:
            x -= 2.2
        if conscript:
            x = -4.0
        x += _shift(effects, "employment", reg)
        employed = r.p(_expit(x))
        if employed:
            g.status = "employed"
        elif studying:
            g.status = "study"
        elif conscript:
            g.status = "military"
        elif young_children:
            g.status = "family_care"
        else:
            g.status = r.weighted({"seeking": 0.52, "waiting": 0.09, "seeking_na": 0.08, "other": 0.13,
                                   "family_care": 0.18 if female else 0.02})
        g.before_grad = employed and r.p({"master": 0.75, "college": 0.22}.get(level, 0.2) + (0.1 if not state else 0))
        g.worked = (r.weighted({"full_time": 0.45, "part_time": 0.4, "occasional": 0.15}) if g.before_grad
                    else r.weighted({"no": 0.74, "occasional": 0.21, "part_time": 0.05}))
        g.job_before = g.before_grad or g.worked == "part_time" or (g.worked == "occasional" and r.p(0.5))
        if g.status == "employed":
            _job(r, g)
        # month of the first job after graduation (some keep a job held before graduation)
        grad = date.fromisoformat(reg["graduation_date"])
        if g.status == "employed" or (g.status in ("seeking", "seeking_na", "other") and r.p(0.15)):
            if g.before_grad:
                g.first_job = _month_add(date(grad.year, grad.month, 1), -r.int(1, 24 if level == "master" else 14))
            else:
                lam = 0.30 if state else 0.22
                months = min(int(r.g.geometric(lam)) - 1 + (1 if g.abroad else 0), 8)
                g.first_job = _month_add(date(grad.year, grad.month, 1), months + (1 if grad.day > 15 else 0))


def _job(r: _Rand, g: _Graduate) -> None:
    """Kind of employment, place, occupation (ISCO-08 unit group) of an employed graduate."""
    reg = g.reg
    female = reg["sex"] == "female"
    group, prog = g.group, reg["programme"]
    p_abroad = (0.13 if not female else 0.05) * {"teach": 0.4, "master": 0.1, "nurse": 0.6, "med": 0.7}.get(group, 1.2)
    if r.p(p_abroad):
        g.abroad = r.weighted(_ABROAD_COUNTRIES)
        g.emp_kind = "employee"
        if group == "med" and r.p(0.5) and g.abroad in ("RU", "KZ"):
            g.job, g.matched = r.weighted(_MATCHED_JOBS[prog]), True
        elif group == "it" and r.p(0.3):
            g.job, g.matched = r.weighted(_MATCHED_JOBS[prog]), True
        else:
            g.job = r.weighted(_ABROAD_JOBS)
        return
    p_family = 0.3 if group == "agri" else (0.12 if group == "vet" else 0.04)
    p_self = {"it": 0.12, "econ": 0.1, "agri": 0.12, "lang": 0.08}.get(group, 0.05)
    p_intern = {"med": 0.12, "nurse": 0.06}.get(group, 0.02)
    x = r.u()
    if x < p_family:
        g.emp_kind, g.job = "family_worker", r.weighted(_FAMILY_JOBS)
        g.matched = group == "agri" and g.job in ("6111", "6121") and r.p(0.5)
    elif x < p_family + p_self:
        g.emp_kind = "employer" if r.p(0.08) else "self_employed"
        if r.p(0.35):
            g.job, g.matched = r.weighted(_MATCHED_JOBS[prog]), True
        else:
            g.job = r.weighted(_SELF_EMPLOYED_JOBS)
    else:
        g.emp_kind = "paid_intern" if r.p(p_intern) else "employee"
        p_match = _P_MATCH[group] + 0.1 * (float(reg["gpa"]) - 3.25)
        if r.p(p_match):
            g.job, g.matched = r.weighted(_MATCHED_JOBS[prog]), True
        else:
            g.job = r.weighted(_MISMATCHED_JOBS)
    g.absent = r.p(0.05 if female else 0.01)
    if g.job in _MATCHED_JOBS[prog]:
        g.matched = True


# ============================================================================= the answers
_COMP_GRAD_SHIFT = {"ethics": 0.45, "field_knowledge": 0.2, "foreign_language": -0.8, "ict": -0.3,
                    "communication": 0.2, "teamwork": 0.4, "self_development": 0.1, "critical_thinking": -0.1,
                    "problem_solving": -0.2, "research": -0.3, "time_management": 0.0, "pressure": -0.1}
_COMP_JOB_SHIFT = {"ethics": 0.6, "field_knowledge": 0.55, "foreign_language": 0.0, "ict": 0.5,
                   "communication": 0.65, "teamwork": 0.5, "self_development": 0.35, "critical_thinking": 0.2,
                   "problem_solving": 0.6, "research": -0.7, "time_management": 0.55, "pressure": 0.7}


def _plan_of(g: _Graduate) -> str:
    """The phase-1 plan most consistent with what later happened."""
    if g.status == "employed":
        if g.abroad:
            return "work_abroad"
        return "work_and_study" if g.study_level else "work"
    return {"study": "further_study", "military": "military", "family_care": "family"}.get(g.status, "work")


def _phase1_answers(r: _Rand, g: _Graduate) -> dict[str, str]:
    """The exit-survey answers (docs/variables.md §2) of a respondent, just before graduation."""
    reg = g.reg
    a = dict.fromkeys(PHASE1_COLUMNS, "")
    a["student_id"] = reg["student_id"]
    if r.p(0.012):
        a["consent"] = "no"
        return a
    a["consent"] = "yes"
    grad = date.fromisoformat(reg["graduation_date"])
    a["survey_date"] = (grad - timedelta(days=r.int(1, 30))).isoformat()
    level = reg["level"]
    intern = r.p(0.97 if level in ("college", "specialist") else 0.86)
    a["internship_done"] = "yes" if intern else "no"
    if intern:
        months = r.int(6, 12) if reg["programme"].startswith("MED-") else r.int(1, 4)
        a["internship_months"] = str(months)
        a["internship_relevant"] = _scale(r, 3.6 + g.satisfaction * 0.5)
    a["worked_during_studies"] = g.worked
    if g.before_grad:
        status = "has_job"
    elif g.status == "employed" and g.first_job and g.first_job <= date(grad.year, 8, 1) and r.p(0.45):
        status = "job_promised"
    elif g.status in ("study", "military", "family_care") and r.p(0.7):
        status = "not_searching"
    else:
        status = r.weighted({"searching": 0.72, "not_searching": 0.28})
    a["job_status"] = status
    plan = _plan_of(g) if r.p(0.72) else r.weighted(
        {"work": 0.45, "further_study": 0.12, "work_and_study": 0.1, "work_abroad": 0.07, "undecided": 0.16,
         "family": 0.04 if reg["sex"] == "female" else 0.0, "military": 0.03 if reg["sex"] == "male" else 0.0,
         "other": 0.03})
    a["plan"] = plan
    started = status in ("searching", "job_promised") or (status == "has_job" and r.p(0.25))
    a["job_search_started"] = "yes" if started else "no"
    if started:
        a["applications_n"] = str(min(60, int(r.g.geometric(0.22)) - 1))
    mood = 3.7 + g.satisfaction
    a["sat_studies"] = _scale(r, mood)
    a["sat_services"] = _scale(r, mood - 0.5)
    a["eval_content"] = _scale(r, mood - 0.1)
    a["eval_practical"] = _scale(r, mood - 0.6)
    a["eval_teachers"] = _scale(r, mood + 0.2)
    a["eval_equipment"] = _scale(r, mood - 0.8)
    a["eval_overall"] = _scale(r, mood, 0.6)
    for c in COMPETENCES:
        shift = _COMP_GRAD_SHIFT[c] + (0.6 if c == "ict" and g.group == "it" else 0.0) + (
            0.9 if c == "foreign_language" and reg["programme"].startswith("PHIL-ENG") else 0.0)
        a[f"comp_grad_{c}"] = _scale(r, 3.5 + g.ability + shift, 0.7)
    if r.p(0.09):
        a["email_new"] = reg["email"].split("@")[0] + str(r.int(1, 9)) + "@gmail.com" if reg["email"] else ""
    if r.p(0.07):
        a["phone_new"] = _phone(r)
    a["consent_phase2"] = "yes" if r.p(0.9) else "no"
    return a


def _income(r: _Rand, g: _Graduate, hours: int) -> int:
    """Monthly net pay in KGS: lognormal around the job's median; abroad ~50–90 thousand."""
    if g.emp_kind == "family_worker":
        return 0
    if g.abroad:
        median, sd = (66000 if g.abroad in ("KR", "AE", "DE", "US") else 57000), 0.18
    else:
        median, sd = _JOBS[g.job][3], 0.28
        if g.emp_kind in ("self_employed", "employer"):
            median, sd = median * (1.3 if g.emp_kind == "employer" else 1.05), 0.45
        if g.extra.get("work_oblast") == "bishkek":
            median *= 1.35
        if g.emp_kind == "paid_intern":
            median *= 0.6
    pay = 1.1 * median * math.exp(r.normal(0, sd)) * min(1.0, (hours / 40) ** 0.7)
    step = 1000 if pay >= 20000 else 500
    return int(max(step, round(pay / step) * step))


def _band(income: int) -> str:
    for hi, code in ((5000, "lt5k"), (10000, "5_10k"), (15000, "10_15k"), (20000, "15_20k"), (30000, "20_30k"),
                     (50000, "30_50k")):
        if income < hi:
            return code
    return "gt50k"


# The draws below are the graduate's situation in the reference week that the generator settles only
# when it writes the phase-2 answers (a respondent's answers report them truthfully). Each helper
# records its draw in ``g.extra`` — the latent truth of :func:`graduate_truth` — and takes exactly
# the random numbers the answers always took, so the demo files do not change. Graduates who never
# answer get the same draws from a stream of their own (:func:`_complete_latent`).
def _draw_search(r: _Rand, g: _Graduate) -> tuple[str, str, str]:
    """Not employed: (sought work in the last 4 weeks, available within 2 weeks, a job starting later).

    Every branch is drawn whatever the status (five draws), as the answers always did."""
    sought, available, future = {
        "seeking": ("yes", "yes", "no"), "waiting": (r.pick(("yes", "no")), "yes", "yes"),
        "seeking_na": ("yes", "no", "no"), "military": ("no", "no", "no"),
        "family_care": ("no", "no" if r.p(0.8) else "yes", "no"),
        "study": ("yes" if r.p(0.2) else "no", "yes" if r.p(0.35) else "no", "no"),
        "other": ("no", "yes" if r.p(0.5) else "no", "no"),
    }[g.status]
    g.extra["search"] = (sought, available, future)
    return sought, available, future


def _draw_study_full_time(r: _Rand, g: _Graduate) -> bool:
    """A student's enrolment is full-time (one draw): 85 % of those without a job, 30 % of the employed."""
    employed = g.status == "employed"
    full = bool((not employed and r.p(0.85)) or (employed and r.p(0.3)))
    g.extra["study_full_time"] = full
    return full


def _draw_hours(r: _Rand, g: _Graduate) -> int:
    """Usual weekly working hours of an employed graduate."""
    if g.abroad:
        hours = r.int(48, 72)
    elif g.job in _PART_TIME_JOBS and r.p(0.45):
        hours = r.pick((18, 18, 20, 24, 27, 30, 36))
    elif g.emp_kind == "family_worker":
        hours = r.int(10, 50)
    elif r.p(0.1):
        hours = r.int(8, 30)
    else:
        hours = int(r.weighted({"40": 0.62, "36": 0.06, "42": 0.06, "45": 0.08, "48": 0.1, "50": 0.05, "60": 0.03}))
    g.extra["hours"] = int(hours)
    return int(hours)


def _draw_work_oblast(r: _Rand, g: _Graduate) -> str:
    """Oblast of the job of a graduate employed in Kyrgyzstan (it raises pay in Bishkek)."""
    oblast = g.reg["home_oblast"] if r.p(0.5) else r.weighted(_WORK_OBLAST)
    g.extra["work_oblast"] = oblast
    return oblast


def _draw_horizontal_match(r: _Rand, g: _Graduate) -> str:
    """The graduate's own rating (1–5) of how closely the job is related to the field of study."""
    horiz = _scale(r, 4.4, 0.6) if g.matched else _scale(r, 1.8, 0.8)
    g.extra["horizontal_match"] = int(horiz)
    return horiz


def _phase2_answers(r: _Rand, g: _Graduate, survey: date) -> dict[str, str]:
    """The nine-month follow-up answers (docs/variables.md §3), following the ILO question sequence."""
    reg = g.reg
    a = dict.fromkeys(PHASE2_COLUMNS, "")
    a["student_id"] = reg["student_id"]
    if r.p(0.01):
        a["consent"] = "no"
        return a
    a["consent"] = "yes"
    a["survey_date"] = survey.isoformat()
    employed = g.status == "employed"
    # ILO sequence
    if employed and g.emp_kind == "family_worker":
        a["ilo_worked"], a["ilo_family_help"] = "no", "yes"
    elif employed and g.absent:
        a["ilo_worked"], a["ilo_family_help"], a["ilo_absent"] = "no", "no", "yes"
    elif employed:
        a["ilo_worked"] = "yes"
    else:
        a["ilo_worked"], a["ilo_family_help"], a["ilo_absent"] = "no", "no", "no"
        sought, available, future = _draw_search(r, g)
        a["ilo_sought"], a["ilo_available"], a["ilo_future_start"] = sought, available, future
    studying = bool(g.study_level)
    if employed:
        a["main_activity"] = "work_and_study" if studying else "work"
    else:
        a["main_activity"] = {"study": "study", "military": "military", "family_care": "family_care",
                              "other": "other"}.get(g.status, "seeking")
    a["studying"] = "yes" if studying else "no"
    if studying:
        a["study_level"] = g.study_level
        a["study_full_time"] = "yes" if _draw_study_full_time(r, g) else "no"
    # the job
    income = None
    if employed:
        job_ky, job_ru, sectors, _ = _JOBS[g.job]
        hours = _draw_hours(r, g)
        a["hours"] = str(hours)
        a["emp_type"] = g.emp_kind
        if g.emp_kind in ("self_employed", "employer", "family_worker"):
            a["contract"] = "none" if g.emp_kind != "employer" or r.p(0.7) else "written"
            a["social_fund"] = r.weighted({"no": 0.7, "yes": 0.2, "dk": 0.1}) if g.emp_kind != "family_worker" else "no"
            a["employer_type"] = "family_business" if g.emp_kind == "family_worker" else "own_business"
            sector = r.weighted(sectors)
        else:
            sector = r.weighted(sectors) if not g.abroad else {"9313": "F", "7112": "F", "8322": "H", "5223": "G",
                                                              "9321": "G", "9329": "C", "5120": "I", "5131": "I",
                                                              "9112": "N", "9211": "A"}.get(g.job, r.weighted(sectors))
            if g.abroad:
                a["contract"] = r.weighted({"verbal": 0.5, "written": 0.32, "none": 0.18})
                a["employer_type"] = "private"
            elif sector in ("P", "Q", "O"):
                gov = r.p(0.85 if sector != "O" else 1.0)
                a["employer_type"] = "government" if gov else r.weighted({"private": 0.8, "ngo": 0.2})
                a["contract"] = "written" if gov or r.p(0.6) else "verbal"
            elif sector == "D":
                a["employer_type"] = "state_enterprise" if r.p(0.85) else "private"
                a["contract"] = "written"
            else:
                a["employer_type"] = r.weighted({"private": 0.82, "state_enterprise": 0.06, "ngo": 0.05,
                                                 "international": 0.03, "government": 0.04})
                a["contract"] = r.weighted({"written": 0.55, "verbal": 0.38, "none": 0.07})
            a["social_fund"] = {"written": r.weighted({"yes": 0.9, "dk": 0.06, "no": 0.04}),
                                "verbal": r.weighted({"no": 0.78, "dk": 0.17, "yes": 0.05}),
                                "none": r.weighted({"no": 0.85, "dk": 0.15})}[a["contract"]]
        a["sector"] = sector
        title = job_ky if r.p(0.6) else job_ru
        if g.abroad and r.p(0.5):
            title = job_ru + r.pick(("", " (Москва)", " в Москве", " (Алматы)", ""))
        a["job_title"] = title
        code = g.job if r.p(0.82) else (g.job[:3] if r.p(0.7) else g.job[:2])
        a["isco_code"] = code if r.p(0.96) else ""
        a["isco_major"] = g.job[0]
        a["work_country"] = g.abroad or "KG"
        if not g.abroad:
            oblast = _draw_work_oblast(r, g)
            a["work_oblast"] = oblast
            if oblast == "jalal_abad":
                a["work_rayon"] = (reg["home_rayon"] or "jalal_abad_city") if r.p(0.55) else r.weighted(
                    {**_RAYONS, "jalal_abad_city": 40})
        income = _income(r, g, hours)
        g.extra["income"] = income
    a["job_before_grad"] = "yes" if g.job_before else "no"
    if g.first_job:
        a["first_job_date"] = min(g.first_job, date(survey.year, survey.month, 1)).isoformat()
    # job search
    if g.before_grad and r.p(0.55):
        search = "not_searched"
    elif g.status in ("study", "military", "family_care") and r.p(0.7):
        search = "not_searched"
    else:
        search = r.weighted({"before_grad": 0.3, "at_grad": 0.3, "after_grad": 0.36, "not_searched": 0.04})
    a["search_start"] = search
    if search != "not_searched":
        channels = {"employment_service": 0.06, "internet": 0.17, "social_media": 0.18, "relatives": 0.3,
                    "university": 0.08, "employer_direct": 0.1, "job_fair": 0.03, "internship": 0.06, "other": 0.02}
        a["search_channels"] = " ".join(r.sample(channels, int(r.weighted({"1": 0.4, "2": 0.35, "3": 0.2, "4": 0.05}))))
        apps = min(120, int(r.g.geometric(0.13)) - 1 + (0 if employed else 3))
        replies = int(r.g.binomial(apps, 0.42)) if apps else 0
        interviews = int(r.g.binomial(replies, 0.62)) if replies else 0
        a["applications_n"], a["replies_n"], a["interviews_n"] = str(apps), str(replies), str(interviews)
    if employed:
        if g.emp_kind != "family_worker" and r.p(0.09):
            a["income_band"] = _band(income) if r.p(0.55) else "refuse"
        else:
            a["income"] = str(income)
        skilled = g.job[0] in "123"
        horiz = _draw_horizontal_match(r, g)
        if g.matched:
            vert = r.weighted({"same": 0.78, "higher": 0.08, "lower": 0.14} if skilled else
                              {"same": 0.45, "lower": 0.45, "none_needed": 0.1})
        else:
            vert = r.weighted({"lower": 0.35, "none_needed": 0.55, "same": 0.1} if not skilled else
                              {"same": 0.6, "lower": 0.3, "higher": 0.1})
        a["horizontal_match"], a["vertical_match"] = horiz, vert
        if int(horiz) <= 2:
            reasons = {"no_job_in_field": 0.4, "better_pay": 0.25, "interest": 0.1, "location": 0.12,
                       "temporary": 0.1, "other": 0.03}
            a["mismatch_reason"] = " ".join(r.sample(reasons, int(r.weighted({"1": 0.6, "2": 0.32, "3": 0.08}))))
        manual = g.job[0] in "56789"
        for c in COMPETENCES:
            shift = _COMP_JOB_SHIFT[c]
            if manual and c in ("field_knowledge", "research", "foreign_language", "critical_thinking"):
                shift -= 0.9
            if c in ("ict", "foreign_language") and g.job[:2] in ("25", "35"):
                shift += 0.9
            if c == "foreign_language" and g.abroad:
                shift += 0.8
            a[f"comp_job_{c}"] = _scale(r, 3.5 + shift, 0.8)
        pay_term = 0.3 * math.log(max(income, 5000) / 18000)
        a["job_satisfaction"] = _scale(r, 2.3 + 0.32 * int(horiz) + pay_term + 0.3 * g.satisfaction)
        a["usefulness"] = _scale(r, 1.2 + 0.65 * int(horiz), 0.6)
    a["need_more_education"] = "yes" if r.p(0.42 if not g.study_level else 0.2) else "no"
    if r.p(0.55):
        a["strengths"] = r.pick(_STRENGTHS)
    if r.p(0.45):
        a["weaknesses"] = r.pick(_WEAKNESSES)
    if r.p(0.4):
        a["suggestions"] = r.pick(_SUGGESTIONS)
    return a


# ============================================================================= who answers, when, how
def _fieldwork(seed: int, grads: list[_Graduate], year: int = 2025,
               effects: Mapping[str, float] | None = None, months: int = 9) -> None:
    """Phase-1 response (~85%), phase-2 response (~55%, depending on phase 1), phase-2 mode and date
    (March–April of ``year`` + 1); ``effects`` shift the phase-2 response logit (outcome ``response_p2``).
    A later follow-up (``months`` ≠ 9) draws who answers from streams of its own and moves the fieldwork by
    ``months`` − 9 months."""
    r1, r2 = (_Rand(seed, 11), _Rand(seed, 12)) if months == 9 else (_Rand(seed, 11 + 100 * months),
                                                                    _Rand(seed, 12 + 100 * months))
    later = timedelta(days=round((months - 9) * DAYS_PER_MONTH))
    prog_effect = {code: r2.normal(0, 0.3) for code in _PROGRAMME_PARAMS}
    for g in grads:
        reg = g.reg
        x = _logit(0.845) + (0.3 if reg["funding"] == "state" else 0.0) + 0.5 * (float(reg["gpa"]) - 3.25)
        x += 0.5 if reg["level"] == "master" else 0.0
        x -= 0.4 if reg["home_oblast"] != "jalal_abad" else 0.0
        if r1.p(_expit(x)):
            g.p1 = _phase1_answers(r1, g)
    for g in grads:
        reg = g.reg
        p1 = g.p1
        x = -0.8 + prog_effect[reg["programme"]] + (0.3 if reg["sex"] == "female" else 0.0)
        if p1 is not None:
            x += 1.0 if p1["consent_phase2"] == "yes" else -0.8
            x += 0.25 * (int(p1["eval_overall"] or 3) - 3)
            x += {"has_job": 0.35, "job_promised": 0.2, "searching": 0.0,
                  "not_searching": -0.2}.get(p1["job_status"], 0.0)
            x -= 0.5 if p1["plan"] == "work_abroad" else 0.0
        else:
            x -= 0.35
        x += 0.25 if g.status == "employed" and not g.abroad else 0.0
        x -= 0.7 if g.abroad else 0.0
        x -= 0.3 if g.status == "military" else 0.0
        x += _shift(effects, "response_p2", reg)
        if months != 9:
            g.extra["reference_date"] = TRUTH_REFERENCE_DATE.replace(year=year + 1) + later
        if not r2.p(_expit(x)):
            continue
        if g.abroad:
            mode = r2.weighted({"online": 0.85, "phone": 0.15})
        elif reg["home_rayon"] in _REMOTE_RAYONS:
            mode = r2.weighted({"online": 0.45, "phone": 0.43, "paper": 0.12})
        else:
            mode = r2.weighted({"online": 0.64, "phone": 0.25, "paper": 0.11})
        g.p2_mode = mode
        start, span = {"online": (date(year + 1, 3, 2), 40), "phone": (date(year + 1, 3, 10), 46),
                       "paper": (date(year + 1, 3, 16), 45)}[mode]
        survey = start + later + timedelta(days=int(min(span, r2.g.exponential(span / 3))))
        g.extra["survey_date"] = survey
        g.p2 = _phase2_answers(r2, g, survey)
    # a tiny cohort must still show every mode
    need = {"online": 4, "phone": 4, "paper": 4}
    for mode in need:
        have = [g for g in grads if g.p2_mode == mode]
        donors = [g for g in grads if g.p2_mode and g.p2_mode != mode and not g.abroad]
        while len(have) < need[mode] and donors:
            counts = {m: sum(1 for g_ in grads if g_.p2_mode == m) for m in need}
            donors = [g for g in donors if counts[g.p2_mode] > need[g.p2_mode] and g.p2_mode != mode]
            if not donors:
                break
            g = donors.pop()
            g.p2_mode = mode
            have.append(g)


def _complete_latent(r: _Rand, grads: list[_Graduate]) -> None:
    """Draw the reference-week details of every graduate who did not give them in a phase-2 answer.

    Non-respondents and those who refused consent get, from their own stream ``r`` (so nothing
    written to the survey files changes), the same draws a consenting respondent's answers make:
    job search and availability when not employed, full-time enrolment when studying, hours, oblast of
    the job, pay and the own rating of the field match when employed.
    """
    for g in grads:
        employed = g.status == "employed"
        if not employed and "search" not in g.extra:
            _draw_search(r, g)
        if g.study_level and "study_full_time" not in g.extra:
            _draw_study_full_time(r, g)
        if employed and "hours" not in g.extra:
            hours = _draw_hours(r, g)
            if not g.abroad:
                _draw_work_oblast(r, g)
            g.extra["income"] = _income(r, g, hours)
            _draw_horizontal_match(r, g)


# ============================================================================= the truth
#: indicators of the registry whose population value ``truth.csv`` gives (overall, by faculty, by sex)
TRUTH_INDICATORS: tuple[str, ...] = (
    "employment_rate", "unemployment_rate", "labour_force_participation_rate", "further_study_rate",
    "job_within_6_months_share", "horizontal_match_subjective_rate", "median_monthly_income",
)
TRUTH_DOMAINS: tuple[str, ...] = ("all", "faculty", "sex")
#: reference date of graduates who were never surveyed in phase 2 (mid-fieldwork)
TRUTH_REFERENCE_DATE = date(2026, 4, 1)


def _months(later: date, earlier: date) -> float:
    """Months of 30.4375 days between two dates, to 1 decimal (as
    :func:`analysis.derive.transition.months_to_first_job`)."""
    return round((later - earlier).days / DAYS_PER_MONTH, 1)


def _latent_row(g: _Graduate, full_time_hours: float, fast_job_months: float) -> dict[str, Any]:
    """The derived variables of one graduate, from the generator's latent state (never from answers).

    The same variables, with the same definitions, as :func:`analysis.derive.graduates.derive_graduates`
    computes from a consenting respondent's answers (ILO 19th ICLS labour status; the registry's
    further study, time to first job, income and field-match rules) — here for every graduate.
    """
    reg = g.reg
    employed = g.status == "employed"
    if employed:
        status = "employed"
    else:
        sought, available, future = g.extra["search"]
        if (sought == "yes" or future == "yes") and available == "yes":
            status = "unemployed"
        elif g.study_level:  # the not employed who study are the generator's status "study"
            status = "olf_study"
        else:
            status = "olf_other"
    # time to first job: a job before graduation counts as 0; else the month of the first job (never
    # after the reference month); further study without a job is a competing event; the others are
    # censored at the reference date (``job_within_6m`` unknown when observed for less than 6 months)
    grad = date.fromisoformat(reg["graduation_date"])
    ref = g.extra.get("survey_date", g.extra.get("reference_date", TRUTH_REFERENCE_DATE.replace(year=grad.year + 1)))
    if g.job_before:
        within: bool | None = True
    elif g.first_job is not None:
        fj = min(g.first_job, date(ref.year, ref.month, 1))
        t = 0.0 if (fj.year, fj.month) <= (grad.year, grad.month) else max(0.0, _months(fj, grad))
        within = t <= fast_job_months
    elif employed or status == "olf_study":
        within = None
    else:
        within = False if _months(ref, grad) >= fast_job_months else None
    income = None
    if employed and g.emp_kind != "family_worker" and g.extra["hours"] >= full_time_hours:
        income = float(g.extra["income"])
    return {
        "student_id": reg["student_id"], "faculty": reg["faculty"], "sex": reg["sex"],
        "responded_p2": bool(g.p2 is not None and g.p2.get("consent") == "yes"),
        "resp_p2": True,  # in truth every graduate has a labour status: the universe is every graduate
        "labour_status": status,
        "employed": employed,
        "in_labour_force": status in ("employed", "unemployed"),
        "further_study_ft": bool(g.study_level) and g.study_level != "course" and g.extra["study_full_time"],
        "job_within_6m": within,
        "hm_subjective": (g.extra["horizontal_match"] >= 4) if employed else None,
        "full_time": employed and g.extra["hours"] >= full_time_hours,
        "income_stat": income,
    }


def _latent_frame(grads: list[_Graduate]):
    """One row per graduate of the registry with the latent derived variables (:func:`_latent_row`)."""

    p = DeriveParams()  # the demo cohort uses the default derive parameters (40-hour week, 6 months, no trim)
    rows = [_latent_row(g, p.full_time_hours, p.fast_job_months) for g in grads]
    df = pd.DataFrame(rows)
    for c in ("resp_p2", "employed", "in_labour_force", "further_study_ft", "job_within_6m", "hm_subjective",
              "full_time", "responded_p2"):
        df[c] = pd.array(df[c].tolist(), dtype="boolean")
    df["income_stat"] = df["income_stat"].astype("float64")
    return df.sort_values("student_id", kind="stable").reset_index(drop=True)


def graduate_truth(seed: int = DEFAULT_SEED, n_graduates: int = DEFAULT_N, *, graduation_year: int = 2025,
                   effects: Mapping[str, float] | None = None, follow_up_months: int = 9):
    """Per-graduate truth of a demo cohort: the derived variables from the generator's latent state.

    Reference API: the tests compare it, graduate by graduate, with what
    :func:`analysis.derive.graduates.derive_graduates` derives from the same graduates' validated answers
    (the proof that ``truth.csv`` maps the latent state to the indicators correctly). The cohort is
    drawn again in memory (a pure function of ``seed`` and ``n_graduates``); nothing is written.

    Returns
    -------
    pandas.DataFrame
        One row per graduate (sorted by ``student_id``): ``student_id, faculty, sex``,
        ``responded_p2`` (gave a consenting phase-2 answer), ``resp_p2`` (always True), ``labour_status``
        (ILO 19th ICLS), ``employed, in_labour_force, further_study_ft, job_within_6m, hm_subjective,
        full_time`` (nullable booleans; ``<NA>`` outside the variable's universe) and ``income_stat``
        (KGS net per month, full-time paid work only).
    """
    grads, _files, _defects = _assemble(int(seed), int(n_graduates), graduation_year, effects, follow_up_months)
    return _latent_frame(grads)


def truth_table(latent) -> list[dict[str, Any]]:
    """Population values of :data:`TRUTH_INDICATORS` overall, by faculty and by sex.

    Each indicator is computed with its registry definition (``definitions/indicators.yaml``:
    universe, numerator, statistic, applied by :func:`analysis.derive.registry.indicator_values`) on the
    latent frame of :func:`_latent_frame`, in which every graduate is in the respondent universe.
    ``N`` is the number of graduates the value is computed over (the universe, with the variable
    known); ``value`` is a share (0–1) or KGS per month; empty when ``N`` is 0.
    """

    g = latent.assign(all="all")
    rows = []
    for ind_id in TRUTH_INDICATORS:
        ind = get_indicator(ind_id)
        values = indicator_values(g, ind)
        for domain in TRUTH_DOMAINS:
            for group in sorted(g[domain].astype(str).unique()):
                y = values[(g[domain].astype(str) == group).to_numpy()].dropna().to_numpy(float)
                value = None
                if len(y):  # a share is the mean of 0/1 values; "mean" indicators the same
                    value = float(np.median(y)) if ind.statistic == "median" else float(y.mean())
                rows.append({"indicator": ind_id, "domain": domain, "group": group, "N": int(len(y)),
                             "value": value, "unit": ind.unit})
    return rows


def _truth_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["indicator", "domain", "group", "N", "value"])
    for r in rows:
        v = r["value"]
        text = "" if v is None else (f"{v:.6f}" if r["unit"] == "share" else f"{v:.1f}")
        w.writerow([r["indicator"], r["domain"], r["group"], r["N"], text])
    return buf.getvalue()


# ============================================================================= employers
_EMP_SECTORS_LEGAL = {"P": 0.2, "Q": 0.12, "A": 0.08, "G": 0.12, "O": 0.1, "F": 0.08, "I": 0.05, "C": 0.07,
                      "H": 0.04, "K": 0.07, "J": 0.03, "D": 0.02, "M": 0.02}
_EMP_SECTORS_IE = {"G": 0.38, "A": 0.22, "I": 0.1, "S": 0.08, "H": 0.07, "F": 0.06, "C": 0.06, "M": 0.03}
_WOMEN_SHARE = {"P": 0.78, "Q": 0.8, "A": 0.3, "G": 0.5, "O": 0.45, "F": 0.08, "I": 0.55, "C": 0.45, "H": 0.12,
                "K": 0.6, "J": 0.35, "D": 0.12, "M": 0.55, "S": 0.7, "N": 0.4, "R": 0.4}
_HE_SHARE = {"P": 0.85, "Q": 0.55, "O": 0.85, "K": 0.85, "J": 0.75, "M": 0.8, "D": 0.35, "A": 0.06, "G": 0.2,
             "F": 0.15, "I": 0.12, "C": 0.1, "H": 0.1, "S": 0.1}
_BAND_RANGE = {"lt5": (1, 4), "5_20": (5, 19), "20_50": (20, 49), "50_200": (50, 199), "gt200": (200, 1400)}
_SECTOR_ISCO = {"P": "2", "Q": "2", "O": "2", "K": "3", "J": "2", "M": "2", "D": "7", "A": "6", "G": "5", "F": "7",
                "I": "5", "C": "8", "H": "8", "S": "5", "N": "9", "R": "3"}
_EMP_RATE_SHIFT = {"ethics": 0.4, "field_knowledge": 0.1, "foreign_language": -0.9, "ict": -0.4, "communication": 0.0,
                   "teamwork": 0.3, "self_development": 0.0, "critical_thinking": -0.3, "problem_solving": -0.4,
                   "research": -0.2, "time_management": -0.2, "pressure": -0.3}


def _employers(seed: int, n: int) -> list[dict[str, str]]:
    """~150 employers of Jalal-Abad oblast (legal entities and individual entrepreneurs), source items 1–9."""
    r = _Rand(seed, 21)
    rows = []
    for i in range(1, n + 1):
        a = dict.fromkeys(EMPLOYER_COLUMNS, "")
        a["employer_id"] = f"JA-E{i:03d}"
        ie = r.p(0.42)
        a["respondent_type"] = "individual_entrepreneur" if ie else "legal_entity"
        sector = r.weighted(_EMP_SECTORS_IE if ie else _EMP_SECTORS_LEGAL)
        a["sector"] = sector
        if ie:
            a["legal_form"] = "ie"
            band = r.weighted({"lt5": 0.72, "5_20": 0.26, "20_50": 0.02})
        else:
            if sector in ("P", "Q"):
                a["legal_form"] = "state_org" if r.p(0.85) else "enterprise"
            elif sector == "O":
                a["legal_form"] = r.weighted({"state_org": 0.6, "ministry": 0.4})
            else:
                a["legal_form"] = r.weighted({"enterprise": 0.88, "nonprofit": 0.07, "state_org": 0.05})
            band = r.weighted({"lt5": 0.04, "5_20": 0.3, "20_50": 0.3, "50_200": 0.27, "gt200": 0.09}
                              if sector not in ("P", "Q", "D") else {"20_50": 0.35, "50_200": 0.45, "gt200": 0.2})
        a["sector_text"] = r.pick(_SECTOR_TEXT.get(sector, ("Башка",)))
        a["rayon"] = r.weighted({**_RAYONS, "jalal_abad_city": 30})
        a["size_band"] = band
        lo, hi = _BAND_RANGE[band]
        staff = lo + int((hi - lo) * r.u() ** 2)
        women = int(r.g.binomial(staff, _WOMEN_SHARE.get(sector, 0.5)))
        a["staff_women"], a["staff_men"] = str(women), str(staff - women)
        higher = int(r.g.binomial(staff, _HE_SHARE.get(sector, 0.2)))
        a["grads_higher"] = str(higher)
        a["grads_vocational"] = str(int(r.g.binomial(staff - higher, 0.35)))
        need = int(r.g.poisson(0.5 + staff * 0.12)) if r.p(0.8) else 0
        a["need_3y_n"] = str(need)
        if need:
            nw = int(r.g.binomial(need, _WOMEN_SHARE.get(sector, 0.5)))
            a["need_3y_women"], a["need_3y_men"] = str(nw), str(need - nw)
            a["need_3y_specialty"] = ", ".join(r.sample({s: 1.0 for s in _EMP_SPECIALTIES}, r.int(1, 3)))
            a["need_3y_profession"] = r.pick(_EMP_SPECIALTIES) if r.p(0.6) else ""
        a["ready_to_train"] = " ".join(r.sample(
            {"managers": 0.25, "technicians": 0.22, "financiers": 0.18, "it": 0.2, "logisticians": 0.08, "other": 0.07},
            r.int(0, 3)))
        if r.p(0.55):
            a["curriculum_suggestions"] = r.pick(_EMP_SUGGESTIONS)
        vac = int(r.g.poisson(0.3 + staff * 0.04))
        a["vacancies_n"] = str(vac)
        if vac:
            major = _SECTOR_ISCO.get(sector, "5")
            others = {m: 1.0 for m in "1234579" if m != major}
            a["vacancy_isco"] = " ".join(sorted({major, *r.sample(others, r.int(0, 1))}))
            hard = int(r.g.binomial(vac, 0.45))
            a["hard_to_fill_n"] = str(hard)
            if hard:
                a["hard_to_fill_reasons"] = " ".join(r.sample(
                    {"few_applicants": 0.25, "lack_skills": 0.2, "lack_experience": 0.22, "lack_qualification": 0.12,
                     "low_pay": 0.14, "location": 0.05, "other": 0.02}, r.int(1, 3)))
        a["skills_gap"] = "yes" if r.p(0.48) else "no"
        level = r.normal(3.5, 0.4)
        for c in COMPETENCES:
            a[f"rate_{c}"] = _scale(r, level + _EMP_RATE_SHIFT[c], 0.7)
        a["recruit_channels"] = " ".join(r.sample(
            {"employment_service": 0.12, "internet": 0.14, "social_media": 0.2, "relatives": 0.28, "university": 0.12,
             "job_fair": 0.06, "other": 0.08}, r.int(1, 3)))
        offers = r.p(0.2 if ie else 0.55)
        a["internships_offered"] = "yes" if offers else "no"
        if offers:
            a["internships_n"] = str(r.int(1, max(2, staff // 8)))
        rows.append(a)
    return rows


# ============================================================================= files, rows and defects
@dataclass
class _Row:
    """One data row of an output file: the answers (contract names), platform meta, a sort key."""

    answers: dict[str, str]
    meta: dict[str, str] = field(default_factory=dict)
    sort_key: tuple = ()


@dataclass
class _Defect:
    """A deliberately planted data-quality problem (file, row, column, what is wrong, expected rule)."""

    file: str
    row_obj: _Row
    column: str
    respondent: str
    value: str
    defect: str
    expect: str
    row: int = 0


_INTERVIEWERS = (("7", "interviewer_aigul"), ("8", "interviewer_bakyt"), ("9", "interviewer_nurzada"))


def _kobo_meta(r: _Rand, day: date, status: str = "") -> dict[str, str]:
    """Kobo meta columns of one submission: local times +06:00 (Asia/Bishkek), submission time in UTC."""
    start = datetime(day.year, day.month, day.day, 9, 0) + timedelta(minutes=r.int(0, 13 * 60), seconds=r.int(0, 59))
    end = start + timedelta(minutes=r.int(6, 28), seconds=r.int(0, 59))
    sub = end - timedelta(hours=6) + timedelta(seconds=r.int(2, 900))
    u = r.uuid4()
    return {
        "start": start.strftime("%Y-%m-%dT%H:%M:%S.000+06:00"),
        "end": end.strftime("%Y-%m-%dT%H:%M:%S.000+06:00"),
        "today": day.isoformat(),
        "_uuid": u,
        "meta/instanceID": f"uuid:{u}",
        "_submission_time": sub.strftime("%Y-%m-%dT%H:%M:%S"),
        "_validation_status": status,
        "_status": "submitted_via_web",
    }


def _odk_meta(r: _Rand, day: date) -> dict[str, str]:
    """ODK Central meta columns of one phone interview (submitted from the interviewer's tablet)."""
    sub_id, name = r.pick(_INTERVIEWERS)
    t = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC) + timedelta(minutes=r.int(0, 12 * 60))
    u = r.uuid4()
    return {
        "SubmissionDate": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.int(0, 999):03d}Z",
        "meta-instanceID": f"uuid:{u}",
        "KEY": f"uuid:{u}",
        "SubmitterID": sub_id,
        "SubmitterName": name,
        "AttachmentsPresent": "0",
        "AttachmentsExpected": "0",
        "Status": "",
        "ReviewState": "approved" if r.p(0.3) else "",
        "DeviceID": f"collect:{r.hexstr(8).upper()}",
        "Edits": "0",
    }


def _assemble(seed: int, n_graduates: int, year: int = 2025, effects: Mapping[str, float] | None = None,
              months: int = 9,
              ) -> tuple[list[_Graduate], dict[str, list[_Row]], list[_Defect]]:
    """Draw the cohort and lay out the rows of every file, with the planted defects."""
    grads = _registry(_Rand(seed, 1), n_graduates, year)
    _outcomes(_Rand(seed, 2), grads, effects)
    _fieldwork(seed, grads, year, effects, months)
    _complete_latent(_Rand(seed, 81), grads)
    rm = _Rand(seed, 41)
    files: dict[str, list[_Row]] = {"registry.xlsx": [_Row(dict(g.reg)) for g in grads]}
    p1 = []
    for g in grads:
        if g.p1 is not None:
            day = date.fromisoformat(g.p1["survey_date"] or g.reg["graduation_date"])
            m = _kobo_meta(rm, day)
            p1.append(_Row(dict(g.p1), m, (m["_submission_time"], m["_uuid"])))
    files["phase1_kobo.csv"] = p1
    by_mode: dict[str, list[_Row]] = {"online": [], "phone": [], "paper": []}
    for g in grads:
        if g.p2 is None:
            continue
        day = date.fromisoformat(g.p2["survey_date"]) if g.p2["survey_date"] else (
            date(year + 1, 3, 20) + timedelta(days=round((months - 9) * DAYS_PER_MONTH)))
        if g.p2_mode == "online":
            m = _kobo_meta(rm, day, "validation_status_approved" if rm.p(0.35) else "")
            by_mode["online"].append(_Row(dict(g.p2), m, (m["_submission_time"], m["_uuid"])))
        elif g.p2_mode == "phone":
            m = _odk_meta(rm, day)
            by_mode["phone"].append(_Row(dict(g.p2), m, (m["SubmissionDate"], m["KEY"])))
        else:
            by_mode["paper"].append(_Row(dict(g.p2), {}, (day.isoformat(), g.reg["student_id"])))
    files["phase2_online_kobo.csv"] = by_mode["online"]
    files["phase2_phone_odk.csv"] = by_mode["phone"]
    files["phase2_paper_entry.xlsx"] = by_mode["paper"]
    emp = []
    for a in _employers(seed, max(12, round(n_graduates * 0.075))):
        day = date(year + 1, 2, 2) + timedelta(days=rm.int(0, 40))
        m = _kobo_meta(rm, day)
        emp.append(_Row(a, m, (m["_submission_time"], m["_uuid"])))
    files["employers_kobo.xlsx"] = emp
    registry_ids = {g.reg["student_id"] for g in grads}
    grad_of = {g.reg["student_id"]: g for g in grads}
    defects = _plant(_Rand(seed, 51), files, registry_ids, grad_of)
    for name, rows in files.items():
        if name != "registry.xlsx":
            rows.sort(key=lambda x: x.sort_key)
    return grads, files, defects


def _mistype_id(r: _Rand, sid: str, known: set[str]) -> str:
    """A plausible typing error of an 8-digit id (one digit changed) that matches no graduate."""
    while True:
        pos = r.int(2, 7)
        new = sid[:pos] + str((int(sid[pos]) + r.int(1, 9)) % 10) + sid[pos + 1:]
        if new not in known:
            return new


def _plant(r: _Rand, files: dict[str, list[_Row]], known: set[str],
           grad_of: dict[str, _Graduate]) -> list[_Defect]:
    """Plant the documented defects (a small share of rows; each row has at most one)."""
    out: list[_Defect] = []
    used: set[int] = set()

    def pick(name: str, cond) -> _Row:
        rows = [x for x in files[name] if id(x) not in used and x.answers.get("consent") in ("yes", None)
                and cond(x.answers)]
        if not rows:  # tiny cohorts: fall back to any consenting row of the file
            rows = [x for x in files[name] if id(x) not in used and x.answers.get("consent") in ("yes", None)]
        row = rows[r.int(0, len(rows) - 1)]
        used.add(id(row))
        return row

    def add(name: str, row: _Row, column: str, value: str, defect: str, expect: str) -> None:
        sid = row.answers.get("student_id") or row.answers.get("employer_id", "")
        row.answers[column] = value
        out.append(_Defect(name, row, column, sid, value, defect, expect))

    employed = lambda a: a.get("hours", "") != ""  # noqa: E731
    searched = lambda a: a.get("applications_n", "") not in ("", "0")  # noqa: E731
    # phase 1 (Kobo CSV)
    f = "phase1_kobo.csv"
    row = pick(f, lambda a: True)
    add(f, row, "student_id", _mistype_id(r, row.answers["student_id"], known),
        "respondent id not in the registry (one digit mistyped)", "student_id must match a registry row")
    row = pick(f, lambda a: a["worked_during_studies"] == "part_time")
    add(f, row, "worked_during_studies", "parttime",
        "unknown choice code (old form version's spelling of part_time)", "select_one value not in list worked_studies")
    # phase 2 online (Kobo CSV)
    f = "phase2_online_kobo.csv"
    row = pick(f, lambda a: employed(a) and a["income"] != "" and a["job_satisfaction"] not in ("", "5"))
    dup = _Row(dict(row.answers), dict(row.meta))
    day = date.fromisoformat(row.answers["survey_date"]) + timedelta(days=1)
    dup.meta = {**_kobo_meta(r, day), "_validation_status": ""}
    dup.sort_key = (dup.meta["_submission_time"], dup.meta["_uuid"])
    dup.answers["survey_date"] = day.isoformat()
    files[f].append(dup)
    used.add(id(dup))
    out.append(_Defect(f, row, "student_id", row.answers["student_id"], row.answers["student_id"],
                       "first of two submissions of the same graduate (see next defect)",
                       "duplicate respondent: keep one row (latest submission), the other merged_duplicate"))
    js = row.answers.get("job_satisfaction", "")
    if js in ("1", "2", "3", "4"):
        add(f, dup, "job_satisfaction", str(int(js) + 1),
            "resubmission one day later by the same graduate, job_satisfaction changed",
            "duplicate respondent: keep one row (latest submission), the other merged_duplicate")
    else:
        flipped = "no" if row.answers.get("need_more_education") == "yes" else "yes"
        add(f, dup, "need_more_education", flipped,
            "resubmission one day later by the same graduate, need_more_education changed",
            "duplicate respondent: keep one row (latest submission), the other merged_duplicate")
    row = pick(f, lambda a: employed(a) and a["income"] != "")
    add(f, row, "income", "2500000", "absurd monthly income (2,500,000 KGS)", "income between 0 and 1,000,000")
    row = pick(f, lambda a: searched(a) and a["replies_n"] not in ("",))
    add(f, row, "replies_n", str(int(row.answers["applications_n"] or 0) + 4),
        "more replies than applications", "replies_n <= applications_n")
    # phase 2 phone (ODK Central CSV)
    f = "phase2_phone_odk.csv"
    row = pick(f, lambda a: True)
    twin = _Row(dict(row.answers), dict(row.meta), row.sort_key)
    files[f].insert(files[f].index(row) + 1, twin)
    used.add(id(twin))
    out.append(_Defect(f, twin, "KEY", row.answers["student_id"], row.meta["KEY"],
                       "exact duplicate of the previous row (same KEY, same answers)",
                       "exact duplicate: one of the two identical rows merged_duplicate"))
    row = pick(f, lambda a: searched(a) and a["replies_n"] == "0" and a["interviews_n"] == "0")
    add(f, row, "applications_n", "-3", "negative number of applications",
        "applications_n >= 0 (also fails replies_n <= applications_n)")
    row = pick(f, employed)
    add(f, row, "hours", "120", "120 working hours a week", "hours between 1 and 98")
    row = pick(f, lambda a: True)
    add(f, row, "student_id", _mistype_id(r, row.answers["student_id"], known),
        "respondent id not in the registry (interviewer mistyped one digit)", "student_id must match a registry row")
    # phase 2 paper (data-entry workbook)
    f = "phase2_paper_entry.xlsx"
    row = pick(f, lambda a: True)
    add(f, row, "consent", "", "required answer skipped: consent box left empty on the paper form",
        "consent is required")
    row = pick(f, lambda a: True)
    keyed = row.answers["survey_date"]
    wrong = f"{int(keyed[:4]) - 1}{keyed[4:]}" if keyed[:4].isdigit() else keyed
    also = " (also: first_job_date after survey_date)" if row.answers.get("first_job_date", "") > wrong else ""
    add(f, row, "survey_date", wrong, f"survey date before graduation (year keyed as {wrong[:4]})",
        "survey_date after graduation_date" + also)
    row = pick(f, lambda a: employed(a) and a["income"] != "")
    add(f, row, "income", "20 миң", "text in a numeric field (\"20 миң\" = 20 thousand)", "income must be an integer")
    row = pick(f, lambda a: a.get("work_rayon", "") != "")
    add(f, row, "work_rayon", "jalalabad", "unknown choice code (misspelt jalal_abad_city)",
        "select_one value not in list rayon")
    # employer survey (Kobo XLSX)
    f = "employers_kobo.xlsx"
    row = pick(f, lambda a: a["vacancies_n"] not in ("", "0"))
    add(f, row, "hard_to_fill_n", str(int(row.answers["vacancies_n"] or 0) + 3),
        "more hard-to-fill vacancies than vacancies", "hard_to_fill_n <= vacancies_n")
    return out


def _frame(rows: list[_Row], columns: tuple[str, ...]):
    return pd.DataFrame([[x.answers.get(c, "") for c in columns] for x in rows], columns=list(columns), dtype=object)


def _meta_frame(rows: list[_Row], r: _Rand, with_ids: bool) -> dict[str, list[str]]:
    """Per-row meta columns; Kobo ``_id`` values increase with submission time, with gaps (other projects)."""
    keys = sorted({k for x in rows for k in x.meta})
    meta = {k: [x.meta.get(k, "") for x in rows] for k in keys}
    if with_ids:
        ids, cur = [], 480_000_000 + r.int(0, 9_999_999)
        for _ in rows:
            cur += r.int(1, 60)
            ids.append(str(cur))
        meta["_id"] = ids
    return meta


def _write_registry(rows: list[_Row], path: Path, year: int = 2025) -> None:
    """The registrar's workbook: contract names in row 1, dates as Excel dates, GPA as a number."""

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"Бүтүрүүчүлөр {year}")
    for j, c in enumerate(REGISTRY_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = {"full_name": 38, "email": 30, "parent_name": 26}.get(c, 16)
    ws.freeze_panes = "B2"
    ws.append(list(REGISTRY_COLUMNS))
    for x in rows:
        out: list[Any] = []
        for c in REGISTRY_COLUMNS:
            v = x.answers[c]
            if c in ("date_of_birth", "graduation_date") and v:
                cell = WriteOnlyCell(ws, value=date.fromisoformat(v))
                cell.number_format = "DD.MM.YYYY"
                out.append(cell)
            elif c == "gpa" and v:
                out.append(float(v))
            else:
                out.append(v)
        ws.append(out)
    wb.save(path)
    deterministic_xlsx(path)


_ENTRY_CLERKS = ("Абдыкадырова Н.", "Токтосунов Э.", "Мамытова Ж.")


def _write_entry(rows: list[_Row], inst: Any, path: Path, r: _Rand) -> int:
    """Key the paper questionnaires into the project's data-entry workbook; returns its first data row.

    Single choices are written as the workbook's own dropdown text (``code – label``), a few as bare
    codes, as clerks do; multiple choices as 0/1 option columns; dates as Excel dates.
    """

    entry_workbook(inst, lang="ky", path=path, max_rows=max(200, len(rows) + 20))
    wb = openpyxl.load_workbook(path)
    meta = {str(a): b for a, b in wb["_meta"].iter_rows(min_row=2, values_only=True) if a}
    ws = wb[str(meta.get("data_sheet", "data"))]
    header_row, first = int(meta["header_row"]), int(meta["first_data_row"])
    header = [c.value for c in ws[header_row]]
    # the dropdown texts offered for each choice list (sheet _lists: list name in row 1)
    dropdown: dict[str, dict[str, str]] = {}
    if "_lists" in wb.sheetnames:
        for col in wb["_lists"].iter_cols(values_only=True):
            if not col or not col[0]:
                continue
            texts = [str(t) for t in col[1:] if t is not None]
            dropdown[str(col[0])] = {t.split(CHOICE_SEP, 1)[0].strip(): t for t in texts}
    questions = {q.name: q for q in inst.data_questions}
    for i, x in enumerate(rows):
        excel_row = first + i
        clerk = _ENTRY_CLERKS[r.int(0, len(_ENTRY_CLERKS) - 1)]
        for j, name in enumerate(header, start=1):
            if not name:
                continue
            name = str(name)
            value: Any = None
            if name == "mode":
                value = dropdown.get("mode", {}).get("paper", "paper")
            elif name == "entered_by":
                value = clerk
            elif "/" in name:
                qn, code = name.split("/", 1)
                v = x.answers.get(qn, "")
                value = None if v == "" else (1 if code in v.split() else 0)
            elif name in questions:
                q = questions[name]
                v = x.answers.get(name, "")
                if v == "":
                    value = None
                elif q.type == "select_one":
                    offered = dropdown.get(q.list_name, {})
                    value = offered.get(v, v) if r.p(0.9) else v
                elif q.type == "date":
                    try:
                        value = date.fromisoformat(v)
                    except ValueError:
                        value = v
                elif q.type == "integer":
                    value = int(v) if v.lstrip("-").isdigit() else v
                else:
                    value = v
            if value is not None:
                ws.cell(row=excel_row, column=j, value=value)
    wb.save(path)
    deterministic_xlsx(path)
    return first


def generate_cohort(out_dir: Path, seed: int = DEFAULT_SEED, n_graduates: int = DEFAULT_N,
                    cohort: str = "demo-2025", progress: Any = None, *, graduation_year: int = 2025,
                    effects: Mapping[str, float] | None = None, follow_up_months: int = 9) -> dict[str, Path]:
    """Write the synthetic demo cohort (all people fictitious) into ``out_dir``.

    A pure function of its arguments: the same arguments give byte-identical files (seeded
    ``numpy.random.default_rng`` streams, no clock, ZIP entries of the .xlsx files dated 1980-01-01).

    Parameters
    ----------
    out_dir : folder to write into (created if missing); existing files of the same names are replaced.
    seed : seed of every random draw.
    n_graduates : size of the graduating cohort (at least 35, one per programme); about 7.5% as many
        employers are surveyed (at least 12).
    cohort : cohort name written into the README.
    progress : optional callable receiving one line of text per file written.
    graduation_year : the year of graduation; every date (ceremony, surveys in the next year) and the
        enrolment-year prefix of the student ids move with it (ids of different years rarely coincide: the prefixes
        of one level overlap another level's of other years, and the 6 random digits then match by chance).
    effects : logit shifts planted on top of the generator's model (:func:`_shift`), e.g.
        ``{"employment:faculty:ECON": 0.5, "employment:programme:PHIL-JOUR-B": -0.6}``; outcomes
        ``employment`` (employed at the reference week) and ``response_p2`` (answering phase 2), targets
        ``all``, ``faculty:CODE``, ``programme:CODE``. None (the default) leaves every draw as it was.
    follow_up_months : months from graduation to the phase-2 survey (default 9). Another value makes a later
        wave of the same cohort (same seed, year and effects: the same graduates and student ids): who answers
        is drawn anew and the fieldwork moves by ``follow_up_months`` − 9 months.

    Returns
    -------
    dict mapping each file name (the :data:`DEMO_FILES` paths, ``planted_defects.csv``, ``truth.csv``,
    ``enterprise_frame.csv``,
    ``README.md``) to its path.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"demo: the seed must be a whole number ≥ 0, got {seed!r}")
    if isinstance(n_graduates, bool) or not isinstance(n_graduates, int) or n_graduates < len(_PROGRAMME_PARAMS):
        raise ConfigError(f"demo: n_graduates must be a whole number ≥ {len(_PROGRAMME_PARAMS)} "
                          f"(one graduate per programme), got {n_graduates!r}")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return _generate(out_dir, seed, n_graduates, cohort, progress or (lambda _line: None), graduation_year,
                         effects, follow_up_months)
    except OSError as exc:
        raise ConfigError(f"{exc.filename or out_dir}: cannot write the demo cohort there "
                          f"({exc.strerror or exc}) — choose another folder with --out") from None


def _generate(out_dir: Path, seed: int, n_graduates: int, cohort: str, say: Any, year: int = 2025,
              effects: Mapping[str, float] | None = None, months: int = 9) -> dict[str, Path]:
    grads, files, defects = _assemble(int(seed), int(n_graduates), int(year), effects, int(months))
    rm = _Rand(seed, 61)
    written: dict[str, Path] = {}
    first_row = {name: 2 for name in files}

    def done(name: str) -> None:
        p = out_dir / name
        written[name] = p
        rows = f"{len(files[name])} data rows, " if name in files else ""
        say(f"wrote {p} ({rows}{p.stat().st_size:,} bytes)")

    _write_registry(files["registry.xlsx"], out_dir / "registry.xlsx", int(year))
    done("registry.xlsx")
    inst = {k: load_instrument(k) for k in ("phase1", "phase2", "employer")}
    for name, key, cols, k in (("phase1_kobo.csv", "phase1", PHASE1_COLUMNS, 1),
                               ("phase2_online_kobo.csv", "phase2", PHASE2_COLUMNS, 2)):
        rows = files[name]
        write_kobo_csv(_frame(rows, cols), inst[key], out_dir / name, meta=_meta_frame(rows, rm, True),
                       seed=seed + k)
        done(name)
    rows = files["phase2_phone_odk.csv"]
    meta = _meta_frame(rows, rm, False)
    meta["FormVersion"] = [str(inst["phase2"].version or "")] * len(rows)  # Central: the form's version
    write_odk_csv(_frame(rows, PHASE2_COLUMNS), inst["phase2"], out_dir / "phase2_phone_odk.csv",
                  meta=meta, seed=seed + 3)
    done("phase2_phone_odk.csv")
    first_row["phase2_paper_entry.xlsx"] = _write_entry(files["phase2_paper_entry.xlsx"], inst["phase2"],
                                                        out_dir / "phase2_paper_entry.xlsx", _Rand(seed, 71))
    done("phase2_paper_entry.xlsx")
    rows = files["employers_kobo.xlsx"]
    write_kobo_xlsx(_frame(rows, EMPLOYER_COLUMNS), inst["employer"], out_dir / "employers_kobo.xlsx",
                    meta=_meta_frame(rows, rm, True), seed=seed + 4)
    done("employers_kobo.xlsx")
    (out_dir / "enterprise_frame.csv").write_bytes(frame_csv(_frame(rows, EMPLOYER_COLUMNS), seed))
    done("enterprise_frame.csv")
    for d in defects:
        rows = files[d.file]
        d.row = first_row[d.file] + next(i for i, x in enumerate(rows) if x is d.row_obj)
    defects.sort(key=lambda d: ([f["path"] for f in DEMO_FILES].index(d.file), d.row))
    (out_dir / "planted_defects.csv").write_bytes(_defects_csv(defects).encode("utf-8"))
    done("planted_defects.csv")
    truth = truth_table(_latent_frame(grads))
    (out_dir / "truth.csv").write_bytes(_truth_csv(truth).encode("utf-8"))
    done("truth.csv")
    (out_dir / "README.md").write_bytes(_readme(cohort, seed, n_graduates, grads, files, defects, truth)
                                        .encode("utf-8"))
    done("README.md")
    return written


def _defects_csv(defects: list[_Defect]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "row", "column", "respondent", "value", "defect", "expected_check"])
    for d in defects:
        w.writerow([d.file, d.row, d.column, d.respondent, d.value, d.defect, d.expect])
    return buf.getvalue()


def planted_defects(folder: Path) -> list[dict[str, str]]:
    """The planted defects of a generated demo folder, as listed in its ``planted_defects.csv``.

    Reference API: the answer key the tests check validation against (every planted defect must be
    found at its file, row and column), and the list of respondents to leave out when the demo's
    truth is compared with what the pipeline derives. The pipeline itself never reads it: it must
    find the defects without being told.
    """
    with (Path(folder) / "planted_defects.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _summary(grads: list[_Graduate]) -> dict[str, float]:
    """Headline figures of the drawn cohort (before defects): response rates, employment, median income."""
    n = len(grads)
    p2 = [g for g in grads if g.p2 is not None]
    consenting = [g for g in p2 if g.p2["consent"] == "yes"]
    employed = [g for g in consenting if g.status == "employed"]
    incomes = sorted(int(g.p2["income"]) for g in employed if g.p2["income"] and g.emp_kind != "family_worker")
    abroad = sorted(int(g.p2["income"]) for g in employed if g.p2["income"] and g.abroad)

    def median(xs: list[int]) -> float:
        if not xs:
            return float("nan")
        m = len(xs) // 2
        return float(xs[m]) if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2

    modes = {m: sum(1 for g in p2 if g.p2_mode == m) for m in ("online", "phone", "paper")}
    return {
        "graduates": n,
        "phase1_rate": sum(1 for g in grads if g.p1 is not None) / n,
        "phase2_rate": len(p2) / n,
        **{f"phase2_{m}_share": modes[m] / max(1, len(p2)) for m in modes},
        "employment_rate": len(employed) / max(1, len(consenting)),
        "employment_rate_all": sum(1 for g in grads if g.status == "employed") / n,
        "median_income": median(incomes),
        "median_income_abroad": median(abroad),
        "state_share": sum(1 for g in grads if g.reg["funding"] == "state") / n,
        "income_band_share": sum(1 for g in employed if g.p2["income_band"]) / max(1, len(employed)),
    }


_FILE_TEXT = {
    "registry.xlsx": "the registrar's list of all graduates (contact database): one row per graduate, headers = "
                     "contract names, dates as Excel dates",
    "phase1_kobo.csv": "exit survey just before graduation, KoboToolbox CSV export (\"XML values and headers\", "
                       "groups in headers; `;`, all fields quoted, CRLF)",
    "phase2_online_kobo.csv": "nine-month follow-up answered online, KoboToolbox CSV export",
    "phase2_phone_odk.csv": "nine-month follow-up by telephone interview, ODK Central CSV export (`,`, groups "
                            "joined with `-`)",
    "phase2_paper_entry.xlsx": "nine-month follow-up on paper, keyed into the project's data-entry workbook "
                               "(sheet `data`: names in row 1, question text in row 2, answers from row 3; "
                               "choices as the dropdown text `code – label`)",
    "employers_kobo.xlsx": "employer survey of Jalal-Abad oblast (legal entities and individual entrepreneurs), "
                           "KoboToolbox XLSX export",
}


def _readme(cohort: str, seed: int, n: int, grads: list[_Graduate], files: dict[str, list[_Row]],
            defects: list[_Defect], truth: list[dict[str, Any]]) -> str:
    s = _summary(grads)
    levels = {lv: sum(1 for g in grads if g.reg["level"] == lv)
              for lv in ("bachelor", "specialist", "master", "college")}
    sizes = {}
    for g in grads:
        sizes[g.reg["programme"]] = sizes.get(g.reg["programme"], 0) + 1
    year = int(grads[0].reg["graduation_date"][:4]) if grads else 2025
    lines = [
        f"# `{cohort}` — a synthetic demo cohort (all people and employers are fictitious)",
        "",
        "**Nothing in this folder describes a real person.** Names are drawn from short lists of Kyrgyz, Uzbek "
        "and Russian first names, patronymics and surnames; student ids, phone numbers, e-mail addresses and "
        "social-network handles are random. Phone numbers use real Kyrgyz mobile prefixes and e-mails real "
        "mail domains, so some may by chance belong to someone: **never call or write to them.**",
        "",
        "The folder imitates what the survey team of Jalal-Abad State University (ЖАМУ) receives for one "
        "graduating cohort, so that the whole pipeline (ingest → validate → derive → model → report) can be "
        "run, tested and demonstrated without personal data. It is generated, not edited by hand:",
        "",
        "```",
        f"tracer demo --seed {seed} --n-graduates {n}          # or: make demo",
        f"python -c \"from pathlib import Path; from analysis.demo.synthetic import generate_cohort; "
        f"generate_cohort(Path('data/raw/{cohort}'), seed={seed}, n_graduates={n})\"",
        "```",
        "",
        "The output is a pure function of the seed and size: running the command again gives byte-identical "
        "files (`tests/unit/test_demo.py` checks this). Do not edit the files by hand; change "
        "`src/analysis/demo/synthetic.py` and regenerate.",
        "",
        "## Files",
        "",
        "| file | instrument | format | mode | data rows | what it is |",
        "|---|---|---|---|---:|---|",
    ]
    for f in DEMO_FILES:
        lines.append(f"| `{f['path']}` | {f['instrument']} | `{f['format']}` | {f.get('mode', '—')} | "
                     f"{len(files[f['path']])} | {_FILE_TEXT[f['path']]} |")
    lines += [
        f"| `planted_defects.csv` | — | csv | — | {len(defects)} | the planted data-quality problems below, "
        "machine-readable (file, row, column, respondent, value, defect, expected_check) |",
        f"| `truth.csv` | — | csv | — | {len(truth)} | the population values of the main indicators, from the "
        "generator's latent truth (see *The truth* below) |",
        "| `enterprise_frame.csv` | — | csv | — | 105 | SYNTHETIC enterprise frame (sector × size band counts) the "
        "employers are weighted to; a real cohort gets it from the statistics office's business register "
        "(docs/employers.md) |",
        "",
        "Rows are counted as a spreadsheet user sees them: the header is row 1 and the first data row is row 2 "
        "(in the entry workbook the first data row is row 3). The same list as YAML for "
        f"`cohorts/{cohort}.yaml` is `analysis.demo.synthetic.DEMO_FILES`.",
        "",
        "## The cohort at a glance (as drawn, before the planted defects)",
        "",
        f"- {s['graduates']:,} graduates of June {year} in 8 faculties and {len(sizes)} programmes: "
        + ", ".join(f"{v} {k}" for k, v in levels.items())
        + f"; programme sizes {min(sizes.values())}–{max(sizes.values())}; "
        f"{s['state_share']:.0%} state-funded, the rest fee-paying (contract).",
        f"- Phase 1 (exit survey): {s['phase1_rate']:.1%} of graduates answered.",
        f"- Phase 2 (nine months, March–April {year + 1}): {s['phase2_rate']:.1%} answered — online "
        f"{s['phase2_online_share']:.0%}, phone {s['phase2_phone_share']:.0%}, paper {s['phase2_paper_share']:.0%} "
        "of the answers. Phase-1 respondents who agreed to be contacted answer more often; answering also depends "
        "on programme, sex, the phase-1 job status, plan and satisfaction, and on being abroad — so "
        "non-response is informative, as in real cohorts.",
        f"- Employed (ILO, 19th ICLS: worked ≥ 1 hour for pay or profit, helped in a family business, or "
        f"temporarily absent) among consenting phase-2 respondents: {s['employment_rate']:.1%} "
        f"({s['employment_rate_all']:.1%} of all graduates as drawn). The model makes it higher for medicine, "
        "nursing, IT, the master's programmes and state-funded graduates, lower for some humanities and for "
        "women caring for young children.",
        f"- Median reported net monthly income {s['median_income']:,.0f} KGS among those who gave an amount "
        "(unpaid family workers excluded; Jalal-Abad oblast average wage in "
        f"2025: 34,633 som, NSC, excl. small enterprises); abroad (Russia, Kazakhstan, Türkiye, Korea, …) "
        f"{s['median_income_abroad']:,.0f} KGS, mostly informal manual jobs. {s['income_band_share']:.0%} of "
        "the employed gave an income band or refused instead of an amount.",
        "",
        "## How the data are drawn",
        "",
        "Per graduate (`src/analysis/demo/synthetic.py`): programme sizes from ~8 (master's) to ~150 (medicine, "
        "nursing); "
        "sex, funding and home rayon by programme and population; further study (master's after a bachelor's, "
        "residency after medicine, a bachelor's after college); then the labour status nine months after "
        "graduation from a logistic model (programme group, funding, GPA, sex, young children, conscription); "
        "for the employed: work abroad, self-employment, unpaid family work in agriculture, paid internships, "
        "temporary absence; an occupation (ISCO-08 unit group) in or outside the field of study, its ГКЭД "
        "section, employer type, contract and Social Fund contributions, hours (part-time teaching loads, long "
        "weeks abroad) and net income (lognormal around occupation medians). Answers follow the XLSForms' skip "
        "logic. Phase-1 answers (plan, job status, worked during studies) are consistent with what later "
        "happened, with noise. Competences at graduation and required in the job differ most for foreign "
        "languages, ICT, problem solving and working under pressure. Open answers are short Kyrgyz and Russian "
        "phrases. Kobo and ODK meta columns (`_uuid`, `_submission_time`, `KEY`, `SubmissionDate`, …) are "
        "seeded too.",
        "",
        "## Planted defects",
        "",
        "A small share of rows carry one deliberate problem each; validation must find every one of them "
        "(row = spreadsheet row):",
        "",
        "| # | file | row | column | respondent | value | defect | expected check |",
        "|---:|---|---:|---|---|---|---|---|",
    ]
    for i, d in enumerate(defects, start=1):
        value = f"`{d.value}`" if d.value else "(empty)"
        lines.append(f"| {i} | `{d.file}` | {d.row} | `{d.column}` | {d.respondent} | {value} | {d.defect} | "
                     f"{d.expect} |")
    lines += [
        "",
        "`respondent` is the graduate's true student id (where the id itself was mistyped, `value` shows what "
        "the file holds). The registry is clean. The phase-1 row with a mistyped id leaves its graduate "
        "without a phase-1 answer; the phone row with a mistyped id leaves its graduate without a phase-2 answer.",
        "",
    ]
    lines += _readme_truth(s, truth)
    return "\n".join(lines)


_TRUTH_TEXT = {
    "employment_rate": "employed (ILO) ÷ all graduates",
    "unemployment_rate": "unemployed (ILO) ÷ graduates in the labour force",
    "labour_force_participation_rate": "employed or unemployed ÷ all graduates",
    "further_study_rate": "full-time further study (not a short course) ÷ all graduates",
    "job_within_6_months_share": "first job within 6 months of graduation ÷ graduates with a known time "
                                 "(further study without a job and unknown times left out)",
    "horizontal_match_subjective_rate": "own rating of the field match 4 or 5 ÷ the employed",
    "median_monthly_income": "median net pay of full-time paid work (KGS per month), every amount known",
}


def _readme_truth(s: dict[str, float], truth: list[dict[str, Any]]) -> list[str]:
    """The README section on ``truth.csv``."""
    lines = [
        "## The truth (`truth.csv`)",
        "",
        "What the main indicators would show if every graduate had answered, truthfully: their population "
        f"values over all {s['graduates']:,} graduates of the registry, computed from the generator's latent "
        "state of each graduate (`_Graduate.status`, the kind of job, hours, pay, …) — never from the survey "
        "files, so non-respondents count and the planted defects do not. Compare a pipeline estimate "
        "(`data/processed/COHORT/results/estimates.parquet`, same `indicator`, `domain` and `group`) with it: "
        "the difference is non-response bias plus sampling error (and, for income, the amounts withheld).",
        "",
        "Columns: `indicator` (the registry id, `docs/indicators.md`), `domain` (`all`, `faculty`, `sex`), "
        "`group` (`all`, the faculty code, `female`/`male`), `N` (graduates the value is computed over: the "
        "indicator's universe with the variable known) and `value` (a share between 0 and 1, or KGS per "
        "month, net).",
        "",
        "Definitions are exactly the registry's (universe, numerator, statistic, `src/analysis/definitions/"
        "indicators.yaml`, applied by the pipeline's own evaluator), with the default derive parameters the "
        "demo cohort uses (40-hour full-time week, 6 months, no income trimming). Where the registry's "
        "universe is *phase-2 respondents*, the truth's is **every graduate**, since in truth every graduate "
        "has a labour status. The details the generator settles only when it writes a phase-2 answer "
        "(search and availability of the not employed, full-time enrolment, hours, pay, the own 1–5 rating "
        "of the field match) are drawn for the graduates who did not answer from a random stream of their "
        "own, so the survey files do not change. The reference date is the graduate's phase-2 survey date, "
        f"else {TRUTH_REFERENCE_DATE.isoformat()}.",
        "",
        "A test (`tests/unit/test_demo.py`) proves the mapping from latent state to indicator: for the "
        "phase-2 respondents without a planted defect, the truth equals what `derive_graduates` makes of "
        "their validated answers for at least 99 % of them; the exceptions are listed there (the amounts "
        "withheld by design: an income band or a refusal instead of the amount).",
        "",
        "| indicator | what | N | all graduates |",
        "|---|---|---:|---:|",
    ]
    for r in truth:
        if r["domain"] != "all":
            continue
        v = r["value"]
        shown = "—" if v is None else (f"{v:.1%}" if r["unit"] == "share" else f"{v:,.0f} KGS")
        lines.append(f"| `{r['indicator']}` | {_TRUTH_TEXT[r['indicator']]} | {r['N']:,} | {shown} |")
    lines.append("")
    return lines
