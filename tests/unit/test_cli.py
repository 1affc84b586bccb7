"""The tracer command: help everywhere, one-line errors without tracebacks, failing cohorts isolated."""

from __future__ import annotations

import pytest

from analysis import cli
from analysis.errors import InputError


def test_every_subcommand_has_help(capsys):
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    names = set(sub.choices)
    assert {"run", "demo", "codebook", "template", "questionnaire", "ingest", "expectations", "monitor",
            "init-key", "scan-personal", "indicators"} <= names
    for name in sorted(names):
        with pytest.raises(SystemExit) as exc:
            cli.main([name, "--help"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert "usage: tracer" in out and len(out) > 80, name


def test_a_user_error_is_one_line_and_exit_2(capsys):
    assert cli.main(["run", "no-such-cohort"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "no parameter file for cohort 'no-such-cohort'" in err


def test_a_failing_cohort_does_not_stop_the_others(monkeypatch, capsys):
    import analysis.pipeline.run as pipeline

    ran = []

    def fake_run(cohort, langs, stages=None, log=print, jobs=None):
        ran.append(cohort)
        if cohort == "broken":
            raise InputError("data/raw/broken/phase2.csv", "the file is empty", fix="export it again")
        return pipeline.RunRecord(cohort, [{"step": "x", "seconds": 1.0}], total=1.0)

    monkeypatch.setattr(pipeline, "run_cohort", fake_run)
    assert cli.main(["run", "broken", "good"]) == 2
    captured = capsys.readouterr()
    assert ran == ["broken", "good"]
    assert "data/raw/broken/phase2.csv: the file is empty — export it again" in captured.err
    assert "good: done" in captured.out
    assert "1 of 2 cohort(s) failed: broken" in captured.err
