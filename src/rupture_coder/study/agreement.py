"""Inter-rater agreement as a use case: a typed query in, a typed result out.

Two sources: a project's codes (``ProjectAgreementQuery``: one result per item, category or rating
of the chosen unit) and any tidy table file (``TableAgreementQuery``: one result). The statistics
themselves are in ``rupture_coder.agreement``; this module picks the data, runs them and hands the
CLI, the dashboard and the study report the same objects. ``to_json`` gives the CLI's JSON.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rupture_coder.agreement import analyze, from_long
from rupture_coder.agreement.apa import methods_sentence
from rupture_coder.agreement.bootstrap import MAX_REPLICATES, release_draws
from rupture_coder.agreement.tables import Level, RatingMatrix
from rupture_coder.domain import BOOTSTRAP, SEED
from rupture_coder.errors import StudyError
from rupture_coder.services.identity import LEAD_OR_SUPERVISOR, require_role
from rupture_coder.store.db import Project
from rupture_coder.study.tables import Study, load_study
from rupture_coder.tasks import Progress, progress_or_silent

#: The statistics every result carries, in the order people read them.
STAT_KEYS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")
_STAT_FIELDS = ("name", "value", "ci95", "se", "band", "reason", "note", "n_units", "ci95_bootstrap",
                "band_ci")  # fmt: skip
#: How the primary statistic is named in tables and charts.
PRIMARY_LABELS = {"cohen_kappa": "Cohen κ", "fleiss_kappa": "Fleiss κ",
                  "krippendorff_alpha": "Krippendorff α", "gwet_ac1": "Gwet AC1"}  # fmt: skip


@dataclass(frozen=True)
class Statistic:
    """One coefficient: its value and 95% CI, or ``value`` None and the ``reason`` it is undefined."""

    name: str
    value: float | None
    ci95: tuple[float | None, float | None] | None = None
    se: float | None = None
    band: str | None = None
    reason: str | None = None  # why it is not defined (value None)
    note: str | None = None  # a caveat on a defined value (e.g. why there is no CI)
    n_units: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # statistic-specific details
    ci95_bootstrap: tuple[float | None, float | None] | None = None  # resampling sessions
    band_ci: str | None = None  # the bands the CI spans (the bootstrap CI when there is one)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Statistic:
        ci, boot = d.get("ci95"), d.get("ci95_bootstrap")
        return cls(
            name=d["name"], value=d.get("value"), ci95=tuple(ci) if ci is not None else None,
            se=d.get("se"), band=d.get("band"), reason=d.get("reason"), note=d.get("note"),
            n_units=d.get("n_units"), extra={k: v for k, v in d.items() if k not in _STAT_FIELDS},
            ci95_bootstrap=tuple(boot) if boot is not None else None, band_ci=d.get("band_ci"),
        )  # fmt: skip

    @property
    def has_ci(self) -> bool:
        return self.ci95 is not None and None not in self.ci95

    @property
    def best_ci(self) -> tuple[float, float] | None:
        """The CI to show: the session bootstrap's when there is one, else the analytic one."""
        for ci in (self.ci95_bootstrap, self.ci95):
            if ci is not None and None not in ci:
                return ci  # type: ignore[return-value]
        return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "value": self.value}
        if self.value is None:
            out["reason"] = self.reason
        if self.ci95 is not None:
            out["ci95"] = list(self.ci95)
        if self.note is not None:
            out["note"] = self.note
        for key in ("se", "n_units", "band", "band_ci"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.ci95_bootstrap is not None:
            out["ci95_bootstrap"] = list(self.ci95_bootstrap)
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class ItemAgreement:
    """Every statistic for one item, category or rating (or one table)."""

    key: str
    label: str
    kind: str  # item | category | rating | total | table
    n_units: int
    n_raters: int
    raters: tuple[str, ...]
    level: str
    weights: str
    categories: tuple[str, ...]
    statistics: Mapping[str, Statistic]  # STAT_KEYS and any further coefficient
    icc: Mapping[str, Statistic]  # "ICC(1,1)".."ICC(3,k)" at the interval and ratio levels
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_analysis(
        cls, out: Mapping[str, Any], key: str, label: str, kind: str
    ) -> ItemAgreement:
        meta = {"n_units", "n_raters", "raters", "level", "weights", "categories", "icc"}
        stats = {k: Statistic.from_json(v) for k, v in out.items() if _is_stat(v) and k not in meta}
        return cls(
            key=key, label=label, kind=kind, n_units=int(out["n_units"]), n_raters=int(out["n_raters"]),
            raters=tuple(out["raters"]), level=out["level"], weights=out["weights"],
            categories=tuple(out["categories"]), statistics=stats,
            icc={form: Statistic.from_json(s) for form, s in out.get("icc", {}).items()},
            extra={k: v for k, v in out.items() if k not in meta and k not in stats},
        )  # fmt: skip

    def __getitem__(self, key: str) -> Statistic:
        return self.statistics[key]

    def primary(self) -> tuple[str, Statistic]:
        """The coefficient to report first for this design (``agreement.analyze.primary``): the
        ICC the design supports for ratings and frequencies (ICC(2,1) when raters are crossed with
        units, ICC(1,1) when they rotate), Cohen's kappa for two raters, else Krippendorff's alpha."""
        key = str(self.extra.get("primary") or "")
        if key.startswith("icc/") and key[4:] in self.icc:
            return key[4:], self.icc[key[4:]]
        if key in self.statistics:
            return PRIMARY_LABELS.get(key, key), self.statistics[key]
        if "ICC(2,1)" in self.icc:
            return "ICC(2,1)", self.icc["ICC(2,1)"]
        if self.n_raters == 2:
            return "Cohen κ", self.statistics["cohen_kappa"]
        return "Fleiss κ", self.statistics["fleiss_kappa"]

    @property
    def apa(self) -> str | None:
        """The APA-style methods sentence on the primary statistic."""
        return self.extra.get("apa")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.kind != "table":
            out |= {"key": self.key, "label": self.label, "kind": self.kind}
        out |= {
            "n_units": self.n_units, "n_raters": self.n_raters, "raters": list(self.raters),
            "level": self.level, "weights": self.weights, "categories": list(self.categories),
        }  # fmt: skip
        out |= dict(self.extra)
        out |= {k: s.to_json() for k, s in self.statistics.items()}
        if self.icc:
            out["icc"] = {form: s.to_json() for form, s in self.icc.items()}
        return out


def _is_stat(value: Any) -> bool:
    return isinstance(value, Mapping) and "name" in value and "value" in value


@dataclass(frozen=True)
class ProjectAgreementQuery:
    """Agreement on a project's codes. Raters and sessions by name/title or id; None: all."""

    unit: str = "segment-presence"
    raters: tuple[str, ...] | None = None
    sessions: tuple[str, ...] | None = None
    codebook: tuple[str, str] | None = None  # (id, version) to compare under
    level: Level | None = None  # default: the unit's own level
    weights: str | None = None  # default: identity for nominal, quadratic otherwise
    bootstrap: int = BOOTSTRAP  # session resamples for the bootstrap CIs; 0: none
    seed: int = SEED


@dataclass(frozen=True)
class ProjectAgreement:
    query: ProjectAgreementQuery
    codebook: tuple[str, str]
    n_sessions: int
    raters: tuple[str, ...]  # names
    results: tuple[ItemAgreement, ...]
    warnings: tuple[str, ...] = ()  # raters and sessions not marked complete

    @property
    def n_units(self) -> int:
        return max((r.n_units for r in self.results), default=0)

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.query.unit, "codebook": "@".join(self.codebook), "n_sessions": self.n_sessions,
            "n_raters": len(self.raters), "raters": list(self.raters), "n_units": self.n_units,
            "results": [r.to_json() for r in self.results], "warnings": list(self.warnings),
        }  # fmt: skip


