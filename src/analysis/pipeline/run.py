"""Run a cohort's stage notebooks with papermill (each from a fresh kernel) and render the report.

The stage notebooks live in ``notebooks/`` and are thin: a ``parameters`` cell and calls into
:mod:`analysis`. Each stage reads the previous stage's files from ``data/processed/COHORT/``, so
any stage can be re-run alone. Executed notebooks are kept under ``reports/COHORT/executed/``
as the run record (papermill stores the parameters in them).

The report notebook of each language becomes ``reports/COHORT/report.LANG.html`` (nbconvert, the project's
offline template) and ``reports/COHORT/report.LANG.pdf`` (typst, from the same blocks the notebook displayed:
:func:`analysis.publish.blocks.blocks_from_notebook`, :func:`analysis.publish.pdf.write_pdf`).

Quiet, logged runs: kernels talk to papermill over IPC (local socket files, :class:`QuietKernelManager`), so
the kernel has no reason to warn that it runs over TCP without encryption; what a kernel process itself writes
to its stdout/stderr, and every warning the libraries log, goes to ``reports/COHORT/run.log`` together with every
line the run prints and the stages' timings (:class:`RunLog`). The console shows the progress lines only.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import nbformat
import pandas as pd
import papermill as pm
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.paths import jupyter_runtime_dir
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError
from traitlets import Unicode, default
from traitlets.config import Config

from analysis.core.config import CohortConfig, load_config
from analysis.core.i18n import LANGS, t
from analysis.core.paths import ROOT_ENV, TEMPLATES
from analysis.errors import TracerError
from analysis.ingest.notices import console_line
from analysis.pipeline.outputs import EARLY_OUTPUTS, write_outputs
from analysis.pipeline.stages import pseudonym_key
from analysis.privacy.scan import PersonalIndex, read_gate_index, scan_for_personal_data
from analysis.privacy.values import cohort_personal_values
from analysis.publish.blocks import blocks_from_notebook
from analysis.publish.pdf import write_pdf

KERNEL_ENV = "TRACER_KERNEL"
JOBS_ENV = "TRACER_JOBS"  # report kernels at once (default: the cores)
IPC_PATH_MAX = 96  # longest socket-file prefix (+ "-N" numbers) under the 107-byte limit of a Unix socket path


@dataclass(frozen=True)
class Stage:
    """One stage notebook."""

    key: str
    notebook: str
    per_language: bool = False


STAGES: tuple[Stage, ...] = (
    Stage("ingest", "01_ingest_validate.ipynb"),
    Stage("derive", "02_clean_derive.ipynb"),
    Stage("model", "03_model.ipynb"),
    Stage("report", "04_report.ipynb", per_language=True),
)
RUN_PARAMETERS = ("lang",)  # parameters that come from the run, not from the cohort file


class StageFailed(TracerError):
    """A stage notebook raised; the message is the notebook's own one-line error."""


@dataclass
class RunRecord:
    """Timings of one run (seconds), written to ``reports/COHORT/run.json``."""

    cohort: str
    timings: list[dict[str, Any]] = field(default_factory=list)
    total: float = 0.0  # wall seconds of the whole run (the report languages' steps overlap: not their sum)

    def add(self, step: str, seconds: float) -> None:
        self.timings.append({"step": step, "seconds": round(seconds, 3)})


