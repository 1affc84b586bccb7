"""Which code, parameters and input files produced an output (the run record shown in every report)."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from analysis.core.version import __version__


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def code_version(root: Path) -> str:
    """``<package version>+g<commit>`` (``.dirty`` when the work tree has changes), or the version alone."""
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=10", "HEAD"],
                                capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}{'.dirty' if dirty else ''}"


@dataclass(frozen=True)
class InputRecord:
    """One input file as used by a run."""

    path: str
    instrument: str
    format: str
    mode: str | None
    bytes: int
    sha256: str


def input_records(raw_dir: Path, inputs: list[Any]) -> list[InputRecord]:
    """Checksums of the cohort's input files (``inputs`` are :class:`analysis.core.config.InputFile`)."""
    out = []
    for item in inputs:
        p = raw_dir / item.path
        out.append(InputRecord(item.path, item.instrument, item.format, item.mode,
                               p.stat().st_size if p.exists() else -1,
                               sha256_file(p) if p.exists() else "missing"))
    return out


def write_manifest(path: Path, *, cohort: str, root: Path, parameters: dict[str, Any],
                   inputs: list[InputRecord]) -> dict[str, Any]:
    """Write ``manifest.json`` (code version, parameters, inputs with checksums); return it.

    No timestamp is stored, so the manifest is byte-identical when nothing changed.
    """
    manifest = {
        "cohort": cohort,
        "code_version": code_version(root),
        "python": platform.python_version(),
        "parameters": {k: v for k, v in parameters.items() if k != "project_root"},
        "inputs": [asdict(r) for r in inputs],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
