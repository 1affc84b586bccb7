"""A cohort's parameter file (``cohorts/COHORT.yaml``): loaded into a typed object that checks itself.

The file's top-level keys are exactly the notebooks' papermill parameters (a test keeps them in step),
so a yearly run is "a new parameter file and a folder of raw files".
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from analysis.core import defaults as D
from analysis.core.paths import CohortPaths, cohort_paths
from analysis.core.vocabulary import INSTRUMENTS, MODES
from analysis.errors import ConfigError

FORMATS = (
    "registry_xlsx", "registry_csv", "kobo_csv", "kobo_xlsx", "odk_csv", "entry_xlsx", "spss", "legacy",
)

LABOUR_RULES: dict[str, Any] = {
    # the source document's rule (State Employment Service / ILO project, form 116): "current unemployment" by
    # profession >= 10 % signals an oversupply of qualified people in that profession
    "current_unemployment_max": 0.10,
    # its base: labour_force = job seekers / (employed + job seekers) (an unemployment rate), or employed
    "current_unemployment_base": "labour_force",
    # ILO short-term demand methodology (V. Gasskov; Chuy 2019, Jalal-Abad 2020): graduates / employed in the
    # occupation <= 10 % = sufficient supply; job seekers / employed <= 5-6 % = low unemployment; employment
    # growth > 3 % = high (increase intake), from -3 % to 3 % = moderate growth or slight decline (preserve)
    "graduates_to_employed_max": 0.10,
    "jobseekers_to_employed_max": 0.06,
    "growth_high": 0.03,
    "growth_slight_decline": 0.03,
    # supply of a programme to occupations: main = all to the first ISCO group of programmes.csv (its main
    # destination); equal = split equally over the listed groups
    "supply_allocation": "main",
    # the programme light (docs/labour-market.md §4): project conventions for the expert group to set.
    # Employment rate: peer benchmark OshSU 65-85 % at 6 months (self-reported, kg-open kg_he_graduates)
    "employment_rate_min": 0.60,
    "infield_rate_min": 0.50,
    # median net income / gross NSC oblast wage: 0.8 ~ parity after 10 % income tax and 10 % Social Fund
    "income_ratio_min": 0.80,
    # employers' demand (3-year needs + vacancies) / the university's supply to the same occupations
    "demand_to_supply_high": 1.0,
    "demand_to_supply_low": 0.25,
    # sensitivity of the lights: each threshold moved by this relative change, up and down
    "sensitivity_change": 0.20,
}
"""Defaults of the cohort parameter ``labour_rules`` (``docs/labour-market.md``): the supply-demand rules'
thresholds with their sources; a cohort file overrides any of them."""
_LABOUR_CHOICES = {"current_unemployment_base": ("labour_force", "employed"), "supply_allocation": ("main", "equal")}


@dataclass(frozen=True)
class InputFile:
    """One raw file of a cohort: which instrument it holds, in which export format, from which mode.

    ``dayfirst`` says how the file's ``a/b/yyyy`` dates read (true: day first; false: month first;
    absent: as the file's own dates show — ``docs/ingestion.md``); ``renames`` maps a header of the
    file to a question name (``~``: drop the column on purpose); ``not_asked`` lists the questions
    this file's survey never asked.
    """

    path: str
    instrument: str
    format: str
    mode: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    mapping: str | None = None
    dayfirst: bool | None = None
    renames: tuple[tuple[str, str | None], ...] | None = None
    not_asked: tuple[str, ...] | None = None

    def read_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`analysis.ingest.read_input` for this file (besides path and format)."""
        return {"mode": self.mode, "encoding": self.encoding, "delimiter": self.delimiter,
                "dayfirst": self.dayfirst, "renames": dict(self.renames or ()),
                "not_asked": list(self.not_asked or ())}

    def as_dict(self) -> dict[str, Any]:
        """Plain YAML-able values (what the cohort file says), without the unset keys."""
        out: dict[str, Any] = {}
        for k, v in vars(self).items():
            if v is None:
                continue
            if k == "renames":
                v = {a: b for a, b in v}
            elif k == "not_asked":
                v = list(v)
            out[k] = v
        return out


