"""The graduates' survey answers in the synthetic demo cohort: who answers, when, how, and what.

:func:`fieldwork` draws the phase-1 response (exit survey, docs/variables.md §2) and the phase-2 response,
mode and date (nine-month follow-up, §3), and writes each respondent's answers from the latent state of
:mod:`analysis.demo.population`, following the instruments' skip logic and the ILO question sequence (19th
ICLS 2013). :func:`complete_latent` draws the same reference-week details (search, enrolment, hours, oblast,
pay in KGS net per month, field match) for the graduates who did not answer, from a stream of their own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta

from analysis.demo.people import mobile_number
from analysis.demo.population import (
    JOBS,
    PART_TIME_JOBS,
    PROGRAMME_PARAMS,
    RAYONS,
    REMOTE_RAYONS,
    TRUTH_REFERENCE_DATE,
    WORK_OBLAST,
    Graduate,
    Rand,
    expit,
    logit,
    planted_shift,
    scale,
)
from analysis.derive.graduates import P1_ITEMS, P2_ITEMS
from analysis.derive.match import COMPETENCES
from analysis.derive.transition import DAYS_PER_MONTH

PHASE1_COLUMNS = P1_ITEMS
PHASE2_COLUMNS = P2_ITEMS

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


# ============================================================================= the answers
_COMP_GRAD_SHIFT = {"ethics": 0.45, "field_knowledge": 0.2, "foreign_language": -0.8, "ict": -0.3,
                    "communication": 0.2, "teamwork": 0.4, "self_development": 0.1, "critical_thinking": -0.1,
                    "problem_solving": -0.2, "research": -0.3, "time_management": 0.0, "pressure": -0.1}
_COMP_JOB_SHIFT = {"ethics": 0.6, "field_knowledge": 0.55, "foreign_language": 0.0, "ict": 0.5,
                   "communication": 0.65, "teamwork": 0.5, "self_development": 0.35, "critical_thinking": 0.2,
                   "problem_solving": 0.6, "research": -0.7, "time_management": 0.55, "pressure": 0.7}


def _plan_of(g: Graduate) -> str:
    """The phase-1 plan most consistent with what later happened."""
    if g.status == "employed":
        if g.abroad:
            return "work_abroad"
        return "work_and_study" if g.study_level else "work"
    return {"study": "further_study", "military": "military", "family_care": "family"}.get(g.status, "work")


def _phase1_answers(r: Rand, g: Graduate) -> dict[str, str]:
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
        a["internship_relevant"] = scale(r, 3.6 + g.satisfaction * 0.5)
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
    a["sat_studies"] = scale(r, mood)
    a["sat_services"] = scale(r, mood - 0.5)
    a["eval_content"] = scale(r, mood - 0.1)
    a["eval_practical"] = scale(r, mood - 0.6)
    a["eval_teachers"] = scale(r, mood + 0.2)
    a["eval_equipment"] = scale(r, mood - 0.8)
    a["eval_overall"] = scale(r, mood, 0.6)
    for c in COMPETENCES:
        shift = _COMP_GRAD_SHIFT[c] + (0.6 if c == "ict" and g.group == "it" else 0.0) + (
            0.9 if c == "foreign_language" and reg["programme"].startswith("PHIL-ENG") else 0.0)
        a[f"comp_grad_{c}"] = scale(r, 3.5 + g.ability + shift, 0.7)
    if r.p(0.09):
        a["email_new"] = reg["email"].split("@")[0] + str(r.int(1, 9)) + "@gmail.com" if reg["email"] else ""
    if r.p(0.07):
        a["phone_new"] = mobile_number(r)
    a["consent_phase2"] = "yes" if r.p(0.9) else "no"
    return a


def _income(r: Rand, g: Graduate, hours: int) -> int:
    """Monthly net pay in KGS: lognormal around the job's median; abroad ~50–90 thousand."""
    if g.emp_kind == "family_worker":
        return 0
    if g.abroad:
        median, sd = (66000 if g.abroad in ("KR", "AE", "DE", "US") else 57000), 0.18
    else:
        median, sd = JOBS[g.job][3], 0.28
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
    """The income-band code of a monthly net income in KGS (phase-2 ``income_band``)."""
    for hi, code in ((5000, "lt5k"), (10000, "5_10k"), (15000, "10_15k"), (20000, "15_20k"), (30000, "20_30k"),
                     (50000, "30_50k")):
        if income < hi:
            return code
    return "gt50k"


# The draws below are the graduate's situation in the reference week that the generator settles only
# when it writes the phase-2 answers (a respondent's answers report them truthfully). Each helper
# records its draw in ``g.extra`` — the latent truth of :func:`analysis.demo.synthetic.graduate_truth` —
# and takes exactly the random numbers the answers always took, so the demo files do not change. Graduates who never
# answer get the same draws from a stream of their own (:func:`complete_latent`).
def _draw_search(r: Rand, g: Graduate) -> tuple[str, str, str]:
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


