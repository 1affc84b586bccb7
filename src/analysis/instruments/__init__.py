"""Instruments: the four questionnaires (XLSForms in ``questionnaires/``) as the code reads and prints them.

Modules, one job each: :mod:`~analysis.instruments.xlsform` (reading a form: questions, choice lists, labels,
codebooks), :mod:`~analysis.instruments.expressions` (the XLSForm expression language: one parser for
relevance and constraints), :mod:`~analysis.instruments.relevance` (the skip logic evaluated three-valued and
written in words), :mod:`~analysis.instruments.constraints` (ranges, dates and text lengths a constraint
allows), :mod:`~analysis.instruments.entry_workbook` (the data-entry workbook, written and its values read
back), :mod:`~analysis.instruments.questionnaire` (the paper questionnaire and phone script, rendered from
the Jinja2 template ``templates/questionnaire.html.j2``). Below ingest: readers map exported labels back to
codes through these modules.
"""
