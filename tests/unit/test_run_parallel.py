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
