"""Ingestion notices as structured records, with their messages in Kyrgyz, Russian and English.

Every reader reports what it fixed or noticed through :meth:`analysis.ingest.context.ReadContext.note`
with a **kind** (a key of :data:`KINDS`) and the values of its placeholders. A notice then carries:

* ``file``, ``row`` (as a spreadsheet user sees it; ``None`` for the whole file), ``column``;
* ``kind`` and ``level``: ``info`` (an automatic fix, nothing lost), ``warning`` (something the
  checker must look at: answers dropped or set aside, an assumption made) or ``error`` (the run
  stops: :func:`analysis.ingest.cohort.check_cohort`);
* ``count`` — the answers (cells) or rows affected;
* the message and a suggestion in ky/ru/en (:func:`render`).

Stage 1 writes them to ``data/processed/COHORT/validated/notices.parquet``
(:data:`NOTICE_COLUMNS`, :func:`notice_records`); ``tracer run`` prints one line per notice,
notebook 01 and the report's data-quality section show them. Which notices stop a run is decided
in :mod:`analysis.ingest.cohort` and documented in ``docs/ingestion.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.i18n import LANGS, t

LEVELS: tuple[str, ...] = ("info", "warning", "error")

NOTICE_COLUMNS: tuple[str, ...] = (
    "file", "row", "column", "kind", "level", "count", "message_ky", "message_ru", "message_en",
    "suggestion_ky", "suggestion_ru", "suggestion_en",
)
"""Columns of ``validated/notices.parquet`` (one line per notice, in the order they were found)."""


@dataclass(frozen=True)
class Kind:
    """One kind of notice: its default level, message and (optional) suggestion per language."""

    level: str
    text: dict[str, str]
    suggestion: dict[str, str] | None = None


def _k(level: str, ky: str, ru: str, en: str, s_ky: str = "", s_ru: str = "", s_en: str = "") -> Kind:
    sug = {"ky": s_ky, "ru": s_ru, "en": s_en} if s_en else None
    return Kind(level, {"ky": ky, "ru": ru, "en": en}, sug)


FIXES: dict[str, dict[str, str]] = {
    "nfc": {"ky": "Юникод NFC түрүнө келтирилди", "ru": "Юникод приведён к NFC",
            "en": "Unicode normalised to NFC"},
    "strip": {"ky": "четтеги боштуктар алынды", "ru": "пробелы по краям удалены",
              "en": "surrounding whitespace stripped"},
    "collapse": {"ky": "ички кош боштуктар бирөө болду", "ru": "повторные пробелы внутри сжаты",
                 "en": "internal runs of spaces collapsed"},
    "whole_number": {"ky": "бүтүн сан «.0»сүз жазылды", "ru": "целое число записано без «.0»",
                     "en": "whole number written without '.0'"},
    "excel_date": {"ky": "Excel датасы ISO дата болуп жазылды", "ru": "дата Excel записана как дата ISO",
                   "en": "Excel date written as ISO date"},
    "excel_datetime": {"ky": "Excel дата-убактысы ISO текст болуп жазылды",
                       "ru": "дата-время Excel записаны как текст ISO",
                       "en": "Excel date-time written as ISO text"},
    "iso_date": {"ky": "дата ISO дата болуп жазылды", "ru": "дата записана как дата ISO",
                 "en": "date written as ISO date"},
    "excel_serial": {"ky": "Excel датасынын сериялык номери ISO дата болуп жазылды",
                     "ru": "порядковый номер даты Excel записан как дата ISO",
                     "en": "Excel date serial written as ISO date"},
    "dayfirst": {"ky": "күн-ай-жыл түрүндөгү дата ISO дата болуп жазылды",
                 "ru": "дата в виде день-месяц-год записана как дата ISO",
                 "en": "day-first date (dd.mm.yyyy, dd/mm/yyyy) written as ISO date"},
    "monthfirst": {"ky": "ай-күн-жыл түрүндөгү дата ISO дата болуп жазылды",
                   "ru": "дата в виде месяц-день-год записана как дата ISO",
                   "en": "month-first date (mm/dd/yyyy) written as ISO date"},
    "date_time_dropped": {"ky": "датадагы убакыт алынып салынды", "ru": "время в дате отброшено",
                          "en": "time of day dropped from a date"},
}
"""The automatic cell fixes (kind ``cell_fix``), per language."""

KINDS: dict[str, Kind] = {
    # ---- cells and answers
    "cell_fix": _k("info", "{fix}: {n} уячада (биринчиси {first}-катарда)",
                   "{fix}: ячеек — {n} (первая в строке {first})",
                   "{fix}: {n} cell{s} (first at row {first})"),
    "lost_letters": _k("warning", "ң ө ү тамгалары жоголгон окшойт: {trace}",
                       "буквы ң ө ү, похоже, потеряны: {trace}",
                       "Kyrgyz letters ң ө ү seem lost: {trace}",
                       "файлды UTF-8 катары кайра сактаңыз", "пересохраните файл в UTF-8",
                       "re-export the file as UTF-8"),
    "labels_to_codes": _k("info", "{n} жооп коддун ордуна белги (label) менен берилген; коддорго которулду",
                          "ответов, данных подписями (а не кодами), переведено в коды: {n}",
                          "{n} answer{s} given as labels (not codes) mapped to codes"),
    "unmapped_answers": _k("warning", "{n} жооп тизменин эч бир кодуна же белгисине туура келбейт; "
                           "жазылгандай калды (текшерүү аларды көрсөтөт)",
                           "ответов, не совпадающих ни с кодом, ни с подписью списка: {n}; оставлены как есть "
                           "(проверка их покажет)",
                           "{n} answer{s_match} no code or label of the choice list; kept as written "
                           "(validation reports them)"),
    "labels_language": _k("info", "белгилер суроолордун аттарына жана коддорго {language} тилинен которулду "
                          "({counts})",
                          "подписи переведены в имена и коды с языка: {language} ({counts})",
                          "labels mapped back to names and codes from {language} ({counts} matches)"),
    "multi_odd_values": _k("warning", "«{question}» суроосунун вариант мамычаларында 1/0/бош эмес маанилер бар: "
                           "{values}", "в столбцах вариантов «{question}» значения, отличные от 1/0/пусто: {values}",
                           "option columns of '{question}' hold values other than 1/0/empty: {values}"),
    "multi_summary_empty": _k("warning", "жалпы мамыча бош, бирок вариант мамычаларында {codes} белгиленген; "
                              "жалпы мамыча (жооп жок) сакталды",
                              "сводный столбец пуст, но в столбцах вариантов отмечено {codes}; сохранён сводный "
                              "(нет ответа)",
                              "summary column is empty but option columns mark {codes}; the summary "
                              "(unanswered) is kept"),
    "multi_ambiguous": _k("warning", "{value!r} жообун бир нече варианттар тизмеси катары окууга болот; "
                          "жазылгандай калды", "ответ {value!r} читается как несколько наборов вариантов; "
                          "оставлен как есть", "answer {value!r} can be read as several option lists; kept as written"),
    "multi_disagree": _k("warning", "жалпы мамыча ({codes}) менен вариант мамычалары ({marked}) дал келбейт; "
                         "жалпы мамыча сакталды",
                         "сводный столбец ({codes}) и столбцы вариантов ({marked}) расходятся; сохранён сводный",
                         "summary '{codes}' and option columns ({marked}) disagree; the summary is kept"),
    "empty_rows": _k("info", "{n} толугу менен бош катар өткөрүлдү (маалымат эмес)",
                     "пропущено полностью пустых строк: {n} (не данные)",
                     "{n} completely empty row{s} skipped (not data)"),
    # ---- dates
    "date_order": _k("info", "«/» менен жазылган даталар {order} катары окулду: {why}",
                     "даты с «/» прочитаны как {order}: {why}",
                     "dates written with '/' read as {order}: {why}"),
    "date_ambiguous": _k("warning", "{n} дата күн-ай же ай-күн катары окулушу мүмкүн (биринчиси {first}-катарда: "
                         "{value!r}); текшерүү ар бирин эскертүү менен белгилеп, уячаны бошотот, катар сакталат",
                         "дат, читаемых и как день-месяц, и как месяц-день: {n} (первая в строке {first}: {value!r}); "
                         "проверка отметит каждую предупреждением и очистит ячейку, строка сохраняется",
                         "{n} date{s} can be read day-first or month-first (first at row {first}: {value!r}); "
                         "validation flags each one with a warning and empties the cell, the row is kept",
                         "когорта файлында бул файл үчүн dayfirst: true же false деп көрсөтүңүз",
                         "укажите для этого файла dayfirst: true или false в файле когорты",
                         "declare dayfirst: true or false for this file in the cohort file"),
    "date_unreadable": _k("warning", "дата суроосундагы {n} жоопту дата катары окууга болбойт (биринчиси "
                          "{first}-катарда: {value!r}); текшерүү эскертүү берип, уячаны бошотот, катар сакталат",
                          "ответов в вопросе-дате, которые не читаются как дата: {n} (первый в строке {first}: "
                          "{value!r}); проверка выдаст предупреждение и очистит ячейку, строка сохраняется",
                          "{n} answer{s} in a date question cannot be read as a date (first at row {first}: "
                          "{value!r}); validation warns and empties the cell, the row is kept",
                          "даталарды ЖЖЖЖ-АА-КК, КК.АА.ЖЖЖЖ же КК/АА/ЖЖЖЖ түрүндө жазыңыз",
                          "запишите даты как ГГГГ-ММ-ДД, ДД.ММ.ГГГГ или ДД/ММ/ГГГГ",
                          "write the dates as YYYY-MM-DD, dd.mm.yyyy or dd/mm/yyyy"),
    # ---- columns
    "blank_header": _k("warning", "{index}-мамычанын аталышы жок, бирок анда {n} маани бар; алынып салынды",
                       "у столбца {index} нет заголовка, но в нём значений: {n}; отброшен",
                       "column {index} has no header but {n} value(s); dropped",
                       "мамычага аталыш бериңиз же аны өчүрүңүз", "дайте столбцу заголовок или удалите его",
                       "give the column a header or delete it"),
    "unknown_column": _k("warning", "«{header}» мамычасы «{instrument}» анкетасынын суроосу эмес; алынып салынды "
                         "({n} жооп)", "столбец «{header}» не является вопросом анкеты «{instrument}»; отброшен "
                         "(ответов: {n})", "column '{header}' is not a question of '{instrument}'; dropped "
                         "({n} answer{s})"),
    "did_you_mean": _k("warning", "«{header}» мамычасы «{instrument}» анкетасынын суроосу эмес; алынып салынды "
                       "({n} жооп). «{question}» деп айткыңыз келдиби?",
                       "столбец «{header}» не является вопросом анкеты «{instrument}»; отброшен (ответов: {n}). "
                       "Вы имели в виду «{question}»?",
                       "column '{header}' is not a question of '{instrument}'; dropped ({n} answer{s}). "
                       "Did you mean '{question}'?",
                       "когорта файлында бул файлга renames: {{{header}: {question}}} кошуңуз (же renames: "
                       "{{{header}: ~}} — атайын алып салуу үчүн)",
                       "добавьте к этому файлу в файле когорты renames: {{{header}: {question}}} (или renames: "
                       "{{{header}: ~}}, чтобы отбросить намеренно)",
                       "add renames: {{{header}: {question}}} to this input in the cohort file (or renames: "
                       "{{{header}: ~}} to drop it on purpose)"),
    "option_not_in_list": _k("warning", "«{header}» мамычасы «{question}» суроосунун тизмесинде жок вариант; "
                             "жалпы мамыча колдонулду",
                             "столбец «{header}» — вариант «{question}», которого нет в списке; использован "
                             "сводный столбец",
                             "column '{header}' is an option of '{question}' that is not in its choice list; "
                             "the summary column is used"),
    "header_case": _k("info", "«{header}» аталышы «{question}» суроосу катары окулду (баш тамгага карабай)",
                      "заголовок «{header}» прочитан как вопрос «{question}» (без учёта регистра)",
                      "header '{header}' read as question '{question}' (ignoring case)"),
    "renamed_column": _k("info", "«{header}» мамычасы «{question}» суроосу катары окулду (когорта файлындагы "
                         "renames; {n} жооп)",
                         "столбец «{header}» прочитан как вопрос «{question}» (renames в файле когорты; "
                         "ответов: {n})",
                         "column '{header}' read as question '{question}' (renames in the cohort file; "
                         "{n} answer{s})"),
    "dropped_on_purpose": _k("info", "«{header}» мамычасы атайын алынып салынды ({how}; {n} жооп)",
                             "столбец «{header}» отброшен намеренно ({how}; ответов: {n})",
                             "column '{header}' dropped on purpose ({how}; {n} answer{s})"),
    "rename_unused": _k("warning", "renames: «{header}» мамычасы файлда жок", "renames: столбца «{header}» нет в файле",
                        "renames: column '{header}' is not in the file",
                        "когорта файлындагы renames текшериңиз", "проверьте renames в файле когорты",
                        "check renames in the cohort file"),
    "questions_absent": _k("info", "«{instrument}» анкетасынын {n} суроосу файлда жок жана бош калды: {names}",
                           "вопросов анкеты «{instrument}» нет в файле, они оставлены пустыми ({n}): {names}",
                           "{n} question(s) of '{instrument}' are not in the file and are left empty: {names}"),
    "not_asked": _k("info", "бул файлда берилбеген суроолор (not asked; жооп катары эч качан көрсөтүлбөйт, "
                    "аларга муктаж көрсөткүчтөр «өлчөнгөн эмес»): {names}",
                    "вопросы, не задававшиеся в этом файле (not asked; никогда не показываются как ответ, "
                    "показатели, которым они нужны, — «не измерено»): {names}",
                    "questions not asked in this file (never shown as an answer; indicators that need them are "
                    "'not measured'): {names}"),
    # ---- encodings, delimiters, workbooks
    "encoding_fallback": _k("info", "файл UTF-8 эмес; көрсөтүлгөндөй {encoding} катары окулду",
                            "файл не в UTF-8; прочитан как {encoding}, как указано",
                            "the file is not UTF-8; decoded as {encoding} as configured"),
    "encoding_single_byte": _k("warning", "файл UTF-8 эмес; көрсөтүлгөндөй {encoding} катары окулду (бир байттык "
                               "код барагы: ң ө ү тамгалары жоголбогонун текшериңиз)",
                               "файл не в UTF-8; прочитан как {encoding}, как указано (однобайтовая кодировка: "
                               "проверьте, что буквы ң ө ү не потеряны)",
                               "the file is not UTF-8; decoded as {encoding} as configured (single-byte code page: "
                               "check that no Kyrgyz letter was lost; re-save as UTF-8 when possible)",
                               "мүмкүн болсо, файлды UTF-8 катары кайра сактаңыз",
                               "по возможности пересохраните файл в UTF-8", "re-save the file as UTF-8 when possible"),
    "delimiter_detected": _k("info", "бөлгүч аныкталды: {delimiter} (аталыш сабында тырмакчадан тышкары эң көп "
                             "кездешкен ; , tab | белгиси)",
                             "разделитель определён: {delimiter} (самый частый из ; , tab | вне кавычек в строке "
                             "заголовка)",
                             "delimiter detected: {delimiter} (the most frequent of ; , tab | outside quotes in the "
                             "header line)"),
    "delimiter_unusual": _k("info", "бул экспортто платформанын {expected} бөлгүчү эмес, {delimiter} колдонулат; "
                            "табылгандай окулду",
                            "в этом экспорте разделитель {delimiter}, а не {expected} платформы; прочитан как есть",
                            "this export uses {delimiter}, not the platform's {expected}; read as found"),
    "zip_root": _k("info", "ZIP экспортунун негизги таблицасы «{root}» окулду ({n} кайталануучу таблица окулган жок)",
                   "прочитана корневая таблица «{root}» ZIP-экспорта (таблиц повторов не прочитано: {n})",
                   "read the root table '{root}' of the ZIP export ({n} repeat table(s) not read)"),
    "formula_no_value": _k("warning", "{ref} уячасында сакталган мааниси жок {formula} формуласы бар; формуланын "
                           "тексти калды", "в ячейке {ref} формула {formula} без сохранённого значения; оставлен "
                           "текст формулы",
                           "cell {ref} holds the formula {formula} with no saved value; kept as the formula text",
                           "формуланы анын мааниси менен алмаштырыңыз", "замените формулу её значением",
                           "replace the formula by its value"),
    "formula_cached": _k("info", "{ref} уячасында {formula} формуласы бар; Excel сактаган маани ({value}) алынды",
                         "в ячейке {ref} формула {formula}; взято значение, сохранённое Excel ({value})",
                         "cell {ref} holds the formula {formula}; the value Excel saved ({value}) was taken"),
    "workbook_no_meta": _k("info", "жумушчу китепте _meta барагы жок; аталыш биринчи барактын 1-сабынан окулду",
                           "в книге нет листа _meta; заголовок прочитан из строки 1 первого листа",
                           "the workbook has no _meta sheet; header read from row 1 of the first sheet "
                           "(was it made with 'tracer template'?)"),
    "workbook_version": _k("info", "жумушчу китеп анкетанын {version} версиясы үчүн жасалган; азыр версия "
                           "{current} (мамычалар аты боюнча дал келтирилет)",
                           "книга сделана для версии анкеты {version}; сейчас версия {current} (столбцы "
                           "сопоставляются по имени)",
                           "the workbook was made for form version {version}; the questionnaire is now version "
                           "{current} (columns are matched by name)"),
    "workbook_label_row": _k("info", "{first}-сапта суроолордун тексттери турат (жумушчу китептин белги сабы); "
                             "маалымат эмес", "в строке {first} тексты вопросов (строка подписей книги); не данные",
                             "row {first} holds the question texts (the entry workbook's label row); not data"),
    "spss_label_match": _k("info", "«{variable}» өзгөрмөсү анын белгиси {label!r} боюнча табылды",
                           "переменная «{variable}» сопоставлена по своей метке {label!r}",
                           "variable '{variable}' matched by its variable label {label!r}"),
    "spss_values_mapped": _k("info", "{n} маани SPSS маани белгилери аркылуу коддорго которулду",
                             "значений, переведённых в коды через метки значений SPSS: {n}",
                             "{n} value(s) mapped to codes through their SPSS value labels"),
    "spss_labels_language": _k("info", "SPSS маани белгилери коддорго которулду: {counts}",
                               "метки значений SPSS переведены в коды: {counts}",
                               "SPSS value labels mapped to codes from {counts} labels"),
    "bad_mode": _k("warning", "{value!r} режими {modes} эмес; көрсөтүлгөн {mode!r} режими колдонулду",
                   "режим {value!r} не из {modes}; использован указанный режим {mode!r}",
                   "mode {value!r} is not one of {modes}; the declared mode {mode!r} is used"),
    "mode_mismatch": _k("info", "{n} катарда «{row_mode}» режими жазылган, ал эми файл «{mode}» деп көрсөтүлгөн; "
                        "катардын өз режими сакталды",
                        "строк с режимом «{row_mode}», хотя файл указан как «{mode}»: {n}; сохранён режим строки",
                        "{n} row(s) say mode '{row_mode}' although the file is declared '{mode}'; the row's own "
                        "mode is kept"),
    "mode_not_declared": _k("info", "чогултуу режими көрсөтүлгөн эмес; _mode бош калды",
                            "режим сбора не указан; _mode оставлен пустым",
                            "collection mode not declared; _mode left empty (declare mode: online/phone/paper)"),
    # ---- legacy mappings
    "mapping_columns_missing": _k("warning", "{mapping} картасы: {columns} мамыча(лар)ы файлда жок",
                                  "карта {mapping}: столбцов {columns} нет в файле",
                                  "mapping {mapping}: column(s) {columns} not in the file"),
    "mapping_values_unused": _k("warning", "{mapping} картасы: «{question}» үчүн маанилер берилген, бирок ал "
                                "мамыча эмес", "карта {mapping}: значения заданы для «{question}», которого нет "
                                "среди столбцов", "mapping {mapping}: values given for '{question}', which is not a "
                                "column after renaming"),
    "values_recoded": _k("info", "{n} маани карта боюнча кайра коддолду", "значений перекодировано по карте: {n}",
                         "{n} value(s) recoded by the mapping"),
    "constant_ignored": _k("warning", "{mapping} картасы: «{question}» үчүн туруктуу маани эске алынган жок, "
                           "файлда ал мамыча бар", "карта {mapping}: константа для «{question}» не применена, "
                           "в файле есть этот столбец", "mapping {mapping}: constant for '{question}' ignored, the "
                           "file has that column"),
    "constant_set": _k("warning", "карта ар бир катарга {value!r} туруктуу маанисин койду — бул жооп эмес, "
                       "божомол; отчетто маалымат катары көрүнөт",
                       "карта поставила константу {value!r} в каждую строку — это не ответ, а допущение; "
                       "в отчёте она видна как данные",
                       "constant value {value!r} set on every row by the mapping — an assumption, not an answer; "
                       "the report shows it as data",
                       "суроо берилбесе, аны not_asked тизмесине жазыңыз",
                       "если вопрос не задавался, внесите его в список not_asked",
                       "if the question was not asked, list it under not_asked instead"),
    "question_derived": _k("info", "«{question}» суроосу «{source}» мамычасынан карта боюнча алынды ({n} жооп)",
                           "вопрос «{question}» получен из столбца «{source}» по карте (ответов: {n})",
                           "question '{question}' derived from column '{source}' by the mapping ({n} answer{s})"),
    "row_id_generated": _k("info", "катардын идентификатору «{id_column}» {source} боюнча түзүлдү (мисалы, {example})",
                           "идентификатор строки «{id_column}» создан из: {source} (например, {example})",
                           "row id '{id_column}' generated from {source} (e.g. {example})"),
    "covariate": _k("info", "«{header}» мамычасы «{name}» кошумча өзгөрмө ({type}) катары сакталды ({n} маани)",
                    "столбец «{header}» сохранён как дополнительная переменная «{name}» ({type}; значений: {n})",
                    "column '{header}' carried as covariate '{name}' ({type}; {n} value{s})"),
    "covariate_invalid": _k("warning", "«{name}» өзгөрмөсүнүн {n} мааниси {type} эмес; бошотулду (биринчиси "
                            "{first}-катарда: {value!r})",
                            "значений переменной «{name}», не являющихся {type}: {n}; очищены (первое в строке "
                            "{first}: {value!r})",
                            "{n} value{s} of covariate '{name}' are not {type}: emptied (first at row {first}: "
                            "{value!r})",
                            "картадагы түрүн же файлдагы маанилерди текшериңиз",
                            "проверьте тип в карте или значения в файле",
                            "check the type in the mapping or the values in the file"),
    # ---- the cohort as a whole (analysis.ingest.cohort)
    "required_missing": _k("error", "«{instrument}» анкетасынын милдеттүү «{question}» суроосу эч бир файлда жок "
                           "жана «берилген эмес» деп көрсөтүлгөн эмес: ар бир катар карантинге кетмек",
                           "обязательного вопроса «{question}» анкеты «{instrument}» нет ни в одном файле, и он не "
                           "указан как незаданный: в карантин ушла бы каждая строка",
                           "required question '{question}' of '{instrument}' is in no file and not declared "
                           "not asked: every row would be quarantined",
                           "мамычаны кошуңуз (же renames менен дал келтириңиз), же суроо берилбесе, аны not_asked "
                           "тизмесине жазыңыз", "добавьте столбец (или сопоставьте его через renames), а если "
                           "вопрос не задавался — внесите его в not_asked",
                           "add the column (or map it with renames), or list the question under not_asked if the "
                           "survey never asked it"),
    "required_missing_in_file": _k("warning", "милдеттүү «{question}» суроосу бул файлда жок: анын {n} катары "
                                   "карантинге кетет", "обязательного вопроса «{question}» нет в этом файле: его "
                                   "строки ({n}) уйдут в карантин",
                                   "required question '{question}' is not in this file: its {n} row{s} will be "
                                   "quarantined",
                                   "мамычаны кошуңуз же бул файл үчүн суроону not_asked тизмесине жазыңыз",
                                   "добавьте столбец или внесите вопрос в not_asked для этого файла",
                                   "add the column, or list the question under not_asked for this file"),
    "answers_lost": _k("error", "«{header}» мамычасы ({n} жооп) алынып салынмак — «{question}» деп айткыңыз "
                       "келдиби? Ал суроо эч бир файлда жок, жооптор жоголмок",
                       "столбец «{header}» (ответов: {n}) был бы отброшен — вы имели в виду «{question}»? Этого "
                       "вопроса нет ни в одном файле, ответы были бы потеряны",
                       "column '{header}' ({n} answer{s}) would be dropped — did you mean '{question}'? That "
                       "question is in no file, so the answers would be lost",
                       "когорта файлында бул файлга renames: {{{header}: {question}}} кошуңуз (же renames: "
                       "{{{header}: ~}} — атайын алып салуу үчүн)",
                       "добавьте к этому файлу в файле когорты renames: {{{header}: {question}}} (или renames: "
                       "{{{header}: ~}}, чтобы отбросить намеренно)",
                       "add renames: {{{header}: {question}}} to this input in the cohort file (or renames: "
                       "{{{header}: ~}} to drop it on purpose)"),
    "not_asked_cohort": _k("info", "«{instrument}» анкетасынын бул суроолору эч бир файлда жок же берилген эмес: "
                           "алар иштетилген таблицаларга кирбейт, аларга муктаж көрсөткүчтөр «өлчөнгөн эмес»: {names}",
                           "эти вопросы анкеты «{instrument}» не заданы ни в одном файле: их нет в обработанных "
                           "таблицах, показатели, которым они нужны, — «не измерено»: {names}",
                           "these questions of '{instrument}' were asked in no file: they are left out of the "
                           "processed tables and the indicators that need them are 'not measured': {names}"),
    "no_registry": _k("warning", "бүтүрүүчүлөр реестри жок: ар бир сурамжылоо катары бир бүтүрүүчү; жооп берүү "
                      "деңгээли өлчөнбөйт, баалоолор салмаксыз",
                      "реестра выпускников нет: каждая строка опроса — один выпускник; уровень отклика не "
                      "измеряется, оценки невзвешенные",
                      "no graduate registry: each survey row is one graduate; response rates are not measured and "
                      "estimates are unweighted"),
    "note": _k("info", "{text}", "{text}", "{text}"),
}
"""Every kind of notice: default level, message and suggestion in ky/ru/en (placeholders in braces)."""


class _Keep(dict):
    """``str.format_map`` mapping that leaves unknown placeholders as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _params(params: dict[str, Any]) -> dict[str, Any]:
    """Placeholders plus the English plural endings derived from ``n``."""
    out = dict(params)
    n = out.get("n")
    if isinstance(n, int):
        out.setdefault("s", "" if n == 1 else "s")
        out.setdefault("s_match", " matches" if n == 1 else "s match")
    else:
        out.setdefault("s", "s")
        out.setdefault("s_match", "s match")
    return out


