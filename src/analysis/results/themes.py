"""Open answers coded into themes, as rows of the results table, with short example quotes.

For each open question (:data:`analysis.derive.themes.OPEN_QUESTIONS`) the answers are coded by the
editable dictionary ``definitions/themes.yaml`` (:func:`analysis.derive.themes.code_answers`):

* ``theme:<question>`` — share of those who answered that name each theme (category = theme code; an answer
  can name several, so the shares do not add up), and ``uncoded`` — the share no theme matched. Graduates'
  answers (phase 2) weighted with the phase-2 design, by the cohort and by faculty; employers' curriculum
  suggestions weighted to the enterprise frame (when there is one), whole survey only.
* ``theme_quote:<question>`` — up to :data:`QUOTES_PER_THEME` short example answers per theme (``note``
  holds the text), only for a theme named by at least :data:`QUOTE_MIN_N` people. A quote is at most
  :data:`QUOTE_MAX_WORDS` words, has no digits, no redaction mark (``[phone]`` …) and no capitalised word
  after its first (a possible name): answers were already redacted at the privacy boundary, and the run's
  personal-data gate scans every output for the registry's names.

:func:`propose_themes` suggests new themes from the uncoded answers (TF-IDF + NMF, scikit-learn) for the expert
group to review; the model stage writes them to ``data/processed/COHORT/theme_proposals.csv`` — never into the
report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.derive.themes import UNCODED, Entry, code_answers, words
from analysis.results.table import Settings, estimate

__all__ = ["QUOTE_MIN_N", "propose_themes", "quote_candidates", "theme_rows"]

QUOTE_MIN_N = 10
"""A theme's example quotes are shown only when at least this many people named it."""
QUOTE_MAX_WORDS = 12
QUOTES_PER_THEME = 2
GRADUATE_QUESTIONS = ("strengths", "weaknesses", "suggestions")
EMPLOYER_QUESTIONS = ("curriculum_suggestions",)
_CAPITAL = re.compile(r"^[A-ZА-ЯЁӨҮҢ]")


def quote_candidates(texts: pd.Series) -> list[str]:
    """Answers fit to quote, most frequent first (ties: alphabetical): at most :data:`QUOTE_MAX_WORDS`
    words, no digit, no ``[`` (redaction mark) and no capitalised word after the first."""
    ok: dict[str, int] = {}
    for t in texts.dropna().astype(str).str.strip():
        toks = t.split()
        if not toks or len(words(t)) > QUOTE_MAX_WORDS or re.search(r"[\d\[\]@]", t):
            continue
        if any(_CAPITAL.match(w.strip("«»\"'()")) for w in toks[1:]):
            continue
        ok[t] = ok.get(t, 0) + 1
    return [t for t, _ in sorted(ok.items(), key=lambda kv: (-kv[1], kv[0]))]


def _question_rows(texts: pd.Series, frame: pd.DataFrame, themes: Sequence[Entry], question: str,
                   st: Settings, design: Any, domains: tuple[str, ...]) -> list[pd.DataFrame]:
    coded = code_answers(texts, themes, question)
    out = []
    for code in coded.columns:
        v = coded[code].astype("Float64").astype(float)
        out.append(estimate(v, frame, "share", st, indicator=f"theme:{question}", unit="share", domains=domains,
                            design=design, category=code))
        named = coded[code].fillna(False).astype(bool)
        if code == UNCODED or int(named.sum()) < QUOTE_MIN_N:
            continue
        for i, q in enumerate(quote_candidates(texts[named])[:QUOTES_PER_THEME]):
            out.append(pd.DataFrame([{"indicator": f"theme_quote:{question}", "statistic": "value", "unit": "",
                                      "domain": "all", "group": "all", "category": code, "time": float(i),
                                      "n": float(named.sum()), "basis": "unweighted", "note": q}]))
    return out


def theme_rows(graduates: pd.DataFrame, employers: pd.DataFrame | None, st: Settings, design: Any,
               employer_design: Any, themes: Sequence[Entry]) -> pd.DataFrame:
    """Theme shares (with intervals) and example quotes of every open question (see the module docstring)."""
    frames: list[pd.DataFrame] = []
    resp = graduates["resp_p2"].astype("boolean").fillna(False) if "resp_p2" in graduates else None
    for q in GRADUATE_QUESTIONS:
        if q in graduates and resp is not None:
            texts = graduates[q].astype("string").where(resp.to_numpy(bool))
            if texts.str.strip().replace("", pd.NA).notna().any():
                frames += _question_rows(texts, graduates, themes, q, st, design, ("all", "faculty"))
    if employers is not None and not employers.empty:
        for q in EMPLOYER_QUESTIONS:
            if q in employers and employers[q].astype("string").str.strip().replace("", pd.NA).notna().any():
                frames += _question_rows(employers[q].astype("string"), employers, themes, q, st, employer_design,
                                         ("all",))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def propose_themes(texts: pd.Series, n_topics: int = 5, n_words: int = 6, seed: int = 0) -> pd.DataFrame:
    """Candidate new themes from answers no theme matched: TF-IDF of the words (as written, lower-cased),
    factorised by non-negative matrix factorisation (scikit-learn ``NMF``, Lee & Seung 1999; deterministic for
    a seed). For the expert group to review and, if useful, add to ``themes.yaml`` — never published.

    Returns
    -------
    DataFrame
        ``topic, top_words`` (the ``n_words`` heaviest words, ``", "``-joined), ``answers`` (answers whose
        heaviest topic it is) and ``example`` (the answer closest to it); empty when fewer than
        ``2 × n_topics`` distinct answers.
    """
    # lazy: scikit-learn costs about a second to import; only the model stage needs it
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    t = texts.dropna().astype(str).str.strip()
    t = t[t != ""]
    cols = ["topic", "top_words", "answers", "example"]
    if t.nunique() < 2 * n_topics:
        return pd.DataFrame(columns=cols)
    vec = TfidfVectorizer(tokenizer=words, lowercase=False, token_pattern=None, min_df=1)
    x = vec.fit_transform(t.to_list())
    k = min(n_topics, x.shape[1])
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    w = model.fit_transform(x)
    vocab = np.array(vec.get_feature_names_out())
    rows = []
    best = w.argmax(axis=1)
    for j in range(k):
        top = vocab[np.argsort(model.components_[j])[::-1][:n_words]]
        rows.append({"topic": j + 1, "top_words": ", ".join(top), "answers": int((best == j).sum()),
                     "example": t.iloc[int(w[:, j].argmax())]})
    return pd.DataFrame(rows, columns=cols)