class QuietKernelManager(AsyncKernelManager):
    """The kernel manager of the stage runs: the IPC transport (the kernel's channels are socket files in
    Jupyter's runtime folder, readable by the user only, instead of TCP ports on localhost — so the kernel does
    not warn that it runs over TCP without encryption), and the kernel process's own stdout/stderr appended to
    ``kernel_log`` (the run log) instead of the console."""

    kernel_log = Unicode("", help="file that receives the kernel process's own stdout and stderr").tag(config=True)
    project_root = Unicode("", help="the project the kernel works in ($TRACER_PROJECT_ROOT of its environment)"
                           ).tag(config=True)

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        # the socket files' prefix, one per kernel: jupyter_client's default ("kernel-ipc" in the working folder,
        # numbered by the first free file) lets two kernels started at once pick the same sockets — their
        # messages then cross ("Invalid Signature") when the report languages run side by side
        name = f"tracer-{uuid.uuid4().hex[:12]}-ipc"
        runtime = jupyter_runtime_dir()
        if len(os.path.join(runtime, name)) > IPC_PATH_MAX:  # a Unix socket's path is at most 107 bytes
            runtime = tempfile.gettempdir()
        os.makedirs(runtime, exist_ok=True)
        return os.path.join(runtime, name)

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        if self.project_root:  # the kernel's own environment: this process's is not changed (kernels start in threads)
            kw["env"] = {**(kw.get("env") or os.environ), ROOT_ENV: self.project_root}
        if not self.kernel_log:
            return await super().start_kernel(**kw)
        with open(self.kernel_log, "ab") as fh:  # the kernel keeps its own copy of the descriptor
            kw.setdefault("stdout", fh)
            kw.setdefault("stderr", fh)
            return await super().start_kernel(**kw)


class RunLog:
    """The run's log: every line the run prints goes to the console (``echo``) and to ``reports/COHORT/run.log``;
    warnings that libraries log (papermill, nbconvert, typst) and what kernels write go to the file only."""

    def __init__(self, path: Path, echo: Callable[[str], None]) -> None:
        self.path = path
        self.echo = echo
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = open(path, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - closed by close()
        self._handler = logging.StreamHandler(self._fh)
        self._handler.setLevel(logging.WARNING)
        self._handler.setFormatter(logging.Formatter("  [%(name)s] %(levelname)s %(message)s"))
        logging.getLogger().addHandler(self._handler)

    def __call__(self, line: str) -> None:
        self.echo(line)
        self.file(line)

    def file(self, line: str) -> None:
        """A line for the log file only."""
        if self._fh is not None:
            self._fh.write(line.rstrip("\n") + "\n")
            self._fh.flush()

    def close(self) -> None:
        logging.getLogger().removeHandler(self._handler)
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def kernel_name() -> str:
    """The Jupyter kernel to use: ``$TRACER_KERNEL``, else ``tracer`` when registered, else ``python3``."""
    name = os.environ.get(KERNEL_ENV)
    if name:
        return name

    specs = KernelSpecManager().find_kernel_specs()
    return "tracer" if "tracer" in specs else "python3"


def notebook_parameters(cfg: CohortConfig, notebook: Path, lang: str | None = None) -> dict[str, Any]:
    """The subset of the cohort's parameters that ``notebook`` declares (plus ``lang`` for the report)."""
    declared = pm.inspect_notebook(str(notebook))
    values = cfg.as_parameters()
    if lang is not None:
        values["lang"] = lang
    return {k: values[k] for k in declared if k in values}


def execute_stage(cfg: CohortConfig, stage: Stage, lang: str | None = None,
                  log: Callable[[str], None] = print, kernel_log: Path | None = None) -> Path:
    """Execute one stage notebook from a fresh kernel (IPC transport; the kernel process's own output appended
    to ``kernel_log`` when given); return the executed notebook's path."""
    root = Path(cfg.project_root)
    src = root / "notebooks" / stage.notebook
    out_dir = cfg.paths.executed
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(stage.notebook).stem
    out = out_dir / (f"{stem}.{lang}.ipynb" if lang else f"{stem}.ipynb")
    params = notebook_parameters(cfg, src, lang)
    manager = {"kernel_log": str(kernel_log or ""), "project_root": str(root)}
    try:
        pm.execute_notebook(str(src), str(out), parameters=params, kernel_name=kernel_name(),
                            language="python", cwd=str(root / "notebooks"), progress_bar=False,
                            log_output=False, report_mode=False, kernel_manager_class=QuietKernelManager,
                            config=Config({"QuietKernelManager": manager}))
    except PapermillExecutionError as exc:
        first = (exc.evalue or "").strip().splitlines()[0] if exc.evalue else exc.ename
        raise StageFailed(f"{cfg.cohort}: stage '{stage.key}' failed ({exc.ename}): {first} "
                          f"— see {out.relative_to(root)}") from None
    return out


def template_dir() -> Path:
    """Folder of the project's nbconvert templates (offline HTML)."""
    return TEMPLATES


def render_html(executed: Path, out_html: Path, lang: str, title: str = "Report") -> Path:
    """Render an executed notebook to self-contained HTML: no code, images embedded, no network reference."""
    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(template_dir())]
    c.HTMLExporter.template_name = "tracer_html"
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.language_code = lang
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove_cell", "injected-parameters", "parameters"}
    exporter = HTMLExporter(config=c)
    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": out_html.stem},
                                                        "language_code": lang,
                                                        "image_alt": t("alt_image_generic", lang)})
    # the JupyterLab theme CSS carries attribution URLs in comments: drop them, so the page holds no
    # network reference at all (it never loads anything; this keeps a simple grep honest)
    body = re.sub(r"/\*(?:(?!\*/).)*?https?://.*?\*/", "", body, flags=re.S)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(body, encoding="utf-8")
    return out_html