def render(kind: str, lang: str, params: dict[str, Any], suggestion: bool = False) -> str:
    """The message (or, with ``suggestion``, the suggestion) of a notice of ``kind`` in ``lang``.

    ``fix`` (kind ``cell_fix``) is translated through :data:`FIXES`. An unknown kind renders as
    its ``text`` parameter; a missing suggestion as ``""``.
    """
    k = KINDS.get(kind, KINDS["note"])
    p = _params(params)
    if kind == "cell_fix" and p.get("fix") in FIXES:
        p["fix"] = FIXES[p["fix"]][lang]
    if suggestion:
        if k.suggestion is None:
            return ""
        return k.suggestion[lang].format_map(_Keep(p))
    return k.text[lang].format_map(_Keep(p))


def notice_records(notices: Iterable[Any]) -> pd.DataFrame:
    """The notices (:class:`analysis.ingest.context.Notice`) as a table with :data:`NOTICE_COLUMNS`."""
    rows = []
    for n in notices:
        rec = {"file": n.file, "row": n.row, "column": n.column, "kind": n.kind, "level": n.level,
               "count": n.count}
        for lang in LANGS:
            rec[f"message_{lang}"] = n.message(lang)
            rec[f"suggestion_{lang}"] = n.suggestion(lang)
        rows.append(rec)
    df = pd.DataFrame(rows, columns=list(NOTICE_COLUMNS))
    df["row"] = pd.array(df["row"].tolist(), dtype="Int64")
    df["count"] = pd.array(df["count"].tolist(), dtype="Int64")
    for c in NOTICE_COLUMNS:
        if c not in ("row", "count"):
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    return df


