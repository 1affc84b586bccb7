"""The project's languages — Kyrgyz (first), Russian, English: the one language list and the message catalogue.

:data:`LANGS` is the only list of languages; every module that checks or loops over languages imports it.
Question and choice labels come from the XLSForms (:mod:`analysis.instruments.xlsform`); indicator labels
from the indicator registry; everything else a report or an ingestion notice says comes from
the message catalogue ``definitions/messages/*.yaml`` (one file per area — report, publication, notices,
validation, not-enough-data notes …; a key is unique across the files), where every key has text in all three
languages (a test checks both), through :func:`t`. Numbers are formatted by the one formatter of the publishing family,
:mod:`analysis.publish.formatting` (Babel; glibc locales are not generated on these machines).
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import Any

import yaml

from analysis.core.paths import DEFINITIONS
from analysis.errors import ConfigError

LANGS = ("ky", "ru", "en")
LANG_NAMES = {"ky": "Kyrgyz (ky)", "ru": "Russian (ru)", "en": "English (en)"}
"""Each language's name in the English messages (e.g. the language an export's labels were detected in)."""
_CATALOGUE = DEFINITIONS / "messages"


def catalogue_files() -> list:
    """The files of the message catalogue, in name order."""
    return sorted(_CATALOGUE.glob("*.yaml"))


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages of every catalogue file: ``{key: {lang: text}}``. A key defined in two files is an error
    (one line naming both files)."""
    out: dict[str, dict[str, str]] = {}
    where: dict[str, str] = {}
    for path in catalogue_files():
        for key, texts in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if key in out:
                raise ConfigError(f"{path}: message '{key}' is already defined in {where[key]}")
            out[key], where[key] = texts, path.name
    return out


def check_lang(lang: str) -> None:
    """Raise :class:`~analysis.errors.ConfigError` (one line) unless ``lang`` is one of :data:`LANGS`."""
    if lang not in LANGS:
        raise ConfigError(f"language '{lang}' is not supported (choose from {', '.join(LANGS)})")


def t(key: str, lang: str = "ky", **fmt: Any) -> str:
    """The message ``key`` in ``lang``, with ``{placeholders}`` filled from ``fmt``."""
    check_lang(lang)
    try:
        text = catalogue()[key][lang]
    except KeyError:
        raise ConfigError(f"{_CATALOGUE}: no message '{key}' in language '{lang}'") from None
    return text.format(**fmt) if fmt else text


@lru_cache(maxsize=64)
def messages(prefix: str, lang: str) -> MappingProxyType[str, str]:
    """Every message whose key starts with ``prefix``, in ``lang``, keyed by the rest of the key (read-only).

    One area's texts at once, e.g. ``messages("entry_", "ky")["mode"]`` is the message ``entry_mode``;
    placeholders are left for the caller to fill (``str.format``).
    """
    check_lang(lang)
    return MappingProxyType({k[len(prefix):]: v[lang] for k, v in catalogue().items() if k.startswith(prefix)})