def render_pdf(executed: Path, out_pdf: Path, lang: str, title: str, header: str = "") -> list[str]:
    """The PDF of an executed report notebook: the blocks its outputs carry, written with typst; returns typst's
    warnings (one line each)."""
    return write_pdf(blocks_from_notebook(executed), out_pdf, lang, title, header)


def notice_lines(cfg: CohortConfig, lang: str = "en") -> list[str]:
    """One console line per ingestion notice of the cohort's last stage-1 run (``validated/notices.parquet``),
    with its level, file, row, column, message, count and suggestion (:func:`analysis.ingest.notices.console_line`)."""

    path = cfg.paths.validated / "notices.parquet"
    if not path.exists():
        return []
    return [console_line(rec, lang) for rec in pd.read_parquet(path).to_dict("records")]


def _log_notices(cfg: CohortConfig, log: Callable[[str], None]) -> None:
    lines = notice_lines(cfg)
    if lines:
        log(f"{cfg.cohort}: {len(lines)} ingestion notice(s) (also in notebook 01 and the report's data-quality "
            "section):")
    for line in lines:
        log(f"  {line}")


def gate_values(cfg: CohortConfig) -> PersonalIndex | dict[str, list[str]]:
    """What the gate looks for: the hashed index stage 1 kept from its one read of the raw files, when it was made
    from the inputs the run manifest records (:func:`analysis.privacy.values.read_gate_index`); otherwise — no
    stage 1 run with this code, inputs changed, another key — every raw input read again."""
    manifest = cfg.paths.processed / "manifest.json"
    if manifest.is_file():
        inputs = {r["path"]: r["sha256"] for r in json.loads(manifest.read_text(encoding="utf-8"))["inputs"]}
        index = read_gate_index(cfg, pseudonym_key(cfg), inputs)
        if index is not None:
            return index
    return cohort_personal_values(cfg)


def privacy_gate(cfg: CohortConfig) -> None:
    """Fail the run if any personal value of the cohort's raw files appears in its outputs.

    The personal values are those of every raw input as stage 1 read it, legacy mapping included (stage 1 keeps
    them hashed: :func:`gate_values`); a value is a hit only as a whole token of an output
    (:func:`analysis.privacy.scan.scan_for_personal_data`)."""
    files = [p for folder in (cfg.paths.processed, cfg.paths.reports) if folder.exists()
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "run.json"]
    hits = scan_for_personal_data(files, gate_values(cfg))
    if hits:
        raise StageFailed(f"{cfg.cohort}: personal data found in {len({h.file for h in hits})} output file(s), "
                          f"e.g. {hits[0]} — do not publish; run 'tracer scan-personal {cfg.cohort}' for the list")