def console_line(rec: dict[str, Any] | pd.Series, lang: str = "en") -> str:
    """One notice as one console line: level, where, message, count and suggestion."""
    where = str(rec["file"])
    row = rec.get("row")
    if row is not None and not pd.isna(row):
        where += f", row {int(row)}"
    if rec.get("column"):
        where += f", column '{rec['column']}'"
    line = f"{str(rec['level']).upper():7s} {where}: {rec[f'message_{lang}']}"
    count = rec.get("count")
    if count is not None and not pd.isna(count):
        line += f" [{int(count)}]"
    sug = rec.get(f"suggestion_{lang}")
    if sug:
        line += f" — {sug}"
    return " ".join(line.split())


def _int_text(v: Any) -> str:
    return "" if v is None or pd.isna(v) else str(int(v))


def report_table(path: Any, lang: str) -> pd.DataFrame:
    """The notices of ``validated/notices.parquet`` as the report's table in ``lang``: file, row, column,
    level, count, message, what to do (empty table when there is no file or no notice)."""

    path = Path(path)
    if not path.exists():
        return pd.DataFrame()
    n = pd.read_parquet(path)
    if n.empty:
        return pd.DataFrame()
    rows = []
    for r in n.to_dict("records"):
        rows.append({t("col_file", lang): r["file"],
                     t("col_row", lang): _int_text(r["row"]),
                     t("col_column", lang): r["column"],
                     t("col_level", lang): t(f"notice_level_{r['level']}", lang),
                     t("col_count", lang): _int_text(r["count"]),
                     t("col_message", lang): r[f"message_{lang}"],
                     t("col_suggestion", lang): r[f"suggestion_{lang}"]})
    return pd.DataFrame(rows)
