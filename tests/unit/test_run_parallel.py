"""The report languages' kernels side by side: how many at once, and each kernel's own sockets."""

from __future__ import annotations

import os
import tempfile

import pytest

from analysis.errors import TracerError
from analysis.pipeline.run import IPC_PATH_MAX, JOBS_ENV, QuietKernelManager, report_jobs


def test_report_kernels_default_to_the_cores_and_never_exceed_the_languages(monkeypatch):
    monkeypatch.delenv(JOBS_ENV, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert report_jobs(("ky", "ru", "en")) == 2
    assert report_jobs(("ky",)) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert report_jobs(("ky", "ru", "en")) == 3


def test_report_kernels_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.setenv(JOBS_ENV, "1")
    assert report_jobs(("ky", "ru", "en")) == 1
    assert report_jobs(("ky", "ru", "en"), jobs=3) == 3
    assert report_jobs(("ky", "ru"), jobs=0) == 1  # at least one kernel
    monkeypatch.setenv(JOBS_ENV, "two")
    with pytest.raises(TracerError, match=r"TRACER_JOBS.*'two'"):
        report_jobs(("ky", "ru"))


def test_every_kernel_gets_its_own_ipc_sockets(monkeypatch):
    # jupyter_client's default prefix ("kernel-ipc", first free number) let two kernels started at once share
    # sockets: their messages crossed ("Invalid Signature") — each manager now has its own prefix
    with tempfile.TemporaryDirectory(dir="/tmp") as short:
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", os.path.join(short, "rt"))
        a, b = QuietKernelManager(), QuietKernelManager()
        assert a.transport == b.transport == "ipc"
        assert a.ip != b.ip
        assert os.path.dirname(a.ip) == os.path.join(short, "rt") and os.path.isdir(os.path.join(short, "rt"))


def test_a_runtime_folder_too_deep_for_a_socket_path_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60) / "runtime"
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(deep))
    ip = QuietKernelManager().ip
    assert os.path.dirname(ip) == tempfile.gettempdir() and len(ip) <= IPC_PATH_MAX


@pytest.fixture
def demo_cfg_factory():
    """The demo cohort's parameters in a throw-away project (its reports go there, not into the repository)."""
    import shutil
    from pathlib import Path

    from analysis.core.config import load_config

    repo = Path(__file__).resolve().parents[2]

    def make(root):
        (root / "cohorts").mkdir(exist_ok=True)
        shutil.copy(repo / "cohorts" / "demo-2025.yaml", root / "cohorts" / "demo-2025.yaml")
        return load_config("demo-2025", root)

    return make


def _fake_run(monkeypatch, tmp_path, fail: str | None):
    """The report stage with its notebooks, renderers and outputs replaced by recorders (no kernel)."""
    import analysis.pipeline.run as run

    written: list[tuple[str, tuple[str, ...]]] = []

    def execute(cfg, stage, lang=None, log=print, kernel_log=None):
        if lang == fail:
            raise run.StageFailed(f"demo: stage 'report' failed (ValueError): broken {lang}")
        return tmp_path / f"04_report.{lang}.ipynb"

    monkeypatch.setattr(run, "execute_stage", execute)
    monkeypatch.setattr(run, "render_html", lambda executed, out, lang, title="": out)
    monkeypatch.setattr(run, "render_pdf", lambda *a, **k: [])
    monkeypatch.setattr(run, "write_outputs",
                        lambda cfg, langs, log, timing, parts=(): written.append(("+".join(parts), tuple(langs))))
    monkeypatch.setattr(run, "privacy_gate", lambda cfg: None)
    return run, written


def test_outputs_follow_the_report_languages_without_a_kernel(demo_cfg_factory, monkeypatch, tmp_path):
    run, written = _fake_run(monkeypatch, tmp_path, fail=None)
    cfg = demo_cfg_factory(tmp_path)
    record = run._run(cfg, ("ky", "ru", "en"), ("report",), run.RunLog(tmp_path / "run.log", lambda m: None), jobs=2)
    assert written[0] == ("workbook+open data", ("ky", "ru", "en"))
    assert [w for w in written if w[0] == "pages"] == [("pages", ("ky",)), ("pages", ("ru",)), ("pages", ("en",))]
    assert written[-1] == ("slides", ("ky", "ru", "en"))  # after every report: they take its figures
    assert [t["step"] for t in record.timings if t["step"].startswith("notebook")] == [
        "notebook 04_report.ipynb [ky]", "notebook 04_report.ipynb [ru]", "notebook 04_report.ipynb [en]"]


def test_a_failing_report_language_stops_the_run_with_its_own_error(demo_cfg_factory, monkeypatch, tmp_path):
    run, written = _fake_run(monkeypatch, tmp_path, fail="ru")
    cfg = demo_cfg_factory(tmp_path)
    with pytest.raises(run.StageFailed, match="broken ru"):
        run._run(cfg, ("ky", "ru", "en"), ("report",), run.RunLog(tmp_path / "run.log", lambda m: None), jobs=2)
    pages = [w[1] for w in written if w[0] == "pages"]
    assert pages in ([], [("ky",)])  # the language before may have its pages; none after the failure
    assert not [w for w in written if w[0] == "slides"]


def test_the_kernel_gets_the_project_in_its_own_environment(monkeypatch):
    # kernels start in threads: the project root goes into each kernel's environment, not into this process's
    import asyncio

    from jupyter_client import AsyncKernelManager

    seen = {}

    async def fake_start(self, **kw):
        seen.update(kw)

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", fake_start)
    monkeypatch.delenv("TRACER_PROJECT_ROOT", raising=False)
    asyncio.run(QuietKernelManager(project_root="/srv/tracer").start_kernel())
    assert seen["env"]["TRACER_PROJECT_ROOT"] == "/srv/tracer" and "PATH" in seen["env"]
    assert "TRACER_PROJECT_ROOT" not in os.environ