@dataclass(frozen=True)
class CohortConfig:
    """Typed parameters of one cohort. Keys and meaning are documented in ``cohorts/README.md``."""

    cohort: str
    graduation_year: int
    inputs: tuple[InputFile, ...]
    region: str = "Jalal-Abad oblast"
    survey_months_after: int = 9
    full_time_hours: int = D.FULL_TIME_HOURS
    confidence: float = D.CONFIDENCE
    ci_method: str = D.CI_METHOD
    weighted_ci_method: str = D.WEIGHTED_CI_METHOD
    finite_population_correction: bool = D.FINITE_POPULATION_CORRECTION
    targets: dict[str, float] = field(default_factory=lambda: dict(D.TARGETS))
    weighting_margins: tuple[tuple[str, ...], ...] = (("faculty", "sex"), ("level",))
    weight_trim_ratio: float = 5.0
    disclosure_min_n: int = D.DISCLOSURE_MIN_N
    previous_cohort: str | None = None
    pool_cohorts: tuple[str, ...] = ()  # earlier cohorts to pool small programmes with (results/pooling.py)
    enterprise_frame: str | None = None  # CSV in data/raw/COHORT/: enterprises by sector × size (docs/employers.md)
    model_covariates: tuple[str, ...] = ()
    institution: str | dict[str, Any] | None = None
    labour_rules: dict[str, Any] = field(default_factory=lambda: dict(LABOUR_RULES))
    seed: int = 20250630
    synthetic: bool = False
    licence: str = D.LICENCE
    contact: str = ""
    project_root: str = ""

    # ------------------------------------------------------------------ derived
    @property
    def paths(self) -> CohortPaths:
        """Folders of this cohort under the project root."""
        return cohort_paths(self.cohort, self.project_root or None)

    def inputs_for(self, instrument: str) -> list[InputFile]:
        """The input files that hold ``instrument``."""
        return [i for i in self.inputs if i.instrument == instrument]

    @property
    def has_registry(self) -> bool:
        """Whether the cohort lists a graduate registry. Without one, the survey rows define the
        graduates: response rates are not measured and estimates are unweighted."""
        return any(i.instrument == "registry" for i in self.inputs)

    def as_parameters(self) -> dict[str, Any]:
        """The papermill parameters (plain YAML-able values) of this cohort."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "inputs":
                v = [i.as_dict() for i in v]
            elif f.name == "weighting_margins":
                v = [list(m) for m in v]
            elif f.name in ("model_covariates", "pool_cohorts"):
                v = list(v)
            out[f.name] = v
        return out


PARAMETER_KEYS = tuple(f.name for f in fields(CohortConfig))


def _check(cond: bool, file: Path, msg: str) -> None:
    if not cond:
        raise ConfigError(f"{file}: {msg}")


def config_from_dict(data: dict[str, Any], file: Path | str = "<parameters>") -> CohortConfig:
    """Build and check a :class:`CohortConfig` from a mapping (a parsed YAML file or notebook parameters)."""
    file = Path(file)
    _check(isinstance(data, dict), file, "the parameter file must be a mapping of keys to values")
    unknown = sorted(set(data) - set(PARAMETER_KEYS))
    _check(not unknown, file, f"unknown key(s) {unknown}; allowed keys: {', '.join(PARAMETER_KEYS)}")
    for key in ("cohort", "graduation_year", "inputs"):
        _check(key in data, file, f"missing required key '{key}'")
    raw_inputs = data["inputs"]
    _check(isinstance(raw_inputs, list) and raw_inputs, file, "'inputs' must be a non-empty list of files")
    inputs = []
    for n, item in enumerate(raw_inputs, start=1):
        _check(isinstance(item, dict), file, f"inputs[{n}] must be a mapping with path, instrument, format")
        extra = sorted(set(item) - {f.name for f in fields(InputFile)})
        _check(not extra, file, f"inputs[{n}] has unknown key(s) {extra}")
        for key in ("path", "instrument", "format"):
            _check(key in item, file, f"inputs[{n}] is missing '{key}'")
        _check(item["instrument"] in INSTRUMENTS, file,
               f"inputs[{n}] instrument '{item['instrument']}' is not one of {', '.join(INSTRUMENTS)}")
        _check(item["format"] in FORMATS, file,
               f"inputs[{n}] format '{item['format']}' is not one of {', '.join(FORMATS)}")
        mode = item.get("mode")
        _check(mode is None or mode in MODES, file, f"inputs[{n}] mode '{mode}' is not one of {', '.join(MODES)}")
        inputs.append(_input_file(item, n, file))
    _check(sum(i.instrument == "registry" for i in inputs) <= 1, file,
           "at most one input can be the graduate registry (instrument: registry)")
    _check(any(i.instrument in ("registry", "phase1", "phase2") for i in inputs), file,
           "'inputs' must list the graduate registry or a graduate survey (phase1, phase2): without a registry "
           "the survey rows define the graduates")
    kwargs = {k: v for k, v in data.items() if k != "inputs"}
    if "model_covariates" in kwargs:
        mc = kwargs["model_covariates"]
        mc = [] if mc is None else mc
        _check(isinstance(mc, list) and all(isinstance(x, str) and x.startswith("x_") for x in mc), file,
               "'model_covariates' must be a list of covariate columns named x_<name> (declared as covariates "
               "in a legacy mapping), e.g. [x_finalgrade, x_hsscore]")
        kwargs["model_covariates"] = tuple(mc)
    if "pool_cohorts" in kwargs:
        pc = [] if kwargs["pool_cohorts"] is None else kwargs["pool_cohorts"]
        _check(isinstance(pc, list) and len(pc) <= 2 and all(isinstance(x, str) and x for x in pc)
               and data.get("cohort") not in pc, file,
               "'pool_cohorts' must list at most two earlier cohorts (not the cohort itself), e.g. "
               "[demo-2023, demo-2024]")
        kwargs["pool_cohorts"] = tuple(pc)
    if kwargs.get("institution") is not None:
        inst = kwargs["institution"]
        _check(isinstance(inst, str) or (isinstance(inst, dict) and set(inst) >= {"ky", "ru", "en"} and all(
            isinstance(v, str) or (isinstance(v, dict) and isinstance(v.get("name"), str)) for v in inst.values())),
               file, "'institution' must be a name, or the name in ky, ru and en, e.g. {ky: …, ru: …, en: …} "
                     "(each may be {name: …, short: …})")
    if "weighting_margins" in kwargs:
        m = kwargs["weighting_margins"]
        _check(isinstance(m, list) and all(isinstance(x, list) and x for x in m), file,
               "'weighting_margins' must be a list of lists of registry columns, e.g. [[faculty, sex], [level]]")
        kwargs["weighting_margins"] = tuple(tuple(str(c) for c in x) for x in m)
    if "labour_rules" in kwargs:
        kwargs["labour_rules"] = _labour_rules(kwargs["labour_rules"], file)
    try:
        cfg = CohortConfig(inputs=tuple(inputs), **kwargs)
    except TypeError as exc:  # pragma: no cover - guarded by the unknown-key check
        raise ConfigError(f"{file}: {exc}") from None
    _check(isinstance(cfg.graduation_year, int) and 1993 <= cfg.graduation_year <= 2100, file,
           "'graduation_year' must be a year such as 2025")
    _check(0.5 < float(cfg.confidence) < 1, file, "'confidence' must be between 0.5 and 1, e.g. 0.95")
    _check(cfg.ci_method in ("wilson", "agresti_coull", "clopper_pearson", "jeffreys", "qilt"), file,
           f"'ci_method' {cfg.ci_method!r} is not supported (wilson, agresti_coull, clopper_pearson, jeffreys, qilt)")
    _check(cfg.weighted_ci_method in ("wilson", "korn_graubard"), file,
           f"'weighted_ci_method' {cfg.weighted_ci_method!r} is not supported (wilson, korn_graubard)")
    _check(isinstance(cfg.finite_population_correction, bool), file,
           "'finite_population_correction' must be true or false")
    _check(isinstance(cfg.disclosure_min_n, int) and 1 <= cfg.disclosure_min_n <= 100, file,
           "'disclosure_min_n' must be a whole number between 1 and 100 (ELA/MLASZ: 10)")
    _check(1 <= int(cfg.full_time_hours) <= 60, file, "'full_time_hours' must be between 1 and 60 (statutory week: 40)")
    _check(cfg.weight_trim_ratio >= 1, file, "'weight_trim_ratio' must be at least 1")
    frame = cfg.enterprise_frame
    _check(frame is None or (isinstance(frame, str) and frame.endswith(".csv")), file,
           "'enterprise_frame' must name a CSV file in the cohort's raw folder, e.g. enterprise_frame.csv")
    _check(cfg.licence in D.LICENCES, file,
           f"'licence' {cfg.licence!r} is not one of {', '.join(D.LICENCES)} (default {D.LICENCE})")
    _check(isinstance(cfg.contact, str), file, "'contact' must be text, e.g. an office and its e-mail address")
    return cfg


EXAMPLES_DIR = "examples"
"""Sub-folder of ``cohorts/`` with the example cohorts shipped with the project (e.g. ``trento-2013``).
A cohort file ``cohorts/NAME.yaml`` wins over ``cohorts/examples/NAME.yaml``."""


def config_path(cohort: str, root: Path | str | None = None) -> Path:
    """The parameter file of ``cohort``: ``cohorts/<cohort>.yaml``, else ``cohorts/examples/<cohort>.yaml``
    (the first when neither exists, for the error message)."""
    paths = cohort_paths(cohort, root)
    own = paths.config_file
    example = own.parent / EXAMPLES_DIR / own.name
    return example if not own.is_file() and example.is_file() else own


def _input_file(item: dict[str, Any], n: int, file: Path) -> InputFile:
    """One ``inputs`` entry as an :class:`InputFile` (types checked; every message names the entry)."""
    kw: dict[str, Any] = {k: (str(v) if v is not None else None) for k, v in item.items()
                          if k not in ("dayfirst", "renames", "not_asked")}
    if item.get("dayfirst") is not None:
        _check(isinstance(item["dayfirst"], bool), file, f"inputs[{n}] dayfirst must be true or false")
        kw["dayfirst"] = item["dayfirst"]
    if item.get("renames") is not None:
        r = item["renames"]
        _check(isinstance(r, dict) and all(isinstance(k, (str, int)) for k in r), file,
               f"inputs[{n}] renames must map a column of the file to a question name, e.g. "
               "{hours_per_week: hours} (~ drops the column on purpose)")
        kw["renames"] = tuple((str(k), None if v is None else str(v)) for k, v in r.items())
    if item.get("not_asked") is not None:
        na = item["not_asked"]
        _check(isinstance(na, list) and all(isinstance(x, str) for x in na), file,
               f"inputs[{n}] not_asked must be a list of question names")
        kw["not_asked"] = tuple(na)
    return InputFile(**kw)


def _labour_rules(value: Any, file: Path) -> dict[str, Any]:
    """The cohort's ``labour_rules`` over the defaults (:data:`LABOUR_RULES`), each checked: thresholds are
    numbers from 0 to 10 (shares and ratios), the two choices one of their words."""
    value = {} if value is None else value
    _check(isinstance(value, dict), file, "'labour_rules' must be a mapping, e.g. {current_unemployment_max: 0.10}")
    unknown = sorted(set(value) - set(LABOUR_RULES))
    _check(not unknown, file, f"labour_rules has unknown key(s) {unknown}; allowed: {', '.join(LABOUR_RULES)}")
    out = dict(LABOUR_RULES)
    for key, v in value.items():
        if key in _LABOUR_CHOICES:
            _check(v in _LABOUR_CHOICES[key], file,
                   f"labour_rules.{key} must be one of {', '.join(_LABOUR_CHOICES[key])} (got {v!r})")
        else:
            _check(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 10, file,
                   f"labour_rules.{key} must be a number from 0 to 10, e.g. {LABOUR_RULES[key]} (got {v!r})")
            v = float(v)
        out[key] = v
    return out


def load_config(cohort: str, root: Path | str | None = None, **overrides: Any) -> CohortConfig:
    """Load ``cohorts/<cohort>.yaml`` — or ``cohorts/examples/<cohort>.yaml`` — (under ``root``), apply
    ``overrides`` and check everything.

    Raises :class:`ConfigError` with a one-line message naming the file and the problem.
    """
    paths = cohort_paths(cohort, root)
    file = config_path(cohort, root)
    if not file.is_file():
        available = sorted({p.stem for p in file.parent.glob("*.yaml")}
                           | {p.stem for p in (file.parent / EXAMPLES_DIR).glob("*.yaml")})
        raise ConfigError(
            f"{file}: no parameter file for cohort '{cohort}' (available: {', '.join(available) or 'none'})"
        )
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f", line {line + 1}" if line is not None else ""
        raise ConfigError(f"{file}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    data = {**data, **{k: v for k, v in overrides.items() if v is not None}}
    data.setdefault("project_root", str(paths.root))
    cfg = config_from_dict(data, file)
    if cfg.cohort != cohort:
        raise ConfigError(f"{file}: 'cohort' is {cfg.cohort!r} but the file is named for {cohort!r}")
    return replace(cfg, project_root=str(paths.root))
