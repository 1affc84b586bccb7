"""Instruments: the four questionnaires (XLSForms in ``questionnaires/``) as the code reads and prints them.

Modules: :mod:`~analysis.instruments.xlsform` (reading a form: questions, choice lists, labels, codebooks),
:mod:`~analysis.instruments.expressions` (the XLSForm expression language: relevance, constraints),
:mod:`~analysis.instruments.forms` (the forms as documents: data-entry workbook, paper questionnaire,
phone script). Below ingest: readers map exported labels back to codes through these modules.
"""