def _draw_study_full_time(r: Rand, g: Graduate) -> bool:
    """A student's enrolment is full-time (one draw): 85 % of those without a job, 30 % of the employed."""
    employed = g.status == "employed"
    full = bool((not employed and r.p(0.85)) or (employed and r.p(0.3)))
    g.extra["study_full_time"] = full
    return full


def _draw_hours(r: Rand, g: Graduate) -> int:
    """Usual weekly working hours of an employed graduate."""
    if g.abroad:
        hours = r.int(48, 72)
    elif g.job in PART_TIME_JOBS and r.p(0.45):
        hours = r.pick((18, 18, 20, 24, 27, 30, 36))
    elif g.emp_kind == "family_worker":
        hours = r.int(10, 50)
    elif r.p(0.1):
        hours = r.int(8, 30)
    else:
        hours = int(r.weighted({"40": 0.62, "36": 0.06, "42": 0.06, "45": 0.08, "48": 0.1, "50": 0.05, "60": 0.03}))
    g.extra["hours"] = int(hours)
    return int(hours)


def _draw_work_oblast(r: Rand, g: Graduate) -> str:
    """Oblast of the job of a graduate employed in Kyrgyzstan (it raises pay in Bishkek)."""
    oblast = g.reg["home_oblast"] if r.p(0.5) else r.weighted(WORK_OBLAST)
    g.extra["work_oblast"] = oblast
    return oblast


def _draw_horizontal_match(r: Rand, g: Graduate) -> str:
    """The graduate's own rating (1–5) of how closely the job is related to the field of study."""
    horiz = scale(r, 4.4, 0.6) if g.matched else scale(r, 1.8, 0.8)
    g.extra["horizontal_match"] = int(horiz)
    return horiz


def _phase2_answers(r: Rand, g: Graduate, survey: date) -> dict[str, str]:
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
        job_ky, job_ru, sectors, _ = JOBS[g.job]
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
                    {**RAYONS, "jalal_abad_city": 40})
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
            a[f"comp_job_{c}"] = scale(r, 3.5 + shift, 0.8)
        pay_term = 0.3 * math.log(max(income, 5000) / 18000)
        a["job_satisfaction"] = scale(r, 2.3 + 0.32 * int(horiz) + pay_term + 0.3 * g.satisfaction)
        a["usefulness"] = scale(r, 1.2 + 0.65 * int(horiz), 0.6)
    a["need_more_education"] = "yes" if r.p(0.42 if not g.study_level else 0.2) else "no"
    if r.p(0.55):
        a["strengths"] = r.pick(_STRENGTHS)
    if r.p(0.45):
        a["weaknesses"] = r.pick(_WEAKNESSES)
    if r.p(0.4):
        a["suggestions"] = r.pick(_SUGGESTIONS)
    return a


# ============================================================================= who answers, when, how
def fieldwork(seed: int, grads: list[Graduate], year: int = 2025,
              effects: Mapping[str, float] | None = None, months: int = 9) -> None:
    """Phase-1 response (~85%), phase-2 response (~55%, depending on phase 1), phase-2 mode and date
    (March–April of ``year`` + 1); ``effects`` shift the phase-2 response logit (outcome ``response_p2``).
    A later follow-up (``months`` ≠ 9) draws who answers from streams of its own and moves the fieldwork by
    ``months`` − 9 months."""
    r1, r2 = (Rand(seed, 11), Rand(seed, 12)) if months == 9 else (Rand(seed, 11 + 100 * months),
                                                                 Rand(seed, 12 + 100 * months))
    later = timedelta(days=round((months - 9) * DAYS_PER_MONTH))
    prog_effect = {code: r2.normal(0, 0.3) for code in PROGRAMME_PARAMS}
    for g in grads:
        reg = g.reg
        x = logit(0.845) + (0.3 if reg["funding"] == "state" else 0.0) + 0.5 * (float(reg["gpa"]) - 3.25)
        x += 0.5 if reg["level"] == "master" else 0.0
        x -= 0.4 if reg["home_oblast"] != "jalal_abad" else 0.0
        if r1.p(expit(x)):
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
        x += planted_shift(effects, "response_p2", reg)
        if months != 9:
            g.extra["reference_date"] = TRUTH_REFERENCE_DATE.replace(year=year + 1) + later
        if not r2.p(expit(x)):
            continue
        if g.abroad:
            mode = r2.weighted({"online": 0.85, "phone": 0.15})
        elif reg["home_rayon"] in REMOTE_RAYONS:
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


def complete_latent(r: Rand, grads: list[Graduate]) -> None:
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