def project_agreement(
    project: Project, query: ProjectAgreementQuery, progress: Progress | None = None
) -> ProjectAgreement:
    require_role(project, LEAD_OR_SUPERVISOR, "inter-rater agreement")
    progress = progress_or_silent(progress)
    progress.step(0, 0, "reading the codes")
    study = load_study(
        project,
        query.unit,
        list(query.raters) if query.raters else None,
        list(query.sessions) if query.sessions else None,
        query.codebook,
    )
    try:
        results = _item_results(study, query, progress)
    finally:
        release_draws()  # kept for the study's items only
    return ProjectAgreement(
        query=query,
        codebook=(study.codebook.id, study.codebook.version),
        n_sessions=len(study.sessions),
        raters=tuple(sorted(study.raters.values())),
        results=tuple(results),
        warnings=tuple(study.warnings),
    )


def _item_results(
    study: Study, query: ProjectAgreementQuery, progress: Progress
) -> list[ItemAgreement]:
    results = []
    noun = "segments" if query.unit.startswith("segment") else "sessions"
    for k, table in enumerate(study.tables):
        progress.step(k, len(study.tables), f"{table.label} ({k + 1} of {len(study.tables)})")
        data, na_values = table.data, ()
        if "na" in data.columns and data["na"].any():  # N/A is a judgement: analysed on its own
            data = data.assign(
                value=data["value"].astype(object).where(~data["na"].astype(bool), "N/A")
            )
            na_values = ("N/A",)
        try:
            m = from_long(data, level=query.level or table.level, categories=table.categories,
                          cluster="session" if "session" in data.columns else None, na_values=na_values)  # fmt: skip
        except ValueError as exc:
            raise StudyError(f"{table.label}: {exc}") from None
        out = _analyze(m, query.weights, query.bootstrap, query.seed)
        out["apa"] = methods_sentence(out, table.label, unit_noun=noun)
        results.append(ItemAgreement.from_analysis(out, table.key, table.label, table.kind))
    return results


