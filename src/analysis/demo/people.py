"""The fictitious people of the synthetic demo cohort: names, phones, e-mails, handles, and the registry draw.

Names come from short lists of Kyrgyz, Uzbek and Russian first names, fathers' names and surnames (forms
agreeing with sex); e-mail logins and social-network handles are transliterated from them; phone numbers use
Kyrgyz mobile prefixes (:data:`MOBILE_PREFIXES`) with random digits. :func:`draw_registry` draws the
registrar's list of all graduates (one :class:`analysis.demo.population.Graduate` each).
"""

from __future__ import annotations

from datetime import date, timedelta

from analysis.demo.population import (
    HOME_OBLAST,
    PROGRAMME_PARAMS,
    RAYONS,
    Graduate,
    Rand,
    allocate,
    programmes,
)

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
MOBILE_PREFIXES = ("550", "551", "552", "555", "556", "557", "559", "700", "701", "702", "703", "705",
                   "706", "707", "708", "709", "770", "771", "772", "773", "775", "777", "778", "779",
                   "990", "995", "996", "997", "998", "999", "220", "221", "222", "224", "227")


def _translit(s: str) -> str:
    """Lower-case Latin transliteration of a Kyrgyz/Russian name (for e-mail logins and handles)."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in s.lower())


def mobile_number(r: Rand) -> str:
    """A random Kyrgyz mobile number in E.164 form: ``+996``, a mobile prefix, 6 digits."""
    return "+996" + r.pick(MOBILE_PREFIXES) + f"{r.int(0, 999999):06d}"


def _name(r: Rand, female: bool) -> tuple[str, str, str, str]:
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


def draw_registry(r: Rand, n: int, year: int = 2025) -> list[Graduate]:
    """The registrar's list of ``n`` fictitious graduates of June ``year`` over the programmes.

    Programme sizes by :func:`analysis.demo.population.allocate`; per graduate sex, name, student id, age and
    date of birth, graduation date, GPA (2–4), funding, home oblast and rayon, e-mail, phones, social network
    and a parent's name and phone; sorted by programme, full name and student id.
    """
    progs = programmes()
    sizes = allocate(n, {p["programme"]: PROGRAMME_PARAMS[p["programme"]][0] for p in progs})
    used_ids: set[str] = set()
    grads: list[Graduate] = []
    enrol_year = {k: v + year - 2025 for k, v in {"bachelor": 21, "specialist": 19, "master": 23,
                                                  "college": 22}.items()}  # prefixes move with the year
    for p in progs:
        code, level, faculty = p["programme"], p["level"], p["faculty"]
        _, p_female, p_state, group = PROGRAMME_PARAMS[code]
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
            oblast = r.weighted(HOME_OBLAST)
            rayon = r.weighted(RAYONS) if oblast == "jalal_abad" else ""
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
                "phone_mobile": mobile_number(r),
                "phone_landline": f"+9963722{r.int(20000, 79999)}" if r.p(0.12) else "",
                "social_network": network,
                "social_handle": handle,
                "parent_name": parent,
                "parent_phone": mobile_number(r) if r.p(0.95) else "",
            }
            g = Graduate(reg=reg, group=group, age=age_i)
            g.ability = r.normal(0, 0.5) + (gpa - 3.25) * 0.6
            g.satisfaction = r.normal(0, 0.6)
            grads.append(g)
    grads.sort(key=lambda g_: (g_.reg["programme"], g_.reg["full_name"], g_.reg["student_id"]))
    return grads