def run_cohort(cohort: str, langs: tuple[str, ...] = ("ky",), root: Path | None = None,
               stages: tuple[str, ...] | None = None, log: Callable[[str], None] = print,
               jobs: int | None = None) -> RunRecord:
    """Run the stages of ``cohort`` and write ``reports/COHORT/report.<lang>.html`` and ``.pdf`` for each
    language; every line goes to ``log`` and to ``reports/COHORT/run.log``, which ends with the timings.
    ``jobs``: report kernels at once (:func:`report_jobs`; default ``$TRACER_JOBS`` or the cores)."""
    for lang in langs:
        if lang not in LANGS:
            raise TracerError(f"language '{lang}' is not supported (choose from {', '.join(LANGS)})")
    cfg = load_config(cohort, root)
    run_log = RunLog(cfg.paths.reports / "run.log", log)
    t_start = time.perf_counter()
    try:
        record = _run(cfg, langs, stages, run_log, jobs)
        total = record.total = round(time.perf_counter() - t_start, 3)
        wrote = [f"report.{lang}.{ext}" for lang in langs for ext in ("html", "pdf")] if (
            stages is None or "report" in stages) else []
        run_log.file(f"{cohort}: done in {total:.1f} s" + (f" — reports/{cohort}/: {', '.join(wrote)}, run.log"
                                                             if wrote else ""))
        run_log.file("timings (seconds):")
        for item in record.timings:
            run_log.file(f"  {item['seconds']:8.2f}  {item['step']}")
        run_log.file(f"  {total:8.2f}  total")
    except TracerError as exc:
        run_log.file(f"error: {exc}")
        raise
    finally:
        run_log.close()
    return record


def report_jobs(langs: tuple[str, ...], jobs: int | None = None) -> int:
    """How many report kernels run at once: ``jobs`` if given, else ``$TRACER_JOBS``, else the machine's cores;
    never more than the languages (each language still gets its own fresh kernel)."""
    if jobs is None:
        env = os.environ.get(JOBS_ENV, "").strip()
        try:
            jobs = int(env) if env else (os.cpu_count() or 1)
        except ValueError:
            raise TracerError(f"${JOBS_ENV} must be a whole number of kernels, not {env!r}") from None
    return max(1, min(int(jobs), len(langs)))


def _run_languages(cfg: CohortConfig, stage: Stage, langs: tuple[str, ...], log: RunLog, record: RunRecord,
                   n: int, steps: int, jobs: int | None,
                   on_rendered: Callable[[str], None] = lambda lang: None) -> int:
    """The report notebook of every language, up to :func:`report_jobs` kernels at once (each a fresh kernel, its
    own process: the kernels use the cores, this process waits), then each language's HTML and PDF in the order
    of ``langs``; returns the last step number. A failing language stops the run with its own one-line error."""
    cohort = cfg.cohort
    rel = Path(cfg.project_root)
    workers = report_jobs(langs, jobs)
    started: dict[str, float] = {}

    def one(lang: str) -> Path:
        started[lang] = time.perf_counter()
        return execute_stage(cfg, stage, lang, kernel_log=log.path)

    if workers > 1:
        log(f"{cohort}: {stage.notebook} in {len(langs)} languages, {workers} kernels at a time")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {}
        for i, lang in enumerate(langs):  # two steps per language: its notebook, then its HTML and PDF
            log(f"[{n + 1 + 2 * i}/{steps}] {cohort}: running {stage.notebook} [{lang}] …")
            futures[lang] = pool.submit(one, lang)
        for lang in langs:
            n += 1
            label = f"{stage.notebook} [{lang}]"
            executed = futures[lang].result()  # a StageFailed is raised here, in the order of langs
            dt = time.perf_counter() - started[lang]
            record.add(f"notebook {label}", dt)
            log(f"[{n}/{steps}] {cohort}: {label} done in {dt:.1f} s")
            n += 1
            title = t("report_title", lang, year=cfg.graduation_year)
            t0 = time.perf_counter()
            html = render_html(executed, cfg.paths.report_html(lang), lang, title=title)
            dt_html = time.perf_counter() - t0
            record.add(f"render {lang}", dt_html)
            t0 = time.perf_counter()
            pdf = cfg.paths.reports / f"report.{lang}.pdf"
            for warning in render_pdf(executed, pdf, lang, title, header=cohort):
                log.file(f"  [typst] WARNING {warning}")
            dt_pdf = time.perf_counter() - t0
            record.add(f"pdf {lang}", dt_pdf)
            log(f"[{n}/{steps}] {cohort}: wrote {html.relative_to(rel)} ({dt_html:.1f} s) and "
                f"{pdf.relative_to(rel)} ({dt_pdf:.1f} s)")
            on_rendered(lang)
    return n


