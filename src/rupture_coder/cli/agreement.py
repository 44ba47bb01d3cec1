"""``rupture-coder agreement``: on any tidy table, or on a project's codes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rupture_coder.agreement import LEVELS
from rupture_coder.agreement.coefficients import WEIGHTS
from rupture_coder.errors import RuptureCoderError, StudyError
from rupture_coder.store.db import Project
from rupture_coder.study.agreement import (
    STAT_KEYS,
    ItemAgreement,
    ProjectAgreement,
    ProjectAgreementQuery,
    Statistic,
    TableAgreement,
    TableAgreementQuery,
    project_agreement,
    table_agreement,
)
from rupture_coder.study.tables import UNITS


def add_agreement_parser(sub, parents) -> None:
    p = sub.add_parser(
        "agreement", parents=parents, help="inter-rater agreement on a tidy table or a project",
        description="Agreement on a tidy table (one row per unit x rater) given as FILE, or on the "
        "project's codes when no FILE is given.",
    )  # fmt: skip
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a CSV, TSV or XLSX table")
    p.add_argument(
        "--unit", help="FILE: the unit column(s), comma-separated; project: " + "|".join(UNITS)
    )
    p.add_argument("--rater", help="FILE: the rater column")
    p.add_argument("--value", help="FILE: the value column")
    p.add_argument("--level", choices=LEVELS, help="level of measurement (FILE: default nominal)")
    p.add_argument(
        "--weights",
        choices=WEIGHTS,
        help="weights for the kappas and AC (default: identity for nominal, quadratic otherwise)",
    )
    p.add_argument(
        "--missing",
        action="append",
        default=[],
        metavar="VALUE",
        help="FILE: a value that means 'not rated' (repeatable), e.g. n/a",
    )
    p.add_argument("--raters", help="project: rater names or ids, comma-separated (default: all)")
    p.add_argument(
        "--sessions", help="project: session titles or ids, comma-separated (default: all)"
    )
    p.add_argument(
        "--codebook", metavar="ID@VERSION", help="project: the codebook (version) to compare under"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_agreement)


def _split(text: str | None) -> tuple[str, ...] | None:
    return tuple(x.strip() for x in text.split(",") if x.strip()) if text else None


def query_from_args(args: argparse.Namespace) -> TableAgreementQuery | ProjectAgreementQuery:
    if args.file:
        if not (args.unit and args.rater and args.value):
            raise StudyError("with a FILE, give --unit COL, --rater COL and --value COL")
        return TableAgreementQuery(
            path=args.file, unit_columns=_split(args.unit) or (), rater_column=args.rater,
            value_column=args.value, level=args.level or "nominal", weights=args.weights,
            missing=tuple(args.missing),
        )  # fmt: skip
    codebook = tuple(args.codebook.split("@", 1)) if args.codebook else None
    if codebook is not None and len(codebook) != 2:
        raise StudyError(
            f"--codebook is ID@VERSION, e.g. 3rs-individual@1.0.0; not {args.codebook!r}"
        )
    return ProjectAgreementQuery(
        unit=args.unit or "segment-presence", raters=_split(args.raters),
        sessions=_split(args.sessions), codebook=codebook, level=args.level, weights=args.weights,
    )  # fmt: skip


def run_agreement(args: argparse.Namespace, project: Project | None = None) -> int:
    try:
        query = query_from_args(args)
        if isinstance(query, TableAgreementQuery):
            result: TableAgreement | ProjectAgreement = table_agreement(query)
        else:
            assert project is not None
            result = project_agreement(project, query)
    except RuptureCoderError as exc:
        print(f"rupture-coder agreement: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result.to_json(), indent=2) if args.json else render(result))
    return 0


def _fmt(stat: Statistic) -> str:
    if stat.value is None:
        return f"{'-':>8}  {stat.reason or ''}"
    ci = f"[{stat.ci95[0]:.3f}, {stat.ci95[1]:.3f}]" if stat.has_ci else ""  # type: ignore[index]
    return f"{stat.value:8.3f}  {ci:<18} {stat.band or ''}"


def render_one(res: ItemAgreement, indent: str = "") -> list[str]:
    lines = [f"{indent}{res[key].name:<58} {_fmt(res[key])}" for key in STAT_KEYS]
    lines += [f"{indent}{stat.name[:58]:<58} {_fmt(stat)}" for stat in res.icc.values()]
    return lines


def render(result: TableAgreement | ProjectAgreement) -> str:
    if isinstance(result, TableAgreement):
        res = result.result
        head = (f"Agreement on {result.query.path}: {res.n_units} units with two or more ratings, {res.n_raters} raters "
                f"({', '.join(res.raters)}); level {res.level}, weights {res.weights}")  # fmt: skip
        return "\n".join([head, "", *render_one(res)])
    lines = [
        f"Agreement, unit {result.query.unit}: {result.n_sessions} sessions, raters {', '.join(result.raters)}, "
        f"codebook {'@'.join(result.codebook)}"
    ]
    lines += [f"warning: {w}" for w in result.warnings]
    for res in result.results:
        lines += ["", f"{res.label}  ({res.n_units} units, {res.level})", *render_one(res, "  ")]
    return "\n".join(lines)
