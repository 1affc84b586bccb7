"""The population model of the synthetic demo cohort: its parameters, the seeded draws and each graduate's life course.

Every person here is fictitious. Per programme of ``definitions/programmes.csv``: its base size, share of women,
share state-funded and outcome group (:data:`PROGRAMME_PARAMS`); the occupations (ISCO-08 unit groups, with
their ГКЭД / NACE Rev.2 sections and pay medians in KGS net per month, :data:`JOBS`) in and outside the field of
study; the rayons and oblasts. :class:`Rand` is the seeded random stream every draw of the generator goes
through; :class:`Graduate` holds one graduate's registry row and latent state; :func:`draw_outcomes` draws the
true situation nine months after graduation (ILO labour status, 19th ICLS 2013; further study; the job).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from analysis.core.paths import DEFINITIONS

# ----------------------------------------------------------------------------- programme parameters
# base size (graduates in a 2,000 cohort), share of women, share state-funded, outcome group
PROGRAMME_PARAMS: dict[str, tuple[int, float, float, str]] = {
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
JOBS: dict[str, tuple[str, str, dict[str, float], int]] = {
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
PART_TIME_JOBS = {"2330", "2341", "2353", "2359", "2310", "3422", "5312"}  # teaching loads in hours

# ----------------------------------------------------------------------------- places
RAYONS = {  # Jalal-Abad oblast: weights ~ population (kg-open/jalal_abad_rayons.csv)
    "suzak": 30, "bazar_korgon": 18, "nooken": 14, "aksy": 11, "ala_buka": 9, "toktogul": 8,
    "toguz_toro": 2, "chatkal": 2, "jalal_abad_city": 16, "kara_kul_city": 2, "mailuu_suu_city": 2,
    "tash_komur_city": 3,
}
REMOTE_RAYONS = {"chatkal", "toguz_toro", "toktogul", "ala_buka", "aksy"}
HOME_OBLAST = {"jalal_abad": 0.86, "osh_oblast": 0.07, "batken": 0.03, "osh_city": 0.01, "naryn": 0.01,
               "talas": 0.01, "chui": 0.005, "bishkek": 0.005}
WORK_OBLAST = {"jalal_abad": 0.76, "bishkek": 0.11, "osh_city": 0.05, "osh_oblast": 0.04, "chui": 0.02,
               "batken": 0.01, "naryn": 0.01}

#: reference date of graduates who were never surveyed in phase 2 (mid-fieldwork)
TRUTH_REFERENCE_DATE = date(2026, 4, 1)


# ============================================================================= random helpers
class Rand:
    """A thin wrapper of :class:`numpy.random.Generator` with the few draws the generator needs."""

    def __init__(self, seed: int, stream: int) -> None:
        self.g = np.random.default_rng(np.random.SeedSequence([int(seed), int(stream)]))

    def u(self) -> float:
        """A uniform number in [0, 1)."""
        return float(self.g.random())

    def p(self, prob: float) -> bool:
        """True with probability ``prob`` (one uniform draw)."""
        return self.g.random() < prob

    def pick(self, seq: Any) -> Any:
        """One element of ``seq``, each equally likely."""
        return seq[int(self.g.integers(len(seq)))]

    def weighted(self, weights: dict[str, float]) -> str:
        """One key of ``weights``, with probability proportional to its weight (one uniform draw)."""
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
        """A normal draw of mean ``mu`` and standard deviation ``sd``."""
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
        """``n`` random bytes as ``2 n`` lower-case hexadecimal digits."""
        return "".join(f"{int(b):02x}" for b in self.g.integers(0, 256, size=n))

    def uuid4(self) -> str:
        """A random (version 4) UUID made from this stream, so it is reproducible."""
        h = list(self.hexstr(16))
        h[12] = "4"
        h[16] = "89ab"[int(h[16], 16) % 4]
        s = "".join(h)
        return f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}"


def scale(r: Rand, mu: float, sd: float = 0.8) -> str:
    """A 1–5 answer around ``mu``."""
    return str(min(5, max(1, round(r.normal(mu, sd)))))


def logit(p: float) -> float:
    """The log-odds of a probability ``p`` (0 < p < 1)."""
    return math.log(p / (1 - p))


def expit(x: float) -> float:
    """The probability of log-odds ``x`` (the inverse of :func:`logit`)."""
    return 1 / (1 + math.exp(-x))


def planted_shift(effects: Mapping[str, float] | None, outcome: str, reg: dict[str, str]) -> float:
    """The planted logit shift of ``outcome`` for one graduate: the sum of ``effects["OUTCOME:all"]``,
    ``effects["OUTCOME:faculty:F"]`` and ``effects["OUTCOME:programme:P"]`` that apply (0 without effects).
    Used by the trend scenarios (:mod:`analysis.demo.trends`) to plant changes between demo cohorts."""
    if not effects:
        return 0.0
    keys = (f"{outcome}:all", f"{outcome}:faculty:{reg['faculty']}", f"{outcome}:programme:{reg['programme']}")
    return float(sum(effects.get(k, 0.0) for k in keys))


def _month_add(d: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``d`` (negative: before)."""
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


# ============================================================================= the graduate
@dataclass
class Graduate:
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
    # reference-week details settled with the phase-2 answers (or by complete_latent for everyone else):
    # search (sought, available, future start), study_full_time, hours, work_oblast, income,
    # horizontal_match (1–5), and survey_date for those surveyed
    extra: dict[str, Any] = field(default_factory=dict)


def programmes() -> list[dict[str, str]]:
    """The rows of ``definitions/programmes.csv`` (programme, faculty, level, …), in file order."""
    path = DEFINITIONS / "programmes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def allocate(n: int, sizes: dict[str, int]) -> dict[str, int]:
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


# ============================================================================= nine months later
def draw_outcomes(r: Rand, grads: list[Graduate], effects: Mapping[str, float] | None = None) -> None:
    """Draw each graduate's true situation at the phase-2 reference week (ILO 19th ICLS categories);
    ``effects`` shift the employment logit (:func:`planted_shift`, outcome ``employment``)."""
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
        x = logit(base) + (0.45 if state else -0.1) + 0.35 * (gpa - 3.25) + (0.2 if not female else 0.0)
        if reg["home_oblast"] != "jalal_abad":
            x -= 0.15
        if studying:
            x = logit({"residency": 0.62, "master": 0.5, "bachelor": 0.42, "phd": 0.8, "course": 0.55}[study_level])
        if young_children:
            x -= 2.2
        if conscript:
            x = -4.0
        x += planted_shift(effects, "employment", reg)
        employed = r.p(expit(x))
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


def _job(r: Rand, g: Graduate) -> None:
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