def _report_and_outputs(cfg: CohortConfig, stage: Stage, langs: tuple[str, ...], log: RunLog, record: RunRecord,
                        n: int, steps: int, jobs: int | None) -> int:
    """The report languages (:func:`_run_languages`) with the outputs that do not need them written meanwhile.

    The workbooks and open data need only the model stage's published table: they are written in this process
    while the report kernels (other processes) run, so that a core a kernel leaves idle is used; a language's
    pages link to its report, so they follow its rendering; the slides take the executed notebooks' figures and
    come after (in :func:`_run`). Returns the last step number."""
    rendered = {lang: threading.Event() for lang in langs}
    failed = threading.Event()

    def side_outputs() -> None:
        write_outputs(cfg, langs, log, record.add, EARLY_OUTPUTS)
        for lang in langs:
            rendered[lang].wait()
            if failed.is_set():
                return
            write_outputs(cfg, (lang,), log, record.add, ("pages",))

    with ThreadPoolExecutor(max_workers=1) as side:
        early = side.submit(side_outputs)
        try:
            n = _run_languages(cfg, stage, langs, log, record, n, steps, jobs,
                               on_rendered=lambda lang: rendered[lang].set())
        except BaseException:
            failed.set()
            for event in rendered.values():
                event.set()
            wait([early])  # the report's own error is the one to show, not the outputs'
            raise
        early.result()
    return n


def _run(cfg: CohortConfig, langs: tuple[str, ...], stages: tuple[str, ...] | None, log: RunLog,
         jobs: int | None = None) -> RunRecord:
    """The stages of one run (see :func:`run_cohort`)."""
    cohort = cfg.cohort
    record = RunRecord(cohort)
    chosen = [s for s in STAGES if stages is None or s.key in stages]
    # preflight: a real cohort without its pseudonymisation key stops here with the one-line key
    # error, before any kernel starts (stage 1 would only find out inside its notebook)
    if any(s.key == "ingest" for s in chosen):
        pseudonym_key(cfg)
    steps = sum(len(langs) if s.per_language else 1 for s in chosen) + (len(langs) if any(
        s.per_language for s in chosen) else 0)
    n = 0
    for stage in chosen:
        if stage.per_language:
            n = _report_and_outputs(cfg, stage, langs, log, record, n, steps, jobs)
            continue
        n += 1
        label = stage.notebook
        log(f"[{n}/{steps}] {cohort}: running {label} …")
        t0 = time.perf_counter()
        try:
            execute_stage(cfg, stage, None, log, kernel_log=log.path)
        except StageFailed:
            if stage.key == "ingest":
                _log_notices(cfg, log)
            raise
        dt = time.perf_counter() - t0
        if stage.key == "ingest":
            _log_notices(cfg, log)
        record.add(f"notebook {label}", dt)
        log(f"[{n}/{steps}] {cohort}: {label} done in {dt:.1f} s")
    if stages is None or "report" in stages:
        write_outputs(cfg, langs, log, record.add, ("slides",))  # the rest of pipeline/outputs.py, before the gate
        t0 = time.perf_counter()
        privacy_gate(cfg)
        record.add("personal-data scan", time.perf_counter() - t0)
        log(f"{cohort}: personal-data scan of data/processed/{cohort}/ and reports/{cohort}/: clean")
    cfg.paths.reports.mkdir(parents=True, exist_ok=True)
    (cfg.paths.reports / "run.json").write_text(
        json.dumps({"cohort": cohort, "timings": record.timings}, indent=2) + "\n", encoding="utf-8")
    return record


def main_progress(msg: str) -> None:
    """Progress lines go to stderr so that stdout stays clean for piping."""
    print(msg, file=sys.stderr, flush=True)
