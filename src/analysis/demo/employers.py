"""The employer survey of the synthetic demo cohort: fictitious employers of Jalal-Abad oblast and their answers.

Legal entities and individual entrepreneurs by ГКЭД section (NACE Rev.2) and size band, with staff, graduates
employed, needs for the next three years, vacancies, the competences they rate and their recruitment channels
(the employer instrument's items 1–9). Open answers are short Kyrgyz and Russian phrases.
"""

from __future__ import annotations

from analysis.demo.population import RAYONS, Rand, scale
from analysis.derive.match import COMPETENCES

EMPLOYER_COLUMNS = (
    "employer_id", "respondent_type", "legal_form", "sector", "sector_text", "rayon", "size_band",
    "staff_women", "staff_men", "grads_higher", "grads_vocational", "need_3y_specialty",
    "need_3y_profession", "need_3y_n", "need_3y_women", "need_3y_men", "ready_to_train",
    "curriculum_suggestions", "vacancies_n", "vacancy_isco", "hard_to_fill_n", "hard_to_fill_reasons",
    "skills_gap", *(f"rate_{c}" for c in COMPETENCES), "recruit_channels", "internships_offered",
    "internships_n",
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


def draw_employers(seed: int, n: int) -> list[dict[str, str]]:
    """~150 employers of Jalal-Abad oblast (legal entities and individual entrepreneurs), source items 1–9."""
    r = Rand(seed, 21)
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
        a["rayon"] = r.weighted({**RAYONS, "jalal_abad_city": 30})
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
            a[f"rate_{c}"] = scale(r, level + _EMP_RATE_SHIFT[c], 0.7)
        a["recruit_channels"] = " ".join(r.sample(
            {"employment_service": 0.12, "internet": 0.14, "social_media": 0.2, "relatives": 0.28, "university": 0.12,
             "job_fair": 0.06, "other": 0.08}, r.int(1, 3)))
        offers = r.p(0.2 if ie else 0.55)
        a["internships_offered"] = "yes" if offers else "no"
        if offers:
            a["internships_n"] = str(r.int(1, max(2, staff // 8)))
        rows.append(a)
    return rows