@dataclass(frozen=True)
class TableAgreementQuery:
    """Agreement on a tidy table file: one row per unit and rater."""

    path: Path
    unit_columns: tuple[str, ...]
    rater_column: str
    value_column: str
    level: Level = "nominal"
    weights: str | None = None
    missing: tuple[str, ...] = ()  # values that mean "not rated"
    categories: tuple[str, ...] | None = None  # the scale, in order (unused points still count)
    cluster_column: str | None = None  # the unit's session: what the bootstrap resamples
    na_values: tuple[str, ...] = ()  # values that mean "not applicable" (a judgement)
    positive: str | None = None  # the category that means "present" (specific agreement)
    bootstrap: int = BOOTSTRAP
    seed: int = SEED
    subject: str | None = None  # what was rated, for the APA sentence (default: the value column)


@dataclass(frozen=True)
class TableAgreement:
    query: TableAgreementQuery
    rows_used: int
    result: ItemAgreement

    def to_json(self) -> dict[str, Any]:
        return self.result.to_json() | {
            "source": str(self.query.path),
            "unit": ",".join(self.query.unit_columns),
            "rows_used": self.rows_used,
        }


def read_table(path: Path) -> pd.DataFrame:
    """A CSV, TSV or XLSX table as text columns; its size and (XLSX) its archive are checked first,
    as the importers check theirs."""
    from rupture_coder.importers.tabular import guard_xlsx
    from rupture_coder.limits import MAX_TABLE_BYTES, Refused, read_capped

    try:
        raw = read_capped(path, MAX_TABLE_BYTES)
        if path.suffix.lower() == ".xlsx":
            guard_xlsx(raw, str(path))
            return pd.read_excel(io.BytesIO(raw), dtype=str)
        sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        return pd.read_csv(io.BytesIO(raw), sep=sep, dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")  # fmt: skip
    except Refused as exc:
        raise StudyError(str(exc)) from None
    except (OSError, ValueError, UnicodeDecodeError, KeyError, zipfile.BadZipFile) as exc:
        raise StudyError(f"{path}: not a readable CSV, TSV or XLSX table ({exc})") from None


def table_agreement(query: TableAgreementQuery) -> TableAgreement:
    df = read_table(query.path)
    columns = (*query.unit_columns, query.rater_column, query.value_column)
    if query.cluster_column:
        columns += (query.cluster_column,)
    missing_cols = [c for c in columns if c not in df.columns]
    if missing_cols:
        raise StudyError(
            f"{query.path}: no column {missing_cols[0]!r}; the columns are {', '.join(df.columns)}"
        )
    df = df[~df[query.value_column].isin(query.missing)].copy()
    df["_unit"] = df[list(query.unit_columns)].astype(str).agg("/".join, axis=1)
    try:
        m = from_long(df, "_unit", query.rater_column, query.value_column, query.level,
                      query.categories, query.cluster_column, query.na_values)  # fmt: skip
    except ValueError as exc:
        raise StudyError(f"{query.path}: {exc}") from None
    out = _analyze(m, query.weights, query.bootstrap, query.seed, query.positive)
    clusters = f"{query.cluster_column} values" if query.cluster_column else "clusters"
    out["apa"] = methods_sentence(out, query.subject or query.value_column, cluster_noun=clusters)
    result = ItemAgreement.from_analysis(out, "", "", "table")
    return TableAgreement(query=query, rows_used=int(len(df)), result=result)


def _analyze(
    m: RatingMatrix, weights: str | None, bootstrap: int = 0, seed: int = SEED,
    positive: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    if not 0 <= bootstrap <= MAX_REPLICATES:
        raise StudyError(
            f"the bootstrap takes 0 (none) to {MAX_REPLICATES:,} resamples, not {bootstrap:,}"
        )
    try:
        return analyze(m, weights, bootstrap=bootstrap, seed=seed, positive=positive)
    except ValueError as exc:
        raise StudyError(str(exc)) from None


def result_rows(result: ProjectAgreement | TableAgreement) -> pd.DataFrame:
    """One row per item and statistic: the tidy form of an agreement result, for CSV/XLSX."""
    unit = result.query.unit if isinstance(result, ProjectAgreement) else result.to_json()["unit"]
    items = result.results if isinstance(result, ProjectAgreement) else (result.result,)
    rows = []
    for res in items:
        stats = {k: res.statistics[k] for k in STAT_KEYS if k in res.statistics}
        stats |= {k: s for k, s in res.statistics.items() if k not in stats}
        stats |= {f"icc {form}": s for form, s in res.icc.items()}
        for key, stat in stats.items():
            ci = stat.ci95 or (None, None)
            boot = stat.ci95_bootstrap or (None, None)
            rows.append({
                "unit": unit, "item": res.key, "label": res.label, "statistic": key, "name": stat.name,
                "value": stat.value, "ci95_low": ci[0], "ci95_high": ci[1], "se": stat.se, "band": stat.band,
                "ci95_bootstrap_low": boot[0], "ci95_bootstrap_high": boot[1], "band_ci": stat.band_ci,
                "n_units": stat.n_units if stat.n_units is not None else res.n_units, "n_raters": res.n_raters,
                "level": res.level, "weights": res.weights, "reason": stat.reason or stat.note,
            })  # fmt: skip
    return pd.DataFrame(rows)
